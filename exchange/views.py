"""The import pages (programme leads and administrators) and the export download
(administrators only). The views parse input, call one service and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from exchange.access import get_import_job_for, import_jobs_visible_to
from exchange.exporter import programme_export_zip
from exchange.formats import FILES
from exchange.forms import UploadForm
from exchange.models import ImportJob
from exchange.services import (
    import_job_cancel,
    import_job_create,
    import_job_discard,
    import_job_request_apply,
    import_job_requeue,
    import_job_status,
)
from practices.roles import administrator_required, programme_required

RECENT_JOBS = 10
NOT_QUEUED = (
    "Your files are saved, but the work on them could not be queued just now: it will be "
    "queued again automatically within a few minutes, or you can retry it below."
)


def _say_if_not_queued(request: AuthenticatedHttpRequest, job: ImportJob) -> None:
    # The task is queued once the service's transaction commits: read what became of it.
    job.refresh_from_db()
    if job.not_queued:
        messages.warning(request, NOT_QUEUED)


@programme_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        try:
            job = import_job_create(
                user=request.user, request=request, files=form.cleaned_data["programme_files"]
            )
        except ValidationError as error:
            form.add_error("programme_files", error)
        else:
            _say_if_not_queued(request, job)
            return redirect("exchange:import_job", pk=job.pk)
    return render(
        request,
        "exchange/upload.html",
        {
            "form": form,
            "specs": FILES,
            "jobs": import_jobs_visible_to(request.user)[:RECENT_JOBS],
        },
    )


@programme_required
@require_GET
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_import_job_for(request.user, pk)
    return render(
        request,
        "exchange/job.html",
        {
            "job": job,
            "status": import_job_status(job=job),
            "more_problems": job.problem_count > len(job.problems),
        },
    )


@login_required
@require_GET
def job_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """What the job page polls while work is under way; its owner's only (404 otherwise)."""
    job = get_import_job_for(request.user, pk)
    return JsonResponse(import_job_status(job=job))


@programme_required
@require_POST
def job_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_import_job_for(request.user, pk)
    try:
        import_job_request_apply(user=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _say_if_not_queued(request, job)
    return redirect("exchange:import_job", pk=job.pk)


@programme_required
@require_POST
def job_requeue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_import_job_for(request.user, pk)
    try:
        import_job_requeue(user=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _say_if_not_queued(request, job)
    return redirect("exchange:import_job", pk=job.pk)


@programme_required
@require_POST
def job_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_import_job_for(request.user, pk)
    try:
        import_job_cancel(user=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, "The import was cancelled and its files deleted.")
    return redirect("exchange:import_job", pk=job.pk)


@programme_required
@require_POST
def job_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_import_job_for(request.user, pk)
    try:
        import_job_discard(user=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, "The import was discarded and its files deleted.")
    return redirect("exchange:import")


@administrator_required
@require_http_methods(["GET", "POST"])
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET explains; POST downloads, so that nothing (a prefetch, a crawler) exports by
    following a link."""
    if request.method == "GET":
        return render(request, "exchange/export.html", {"specs": FILES})
    data = programme_export_zip(user=request.user, request=request)
    response = HttpResponse(data, content_type="application/zip")
    filename = f"links-programme-data-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
