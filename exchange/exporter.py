"""Exporting programme data as the files the importer reads.

The files identify people (names, CHI numbers, dates of birth), so only active
administrators may export, and every export is written to the audit trail: one event for
the export and one per participant, so a person's audit history shows it.

Rows are sorted in Python by the values written, not by database ids or collation, so an
export imported into an empty database (on either SQLite or PostgreSQL) exports again
byte for byte.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from audit.net import client_ip
from audit.services import audit_record
from audit.spreadsheets import csv_writer
from exchange.access import can_export_programme_data
from exchange.formats import (
    ASSESSMENT_ITEM_FIELDS,
    ASSESSMENTS,
    CONSULTATIONS,
    ENCODING,
    FILES,
    PARTICIPANTS,
    PRACTICES,
    REFERRALS,
    RESOURCES,
    ROLE_CLP,
    ROLE_PRACTICE_MANAGER,
    ROLE_PROGRAMME_LEAD,
    ROLES,
    STAFF,
    STAFF_SURVEY,
    FileSpec,
)
from participants.models import Assessment, Consultation, Participant, ParticipantNeed, Timepoint
from practices.models import Attachment, Practice, StaffSurveyResponse
from referrals.models import CommunityResource, Referral

AUDIT_BATCH = 1000


def ref_order(ref: str) -> tuple[int, str]:
    """P999 before P1000: numeric order for references without parsing them."""
    return (len(ref), ref)


def programme_export(*, user: User, request: HttpRequest | None = None) -> dict[str, bytes]:
    """Every programme file (name → UTF-8 CSV bytes). Refused (PermissionDenied) for anyone
    but an active administrator."""
    if not can_export_programme_data(user):
        raise PermissionDenied("Only administrators may export programme data.")
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every file, so that a participant registered halfway through
            # cannot have consultations in one file and be missing from another.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _export(user=user, request=request)


def _export(*, user: User, request: HttpRequest | None) -> dict[str, bytes]:
    rows = {
        PRACTICES.name: _practices(),
        STAFF.name: _staff(),
        RESOURCES.name: _resources(),
        PARTICIPANTS.name: _participants(),
        CONSULTATIONS.name: _consultations(),
        REFERRALS.name: _referrals(),
        ASSESSMENTS.name: _assessments(),
        STAFF_SURVEY.name: _staff_survey(),
    }
    files = {spec.name: write_csv(spec, rows[spec.name]) for spec in FILES}
    _audit(user=user, request=request, counts={name: len(items) for name, items in rows.items()})
    return files


def programme_export_zip(*, user: User, request: HttpRequest | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in programme_export(user=user, request=request).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write_csv(spec: FileSpec, rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\r\n")
    writer.writerow(spec.column_names)
    for row in rows:
        writer.writerow(
            [column.write(value) for column, value in zip(spec.columns, row, strict=True)]
        )
    return buffer.getvalue().encode(ENCODING)


def _practices() -> list[tuple]:
    return sorted(
        Practice.objects.values_list(
            "code", "name", "health_board", "deep_end", "list_size", "joined_on", "left_on"
        )
    )


def _staff() -> list[tuple]:
    """A row per person and role: programme leads; CLPs and practice managers with the
    practices they work at now; and anyone the participant data names as a CLP who holds no
    role now (as a CLP with no practice), so that the files stand on their own."""
    today = timezone.localdate()
    current: dict[tuple[int, str], list[tuple[str, Any]]] = defaultdict(list)
    for user_id, code, role, started_on, ended_on in Attachment.objects.values_list(
        "user_id", "practice__code", "role", "started_on", "ended_on"
    ):
        if ended_on is None or ended_on >= today:
            current[(user_id, role)].append((code, started_on))
    named = set(Participant.objects.values_list("clp_id", flat=True).distinct())
    named |= set(Consultation.objects.values_list("clp_id", flat=True).distinct())
    leads = set(User.objects.filter(is_programme_lead=True).values_list("pk", flat=True))
    ids = leads | named | {user_id for user_id, _ in current}
    rows: list[tuple[str, str, str, str, tuple[str, ...], date | None]] = []
    for pk, username, full_name, email, joined in User.objects.filter(pk__in=ids).values_list(
        "pk", "username", "full_name", "email", "date_joined"
    ):
        person: list[tuple[str, tuple[str, ...], date | None]] = []
        if pk in leads:
            person.append((ROLE_PROGRAMME_LEAD, (), timezone.localtime(joined).date()))
        for role in (ROLE_CLP, ROLE_PRACTICE_MANAGER):
            places = current.get((pk, role))
            if places:
                codes = tuple(sorted(code for code, _ in places))
                person.append((role, codes, min(start for _, start in places)))
        if not person:
            person.append((ROLE_CLP, (), None))
        rows.extend(
            (username, full_name, email, role, codes, start) for role, codes, start in person
        )
    return sorted(rows, key=lambda row: (row[0], ROLES.index(row[3])))


def _resources() -> list[tuple]:
    through = CommunityResource.categories.through
    categories: dict[int, list[str]] = defaultdict(list)
    for resource_id, name in through.objects.values_list("communityresource_id", "category__name"):
        categories[resource_id].append(name)
    rows = [
        (name, organisation, tuple(sorted(categories[pk])), area, postcode, phone, email, website)
        for pk, name, organisation, area, postcode, phone, email, website in (
            CommunityResource.objects.values_list(
                "pk", "name", "organisation", "area", "postcode", "phone", "email", "website"
            )
        )
    ]
    return sorted(rows, key=lambda row: (row[0], row[1]))


def _participants() -> list[tuple]:
    needs: dict[int, set[str]] = defaultdict(set)
    for participant_id, name in ParticipantNeed.objects.values_list("participant_id", "need__name"):
        needs[participant_id].add(name)
    rows = [
        (*values[:11], tuple(sorted(needs[values[-1]])), *values[11:-1])
        for values in Participant.objects.values_list(
            "ref",
            "practice__code",
            "clp__username",
            "chi",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "postcode",
            "referred_on",
            "referred_by",
            "status",
            "closed_on",
            "discharge_reason",
            "pk",
        )
    ]
    return sorted(rows, key=lambda row: ref_order(row[0]))


def _consultations() -> list[tuple]:
    rows = Consultation.objects.values_list(
        "participant__ref", "date", "clp__username", "mode", "duration_minutes", "attended"
    )
    return sorted(rows, key=lambda row: (ref_order(row[0]), *row[1:]))


def _referrals() -> list[tuple]:
    """Referrals of one person to one service on one day keep the order they were made in,
    which is the order the importer pairs them up in."""
    rows = Referral.objects.values_list(
        "participant__ref", "resource__name", "date", "status", "feedback_appropriate", "pk"
    )
    ordered = sorted(rows, key=lambda row: (ref_order(row[0]), row[2], row[1], row[5]))
    return [row[:5] for row in ordered]


def _assessments() -> list[tuple]:
    timepoints = list(Timepoint.values)
    rows = Assessment.objects.values_list(
        "participant__ref", "date", "timepoint", *ASSESSMENT_ITEM_FIELDS.values()
    )
    return sorted(rows, key=lambda row: (ref_order(row[0]), timepoints.index(row[2])))


def _staff_survey() -> list[tuple]:
    return sorted(
        StaffSurveyResponse.objects.values_list(
            "practice__code", "year", "wellbeing_activities", "give_up_within_5y"
        )
    )


def _audit(*, user: User, request: HttpRequest | None, counts: dict[str, int]) -> None:
    audit_record(
        request=request,
        user=user,
        action=Action.EXPORT,
        detail="programme data export: " + ", ".join(f"{name} {n}" for name, n in counts.items()),
    )
    address = (client_ip(request) or None) if request is not None else None
    events = (
        AuditEvent(
            user=user,
            username=user.get_username(),
            action=Action.EXPORT,
            object_type="participant",
            object_id=str(pk),
            participant_ref=ref,
            ip_address=address,
            detail="programme data export",
        )
        for pk, ref in Participant.objects.values_list("pk", "ref").iterator(chunk_size=2000)
    )
    batch: list[AuditEvent] = []
    for event in events:
        batch.append(event)
        if len(batch) >= AUDIT_BATCH:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
