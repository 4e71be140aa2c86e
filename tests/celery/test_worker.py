"""A real Celery worker against the real broker: a queued task does its work. `.ci/run`
configures Redis; without a broker the test is skipped and says why."""

import time
from datetime import date

import pytest
from django.conf import settings

from participants.dates import add_months
from participants.models import Assessment, FollowUp
from participants.tasks import refresh_participant_followups, schedule_followups
from tests.workers import real_worker

needs_broker = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL,
        reason="no CELERY_BROKER_URL: set it to a Redis URL (as .ci/run does) to run this",
    ),
]


def _needs_broker(test):
    for mark in reversed(needs_broker):
        test = mark(test)
    return test


@pytest.fixture
def worker():
    with real_worker():
        yield


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@_needs_broker
def test_a_queued_scheduling_job_is_done_by_a_real_worker(worker, participant_a):
    Assessment.objects.create(
        participant=participant_a,
        timepoint="baseline",
        date=add_months(date.today(), -9),
        recorded_by=participant_a.clp,
    )
    schedule_followups.delay()
    assert _wait_for(lambda: FollowUp.objects.filter(participant=participant_a).exists())


@_needs_broker
def test_a_task_takes_an_id_and_works_on_that_participant_only(
    worker, participant_a, participant_b
):
    for participant in (participant_a, participant_b):
        Assessment.objects.create(
            participant=participant,
            timepoint="baseline",
            date=add_months(date.today(), -9),
            recorded_by=participant.clp,
        )
    refresh_participant_followups.delay(participant_a.pk)
    assert _wait_for(lambda: FollowUp.objects.filter(participant=participant_a).exists())
    assert not FollowUp.objects.filter(participant=participant_b).exists()


def test_the_tasks_are_idempotent_and_acknowledged_late():
    for task in (schedule_followups, refresh_participant_followups):
        assert task.acks_late
        assert task.max_retries == 5
    # Retries back off at most 10 minutes at a time, far inside the 2-hour visibility timeout.
    assert (
        schedule_followups.retry_backoff_max * 5
        < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    )
