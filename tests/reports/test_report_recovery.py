"""Annual reports recover from a dead worker and a broker out of reach: the sweep fails a
render that stopped beating, a new request never hands back a dead one, a render the broker
could not take is said so and queued again, and programme staff retry or cancel from the
page."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from practices.progress import job_beat
from reports import tasks
from reports.jobs import annual_reports_sweep
from reports.models import AnnualReport, ReportStatus
from reports.services import annual_report_request

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=6)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def broker_down():
    """The broker refuses every task, as Redis does when it is down."""
    with mock.patch.object(
        tasks.render_annual_report, "apply_async", side_effect=OperationalError("refused")
    ) as publish:
        yield publish


def _rendering(lead, year=2024) -> AnnualReport:
    report = AnnualReport.objects.create(year=year, requested_by=lead, status=ReportStatus.RUNNING)
    cache.delete(report.heartbeat_key)
    return report


def _sweep(now):
    return annual_reports_sweep(requeue=lambda pk: True, now=now)


def test_the_sweep_fails_a_render_whose_worker_stopped_beating(lead):
    report = _rendering(lead)
    assert _sweep(timezone.now())["failed"] == 0  # just started: alive
    assert _sweep(timezone.now() + LATER)["failed"] == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "Retry" in report.error


def test_the_sweep_leaves_a_render_that_still_beats(lead):
    report = _rendering(lead)
    AnnualReport.objects.filter(pk=report.pk).update(updated_at=timezone.now() - LATER)
    job_beat(report)
    assert _sweep(timezone.now())["failed"] == 0
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING


def test_a_new_request_never_returns_a_dead_render(lead, django_capture_on_commit_callbacks):
    dead = _rendering(lead, year=2024)
    AnnualReport.objects.filter(pk=dead.pk).update(updated_at=timezone.now() - LATER)
    with django_capture_on_commit_callbacks(execute=False):
        fresh = annual_report_request(user=lead, year=2024)
    assert fresh.pk != dead.pk
    dead.refresh_from_db()
    assert dead.status == ReportStatus.FAILED


def test_a_new_request_returns_a_render_that_is_alive(lead, django_capture_on_commit_callbacks):
    alive = _rendering(lead, year=2024)
    with django_capture_on_commit_callbacks(execute=False):
        assert annual_report_request(user=lead, year=2024).pk == alive.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_down_the_page_says_the_render_will_be_queued_again(
    as_user, lead, broker_down
):
    # Committed for real, so the task is queued (and refused) before the view answers.
    tasks.render_annual_report.app.conf.task_always_eager = False
    try:
        response = as_user(lead).post(reverse("reports:list"), {"year": 2024})
    finally:
        tasks.render_annual_report.app.conf.task_always_eager = True
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert (report.status, report.not_queued) == (ReportStatus.QUEUED, True)
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "could not be queued" in said and "queued again automatically" in said
    page = as_user(lead).get(reverse("reports:list")).content.decode()
    assert "could not be queued" in page and "Retry" in page


def test_the_sweep_queues_again_a_render_the_broker_could_not_take(lead):
    report = AnnualReport.objects.create(year=2024, requested_by=lead, not_queued=True)
    assert annual_reports_sweep(requeue=lambda pk: False)["requeued"] == 0
    report.refresh_from_db()
    assert report.not_queued
    queued = []
    counts = annual_reports_sweep(requeue=lambda pk: queued.append(pk) or True)
    assert counts == {"failed": 0, "requeued": 1} and queued == [report.pk]
    report.refresh_from_db()
    assert not report.not_queued and report.status == ReportStatus.QUEUED
    # Waiting for the broker is not death: it is never failed for it.
    AnnualReport.objects.filter(pk=report.pk).update(
        not_queued=True, updated_at=timezone.now() - timedelta(days=1)
    )
    assert annual_reports_sweep(requeue=lambda pk: False)["failed"] == 0


def test_staff_retry_a_failed_report_from_the_page(
    as_user, lead, django_capture_on_commit_callbacks
):
    report = AnnualReport.objects.create(
        year=2024, requested_by=lead, status=ReportStatus.FAILED, error="Stopped"
    )
    assert "Retry" in as_user(lead).get(reverse("reports:list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(lead).post(reverse("reports:retry", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.pdf


def test_staff_cancel_a_report_in_progress_and_its_render_keeps_nothing(as_user, lead):
    report = _rendering(lead)
    response = as_user(lead).post(reverse("reports:cancel", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and report.error.startswith("Cancelled by")
    tasks.render_annual_report.delay(report.pk)  # the task, still queued, arrives later
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and not report.pdf


@pytest.mark.parametrize("action", ["retry", "cancel"])
def test_only_programme_staff_retry_or_cancel(as_user, clp_a, manager_a, lead, action):
    report = _rendering(lead)
    for outsider in (clp_a, manager_a):
        response = as_user(outsider).post(reverse(f"reports:{action}", args=[report.pk]))
        assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING


def test_reports_are_visible_in_the_admin(as_user, admin_user, lead):
    report = _rendering(lead)
    c = as_user(admin_user)
    assert c.get(reverse("admin:reports_annualreport_changelist")).status_code == 200
    page = c.get(reverse("admin:reports_annualreport_change", args=[report.pk]))
    assert page.status_code == 200
