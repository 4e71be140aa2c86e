from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from linksworker.policy import roles_of


def role_required(predicate):
    """Let a signed-in user through when `predicate(roles)` holds; others get a plain 403.

    Used for whole screens (a role's dashboard); single records are scoped by the policy's
    querysets instead, and answer 404."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not predicate(roles_of(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


caseload_required = role_required(lambda roles: roles.sees_caseload)
clp_required = role_required(lambda roles: roles.is_clp)
programme_required = role_required(lambda roles: roles.sees_programme)
