"""Planning an import: every rule checked against the files and the database, and every
row classed as new, changed or unchanged, with the objects to write. Nothing is written
here: the importer takes the objects planned for a chunk of rows (`create`, `update`) and
writes them before the next chunk is planned.

Practices, staff and services are planned a whole file at a time (a directory, not
records). The other files come a chunk of rows at a time; the database rows a chunk touches
are looked up by natural key, a few queries per chunk, and what later files need of a
participant is kept as a small tuple (`Known`), not the row or the record."""

from __future__ import annotations

import operator
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any, NamedTuple, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.base import ModelState
from django.utils import timezone

from accounts.models import User
from exchange.formats import (
    ASSESSMENT_ITEM_FIELDS,
    ASSESSMENTS,
    CONSULTATIONS,
    PARTICIPANTS,
    PRACTICES,
    REFERRALS,
    RESOURCES,
    ROLE_PROGRAMME_LEAD,
    STAFF,
    STAFF_SURVEY,
    FileSpec,
)
from exchange.importer.common import FileCounts, lookup
from exchange.reading import Problems, Row
from participants.chi import normalise_chi, validate_chi
from participants.measures import apply_scores
from participants.models import (
    Assessment,
    CaseStatus,
    Consultation,
    Need,
    Participant,
    ParticipantNeed,
    SimdPostcode,
    StatusChange,
    Timepoint,
)
from participants.models.needs import DOMAIN_DATES
from participants.rules import duration_is_consistent, is_before_referral, is_in_future
from practices.models import Attachment, Practice, StaffSurveyResponse
from referrals import lifecycle
from referrals.models import Category, CommunityResource, Referral, ReferralStatusChange
from referrals.models.referral import OPEN_STATUSES

IMPORT_NOTE = "Imported from programme data"

_CHI_MESSAGES = {
    "chi_format": "must be 10 digits",
    "chi_date": "the first six digits are not a real date (DDMMYY)",
    "chi_dob_mismatch": "does not match date_of_birth",
    "chi_sex_mismatch": "the ninth digit does not match sex (odd for male, even for female)",
    "chi_check_digit": "the check digit is wrong",
}


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


M = TypeVar("M", bound=models.Model)

# What an audit event tallies for a participant, and the bits of `Planner.touched` for each.
TALLIES = ("assessments", "consultations", "details", "referrals")
_TALLY_BITS = 32
_TALLY_STEP = {what: 1 << (_TALLY_BITS * i) for i, what in enumerate(TALLIES)}


class Known(NamedTuple):
    """What the files after participants.csv need of a participant."""

    pk: int | None  # None: new, and not written (yet, or at all)
    practice_id: int | None
    clp: int | User | None  # the CLP's id, or the person when new in this import
    referred_on: date | None
    existed: bool  # in the database before this import
    usable: bool = True  # False: named only by a wrong row of participants.csv


