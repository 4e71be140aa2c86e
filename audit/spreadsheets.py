"""Every CSV the system writes goes through `csv_writer`, so that no cell can run as a
spreadsheet formula when the file is opened (`=HYPERLINK(…)`, `@SUM(…)`, `+cmd|…`).

A cell that a spreadsheet would read as a formula (it begins with = + - @, a tab or a
carriage return, after any apostrophes) gets one apostrophe in front, which spreadsheets
read as "this is text". A plain number such as -3 or -0.25 is no formula and is left alone.
`csv_cell_restore` undoes it exactly, and the importer reads every cell through it, so the
export and import round trip stays byte for byte for ordinary data and for these cells too.

It lives in `audit`, a bottom app, so that every app that writes a file can use it: what
leaves the system is audited there too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def _formula_like(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text)


def csv_cell(value: Any) -> Any:
    """The cell as it is safe to write."""
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


def csv_cell_restore(text: str) -> str:
    """The cell as it was before `csv_cell`."""
    if text.startswith("'") and _formula_like(text[1:]):
        return text[1:]
    return text


class SafeWriter:
    """`csv.writer` whose every cell passes through `csv_cell`."""

    def __init__(self, handle: _Writable, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle: _Writable, **options: Any) -> SafeWriter:
    return SafeWriter(handle, **options)
