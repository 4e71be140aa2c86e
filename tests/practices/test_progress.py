"""How far a background job has got (`practices.progress`): recorded one way and answered in
one shape, by the import's status endpoint and the annual report's alike."""

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from exchange.models import ImportJob
from practices import progress
from practices.progress import (
    BackgroundJob,
    JobState,
    JobStatus,
    job_progress_record,
    job_status,
)
from reports.models import AnnualReport, ReportStatus

SHAPE = set(JobStatus.__annotations__)


@dataclass
class Job(BackgroundJob):
    pk: int
    state: JobState
    why: str = ""
    _meta = SimpleNamespace(label_lower="tests.job")

    @property
    def job_state(self) -> JobState:
        return self.state

    @property
    def job_label(self) -> str:
        return "Working it out"

    @property
    def job_message(self) -> str:
        return self.why


def test_a_running_job_answers_how_far_it_has_got_and_what_it_is_doing():
    job = Job(pk=1, state=JobState.RUNNING)
    job_progress_record(job, done=30, total=120, message="Reading the files")
    assert job_status(job) == {
        "state": "running",
        "label": "Working it out",
        "message": "Reading the files",
        "percent": 25,
        "value": 30,
        "max": 120,
        "finished": False,
        "failed": False,
    }


def test_a_job_with_nothing_recorded_yet_answers_that_how_far_is_not_known():
    status = job_status(Job(pk=1, state=JobState.WAITING))
    assert (status["percent"], status["value"], status["max"], status["message"]) == (
        None,
        None,
        None,
        "",
    )
    assert not status["finished"]


def test_progress_is_kept_per_job():
    job_progress_record(Job(pk=1, state=JobState.RUNNING), done=1, total=2)
    assert job_status(Job(pk=2, state=JobState.RUNNING))["percent"] is None


def test_counts_past_the_total_read_as_all_done():
    job = Job(pk=1, state=JobState.RUNNING)
    job_progress_record(job, done=130, total=120)
    assert (job_status(job)["percent"], job_status(job)["value"]) == (100, 120)


def test_a_finished_job_answers_all_done_whatever_was_recorded_last():
    job = Job(pk=1, state=JobState.DONE)
    job_progress_record(job, done=3, total=10, message="Writing the records")
    status = job_status(job)
    assert (status["percent"], status["message"], status["finished"], status["failed"]) == (
        100,
        "",
        True,
        False,
    )
    assert job.progress == 100


def test_a_failed_job_answers_why_when_it_may_say():
    status = job_status(Job(pk=1, state=JobState.FAILED, why="RuntimeError: fonts missing"))
    assert (status["percent"], status["message"], status["finished"], status["failed"]) == (
        None,
        "RuntimeError: fonts missing",
        True,
        True,
    )


def test_a_cache_out_of_reach_never_fails_the_work(monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr("practices.progress.cache.set", unreachable)
    job_progress_record(Job(pk=1, state=JobState.RUNNING), done=1, total=2)
    assert "Progress not recorded for jobs:tests.job:1:progress" in caplog.text


@pytest.fixture
def jobs(lead):
    """An import and an annual report, both a quarter of the way through."""
    job = ImportJob.objects.create(created_by=lead, status=ImportJob.Status.CHECKING)
    report = AnnualReport.objects.create(year=2025, requested_by=lead, status="running")
    for each in (job, report):
        job_progress_record(each, done=30, total=120, message="Working")
    return job, report


def _answers(client, job, report) -> tuple[dict, dict]:
    return (
        client.get(reverse("exchange:import_status", args=[job.pk])).json(),
        client.get(reverse("reports:status", args=[report.pk])).json(),
    )


def test_both_status_endpoints_answer_the_one_shape(as_user, lead, jobs):
    imported, reported = _answers(as_user(lead), *jobs)
    assert set(imported) >= SHAPE and set(reported) >= SHAPE
    assert (imported["label"], reported["label"]) == ("Checking the files", "Rendering")
    for answer in (imported, reported):
        assert {key: answer[key] for key in SHAPE - {"label"}} == {
            "state": "running",
            "message": "Working",
            "percent": 25,
            "value": 30,
            "max": 120,
            "finished": False,
            "failed": False,
        }


def test_both_status_endpoints_say_when_a_job_has_finished_or_failed(as_user, lead, jobs):
    job, report = jobs
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.READY)
    AnnualReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.FAILED, error="RuntimeError: fonts missing"
    )
    imported, reported = _answers(as_user(lead), job, report)
    assert (imported["state"], imported["finished"], imported["failed"]) == ("done", True, False)
    assert (reported["state"], reported["finished"], reported["failed"]) == ("failed", True, True)
    assert reported["message"] == "RuntimeError: fonts missing"


def test_a_job_beats_while_its_work_runs_and_is_dead_once_it_stops(settings):
    job = Job(pk=71, state=JobState.RUNNING)
    cache.delete(job.heartbeat_key)
    long_ago = timezone.now() - timedelta(hours=1)
    now = timezone.now()
    assert not progress.job_is_alive(job, changed_at=long_ago, now=now)
    assert progress.job_is_alive(job, changed_at=now, now=now)  # its row just changed
    with progress.job_alive(job):
        assert progress.job_is_alive(job, changed_at=long_ago, now=timezone.now())
    later = timezone.now() + progress.STALE_AFTER + timedelta(seconds=1)
    assert not progress.job_is_alive(job, changed_at=long_ago, now=later)


def test_a_cache_out_of_reach_neither_kills_a_job_nor_fails_its_status(monkeypatch):
    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(progress, "cache", Down())
    job = Job(pk=72, state=JobState.RUNNING)
    now = timezone.now()
    assert progress.job_is_alive(job, changed_at=now - timedelta(hours=1), now=now)
    assert job_status(job)["state"] == "running"
    job_progress_record(job, done=1, total=2)  # no error either
