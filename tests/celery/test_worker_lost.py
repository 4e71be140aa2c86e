"""A real Celery worker (prefork, as in production) whose child is killed mid-render: the
annual report is not left "Rendering" for ever, but finishes on the retry Celery sends for a
lost worker, or fails in a way its page offers to retry. `.ci/run` configures Redis; without
a broker, or off PostgreSQL (the worker must reach the test database), this is skipped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from linksworker.celery import app
from practices.progress import STALE_AFTER
from reports.jobs import annual_reports_sweep
from reports.models import ReportStatus
from reports.services import annual_report_request, annual_report_retry

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL,
        reason="no CELERY_BROKER_URL: set it to a Redis URL (as .ci/run does) to run this",
    ),
]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


@pytest.fixture
def prefork_worker(tmp_path, settings):
    """`celery worker --pool=prefork -c 1` in its own process, on this test's database."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must reach the test database: PostgreSQL only")
    settings.MEDIA_ROOT = tmp_path
    app.control.purge()  # nothing left over from an earlier run
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CACHE_URL": settings.CACHE_URL,
        "MEDIA_ROOT": str(tmp_path),
        "DATABASE_CONN_MAX_AGE": "0",
    }
    command = [sys.executable, "-m", "celery", "-A", "linksworker", "worker", "--pool=prefork"]
    worker = subprocess.Popen(
        [*command, "-c", "1", "-l", "info", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(worker.stdout or []), daemon=True)
    reader.start()
    app.conf.task_always_eager = False
    try:
        assert _wait_for(lambda: any("ready." in line for line in log), timeout=40, step=0.2), (
            "".join(log)[-3000:]
        )
        yield worker, log
    finally:
        app.conf.task_always_eager = True
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        reader.join(timeout=5)
        if worker.stdout is not None:
            worker.stdout.close()


def test_a_render_whose_worker_child_is_killed_finishes_or_fails_retryably(prefork_worker, lead):
    worker, log = prefork_worker
    report = annual_report_request(user=lead, year=2024)  # queued as this commits

    def status() -> str:
        report.refresh_from_db()
        return report.status

    assert _wait_for(lambda: status() == ReportStatus.RUNNING, timeout=30), "".join(log)[-3000:]
    children = _children(worker.pid)
    assert len(children) == 1
    os.kill(children[0], signal.SIGKILL)

    # Celery retries a task whose worker was lost (after 30 s); failing that, the sweep fails
    # the render once it has stopped beating. Either way the year is not blocked.
    if not _wait_for(lambda: status() in (ReportStatus.DONE, ReportStatus.FAILED), timeout=50):
        annual_reports_sweep(requeue=lambda pk: False, now=report.updated_at + 2 * STALE_AFTER)
    assert status() in (ReportStatus.DONE, ReportStatus.FAILED), "".join(log)[-3000:]
    if report.status == ReportStatus.DONE:
        assert report.pdf
    else:
        retried = annual_report_retry(user=lead, report=report)
        assert retried.status == ReportStatus.QUEUED
    assert any("WorkerLostError" in line for line in log)
