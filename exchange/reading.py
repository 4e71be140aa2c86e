"""Reading the programme files: text, CSV, header and each cell, with every problem found
reported as `file:line: column: message` (never with the cell's value)."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from audit.spreadsheets import csv_cell_restore
from exchange.formats import ENCODING, FILE_NAMES, SPECS, CellError, FileSpec, local_today

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


# Problems kept in memory and listed; the others are only counted.
PROBLEMS_KEPT = 10_000


class Problems:
    """Every problem found, in file order then line order when listed; past `kept`, only
    the first ones in that order are kept, and the rest counted (a file of a million bad
    rows would otherwise be a million messages in memory)."""

    def __init__(self, kept: int | None = None) -> None:
        self._items: list[Problem] = []
        self._kept = kept or PROBLEMS_KEPT
        self._count = 0

    def add(self, spec: FileSpec | str, line: int, column: str, message: str) -> None:
        name = spec if isinstance(spec, str) else spec.name
        file_order = FILE_NAMES.index(name) if name in FILE_NAMES else -1
        column_order = (
            SPECS[name].column_names.index(column)
            if name in SPECS and column in SPECS[name].column_names
            else -1
        )
        self._items.append(Problem(file_order, line, column_order, name, column, message))
        self._count += 1
        if len(self._items) >= 2 * self._kept:
            self._items = sorted(self._items)[: self._kept]

    def __bool__(self) -> bool:
        return bool(self._count)

    def __len__(self) -> int:
        return self._count

    def lines(self) -> list[str]:
        return [str(problem) for problem in sorted(self._items)[: self._kept]]


class Row(dict[str, Any]):
    """One data row: the values that could be read, by column (the row is a dict of them:
    the planner reads millions of cells, and a dict's own `get` is a third of the time of
    a method that calls it), the row's line, and the columns that could not be read.
    `get` gives None for a column that could not be read."""

    __slots__ = ("bad", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.bad: set[str] = set()

    @property
    def ok(self) -> bool:
        return not self.bad

    if TYPE_CHECKING:  # dict's own at run time; a cell's value is of any type

        def get(self, column: str, default: Any = None, /) -> Any: ...

    def has(self, *columns: str) -> bool:
        return all(column in self for column in columns)


# A source: the file's bytes, a path, or a callable that opens it for reading in binary.
Source = bytes | os.PathLike | Callable[[], Any]
# Rows checked and written at a time: what a file costs in memory is a chunk of rows.
CHUNK_ROWS = 5000
_BLOCK = 1 << 20


class Unreadable(Exception):
    """A file as a whole could not be read (not UTF-8, not CSV, a wrong header): checks
    against its contents would mislead, so the import stops and reports reading only."""


def open_source(source: Source) -> BinaryIO:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    if isinstance(source, os.PathLike):
        return open(source, "rb")  # the caller closes it
    return source()


def count_rows(source: Source) -> int:
    """A quick upper bound on the data rows, for progress: lines after the header."""
    lines, last = 0, b""
    with open_source(source) as handle:
        while block := handle.read(_BLOCK):
            lines += block.count(b"\n")
            last = block
    return max(lines - (0 if last.endswith(b"\n") or not last else -1) - 1, 0)


def unknown_files(*, sources: Iterable[str], problems: Problems) -> None:
    for name in sources:
        if name not in SPECS:
            problems.add(
                name,
                1,
                FILE,
                "is not one of the programme files (" + ", ".join(FILE_NAMES) + ")",
            )


def reading_problems(*, sources: Mapping[str, Source], problems: Problems) -> None:
    """Every problem of reading the files (not of checking them against each other or the
    database), as when a file cannot be read at all: a file that is not UTF-8 gets that one
    problem, the others each of their rows'."""
    unknown_files(sources=sources, problems=problems)
    for spec in SPECS.values():
        if spec.name not in sources:
            continue
        line = _not_utf8_at(sources[spec.name])
        if line is not None:
            problems.add(spec, line, ROW, _NOT_UTF8)
            continue
        try:
            for _ in read_chunks(spec=spec, source=sources[spec.name], problems=problems):
                pass
        except Unreadable:
            pass


_NOT_UTF8 = 'is not UTF-8 text: save the file as "CSV UTF-8"'


