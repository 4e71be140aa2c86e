"""The import tasks take a job id, call one service, and can run twice safely: the job's
state says what is left to do. A task that gives up marks its job failed."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from exchange import tasks
from exchange.jobs import import_jobs_purge, import_jobs_sweep
from exchange.models import ImportJob
from exchange.services import import_job_create, import_job_request_apply
from participants.models import Consultation, Participant
from tests.exchange.conftest import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(lead, base_files, django_capture_on_commit_callbacks):
    uploads = {
        name: SimpleUploadedFile(name, text.encode("utf-8")) for name, text in base_files.items()
    }
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = import_job_create(user=lead, files=uploads)
    assert len(queued) == 1  # the check, queued after the upload commits
    return job


def test_checking_twice_checks_once(job):
    tasks.check_import.delay(job.pk)
    job.refresh_from_db()
    checked = (job.status, job.updated_at)
    tasks.check_import.delay(job.pk)
    job.refresh_from_db()
    assert checked == (job.status, job.updated_at) and job.status == ImportJob.Status.READY


def test_applying_twice_imports_once(job, lead, django_capture_on_commit_callbacks):
    tasks.check_import.delay(job.pk)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        import_job_request_apply(user=lead, job=job)
    assert len(queued) == 1
    tasks.apply_import.delay(job.pk)
    before = snapshot()
    tasks.apply_import.delay(job.pk)
    assert snapshot() == before
    assert Participant.objects.count() == 2 and Consultation.objects.count() == 2


def test_a_job_is_applied_only_once_it_is_checked(job, lead):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        import_job_request_apply(user=lead, job=job)
    tasks.apply_import.delay(job.pk)
    assert not Participant.objects.exists()


def test_a_task_that_gives_up_marks_its_job_failed_and_drops_the_files(job, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("storage unavailable")

    monkeypatch.setattr(tasks, "import_job_check", broken)
    # In-process (the embedded default), the error is recorded on the job rather than
    # raised into the request of whoever queued the task.
    tasks.check_import.delay(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not job.files.exists()


def test_the_tasks_acknowledge_late_and_retry_with_backoff():
    for task in (tasks.check_import, tasks.apply_import):
        assert task.acks_late
        assert task.autoretry_for == (Exception,)
        assert task.retry_backoff and task.max_retries == 5


def test_checked_imports_left_unapplied_for_a_day_are_discarded_with_their_files(job):
    tasks.check_import.delay(job.pk)
    assert import_jobs_purge() == 0
    assert import_jobs_purge(now=timezone.now() + timedelta(days=2)) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DISCARDED
    assert not job.files.exists()


def test_a_job_waiting_for_a_worker_far_too_long_is_marked_failed(job):
    never = lambda job: False  # noqa: E731
    assert import_jobs_sweep(requeue=never, now=timezone.now() + timedelta(minutes=30)) == {
        "failed": 0,
        "requeued": 0,
    }
    assert import_jobs_sweep(requeue=never, now=timezone.now() + timedelta(hours=2))["failed"] == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not job.files.exists()
