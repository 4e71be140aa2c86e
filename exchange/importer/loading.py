"""Loading a planned import: bulk inserts and updates in dependency order, then the
follow-ups, the reference counter and the audit trail. Runs inside the caller's transaction,
so a failure anywhere leaves nothing behind.

On PostgreSQL the new rows of the big tables go in by COPY, ids reserved from their
sequences first (so the objects that point at them know them): preparing each value through
the ORM cost more than the database's own work. A large import also switches off, within its
transaction, the triggers that keep the dashboards' running counts (a row written a record)
and recounts the practices it touched once at the end (`reports.figures`), and, where the
database lets it, checks the foreign keys of what it copies itself, a set of keys a batch,
instead of PostgreSQL's check a row (`_copy`).
"""

from __future__ import annotations

import bisect
import csv
import io
import operator
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from datetime import date, datetime
from itertools import islice
from typing import Any, TypeVar, cast

from django.db import IntegrityError, connection, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from audit.services import audit_record
from exchange.importer.common import BATCH_SIZE, Meter, chunks, lookup
from exchange.importer.planning import ROW_COLUMNS, Planner
from participants.followups import followups_after_reopen, followups_schedule
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
from participants.models.needs import DOMAIN_DATES
from participants.services import REF_START
from practices.models import Attachment, Practice, StaffSurveyResponse
from referrals.models import CommunityResource, Referral, ReferralStatusChange
from referrals.running_counts import TRIGGERS as REFERRAL_FIGURE_TRIGGERS
from referrals.running_counts import referral_figures_rebuild
from reports.figures import practice_figures_rebuild

M = TypeVar("M", bound=models.Model)

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
# Written by COPY on PostgreSQL: the tables an import fills by the thousand.
COPIED: frozenset[type[models.Model]] = frozenset(
    {
        Participant,
        ParticipantNeed,
        StatusChange,
        Consultation,
        Referral,
        ReferralStatusChange,
        Assessment,
        StaffSurveyResponse,
    }
)
# The copied models whose new rows other new rows point at (a need at its participant, a
# status change at its referral): their ids are taken from the sequence before the COPY.
POINTED_AT: frozenset[type[models.Model]] = frozenset({Participant, Referral})
# Rows per COPY: the buffer of one is the only copy of the rows as text.
COPY_BATCH = 5000
# The tables whose triggers keep the dashboards' running counts (reports migration 0003),
# and the referral statistics' (referrals migration 0009).
COUNTED: dict[type[models.Model], tuple[str, ...]] = {
    Participant: ("reports_figures_participant_write",),
    Consultation: ("reports_figures_consultation_write",),
    Referral: ("reports_figures_referral_write", *REFERRAL_FIGURE_TRIGGERS),
}
# From this many new counted rows the triggers are switched off and the practices recounted
# once: a recount reads every record of the practices touched, and switching a trigger off
# locks its table (reads too) until the import commits, so small imports keep them.
RECOUNT_FROM = 5000


class MissingKey(IntegrityError):
    """A row the import was about to write points at a row that is not there: the database's
    foreign key, checked by the importer (`_check_keys`)."""

    def __init__(self, constraint_name: str) -> None:
        super().__init__(constraint_name)
        self.constraint_name = constraint_name


