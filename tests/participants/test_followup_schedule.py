import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction

from participants import followups
from participants.dates import FOLLOW_UP_MONTHS, add_months
from participants.followups import (
    followup_complete,
    followups_after_reopen,
    followups_run,
    followups_schedule,
)
from participants.models import OPEN_FOLLOW_UP_STATUSES, Assessment, FollowUp, FollowUpStatus
from participants.services import participant_close, participant_reopen
from tests.factories import ParticipantFactory

BASELINE = date(2026, 1, 10)
DUE = date(2026, 10, 10)


def _baseline(participant, on=BASELINE):
    return Assessment.objects.create(
        participant=participant, timepoint="baseline", date=on, recorded_by=participant.clp
    )


@pytest.fixture
def baseline(participant_a):
    return _baseline(participant_a)


def test_nothing_is_created_before_the_look_ahead_window(baseline):
    followups_run(today=DUE - timedelta(days=29))
    assert not FollowUp.objects.exists()


def test_a_follow_up_is_created_four_weeks_ahead_with_the_nine_month_due_date(baseline):
    summary = followups_run(today=DUE - timedelta(days=28))
    follow_up = FollowUp.objects.get()
    assert (follow_up.due_on, follow_up.status, summary.created) == (
        DUE,
        FollowUpStatus.SCHEDULED,
        1,
    )


def test_running_twice_creates_nothing_twice(baseline):
    followups_run(today=DUE)
    second = followups_run(today=DUE)
    assert FollowUp.objects.count() == 1
    assert second.created == 0


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (DUE - timedelta(days=1), FollowUpStatus.SCHEDULED),
        (DUE, FollowUpStatus.DUE),
        (DUE + timedelta(days=42), FollowUpStatus.DUE),
        (DUE + timedelta(days=43), FollowUpStatus.OVERDUE),
        (DUE + timedelta(days=91), FollowUpStatus.OVERDUE),
        (DUE + timedelta(days=92), FollowUpStatus.MISSED),
    ],
)
def test_the_state_follows_the_date(baseline, today, status):
    followups_run(today=today)
    assert FollowUp.objects.get().status == status


def test_states_only_move_forward_day_by_day(baseline):
    seen = []
    day = DUE - timedelta(days=28)
    while day <= DUE + timedelta(days=100):
        followups_run(today=day)
        status = FollowUp.objects.get().status
        if not seen or seen[-1] != status:
            seen.append(status)
        day += timedelta(days=1)
    assert seen == ["scheduled", "due", "overdue", "missed"]


def test_a_follow_up_assessment_completes_it(baseline, participant_a):
    followups_run(today=DUE)
    follow_up_assessment = Assessment.objects.create(
        participant=participant_a,
        timepoint="follow_up",
        date=DUE,
        recorded_by=participant_a.clp,
    )
    followup_complete(assessment=follow_up_assessment)
    follow_up = FollowUp.objects.get()
    assert follow_up.status == FollowUpStatus.COMPLETED
    assert follow_up.assessment == follow_up_assessment
    followups_run(today=DUE + timedelta(days=200))
    assert FollowUp.objects.get().status == FollowUpStatus.COMPLETED


@pytest.mark.parametrize("reason", ["moved", "died", "withdrew"])
def test_closing_for_a_reason_that_rules_it_out_makes_it_not_applicable(
    baseline, participant_a, clp_a, reason
):
    followups_run(today=DUE)
    participant_close(user=clp_a, participant=participant_a, on=DUE, reason=reason)
    follow_up = FollowUp.objects.get()
    assert follow_up.status == FollowUpStatus.NOT_APPLICABLE
    followups_run(today=DUE + timedelta(days=200))
    assert FollowUp.objects.get().status == FollowUpStatus.NOT_APPLICABLE


def test_reopening_brings_it_back_in_the_state_its_dates_give(baseline, participant_a, clp_a):
    followups_run(today=DUE)
    participant_close(user=clp_a, participant=participant_a, on=DUE, reason="moved")
    participant_reopen(user=clp_a, participant=participant_a, on=DUE)
    assert FollowUp.objects.get().status in (FollowUpStatus.DUE, FollowUpStatus.OVERDUE)
    followups_after_reopen(participant=participant_a, today=DUE + timedelta(days=50))
    assert FollowUp.objects.get().status == FollowUpStatus.OVERDUE


