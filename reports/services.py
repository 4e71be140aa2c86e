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
from practices.progress import job_status
from reports.jobs import FIRST_YEAR
from reports.models import AnnualReport, ReportStatus
from reports.tasks import render_annual_report


@transaction.atomic
def annual_report_request(
    *, user: User, year: int, request: HttpRequest | None = None
) -> AnnualReport:
    """Queue a report for a year; the render starts once this transaction commits."""
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
