"""Export, import into an empty database, export again: the files come back byte for byte,
so the format loses nothing the files can say."""

import csv
import io

import pytest
from django.db import transaction

from exchange import reading
from exchange.exporter import programme_export
from exchange.formats import FILE_NAMES, SPECS
from exchange.importer import programme_import
from participants.models import Participant
from practices.models import Practice
from tests.factories import UserFactory


class _Rollback(Exception):
    pass


def _export_then_empty(admin_user, build) -> dict[str, bytes]:
    """Build and export inside a savepoint, then roll it back: the database is empty again
    (but for what migrations put there: the needs and categories lists)."""
    files: dict[str, bytes] = {}
    with pytest.raises(_Rollback), transaction.atomic():
        build()
        files.update(programme_export(user=admin_user))
        raise _Rollback
    assert not Participant.objects.exists() and not Practice.objects.exists()
    return files


def test_export_then_import_into_an_empty_database_then_export_gives_the_same_bytes(
    request, admin_user
):
    files = _export_then_empty(admin_user, lambda: request.getfixturevalue("programme"))

    importer = UserFactory(username="importer", is_superuser=True)
    result = programme_import(sources=files, user=importer)

    assert result.ok, result.problems
    assert programme_export(user=importer) == files


def test_the_round_trip_programme_fills_every_column_of_every_file(programme, admin_user):
    """Otherwise the round trip would not prove every column survives."""
    files = programme_export(user=admin_user)
    assert list(files) == list(FILE_NAMES)
    for name, data in files.items():
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
        assert rows, name
        for column in SPECS[name].column_names:
            assert any(row[column] for row in rows), f"{name}: {column} is always blank"


def test_an_export_imported_into_the_database_it_came_from_changes_nothing(programme, admin_user):
    files = programme_export(user=admin_user)

    result = programme_import(sources=files, user=admin_user, dry_run=True)

    assert result.ok, result.problems
    assert result.changes == 0
    assert {name: counts.unchanged for name, counts in result.counts.items()} == {
        "practices.csv": 2,
        "staff.csv": 4,
        "resources.csv": 2,
        "participants.csv": 2,
        "consultations.csv": 5,
        "referrals.csv": 4,
        "assessments.csv": 3,
        "staff_survey.csv": 4,
    }


def test_the_export_writes_utf8_with_a_header_and_quotes_values_that_need_it(programme, admin_user):
    files = programme_export(user=admin_user)

    practices = files["practices.csv"].decode("utf-8").splitlines()
    assert practices == [
        "code,name,health_board,deep_end,list_size,joined,left",
        "30001,Calder Street Practice,greater_glasgow_clyde,yes,5400,2017-04-01,",
        '30002,"Old Mill Surgery, Leith",lothian,no,,2018-01-15,2023-03-31',
    ]
    staff = files["staff.csv"].decode("utf-8").splitlines()
    assert staff == [
        "username,full_name,email,role,practice_codes,start_date",
        "kim.clp,Kim Clark,kim.clp@example.org,clp,30001;30002,2017-04-01",
        f"lee.lead,Lee Lead,lee.lead@example.org,programme_lead,,{_joined('lee.lead')}",
        # Named on old records but working nowhere now: a CLP with no practice.
        "old.clp,Former CLP,old@example.org,clp,,",
        "pat.pm,Pat Morgan,,practice_manager,30001,2018-02-01",
    ]
    participants = files["participants.csv"].decode("utf-8").splitlines()
    # Numeric order of references: P999 before P2001.
    assert [line.split(",")[0] for line in participants[1:]] == ["P999", "P2001"]


def _joined(username: str) -> str:
    from django.utils import timezone

    from accounts.models import User

    return timezone.localtime(User.objects.get(username=username).date_joined).date().isoformat()


def test_the_newer_measures_come_through_the_round_trip_and_are_scored(request, admin_user):
    from participants.models import Assessment

    files = _export_then_empty(admin_user, lambda: request.getfixturevalue("programme"))
    importer = UserFactory(username="importer", is_superuser=True)
    assert programme_import(sources=files, user=importer).ok
    baseline = Assessment.objects.get(participant__ref="P2001", timepoint="baseline")
    assert (baseline.eq5d_mobility, baseline.eq5d_vas, baseline.ons_anxiety) == (2, 55, 8)
    # EQ-5D 21345: 1 - (0.058 + 0 + 0.063 + 0.276 + 0.289) = 0.314
    assert baseline.eq5d_index == 0.314
    assert baseline.wemwbs_total is not None and baseline.swemwbs is not None


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_a_round_trip_read_a_few_rows_at_a_time_gives_the_same_bytes(
    request, admin_user, monkeypatch, chunk
):
    """Files are read, checked and written a chunk of rows at a time: a participant's rows
    split between chunks still import as one."""
    files = _export_then_empty(admin_user, lambda: request.getfixturevalue("programme"))
    monkeypatch.setattr(reading, "CHUNK_ROWS", chunk)

    importer = UserFactory(username="importer", is_superuser=True)
    result = programme_import(sources=files, user=importer)

    assert result.ok, result.problems
    assert programme_export(user=importer) == files
    again = programme_import(sources=files, user=importer, dry_run=True)
    assert again.ok and again.changes == 0
