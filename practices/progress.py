"""How far a background job has got: recorded one way, answered in one shape, shown by one
script.

A job is a model row whose status says where it stands; the model mixes in `BackgroundJob`
to say it in the terms below. While its task works, the task records how far it has got
with `job_progress_record(job, done=..., total=..., message=...)`. Both status endpoints
(`exchange:import_status`, `reports:status`) answer `job_status(job)`:

    {
      "state": "running",     # "waiting", "running", "done" or "failed"
      "label": "Checking the files",     # the job's status, as its page words it
      "message": "Reading the files",    # what the work is doing now, or why it failed
      "percent": 25,          # 0 to 100; null while not known, 100 once done
      "value": 30,            # the counts behind the percent, for a <progress> element;
      "max": 120,             # null while not known
      "finished": false,      # the work has stopped, either way: stop polling
      "failed": false
    }

`templates/includes/job_progress.html` marks a job up on a page and
`static/js/job-progress.js` polls its status and keeps it up to date.

Progress is kept in the cache rather than on the job's row: an import is applied inside one
transaction, and a row written there would stay invisible to the page until the work was
over. So the cache must be shared by the web and worker processes (`CACHE_URL`), and an
entry expires by itself, since it means nothing once the job has finished.

It lives in `practices` beside the base task (`practices.jobs`), for the same reason: the
lowest app that holds what the whole programme shares.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.cache import cache

logger = logging.getLogger(__name__)

# Longer than a job may go between two records, its retries' waits included.
PROGRESS_SECONDS = 2 * 60 * 60
# While its work runs, a job beats this often (`job_alive`) ...
HEARTBEAT_SECONDS = 20
# ... and one that has not beaten for this long is taken for dead: its worker was killed, or
# its task is waiting for a retry that is further off than anyone should wait for.
STALE_AFTER = timedelta(minutes=5)


class JobState(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobStatus(TypedDict):
    state: str
    label: str
    message: str
    percent: int | None
    value: int | None
    max: int | None
    finished: bool
    failed: bool


class BackgroundJob:
    """Mixed into a model (before `models.Model`) whose work runs in a task."""

    pk: Any
    _meta: Any

    if TYPE_CHECKING:
        # Every model that mixes this in says these in its own terms (its status field).

        @property
        def job_state(self) -> JobState: ...

        @property
        def job_label(self) -> str:
            """The job's status as people read it."""
            ...

    @property
    def job_message(self) -> str:
        """Why the job failed, when that may be shown: "" by default."""
        return ""

    @property
    def progress_key(self) -> str:
        return f"jobs:{self._meta.label_lower}:{self.pk}:progress"

    @property
    def heartbeat_key(self) -> str:
        return f"jobs:{self._meta.label_lower}:{self.pk}:beat"

    @property
    def job_status(self) -> JobStatus:
        return job_status(self)

    @property
    def progress(self) -> int | None:
        """How far the work has got, in percent; None while not known."""
        return job_status(self)["percent"]


def job_beat(job: BackgroundJob) -> None:
    """Record that the work on `job` is alive now."""
    try:
        cache.set(job.heartbeat_key, time.time(), PROGRESS_SECONDS)
    except Exception as error:
        logger.warning("Heartbeat not recorded for %s: %s", job.heartbeat_key, type(error).__name__)


@contextmanager
def job_alive(job: BackgroundJob) -> Iterator[None]:
    """Beat every `HEARTBEAT_SECONDS` while the block runs, from a thread of its own, so a
    long step (a PDF laid out, an import's one transaction) still shows life, and a worker
    killed mid-step stops beating with it."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            job_beat(job)

    job_beat(job)
    thread = threading.Thread(target=beat, name=f"heartbeat {job.heartbeat_key}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def job_is_alive(job: BackgroundJob, *, changed_at: datetime, now: datetime) -> bool:
    """Whether the work on `job` has shown life within `STALE_AFTER`: its row changed
    (`changed_at`) or its task beat. When the cache cannot say, the job is given the benefit
    of the doubt rather than failed for a fault of the cache."""
    if changed_at >= now - STALE_AFTER:
        return True
    try:
        beat = cache.get(job.heartbeat_key)
    except Exception as error:
        logger.warning("Heartbeat not read for %s: %s", job.heartbeat_key, type(error).__name__)
        return True
    return beat is not None and beat >= (now - STALE_AFTER).timestamp()


def job_progress_record(job: BackgroundJob, *, done: int, total: int, message: str = "") -> None:
    """Record that `done` of `total` (in any unit) of the work on `job` is done, and what it
    is doing now, in words for the page."""
    try:
        cache.set(
            job.progress_key, {"done": done, "total": total, "message": message}, PROGRESS_SECONDS
        )
        cache.set(job.heartbeat_key, time.time(), PROGRESS_SECONDS)
    except Exception as error:
        # Progress is a courtesy: a cache out of reach must not fail the work.
        logger.warning("Progress not recorded for %s: %s", job.progress_key, type(error).__name__)


def job_status(job: BackgroundJob) -> JobStatus:
    """The status endpoints' answer, the same for every kind of job."""
    state = job.job_state
    percent: int | None = None
    value: int | None = None
    maximum: int | None = None
    message = ""
    if state in (JobState.WAITING, JobState.RUNNING):
        try:
            recorded = cache.get(job.progress_key)
        except Exception as error:
            # A cache out of reach costs the page its bar, not the page.
            logger.warning("Progress not read for %s: %s", job.progress_key, type(error).__name__)
            recorded = None
        if recorded:
            message = recorded["message"]
            if recorded["total"] > 0:
                maximum = recorded["total"]
                value = max(0, min(recorded["done"], maximum))
                percent = round(100 * value / maximum)
    elif state == JobState.DONE:
        percent = 100
    else:
        message = job.job_message
    return {
        "state": str(state),
        "label": job.job_label,
        "message": message,
        "percent": percent,
        "value": value,
        "max": maximum,
        "finished": state in (JobState.DONE, JobState.FAILED),
        "failed": state == JobState.FAILED,
    }
