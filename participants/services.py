"""Writing participant data. Views call these; rules live here, not in views or save()."""

from __future__ import annotations

from django.db import transaction
from django.db.models.functions import Length

from participants.models import Participant, ReferenceSequence

REF_PREFIX = "P"
REF_START = 1000


@transaction.atomic
def participant_next_ref() -> str:
    """The next programme reference (P1000, P1001, …). The counter row is locked, so two
    registrations at once never get the same reference, and a reference is never reused."""
    seq, _ = ReferenceSequence.objects.select_for_update().get_or_create(
        name="participant", defaults={"last_value": REF_START - 1}
    )
    highest_in_use = _highest_ref_number()
    seq.last_value = max(seq.last_value, highest_in_use) + 1
    seq.save(update_fields=["last_value"])
    return f"{REF_PREFIX}{seq.last_value}"


def _highest_ref_number() -> int:
    """References brought in by import may run ahead of the counter; never collide with them.
    Numeric order is not string order (P999 sorts after P1000), so order by length first."""
    latest = (
        Participant.objects.filter(ref__regex=r"^P[0-9]+$")
        .order_by(Length("ref").desc(), "-ref")
        .values_list("ref", flat=True)
        .first()
    )
    return int(latest[1:]) if latest else 0
