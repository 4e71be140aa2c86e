"""Loading the published SIMD postcode lookup. The lookup decides which participants count as
living in the most deprived areas, so a file that is wrong anywhere must change nothing."""

import csv
import math
import os
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from participants import simd
from participants.models import SimdPostcode
from participants.simd import SimdFileError, simd_for_postcode, simd_import

HEADER = [
    "Postcode",
    "DZ",
    "SIMD2020v2_Rank",
    "SIMD2020v2_Vigintile",
    "SIMD2020v2_Decile",
    "SIMD2020v2_Quintile",
    "IZ",
    "LA",
    "HB",
]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _row(postcode, rank=100, *, data_zone="S01010001"):
    """A row as published: the bands follow from the rank, then the ignored extra columns."""
    return [
        postcode,
        data_zone,
        rank,
        math.ceil(rank * 20 / 6976),
        math.ceil(rank * 10 / 6976),
        math.ceil(rank * 5 / 6976),
        "S02001234",
        "S12000049",
        "S08000031",
    ]


def _csv(path, rows, *, header=HEADER, encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _xlsx(path, rows, *, sheet="All postcodes", header=HEADER):
    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["SIMD 2020v2 postcode lookup"])
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(header)
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


def _postcodes(n):
    """n distinct valid postcodes: 4,000 per outward code."""
    outwards = [f"G{district}" for district in range(21, 100)]
    return [
        f"{outwards[i // 4000]} {i % 10}{INWARD_LETTERS[i // 10 % 20]}"
        f"{INWARD_LETTERS[i // 200 % 20]}"
        for i in range(n)
    ]


def _lookup():
    return dict(SimdPostcode.objects.values_list("postcode", "quintile"))


@pytest.fixture
def previous_lookup(db):
    SimdPostcode.objects.create(
        postcode="G99 9ZZ", data_zone="S01000001", rank=6000, vigintile=18, decile=9, quintile=5
    )
    return {"G99 9ZZ": 5}


def test_a_csv_lookup_is_loaded_and_the_number_of_postcodes_returned(db, tmp_path):
    path = _csv(tmp_path / "simd.csv", [_row("G21 1AA", 350), _row("G12 8AB", 6500)])

    assert simd_import(path=path) == 2

    g21 = SimdPostcode.objects.get(pk="G21 1AA")
    assert (g21.data_zone, g21.rank, g21.vigintile, g21.decile, g21.quintile) == (
        "S01010001",
        350,
        2,
        1,
        1,
    )
    assert SimdPostcode.objects.get(pk="G12 8AB").quintile == 5


def test_an_xlsx_lookup_is_read_from_its_all_postcodes_sheet_ignoring_other_columns(db, tmp_path):
    # Excel hands whole numbers back as floats; the published sheet is not the first one.
    rows = [_row("G21 1AA", 350), ["G40 1RS", "S01010002", 1400.0, 5.0, 3.0, 2.0, "x", "y", "z"]]
    path = _xlsx(tmp_path / "simd.xlsx", rows)

    assert simd_import(path=path) == 2

    g40 = SimdPostcode.objects.get(pk="G40 1RS")
    assert (g40.rank, g40.vigintile, g40.decile, g40.quintile) == (1400, 5, 3, 2)


def test_an_xlsx_lookup_with_blank_rows_at_the_end_loads_the_rows_above_them(db, tmp_path):
    path = _xlsx(tmp_path / "simd.xlsx", [_row("G21 1AA"), [None] * 9, [None, "", None]])

    assert simd_import(path=path) == 1


def test_a_csv_saved_by_excel_with_a_byte_order_mark_and_blank_trailing_rows_is_read(db, tmp_path):
    path = _csv(
        tmp_path / "simd.csv",
        [_row("G21 1AA"), [""] * 9, [""] * 9],
        encoding="utf-8-sig",
    )

    assert simd_import(path=path) == 1
    assert _lookup() == {"G21 1AA": 1}


def test_numbers_written_as_text_or_with_a_trailing_point_zero_are_accepted(db, tmp_path):
    path = _csv(tmp_path / "simd.csv", [["G21 1AA", "S01010001", " 1400 ", "5.0", "3", "2.0"]])

    simd_import(path=path)

    row = SimdPostcode.objects.get(pk="G21 1AA")
    assert (row.rank, row.vigintile, row.decile, row.quintile) == (1400, 5, 3, 2)


def test_postcodes_in_lower_case_or_without_a_space_are_stored_in_the_one_standard_form(
    db, tmp_path
):
    path = _csv(tmp_path / "simd.csv", [_row("g211aa"), _row("  g12   8ab "), _row("G34 9PQ")])

    simd_import(path=path)

    assert set(_lookup()) == {"G21 1AA", "G12 8AB", "G34 9PQ"}


def test_a_file_missing_required_columns_is_refused_naming_exactly_those_columns(
    previous_lookup, tmp_path
):
    header = ["Postcode", "DZ", "SIMD2020v2_Rank", "SIMD2020v2_Vigintile", "IZ"]
    path = _csv(
        tmp_path / "simd.csv", [["G21 1AA", "S01010001", 100, 1, "S02001234"]], header=header
    )

    with pytest.raises(SimdFileError) as refused:
        simd_import(path=path)

    assert str(refused.value) == (
        "The file is missing the columns: SIMD2020v2_Decile, SIMD2020v2_Quintile"
    )
    assert _lookup() == previous_lookup


