"""Pieces the planning and loading steps share: lookups by key in chunks, progress, and
the counts of new, changed and unchanged rows."""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import models

# Objects per INSERT/UPDATE statement (SQLite splits further to stay under its limits).
BATCH_SIZE = 1000
# Keys per `IN (…)` lookup: under SQLite's 999 query parameters.
LOOKUP_CHUNK = 900

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class FileCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def rows(self) -> int:
        return self.new + self.changed + self.unchanged


class Meter:
    """Progress for the upload page, at most a few times a second."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback
        self.phase, self.done, self.total, self.last = "", 0, 0, 0.0

    def start(self, phase: str, total: int) -> None:
        self.phase, self.done, self.total = phase, 0, max(total, 1)
        self._report(force=True)

    def advance(self, count: int) -> None:
        self.done = min(self.done + count, self.total)
        self._report()

    def _report(self, force: bool = False) -> None:
        now = clock.monotonic()
        if self.callback is not None and (force or now - self.last >= 0.25):
            self.last = now
            self.callback(self.phase, self.done, self.total)


def chunks(items: Sequence, size: int = LOOKUP_CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup(queryset: models.QuerySet | models.Manager, field_name: str, keys: Iterable) -> list:
    """Rows whose `field_name` is among `keys`, a chunk of keys per query."""
    found: list = []
    for chunk in chunks(sorted(set(keys))):
        found.extend(queryset.filter(**{f"{field_name}__in": chunk}))
    return found
