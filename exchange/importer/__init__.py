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
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from exchange.importer.common import FileCounts, Meter, ProgressCallback
from exchange.importer.loading import load
from exchange.importer.planning import Planner
from exchange.reading import Problems, count_rows, read_files

__all__ = ["FileCounts", "ImportResult", "programme_check", "programme_import"]


@dataclass
class ImportResult:
    """What the files would change (or changed), file by file, and every problem found, as
    `file:line: column: message` lines. Nothing is written unless `applied`."""

    counts: dict[str, FileCounts]
    problems: list[str]
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        return sum(c.new + c.changed for c in self.counts.values())


def programme_check(
    *,
    sources: Mapping[str, bytes],
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
    sources: Mapping[str, bytes],
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
    sources: Mapping[str, bytes],
    user: User | None,
    today: date | None,
    write: bool,
    progress: ProgressCallback | None,
) -> ImportResult:
    today = today or timezone.localdate()
    meter = Meter(progress)
    problems = Problems()
    meter.start("checking", sum(count_rows(data) for data in sources.values()))
    files = read_files(sources=sources, problems=problems, progress=meter.advance)
    counts = {name: FileCounts() for name in files}
    if not all(parsed.readable for parsed in files.values()):
        # Cross-file checks against a file that could not be read would only add noise.
        return ImportResult(counts=counts, problems=problems.lines())
    with transaction.atomic():
        planner = Planner(files=files, today=today, problems=problems, user=user)
        planner.plan()
        result = ImportResult(counts=planner.counts, problems=problems.lines())
        if problems or not write:
            return result
        load(planner, user=user, today=today, meter=meter)
        result.applied = True
    return result
