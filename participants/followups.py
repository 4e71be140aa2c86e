"""Nine-month follow-ups: scheduling, state changes and weekly reminders.

The daily job (`followups_run`) works in the database: it creates missing follow-ups in
batches with INSERT … ON CONFLICT DO NOTHING (so two runs, even at once, create nothing
twice), then moves follow-ups on with one UPDATE per transition. Every step is idempotent,
so a run that dies halfway is finished by the next one.

States: scheduled → due (on the due date) → overdue (past the grace period) → missed (past
the window); or completed (follow-up assessment recorded), declined, or not applicable
(the case closed because the person moved away, died or withdrew; undone on reopening).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from participants.dates import FOLLOW_UP_MONTHS, add_months
from participants.models import (
    OPEN_FOLLOW_UP_STATUSES,
    Assessment,
    CaseStatus,
    DischargeReason,
    FollowUp,
    FollowUpStatus,
    Participant,
    ReminderSent,
    Timepoint,
)
from participants.rules import validate_plausible_date

BATCH_SIZE = 1000

# Closing a case for these reasons rules a follow-up out; reopening brings it back.
RULES_OUT_FOLLOW_UP = {
    DischargeReason.MOVED: "Moved away",
    DischargeReason.DIED: "Died",
    DischargeReason.WITHDREW: "Withdrew",
}


def lookahead_days() -> int:
    return settings.LINKS_FOLLOWUP_LOOKAHEAD_DAYS


def latest_baseline_in_window(today: date) -> date:
    """The latest baseline date whose follow-up falls due by today + the look-ahead. Several
    baseline dates share one due date at month ends (29, 30 and 31 May all fall due on
    28 February), so step forward while the next day still qualifies."""
    horizon = today + timedelta(days=lookahead_days())
    candidate = add_months(horizon, -FOLLOW_UP_MONTHS)
    while add_months(candidate + timedelta(days=1), FOLLOW_UP_MONTHS) <= horizon:
        candidate += timedelta(days=1)
    while add_months(candidate, FOLLOW_UP_MONTHS) > horizon:
        candidate -= timedelta(days=1)
    return candidate


@dataclass
class RunSummary:
    created: int = 0
    due: int = 0
    overdue: int = 0
    missed: int = 0
    not_applicable: int = 0


def followups_create(
    *,
    today: date,
    participant_id: int | None = None,
    participant_ids: Sequence[int] | None = None,
) -> int:
    """Create the follow-ups of baselines that fall due within the look-ahead. One query
    streams the baselines that have none (a server-side cursor, so memory stays flat however
    many there are) and they are inserted a batch at a time; the unique baseline column
    makes a second or concurrent run create nothing twice.

    It used to page through the baselines by id (`id > last ORDER BY id LIMIT n`), which
    the planner answered from the (timepoint, date) index by reading every baseline in the
    window on every page: quadratic in the data (bench/NOTES.md)."""
    baselines = Assessment.objects.filter(
        timepoint=Timepoint.BASELINE,
        date__lte=latest_baseline_in_window(today),
        follow_up_of__isnull=True,
    )
    if participant_id is not None:
        baselines = baselines.filter(participant_id=participant_id)
    if participant_ids is not None:
        baselines = baselines.filter(participant_id__in=participant_ids)
    rows = (
        baselines.order_by()
        .values_list("pk", "participant_id", "date")
        .iterator(chunk_size=BATCH_SIZE)
    )
    created = 0
    while batch := list(islice(rows, BATCH_SIZE)):
        with transaction.atomic():
            made = FollowUp.objects.bulk_create(
                [
                    FollowUp(
                        baseline_id=pk,
                        participant_id=participant,
                        due_on=add_months(on, FOLLOW_UP_MONTHS),
                    )
                    for pk, participant, on in batch
                ],
                ignore_conflicts=True,
            )
        created += len(made)
    return created


# Participants per statement when scheduling some of them (`followups_schedule`): under
# SQLite's 999 query parameters there; on PostgreSQL, many, as each statement may read the
# whole follow-up table (just filled, in an import, so without statistics to plan by).
SCHEDULE_CHUNK = {"postgresql": 50_000}


def followups_schedule(*, participant_ids: Sequence[int], today: date) -> RunSummary:
    """The daily job's work for these participants only (an import's): the follow-ups of
    their baselines created, and theirs moved on, reading none of anyone else's rows.

    On PostgreSQL each chunk of participants is one INSERT … SELECT, the due date computed
    by the database: a date plus an interval of months is the same day that many months on,
    or the month's last day when that day does not exist, which is `add_months`' rule
    (tests/participants/test_followup_schedule.py holds the two to each other)."""
    summary = RunSummary()
    ids = sorted(set(participant_ids))
    latest = latest_baseline_in_window(today)
    size = SCHEDULE_CHUNK.get(connection.vendor, 900)
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        if connection.vendor == "postgresql":
            summary.created += _followups_insert(participant_ids=chunk, latest=latest)
        else:
            summary.created += followups_create(today=today, participant_ids=chunk)
        moved = followups_advance(today=today, participant_ids=chunk)
        summary.due += moved.due
        summary.overdue += moved.overdue
        summary.missed += moved.missed
        summary.not_applicable += moved.not_applicable
    return summary


def _followups_insert(*, participant_ids: Sequence[int], latest: date) -> int:
    """`followups_create` in one statement for these participants' baselines up to
    `latest`; the other columns take the model's defaults. The participant's practice and
    CLP are written by the statement, their row locked as the table's trigger
    (`participants_followup_owner`) does, which sets the same: a bulk import runs this
    without the row triggers (exchange.importer.loading)."""
    quote = connection.ops.quote_name
    computed = {
        "participant_id": ("a.participant_id", []),
        "baseline_id": ("a.id", []),
        "due_on": ("(a.date + make_interval(months => %s))::date", [FOLLOW_UP_MONTHS]),
        "practice_id": ("p.practice_id", []),
        "clp_id": ("p.clp_id", []),
    }
    blank, now = FollowUp(), timezone.now()
    columns, selected, params = [], [], []
    for field in FollowUp._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.attname))
        if field.attname in computed:
            expression, values = computed[field.attname]
            selected.append(expression)
            params.extend(values)
            continue
        stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = now if stamped else getattr(blank, field.attname)
        selected.append("%s")
        params.append(field.get_db_prep_save(value, connection))
    followups, assessments = FollowUp._meta.db_table, Assessment._meta.db_table
    participants = Participant._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(followups)} ({', '.join(columns)}) "  # noqa: S608 (names)
            f"SELECT {', '.join(selected)} FROM {quote(assessments)} AS a "
            f"JOIN {quote(participants)} AS p ON p.id = a.participant_id "
            "WHERE a.participant_id = ANY(%s) AND a.timepoint = %s AND a.date <= %s "
            "FOR SHARE OF p "
            # The unique baseline leaves out those that have one (a NOT EXISTS here was
            # planned as a scan of the table a row, the table looking empty in an import).
            "ON CONFLICT DO NOTHING",
            [*params, list(participant_ids), Timepoint.BASELINE.value, latest],
        )
        return cursor.rowcount


def followups_advance(
    *,
    today: date,
    participant_id: int | None = None,
    participant_ids: Sequence[int] | None = None,
) -> RunSummary:
    """Move open follow-ups on by date, most advanced transition first, one UPDATE each."""
    grace = timedelta(days=settings.LINKS_FOLLOWUP_GRACE_DAYS)
    window = timedelta(days=settings.LINKS_FOLLOWUP_WINDOW_DAYS)
    qs = FollowUp.objects.all()
    if participant_id is not None:
        qs = qs.filter(participant_id=participant_id)
    if participant_ids is not None and connection.vendor == "postgresql":
        # One array parameter, not a parameter an id: Django prepares each of those.
        ids = RawSQL("SELECT unnest(%s::bigint[])", [list(participant_ids)])
        qs = qs.filter(participant_id__in=ids)
    elif participant_ids is not None:
        qs = qs.filter(participant_id__in=participant_ids)
    summary = RunSummary()
    now = timezone.now()
    with transaction.atomic():
        summary.not_applicable = _rule_out_closed(qs, now=now)
        summary.missed = qs.filter(
            status__in=OPEN_FOLLOW_UP_STATUSES, due_on__lt=today - window
        ).update(
            status=FollowUpStatus.MISSED,
            reason="Not completed within the follow-up window",
            closed_on=today,
            updated_at=now,
        )
        summary.overdue = qs.filter(
            status__in=[FollowUpStatus.SCHEDULED, FollowUpStatus.DUE], due_on__lt=today - grace
        ).update(status=FollowUpStatus.OVERDUE, updated_at=now)
        summary.due = qs.filter(status=FollowUpStatus.SCHEDULED, due_on__lte=today).update(
            status=FollowUpStatus.DUE, updated_at=now
        )
    return summary


def _rule_out_closed(qs, *, now) -> int:
    total = 0
    for reason, label in RULES_OUT_FOLLOW_UP.items():
        total += qs.filter(
            status__in=OPEN_FOLLOW_UP_STATUSES,
            participant__status=CaseStatus.CLOSED,
            participant__discharge_reason=reason,
        ).update(status=FollowUpStatus.NOT_APPLICABLE, reason=label, updated_at=now)
    return total


def followups_run(*, today: date | None = None) -> RunSummary:
    """The daily job: create what is due soon, then move everything on."""
    today = today or timezone.localdate()
    created = followups_create(today=today)
    summary = followups_advance(today=today)
    summary.created = created
    return summary


def followups_refresh_participant(*, participant_id: int, today: date | None = None) -> None:
    """Bring one participant's follow-ups up to date now, rather than at tonight's run."""
    today = today or timezone.localdate()
    followups_create(today=today, participant_id=participant_id)
    followups_advance(today=today, participant_id=participant_id)


def followups_after_reopen(*, participant: Participant, today: date | None = None) -> None:
    """A reopened case gets back the follow-ups its closing ruled out, in the state their
    dates now give them."""
    FollowUp.objects.filter(
        participant=participant,
        status=FollowUpStatus.NOT_APPLICABLE,
        reason__in=RULES_OUT_FOLLOW_UP.values(),
    ).update(status=FollowUpStatus.SCHEDULED, reason="", updated_at=timezone.now())
    followups_advance(today=today or timezone.localdate(), participant_id=participant.pk)


def followup_complete(*, assessment: Assessment) -> FollowUp | None:
    """A recorded follow-up assessment completes the participant's open follow-up."""
    follow_up = (
        FollowUp.objects.select_for_update()
        .filter(participant_id=assessment.participant_id, assessment__isnull=True)
        .exclude(status=FollowUpStatus.NOT_APPLICABLE)
        .order_by("-due_on")
        .first()
    )
    if follow_up is None:
        return None
    follow_up.status = FollowUpStatus.COMPLETED
    follow_up.assessment = assessment
    follow_up.reason = ""
    follow_up.closed_on = assessment.date
    follow_up.closed_by = assessment.recorded_by
    follow_up.save(
        update_fields=["status", "assessment", "reason", "closed_on", "closed_by", "updated_at"]
    )
    return follow_up


