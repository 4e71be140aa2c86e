"""Writing safeguarding concerns: validated, audited (the kind of event only, never what was
written), and the leads told after the transaction commits."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from participants.models import Participant
from safeguarding.models import Concern, ConcernAction, ConcernStatus
from safeguarding.tasks import notify_leads


def _require_open(concern: Concern) -> None:
    if concern.status != ConcernStatus.OPEN:
        raise ValidationError("This concern is closed.")


@transaction.atomic
def concern_raise(
    *,
    user: User,
    request: HttpRequest | None = None,
    participant: Participant,
    about: str,
    category: str,
    what_happened: str,
    action_taken: str,
    occurred_at: datetime,
) -> Concern:
    if occurred_at > timezone.now():
        raise ValidationError({"occurred_at": "When it happened cannot be in the future."})
    concern = Concern(
        participant=participant,
        practice_id=participant.practice_id,
        raised_by=user,
        about=about,
        category=category,
        what_happened=what_happened,
        action_taken=action_taken,
        occurred_at=occurred_at,
    )
    concern.full_clean()
    concern.save()
    audit_record(
        request=request,
        user=user,
        action=Action.CREATE,
        obj=concern,
        detail=f"safeguarding concern {category}",
    )
    notify_leads.delay_on_commit(concern.pk)
    return concern


@transaction.atomic
def concern_action_add(
    *, user: User, request: HttpRequest | None = None, concern: Concern, note: str
) -> ConcernAction:
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    _require_open(concern)
    action = ConcernAction(concern=concern, note=note, by=user)
    action.full_clean()
    action.save()
    audit_record(
        request=request,
        user=user,
        action=Action.UPDATE,
        obj=concern,
        detail="safeguarding concern: action recorded",
    )
    return action


@transaction.atomic
def concern_close(
    *, user: User, request: HttpRequest | None = None, concern: Concern, outcome: str
) -> Concern:
    # Locked, so a concern closed twice at once is closed once.
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    _require_open(locked)
    concern.status = ConcernStatus.CLOSED
    concern.closed_at = timezone.now()
    concern.closed_by = user
    concern.outcome = outcome
    concern.full_clean()
    concern.save(update_fields=["status", "closed_at", "closed_by", "outcome"])
    audit_record(
        request=request,
        user=user,
        action=Action.UPDATE,
        obj=concern,
        detail="safeguarding concern closed",
    )
    return concern
