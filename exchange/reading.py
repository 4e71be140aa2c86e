"""Reading the programme files: text, CSV, header and each cell, with every problem found
reported as `file:line: column: message` (never with the cell's value)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from audit.spreadsheets import csv_cell_restore
from exchange.formats import ENCODING, FILE_NAMES, SPECS, CellError, FileSpec

HEADER = "header"
ROW = "row"
FILE = "file"

# A header cell is echoed in a message only when it looks like a column name: when the
# first line is data, its cells are a person's details.
_COLUMN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_ ]{0,39}")


@dataclass(frozen=True, order=True)
class Problem:
    file_order: int
    line: int
    column_order: int
    file: str
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


class Problems:
    """Every problem found, in file order then line order when listed."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(self, spec: FileSpec | str, line: int, column: str, message: str) -> None:
        name = spec if isinstance(spec, str) else spec.name
        file_order = FILE_NAMES.index(name) if name in FILE_NAMES else -1
        column_order = (
            SPECS[name].column_names.index(column)
            if name in SPECS and column in SPECS[name].column_names
            else -1
        )
        self._items.append(Problem(file_order, line, column_order, name, column, message))

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def lines(self) -> list[str]:
        return [str(problem) for problem in sorted(self._items)]


@dataclass
class Row:
    """One data row: the values that could be read, and the columns that could not."""

    line: int
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.bad

    def __getitem__(self, column: str) -> Any:
        return self.values[column]

    def get(self, column: str) -> Any:
        """The column's value, or None when it is blank or could not be read."""
        return self.values.get(column)

    def has(self, *columns: str) -> bool:
        return all(column in self.values for column in columns)


@dataclass
class ParsedFile:
    """A file's rows; `readable` is False when the file as a whole could not be read (not
    UTF-8, not CSV, a wrong header), so checks against its contents would mislead."""

    spec: FileSpec
    rows: list[Row]
    readable: bool = True


def count_rows(data: bytes) -> int:
    """A quick upper bound on the data rows, for progress: lines after the header."""
    return max(data.count(b"\n") - (0 if data.endswith(b"\n") else -1) - 1, 0)


def read_files(
    *, sources: Mapping[str, bytes], problems: Problems, progress=None
) -> dict[str, ParsedFile]:
    """Read every known file in `sources` (name → bytes). Unknown names are problems; a file
    whose header is wrong yields no rows."""
    for name in sources:
        if name not in SPECS:
            problems.add(
                name,
                1,
                FILE,
                "is not one of the programme files (" + ", ".join(FILE_NAMES) + ")",
            )
    parsed: dict[str, ParsedFile] = {}
    for spec in SPECS.values():
        if spec.name in sources:
            parsed[spec.name] = read_file(
                spec=spec, data=sources[spec.name], problems=problems, progress=progress
            )
    return parsed


def read_file(*, spec: FileSpec, data: bytes, problems: Problems, progress=None) -> ParsedFile:
    text = _decode(spec, data, problems)
    if text is None:
        return ParsedFile(spec, [], readable=False)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        header = next(reader, None)
        if header is None:
            problems.add(spec, 1, HEADER, "the file is empty: it needs at least the header row")
            return ParsedFile(spec, [], readable=False)
        positions = _check_header(spec, header, problems)
        if positions is None:
            return ParsedFile(spec, [], readable=False)
        width = len(header)
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # blank lines mean nothing; spreadsheets leave them at the end
            if len(cells) != width:
                problems.add(spec, start, ROW, f"has {len(cells)} values; the header has {width}")
                continue
            rows.append(_read_row(spec, start, cells, positions, problems))
            if progress is not None and len(rows) % 1000 == 0:
                progress(1000)
    except csv.Error:
        problems.add(
            spec,
            reader.line_num,
            ROW,
            "could not be read as CSV (look for a stray quote mark or a control character)",
        )
        return ParsedFile(spec, rows, readable=False)
    if reader.line_num > 1 and not text.endswith(("\n", "\r")):
        # Every program that writes CSV ends the last line: a file without it was most
        # likely cut short, perhaps exactly between two values, which no count would show.
        problems.add(
            spec,
            reader.line_num,
            ROW,
            "does not end with a line break, so the file may have been cut short here: "
            "check this last line and save the file again",
        )
    if progress is not None:
        progress(len(rows) % 1000)
    return ParsedFile(spec, rows)


def _decode(spec: FileSpec, data: bytes, problems: Problems) -> str | None:
    try:
        # A byte-order mark is what Excel's "CSV UTF-8" writes first: not part of the header.
        return data.decode(ENCODING).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.add(spec, line, ROW, 'is not UTF-8 text: save the file as "CSV UTF-8"')
        return None


def _check_header(spec: FileSpec, header: list[str], problems: Problems) -> dict[str, int] | None:
    names = [cell.strip() for cell in header]
    expected = set(spec.column_names)
    if not expected & set(names):
        problems.add(
            spec,
            1,
            HEADER,
            "the first line must be the header: " + ", ".join(spec.column_names),
        )
        return None
    found = len(problems)
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in positions:
            problems.add(spec, 1, name, "the column appears twice")
        elif name in expected:
            positions[name] = index
        else:
            shown = name if _COLUMN_NAME.fullmatch(name) else f"column {index + 1}"
            problems.add(spec, 1, shown, "unexpected column")
    for column in spec.columns:
        if column.name not in positions and not column.may_be_absent:
            problems.add(spec, 1, column.name, "missing column")
    return positions if len(problems) == found else None


def _read_row(
    spec: FileSpec, line: int, cells: list[str], positions: dict[str, int], problems: Problems
) -> Row:
    row = Row(line=line, values={})
    for column in spec.columns:
        try:
            text = cells[positions[column.name]] if column.name in positions else ""
            row.values[column.name] = column.read(csv_cell_restore(text))
        except CellError as error:
            row.bad.add(column.name)
            problems.add(spec, line, column.name, str(error))
    return row