class Writer:
    """Writes what the planner planned, a chunk at a time (`flush`), then what follows from
    all of it (`finish`): the running counts, the follow-ups, the reference counter and the
    audit trail. Runs inside the caller's transaction.

    On PostgreSQL a chunk's COPYs run in a second thread, on the import's own connection (a
    connection of its own could not see the import's transaction), while the importer plans
    the next chunk: the database's half of the work overlaps Python's, and the driver lets
    go of the GIL while it waits for the server. The connection is never used by both
    threads at once: the COPYs are handed over as bytes and keys (no object the planner
    holds), and any query of the importer's own thread first waits for them (`_wait_first`,
    on every statement of the connection), as does the next flush, the end (`finish`) and
    leaving the writer (`__exit__`). A COPY that fails fails the import there, and the
    caller's transaction is rolled back. Use it as a context manager, inside that
    transaction."""

    def __init__(self, planner: Planner, *, user: User | None, today: date, meter: Meter) -> None:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise RuntimeError("Importing needs a database that returns ids from bulk inserts.")
        self.planner, self.user, self.today, self.meter = planner, user, today, meter
        self.now = timezone.now()
        self.copying = connection.vendor == "postgresql"
        self.wrote = self.wrote_assessments = self.counter_locked = False
        self.counted = 0
        self.untriggered: set[type[models.Model]] = set()
        self.recounted: set[type[models.Model]] = set()
        # Whether this import may leave the row triggers out of its COPYs (`_copy`), checking
        # the foreign keys itself: asked once, when first needed.
        self.replica: bool | None = None
        self.bulk = False
        self.highest_ref = 0
        self.thread = threading.get_ident()
        self.written = Written()
        self.pending: Future | None = None
        self.executor: ThreadPoolExecutor | None = None
        self.exits = ExitStack()

    def __enter__(self) -> Writer:
        if self.copying:
            self.executor = self.exits.enter_context(
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
            )
            self.exits.enter_context(connection.execute_wrapper(self._wait_first))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: object, trace: object) -> None:
        # Leaving with an error of its own, the import is failing anyway: a COPY that also
        # failed meanwhile adds nothing, but it must be over before the rollback.
        try:
            self.wait(raising=kind is None)
        finally:
            self.executor = None
            self.exits.close()

    def wait(self, *, raising: bool = True) -> None:
        """Until the COPYs running in the second thread are done; their failure is raised
        here, in the importer's thread."""
        pending, self.pending = self.pending, None
        if pending is None:
            return
        error = pending.exception()
        if error is not None and raising:
            raise error

    def _wait_first(self, execute, sql, params, many, context):
        if threading.get_ident() != self.thread:
            raise RuntimeError("The import's connection is used by the importer's thread only.")
        self.wait()
        return execute(sql, params, many, context)

    def _run(self, writes: list[Callable[[Any], None]]) -> None:
        if not writes:
            return
        if self.executor is None:
            with connection.cursor() as cursor:
                for write in writes:
                    write(cursor)
            return
        # The driver's connection itself: Django's wrapper of it belongs to this thread.
        driver = connection.connection

        def run() -> None:
            with driver.cursor() as cursor:
                for write in writes:
                    write(cursor)

        self.pending = self.executor.submit(run)

    def flush(self) -> None:
        """Write the rows planned since the last flush, in dependency order, and forget
        them (the planner keeps what later files need)."""
        planner, now = self.planner, self.now
        self.wait()
        if planner.create[Participant] and not self.counter_locked:
            # Registrations wait while new references are written, so none can take one.
            _reference_counter()
            self.counter_locked = True
        self.counted += sum(
            len(planner.create[model]) + len(planner.rows[model]) for model in COUNTED
        )
        self.bulk = self.copying and self.counted >= RECOUNT_FROM
        if self.bulk and self.replica is None:
            self.replica = _may_skip_row_triggers()
        checked = bool(self.bulk and self.replica)
        writes: list[Callable[[Any], None]] = []
        for model in LOAD_ORDER:
            updates, creates, rows = (
                planner.update[model],
                planner.create[model],
                planner.rows[model],
            )
            if updates or creates or rows:
                self.wrote = True
            _update(model, updates.values(), now=now)
            if model is StaffSurveyResponse and planner.survey_replaced:
                self.wrote = True
                for batch in chunks(planner.survey_replaced):
                    StaffSurveyResponse.objects.filter(pk__in=batch).delete()
            if self.copying and model in COPIED:
                if self.bulk and model in COUNTED and (creates or rows):
                    self.recounted.add(model)
                    if not checked and model not in self.untriggered:
                        _triggers(model, enable=False)
                        self.untriggered.add(model)
                # The rows are made ready here (ids, keys, text); written after the
                # others, in this order, in the second thread.
                for batch in chunks(creates, COPY_BATCH):
                    writes.append(
                        _copy(model, batch, now=now, checked=checked, written=self.written)
                    )
                for batch in chunks(rows, COPY_BATCH):
                    writes.append(
                        _copy_rows(
                            model,
                            ROW_COLUMNS[model],
                            batch,
                            now=now,
                            checked=checked,
                            written=self.written,
                        )
                    )
            else:
                for batch in chunks(creates, BATCH_SIZE):
                    model._default_manager.bulk_create(batch)
                for batch in chunks(rows, BATCH_SIZE):
                    model._default_manager.bulk_create(_records(model, ROW_COLUMNS[model], batch))
            if model is CommunityResource:
                _set_categories(planner)
        if planner.rows[Assessment] or planner.update[Assessment]:
            self.wrote_assessments = True
        for participant in planner.created(Participant):
            self.highest_ref = max(self.highest_ref, int(participant.ref[1:]))
        planner.forget_writes()
        self._run(writes)

    def finish(self) -> None:
        planner = self.planner
        self.wait()
        if not self.wrote:
            return  # the files say what the database already says: nothing to write or audit
        self.meter.start("loading", 4)
        checked = bool(self.bulk and self.replica)
        if self.bulk:
            self._run([_analyze()])
        # The audit events are made while the database analyzes, and each batch written in
        # the second thread while the next is made.
        _audit(planner, user=self.user, checked=checked, write=self._after_wait)
        self.wait()
        for model in self.untriggered:
            _triggers(model, enable=True)
        _advance_reference_counter(self.highest_ref)
        practices = planner.practices_touched
        # A bulk import that leaves the row triggers out of its COPYs writes the follow-ups
        # without theirs too (`FOLLOW_UP_TRIGGERS`), before the recount, which counts them
        # with the practices of every participant whose follow-ups it wrote.
        followed_up = checked and bool(self.recounted)
        if followed_up:
            with connection.cursor() as cursor:
                # SET LOCAL: should any of it fail, the rollback restores the setting.
                cursor.execute("SET LOCAL session_replication_role = replica")
                self._follow_ups()
                cursor.execute("SET LOCAL session_replication_role = origin")
            practices = practices | {
                practice_id
                for ref in planner.touched
                if (practice_id := planner.refs[ref].practice_id)
            }
        if self.recounted:
            practice_figures_rebuild(practices)
            if Referral in self.recounted:
                referral_figures_rebuild()
        self.meter.advance(1)
        if not followed_up:
            self._follow_ups()
        self.meter.advance(1)
        _audit_import(planner, user=self.user)
        self.meter.advance(2)

    def _after_wait(self, writes: list[Callable[[Any], None]]) -> None:
        self.wait()
        self._run(writes)

    def _follow_ups(self) -> None:
        """Reopened cases' follow-ups back, and the daily job's scheduling, for the
        participants written only."""
        planner, today = self.planner, self.today
        for participant in planner.reopened:
            followups_after_reopen(participant=participant, today=today)
        if planner.touched or self.wrote_assessments:
            followups_schedule(
                participant_ids=[
                    known.pk for ref in planner.touched if (known := planner.refs[ref]).pk
                ],
                today=today,
            )
            _complete_followups(planner.followup_participants, now=self.now)


