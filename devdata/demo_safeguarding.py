"""The demo's risk flags and safeguarding: Priya is safeguarding lead for Anna's two
practices, one of Anna's participants is flagged "do not visit alone", and Anna has raised
one open concern. Idempotent: a second run adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from participants.models import CaseStatus, FlagKind, Participant, RiskFlag
from practices.models import Practice
from safeguarding.models import (
    Concern,
    ConcernAbout,
    ConcernCategory,
    InitialAction,
    SafeguardingLead,
)

LEAD = "priya.clp"
CLP = "anna.clp"
LEAD_PRACTICES = ["90001", "90002"]


@transaction.atomic
def build_safeguarding_demo() -> int:
    """Returns how many concerns it added."""
    lead = User.objects.get(username=LEAD)
    clp = User.objects.get(username=CLP)
    for practice in Practice.objects.filter(code__in=LEAD_PRACTICES):
        SafeguardingLead.objects.get_or_create(practice=practice, user=lead)
    participants = Participant.objects.filter(
        clp=clp, practice__code=LEAD_PRACTICES[0], status=CaseStatus.OPEN
    ).order_by("ref")
    flagged = participants.first()
    if flagged is None:
        return 0
    if not RiskFlag.objects.filter(participant__clp=clp).exists():
        RiskFlag.objects.create(
            participant=flagged,
            kind=FlagKind.DO_NOT_VISIT_ALONE,
            reason="Partner was verbally aggressive at the door on the last home visit.",
            review_on=timezone.localdate() + timedelta(days=90),
            set_by=clp,
        )
    if Concern.objects.filter(raised_by=clp).exists():
        return 0
    Concern.objects.create(
        participant=participants.last() or flagged,
        practice=flagged.practice,
        raised_by=clp,
        about=ConcernAbout.ADULT,
        category=ConcernCategory.FINANCIAL,
        what_happened="Said her son keeps her bank card and she has no money for the meter.",
        action_taken=InitialAction.GP,
        occurred_at=timezone.now() - timedelta(days=2),
        # The demo has nobody to email: mark the leads as told.
        leads_notified_at=timezone.now(),
    )
    return 1