@transaction.atomic
def followup_close(
    *,
    user: User,
    request: HttpRequest | None = None,
    follow_up: FollowUp,
    status: str,
    reason: str,
    on: date,
) -> FollowUp:
    """A CLP marks a follow-up missed or declined, with the reason."""
    if status not in (FollowUpStatus.MISSED, FollowUpStatus.DECLINED):
        raise ValidationError("A follow-up can only be marked missed or declined here.")
    if follow_up.status not in OPEN_FOLLOW_UP_STATUSES:
        raise ValidationError(
            f"This follow-up is already {follow_up.get_status_display().lower()}."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why, so the programme can learn from it."})
    try:
        validate_plausible_date(on)
    except ValidationError as error:
        raise ValidationError({"on": error.messages}) from None
    follow_up.status = status
    follow_up.reason = reason.strip()
    follow_up.closed_on = on
    follow_up.closed_by = user
    follow_up.full_clean()
    follow_up.save(update_fields=["status", "reason", "closed_on", "closed_by", "updated_at"])
    audit_record(request=request, user=user, action=Action.UPDATE, obj=follow_up, detail=status)
    return follow_up


def week_starting(day: date) -> date:
    return day - timedelta(days=day.weekday())


def followup_reminders_send(*, today: date | None = None) -> int:
    """Email each CLP a count of their due and overdue follow-ups, at most once a week. The
    email carries counts and a link only: no names, CHI numbers or references. Closed cases
    count: their follow-ups stay on the worklist."""
    today = today or timezone.localdate()
    week = week_starting(today)
    counts = (
        FollowUp.objects.filter(status__in=[FollowUpStatus.DUE, FollowUpStatus.OVERDUE])
        .values("participant__clp", "participant__clp__email", "participant__clp__full_name")
        .annotate(
            due=Count("id", filter=Q(status=FollowUpStatus.DUE)),
            overdue=Count("id", filter=Q(status=FollowUpStatus.OVERDUE)),
        )
        .order_by("participant__clp")
    )
    link = settings.LINKS_BASE_URL.rstrip("/") + reverse("followups:worklist")
    sent = 0
    for row in counts:
        if not row["participant__clp__email"]:
            continue
        try:
            with transaction.atomic():
                # The row is the promise not to send twice; it is rolled back if sending fails.
                ReminderSent.objects.create(
                    user_id=row["participant__clp"],
                    week_starting=week,
                    due=row["due"],
                    overdue=row["overdue"],
                )
                send_mail(
                    subject="Links: follow-ups to complete this week",
                    message=_reminder_text(row, link),
                    from_email=None,
                    recipient_list=[row["participant__clp__email"]],
                )
        except IntegrityError:
            continue  # already reminded this week
        sent += 1
    return sent


def _reminder_text(row: Mapping[str, Any], link: str) -> str:
    name = row["participant__clp__full_name"] or "there"
    return (
        f"Hello {name},\n\n"
        f"You have {row['due']} nine-month follow-up(s) due and {row['overdue']} overdue.\n"
        f"Your worklist: {link}\n\n"
        "This email lists no participant details; sign in to see them.\n"
    )