def _update(
    model: type[models.Model],
    changes: Iterable[tuple[models.Model, set[str]]],
    *,
    now: datetime,
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


class Written:
    """The ids the new rows of each `POINTED_AT` model took from its sequence in this import,
    as runs of consecutive ids (a chunk's are one run, unless another session took some
    meanwhile): rows the import wrote, which no other transaction can see, let alone delete,
    before it commits. A key to one of them needs no check and no lock (`_copy_rows`)."""

    def __init__(self) -> None:
        self.runs: dict[type[models.Model], list[tuple[int, int]]] = defaultdict(list)

    def add(self, model: type[models.Model], ids: Iterable[int]) -> None:
        runs = self.runs[model]
        first = last = None
        for pk in sorted(ids):
            if last is not None and pk == last + 1:
                last = pk
                continue
            if first is not None and last is not None:
                bisect.insort(runs, (first, last))
            first = last = pk
        if first is not None and last is not None:
            bisect.insort(runs, (first, last))

    def holds(self, model: type[models.Model], pk: int | None) -> bool:
        runs = self.runs.get(model)
        if not runs or pk is None:
            return False
        index = bisect.bisect_right(runs, (pk, sys.maxsize)) - 1
        return index >= 0 and runs[index][0] <= pk <= runs[index][1]


def _copy(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    now: datetime,
    checked: bool = False,
    written: Written | None = None,
) -> Callable[[Any], None]:
    """Make the new records `objs` of a model others point at (`POINTED_AT`) ready to insert
    with one COPY, as bulk_create would, and return the writing itself (`_copy_rows`). Their
    ids are taken from the table's sequence here and set on the objects, so the rows that
    point at them know them; their own foreign keys are taken from the objects they point
    at (saved by now), and the created/updated stamps set to `now`."""
    table = model._meta.db_table
    pk_name = model._meta.pk.attname
    fields = model._meta.concrete_fields
    related = [(field.attname, field.name) for field in fields if field.is_relation]
    stamped = [field.attname for field in fields if _stamped(field)]
    # The stamps, the same on every row, are written once (`_copy_rows`).
    names = tuple(field.attname for field in fields if field.attname not in stamped)
    values = operator.itemgetter(*names)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if written is not None:
        written.add(model, ids)
    alias = connection.alias
    rows = []
    for obj, pk in zip(objs, ids, strict=True):
        state = obj.__dict__
        state[pk_name] = pk  # what `obj.pk = pk` does, a tenth of the time
        obj._state.adding, obj._state.db = False, alias
        for attname, name in related:
            if state[attname] is None:
                target = obj._state.fields_cache.get(name)
                if target is not None:
                    state[attname] = target.pk
        for attname in stamped:
            state[attname] = now
        rows.append(values(state))
    # A referral's practice is checked against its participant's where the participant was
    # in the database before the import: this import's own participants nobody else can move.
    referrals = [
        obj.pk
        for obj in objs
        if model is Referral
        and not (written is not None and written.holds(Participant, obj.__dict__["participant_id"]))
    ]
    return _copy_rows(
        model, names, rows, now=now, checked=checked, written=written, referrals=referrals
    )


def _copy_rows(
    model: type[models.Model],
    columns: tuple[str, ...],
    rows: Sequence[tuple],
    *,
    now: datetime,
    checked: bool = False,
    written: Written | None = None,
    referrals: list[int] | None = None,
) -> Callable[[Any], None]:
    """Make `rows` (tuples of `columns`) ready to insert with one COPY, and return the
    writing itself, to run on a cursor of the import's connection: perhaps in a second
    thread, so it holds only bytes and keys, no object. The model's other columns are its
    defaults, its created/updated stamps `now`, its id the column's default (unless given).
    A cell holding a new record of a `POINTED_AT` model is written as its id, which it has
    by now.

    The rows go as CSV, written by the csv module: a blank unquoted cell is NULL, and the
    text columns that cannot be NULL are told to read it as an empty string instead.

    `checked`: the COPY runs without the table's row triggers (`session_replication_role`
    set to replica for it alone), and the foreign keys PostgreSQL would have checked a row
    at a time at commit are checked first, each column's distinct keys in one query that
    also locks the rows they name, as PostgreSQL's check does (`_check_keys`). A deferred
    key check is an event kept and then a lookup for every row and key: a third of a large
    import's time in the database. The other row triggers on these tables keep the running
    counts, which the import then recounts, and set a referral's practice, which the
    planner gives and which is checked here too (`COPY_TRIGGERS`)."""
    table = model._meta.db_table
    by_name = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_name[name] for name in columns]
    others = [
        field
        for field in model._meta.concrete_fields
        if field.attname not in columns and not field.primary_key
    ]
    tail = [now if _stamped(field) else field.get_default() for field in others]
    fields += others
    for position, field in enumerate(fields[: len(columns)]):
        if (
            field.is_relation
            and field.related_model in POINTED_AT
            and any(isinstance(row[position], models.Model) for row in rows)
        ):
            rows = [_resolved(row, position) for row in rows]
    foreign = [
        position
        for position, field in enumerate(fields[: len(columns)])
        if isinstance(field, models.ForeignKey)
    ]
    # The other columns' values are the same on every row: written once, as the end of
    # every line, and the rows then written by the csv module in one call.
    end = io.StringIO()
    csv.writer(end, lineterminator="\n").writerow(["", *tail] if tail else [])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=end.getvalue() if tail else "\n").writerows(rows)
    keys = {position: {row[position] for row in rows} for position in foreign} if checked else {}
    # A consultation's practice and CLP are checked against its participant's where the
    # participant was in the database before the import, as a referral's practice is.
    owners: list[int] = []
    # A need's participant has the first day of a need in each domain worked out again, as
    # the trigger left out would have done.
    need_holders: list[int] = []
    if model is ParticipantNeed and checked:
        # A participant this import wrote had its first days written with it (the planner).
        at = columns.index("participant_id")
        need_holders = sorted(
            {
                row[at]
                for row in rows
                if not (written is not None and written.holds(Participant, row[at]))
            }
        )
    if model is Consultation and checked:
        at = columns.index("participant_id")
        owners = sorted(
            {
                row[at]
                for row in rows
                if not (written is not None and written.holds(Participant, row[at]))
            }
        )
    data = buffer.getvalue().encode()
    del buffer
    quote = connection.ops.quote_name
    not_null_text = [
        quote(field.attname)
        for field in fields
        if not field.null and field.get_internal_type() in _TEXT_TYPES
    ]
    options = "FORMAT csv"
    if not_null_text:
        options += ", FORCE_NOT_NULL ({})".format(", ".join(not_null_text))
    names = ", ".join(quote(field.attname) for field in fields)
    statement = f"COPY {quote(table)} ({names}) FROM STDIN WITH ({options})"
    given = []
    for position, found in keys.items():
        field = cast(models.ForeignKey, fields[position])
        found.discard(None)
        if written is not None and field.related_model in POINTED_AT:
            # A row this import wrote needs no check, nor a lock: nobody else sees it yet.
            found = {key for key in found if not written.holds(field.related_model, key)}
        if found:
            given.append((field, sorted(found)))

    def write(cursor: Any) -> None:
        # One read of the whole buffer: the driver takes the GIL back after each read.
        text = io.BytesIO(data)
        if not checked:
            cursor.copy_expert(statement, text, max(len(data), 8192))
            return
        _check_keys(cursor, model, given, quote)
        # SET LOCAL: should the COPY fail, the rollback restores the setting.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.copy_expert(statement, text, max(len(data), 8192))
        cursor.execute("SET LOCAL session_replication_role = origin")
        if referrals:
            _check_referral_practices(cursor, referrals)
        if owners:
            _check_consultation_owners(cursor, owners)
        if need_holders:
            _need_domains_recount(cursor, need_holders)

    return write


