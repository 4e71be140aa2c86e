"""Imports recover from a dead worker, a broker out of reach and a process killed while
writing files: the sweep fails a job that stopped beating, a task the broker could not take
is said so and queued again, the owner can cancel or retry, and no file outlives its job."""

import os
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from exchange import tasks
from exchange.jobs import import_files_orphaned_purge, import_jobs_sweep
from exchange.models import ImportFile, ImportJob
from exchange.services import import_job_cancel, import_job_create
from practices import progress
from tests.linksworker.test_healthz import _CacheDown

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=6)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _uploads(files):
    return {name: SimpleUploadedFile(name, text.encode()) for name, text in files.items()}


@pytest.fixture
def job(lead, base_files, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return import_job_create(user=lead, files=_uploads(base_files))


@pytest.fixture
def broker_down():
    tasks.check_import.app.conf.task_always_eager = False
    try:
        with (
            mock.patch.object(tasks.check_import, "apply_async", side_effect=OperationalError),
            mock.patch.object(tasks.apply_import, "apply_async", side_effect=OperationalError),
        ):
            yield
    finally:
        tasks.check_import.app.conf.task_always_eager = True


def test_the_sweep_fails_a_check_whose_worker_stopped_beating_and_drops_its_files(job):
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING)
    cache.delete(job.heartbeat_key)
    assert import_jobs_sweep(requeue=lambda job: True)["failed"] == 0
    assert import_jobs_sweep(requeue=lambda job: True, now=timezone.now() + LATER)["failed"] == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and not job.files.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_down_the_upload_says_the_check_will_be_queued_again(
    as_user, lead, base_files, broker_down
):
    response = as_user(lead).post(
        reverse("exchange:import"), {"programme_files": list(_uploads(base_files).values())}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.not_queued, job.files.exists()) == (ImportJob.Status.QUEUED, True, True)
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "could not be queued" in said
    page = as_user(lead).get(reverse("exchange:import_job", args=[job.pk])).content.decode()
    assert "could not be queued" in page and "Retry now" in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_down_applying_says_so_and_the_sweep_queues_it_later(
    as_user, lead, base_files
):
    job = import_job_create(user=lead, files=_uploads(base_files))  # checked in-process
    assert job.status == ImportJob.Status.READY
    tasks.check_import.app.conf.task_always_eager = False
    try:
        with mock.patch.object(tasks.apply_import, "apply_async", side_effect=OperationalError):
            response = as_user(lead).post(reverse("exchange:import_apply", args=[job.pk]))
    finally:
        tasks.check_import.app.conf.task_always_eager = True
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "could not be queued" in said
    job.refresh_from_db()
    assert (job.status, job.not_queued) == (ImportJob.Status.APPLYING, True)
    # Never failed for waiting on the broker; queued, and done, once it answers.
    assert tasks.sweep_imports() == {"failed": 0, "requeued": 1}
    job.refresh_from_db()
    assert (job.status, job.not_queued) == (ImportJob.Status.DONE, False)


def test_the_owner_cancels_a_waiting_import_and_its_files_go(as_user, lead, job):
    response = as_user(lead).post(reverse("exchange:import_cancel", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DISCARDED and not job.files.exists()
    tasks.check_import.delay(job.pk)  # the queued check arrives later and does nothing
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DISCARDED


def test_the_owner_queues_again_an_import_the_broker_could_not_take(as_user, lead, job):
    ImportJob.objects.filter(pk=job.pk).update(not_queued=True)
    response = as_user(lead).post(reverse("exchange:import_requeue", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.not_queued) == (ImportJob.Status.READY, False)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_job_is_recorded_before_its_files_and_a_failed_write_leaves_neither(
    lead, base_files, media
):
    with (
        mock.patch.object(ImportFile, "save", side_effect=OSError("disk full")),
        pytest.raises(OSError),
    ):
        import_job_create(user=lead, files=_uploads(base_files))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert not [p for p in Path(media).rglob("*") if p.is_file()]


def test_files_no_job_names_are_purged_once_old(job, media):
    orphan = Path(media) / "imports" / "999" / "participants.csv"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("left by a killed process")
    assert import_files_orphaned_purge() == 0  # may be an upload still being written
    old = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(orphan, (old, old))
    assert import_files_orphaned_purge() == 1
    assert not orphan.exists()
    assert all(Path(stored.file.path).exists() for stored in job.files.all())


def test_uploaded_files_are_readable_by_their_owner_only(job):
    stored = Path(job.files.first().file.path)
    assert stored.stat().st_mode & 0o777 == 0o600
    assert stored.parent.stat().st_mode & 0o777 == 0o700
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert Path(settings.FILE_UPLOAD_TEMP_DIR).stat().st_mode & 0o777 == 0o700


def test_uploads_spooled_by_a_killed_request_are_purged(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    spooled = tmp_path / "tmpab12.upload.csv"
    spooled.write_text("names and CHI numbers")
    assert import_files_orphaned_purge() == 0
    old = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(spooled, (old, old))
    assert import_files_orphaned_purge() == 1 and not spooled.exists()


def test_with_the_cache_down_the_import_pages_still_answer(as_user, lead, job, monkeypatch):
    monkeypatch.setattr(progress, "cache", _CacheDown())
    c = as_user(lead)
    assert c.get(reverse("exchange:import_job", args=[job.pk])).status_code == 200
    status = c.get(reverse("exchange:import_status", args=[job.pk]))
    assert status.status_code == 200 and status.json()["state"] == "waiting"


def test_a_check_arriving_after_its_import_was_cancelled_does_nothing(lead, job):
    import_job_cancel(user=lead, job=job)
    tasks.check_import.delay(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DISCARDED and job.preview == {}