class Planner:
    """Checks the files against each other and the database, and works out the writes."""

    def __init__(
        self, *, files: Iterable[str], today: date, problems: Problems, user: User | None
    ) -> None:
        self.today = today
        self.problems = problems
        self.user = user
        self.counts = {name: FileCounts() for name in files}
        # Database rows and new objects by natural key; new objects get their ids when
        # loaded, and the objects that point at them pick the ids up then.
        self.practices: dict[str, Practice] = {
            practice.code: practice for practice in Practice.objects.all()
        }
        self.known_practice_codes = set(self.practices)
        self.users: dict[str, User] = {}
        self.known_usernames: set[str] = set()
        self.resources: dict[str, CommunityResource] = {}
        self.ambiguous_resources: set[str] = set()
        self.known_resource_names: set[str] = set()
        self.checked_usernames: set[str] = set()
        self.checked_resource_names: set[str] = set()
        # Participants of the chunk being planned, as records; `refs` every participant the
        # files have named so far, compactly (`settle`); refs looked up and not found.
        self.participants: dict[str, Participant] = {}
        self.participant_rows: dict[str, date | None] = {}
        self.refs: dict[str, Known] = {}
        self.absent_refs: set[str] = set()
        self.new_refs: set[str] = set()
        self.needs: dict[str, int] | None = None
        # Each need's column of its domain's first day on the participant (`DOMAIN_DATES`).
        self.need_dates: dict[int, str] = {}
        # What `look_up_participants` found for the chunk about to be planned.
        self.looked_up_rows: tuple[
            dict[str, Participant], dict[str, str], dict[int, set[int]], dict[str, SimdPostcode]
        ] = ({}, {}, {}, {})
        # Existing rows of the file being planned, by participant looked up so far.
        self.looked_up: set[int] = set()
        # Writes, in loading order: records, and rows of the models in ROW_COLUMNS.
        self.create: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.rows: dict[type[models.Model], list[tuple]] = defaultdict(list)
        self.update: dict[type[models.Model], dict[int, tuple[models.Model, set[str]]]] = (
            defaultdict(dict)
        )
        self.resource_categories: dict[str, list[Category]] = {}
        self.reopened: list[Participant] = []
        self.survey_replaced: list[int] = []
        # Participants (ids) whose new follow-up assessment completes their follow-up.
        self.followup_participants: list[int] = []
        # Per participant ref, what the import wrote of the record: a count per TALLIES,
        # packed in one int (a dict of Counters costs 30 times the memory).
        self.touched: dict[str, int] = defaultdict(int)
        self.practices_touched: set[int] = set()
        self.survey_rows: dict[tuple[str, int], list[tuple[bool, bool]]] = defaultdict(list)
        self.survey_ok = True
        self._templates: dict[type[models.Model], tuple[dict, dict]] = {}
        self.seen_chis: dict = {}
        self.file_done(PRACTICES)

    # Helpers

    def touch(self, ref: str, what: str) -> None:
        self.touched[ref] += _TALLY_STEP[what]

    def tally(self, ref: str) -> dict[str, int]:
        packed, mask = self.touched[ref], (1 << _TALLY_BITS) - 1
        counts = {what: (packed >> (_TALLY_BITS * i)) & mask for i, what in enumerate(TALLIES)}
        return {what: n for what, n in counts.items() if n}

    def fail(self, spec: FileSpec, row: Row, column: str, message: str) -> None:
        row.bad.add(column)
        self.problems.add(spec, row.line, column, message)

    def new(self, model: type[M], **values: Any) -> M:
        """A new, unsaved `model(**values)`, made without running Model.__init__ for each
        (a tenth of the time, and an import makes them by the hundred thousand): a copy of
        a blank instance's fields, then `values`; a related object given by its field name
        is cached as Django does, so its id is picked up when it is saved."""
        template = self._templates.get(model)
        if template is None:
            blank = model()
            template = (
                {key: value for key, value in blank.__dict__.items() if key != "_state"},
                {f.name: f.attname for f in model._meta.concrete_fields if f.is_relation},
            )
            self._templates[model] = template
        fields, relations = template
        obj = model.__new__(model)
        state = obj.__dict__
        state.update(fields)
        state["_state"] = ModelState()
        for name, value in values.items():
            attname = relations.get(name)
            if attname is None or attname == name:
                state[name] = value
            else:
                state[attname] = None if value is None else value.pk
                obj._state.fields_cache[name] = value
        return obj

    def created(self, model: type[M]) -> list[M]:
        """The new rows of one model, typed as that model."""
        return cast(list[M], self.create[model])

    def count(self, spec: FileSpec, outcome: str, n: int = 1) -> None:
        counts = self.counts[spec.name]
        setattr(counts, outcome, getattr(counts, outcome) + n)

    def changed(self, obj: models.Model, fields: Iterable[str]) -> None:
        """Save `fields` of `obj` when loading (with the model's bookkeeping fields)."""
        _, known = self.update[type(obj)].setdefault(id(obj), (obj, set()))
        known.update(fields)

    def not_in_future(self, spec: FileSpec, row: Row, column: str) -> None:
        if is_in_future(row.get(column), today=self.today):
            self.fail(spec, row, column, "is in the future")

    def unique(self, spec: FileSpec, row: Row, seen: dict, key, column: str, what: str) -> bool:
        if key in seen:
            self.fail(spec, row, column, f"{what} is on line {seen[key]}")
            return False
        seen[key] = row.line
        return True

    def look_up(self, spec: FileSpec, rows: list[Row]) -> None:
        """Look up the database rows a chunk of `spec`'s rows names, before it is planned.

        The importer looks up a chunk while the chunk planned before it is still being
        written (`exchange.importer._plan_file`), so that writing and planning overlap: what
        is looked up is what the database held before the import (rows of participants no
        earlier chunk named), which that write does not change. Practices, staff and
        services, planned a whole file at once, look theirs up as they are planned."""
        lookups = {
            PARTICIPANTS: self.look_up_participants,
            CONSULTATIONS: self.look_up_consultations,
            REFERRALS: self.look_up_referrals,
            ASSESSMENTS: self.look_up_assessments,
        }
        if spec in lookups:
            lookups[spec](rows)

    def plan(self, spec: FileSpec, rows: list[Row]) -> None:
        """Plan a chunk of `spec`'s rows (the whole file for practices, staff and services),
        looked up first (`look_up`)."""
        planners = {
            PRACTICES: self.plan_practices,
            STAFF: self.plan_staff,
            RESOURCES: self.plan_resources,
            PARTICIPANTS: self.plan_participants,
            CONSULTATIONS: self.plan_consultations,
            REFERRALS: self.plan_referrals,
            ASSESSMENTS: self.plan_assessments,
            STAFF_SURVEY: self.plan_staff_survey,
        }
        planners[spec](rows)

    def file_done(self, spec: FileSpec) -> None:
        """The file's last chunk is planned (and written): what it kept goes."""
        self.looked_up = set()
        self.stored_consultations: Counter = Counter()
        self.stored_referrals: dict[tuple, deque[Referral]] = defaultdict(deque)
        self.first_open: dict[tuple[str, str], int] = {}
        self.stored_assessments: dict[tuple[int | None, str], Assessment] = {}
        self.seen: dict = {}
        if spec is PARTICIPANTS:
            self.seen_chis = {}
        if spec is STAFF_SURVEY:
            self.plan_staff_survey_sets()

    def forget_writes(self) -> None:
        """The writes planned are written, or will not be (checking only, or a problem found):
        a chunk's rows are not kept past it."""
        self.create.clear()
        self.rows.clear()
        self.update.clear()
        self.survey_replaced = []
        self.resource_categories = {}

    def settle(self) -> None:
        """After a chunk is written (or not, when only checking): its participants are kept
        as `Known` tuples, with their ids if written."""
        for ref, participant in self.participants.items():
            clp = participant.clp_id if participant.clp_id is not None else participant.clp
            new = ref in self.new_refs
            if new and participant.practice_id is not None:
                self.practices_touched.add(participant.practice_id)
            self.refs[ref] = Known(
                pk=participant.pk,
                practice_id=participant.practice_id,
                clp=clp,
                referred_on=self.participant_rows.get(ref, participant.referred_on),
                existed=not new,
            )
        for ref, referred_on in self.participant_rows.items():
            if ref not in self.participants:
                self.refs[ref] = Known(None, None, None, referred_on, False, usable=False)
        self.participants, self.participant_rows, self.new_refs = {}, {}, set()

    def known(self, refs: Iterable[str]) -> None:
        """Look up the participants `refs` name that no file has named before."""
        wanted = {ref for ref in refs if ref not in self.refs and ref not in self.absent_refs}
        if not wanted:
            return
        found = lookup(
            Participant.objects.values_list("ref", "pk", "practice_id", "clp_id", "referred_on"),
            "ref",
            wanted,
        )
        for ref, pk, practice_id, clp_id, referred_on in found:
            self.refs[ref] = Known(pk, practice_id, clp_id, referred_on, existed=True)
        self.absent_refs |= wanted - set(self.refs)

    def known_users(self, usernames: Iterable[str | None]) -> None:
        """Look up the people `usernames` name that no file has named before."""
        wanted = {name for name in usernames if name} - self.checked_usernames
        if not wanted:
            return
        self.checked_usernames |= wanted
        for user in lookup(User.objects, "username", wanted):
            self.users.setdefault(user.username, user)
            self.known_usernames.add(user.username)

    def known_resources(self, names: Iterable[str | None]) -> None:
        """Look up the services `names` name that no file has named before."""
        wanted = {name for name in names if name} - self.checked_resource_names
        if not wanted:
            return
        self.checked_resource_names |= wanted
        found: dict[str, list[CommunityResource]] = defaultdict(list)
        for resource in lookup(CommunityResource.objects, "name", wanted):
            found[resource.name].append(resource)
        for name, items in found.items():
            if len(items) == 1:
                self.resources.setdefault(name, items[0])
            else:
                self.ambiguous_resources.add(name)
            self.known_resource_names.add(name)

    # practices.csv

    def plan_practices(self, rows: list[Row]) -> None:
        spec, seen = PRACTICES, cast(dict[str, int], {})
        for row in rows:
            code = row.get("code")
            if code:
                self.known_practice_codes.add(code)
                self.unique(spec, row, seen, code, "code", "the same code")
            joined, left = row.get("joined"), row.get("left")
            if joined and left and left < joined:
                self.fail(spec, row, "left", "is before joined")
            if not row.ok:
                continue
            values = {
                "name": row["name"],
                "health_board": row["health_board"],
                "deep_end": row["deep_end"],
                "list_size": row["list_size"],
                "joined_on": joined,
                "left_on": left,
            }
            self._upsert(spec, Practice, self.practices, row["code"], {"code": code}, values)

    def _upsert(
        self,
        spec: FileSpec,
        model: type[models.Model],
        index: dict,
        key: str,
        identity: dict[str, Any],
        values: dict[str, Any],
        extra_change: bool = False,
    ) -> models.Model:
        existing = index.get(key)
        if existing is None:
            obj = model(**identity, **values)
            index[key] = obj
            self.create[model].append(obj)
            self.count(spec, "new")
            return obj
        differs = [name for name, value in values.items() if getattr(existing, name) != value]
        for name in differs:
            setattr(existing, name, values[name])
        if differs:
            self.changed(existing, differs)
        self.count(spec, "changed" if differs or extra_change else "unchanged")
        return existing

    # staff.csv

    def plan_staff(self, rows: list[Row]) -> None:
        spec = STAFF
        self.known_users(row.get("username") for row in rows)
        attachments: dict[tuple[int, str], list[Attachment]] = defaultdict(list)
        staff_user_ids = [
            self.users[row["username"]].pk for row in rows if row.get("username") in self.users
        ]
        for attachment in lookup(Attachment.objects, "user_id", staff_user_ids):
            attachments[(attachment.user_id, attachment.role)].append(attachment)

        by_username: dict[str, list[Row]] = defaultdict(list)
        seen: dict = {}
        for row in rows:
            username, role = row.get("username"), row.get("role")
            if username:
                self.known_usernames.add(username)
                first = by_username[username][0] if by_username[username] else None
                by_username[username].append(row)
                if role:
                    self.unique(
                        spec, row, seen, (username, role), "role", "this person's row in this role"
                    )
                if first is not None:
                    for column in ("full_name", "email"):
                        if column in row and column in first and row[column] != first[column]:
                            self.fail(
                                spec,
                                row,
                                column,
                                f"differs from line {first.line}, a row for the same username",
                            )
            self._check_staff_row(row)

        for username, rows in by_username.items():
            codes = {code for row in rows for code in row.get("practice_codes") or ()}
            # A practice whose own row is wrong is reported there; nothing is planned here.
            if all(row.ok for row in rows) and codes <= set(self.practices):
                self._plan_person(username, rows, attachments)

    def _check_staff_row(self, row: Row) -> None:
        spec = STAFF
        role, codes = row.get("role"), row.get("practice_codes")
        start = row.get("start_date")
        if codes:
            for position, code in enumerate(codes, start=1):
                if code not in self.known_practice_codes:
                    self.fail(
                        spec, row, "practice_codes", f"item {position} is not a known practice code"
                    )
        if role == ROLE_PROGRAMME_LEAD:
            if codes:
                self.fail(spec, row, "practice_codes", "must be blank for a programme lead")
            elif "start_date" in row and start is None:
                self.fail(spec, row, "start_date", "is required for a programme lead")
        elif role and "practice_codes" in row and "start_date" in row:
            if codes and start is None:
                self.fail(spec, row, "start_date", "is required when practice_codes is filled in")
            if not codes and start is not None:
                self.fail(spec, row, "start_date", "must be blank when practice_codes is blank")

    def _plan_person(
        self, username: str, rows: list[Row], attachments: dict[tuple[int, str], list]
    ) -> None:
        spec = STAFF
        lead_row = next((row for row in rows if row["role"] == ROLE_PROGRAMME_LEAD), None)
        user = self.users.get(username)
        if user is None:
            starts = [row["start_date"] for row in rows if row["start_date"]]
            first_day = lead_row["start_date"] if lead_row else min(starts, default=None)
            user = User(
                username=username,
                full_name=rows[0]["full_name"],
                email=rows[0]["email"],
                is_programme_lead=lead_row is not None,
                date_joined=_local_midnight(first_day) if first_day else timezone.now(),
            )
            # People set their own password through a reset; nobody knows one meanwhile.
            user.set_unusable_password()
            self.users[username] = user
            self.create[User].append(user)
            person_changed = False
        else:
            values: dict[str, Any] = {"full_name": rows[0]["full_name"], "email": rows[0]["email"]}
            if lead_row is not None:
                values["is_programme_lead"] = True
                if timezone.localtime(user.date_joined).date() != lead_row["start_date"]:
                    values["date_joined"] = _local_midnight(lead_row["start_date"])
            differs = [name for name, value in values.items() if getattr(user, name) != value]
            for name in differs:
                setattr(user, name, values[name])
            person_changed = bool(differs)
            if differs:
                self.changed(user, differs)
        for row in rows:
            role_changed = False
            if row["role"] != ROLE_PROGRAMME_LEAD:
                existing = attachments.get((user.pk, row["role"]), []) if user.pk else []
                role_changed = self._plan_attachments(user, row, existing)
            if user.pk is None:
                self.count(spec, "new")
            else:
                self.count(spec, "changed" if person_changed or role_changed else "unchanged")

    def _plan_attachments(self, user: User, row: Row, existing: list[Attachment]) -> bool:
        """practice_codes lists where the person works in this role now: attachments are made
        or reopened for those, and ended (yesterday) elsewhere. None is deleted.

        start_date is when the person started in the role: the earliest start of those
        attachments, which is what the export writes. Attachments keep their own dates while
        it agrees; when it differs, all of them move to it."""
        # Filled in whenever practice_codes is (checked as the file was read), so every
        # attachment below has it.
        start: date = row["start_date"]
        wanted = [self.practices[code] for code in row["practice_codes"]]
        by_practice = {attachment.practice_id: attachment for attachment in existing}
        current = [
            attachment
            for practice in wanted
            if (attachment := by_practice.get(practice.pk)) is not None
            and not _ended(attachment, self.today)
        ]
        moved = min((a.started_on for a in current), default=start) != start
        changed = False
        for practice in wanted:
            attachment = by_practice.get(practice.pk) if practice.pk else None
            if attachment is None:
                self.create[Attachment].append(
                    Attachment(user=user, practice=practice, role=row["role"], started_on=start)
                )
                changed = True
            elif _ended(attachment, self.today):
                attachment.ended_on, attachment.started_on = None, start
                self.changed(attachment, ["ended_on", "started_on"])
                changed = True
            elif moved and attachment.started_on != start:
                attachment.started_on = start
                self.changed(attachment, ["started_on"])
                changed = True
        wanted_ids = {practice.pk for practice in wanted}
        for attachment in existing:
            if not _ended(attachment, self.today) and attachment.practice_id not in wanted_ids:
                attachment.ended_on = self.today - timedelta(days=1)
                self.changed(attachment, ["ended_on"])
                changed = True
        return changed

    # resources.csv

    def plan_resources(self, rows: list[Row]) -> None:
        spec = RESOURCES
        self.known_resources(row.get("name") for row in rows)
        categories = {category.name: category for category in Category.objects.all()}
        through = CommunityResource.categories.through
        current: dict[int, set[int]] = defaultdict(set)
        for resource_id, category_id in lookup(
            through.objects.values_list("communityresource_id", "category_id"),
            "communityresource_id",
            [resource.pk for resource in self.resources.values()],
        ):
            current[resource_id].add(category_id)

        seen: dict = {}
        needs_user_reported = False
        for row in rows:
            name = row.get("name")
            if name:
                self.known_resource_names.add(name)
                self.unique(spec, row, seen, name, "name", "the same name")
                if name in self.ambiguous_resources:
                    self.fail(
                        spec,
                        row,
                        "name",
                        "more than one service in the directory has this name: "
                        "rename one of them there first",
                    )
            for position, category in enumerate(row.get("categories") or (), start=1):
                if category not in categories:
                    self.fail(
                        spec, row, "categories", f"item {position} is not a resource category"
                    )
            if not row.ok:
                continue
            wanted = [categories[category] for category in row["categories"]]
            existing = self.resources.get(name)
            categories_differ = existing is not None and current[existing.pk] != {
                category.pk for category in wanted
            }
            if existing is None and self.user is None:
                if not needs_user_reported:
                    self.fail(
                        spec,
                        row,
                        "name",
                        "new services are recorded as added by the person importing them: "
                        "name that person (import_programme --user USERNAME)",
                    )
                    needs_user_reported = True
                continue
            values = {
                "organisation": row["organisation"],
                "area": row["area"],
                "postcode": row["postcode"],
                "phone": row["phone"],
                "email": row["email"],
                "website": row["website"],
            }
            # What the file does not carry (description, how to refer) is filled in later
            # in the directory.
            identity = {"name": name, "created_by": self.user} if existing is None else {}
            resource = self._upsert(
                spec,
                CommunityResource,
                self.resources,
                name,
                identity,
                values,
                extra_change=categories_differ,
            )
            if existing is None or categories_differ:
                self.resource_categories[name] = wanted
                if existing is not None:
                    self.changed(resource, ["updated_at"])

    # participants.csv

    def look_up_participants(self, rows: list[Row]) -> None:
        # The chunk planned last is not written yet: its refs are known all the same.
        refs = {row["ref"] for row in rows if row.get("ref")}
        refs -= self.refs.keys() | self.participants.keys() | self.participant_rows.keys()
        found = {p.ref: p for p in lookup(Participant.objects, "ref", refs)}
        self.known_users(row.get("clp_username") for row in rows)
        chis = {normalise_chi(row["chi"]) for row in rows if row.get("chi")}
        chi_owner = dict(lookup(Participant.objects.values_list("chi", "ref"), "chi", chis))
        for chi, owner in list(chi_owner.items()):
            # A participant of the chunk not written yet whose CHI number that chunk changes
            # no longer holds the one the database still gives them.
            pending = self.participants.get(owner)
            if pending is not None and pending.chi != chi:
                del chi_owner[chi]
        if self.needs is None:
            self.needs = {}
            for name, pk, domain in Need.objects.values_list("name", "pk", "domain"):
                self.needs[name] = pk
                self.need_dates[pk] = DOMAIN_DATES[domain]
        recorded: dict[int, set[int]] = defaultdict(set)
        for participant_id, need_id in lookup(
            ParticipantNeed.objects.values_list("participant_id", "need_id"),
            "participant_id",
            [p.pk for p in found.values()],
        ):
            recorded[participant_id].add(need_id)
        postcodes = {row.get("postcode") for row in rows} - {None, ""}
        simd = {row.pk: row for row in lookup(SimdPostcode.objects, "postcode", postcodes)}
        self.looked_up_rows = (found, chi_owner, recorded, simd)

    def plan_participants(self, rows: list[Row]) -> None:
        spec = PARTICIPANTS
        self.participants, chi_owner, recorded, simd = self.looked_up_rows
        needs = cast(dict[str, int], self.needs)
        for row in rows:
            ref = row.get("ref")
            if ref and self.unique(spec, row, self.seen, ref, "ref", "the same ref"):
                self.participant_rows[ref] = row.get("referred_on")
            self._check_participant(row, self.seen_chis, chi_owner, needs)
            if not row.ok:
                continue
            self._plan_participant(row, needs, recorded, simd)

    def _check_participant(
        self, row: Row, seen_chis: dict, chi_owner: dict[str, str], needs: dict[str, int]
    ) -> None:
        spec = PARTICIPANTS
        if row.get("practice_code") and row["practice_code"] not in self.known_practice_codes:
            self.fail(spec, row, "practice_code", "is not a known practice code")
        if row.get("clp_username") and row["clp_username"] not in self.known_usernames:
            self.fail(spec, row, "clp_username", "is not a known username")
        if row.get("chi"):
            try:
                chi = validate_chi(
                    row["chi"],
                    date_of_birth=row.get("date_of_birth"),
                    sex=row.get("sex"),
                )
            except ValidationError as error:
                self.fail(spec, row, "chi", _CHI_MESSAGES.get(error.code or "", "is not valid"))
            else:
                row["chi"] = chi
                if self.unique(spec, row, seen_chis, chi, "chi", "the same CHI number"):
                    owner = chi_owner.get(chi)
                    if owner is not None and owner != row.get("ref"):
                        self.fail(spec, row, "chi", f"is already registered to {owner}")
        for column in ("date_of_birth", "referred_on", "closed_on"):
            self.not_in_future(spec, row, column)
        born, referred = row.get("date_of_birth"), row.get("referred_on")
        if born and referred and born > referred:
            self.fail(spec, row, "date_of_birth", "is after referred_on")
        status = row.get("status")
        closed_on, reason = row.get("closed_on"), row.get("discharge_reason")
        if status == CaseStatus.OPEN:
            if closed_on is not None:
                self.fail(spec, row, "closed_on", "must be blank when status is open")
            if reason:
                self.fail(spec, row, "discharge_reason", "must be blank when status is open")
        elif status == CaseStatus.CLOSED:
            if "closed_on" in row and closed_on is None:
                self.fail(spec, row, "closed_on", "is required when status is closed")
            if "discharge_reason" in row and not reason:
                self.fail(spec, row, "discharge_reason", "is required when status is closed")
            if closed_on and referred and closed_on < referred:
                self.fail(spec, row, "closed_on", "is before referred_on")
        for position, need in enumerate(row.get("needs") or (), start=1):
            if need not in needs:
                self.fail(spec, row, "needs", f"item {position} is not on the needs list")

    def _plan_participant(
        self,
        row: Row,
        needs: dict[str, int],
        recorded: dict[int, set[int]],
        simd: dict[str, SimdPostcode],
    ) -> None:
        spec = PARTICIPANTS
        ref = row["ref"]
        clp = self.users.get(row["clp_username"])
        practice = self.practices.get(row["practice_code"])
        if clp is None or practice is None:
            return  # the staff or practice row is wrong, and reported there
        lookup = simd.get(row["postcode"])
        # Deprivation follows from the postcode; an unknown postcode leaves it unknown.
        values = {
            "chi": row["chi"],
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "date_of_birth": row["date_of_birth"],
            "sex": row["sex"],
            "postcode": row["postcode"],
            "simd_data_zone": lookup.data_zone if lookup else "",
            "simd_decile": lookup.decile if lookup else None,
            "simd_quintile": lookup.quintile if lookup else None,
            "referred_on": row["referred_on"],
            "referred_by": row["referred_by"],
            "status": row["status"],
            "closed_on": row["closed_on"],
            "discharge_reason": row["discharge_reason"],
        }
        existing = self.participants.get(ref)
        if existing is None:
            participant = self.new(Participant, ref=ref, practice=practice, clp=clp, **values)
            self.participants[ref] = participant
            self.new_refs.add(ref)
            self.create[Participant].append(participant)
            self.count(spec, "new")
            self.touch(ref, "details")
            missing = [needs[name] for name in row["needs"]]
            # Its needs are all identified on its referral date: the first day of a need in
            # each of their domains is written with the participant, which the needs' COPY
            # then leaves alone (`loading._need_domains_recount` is for the others).
            for need_id in missing:
                setattr(participant, self.need_dates[need_id], participant.referred_on)
            if participant.status == CaseStatus.CLOSED:
                self._status_change(participant)
        else:
            participant = existing
            was_status = existing.status
            differs = [name for name, value in values.items() if getattr(existing, name) != value]
            for name in differs:
                setattr(existing, name, values[name])
            if existing.practice_id != practice.pk:
                existing.practice = practice
                differs.append("practice")
            if existing.clp_id != clp.pk:
                existing.clp = clp
                differs.append("clp")
            have = recorded.get(existing.pk, set())
            missing = [needs[name] for name in row["needs"] if needs[name] not in have]
            if differs:
                # Someone with the record open in a form is told it changed under them.
                existing.version += 1
                self.changed(existing, [*differs, "version"])
            if differs or missing:
                self.count(spec, "changed")
                self.touch(ref, "details")
            else:
                self.count(spec, "unchanged")
            if existing.status != was_status:
                self._status_change(existing)
                if existing.status == CaseStatus.OPEN:
                    self.reopened.append(existing)
        recorded_by = _clp_id(participant)
        for need_id in missing:
            self.rows[ParticipantNeed].append(
                (participant, need_id, participant.referred_on, recorded_by)
            )

    def _status_change(self, participant: Participant) -> None:
        closed = participant.status == CaseStatus.CLOSED
        self.rows[StatusChange].append(
            (
                participant,
                participant.status,
                (participant.closed_on or self.today) if closed else self.today,
                participant.discharge_reason,
                IMPORT_NOTE,
                _clp_id(participant),
            )
        )

    def check_participant_ref(self, spec: FileSpec, row: Row) -> Known | None:
        """The participant a row of another file is about, if known and planned; checks the
        row's date against their referral date."""
        ref = row.get("participant_ref")
        known = self.refs.get(ref) if ref else None
        if ref and known is None:
            self.fail(spec, row, "participant_ref", "is not a known participant ref")
            return None
        self.not_in_future(spec, row, "date")
        referred = known.referred_on if known else None
        day = row.get("date")
        if is_before_referral(day, referred):
            self.fail(spec, row, "date", "is before the participant's referred_on date")
        return known if known is not None and known.usable else None

    def _refs(self, rows: list[Row]) -> set[str]:
        refs = {row["participant_ref"] for row in rows if row.get("participant_ref")}
        self.known(refs)
        return refs

    def _to_look_up(self, rows: list[Row]) -> set[int]:
        """The participants (ids) of `rows` in the database before the import whose existing
        rows of this file have not been looked up yet."""
        ids = set()
        for ref in self._refs(rows):
            known = self.refs.get(ref)
            if known is not None and known.existed and known.pk is not None:
                ids.add(known.pk)
        ids -= self.looked_up
        self.looked_up |= ids
        return ids

    # consultations.csv

    def look_up_consultations(self, rows: list[Row]) -> None:
        self.known_users(row.get("clp_username") for row in rows)
        self.stored_consultations.update(
            lookup(
                Consultation.objects.values_list(
                    "participant_id", "date", "clp_id", "mode", "duration_minutes", "attended"
                ),
                "participant_id",
                self._to_look_up(rows),
            )
        )

    def plan_consultations(self, rows: list[Row]) -> None:
        spec = CONSULTATIONS
        existing = self.stored_consultations
        new, touched, practices = self.rows[Consultation], self.touched, self.practices_touched
        planned, step = len(new), _TALLY_STEP["consultations"]
        for row in rows:
            participant = self.check_participant_ref(spec, row)
            if row.get("clp_username") and row["clp_username"] not in self.known_usernames:
                self.fail(spec, row, "clp_username", "is not a known username")
            if not duration_is_consistent(
                attended=row.get("attended"),
                duration_minutes=row.get("duration_minutes"),
            ):
                self.fail(spec, row, "duration_minutes", "must be 0 when attended is no")
            if not row.ok:
                continue
            clp = self.users.get(row["clp_username"])
            if participant is None or clp is None:
                continue  # the participant's or person's own row is wrong, and reported there
            if participant.existed and clp.pk:
                key = (
                    participant.pk,
                    row["date"],
                    clp.pk,
                    row["mode"],
                    row["duration_minutes"],
                    row["attended"],
                )
                if existing[key] > 0:
                    existing[key] -= 1
                    self.count(spec, "unchanged")
                    continue
            new.append(
                (
                    participant.pk,
                    clp.pk,
                    row["date"],
                    row["mode"],
                    row["duration_minutes"],
                    row["attended"],
                    # The database's trigger sets them too, but a bulk import's COPY leaves
                    # the trigger out (loading._copy_rows).
                    participant.practice_id,
                    _clp_id(participant),
                )
            )
            touched[row["participant_ref"]] += step
            if participant.practice_id is not None:
                practices.add(participant.practice_id)
        # Counted once a chunk: a file has a few hundred thousand.
        self.count(spec, "new", len(new) - planned)

    # referrals.csv

    def look_up_referrals(self, rows: list[Row]) -> None:
        self.known_resources(row.get("resource_name") for row in rows)
        stored = self.stored_referrals
        for referral in sorted(
            lookup(Referral.objects, "participant_id", self._to_look_up(rows)), key=_pk
        ):
            stored[(referral.participant_id, referral.resource_id, referral.date)].append(referral)

    def plan_referrals(self, rows: list[Row]) -> None:
        spec = REFERRALS
        stored = self.stored_referrals
        outcomes: list[tuple[int, Row, str, Known, CommunityResource]] = []
        for row in rows:
            participant = self.check_participant_ref(spec, row)
            name = row.get("resource_name")
            if name and name not in self.known_resource_names:
                self.fail(spec, row, "resource_name", "is not a service in the file or directory")
            elif name in self.ambiguous_resources:
                self.fail(
                    spec,
                    row,
                    "resource_name",
                    "more than one service in the directory has this name: "
                    "rename one of them there first",
                )
            if not row.ok:
                continue
            resource = self.resources.get(name)
            if participant is None or resource is None:
                continue  # the participant's or service's own row is wrong, and reported there
            queue = stored.get((participant.pk, resource.pk, row["date"]))
            # Referrals of one person to one service on one day pair up in the order made.
            existed = participant.existed and resource.pk
            referral = queue.popleft() if existed and queue else None
            status = self._plan_referral(row, participant, resource, referral)
            outcomes.append((row.line, row, status, participant, resource))
        self._check_open_referrals(outcomes, stored)

    def _plan_referral(
        self,
        row: Row,
        participant: Known,
        resource: CommunityResource,
        referral: Referral | None,
    ) -> str:
        spec = REFERRALS
        ref = row["participant_ref"]
        status, appropriate = row["status"], row["appropriate"]
        if referral is None:
            on = row["date"]
            referral = self.new(
                Referral,
                participant_id=participant.pk,
                # The database's trigger sets it too, but a bulk import's COPY leaves the
                # trigger out (loading._copy).
                practice_id=participant.practice_id,
                resource=resource,
                date=on,
                status=status,
                status_on=on,
                feedback_appropriate=appropriate,
                # Whether it was appropriate is the organisation's answer.
                feedback_at=timezone.now() if appropriate is not None else None,
                **_by(participant, "clp"),
            )
            for milestone in lifecycle.milestones_for(status):
                setattr(referral, milestone, on)
            self.create[Referral].append(referral)
            self._referral_change(referral, participant, on)
            self.count(spec, "new")
            self.touch(ref, "referrals")
            if participant.practice_id is not None:
                self.practices_touched.add(participant.practice_id)
            return status
        differs: list[str] = []
        if referral.status != status:
            referral.status, referral.status_on = status, max(self.today, referral.date)
            differs += ["status", "status_on"]
            for milestone in lifecycle.milestones_for(status):
                if getattr(referral, milestone) is None:
                    setattr(referral, milestone, referral.status_on)
                    differs.append(milestone)
            self._referral_change(referral, participant, referral.status_on)
        if referral.feedback_appropriate != appropriate:
            referral.feedback_appropriate = appropriate
            differs.append("feedback_appropriate")
            if appropriate is not None and referral.feedback_at is None:
                referral.feedback_at = timezone.now()
                differs.append("feedback_at")
        if differs:
            self.changed(referral, differs)
            self.touch(ref, "referrals")
        self.count(spec, "changed" if differs else "unchanged")
        return referral.status

    def _referral_change(self, referral: Referral, participant: Known, on: date) -> None:
        self.rows[ReferralStatusChange].append(
            (referral, referral.status, on, IMPORT_NOTE, _clp_id(participant))
        )

    def _check_open_referrals(
        self,
        outcomes: list[tuple[int, Row, str, Known, CommunityResource]],
        stored: dict[tuple, deque[Referral]],
    ) -> None:
        """One open referral per person and service, counting what the database keeps
        (checked a chunk at a time, before the chunk is written)."""
        spec = REFERRALS
        open_in_database = {
            (participant_id, resource_id)
            for (participant_id, resource_id, _), queue in stored.items()
            for referral in queue
            if referral.status in OPEN_STATUSES
        }
        first_open = self.first_open
        for line, row, status, participant, resource in outcomes:
            if status not in OPEN_STATUSES:
                continue
            if participant.existed and (participant.pk, resource.pk) in open_in_database:
                self.fail(
                    spec,
                    row,
                    "status",
                    "the participant already has another open referral to this service: "
                    "close one of them",
                )
                continue
            key = (row["participant_ref"], resource.name)
            if key in first_open:
                self.fail(
                    spec,
                    row,
                    "status",
                    f"line {first_open[key]} is also an open referral of this participant "
                    "to this service",
                )
            else:
                first_open[key] = line

    # assessments.csv

    def look_up_assessments(self, rows: list[Row]) -> None:
        self.stored_assessments.update(
            {
                (assessment.participant_id, assessment.timepoint): assessment
                for assessment in lookup(
                    Assessment.objects, "participant_id", self._to_look_up(rows)
                )
            }
        )

    def plan_assessments(self, rows: list[Row]) -> None:
        spec = ASSESSMENTS
        stored = self.stored_assessments
        for row in rows:
            participant = self.check_participant_ref(spec, row)
            ref, timepoint = row.get("participant_ref"), row.get("timepoint")
            if ref and timepoint:
                label = Timepoint(timepoint).label.lower()
                self.unique(
                    spec,
                    row,
                    self.seen,
                    (ref, timepoint),
                    "timepoint",
                    f"this participant's {label}",
                )
            if not row.ok or participant is None:
                continue
            values = dict(zip(_ITEM_FIELDS, _item_cells(row), strict=True))
            values["date"] = row["date"]
            existing = stored.get((participant.pk, timepoint)) if participant.existed else None
            if existing is None:
                # Scored as a record would be, on its values alone.
                scored = SimpleNamespace(**values)
                apply_scores(cast(Assessment, scored))
                self.rows[Assessment].append(
                    (
                        participant.pk,
                        timepoint,
                        _clp_id(participant),
                        *operator.itemgetter(*_ASSESSMENT_VALUES)(scored.__dict__),
                    )
                )
                if timepoint == Timepoint.FOLLOW_UP and participant.pk is not None:
                    self.followup_participants.append(participant.pk)
                self.count(spec, "new")
                self.touch(ref, "assessments")
                continue
            differs = [name for name, value in values.items() if getattr(existing, name) != value]
            for name in differs:
                setattr(existing, name, values[name])
            if differs:
                # Scores are computed from the items, never imported.
                self.changed(existing, [*differs, *apply_scores(existing)])
                self.touch(ref, "assessments")
            self.count(spec, "changed" if differs else "unchanged")

    # staff_survey.csv

    def plan_staff_survey(self, rows: list[Row]) -> None:
        """Checked a chunk at a time; the answers are kept (two yes/no a row) until the
        whole file is read, as a practice-year's set is replaced whole."""
        spec = STAFF_SURVEY
        for row in rows:
            code = row.get("practice_code")
            if code and code not in self.known_practice_codes:
                self.fail(spec, row, "practice_code", "is not a known practice code")
            if not row.ok or row["practice_code"] not in self.practices:
                self.survey_ok = False
            if self.survey_ok:
                self.survey_rows[(row["practice_code"], row["year"])].append(
                    _ANSWERS[(row["wellbeing_activities"], row["give_up_within_5y"])]
                )

    def plan_staff_survey_sets(self) -> None:
        """Answers are anonymous: a practice-year in the file is that practice-year's whole
        set, replaced only when the answers differ."""
        spec = STAFF_SURVEY
        groups, self.survey_rows = self.survey_rows, defaultdict(list)
        if not self.survey_ok or not groups:
            return
        practice_ids = {self.practices[code].pk for code, _ in groups if self.practices[code].pk}
        stored: dict[tuple[int, int], Counter] = defaultdict(Counter)
        stored_ids: dict[tuple[int, int], list[int]] = defaultdict(list)
        for pk, practice_id, year, wellbeing, give_up in lookup(
            StaffSurveyResponse.objects.values_list(
                "pk", "practice_id", "year", "wellbeing_activities", "give_up_within_5y"
            ),
            "practice_id",
            practice_ids,
        ):
            stored[(practice_id, year)][(wellbeing, give_up)] += 1
            stored_ids[(practice_id, year)].append(pk)
        for (code, year), group in groups.items():
            practice = self.practices[code]
            answers = Counter(group)
            key = (practice.pk, year)
            before = stored.get(key) if practice.pk else None
            if before == answers:
                self.count(spec, "unchanged", len(group))
                continue
            self.count(spec, "changed" if before else "new", len(group))
            if before:
                self.survey_replaced.extend(stored_ids[key])
            self.rows[StaffSurveyResponse].extend(
                (practice.pk, year, wellbeing, give_up) for wellbeing, give_up in group
            )