def _resolved(row: tuple, position: int) -> tuple:
    """The row with the new record at `position` written as its id, which it has by now."""
    cell = row[position]
    if isinstance(cell, models.Model):
        return (*row[:position], cell.pk, *row[position + 1 :])
    return row


def _records(model: type[M], columns: tuple[str, ...], rows: Sequence[tuple]) -> list[M]:
    """Rows as records, for bulk_create where there is no COPY (SQLite)."""
    records = []
    for row in rows:
        values = {
            name: cell.pk if isinstance(cell, models.Model) else cell
            for name, cell in zip(columns, row, strict=True)
        }
        records.append(model(**values))
    return records


def _stamped(field: models.Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


# The row triggers on the copied tables that fire on INSERT, and what stands in for each when
# a COPY leaves them out (`_copy`'s `checked`); a test holds this to the database's list.
COPY_TRIGGERS = {
    "reports_figures_participant_write": "the recount (reports.figures)",
    "reports_figures_consultation_write": "the recount (reports.figures)",
    "reports_figures_referral_write": "the recount (reports.figures)",
    "referrals_figures_referral_write": "the recount (referrals.running_counts)",
    "referrals_referral_practice": "the planner's practice, checked (_check_referral_practices)",
    "participants_consultation_owner": "the planner's practice and CLP, checked "
    "(_check_consultation_owners)",
    "participants_need_domains_write": "the needs' participants' first need in each domain "
    "worked out again (_need_domains_recount)",
}


# The row triggers on the follow-ups, which a bulk import that leaves the COPYs' out writes
# without them too (`Writer.finish`), and what stands in for each; a test holds this to the
# database's list. The keys they give are the rows they are read from (a baseline, its
# participant and the participant's practice and CLP; a follow-up assessment and who
# recorded it), written or locked by the import.
FOLLOW_UP_TRIGGERS = {
    "participants_followup_owner": "the practice and CLP written by the insert, the "
    "participant's row locked (participants.followups._followups_insert); updates leave "
    "the participant alone",
    "reports_figures_followup_write": "the recount (reports.figures)",
    "reports_figures_followup_change": "the recount (reports.figures)",
}


def _may_skip_row_triggers() -> bool:
    """Whether the connection may set `session_replication_role`: a superuser, or a role
    granted it (PostgreSQL 15: GRANT SET ON PARAMETER session_replication_role TO …).
    Setting it takes no lock; without it, the import keeps PostgreSQL's own key checks and
    switches the counting triggers off by ALTER TABLE instead."""
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:  # type: ignore[attr-defined]
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return bool(cursor.fetchone()[0])


def _check_keys(
    cursor,
    model: type[models.Model],
    keys: list[tuple[models.ForeignKey, list]],
    quote: Callable[[str], str],
) -> None:
    """Every key the rows give is a row of the table it points at, locked against deletion
    until the import commits (FOR KEY SHARE, as PostgreSQL's own check does); a missing
    one stops the import (`MissingKey`, naming the constraint). `quote` is the importer's
    connection's (in the second thread, `connection` would be another)."""
    for field, keys_given in keys:
        target = field.target_field
        table, column = quote(target.model._meta.db_table), quote(target.attname)
        cursor.execute(
            f"SELECT count(*) FROM (SELECT FROM {table} WHERE {column} = ANY(%s) "  # noqa: S608 (names)
            "FOR KEY SHARE) AS locked",
            [keys_given],
        )
        if cursor.fetchone()[0] != len(keys_given):
            raise MissingKey(_foreign_key_name(cursor, model, field.attname))


def _foreign_key_name(cursor, model: type[models.Model], column: str) -> str:
    cursor.execute(
        "SELECT conname FROM pg_constraint JOIN pg_attribute "
        "ON attrelid = conrelid AND attnum = ALL(conkey) "
        "WHERE contype = 'f' AND conrelid = %s::regclass AND attname = %s",
        [model._meta.db_table, column],
    )
    row = cursor.fetchone()
    return row[0] if row else f"{model._meta.db_table}.{column}"


def _check_referral_practices(cursor, ids: list[int]) -> None:
    """The referral's practice is its participant's, as the trigger left out would have set."""
    cursor.execute(
        "SELECT count(*) FROM referrals_referral AS r JOIN participants_participant AS p "
        "ON p.id = r.participant_id WHERE r.id = ANY(%s) "
        "AND r.practice_id IS DISTINCT FROM p.practice_id",
        [ids],
    )
    if cursor.fetchone()[0]:
        raise MissingKey("referrals_referral_practice")


def _check_consultation_owners(cursor, participant_ids: list[int]) -> None:
    """The participants' consultations carry their practice and CLP, as the trigger left
    out would have set them. The participants are held FOR SHARE until the import commits,
    as that trigger holds them, so that a move waits for the consultations it must move."""
    cursor.execute(
        "SELECT count(*) FROM (SELECT id, practice_id, clp_id FROM participants_participant "
        "WHERE id = ANY(%s) FOR SHARE) AS p JOIN participants_consultation AS c "
        "ON c.participant_id = p.id WHERE c.practice_id IS DISTINCT FROM p.practice_id "
        "OR c.caseload_clp_id IS DISTINCT FROM p.clp_id",
        [participant_ids],
    )
    if cursor.fetchone()[0]:
        raise MissingKey("participants_consultation_owner")


_NEED_DOMAINS_RECOUNT = (  # noqa: S608 (constant text: the domains' names)
    "UPDATE participants_participant AS p SET ({columns}) = ({values}) FROM "
    "(SELECT pn.participant_id, {firsts} FROM participants_participantneed AS pn "
    "JOIN participants_need AS n ON n.id = pn.need_id WHERE pn.participant_id = ANY(%s) "
    "GROUP BY pn.participant_id) AS d WHERE p.id = d.participant_id"
).format(
    columns=", ".join(DOMAIN_DATES.values()),
    values=", ".join(f"d.{domain}" for domain in DOMAIN_DATES),
    firsts=", ".join(
        f"MIN(pn.identified_on) FILTER (WHERE n.domain = '{domain}') AS {domain}"
        for domain in DOMAIN_DATES
    ),
)


def _need_domains_recount(cursor, participant_ids: list[int]) -> None:
    """Each participant's first day with a need in each domain, from all their needs, as the
    trigger left out (participants migration 0020) works it out: their rows locked in order
    first, so that a need written beside the import is counted after it commits, then set
    for all of them in one statement, without the participants' own trigger that would work
    each out again a row at a time (migration 0021)."""
    cursor.execute(
        "SELECT count(*) FROM (SELECT id FROM participants_participant WHERE id = ANY(%s) "
        "ORDER BY id FOR UPDATE) AS locked",
        [participant_ids],
    )
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute(_NEED_DOMAINS_RECOUNT, [participant_ids])
    cursor.execute("SET LOCAL session_replication_role = origin")


_TEXT_TYPES = frozenset(
    {"CharField", "TextField", "EmailField", "URLField", "SlugField", "GenericIPAddressField"}
)


def _triggers(model: type[models.Model], *, enable: bool) -> None:
    """Switch the table's running-count trigger on or off for this transaction. A table
    with checks of foreign keys still pending cannot be altered: they are run first."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for trigger in COUNTED[model]:
            cursor.execute(
                "ALTER TABLE {} {} TRIGGER {}".format(
                    connection.ops.quote_name(model._meta.db_table),
                    "ENABLE" if enable else "DISABLE",
                    connection.ops.quote_name(trigger),
                )
            )


def _analyze() -> Callable[[Any], None]:
    """What follows (the recount, the follow-ups) reads the tables just filled by joins
    that are planned by their sizes: a table filled in this transaction still looks empty
    (the follow-ups' updates took 36 s at 50,000 participants without it). ANALYZE runs in the
    transaction, sees its rows, and samples, so it is quick; it takes a lock that only
    another VACUUM or ANALYZE of the table waits for, and without the right to analyze a
    table PostgreSQL warns and goes on. Only the tables those read are analyzed (the needs,
    status changes and survey answers are left to autovacuum after the commit). Returns the
    writing itself, run in the second thread while the audit events are made."""
    quote = connection.ops.quote_name
    statements = [
        f"ANALYZE {quote(model._meta.db_table)}"
        for model in (Participant, Consultation, Referral, Assessment, FollowUp)
    ]

    def write(cursor: Any) -> None:
        for statement in statements:
            cursor.execute(statement)

    return write


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


def _advance_reference_counter(highest: int) -> None:
    """The reference counter never hands out an imported reference afterwards."""
    if not highest:
        return
    counter = _reference_counter()
    if highest > counter.last_value:
        counter.last_value = highest
        counter.save(update_fields=["last_value"])


def _complete_followups(participant_ids: list[int], *, now: datetime) -> None:
    """A follow-up assessment completes its participant's open follow-up (the latest due), as
    when recorded on screen (`participants.followups.followup_complete`), for every one at
    once: one UPDATE per chunk of follow-ups, reading each one's assessment in the database
    (on PostgreSQL one UPDATE for them all: chunks of 900 were some twenty at 50,000
    participants)."""
    if not participant_ids:
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        followups, assessments = FollowUp._meta.db_table, Assessment._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(followups)} AS f SET status = %s, reason = '', "  # noqa: S608 (names)
                "updated_at = %s, assessment_id = a.id, closed_on = a.date, "
                "closed_by_id = a.recorded_by_id "
                "FROM (SELECT DISTINCT ON (participant_id) id, participant_id "
                f"FROM {quote(followups)} WHERE participant_id = ANY(%s::bigint[]) "
                "AND assessment_id IS NULL AND status <> %s "
                "ORDER BY participant_id, due_on DESC) AS latest "
                # One follow-up assessment per participant: the database's constraint.
                f"JOIN {quote(assessments)} AS a "
                "ON a.participant_id = latest.participant_id AND a.timepoint = %s "
                "WHERE f.id = latest.id",
                [
                    FollowUpStatus.COMPLETED.value,
                    now,
                    sorted(set(participant_ids)),
                    FollowUpStatus.NOT_APPLICABLE.value,
                    Timepoint.FOLLOW_UP.value,
                ],
            )
        return
    open_follow_ups = lookup(
        FollowUp.objects.filter(assessment__isnull=True)
        .exclude(status=FollowUpStatus.NOT_APPLICABLE)
        .order_by("participant_id", "-due_on")
        .values_list("participant_id", "pk"),
        "participant_id",
        set(participant_ids),
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


_AUDIT_COLUMNS = (
    "at",
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "participant_ref",
    "detail",
)


def _audit(
    planner: Planner,
    *,
    user: User | None,
    checked: bool,
    write: Callable[[list[Callable[[Any], None]]], None],
) -> None:
    """One event per participant whose record the import wrote (`write` writes a batch's
    COPY on PostgreSQL)."""
    username = user.get_username() if user is not None else ""
    now = timezone.now()
    refs = iter(planner.touched)
    user_id = user.pk if user is not None else None
    # Made and written a batch at a time, as rows rather than records, all at the one time:
    # when the import wrote them.
    while batch := [
        (
            now,
            user_id,
            username,
            Action.UPDATE if (known := planner.refs[ref]).existed else Action.CREATE,
            "participant",
            str(known.pk),
            ref,
            ("import: " + ", ".join(f"{what} {n}" for what, n in planner.tally(ref).items()))[:255],
        )
        for ref in islice(refs, COPY_BATCH)
    ]:
        if connection.vendor == "postgresql":
            write([_copy_rows(AuditEvent, _AUDIT_COLUMNS, batch, now=now, checked=checked)])
        else:
            AuditEvent.objects.bulk_create(
                _records(AuditEvent, _AUDIT_COLUMNS, batch), batch_size=BATCH_SIZE
            )


def _audit_import(planner: Planner, *, user: User | None) -> None:
    """The import's own event, last."""
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
