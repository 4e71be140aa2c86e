"""The SIMD postcode lookup: loading the Scottish Government's published file (SIMD 2020v2)
and looking postcodes up in it.

The published lookup has about 230,000 postcodes and is replaced wholesale when a new
version comes out. Whoever runs the import is not a developer, so every refusal says what
is wrong with the file in words they can act on, and a refused file never leaves the lookup
half-replaced: deprivation figures feed the programme's reporting, and a partial lookup
would silently make some participants' postcodes "unknown".
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from participants.models import Participant, SimdPostcode
from participants.postcodes import normalise_postcode

SHEET = "All postcodes"

POSTCODE = "Postcode"
DATA_ZONE = "DZ"
RANK = "SIMD2020v2_Rank"
VIGINTILE = "SIMD2020v2_Vigintile"
DECILE = "SIMD2020v2_Decile"
QUINTILE = "SIMD2020v2_Quintile"
REQUIRED_COLUMNS = (POSTCODE, DATA_ZONE, RANK, VIGINTILE, DECILE, QUINTILE)

# SIMD 2020 ranks Scotland's 6,976 data zones from 1 (most deprived) to 6,976.
DATA_ZONES = 6976
BATCH_SIZE = 5000
MAX_PROBLEMS = 10

_DATA_ZONE = re.compile(r"^S01[0-9]{6}$")
# "3", "+3", "3.0": spreadsheets saved as CSV write whole numbers either way.
_WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]+(?:\.0*)?$")

Row = tuple[int, Sequence[Any]]


class SimdFileError(Exception):
    """The file cannot be loaded. The message is shown as-is to whoever ran the import, so it
    names what to fix; the lookup is always left as it was."""


def simd_import(*, path: Path) -> int:
    """Replace the whole lookup with the postcodes in `path` (.xlsx or .csv) and return how
    many were loaded.

    Rows are checked and written in batches as the file is read, so the file is never held in
    memory whole; all of it happens in one transaction, so a bad row anywhere, even the last,
    leaves the previous lookup untouched."""
    with _open_rows(path) as rows:
        header = next(rows, None)
        if header is None:
            raise SimdFileError("The file is empty.")
        columns = _required_column_positions(header[1])
        with transaction.atomic():
            SimdPostcode.objects.all().delete()
            loaded = _load(rows, columns=columns)
            participants_refresh_simd()
    return loaded


def participants_refresh_simd() -> int:
    """Bring every participant's deprivation figures in line with the lookup, in one UPDATE:
    a new release of SIMD moves some postcodes between deciles, and a postcode that has left
    the lookup leaves its participants' figures unknown rather than stale."""
    row = SimdPostcode.objects.filter(postcode=OuterRef("postcode"))
    return Participant.objects.update(
        simd_data_zone=Coalesce(Subquery(row.values("data_zone")[:1]), Value("")),
        simd_decile=Subquery(row.values("decile")[:1]),
        simd_quintile=Subquery(row.values("quintile")[:1]),
    )


def simd_for_postcode(postcode: str) -> SimdPostcode | None:
    """None for a postcode that is not in the lookup or is not a postcode at all: a wrong
    deprivation figure is worse than none, so nearby or similar postcodes are never tried."""
    try:
        key = normalise_postcode(postcode)
    except ValidationError:
        return None
    try:
        return SimdPostcode.objects.get(pk=key)
    except SimdPostcode.DoesNotExist:
        return None


@contextmanager
def _open_rows(path: Path) -> Iterator[Iterator[Row]]:
    """Non-blank rows with their line numbers as a spreadsheet shows them, so problems can be
    found in the file. Blank rows are dropped: spreadsheets often carry empty rows at the end
    that mean nothing."""
    if not path.is_file():
        raise SimdFileError(f"There is no file at {path}.")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        with _xlsx_rows(path) as rows:
            yield _numbered(rows)
    elif suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield _numbered(_csv_rows(handle))
    else:
        raise SimdFileError(
            f"{path.name} is not an .xlsx or .csv file. Load the published SIMD postcode "
            f'lookup workbook, or its "{SHEET}" sheet saved as CSV.'
        )


@contextmanager
def _xlsx_rows(path: Path) -> Iterator[Iterator[Sequence[Any]]]:
    """Read-only mode streams the sheet instead of loading all of it into memory."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SimdFileError(f"{path.name} could not be opened as an Excel workbook.") from exc
    try:
        if SHEET not in workbook.sheetnames:
            raise SimdFileError(
                f'The workbook has no sheet called "{SHEET}". Load the published SIMD '
                "postcode lookup, which has one."
            )
        yield workbook[SHEET].iter_rows(values_only=True)
    finally:
        workbook.close()


def _csv_rows(handle: Iterable[str]) -> Iterator[Sequence[Any]]:
    """Decoding happens as rows are read, so a bad byte surfaces here rather than on opening;
    either way it becomes a message, not a traceback."""
    try:
        yield from csv.reader(handle)
    except UnicodeDecodeError as exc:
        raise SimdFileError(
            'The file is not UTF-8 text. Save the sheet as "CSV UTF-8" and try again.'
        ) from exc
    except csv.Error as exc:
        raise SimdFileError(f"The file could not be read as CSV: {exc}.") from exc


def _numbered(rows: Iterable[Sequence[Any]]) -> Iterator[Row]:
    for line, cells in enumerate(rows, start=1):
        if any(_text(cell) for cell in cells):
            yield line, cells


def _required_column_positions(header: Sequence[Any]) -> dict[str, int]:
    """Columns are found by name, not position: the published file has many more columns
    than these, and their order has changed between releases."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(_text(name), index)
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        raise SimdFileError(f"The file is missing the columns: {', '.join(missing)}")
    return {column: positions[column] for column in REQUIRED_COLUMNS}