# An assessment row's item cells, and the fields they fill.
_item_cells = operator.itemgetter(*ASSESSMENT_ITEM_FIELDS)
_ITEM_FIELDS = tuple(ASSESSMENT_ITEM_FIELDS.values())

# The assessment's values after its participant, timepoint and recorder, in `ROW_COLUMNS`.
_ASSESSMENT_VALUES = (
    "date",
    *ASSESSMENT_ITEM_FIELDS.values(),
    "hads_anxiety",
    "hads_depression",
    "wemwbs_total",
    "swemwbs",
    "eq5d_index",
)

# The new rows of the models no new row points at are made as tuples of these columns, in
# this order, never as records: an import makes them by the hundred thousand, and a record
# costs ten times a tuple to make and again to write. The other columns are the model's
# defaults (and the import's time for its stamps), as a new record's would be. A cell may
# hold a new participant or referral instead of its id, which it has once written.
ROW_COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    ParticipantNeed: ("participant_id", "need_id", "identified_on", "recorded_by_id"),
    StatusChange: ("participant_id", "status", "on", "discharge_reason", "note", "by_id"),
    Consultation: (
        "participant_id",
        "clp_id",
        "date",
        "mode",
        "duration_minutes",
        "attended",
        "practice_id",
        "caseload_clp_id",
    ),
    ReferralStatusChange: ("referral_id", "status", "on", "note", "by_id"),
    Assessment: ("participant_id", "timepoint", "recorded_by_id", *_ASSESSMENT_VALUES),
    StaffSurveyResponse: ("practice_id", "year", "wellbeing_activities", "give_up_within_5y"),
}

