"""PostgreSQL's fast path of loading: rows written by COPY, and the dashboards' running counts
recounted once instead of kept by a trigger a row; in a large import, the foreign keys checked
by the importer a batch at a time instead of by the database a row at a time."""

import random
import threading
import time
from datetime import date

import pytest
from django.db import connection

from exchange import reading
from exchange.importer import loading, programme_import
from exchange.importer.planning import ROW_COLUMNS, Planner
from participants.chi import make_chi
from participants.models import Assessment, Consultation, FollowUp, Participant
from referrals.models import Referral
from reports.figures import practice_figures_differences
from tests.exchange.conftest import load, replace_line
from tests.exchange.programme_files import programme_files
from tests.factories import UserFactory
from tests.participants.test_need_domains import need_domain_differences

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


def test_a_bulk_import_gives_each_consultation_its_participants_practice_and_clp(
    base_files, lead, monkeypatch, key_checks
):
    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", 1)

    assert load(base_files, user=lead).applied

    consultations = Consultation.objects.select_related("participant")
    assert consultations.count() == 2
    assert all(
        (c.practice_id, c.caseload_clp_id) == (c.participant.practice_id, c.participant.clp_id)
        for c in consultations
    )


def test_a_bulk_import_gives_each_participant_their_first_need_in_each_domain(
    base_files, lead, monkeypatch, key_checks
):
    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", 1)

    assert load(base_files, user=lead).applied

    assert Participant.objects.exclude(first_social_need_on=None).exists()
    assert need_domain_differences() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_consultation_given_another_practice_than_its_participants_is_refused(
    base_files, lead, monkeypatch
):
    """Should the planner ever give a participant who was already in the database a
    consultation of another practice, the check that stands in for the trigger refuses it."""
    assert load(base_files, user=lead).applied
    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", 1)
    monkeypatch.setattr(loading, "_may_skip_row_triggers", lambda: True)
    files = replace_line(
        base_files, "consultations.csv", 2, "P2001,2024-03-02,kim.clp,practice,30,yes"
    )
    flush = loading.Writer.flush

    def flush_with_a_stale_practice(writer):
        rows = writer.planner.rows[Consultation]
        at = ROW_COLUMNS[Consultation].index("practice_id")
        rows[:] = [(*row[:at], None, *row[at + 1 :]) for row in rows]
        flush(writer)

    monkeypatch.setattr(loading.Writer, "flush", flush_with_a_stale_practice)

    result = load(files, user=lead)

    assert not result.applied
    assert "participants_consultation_owner" in " ".join(result.problems)
    assert Consultation.objects.count() == 2
    assert _disabled_triggers() == []


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


def test_every_trigger_on_the_follow_ups_a_bulk_import_leaves_out_has_a_stand_in():
    """A bulk import writes the follow-ups without their row triggers (`Writer.finish`): a
    trigger added to that table must be listed, with what does its work then."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid = 'participants_followup'::regclass"
        )
        triggers = {name for (name,) in cursor.fetchall()}
    assert triggers == set(loading.FOLLOW_UP_TRIGGERS)


@pytest.mark.parametrize("recount_from", [1, 10**9])
def test_the_follow_ups_an_import_schedules_carry_their_participants_practice_and_clp(
    base_files, lead, monkeypatch, recount_from, key_checks
):
    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", recount_from)

    assert load(base_files, user=lead, today=date(2025, 6, 1)).applied

    follow_ups = FollowUp.objects.select_related("participant")
    assert follow_ups.count() == Assessment.objects.filter(timepoint="baseline").count()
    assert all(
        (f.practice_id, f.clp_id) == (f.participant.practice_id, f.participant.clp_id)
        for f in follow_ups
    )
    assert practice_figures_differences() == []


def _in_the_second_thread(monkeypatch, *, before=None) -> list[tuple[float, float]]:
    """Each chunk's COPYs' (start, end), checked to run in a thread other than the
    importer's; `before()` runs first there."""
    spans: list[tuple[float, float]] = []
    importer = threading.get_ident()
    run = loading.Writer._run

    def traced(writer, writes):
        started: list[float] = []

        def first(cursor):
            assert threading.get_ident() != importer
            started.append(time.monotonic())
            if before is not None:
                before()

        def last(cursor):
            spans.append((started[0], time.monotonic()))

        run(writer, [first, *writes, last] if writes else writes)

    monkeypatch.setattr(loading.Writer, "_run", traced)
    return spans


