from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from linksworker.policy import (
    can_maintain_resources,
    can_view_resources,
    get_referral_for,
    referrals_editable_by,
)
from referrals.models import Referral


def allowed_by(check):
    """Let a signed-in user through when the policy's `check(user)` holds; others get a plain
    403. For whole screens only: single records are scoped by the policy's querysets and
    answer 404."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


directory_required = allowed_by(can_view_resources)
maintainer_required = allowed_by(can_maintain_resources)


def editable_referral(request: HttpRequest, pk: int) -> Referral:
    """The referral if this user may change it; 404 otherwise."""
    return get_referral_for(request.user, pk, queryset=referrals_editable_by(request.user))


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