def test_closing_because_goals_were_met_keeps_the_follow_up(baseline, participant_a, clp_a):
    followups_run(today=DUE)
    participant_close(user=clp_a, participant=participant_a, on=DUE, reason="goals_met")
    assert FollowUp.objects.get().status in OPEN_FOLLOW_UP_STATUSES


def test_it_works_in_batches_and_creates_every_follow_up(
    practice_a, clp_a, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(followups, "BATCH_SIZE", 3)
    for _ in range(10):
        _baseline(ParticipantFactory(practice=practice_a, clp=clp_a))
    # Per batch of 3: a select, and an insert in a savepoint (4 batches); a last, empty
    # select; the six transition updates in a savepoint: 25 for 10 rows, not one per row.
    with django_assert_max_num_queries(25):
        summary = followups_run(today=DUE)
    assert summary.created == 10
    assert FollowUp.objects.count() == 10


def test_a_run_that_died_halfway_is_finished_by_the_next(practice_a, clp_a, monkeypatch):
    monkeypatch.setattr(followups, "BATCH_SIZE", 2)
    for _ in range(5):
        _baseline(ParticipantFactory(practice=practice_a, clp=clp_a))
    real_bulk_create = FollowUp.objects.bulk_create
    calls = {"n": 0}

    def crash_on_second_batch(objs, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_bulk_create(objs, **kwargs)

    monkeypatch.setattr(FollowUp.objects, "bulk_create", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        followups_run(today=DUE)
    assert FollowUp.objects.count() == 2
    monkeypatch.setattr(FollowUp.objects, "bulk_create", real_bulk_create)
    followups_run(today=DUE)
    assert FollowUp.objects.count() == 5


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's shared in-memory test database locks whole tables; CI runs this on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_create_each_follow_up_once(practice_a, clp_a):
    for _ in range(20):
        _baseline(ParticipantFactory(practice=practice_a, clp=clp_a))
    errors = []

    def run():
        try:
            followups_run(today=DUE)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert FollowUp.objects.count() == 20
    assert FollowUp.objects.values("baseline").distinct().count() == 20


def test_the_command_runs_the_same_job_for_a_given_day(baseline):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("schedule_followups", "--today", DUE.isoformat(), stdout=out)
    assert "1 created, 1 now due" in out.getvalue()
    assert FollowUp.objects.get().status == FollowUpStatus.DUE


def _month_ends(years):
    """Baseline dates where the calendar rule has something to decide: every month's 1st
    and its last four days, leap years included."""
    for year in years:
        for month in range(1, 13):
            for day in (1, 28, 29, 30, 31):
                try:
                    yield date(year, month, day)
                except ValueError:
                    continue


def _follow_ups():
    return sorted(
        FollowUp.objects.values_list("baseline_id", "participant_id", "due_on", "status", "reason")
    )


@pytest.mark.parametrize("today", [date(2024, 2, 1), date(2024, 9, 30), date(2026, 1, 1)])
def test_scheduling_some_participants_gives_what_the_daily_job_gives(practice_a, clp_a, today):
    participants = []
    for on in _month_ends([2023, 2024]):
        participant = ParticipantFactory(practice=practice_a, clp=clp_a)
        _baseline(participant, on=on)
        participants.append(participant)
    participant_close(user=clp_a, participant=participants[0], on=date(2024, 1, 20), reason="moved")
    other = ParticipantFactory(practice=practice_a, clp=clp_a)
    _baseline(other, on=date(2023, 3, 31))

    with transaction.atomic():
        daily = followups_run(today=today)
        by_the_daily_job = [row for row in _follow_ups() if row[1] != other.pk]
        transaction.set_rollback(True)
    scheduled = followups_schedule(participant_ids=[p.pk for p in participants], today=today)

    assert _follow_ups() == by_the_daily_job
    assert by_the_daily_job  # the dates were in the window
    assert scheduled.created == daily.created - 1  # the other participant's, left alone
    assert not FollowUp.objects.filter(participant=other).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's month arithmetic")
@pytest.mark.django_db
def test_the_databases_nine_months_on_is_add_months_for_every_day_of_a_leap_cycle():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d::date, (d::date + make_interval(months => %s))::date "
            "FROM generate_series('2023-01-01'::date, '2027-12-31'::date, '1 day') AS d",
            [FOLLOW_UP_MONTHS],
        )
        rows = cursor.fetchall()
    assert len(rows) == 1826
    assert [due for _, due in rows] == [add_months(on, FOLLOW_UP_MONTHS) for on, _ in rows]
