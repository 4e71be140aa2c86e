"""PostgreSQL's fast path of loading: rows written by COPY, and the dashboards' running counts
recounted once instead of kept by a trigger a row; in a large import, the foreign keys checked
by the importer a batch at a time instead of by the database a row at a time."""

import pytest
from django.db import connection

from exchange.importer import loading
from exchange.importer.planning import ROW_COLUMNS
from participants.models import Consultation, Participant
from referrals.models import Referral
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


@pytest.fixture(params=["own key checks", "the database's key checks"])
def key_checks(request, monkeypatch):
    """Whether the connection may leave the row triggers out of a COPY (a superuser's, or
    one granted session_replication_role, may); either way the import must hold."""
    allowed = request.param == "own key checks"
    monkeypatch.setattr(loading, "_may_skip_row_triggers", lambda: allowed)
    return allowed


@pytest.mark.parametrize("recount_from", [1, 10**9])
def test_the_running_counts_agree_with_the_records_after_an_import(
    base_files, lead, monkeypatch, recount_from, key_checks
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


def test_a_failed_import_leaves_the_triggers_on(base_files, lead, monkeypatch, key_checks):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", 1)
    monkeypatch.setattr("exchange.importer.loading.followups_schedule", broken)
    with pytest.raises(RuntimeError):
        load(base_files, user=lead)

    assert _disabled_triggers() == []
    assert not Participant.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # checks run at commit
@pytest.mark.parametrize("recount_from", [1, 10**9])
def test_a_row_pointing_at_a_row_that_is_not_there_is_refused_and_nothing_is_written(
    base_files, lead, monkeypatch, recount_from, key_checks
):
    """The planner only gives keys it found or wrote; should one go missing all the same
    (a row deleted meanwhile), the key's check refuses the import whoever makes it."""
    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", recount_from)
    flush = loading.Writer.flush

    def flush_with_a_lost_clp(writer):
        rows = writer.planner.rows[Consultation]
        clp = ROW_COLUMNS[Consultation].index("clp_id")
        rows[:] = [(*row[:clp], 10**9, *row[clp + 1 :]) for row in rows]
        flush(writer)

    monkeypatch.setattr(loading.Writer, "flush", flush_with_a_lost_clp)

    result = load(base_files, user=lead)

    assert not result.applied
    assert len(result.problems) == 1
    assert "The database refused the import by its rule" in result.problems[0]
    assert "clp_id" in result.problems[0] and "fk" in result.problems[0]
    assert not Participant.objects.exists()
    assert _disabled_triggers() == []


def test_a_bulk_import_gives_each_referral_its_participants_practice(
    base_files, lead, monkeypatch, key_checks
):
    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", 1)

    assert load(base_files, user=lead).applied

    referrals = Referral.objects.select_related("participant")
    assert referrals.exists()
    assert all(r.practice_id == r.participant.practice_id for r in referrals)


def test_every_insert_trigger_a_copy_may_leave_out_has_a_stand_in():
    """A bulk COPY runs without the tables' row triggers (`loading._copy`): a trigger added
    to one of these tables must be listed, with what does its work in a bulk import."""
    tables = [model._meta.db_table for model in loading.COPIED] + ["audit_auditevent"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid::regclass::text = ANY(%s) AND tgtype & 4 = 4",  # fires on INSERT
            [tables],
        )
        on_insert = {name for (name,) in cursor.fetchall()}
    assert on_insert == set(loading.COPY_TRIGGERS)
