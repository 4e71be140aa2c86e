"""Loading a planned import: bulk inserts and updates in dependency order, then the
follow-ups, the reference counter and the audit trail. Runs inside the caller's transaction,
so a failure anywhere leaves nothing behind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.db import connection, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from audit.services import audit_record
from exchange.importer.common import BATCH_SIZE, Meter, chunks, lookup
from exchange.importer.planning import Planner
from participants.followups import followups_after_reopen, followups_run
from participants.models import (
    Assessment,
    Consultation,
    FollowUp,
    FollowUpStatus,
    Participant,
    ParticipantNeed,
    ReferenceSequence,
    StatusChange,
    Timepoint,
)
from participants.services import REF_START
from practices.models import Attachment, Practice, StaffSurveyResponse
from referrals.models import CommunityResource, Referral, ReferralStatusChange

# Models in the order they are written: everything a row points at exists before it.
LOAD_ORDER: tuple[type[models.Model], ...] = (
    Practice,
    User,
    Attachment,
    CommunityResource,
    Participant,
    ParticipantNeed,
    StatusChange,
    Consultation,
    Referral,
    ReferralStatusChange,
    Assessment,
    StaffSurveyResponse,
)


def load(planner: Planner, *, user: User | None, today: date, meter: Meter) -> None:
    """Write the plan: bulk inserts and updates in dependency order, then the follow-ups,
    the reference counter and the audit trail. Runs inside the caller's transaction."""
    if not connection.features.can_return_rows_from_bulk_insert:
        raise RuntimeError("Importing needs a database that returns ids from bulk inserts.")
    now = timezone.now()
    total = sum(len(objs) for objs in planner.create.values())
    total += sum(len(objs) for objs in planner.update.values())
    if not total and not planner.survey_replaced:
        return  # the files say what the database already says: nothing to write or audit
    meter.start("loading", total)
    if planner.create[Participant]:
        # Registrations wait while new references are written, so none can take one of them.
        _reference_counter()
    for model in LOAD_ORDER:
        _update(model, planner.update[model].values(), now=now, meter=meter)
        if model is StaffSurveyResponse:
            for batch in chunks(planner.survey_replaced):
                StaffSurveyResponse.objects.filter(pk__in=batch).delete()
        for batch in chunks(planner.create[model], BATCH_SIZE):
            model._default_manager.bulk_create(batch)
            meter.advance(len(batch))
        if model is CommunityResource:
            _set_categories(planner)
    for participant in planner.reopened:
        followups_after_reopen(participant=participant, today=today)
    _advance_reference_counter(planner.created(Participant))
    if planner.touched or planner.create[Assessment] or planner.update[Assessment]:
        followups_run(today=today)
        _complete_followups(planner.followup_assessments, now=now)
    _audit(planner, user=user)


def _update(
    model: type[models.Model],
    changes: Iterable[tuple[models.Model, set[str]]],
    *,
    now: datetime,
    meter: Meter,
) -> None:
    """Save only the fields that changed, rows grouped by which: an UPDATE's cost grows with
    rows times fields, and a re-import usually changes a field or two of a row."""
    stamped = any(field.name == "updated_at" for field in model._meta.concrete_fields)
    groups: dict[frozenset[str], list[models.Model]] = defaultdict(list)
    for obj, fields in changes:
        key = frozenset(fields)
        if stamped:  # the model has the field, so its rows do
            obj.updated_at = now  # type: ignore[attr-defined]
            key |= {"updated_at"}
        groups[key].append(obj)
    for names, objs in groups.items():
        for batch in chunks(objs, BATCH_SIZE):
            model._default_manager.bulk_update(batch, sorted(names))
            meter.advance(len(batch))


def _set_categories(planner: Planner) -> None:
    """Categories are a description, not history: a service's set is replaced outright."""
    through = CommunityResource.categories.through
    resources = {name: planner.resources[name] for name in planner.resource_categories}
    for batch in chunks([resource.pk for resource in resources.values()]):
        through.objects.filter(communityresource_id__in=batch).delete()
    links = [
        through(communityresource_id=resources[name].pk, category_id=category.pk)
        for name, categories in planner.resource_categories.items()
        for category in categories
    ]
    for batch in chunks(links, BATCH_SIZE):
        through.objects.bulk_create(batch)


def _reference_counter() -> ReferenceSequence:
    counter, _ = ReferenceSequence.objects.select_for_update().get_or_create(
        name="participant", defaults={"last_value": REF_START - 1}
    )
    return counter


def _advance_reference_counter(created: list[Participant]) -> None:
    """The reference counter never hands out an imported reference afterwards."""
    if not created:
        return
    counter = _reference_counter()
    highest = max(int(participant.ref[1:]) for participant in created)
    if highest > counter.last_value:
        counter.last_value = highest
        counter.save(update_fields=["last_value"])


def _complete_followups(assessments: list[Assessment], *, now: datetime) -> None:
    """A follow-up assessment completes its participant's open follow-up (the latest due), as
    when recorded on screen (`participants.followups.followup_complete`), for every one at
    once: one UPDATE per chunk of follow-ups, reading each one's assessment in the database."""
    if not assessments:
        return
    open_follow_ups = lookup(
        FollowUp.objects.filter(assessment__isnull=True)
        .exclude(status=FollowUpStatus.NOT_APPLICABLE)
        .order_by("participant_id", "-due_on")
        .values_list("participant_id", "pk"),
        "participant_id",
        {assessment.participant_id for assessment in assessments},
    )
    latest: dict[int, int] = {}
    for participant_id, pk in open_follow_ups:
        latest.setdefault(participant_id, pk)
    # One follow-up assessment per participant: the database's constraint.
    done = Assessment.objects.filter(
        participant_id=OuterRef("participant_id"), timepoint=Timepoint.FOLLOW_UP
    )
    for batch in chunks(list(latest.values())):
        FollowUp.objects.filter(pk__in=batch).update(
            status=FollowUpStatus.COMPLETED,
            reason="",
            updated_at=now,
            assessment=Subquery(done.values("pk")[:1]),
            closed_on=Subquery(done.values("date")[:1]),
            closed_by=Subquery(done.values("recorded_by")[:1]),
        )


def _audit(planner: Planner, *, user: User | None) -> None:
    """One event per participant whose record the import wrote, and one for the import."""
    created = {participant.ref for participant in planner.created(Participant)}
    username = user.get_username() if user is not None else ""
    events = [
        AuditEvent(
            user=user,
            username=username,
            action=Action.CREATE if ref in created else Action.UPDATE,
            object_type="participant",
            object_id=str(planner.participants[ref].pk),
            participant_ref=ref,
            detail=("import: " + ", ".join(f"{what} {n}" for what, n in sorted(tally.items())))[
                :255
            ],
        )
        for ref, tally in planner.touched.items()
    ]
    for batch in chunks(events, BATCH_SIZE):
        AuditEvent.objects.bulk_create(batch)
    audit_record(
        request=None,
        user=user,
        action=Action.CREATE,
        detail="programme data import: "
        + "; ".join(
            f"{name} {c.new} new, {c.changed} changed"
            for name, c in planner.counts.items()
            if c.new or c.changed
        ),
    )