def test_the_importer_never_queries_while_a_copy_runs_in_the_second_thread(lead, monkeypatch):
    """The importer looks up a chunk while the chunk before is written: its queries wait."""
    monkeypatch.setattr(reading, "CHUNK_ROWS", 1)
    spans = _in_the_second_thread(monkeypatch, before=lambda: time.sleep(0.02))
    asked: list[float] = []
    planner_look_up = Planner.look_up

    def look_up(planner, spec, rows):
        asked.append(time.monotonic())
        planner_look_up(planner, spec, rows)

    monkeypatch.setattr(Planner, "look_up", look_up)
    importer = threading.get_ident()
    finished: list[float] = []

    def record(execute, sql, params, many, context):
        if threading.get_ident() == importer:
            try:
                return execute(sql, params, many, context)
            finally:
                finished.append(time.monotonic())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        result = programme_import(
            sources=programme_files(participants=12), user=lead, today=date(2026, 1, 31)
        )
    assert result.applied, result.problems[:3]

    # Chunks were looked up while a COPY ran (so the test can fail), and no query of the
    # importer's ended before the COPY did.
    assert [at for at in asked for start, end in spans if start < at < end]
    assert not [at for at in finished for start, end in spans if start < at < end]


def test_a_copy_that_fails_in_the_second_thread_fails_the_import_and_nothing_is_saved(
    base_files, lead, monkeypatch, key_checks
):
    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", 1)
    spans = _in_the_second_thread(monkeypatch)
    flush = loading.Writer.flush

    def flush_twice_each_assessment(writer):
        # Two baselines for one participant: the database's unique rule refuses the COPY.
        writer.planner.rows[Assessment] *= 2
        flush(writer)

    monkeypatch.setattr(loading.Writer, "flush", flush_twice_each_assessment)

    result = load(base_files, user=lead)

    assert spans  # the COPYs ran, in the second thread
    assert not result.applied
    assert result.problems == [
        "The database refused the import by its rule "
        '"assessment_one_per_timepoint": nothing was imported. Check the files against that '
        "rule, or import the files one at a time to find the row."
    ]
    assert not Participant.objects.exists()
    assert not Assessment.objects.exists()
    assert _disabled_triggers() == []
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def test_an_error_of_the_importer_while_a_copy_runs_waits_for_it_and_saves_nothing(
    base_files, lead, monkeypatch
):
    spans = _in_the_second_thread(monkeypatch, before=lambda: time.sleep(0.2))
    look_up = Planner.look_up

    def look_up_then_fail(planner, spec, rows):
        look_up(planner, spec, rows)
        if spec.name == "referrals.csv":
            raise RuntimeError("the importer broke")

    monkeypatch.setattr(Planner, "look_up", look_up_then_fail)

    with pytest.raises(RuntimeError, match="the importer broke"):
        load(base_files, user=lead)

    assert spans  # the COPY in flight ended before the rollback
    assert not Participant.objects.exists()
    assert not Consultation.objects.exists()


def test_a_bulk_import_checks_and_locks_the_keys_of_rows_it_did_not_write_itself(
    base_files, lead, monkeypatch
):
    """A row the import wrote is seen by nobody else before the commit: a key to it needs no
    check; a key to a row that was there before (the staff, a participant of an earlier
    import) is checked and locked."""
    assert load(base_files, user=lead).applied
    before = set(Participant.objects.values_list("pk", flat=True))
    monkeypatch.setattr(loading, "_may_skip_row_triggers", lambda: True)
    monkeypatch.setattr("exchange.importer.loading.RECOUNT_FROM", 1)
    checked: dict[str, set[int]] = {}
    check_keys = loading._check_keys

    def recording(cursor, model, keys, quote):
        for field, given in keys:
            checked.setdefault(field.name, set()).update(given)
        check_keys(cursor, model, keys, quote)

    monkeypatch.setattr(loading, "_check_keys", recording)
    line = base_files["participants.csv"].splitlines()[1].split(",")
    chi = make_chi(date_of_birth=date(1961, 2, 24), sex="female", rng=random.Random(7))
    line[0], line[3] = "P2999", chi  # a new participant
    files = dict(base_files)
    files["participants.csv"] += ",".join(line) + "\n"
    consultation = base_files["consultations.csv"].splitlines()[1]
    # One more like the first, of a participant imported before, and one of the new one.
    files["consultations.csv"] += consultation + "\n"
    files["consultations.csv"] += ",".join(["P2999", *consultation.split(",")[1:]]) + "\n"

    assert load(files, user=lead).applied

    new = Participant.objects.get(ref="P2999").pk
    assert new not in checked["participant"]
    assert checked["participant"] and checked["participant"] <= before
    assert checked["clp"] == set(Participant.objects.values_list("clp_id", flat=True))