def test_a_bad_value_in_the_last_row_refuses_the_whole_file_and_keeps_the_previous_lookup(
    previous_lookup, tmp_path
):
    # More rows than one batch, so some were already written when the last row is read.
    rows = [_row(postcode) for postcode in _postcodes(simd.BATCH_SIZE + 1)]
    rows[-1][5] = 6
    path = _csv(tmp_path / "simd.csv", rows)

    with pytest.raises(SimdFileError) as refused:
        simd_import(path=path)

    assert f"line {simd.BATCH_SIZE + 2}: SIMD2020v2_Quintile: 6 is not between 1 and 5" in str(
        refused.value
    )
    assert _lookup() == previous_lookup


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (0, "G21", '"G21" is not a valid UK postcode'),
        (0, "", "is blank"),
        (1, "S02001234", '"S02001234" is not a data zone code like S01006506'),
        (1, "S0100650", '"S0100650" is not a data zone code like S01006506'),
        (2, 0, "0 is not between 1 and 6976"),
        (2, 6977, "6977 is not between 1 and 6976"),
        (2, "3.5", '"3.5" is not a whole number'),
        (3, 21, "21 is not between 1 and 20"),
        (4, 0, "0 is not between 1 and 10"),
        (4, -1, "-1 is not between 1 and 10"),
        (5, "high", '"high" is not a whole number'),
        (5, "", "is blank"),
    ],
)
def test_each_kind_of_bad_value_is_refused_naming_its_line_and_column(
    previous_lookup, tmp_path, column, value, message
):
    row = _row("G21 2BB")
    row[column] = value
    path = _csv(tmp_path / "simd.csv", [_row("G21 1AA"), row])

    with pytest.raises(SimdFileError) as refused:
        simd_import(path=path)

    assert f"line 3: {HEADER[column]}: {message}" in str(refused.value)
    assert _lookup() == previous_lookup


def test_a_fraction_from_a_workbook_is_refused_rather_than_rounded(previous_lookup, tmp_path):
    row = _row("G21 1AA")
    row[4] = 2.5
    path = _xlsx(tmp_path / "simd.xlsx", [row])

    with pytest.raises(
        SimdFileError, match=re.escape('line 2: SIMD2020v2_Decile: "2.5" is not a whole')
    ):
        simd_import(path=path)


def test_at_most_ten_problems_are_listed_each_on_its_own_line(previous_lookup, tmp_path):
    rows = [_row(postcode) for postcode in _postcodes(20)]
    for row in rows:
        row[1] = "nowhere"
    path = _csv(tmp_path / "simd.csv", rows)

    with pytest.raises(SimdFileError) as refused:
        simd_import(path=path)

    listed = [line for line in str(refused.value).splitlines() if line.startswith("line ")]
    assert listed[0] == 'line 2: DZ: "NOWHERE" is not a data zone code like S01006506'
    assert [line.split(":")[0] for line in listed] == [f"line {n}" for n in range(2, 12)]


def test_a_postcode_listed_twice_is_refused_even_when_written_differently(
    previous_lookup, tmp_path
):
    path = _csv(tmp_path / "simd.csv", [_row("G21 1AA"), _row("G22 5DN"), _row("g211aa")])

    with pytest.raises(SimdFileError, match="line 4: Postcode: G21 1AA is already on line 2"):
        simd_import(path=path)

    assert _lookup() == previous_lookup


def test_importing_again_replaces_the_lookup_so_postcodes_not_in_the_new_file_are_gone(
    db, tmp_path
):
    simd_import(path=_csv(tmp_path / "old.csv", [_row("G21 1AA", 100), _row("G22 5DN", 100)]))

    simd_import(path=_csv(tmp_path / "new.csv", [_row("G21 1AA", 3000), _row("G12 8AB", 6900)]))

    assert _lookup() == {"G21 1AA": 3, "G12 8AB": 5}


def test_a_workbook_without_the_all_postcodes_sheet_is_refused_naming_the_sheet(
    previous_lookup, tmp_path
):
    path = _xlsx(tmp_path / "simd.xlsx", [_row("G21 1AA")], sheet="Postcodes")

    with pytest.raises(SimdFileError, match='no sheet called "All postcodes"'):
        simd_import(path=path)

    assert _lookup() == previous_lookup


def test_a_file_with_headers_but_no_postcodes_is_refused_rather_than_emptying_the_lookup(
    previous_lookup, tmp_path
):
    path = _csv(tmp_path / "simd.csv", [[""] * 9])

    with pytest.raises(SimdFileError, match="no postcodes"):
        simd_import(path=path)

    assert _lookup() == previous_lookup


def test_an_empty_file_is_refused(previous_lookup, tmp_path):
    path = tmp_path / "simd.csv"
    path.write_text("")

    with pytest.raises(SimdFileError, match="The file is empty"):
        simd_import(path=path)


