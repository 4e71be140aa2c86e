"""Requesting and rendering annual reports. The render is idempotent: a finished report is
left alone, and a retried one starts again from the statistics."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from practices.progress import job_progress_record, job_status
from reports.models import AnnualReport, ReportStatus
from reports.rendering import render_report_pdf
from reports.statistics import programme_statistics

FIRST_YEAR = 2000


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


@transaction.atomic
def annual_report_request(
    *, user: User, year: int, request: HttpRequest | None = None
) -> AnnualReport:
    """Queue a report for a year; the render starts once this transaction commits."""
    from reports.tasks import render_annual_report

    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValidationError({"year": f"Choose a year from {FIRST_YEAR} to this year."})
    running = AnnualReport.objects.filter(
        year=year, status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]
    ).first()
    if running is not None:
        return running  # one render per year at a time
    report = AnnualReport.objects.create(year=year, requested_by=user)
    audit_record(request=request, user=user, action=Action.CREATE, obj=report, detail=str(year))
    render_annual_report.delay_on_commit(report.pk)
    return report


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


def annual_report_status(*, report: AnnualReport) -> dict[str, object]:
    """Every job's status (`practices.progress`), with the keys this endpoint answered
    before that shape was shared, kept for clients that read them."""
    status = job_status(report)
    return {
        **status,
        "status": report.status,
        "progress": status["percent"] or 0,
        "stage": status["message"],
        "done": report.status == ReportStatus.DONE,
    }
