"""Rendering an annual report in the background. Idempotent: a finished report is left
alone, a failed or cancelled one too (it is retried by a new request), and a retried one
starts again from the statistics. Its tasks (`reports.tasks`) call these; the requests that
queue them are in `reports.services`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from practices.db import long_statements
from practices.progress import job_alive, job_is_alive, job_progress_record
from reports.models import IN_PROGRESS, AnnualReport, ReportStatus
from reports.rendering import render_report_pdf
from reports.statistics import programme_statistics

FIRST_YEAR = 2000
# A render waiting this long for a worker is taken for lost (a broker emptied, say).
QUEUED_FOR_TOO_LONG = timedelta(hours=1)
STOPPED = "Stopped: its work showed no sign of progress for several minutes. Retry it."


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _progress(report: AnnualReport, percent: int, message: str) -> None:
    job_progress_record(report, done=percent, total=100, message=message)


def annual_report_render(*, report_id: int) -> AnnualReport | None:
    report = AnnualReport.objects.get(pk=report_id)
    if report.status == ReportStatus.DONE and report.pdf:
        return report
    # Only a report still wanted is rendered: one failed, swept or cancelled meanwhile stays so.
    started = AnnualReport.objects.filter(pk=report_id, status__in=IN_PROGRESS).update(
        status=ReportStatus.RUNNING, error="", not_queued=False, updated_at=timezone.now()
    )
    if not started:
        return None
    report.refresh_from_db()
    with job_alive(report):
        _progress(report, 10, "Computing the statistics")
        start, end = year_period(report.year)
        with long_statements():
            stats = programme_statistics(start=start, end=end)
        _progress(report, 40, "Drawing the charts and laying out the pages")
        pdf = render_report_pdf(stats)
        _progress(report, 90, "Saving the PDF")
        previous = report.pdf.name
        report.pdf.save(
            f"links-programme-review-{report.year}-{report.pk}.pdf", ContentFile(pdf), save=False
        )
    finished = AnnualReport.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
        pdf=report.pdf.name,
        statistics=stats,
        status=ReportStatus.DONE,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not finished:
        # Cancelled or swept while it rendered: its PDF is not wanted.
        report.pdf.delete(save=False)
        return None
    if previous and previous != report.pdf.name:
        report.pdf.storage.delete(previous)
    report.refresh_from_db()
    return report


def annual_report_fail(*, report_id: int, error: BaseException) -> None:
    """The render gave up: say why on the page (the error's kind and message, which carry no
    patient data: the report holds aggregates only)."""
    AnnualReport.objects.filter(pk=report_id, status__in=IN_PROGRESS).update(
        status=ReportStatus.FAILED,
        error=f"{type(error).__name__}: {error}"[:500],
        updated_at=timezone.now(),
    )


def annual_report_not_queued(report_id: int) -> None:
    """Its render could not be queued: say so on the page; the sweep queues it again."""
    AnnualReport.objects.filter(pk=report_id, status__in=IN_PROGRESS).update(not_queued=True)


def annual_report_is_dead(report: AnnualReport, *, now: datetime) -> bool:
    """A report in progress whose work will not finish by itself: rendering with no
    heartbeat for a few minutes, or queued for far longer than any queue should take. One
    waiting for the broker is not dead: the sweep queues it again."""
    if report.status == ReportStatus.RUNNING:
        return not job_is_alive(report, changed_at=report.updated_at, now=now)
    if report.status == ReportStatus.QUEUED and not report.not_queued:
        return report.updated_at < now - QUEUED_FOR_TOO_LONG
    return False


def annual_report_stop(report: AnnualReport, *, error: str) -> bool:
    """Fail a report in progress, unless it finished meanwhile."""
    return bool(
        AnnualReport.objects.filter(pk=report.pk, status__in=IN_PROGRESS).update(
            status=ReportStatus.FAILED, error=error, updated_at=timezone.now()
        )
    )


def annual_reports_sweep(
    *, requeue: Callable[[int], bool], now: datetime | None = None
) -> dict[str, int]:
    """Fail the renders that are dead (the page then offers a retry) and queue again the
    ones the broker could not take; `requeue(report_id) -> bool` queues one."""
    now = now or timezone.now()
    counts = {"failed": 0, "requeued": 0}
    for report in AnnualReport.objects.filter(status__in=IN_PROGRESS):
        if report.not_queued:
            if requeue(report.pk):
                AnnualReport.objects.filter(pk=report.pk, not_queued=True).update(
                    not_queued=False, updated_at=timezone.now()
                )
                counts["requeued"] += 1
        elif annual_report_is_dead(report, now=now) and annual_report_stop(report, error=STOPPED):
            counts["failed"] += 1
    return counts