def _not_utf8_at(source: Source) -> int | None:
    """The line of the first byte that is not UTF-8, if any, reading a block at a time."""
    decoder = codecs.getincrementaldecoder(ENCODING)()
    lines = 0
    with open_source(source) as handle:
        while block := handle.read(_BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return lines + block.count(b"\n", 0, max(error.start, 0)) + 1
            lines += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return lines + 1
    return None


class _Lines:
    """The file's lines as text, remembering the last one (was the file cut short?)."""

    def __init__(self, text: io.TextIOBase) -> None:
        self.text, self.last = text, ""

    def __iter__(self) -> Iterator[str]:
        for line in self.text:
            self.last = line
            yield line


def read_chunks(
    *,
    spec: FileSpec,
    source: Source,
    problems: Problems,
    size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[Row]]:
    """The file's rows, `size` at a time, read as they are needed: a file costs a chunk of
    rows in memory, whatever its length. Raises `Unreadable` (its problem recorded) when the
    file as a whole cannot be read, perhaps after some chunks."""
    size = size or CHUNK_ROWS
    with open_source(source) as handle:
        # A byte-order mark is what Excel's "CSV UTF-8" writes first: not part of the header.
        lines = _Lines(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))
        reader = csv.reader(lines, strict=True)
        rows: list[Row] = []
        try:
            header = next(reader, None)
            if header is None:
                problems.add(spec, 1, HEADER, "the file is empty: it needs at least the header row")
                raise Unreadable(spec.name)
            positions = _check_header(spec, header, problems)
            if positions is None:
                raise Unreadable(spec.name)
            width = len(header)
            layout = _layout(spec, positions)
            day = local_today()
            line = reader.line_num + 1
            for cells in reader:
                start, line = line, reader.line_num + 1
                # A row's first cell is rarely blank: only then are the others looked at.
                if not (cells and cells[0].strip()) and not any(cell.strip() for cell in cells):
                    continue  # blank lines mean nothing; spreadsheets leave them at the end
                if len(cells) != width:
                    problems.add(
                        spec, start, ROW, f"has {len(cells)} values; the header has {width}"
                    )
                    continue
                rows.append(_read_row(spec, start, cells, layout, problems))
                if len(rows) >= size:
                    if progress is not None:
                        progress(len(rows))
                    yield rows
                    rows = []
                    if local_today() != day:  # a date read yesterday may be too old today
                        day = local_today()
                        layout = _layout(spec, positions)
        except csv.Error:
            problems.add(
                spec,
                reader.line_num,
                ROW,
                "could not be read as CSV (look for a stray quote mark or a control character)",
            )
            raise Unreadable(spec.name) from None
        except UnicodeDecodeError:
            # Where exactly is found again by `reading_problems`, which reports it.
            problems.add(spec, reader.line_num + 1, ROW, _NOT_UTF8)
            raise Unreadable(spec.name) from None
        if reader.line_num > 1 and not lines.last.endswith(("\n", "\r")):
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
            progress(len(rows))
        if rows:
            yield rows


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


# Cells remembered per column, read (a file repeats its choices, numbers, dates and staff
# on every row, and a participant's ref on the rows of theirs that follow each other:
# most of its cells are ones already read).
MEMO_CELLS = 4096
_UNREAD = object()

Layout = list[tuple[str, int | None, Callable[[str], Any], dict[str, Any]]]


def _layout(spec: FileSpec, positions: dict[str, int]) -> Layout:
    """Each column's name, place in the row (None: left out of the file), reader and the
    cells it has read, worked out once a file rather than once a cell."""
    return [(column.name, positions.get(column.name), column.read, {}) for column in spec.columns]


def _read_row(
    spec: FileSpec,
    line: int,
    cells: list[str],
    layout: Layout,
    problems: Problems,
) -> Row:
    row = values = Row(line)
    for name, index, read, memo in layout:
        cell = cells[index] if index is not None else ""
        value = memo.get(cell, _UNREAD)
        if value is _UNREAD:
            # A value is the same whichever row it is read in (a date's plausible range
            # moves with the day, and the layout is made again when the day changes).
            text = cell
            if text[:1] == "'":  # only such a cell can be one written safe for spreadsheets
                text = csv_cell_restore(text)
            try:
                value = read(text)
            except CellError as error:
                row.bad.add(name)
                problems.add(spec, line, name, str(error))
                continue
            if len(memo) >= MEMO_CELLS:
                memo.clear()  # the cells of the last few thousand rows are the likeliest
            memo[cell] = value
        values[name] = value
    return row
