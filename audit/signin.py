"""A per-address limit on failed sign-ins, beside django-axes' per-user lockout.

Axes locks one username tried too often from one address. Password spraying tries one
password across many usernames, so no username fails often; the address does. Failed
sign-ins are already in the audit trail with their address, so the count is read there:
more than LOGIN_ADDRESS_FAILURE_LIMIT failures from one address within
LOGIN_ADDRESS_WINDOW_MINUTES refuses every sign-in from it until the window has moved on.
The limit is far above what the people of one practice, behind one address, get wrong.

`AddressLimitBackend` is the first authentication backend; it refuses before any password
is checked, and marks the request so the sign-in form can say why (`accounts.forms`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from audit.models import Action, AuditEvent
from audit.net import client_ip

# Read by the sign-in form to say why, without a dependency upward.
REFUSED_ATTRIBUTE = "sign_in_refused_minutes"


def address_over_limit(request: HttpRequest) -> bool:
    address = client_ip(request)
    if not address:
        return False
    since = timezone.now() - timedelta(minutes=settings.LOGIN_ADDRESS_WINDOW_MINUTES)
    failures = AuditEvent.objects.filter(
        action=Action.LOGIN_FAILED, ip_address=address, at__gte=since
    ).count()
    return failures >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class AddressLimitBackend:
    """Authenticates no one; refuses everyone from an address past its limit. No `get_user`
    or permission methods: it never holds a session, and grants nothing."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is not None and address_over_limit(request):
            setattr(request, REFUSED_ATTRIBUTE, settings.LOGIN_ADDRESS_WINDOW_MINUTES)
            raise PermissionDenied
        return None
