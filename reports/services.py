"""Requesting annual reports and reading their status. The render itself runs in the
background (`reports.jobs`, queued by `reports.tasks`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from practices.jobs import job_enqueue
from practices.progress import job_status
from reports.jobs import (
    FIRST_YEAR,
    STOPPED,
    annual_report_is_dead,
    annual_report_not_queued,
    annual_report_stop,
)
from reports.models import IN_PROGRESS, AnnualReport, ReportStatus
from reports.tasks import render_annual_report


@transaction.atomic
def annual_report_request(
    *, user: User, year: int, request: HttpRequest | None = None
) -> AnnualReport:
    """Queue a report for a year; the render starts once this transaction commits."""
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValidationError({"year": f"Choose a year from {FIRST_YEAR} to this year."})
    for running in AnnualReport.objects.select_for_update().filter(
        year=year, status__in=IN_PROGRESS
    ):
        if not annual_report_is_dead(running, now=timezone.now()):
            return running  # one render per year at a time
        # Never hand back a render that will not finish: stop it and start afresh.
        annual_report_stop(running, error=STOPPED)
    report = AnnualReport.objects.create(year=year, requested_by=user)
    audit_record(request=request, user=user, action=Action.CREATE, obj=report, detail=str(year))
    job_enqueue(render_annual_report, report.pk, on_not_queued=annual_report_not_queued)
    return report


@transaction.atomic
def annual_report_retry(
    *, user: User, report: AnnualReport, request: HttpRequest | None = None
) -> AnnualReport:
    """Render a failed report again, or queue now one the broker could not take."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if not (report.status == ReportStatus.FAILED or (report.not_queued and report.in_progress)):
        raise ValidationError(
            "Only a report that failed or is waiting to be queued can be retried."
        )
    report.status, report.error, report.not_queued = ReportStatus.QUEUED, "", False
    report.save(update_fields=["status", "error", "not_queued", "updated_at"])
    audit_record(request=request, user=user, action=Action.UPDATE, obj=report, detail="retried")
    job_enqueue(render_annual_report, report.pk, on_not_queued=annual_report_not_queued)
    return report


@transaction.atomic
def annual_report_cancel(
    *, user: User, report: AnnualReport, request: HttpRequest | None = None
) -> AnnualReport:
    """Stop a report in progress; a render under way finds it cancelled and keeps nothing."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if not report.in_progress:
        raise ValidationError(
            f"This report cannot be cancelled: it is {report.get_status_display()}."
        )
    annual_report_stop(report, error=f"Cancelled by {user.display_name}.")
    audit_record(request=request, user=user, action=Action.UPDATE, obj=report, detail="cancelled")
    report.refresh_from_db()
    return report


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
