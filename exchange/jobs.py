"""What an import job does in the background, step by step: check the files, apply them,
give up, purge what lingers. Its tasks (`exchange.tasks`) call these; the requests that
queue the tasks are in `exchange.services`.

The uploaded files hold names and CHI numbers, so they are deleted as soon as the job cannot
be applied any more (applied, refused, discarded, failed, or left unapplied for a day). The
preview and problems saved on the job carry no personal data (see `exchange.reading`).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from exchange.importer import ImportResult, programme_check, programme_import
from exchange.importer.common import ProgressCallback
from exchange.models import ImportJob
from practices.progress import job_progress_record
from reports.figures import practice_figures_compact

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


def _sources(job: ImportJob) -> dict[str, bytes]:
    sources = {}
    for stored in job.files.all():
        with stored.file.open("rb") as handle:
            sources[stored.name] = handle.read()
    return sources


def import_job_files_discard(job: ImportJob) -> None:
    """The uploaded files hold names and CHI numbers: gone once the job cannot use them."""
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
        import_job_files_discard(job)


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
    import_job_files_discard(job)
    if job.status == ImportJob.Status.DONE:
        # A row per imported record in the dashboards' running counts: fold them now rather
        # than at the next scheduled run.
        practice_figures_compact()


def import_job_fail(*, job_id: int, error: BaseException) -> None:
    """The task gave up: say so, and drop the files. The error is not kept: its message could
    quote the files."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or not job.in_progress:
        return
    job.status = ImportJob.Status.FAILED
    job.save(update_fields=["status", "updated_at"])
    import_job_files_discard(job)


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
            import_job_files_discard(job)
            purged += 1
    return purged
