from django.db import models
from django.http import HttpRequest

from accounts.models import User
from audit.models import AuditEvent
from audit.net import client_ip


def audit_record(
    *,
    request: HttpRequest | None,
    action: str,
    user: User | None = None,
    obj: models.Model | None = None,
    participant_ref: str = "",
    detail: str = "",
) -> AuditEvent:
    """Write one audit event. `detail` names fields or counts, never patient data values."""
    if user is None and request is not None and isinstance(request.user, User):
        user = request.user
    if obj is not None and not participant_ref:
        participant_ref = getattr(obj, "audit_participant_ref", "") or ""
    return AuditEvent.objects.create(
        user=user if user is not None and user.pk else None,
        username=user.get_username() if user is not None else "",
        action=action,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        participant_ref=participant_ref,
        ip_address=(client_ip(request) or None) if request is not None else None,
        detail=detail[:255],
    )
