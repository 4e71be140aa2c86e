"""PostgreSQL's fast path of loading: rows written by COPY, and the dashboards' running counts
recounted once instead of kept by a trigger a row."""

import pytest
from django.db import connection

from participants.models import Consultation, Participant
from reports.figures import practice_figures_differences
from tests.exchange.conftest import load, replace_line
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]


@pytest.fixture
def lead(db):
    return UserFactory(username="lead", is_programme_lead=True)


def _disabled_triggers() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'reports_figures_%' "
            "AND tgenabled = 'D'"
        )
        return [name for (name,) in cursor.fetchall()]


def test_text_with_tabs_backslashes_and_line_breaks_is_written_as_it_reads(base_files, lead):
    line = base_files["participants.csv"].splitlines()[1].split(",")
    line[4], line[5] = '"Mor\\ven\tA"', '"Te\nst"'
    files = replace_line(base_files, "participants.csv", 2, ",".join(line))

    assert load(files, user=lead).applied

    participant = Participant.objects.get(ref="P2001")
    assert (participant.first_name, participant.last_name) == ("Mor\\ven\tA", "Te\nst")
    assert participant.consultations.count() == 2  # the ids reserved were the ones written


@pytest.mark.parametrize("recount_from", [1, 10**9])
def test_the_running_counts_agree_with_the_records_after_an_import(
    base_files, lead, monkeypatch, recount_from
):
    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", recount_from)

    assert load(base_files, user=lead).applied

    assert practice_figures_differences() == []
    assert _disabled_triggers() == []
    # The triggers count what is written after the import again.
    consultation = Consultation.objects.first()
    Consultation.objects.create(
        participant=consultation.participant,
        clp=consultation.clp,
        date=consultation.date,
        mode=consultation.mode,
        duration_minutes=0,
        attended=False,
    )
    assert practice_figures_differences() == []


def test_a_failed_import_leaves_the_triggers_on(base_files, lead, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", 1)
    monkeypatch.setattr("exchange.importer.loading.followups_run", broken)
    with pytest.raises(RuntimeError):
        load(base_files, user=lead)

    assert _disabled_triggers() == []
    assert not Participant.objects.exists()
