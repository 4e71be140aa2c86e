"""Taking records out as FHIR or as a letter, each download audited, and bringing a
directory in from an Open Referral UK feed (`interchange.oruk_import`)."""

from __future__ import annotations

import json
from pathlib import Path

from django.http import HttpRequest

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from interchange.access import participants_exportable_by
from interchange.fhir import participant_bundle
from interchange.letter import render_letter_pdf
from interchange.selectors import codes_by_event, participant_export
from participants.models import Participant
from practices.models import Practice


def participant_bundle_download(
    *, user: User, participant: Participant, request: HttpRequest | None = None
) -> bytes:
    """The participant's FHIR Bundle as JSON bytes, audited. `participant` comes through
    `interchange.access.get_participant_for_export`."""
    bundle = participant_bundle(participant_export(participant=participant))
    audit_record(
        request=request, user=user, action=Action.EXPORT, obj=participant, detail="FHIR bundle"
    )
    return json.dumps(bundle, indent=2, ensure_ascii=False).encode()


def participant_letter_download(
    *, user: User, participant: Participant, request: HttpRequest | None = None
) -> bytes:
    pdf = render_letter_pdf(participant_export(participant=participant))
    audit_record(
        request=request, user=user, action=Action.EXPORT, obj=participant, detail="GP letter"
    )
    return pdf


def practice_bundles_export(*, user: User, practice: Practice, directory: Path) -> int:
    """One Bundle file per participant of the practice in `directory`, readable by their
    owner only; audited once as a whole and once per participant. Returns the count."""
    directory.mkdir(parents=True, exist_ok=True)
    codes = codes_by_event()
    participants = (
        participants_exportable_by(user)
        .filter(practice=practice)
        .select_related("practice", "clp")
        .order_by("ref")
    )
    count = 0
    for participant in participants:
        bundle = participant_bundle(participant_export(participant=participant, codes=codes))
        path = directory / f"{participant.ref}.json"
        path.write_text(json.dumps(bundle, indent=2, ensure_ascii=False), encoding="utf-8")
        path.chmod(0o600)
        audit_record(
            request=None, user=user, action=Action.EXPORT, obj=participant, detail="FHIR bundle"
        )
        count += 1
    audit_record(
        request=None,
        user=user,
        action=Action.EXPORT,
        obj=practice,
        detail=f"FHIR bundles of practice {practice.code}: {count}",
    )
    return count
