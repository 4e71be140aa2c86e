"""No CSV the system writes lets a cell run as a spreadsheet formula, and the importer reads
a neutralised cell back exactly as it was."""

import csv
import io

import pytest
from django.urls import reverse

from audit.spreadsheets import csv_cell, csv_cell_restore, csv_writer
from exchange.exporter import programme_export
from exchange.importer import programme_check
from tests.factories import PracticeFactory
from tests.referrals.factories import ResourceFactory

HOSTILE = [
    '=HYPERLINK("http://example.com","x")',
    "@SUM(A1:A9)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1",
    "\r=1",
    "'=1",
    "''@x",
]
ORDINARY = ["", "Calder Street", "-3", "-0.25", "+44", "2024-01-31", "it's", "'quoted", "a=b"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text_and_read_back_exactly(value):
    written = csv_cell(value)
    assert written.startswith("'") and written != value
    assert csv_cell_restore(written) == value


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_cells_and_numbers_are_written_as_they_are(value):
    assert csv_cell(value) == value
    assert csv_cell_restore(value) == value


def test_the_writer_neutralises_every_cell_and_leaves_other_values_alone():
    buffer = io.StringIO()
    csv_writer(buffer).writerow(["=1+1", 7, None, "Alice"])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1+1", "7", "", "Alice"]


def test_the_programme_export_neutralises_cells_and_its_import_reads_them_exactly(db, admin_user):
    ResourceFactory(name='=HYPERLINK("http://evil")', organisation="@SUM(1)")
    files = programme_export(user=admin_user)
    rows = list(csv.DictReader(io.StringIO(files["resources.csv"].decode())))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["organisation"] == "'@SUM(1)"
    result = programme_check(sources=files, user=admin_user)
    assert result.ok and result.counts["resources.csv"].unchanged == 1


def test_dashboard_downloads_neutralise_names(as_user, lead):
    PracticeFactory(name="=cmd|calc")
    response = as_user(lead).get(reverse("reports:programme_dashboard") + "?download=practices")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "'=cmd|calc" in text and "\n=cmd" not in text and ",=cmd" not in text