def test_a_csv_that_is_not_utf8_is_refused_and_keeps_the_previous_lookup(previous_lookup, tmp_path):
    rows = [_row(postcode) for postcode in _postcodes(3)]
    rows[-1][7] = "Dùn Èideann"  # an ignored column, in Windows-1252
    path = _csv(tmp_path / "simd.csv", rows, encoding="cp1252")

    with pytest.raises(SimdFileError, match="not UTF-8"):
        simd_import(path=path)

    assert _lookup() == previous_lookup


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("simd.txt", b"Postcode,DZ", "is not an .xlsx or .csv file"),
        ("simd.xlsx", b"not a workbook", "could not be opened as an Excel workbook"),
    ],
)
def test_a_file_that_is_not_a_lookup_at_all_is_refused(db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(SimdFileError, match=message):
        simd_import(path=path)


def test_a_file_that_does_not_exist_is_refused(db, tmp_path):
    with pytest.raises(SimdFileError, match="There is no file at"):
        simd_import(path=tmp_path / "missing.csv")


def test_a_known_postcode_is_found_however_it_is_written(db, tmp_path):
    simd_import(path=_csv(tmp_path / "simd.csv", [_row("G21 1AA", 350)]))

    assert simd_for_postcode("G21 1AA").quintile == 1
    assert simd_for_postcode(" g211aa ").postcode == "G21 1AA"


@pytest.mark.parametrize("postcode", ["G21 1AB", "G21", "", "not a postcode"])
def test_an_unknown_or_invalid_postcode_has_no_simd_and_nothing_nearby_is_guessed(
    db, tmp_path, postcode
):
    simd_import(path=_csv(tmp_path / "simd.csv", [_row("G21 1AA", 350)]))

    assert simd_for_postcode(postcode) is None


def test_the_command_reports_how_many_postcodes_it_loaded(db, tmp_path):
    path = _csv(tmp_path / "simd.csv", [_row("G21 1AA"), _row("G12 8AB")])
    out = StringIO()

    call_command("import_simd", str(path), stdout=out)

    assert out.getvalue() == f"Loaded 2 postcodes from {path}.\n"
    assert set(_lookup()) == {"G21 1AA", "G12 8AB"}


def test_the_command_refuses_a_bad_file_with_the_reason(previous_lookup, tmp_path):
    path = _csv(tmp_path / "simd.csv", [_row("G21 1AA")], header=HEADER[:5])

    with pytest.raises(CommandError, match=r"missing the columns: SIMD2020v2_Quintile$"):
        call_command("import_simd", str(path), stdout=StringIO())

    assert _lookup() == previous_lookup


def test_run_from_the_shell_the_command_exits_non_zero_and_explains_on_stderr(tmp_path):
    """A real process, because the exit status is what scripts and schedulers see. The header
    is refused before the database is used, and the database is a scratch file anyway."""
    path = _csv(tmp_path / "simd.csv", [_row("G21 1AA")], header=HEADER[:4])
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'scratch.sqlite3'}"}

    result = subprocess.run(
        [sys.executable, "manage.py", "import_simd", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert result.stdout == ""
    assert (
        "The file is missing the columns: SIMD2020v2_Decile, SIMD2020v2_Quintile" in result.stderr
    )


def test_importing_twelve_thousand_postcodes_takes_a_bounded_number_of_queries(
    db, tmp_path, django_assert_max_num_queries
):
    """Rows go in batches, not one insert each. On SQLite Django splits a batch to 166 rows
    (999 parameters / 6 columns), so 73 inserts; on PostgreSQL 3."""
    path = _csv(tmp_path / "simd.csv", [_row(postcode) for postcode in _postcodes(12_000)])

    with django_assert_max_num_queries(100):
        loaded = simd_import(path=path)

    assert loaded == 12_000
    assert SimdPostcode.objects.count() == 12_000


def test_a_new_lookup_updates_the_deprivation_of_participants_already_registered(db, tmp_path):
    from tests.factories import ParticipantFactory

    header = (
        "Postcode,DZ,SIMD2020v2_Rank,SIMD2020v2_Vigintile,SIMD2020v2_Decile,SIMD2020v2_Quintile"
    )
    first = tmp_path / "first.csv"
    first.write_text(f"{header}\nG21 1AA,S01010101,100,1,1,1\nG12 8AB,S01010102,6000,18,9,5\n")
    simd_import(path=first)
    moved = ParticipantFactory(postcode="G21 1AA")
    gone = ParticipantFactory(postcode="G12 8AB")
    assert (moved.simd_quintile, gone.simd_quintile) == (None, None)  # factories skip services

    second = tmp_path / "second.csv"
    second.write_text(f"{header}\nG21 1AA,S01010101,1500,5,3,2\n")
    simd_import(path=second)
    moved.refresh_from_db()
    gone.refresh_from_db()
    assert (moved.simd_data_zone, moved.simd_decile, moved.simd_quintile) == ("S01010101", 3, 2)
    assert (gone.simd_data_zone, gone.simd_decile, gone.simd_quintile) == ("", None, None)
