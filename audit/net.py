"""Where a request came from, for the audit trail and login lockout."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only as far as our own proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or ""


# django-axes keeps the username of every failed sign-in in a 255-character column.
AXES_USERNAME_LENGTH = 255


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The username the login lockout counts failures against, cut to what its table holds:
    a longer one typed at any sign-in form (the admin's included) would otherwise fail the
    insert and answer a server error instead of "wrong username or password"."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials:
        username = credentials.get(field)
    else:
        username = request.POST.get(field) if request is not None else None
    return str(username or "")[:AXES_USERNAME_LENGTH]