@dataclass
class _Problems:
    """Collects what is wrong, so one refusal lists several things to fix rather than one."""

    lines: list[str] = field(default_factory=list)

    def add(self, line: int, column: str, message: str) -> None:
        self.lines.append(f"line {line}: {column}: {message}")

    @property
    def full(self) -> bool:
        return len(self.lines) >= MAX_PROBLEMS


def _load(rows: Iterator[Row], *, columns: dict[str, int]) -> int:
    """Checking carries on after the first problem (up to MAX_PROBLEMS) so the person fixing
    the file sees more than one thing at a time, but nothing more is written."""
    problems = _Problems()
    # Remembering every postcode is the one thing that grows with the file: a few tens of
    # megabytes for the full lookup, and the price of naming both lines of a duplicate.
    first_seen: dict[str, int] = {}
    batch: list[SimdPostcode] = []
    loaded = 0
    for line, cells in rows:
        row = _parse_row(line, cells, columns=columns, problems=problems)
        if row is not None:
            first = first_seen.setdefault(row.postcode, line)
            if first != line:
                problems.add(line, POSTCODE, f"{row.postcode} is already on line {first}")
        if problems.full:
            break
        if problems.lines or row is None:
            continue
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            SimdPostcode.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            loaded += len(batch)
            batch = []
    if problems.lines:
        raise SimdFileError(
            "The file was not loaded and the lookup is unchanged. "
            + ("First problems found" if problems.full else "Problems found")
            + ":\n"
            + "\n".join(problems.lines[:MAX_PROBLEMS])
        )
    SimdPostcode.objects.bulk_create(batch, batch_size=BATCH_SIZE)
    loaded += len(batch)
    if not loaded:
        raise SimdFileError("The file has no postcodes in it; the lookup is unchanged.")
    return loaded


def _parse_row(
    line: int, cells: Sequence[Any], *, columns: dict[str, int], problems: _Problems
) -> SimdPostcode | None:
    """Every column is checked even when an earlier one is wrong, so each row's problems are
    reported together."""

    def cell(column: str) -> Any:
        index = columns[column]
        return cells[index] if index < len(cells) else None

    found = len(problems.lines)
    postcode = _text(cell(POSTCODE))
    if not postcode:
        problems.add(line, POSTCODE, "is blank")
    else:
        try:
            postcode = normalise_postcode(postcode)
        except ValidationError:
            problems.add(line, POSTCODE, f'"{postcode}" is not a valid UK postcode')
    data_zone = _text(cell(DATA_ZONE)).upper()
    if not _DATA_ZONE.match(data_zone):
        problems.add(
            line,
            DATA_ZONE,
            f'"{data_zone}" is not a data zone code like S01006506' if data_zone else "is blank",
        )
    numbers = {
        column: _number(cell(column), line=line, column=column, top=top, problems=problems)
        for column, top in ((RANK, DATA_ZONES), (VIGINTILE, 20), (DECILE, 10), (QUINTILE, 5))
    }
    rank, vigintile, decile, quintile = (numbers[c] for c in (RANK, VIGINTILE, DECILE, QUINTILE))
    # A number that is missing was reported as a problem of this row.
    if len(problems.lines) > found or None in (rank, vigintile, decile, quintile):
        return None
    return SimdPostcode(
        postcode=postcode,
        data_zone=data_zone,
        rank=cast(int, rank),
        vigintile=cast(int, vigintile),
        decile=cast(int, decile),
        quintile=cast(int, quintile),
    )


def _number(value: Any, *, line: int, column: str, top: int, problems: _Problems) -> int | None:
    """Excel hands back whole numbers as floats (3.0) and CSV as text; both are fine, but a
    fraction is not silently rounded."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = int(value) if value.is_integer() else None
    else:
        text = _text(value)
        if not text:
            problems.add(line, column, "is blank")
            return None
        number = int(text.split(".")[0]) if _WHOLE_NUMBER.match(text) else None
    if number is None:
        problems.add(line, column, f'"{_text(value)}" is not a whole number')
        return None
    if not 1 <= number <= top:
        problems.add(line, column, f"{number} is not between 1 and {top}")
        return None
    return number


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
