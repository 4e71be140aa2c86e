"""Writing practices, staff attachments and the staff survey. Each function validates with
full_clean() and records who did it in the audit trail."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from practices.models import (
    Attachment,
    Practice,
    StaffSurveyResponse,
    StaffSurveyRound,
)


def practice_save(
    *, user: User, request: HttpRequest | None = None, practice: Practice
) -> Practice:
    """Add a practice or save its changed details."""
    creating = practice.pk is None
    practice.full_clean()
    practice.save()
    audit_record(
        request=request,
        user=user,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=practice,
    )
    return practice


@transaction.atomic
def practice_leave(
    *, user: User, request: HttpRequest | None = None, practice: Practice, on: date
) -> Practice:
    """Record that a practice left the programme on `on`. Its records stay, and it stays in
    the years it took part; its staff attachments end that day, so it drops out of everyone's
    worklists and takes no new registrations or transfers."""
    if practice.left_on is not None:
        raise ValidationError("This practice has already left the programme.")
    if on < practice.joined_on:
        raise ValidationError("A practice cannot leave before it joined.")
    practice.left_on = on
    practice.full_clean()
    practice.save(update_fields=["left_on"])
    ended = (
        Attachment.objects.filter(practice=practice)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .update(ended_on=on)
    )
    audit_record(
        request=request,
        user=user,
        action=Action.UPDATE,
        obj=practice,
        detail=f"left the programme; {ended} attachments ended",
    )
    return practice


def attachment_add(
    *,
    user: User,
    request: HttpRequest | None = None,
    person: User,
    practice: Practice,
    role: str,
    started_on: date,
) -> Attachment:
    """Attach a member of staff to a practice in a role. Attaching someone again in a role
    they held before starts that attachment afresh."""
    if not Practice.objects.in_programme(started_on).filter(pk=practice.pk).exists():
        raise ValidationError(f"{practice.name} is not in the programme on that date.")
    attachment = Attachment.objects.filter(user=person, practice=practice, role=role).first()
    if attachment is None:
        attachment = Attachment(user=person, practice=practice, role=role)
    attachment.started_on = started_on
    attachment.ended_on = None
    attachment.full_clean()
    attachment.save()
    audit_record(request=request, user=user, action=Action.CREATE, obj=attachment)
    return attachment


def survey_round_open(
    *,
    user: User,
    request: HttpRequest | None = None,
    year: int,
    closes_on: date,
) -> StaffSurveyRound:
    if StaffSurveyRound.objects.filter(year=year).exists():
        raise ValidationError(f"There is already a staff survey round for {year}.")
    survey_round = StaffSurveyRound(
        year=year, opened_on=timezone.localdate(), closes_on=closes_on, opened_by=user
    )
    survey_round.full_clean()
    survey_round.save()
    audit_record(request=request, user=user, action=Action.CREATE, obj=survey_round)
    return survey_round


def survey_round_close(
    *, user: User, request: HttpRequest | None = None, survey_round: StaffSurveyRound
) -> StaffSurveyRound:
    """Closing freezes the round: its links stop working and no paper answers are added."""
    if survey_round.closed_at is None:
        survey_round.closed_at = timezone.now()
        survey_round.save(update_fields=["closed_at"])
        audit_record(
            request=request, user=user, action=Action.UPDATE, obj=survey_round, detail="closed"
        )
    return survey_round


def survey_response_record(
    *,
    survey_round: StaffSurveyRound,
    practice: Practice,
    wellbeing_activities: bool,
    give_up_within_5y: bool,
    user: User | None = None,
    request: HttpRequest | None = None,
) -> StaffSurveyResponse:
    """One answer to an open round: through the practice's link (no user: nothing about the
    person answering is kept) or typed in from paper by the lead (`user`)."""
    if not survey_round.is_open():
        raise ValidationError("This staff survey round is closed.")
    if not Practice.objects.in_programme().filter(pk=practice.pk).exists():
        raise ValidationError("This practice is not in the programme.")
    response = StaffSurveyResponse(
        round=survey_round,
        year=survey_round.year,
        practice=practice,
        wellbeing_activities=wellbeing_activities,
        give_up_within_5y=give_up_within_5y,
        on_paper=user is not None,
    )
    response.full_clean()
    response.save()
    # An answer through the link is audited without the request: no address, nothing that
    # could point to the person answering.
    audit_record(
        request=request if user is not None else None,
        user=user,
        action=Action.CREATE,
        obj=response,
        detail="paper answer" if user is not None else "answer through the practice's link",
    )
    return response
