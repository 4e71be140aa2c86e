from accounts.http import AuthenticatedHttpRequest
from referrals.access import get_referral_for, referrals_editable_by
from referrals.models import Referral


def editable_referral(request: AuthenticatedHttpRequest, pk: int) -> Referral:
    """The referral if this user may change it; 404 otherwise."""
    return get_referral_for(request.user, pk, queryset=referrals_editable_by(request.user))


def query_without_page(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
