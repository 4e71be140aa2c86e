"""Rendering an annual report in the background. Idempotent: a finished report is left
alone, and a retried one starts again from the statistics. Its task (`reports.tasks`) calls
these; the request that queues it is in `reports.services`."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone

from practices.progress import job_progress_record
from reports.models import AnnualReport, ReportStatus
from reports.rendering import render_report_pdf
from reports.statistics import programme_statistics

FIRST_YEAR = 2000


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _progress(report: AnnualReport, percent: int, message: str) -> None:
    job_progress_record(report, done=percent, total=100, message=message)


def annual_report_render(*, report_id: int) -> AnnualReport:
    report = AnnualReport.objects.get(pk=report_id)
    if report.status == ReportStatus.DONE and report.pdf:
        return report
    report.status, report.error = ReportStatus.RUNNING, ""
    report.save(update_fields=["status", "error"])
    _progress(report, 10, "Computing the statistics")
    start, end = year_period(report.year)
    stats = programme_statistics(start=start, end=end)
    _progress(report, 40, "Drawing the charts and laying out the pages")
    pdf = render_report_pdf(stats)
    _progress(report, 90, "Saving the PDF")
    if report.pdf:
        report.pdf.delete(save=False)
    report.pdf.save(
        f"links-programme-review-{report.year}-{report.pk}.pdf", ContentFile(pdf), save=False
    )
    report.statistics = stats
    report.status = ReportStatus.DONE
    report.finished_at = timezone.now()
    report.save(update_fields=["pdf", "statistics", "status", "finished_at"])
    return report


def annual_report_fail(*, report_id: int, error: BaseException) -> None:
    """The render gave up: say why on the page (the error's kind and message, which carry no
    patient data: the report holds aggregates only)."""
    AnnualReport.objects.filter(pk=report_id).update(
        status=ReportStatus.FAILED, error=f"{type(error).__name__}: {error}"[:500]
    )
