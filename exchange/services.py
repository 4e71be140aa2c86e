"""Imports from the upload page: a job holds the files, is checked in the background (with a
preview of what would change), then applied on request, also in the background.

The uploaded files hold names and CHI numbers, so they are deleted as soon as the job cannot
be applied any more (applied, refused, discarded, failed, or left unapplied for a day). The
preview and problems saved on the job carry no personal data (see `exchange.reading`).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from exchange.access import can_import_programme_data
from exchange.formats import FILE_NAMES
from exchange.jobs import import_job_files_discard, import_job_not_queued, import_job_stop
from exchange.models import ImportFile, ImportJob
from exchange.tasks import apply_import, check_import, import_job_queue
from practices.jobs import job_enqueue
from practices.progress import job_status


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


def import_job_create(
    *, user: User, files: Mapping[str, UploadedFile], request: HttpRequest | None = None
) -> ImportJob:
    """Keep the uploaded files (name → upload) and queue their check. The job is committed
    before any file is written, so a process killed while writing leaves a job that the
    sweep fails with its files, never files that nothing names."""
    if not can_import_programme_data(user):
        raise PermissionDenied
    unknown = sorted(set(files) - set(FILE_NAMES))
    if unknown or not files:
        raise ValidationError("Upload the programme files by their names: " + ", ".join(FILE_NAMES))
    with transaction.atomic():
        job = ImportJob.objects.create(created_by=user)
        audit_record(
            request=request,
            user=user,
            action=Action.CREATE,
            obj=job,
            detail="programme data uploaded for checking: " + ", ".join(sorted(files)),
        )
    try:
        for name in sorted(files, key=FILE_NAMES.index):
            upload = files[name]
            ImportFile.objects.create(job=job, name=name, size=upload.size or 0, file=upload)
    except BaseException:
        import_job_stop(job_id=job.pk, status=ImportJob.Status.FAILED)
        raise
    job_enqueue(check_import, job.pk, on_not_queued=import_job_not_queued)
    job.refresh_from_db()
    return job


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
    job_enqueue(apply_import, job.pk, on_not_queued=import_job_not_queued)
    return job


def import_job_requeue(*, user: User, job: ImportJob) -> ImportJob:
    """Queue now a job whose task the broker could not take (the sweep would, shortly)."""
    if job.created_by_id != user.pk or not can_import_programme_data(user):
        raise PermissionDenied
    job.refresh_from_db()
    if not (job.not_queued and job.in_progress):
        raise ValidationError("This import is not waiting to be queued.")
    if import_job_queue(job):
        ImportJob.objects.filter(pk=job.pk).update(not_queued=False)
    job.refresh_from_db()
    return job


def import_job_cancel(*, user: User, job: ImportJob) -> ImportJob:
    """Stop a job waiting or being checked, dropping its files. One being applied runs to
    its end: its one transaction either loads everything or nothing."""
    if job.created_by_id != user.pk or not can_import_programme_data(user):
        raise PermissionDenied
    if not import_job_stop(job_id=job.pk, status=ImportJob.Status.DISCARDED):
        job.refresh_from_db()
        raise ValidationError(f"This import cannot be cancelled now: it is {job.job_label}.")
    job.refresh_from_db()
    return job


@transaction.atomic
def import_job_discard(*, user: User, job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != user.pk:
        raise PermissionDenied
    if job.status != ImportJob.Status.READY:
        raise ValidationError(f"This import cannot be discarded: it is {job.get_status_display()}.")
    job.status = ImportJob.Status.DISCARDED
    job.save(update_fields=["status", "updated_at"])
    import_job_files_discard(job)
    return job
