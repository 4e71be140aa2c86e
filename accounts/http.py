"""The request a signed-in page receives, typed as such."""

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind `login_required` (every role gate includes it): its user is a member
    of staff, never anonymous. Only for type checking; Django still builds plain requests."""

    user: User
