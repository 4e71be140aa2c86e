from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from audit.models import Action
from audit.services import audit_record
from practices.roles import programme_required
from reports.models import AnnualReport, ReportStatus
from reports.services import (
    FIRST_YEAR,
    annual_report_cancel,
    annual_report_request,
    annual_report_retry,
    annual_report_status,
)

NOT_QUEUED = (
    "The {year} report is saved, but its rendering could not be queued just now: it will be "
    "queued again automatically within a few minutes, or you can retry it below."
)


class RequestReportForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, label="Year")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        cast(forms.ChoiceField, self.fields["year"]).choices = [
            (y, y) for y in range(this_year, FIRST_YEAR - 1, -1)
        ]
        self.fields["year"].initial = this_year - 1


@programme_required
@require_http_methods(["GET", "POST"])
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RequestReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = annual_report_request(
                user=request.user, year=form.cleaned_data["year"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _say_queued(request, report)
            return redirect("reports:list")
    reports = AnnualReport.objects.select_related("requested_by")[:50]
    return render(request, "reports/list.html", {"form": form, "reports": reports})


@programme_required
@require_GET
def report_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    report = get_object_or_404(AnnualReport, pk=pk)
    return JsonResponse(annual_report_status(report=report))


@programme_required
@require_GET
def report_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    report = get_object_or_404(AnnualReport, pk=pk)
    if report.status != ReportStatus.DONE or not report.pdf:
        raise Http404("This report is not ready.")
    audit_record(request=request, action=Action.EXPORT, obj=report, detail=str(report.year))
    return FileResponse(
        report.pdf.open("rb"),
        as_attachment=True,
        filename=f"links-programme-review-{report.year}.pdf",
        content_type="application/pdf",
    )


def _say_queued(request: AuthenticatedHttpRequest, report: AnnualReport) -> None:
    # The task is queued once the service's transaction commits: read what became of it.
    report.refresh_from_db()
    if report.not_queued:
        messages.warning(request, NOT_QUEUED.format(year=report.year))
    else:
        messages.info(request, f"The {report.year} report is being prepared.")


@programme_required
@require_POST
def report_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AnnualReport, pk=pk)
    try:
        annual_report_retry(user=request.user, report=report, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _say_queued(request, report)
    return redirect("reports:list")


@programme_required
@require_POST
def report_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AnnualReport, pk=pk)
    try:
        annual_report_cancel(user=request.user, report=report, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, f"The {report.year} report was cancelled.")
    return redirect("reports:list")