# The four answers of a staff survey row, shared: a file of them keeps one pointer a row.
_ANSWERS = {(a, b): (a, b) for a in (True, False) for b in (True, False)}


def _ended(attachment: Attachment, today: date) -> bool:
    return attachment.ended_on is not None and attachment.ended_on < today


def _pk(obj: models.Model) -> int:
    return obj.pk


def _clp_id(participant: Participant | Known) -> int | None:
    """The participant's CLP's id. A person new in this import has one once the staff are
    written, before any participant is planned; only when checking can it be None."""
    if isinstance(participant, Known):
        clp = participant.clp
        return clp.pk if isinstance(clp, User) else clp
    if participant.clp_id is not None:
        return participant.clp_id
    person = participant._state.fields_cache.get("clp")
    return person.pk if person is not None else None


def _by(participant: Participant | Known, field_name: str) -> dict[str, Any]:
    """The participant's CLP for a `field_name` foreign key, by id when it has one (loading
    the user would be a query a row); a CLP new in this import is still an object."""
    if isinstance(participant, Known):
        clp = participant.clp
        if clp is None or isinstance(clp, int):
            return {f"{field_name}_id": clp}
        return {field_name: clp}
    if participant.clp_id is not None:
        return {f"{field_name}_id": participant.clp_id}
    return {field_name: participant.clp}
