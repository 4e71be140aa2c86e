"""Writing participant data. Views call these; the rules live here, not in views or save().

Every function validates with full_clean(), writes in one transaction and records an audit
event naming the fields changed (never their values)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Length
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from participants.followups import followup_complete, followups_advance, followups_after_reopen
from participants.measures import apply_scores
from participants.models import (
    Assessment,
    CaseStatus,
    Consultation,
    ConsultationMode,
    FlagKind,
    Need,
    Participant,
    ParticipantNeed,
    ReferenceSequence,
    RiskFlag,
    SimdPostcode,
    StatusChange,
    Timepoint,
)
from participants.rules import (
    consultation_check,
    duration_for,
    require_companion,
    require_not_before_referral,
    require_not_in_future,
    validate_plausible_date,
)
from participants.tasks import refresh_participant_followups
from practices.models import Attachment, Practice, StaffRole
from practices.roles import roles_of

REF_PREFIX = "P"
REF_START = 1000


class DuplicateParticipant(Exception):
    """A participant with this CHI number is already registered."""

    def __init__(self, existing: Participant):
        super().__init__("A participant with this CHI number is already registered.")
        self.existing = existing


class ConcurrentEdit(Exception):
    """Someone else saved the record after this form was opened."""


@transaction.atomic
def _require_plausible(value: date, field: str) -> None:
    try:
        validate_plausible_date(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def participant_next_ref() -> str:
    """The next programme reference (P1000, P1001, …). The counter row is locked, so two
    registrations at once never get the same reference, and a reference is never reused."""
    seq, _ = ReferenceSequence.objects.select_for_update().get_or_create(
        name="participant", defaults={"last_value": REF_START - 1}
    )
    seq.last_value = max(seq.last_value, _highest_ref_number()) + 1
    seq.save(update_fields=["last_value"])
    return f"{REF_PREFIX}{seq.last_value}"


def _highest_ref_number() -> int:
    """References brought in by import may run ahead of the counter; never collide with them.
    Numeric order is not string order (P999 sorts after P1000), so order by length first."""
    latest = (
        # No leading zeros: "P00007" is longer than "P1000" but numerically smaller.
        Participant.objects.filter(ref__regex=r"^P[1-9][0-9]*$")
        .order_by(Length("ref").desc(), "-ref")
        .values_list("ref", flat=True)
        .first()
    )
    return int(latest[1:]) if latest else 0


def _apply_simd(participant: Participant) -> None:
    """Deprivation follows from the postcode; an unknown postcode leaves it unknown."""
    row = SimdPostcode.objects.filter(pk=participant.postcode).first()
    participant.simd_data_zone = row.data_zone if row else ""
    participant.simd_decile = row.decile if row else None
    participant.simd_quintile = row.quintile if row else None


def _require_open(participant: Participant) -> None:
    """A closed case is a finished record: reopen it before adding to it. (Outcome measures
    are the exception: a nine-month follow-up can still fall due after closing.)"""
    if participant.status != CaseStatus.OPEN:
        raise ValidationError("This case is closed. Reopen it before adding to it.")


def participant_find_by_chi(*, chi: str) -> Participant | None:
    return Participant.objects.select_related("practice").filter(chi=chi).first()


@transaction.atomic
def participant_register(
    *,
    user: User,
    request: HttpRequest | None = None,
    participant: Participant,
    needs: Iterable[Need] = (),
) -> Participant:
    """Register an unsaved participant built from a validated form. A CHI number already in
    the programme raises DuplicateParticipant carrying the existing record."""
    existing = participant_find_by_chi(chi=participant.chi)
    if existing is not None:
        raise DuplicateParticipant(existing)
    participant.ref = participant_next_ref()
    _apply_simd(participant)
    participant.full_clean()
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError:
        # Registered by someone else a moment ago: the unique CHI column caught it.
        existing = participant_find_by_chi(chi=participant.chi)
        if existing is None:
            raise
        raise DuplicateParticipant(existing) from None
    for need in needs:
        ParticipantNeed.objects.create(
            participant=participant,
            need=need,
            identified_on=participant.referred_on,
            recorded_by=user,
        )
    audit_record(request=request, user=user, action=Action.CREATE, obj=participant)
    return participant


def transfer_destinations(participant: Participant) -> QuerySet[Attachment]:
    """Where a participant can go: a current CLP at another practice in the programme."""
    return (
        Attachment.objects.current()
        .filter(
            role=StaffRole.CLP,
            user__is_active=True,
            practice__in=Practice.objects.in_programme(),
        )
        .exclude(practice_id=participant.practice_id)
        .select_related("user", "practice")
        .order_by("practice__name", "user__full_name", "user__username")
    )


@transaction.atomic
def participant_transfer(
    *,
    user: User,
    request: HttpRequest | None = None,
    participant: Participant,
    practice: Practice,
    clp: User,
) -> Participant:
    """Move a participant who changed practice, with their whole record: consultations,
    needs, measures, referrals and follow-ups belong to the participant and go with them.
    Only a CLP or practice manager of the practice that holds them may do it."""
    roles = roles_of(user)
    if participant.practice_id not in roles.practice_ids and not roles.administrator:
        raise ValidationError("Only the practice that holds this record can transfer it.")
    if practice.pk == participant.practice_id:
        raise ValidationError("The participant is already at this practice.")
    if not transfer_destinations(participant).filter(practice=practice, user=clp).exists():
        raise ValidationError("Choose a CLP who works at a practice in the programme.")
    origin = participant.practice
    # The move and every counted write for this participant wait for each other.
    participant_lock(participant_id=participant.pk)
    updated = Participant.objects.filter(pk=participant.pk, version=participant.version).update(
        practice=practice, clp=clp, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ConcurrentEdit
    participant.refresh_from_db()
    audit_record(
        request=request,
        user=user,
        action=Action.UPDATE,
        obj=participant,
        detail=f"transferred from practice {origin.code} to {practice.code}",
    )
    return participant


@transaction.atomic
def caseload_reassign(
    *,
    user: User,
    request: HttpRequest | None = None,
    practice: Practice,
    from_clp: User,
    to_clp: User,
) -> int:
    """Hand a leaving CLP's open cases at a practice to another CLP there. Closed cases keep
    the CLP who held them. Returns how many were handed over."""
    if to_clp.pk == from_clp.pk:
        raise ValidationError("Choose a different CLP to take over the caseload.")
    if not (
        Attachment.objects.current()
        .filter(practice=practice, user=to_clp, role=StaffRole.CLP, user__is_active=True)
        .exists()
    ):
        raise ValidationError(f"{to_clp.display_name} is not a CLP at {practice.name}.")
    moved = Participant.objects.filter(
        practice=practice, clp=from_clp, status=CaseStatus.OPEN
    ).update(clp=to_clp, version=F("version") + 1, updated_at=timezone.now())
    if moved:
        audit_record(
            request=request,
            user=user,
            action=Action.UPDATE,
            obj=practice,
            detail=f"{moved} open cases of user {from_clp.pk} reassigned to user {to_clp.pk}",
        )
    return moved


def open_cases_of(*, practice: Practice, clp: User) -> int:
    return Participant.objects.filter(practice=practice, clp=clp, status=CaseStatus.OPEN).count()


@transaction.atomic
def participant_update(
    *,
    user: User,
    request: HttpRequest | None = None,
    participant: Participant,
    changed: list[str],
    version: int,
) -> Participant:
    """Save edited details, refusing if the record changed since the form was opened."""
    if "postcode" in changed:
        _apply_simd(participant)
    participant.full_clean()
    fields = [f.attname for f in Participant._meta.concrete_fields if f.name not in {"id", "ref"}]
    values = {name: getattr(participant, name) for name in fields if name != "version"}
    values["updated_at"] = timezone.now()
    updated = Participant.objects.filter(pk=participant.pk, version=version).update(
        **values, version=F("version") + 1
    )
    if not updated:
        raise ConcurrentEdit
    participant.version = version + 1
    audit_record(
        request=request, user=user, action=Action.UPDATE, obj=participant, detail=", ".join(changed)
    )
    return participant


@transaction.atomic
def participant_close(
    *,
    user: User,
    request: HttpRequest | None = None,
    participant: Participant,
    on: date,
    reason: str,
    note: str = "",
) -> Participant:
    if participant.status == CaseStatus.CLOSED:
        raise ValidationError("This case is already closed.")
    if on < participant.referred_on:
        raise ValidationError({"on": "A case cannot close before it was referred."})
    participant.status = CaseStatus.CLOSED
    participant.closed_on = on
    participant.discharge_reason = reason
    participant.full_clean()
    participant.version += 1
    participant.save(
        update_fields=["status", "closed_on", "discharge_reason", "version", "updated_at"]
    )
    followups_advance(today=timezone.localdate(), participant_id=participant.pk)
    StatusChange.objects.create(
        participant=participant,
        status=CaseStatus.CLOSED,
        on=on,
        discharge_reason=reason,
        note=note,
        by=user,
    )
    audit_record(request=request, user=user, action=Action.UPDATE, obj=participant, detail="closed")
    return participant


@transaction.atomic
def participant_reopen(
    *,
    user: User,
    request: HttpRequest | None = None,
    participant: Participant,
    on: date,
    note: str = "",
) -> Participant:
    if participant.status == CaseStatus.OPEN:
        raise ValidationError("This case is already open.")
    participant.status = CaseStatus.OPEN
    participant.closed_on = None
    participant.discharge_reason = ""
    participant.full_clean()
    participant.version += 1
    participant.save(
        update_fields=["status", "closed_on", "discharge_reason", "version", "updated_at"]
    )
    StatusChange.objects.create(
        participant=participant, status=CaseStatus.OPEN, on=on, note=note, by=user
    )
    followups_after_reopen(participant=participant)
    audit_record(
        request=request, user=user, action=Action.UPDATE, obj=participant, detail="reopened"
    )
    return participant


def participant_lock(*, participant_id: int) -> None:
    """Hold the participant's row until the transaction ends. The dashboards' running counts
    are kept by triggers that file each consultation, referral and follow-up under the
    participant's practice as committed when they run; a move to another practice takes the
    same lock (its UPDATE does), so a counted write and a move wait for each other instead
    of interleaving, and the counts cannot drift (reports migration 0003)."""
    list(Participant.objects.select_for_update().filter(pk=participant_id).values_list("pk"))


@transaction.atomic
def consultation_log(
    *,
    user: User,
    request: HttpRequest | None = None,
    consultation: Consultation,
    needs_discussed: Iterable[Need] = (),
    next_contact_on: date | None = None,
) -> Consultation:
    """Log a consultation built from a validated form; a did-not-attend has no duration."""
    participant = consultation.participant
    participant_lock(participant_id=participant.pk)
    _require_open(participant)
    duration = duration_for(
        attended=consultation.attended, duration_minutes=consultation.duration_minutes
    )
    consultation_check(
        day=consultation.date,
        referred_on=participant.referred_on,
        attended=consultation.attended,
        duration=duration,
    )
    require_companion(
        mode=consultation.mode,
        flagged_not_alone=flagged_do_not_visit_alone(participant=participant),
        visited_with=consultation.visited_with,
    )
    if consultation.mode != ConsultationMode.HOME:
        consultation.visited_with = ""
    consultation.duration_minutes = cast(int, duration)  # checked above
    consultation.full_clean()
    consultation.save()
    consultation.needs_discussed.set(needs_discussed)
    if next_contact_on is not None:
        _require_plausible(next_contact_on, "next_contact_on")
        participant.next_contact_on = next_contact_on
        participant.save(update_fields=["next_contact_on", "updated_at"])
    audit_record(request=request, user=user, action=Action.CREATE, obj=consultation)
    return consultation


@transaction.atomic
def needs_update(
    *,
    user: User,
    request: HttpRequest | None = None,
    participant: Participant,
    add: Iterable[Need] = (),
    resolve: Iterable[ParticipantNeed] = (),
    on: date,
) -> None:
    """Record new needs and resolve ones that no longer apply, as of `on`."""
    _require_open(participant)
    _require_plausible(on, "on")
    current = set(
        participant.needs.filter(resolved_on__isnull=True).values_list("need_id", flat=True)
    )
    added = [need for need in add if need.pk not in current]
    for need in added:
        ParticipantNeed.objects.create(
            participant=participant, need=need, identified_on=on, recorded_by=user
        )
    resolved = 0
    for item in resolve:
        if item.participant_id != participant.pk or item.resolved_on is not None:
            continue
        if on < item.identified_on:
            raise ValidationError(
                f"“{item.need.name}” cannot be resolved before it was identified."
            )
        item.resolved_on = on
        item.save(update_fields=["resolved_on"])
        resolved += 1
    if added or resolved:
        audit_record(
            request=request,
            user=user,
            action=Action.UPDATE,
            obj=participant,
            detail=f"needs: {len(added)} added, {resolved} resolved",
        )


@transaction.atomic
def assessment_record(
    *, user: User, request: HttpRequest | None = None, assessment: Assessment
) -> Assessment:
    """Save an assessment; scores are computed from the items, never typed in."""
    participant = assessment.participant
    try:
        require_not_in_future(assessment.date, "The assessment date")
        require_not_before_referral(assessment.date, participant.referred_on, "The assessment")
    except ValidationError as error:
        raise ValidationError({"date": error.messages}) from None
    if assessment.recorded_by_id is None:
        assessment.recorded_by = user
    # Validate the items first: scoring assumes they are in range.
    assessment.full_clean()
    apply_scores(assessment)
    creating = assessment._state.adding
    assessment.save()
    if creating and assessment.timepoint == Timepoint.FOLLOW_UP:
        followup_complete(assessment=assessment)
    if assessment.timepoint == Timepoint.BASELINE:
        # A baseline entered late may already be due for follow-up: schedule it now.
        refresh_participant_followups.delay_on_commit(participant.pk)
    audit_record(
        request=request,
        user=user,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=assessment,
        detail=assessment.timepoint,
    )
    return assessment


@transaction.atomic
def need_save(*, user: User, request: HttpRequest | None = None, need: Need) -> Need:
    """Needs are never deleted, only made inactive: old records keep pointing at them."""
    creating = need._state.adding
    need.full_clean()
    need.save()
    audit_record(
        request=request,
        user=user,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=need,
        detail=need.name,
    )
    return need


def flagged_do_not_visit_alone(*, participant: Participant) -> bool:
    return (
        RiskFlag.objects.active()
        .filter(participant=participant, kind=FlagKind.DO_NOT_VISIT_ALONE)
        .exists()
    )


@transaction.atomic
def risk_flag_set(
    *,
    user: User,
    request: HttpRequest | None = None,
    participant: Participant,
    kind: str,
    reason: str,
    review_on: date | None = None,
) -> RiskFlag:
    """Warn the staff who meet this participant. The reason is kept out of the audit
    trail: the event names the kind only."""
    if review_on is not None and review_on < timezone.localdate():
        raise ValidationError({"review_on": "The review date cannot be in the past."})
    flag = RiskFlag(
        participant=participant, kind=kind, reason=reason, review_on=review_on, set_by=user
    )
    flag.full_clean()
    flag.save()
    audit_record(
        request=request, user=user, action=Action.CREATE, obj=flag, detail=f"risk flag {kind}"
    )
    return flag


@transaction.atomic
def risk_flag_end(
    *, user: User, request: HttpRequest | None = None, flag: RiskFlag, note: str = ""
) -> RiskFlag:
    """End a flag. It stays on the record, with who ended it, when and why."""
    # Locked, so two people ending it at once leave one ending, not two.
    locked = RiskFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.ended_at is not None:
        raise ValidationError("This flag has already ended.")
    flag.ended_at = timezone.now()
    flag.ended_by = user
    flag.end_note = note
    flag.full_clean()
    flag.save(update_fields=["ended_at", "ended_by", "end_note"])
    audit_record(
        request=request,
        user=user,
        action=Action.UPDATE,
        obj=flag,
        detail=f"risk flag {flag.kind} ended",
    )
    return flag
