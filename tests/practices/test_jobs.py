"""The base of every Celery task (`practices.jobs`): ids in, retried with growing waits on a
worker, queued only once the caller's transaction commits, and a job that gives up is marked
failed, in-process as on a worker, with nothing of the error's message in the log."""

import logging
from uuid import uuid4

import pytest
from celery.app.trace import build_tracer
from django.db import transaction

from linksworker.celery import app
from practices.jobs import JobError, JobTask, describe, job_task

SECRET = "0101011234"  # stands for patient data in an error's message

gave_up: list[dict] = []
ran: list[int] = []


def mark_failed(*, thing_id: int, error: BaseException) -> None:
    gave_up.append({"thing_id": thing_id, "error": error})


def cannot_mark_failed(*, thing_id: int, error: BaseException) -> None:
    raise RuntimeError(f"database gone while failing {SECRET}")


@job_task(name="tests.practices.breaks", on_give_up=mark_failed)
def breaks(thing_id: int) -> None:
    raise RuntimeError(f"duplicate key: CHI {SECRET} already exists")


@job_task(name="tests.practices.breaks_twice", on_give_up=cannot_mark_failed)
def breaks_twice(thing_id: int) -> None:
    raise RuntimeError(SECRET)


@job_task(name="tests.practices.works")
def works(thing_id: int) -> int:
    ran.append(thing_id)
    return thing_id


@pytest.fixture(autouse=True)
def _fresh_records():
    gave_up.clear()
    ran.clear()


@pytest.fixture
def sent(monkeypatch):
    """What a worker would send to the broker to retry a task, caught instead."""
    messages = []
    monkeypatch.setattr(
        "celery.canvas.Signature.apply_async", lambda sig, *a, **kw: messages.append(sig)
    )
    return messages


def on_a_worker(task, *args, retries: int = 0):
    """Run one attempt of `task` as a worker does (not in-process): Celery's tracer, with the
    handlers it calls for a retry or a failure."""
    trace = build_tracer(task.name, task, app=app, eager=False, propagate=False)
    return trace(str(uuid4()), list(args), {}, {"retries": retries}).info


def test_every_task_of_the_project_is_a_job_task():
    app.loader.import_default_modules()
    project = [name for name in app.tasks if not name.startswith(("celery.", "tests."))]
    assert "exchange.tasks.check_import" in project
    assert "safeguarding.tasks.notify_leads" in project
    assert "referrals.tasks.send_feedback_reminders" in project and len(project) == 13
    for name in project:
        assert isinstance(app.tasks[name], JobTask), name


def test_a_task_is_acknowledged_late_and_retried_with_backoff_and_jitter_five_times():
    assert breaks.acks_late and breaks.autoretry_for == (Exception,)
    assert (breaks.retry_backoff, breaks.retry_backoff_max, breaks.max_retries) == (30, 600, 5)
    assert breaks.retry_jitter
    # Idempotent, so a lost worker's task is sent again, as a retry that counts.
    assert breaks.retry_on_worker_lost and breaks.reject_on_worker_lost


def test_on_a_worker_each_retry_waits_up_to_twice_as_long(monkeypatch, sent):
    bounds = []
    monkeypatch.setattr(
        "celery.utils.time.random.randrange", lambda n: bounds.append(n - 1) or n - 1
    )
    waits = []
    for retries in range(5):
        attempt = on_a_worker(breaks, 7, retries=retries)
        assert attempt.state == "RETRY"
        waits.append(attempt.retval.when)
    assert waits == [30, 60, 120, 240, 480]
    assert bounds == waits  # each wait drawn at random up to its bound
    assert len(sent) == 5 and not gave_up


def test_a_task_whose_retries_are_spent_on_a_worker_marks_its_job_failed(sent):
    assert on_a_worker(breaks, 7, retries=5).state == "FAILURE"
    assert not sent
    assert [g["thing_id"] for g in gave_up] == [7]
    assert str(gave_up[0]["error"]) == f"duplicate key: CHI {SECRET} already exists"


def test_a_worker_logs_and_stores_a_failure_without_its_message(caplog, sent):
    caplog.set_level(logging.INFO)
    retried = on_a_worker(breaks, 7, retries=0)
    failed = on_a_worker(breaks, 7, retries=5)
    assert (retried.state, failed.state) == ("RETRY", "FAILURE")
    assert isinstance(failed.retval, JobError)
    assert str(failed.retval).startswith("RuntimeError at tests/practices/test_jobs.py:")
    assert SECRET not in str(retried.retval) + str(failed.retval)
    assert "RuntimeError" in caplog.text and SECRET not in caplog.text


def test_in_process_a_failure_marks_the_job_failed_and_raises_nothing(caplog, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_TASK_EAGER_PROPAGATES
    breaks.delay(7)
    assert [g["thing_id"] for g in gave_up] == [7]
    assert "tests.practices.breaks(thing_id=7) gave up" in caplog.text
    assert "RuntimeError" in caplog.text and SECRET not in caplog.text


def test_in_process_a_job_that_cannot_be_marked_failed_is_logged_not_raised(caplog):
    breaks_twice.delay(7)
    assert "could not mark its job failed" in caplog.text and SECRET not in caplog.text


def test_called_as_a_plain_function_a_task_raises_as_one_would():
    with pytest.raises(RuntimeError, match=SECRET):
        breaks(7)
    assert not gave_up


def test_a_task_queued_in_a_transaction_is_sent_once_it_commits(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued, transaction.atomic():
        works.delay_on_commit(3)
        assert not ran
    assert len(queued) == 1 and ran == [3]


def test_nothing_is_queued_when_the_transaction_rolls_back(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        works.delay_on_commit(3)
        raise RuntimeError("rolled back")
    assert not queued and not ran


def test_an_error_is_described_by_its_type_and_place_never_its_message():
    try:
        raise ValueError(SECRET)
    except ValueError as error:
        description = describe(error)
    assert description.startswith("ValueError at tests/practices/test_jobs.py:")
    assert SECRET not in description
