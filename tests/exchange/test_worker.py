"""The import tasks on a real Celery worker against the real broker: an upload is checked
and an applied import loaded by the worker, not in the request. `.ci/run` configures Redis;
without a broker these are skipped and say why."""

import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from exchange.models import ImportJob
from exchange.services import import_job_create, import_job_request_apply
from participants.models import Participant
from tests.workers import real_worker

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL,
        reason="no CELERY_BROKER_URL: set it to a Redis URL (as .ci/run does) to run this",
    ),
]


@pytest.fixture
def worker():
    with real_worker():
        yield


def _status(job: ImportJob, wanted: str, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == wanted:
            return True
        time.sleep(0.2)
    return False


def test_a_worker_checks_an_upload_then_applies_it(worker, lead, base_files, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    uploads = {
        name: SimpleUploadedFile(name, text.encode("utf-8")) for name, text in base_files.items()
    }
    job = import_job_create(user=lead, files=uploads)
    assert _status(job, ImportJob.Status.READY)
    assert not Participant.objects.exists()

    import_job_request_apply(user=lead, job=job)
    assert _status(job, ImportJob.Status.DONE)
    assert Participant.objects.count() == 2
