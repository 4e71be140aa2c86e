"""Importing programme data: check every file first, then load all of it or nothing.

Three steps, so that a bad row anywhere (even the last of the last file) writes nothing:

1. read (`exchange.reading`): text, CSV, header and every cell, by the specs in
   `exchange.formats`;
2. plan (`planning.Planner`): the database rows the files touch are loaded up front, a few queries
   per file whatever its length (lookups by natural key into dicts), every cross-row and
   cross-file rule is checked, and each row is classed as new, changed or unchanged;
3. load (`loading.load`): only when nothing is wrong, in one transaction, with bulk writes.

Rows are matched by natural keys: practice code, username (and role), resource name,
participant ref; a participant's referral by service and date, an assessment by timepoint;
consultations (which have no key) as a multiset; staff survey answers as each practice-year's
whole set. Matching never deletes: rows in the database that the files do not mention are
left alone (the staff survey, whose rows are anonymous, is the one exception: a practice-year
in the file replaces that practice-year). So importing the same files twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from exchange.formats import FILES, PRACTICES, RESOURCES, STAFF, STAFF_SURVEY, FileSpec
from exchange.importer.common import FileCounts, Meter, ProgressCallback
from exchange.importer.loading import Writer
from exchange.importer.planning import Planner
from exchange.reading import (
    Problems,
    Source,
    Unreadable,
    count_rows,
    read_chunks,
    reading_problems,
    unknown_files,
)

__all__ = ["FileCounts", "ImportResult", "programme_check", "programme_import"]


@dataclass
class ImportResult:
    """What the files would change (or changed), file by file, and every problem found, as
    `file:line: column: message` lines. Nothing is written unless `applied`."""

    counts: dict[str, FileCounts]
    problems: list[str]
    applied: bool = False
    # Problems found in all; `problems` lists the first 10,000 of them.
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        return sum(c.new + c.changed for c in self.counts.values())


def programme_check(
    *,
    sources: Mapping[str, Source],
    user: User | None,
    today: date | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Check the files against the database and count what they would change; write nothing.
    `user` is who would import them (new community resources need someone to have added
    them)."""
    return _run(sources=sources, user=user, today=today, write=False, progress=progress)


def programme_import(
    *,
    sources: Mapping[str, Source],
    user: User | None,
    today: date | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Check the files and, when nothing is wrong and it is not a dry run, load all of them in
    one transaction. `user` is recorded in the audit trail and as the person who added any new
    community resources."""
    return _run(sources=sources, user=user, today=today, write=not dry_run, progress=progress)


def _run(
    *,
    sources: Mapping[str, Source],
    user: User | None,
    today: date | None,
    write: bool,
    progress: ProgressCallback | None,
) -> ImportResult:
    today = today or timezone.localdate()
    meter = Meter(progress)
    problems = Problems()
    meter.start("checking", sum(count_rows(source) for source in sources.values()))
    unknown_files(sources=sources, problems=problems)
    names = [spec.name for spec in FILES if spec.name in sources]
    try:
        with transaction.atomic():
            planner = Planner(files=names, today=today, problems=problems, user=user)
            writer = Writer(planner, user=user, today=today, meter=meter) if write else None
            # The writer's second thread is done with the connection before the transaction
            # ends, however it ends.
            with writer or nullcontext():
                for spec in FILES:
                    if spec.name in sources:
                        _plan_file(spec, sources[spec.name], planner, writer, problems, meter)
                if writer is not None and not problems:
                    writer.finish()
            result = ImportResult(
                counts=planner.counts,
                problems=problems.lines(),
                applied=writer is not None and not problems,
                problem_count=len(problems),
            )
            if writer is not None and not result.applied:
                # An import with problems takes back what it wrote before finding them
                # (checking writes nothing).
                transaction.set_rollback(True)
            return result
    except (IntegrityError, _driver_integrity_error()) as error:
        # A rule the checks missed and the database held (rows of one person split across
        # chunks, say): the whole import is taken back. The database's own message can
        # quote the values it refused, so only the rule's name is reported.
        return ImportResult(
            counts={name: FileCounts() for name in names},
            problems=[
                "The database refused the import by its rule "
                f"{_constraint_name(error)}: nothing was imported. Check the files against "
                "that rule, or import the files one at a time to find the row."
            ],
            problem_count=1,
        )
    except Unreadable:
        # Checks against a file that could not be read would only add noise: what was
        # planned is taken back, and only the problems of reading the files are reported.
        problems = Problems()
        reading_problems(sources=sources, problems=problems)
        return ImportResult(
            counts={name: FileCounts() for name in names},
            problems=problems.lines(),
            problem_count=len(problems),
        )


def _driver_integrity_error() -> type[Exception]:
    """The driver's own IntegrityError: COPY runs on the driver's cursor, whose errors Django
    does not wrap in its own."""
    return connection.Database.IntegrityError  # type: ignore[attr-defined]


def _constraint_name(error: Exception) -> str:
    # The importer's own key check (loading.MissingKey) names the constraint it stood for.
    if name := getattr(error, "constraint_name", None):
        return f'"{name}"'
    # psycopg2's diagnostics: names, never values (on the error, or on Django's wrapper's cause)
    diag = getattr(error, "diag", None) or getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return f'"{name}"'
    # SQLite names the table and columns ("UNIQUE constraint failed: table.column").
    text = str(error)
    return f'"{text}"' if "constraint failed" in text and "=" not in text else "(unnamed)"


# Directories, not records: planned a whole file at a time (a person's rows in staff.csv go
# together wherever they are in the file).
_WHOLE = (PRACTICES, STAFF, RESOURCES)


def _plan_file(
    spec: FileSpec,
    source: Source,
    planner: Planner,
    writer: Writer | None,
    problems: Problems,
    meter: Meter,
) -> None:
    """Read, check and (while nothing is wrong, when importing) write a file a chunk at a
    time.

    A chunk's database rows are looked up before the chunk planned last is written: on
    PostgreSQL that write then runs in a second thread (`Writer.flush`) while this chunk is
    planned and the next one read, so that the database works while Python does."""
    chunks = read_chunks(spec=spec, source=source, problems=problems, progress=meter.advance)
    if spec in _WHOLE:
        chunks = iter([[row for chunk in chunks for row in chunk]])
    planned = False
    for rows in chunks:
        planner.look_up(spec, rows)
        if planned:
            _write_chunk(spec, planner, writer, problems)
        planner.plan(spec, rows)
        planned = True
    if planned:
        _write_chunk(spec, planner, writer, problems)
    planner.file_done(spec)
    if writer is not None and not problems:
        writer.flush()
    else:
        planner.forget_writes()


def _write_chunk(
    spec: FileSpec, planner: Planner, writer: Writer | None, problems: Problems
) -> None:
    if spec is STAFF_SURVEY:
        return  # a practice-year's answers are planned once the file is read
    if writer is not None and not problems:
        writer.flush()
    else:
        planner.forget_writes()
    planner.settle()
