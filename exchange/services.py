"""Imports from the upload page: a job holds the files, is checked in the background (with a
preview of what would change), then applied on request, also in the background.

The uploaded files hold names and CHI numbers, so they are deleted as soon as the job cannot
be applied any more (applied, refused, discarded, failed, or left unapplied for a day). The
preview and problems saved on the job carry no personal data (see `exchange.reading`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from exchange.access import can_import_programme_data
from exchange.formats import FILE_NAMES
from exchange.importer import ImportResult, programme_check, programme_import
from exchange.importer.common import ProgressCallback
from exchange.models import ImportFile, ImportJob
from practices.progress import job_progress_record, job_status
from reports.figures import practice_figures_compact

MAX_FILE_BYTES = 50 * 1024 * 1024
# Problems kept on a job for the page; the count says how many there were in all.
MAX_PROBLEMS_KEPT = 500
UNAPPLIED_FOR = timedelta(days=1)
# Longer than the broker's visibility timeout, after which a lost task is redelivered.
STUCK_AFTER = timedelta(hours=3)
# What the importer is doing, in words for the page, by the name of its phase.
PHASES = {"checking": "Reading the files", "loading": "Writing the records"}


def _progress_writer(job: ImportJob) -> ProgressCallback:
    def write(phase: str, done: int, total: int) -> None:
        job_progress_record(job, done=done, total=total, message=PHASES.get(phase, ""))

    return write


def import_job_status(*, job: ImportJob) -> dict[str, object]:
    """Every job's status (`practices.progress`), with the keys this endpoint answered
    before that shape was shared, kept for clients that read them."""
    status = job_status(job)
    return {
        **status,
        "status": job.status,
        "in_progress": job.in_progress,
        "phase": status["message"],
        "done": status["value"] or 0,
        "total": status["max"] or 0,
    }


@transaction.atomic
def import_job_create(
    *, user: User, files: Mapping[str, UploadedFile], request: HttpRequest | None = None
) -> ImportJob:
    """Keep the uploaded files (name → upload) and queue their check."""
    if not can_import_programme_data(user):
        raise PermissionDenied
    unknown = sorted(set(files) - set(FILE_NAMES))
    if unknown or not files:
        raise ValidationError("Upload the programme files by their names: " + ", ".join(FILE_NAMES))
    job = ImportJob.objects.create(created_by=user)
    for name in sorted(files, key=FILE_NAMES.index):
        upload = files[name]
        ImportFile.objects.create(job=job, name=name, size=upload.size, file=upload)
    audit_record(
        request=request,
        user=user,
        action=Action.CREATE,
        obj=job,
        detail="programme data uploaded for checking: " + ", ".join(sorted(files)),
    )
    from exchange.tasks import check_import

    check_import.delay_on_commit(job.pk)
    return job


def _sources(job: ImportJob) -> dict[str, bytes]:
    sources = {}
    for stored in job.files.all():
        with stored.file.open("rb") as handle:
            sources[stored.name] = handle.read()
    return sources


def _discard_files(job: ImportJob) -> None:
    for stored in job.files.all():
        stored.file.delete(save=False)
    job.files.all().delete()


def _record(job: ImportJob, result: ImportResult) -> None:
    job.preview = [
        {"file": name, "new": c.new, "changed": c.changed, "unchanged": c.unchanged}
        for name, c in result.counts.items()
    ]
    job.problems = result.problems[:MAX_PROBLEMS_KEPT]
    job.problem_count = len(result.problems)
    job.rows = sum(c.rows for c in result.counts.values())


def import_job_check(*, job_id: int) -> None:
    """Check a queued job's files and save the preview. Running it again after it finished
    does nothing."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING):
        return
    job.status = ImportJob.Status.CHECKING
    job.save(update_fields=["status", "updated_at"])
    result = programme_check(
        sources=_sources(job), user=job.created_by, progress=_progress_writer(job)
    )
    _record(job, result)
    job.status = ImportJob.Status.READY if result.ok else ImportJob.Status.INVALID
    job.save()
    if not result.ok:
        _discard_files(job)


@transaction.atomic
def import_job_request_apply(*, user: User, job: ImportJob) -> ImportJob:
    """Queue a checked job to be applied. Only its owner, still allowed to import, may."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != user.pk or not can_import_programme_data(user):
        raise PermissionDenied
    if job.status != ImportJob.Status.READY:
        raise ValidationError(f"This import cannot be applied: it is {job.get_status_display()}.")
    job.status = ImportJob.Status.APPLYING
    job.save(update_fields=["status", "updated_at"])
    from exchange.tasks import apply_import

    apply_import.delay_on_commit(job.pk)
    return job


def import_job_apply(*, job_id: int) -> None:
    """Apply a job's files: checked again against the database as it is now, then loaded in
    one transaction with the job's new state, so a retry after a crash either finds the job
    done or starts again from nothing."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.APPLYING:
        return
    sources = _sources(job)
    with transaction.atomic():
        result = programme_import(
            sources=sources, user=job.created_by, progress=_progress_writer(job)
        )
        _record(job, result)
        if result.applied:
            job.status = ImportJob.Status.DONE
            job.applied_at = timezone.now()
        else:
            job.status = ImportJob.Status.INVALID
        job.save()
    _discard_files(job)
    if job.status == ImportJob.Status.DONE:
        # A row per imported record in the dashboards' running counts: fold them now rather
        # than at the next scheduled run.
        practice_figures_compact()


@transaction.atomic
def import_job_discard(*, user: User, job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != user.pk:
        raise PermissionDenied
    if job.status != ImportJob.Status.READY:
        raise ValidationError(f"This import cannot be discarded: it is {job.get_status_display()}.")
    job.status = ImportJob.Status.DISCARDED
    job.save(update_fields=["status", "updated_at"])
    _discard_files(job)
    return job


def import_job_fail(*, job_id: int, error: BaseException) -> None:
    """The task gave up: say so, and drop the files. The error is not kept: its message could
    quote the files."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or not job.in_progress:
        return
    job.status = ImportJob.Status.FAILED
    job.save(update_fields=["status", "updated_at"])
    _discard_files(job)


def import_jobs_purge(*, now=None) -> int:
    """Discard jobs checked but not applied within a day, so their files do not linger; and
    fail jobs whose work has shown no sign of life for longer than any task may run with
    its retries (a worker lost for good, or an in-process task that raised)."""
    now = now or timezone.now()
    purged = 0
    stale = [
        (
            ImportJob.Status.DISCARDED,
            Q(status=ImportJob.Status.READY, updated_at__lt=now - UNAPPLIED_FOR),
        ),
        (
            ImportJob.Status.FAILED,
            Q(status__in=ImportJob.IN_PROGRESS, updated_at__lt=now - STUCK_AFTER),
        ),
    ]
    for status, condition in stale:
        for job in ImportJob.objects.filter(condition):
            job.status = status
            job.save(update_fields=["status", "updated_at"])
            _discard_files(job)
            purged += 1
    return purged
