"""What an import job does in the background, step by step: check the files, apply them,
give up, sweep the dead and the unqueued, purge what lingers. Its tasks (`exchange.tasks`)
call these; the requests that queue the tasks are in `exchange.services`.

The uploaded files hold names and CHI numbers, so they are deleted as soon as the job cannot
be applied any more (applied, refused, discarded, failed, or left unapplied for a day). The
preview and problems saved on the job carry no personal data (see `exchange.reading`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.utils import timezone

from exchange.importer import ImportResult, programme_check, programme_import
from exchange.importer.common import ProgressCallback
from exchange.models import ImportFile, ImportJob
from exchange.reading import Source
from practices.db import long_statements
from practices.progress import job_alive, job_is_alive, job_progress_record
from reports.figures import practice_figures_compact

# Problems kept on a job for the page; the count says how many there were in all.
MAX_PROBLEMS_KEPT = 500
UNAPPLIED_FOR = timedelta(days=1)
# A job waiting this long for a worker is taken for lost (a broker emptied, say).
QUEUED_FOR_TOO_LONG = timedelta(hours=1)
# What the importer is doing, in words for the page, by the name of its phase.
PHASES = {"checking": "Reading the files", "loading": "Writing the records"}


def _progress_writer(job: ImportJob) -> ProgressCallback:
    def write(phase: str, done: int, total: int) -> None:
        job_progress_record(job, done=done, total=total, message=PHASES.get(phase, ""))

    return write


def _sources(job: ImportJob) -> dict[str, Source]:
    """The job's files, opened as the importer reads them (a chunk of rows at a time)."""
    return {
        stored.name: partial(stored.file.storage.open, str(stored.file.name), "rb")
        for stored in job.files.all()
    }


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
    job.problem_count = result.problem_count
    job.rows = sum(c.rows for c in result.counts.values())


def import_job_check(*, job_id: int) -> None:
    """Check a queued job's files and save the preview. Running it again after it finished
    does nothing."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING):
        return
    # Only a job still wanted is checked: one cancelled or swept meanwhile stays so.
    started = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.CHECKING]
    ).update(status=ImportJob.Status.CHECKING, not_queued=False, updated_at=timezone.now())
    if not started:
        return
    job.refresh_from_db()
    with job_alive(job), long_statements():
        result = programme_check(
            sources=_sources(job), user=job.created_by, progress=_progress_writer(job)
        )
    with transaction.atomic():
        # Cancelled or swept while it was checked: it stays so.
        if (
            not ImportJob.objects.select_for_update()
            .filter(pk=job.pk, status=ImportJob.Status.CHECKING)
            .exists()
        ):
            return
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
    with job_alive(job), long_statements():
        # Held until the import commits: a cancel or a sweep cannot stop it half-way, and
        # sees it is alive.
        if (
            not ImportJob.objects.select_for_update()
            .filter(pk=job.pk, status=ImportJob.Status.APPLYING)
            .exists()
        ):
            return
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


def import_job_not_queued(job_id: int) -> None:
    """Its task could not be queued: say so on the page; the sweep queues it again."""
    ImportJob.objects.filter(pk=job_id, status__in=ImportJob.IN_PROGRESS).update(not_queued=True)


def import_job_is_dead(job: ImportJob, *, now: datetime) -> bool:
    """A job in progress whose work will not finish by itself: checked or applied with no
    heartbeat for a few minutes, or queued for far longer than any queue should take."""
    if job.not_queued:
        return False  # waiting for the broker: the sweep queues it again
    if job.status == ImportJob.Status.QUEUED:
        return job.updated_at < now - QUEUED_FOR_TOO_LONG
    return not job_is_alive(job, changed_at=job.updated_at, now=now)


def import_job_stop(
    *, job_id: int, status: str, from_statuses: Iterable[str] = ImportJob.IN_PROGRESS
) -> bool:
    """End a job (in progress, by default) as `status` and drop its files, unless it moved
    on meanwhile or is being applied right now (its transaction holds the row)."""
    try:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(nowait=True)
                .filter(pk=job_id, status__in=list(from_statuses))
                .first()
            )
            if job is None:
                return False
            job.status, job.not_queued = status, False
            job.save(update_fields=["status", "not_queued", "updated_at"])
    except OperationalError:
        return False  # locked: being applied, so alive
    import_job_files_discard(job)
    return True


def import_jobs_sweep(
    *, requeue: Callable[[ImportJob], bool], now: datetime | None = None
) -> dict[str, int]:
    """Every minute: fail the jobs that are dead (their page offers a new upload) and queue
    again the ones the broker could not take; `requeue(job) -> bool` queues one."""
    now = now or timezone.now()
    counts = {"failed": 0, "requeued": 0}
    for job in ImportJob.objects.filter(status__in=ImportJob.IN_PROGRESS):
        if job.not_queued:
            if requeue(job):
                ImportJob.objects.filter(pk=job.pk, not_queued=True).update(
                    not_queued=False, updated_at=timezone.now()
                )
                counts["requeued"] += 1
        elif import_job_is_dead(job, now=now) and import_job_stop(
            job_id=job.pk, status=ImportJob.Status.FAILED
        ):
            counts["failed"] += 1
    return counts


def import_jobs_purge(*, now=None) -> int:
    """Discard jobs checked but not applied within a day, so their files do not linger, and
    delete files under the imports folder that no job holds (a process killed between
    writing them and committing its job)."""
    now = now or timezone.now()
    purged = 0
    for job in ImportJob.objects.filter(
        status=ImportJob.Status.READY, updated_at__lt=now - UNAPPLIED_FOR
    ):
        if import_job_stop(
            job_id=job.pk,
            status=ImportJob.Status.DISCARDED,
            from_statuses=[ImportJob.Status.READY],
        ):
            purged += 1
    return purged + import_files_orphaned_purge(now=now)


# Files younger than this may belong to an upload still being written.
ORPHANS_OLDER_THAN = timedelta(hours=1)


def import_files_orphaned_purge(*, now: datetime | None = None) -> int:
    """Delete uploaded files that no job's row names: left by a process killed after
    writing them (the job then fails, and its files go with it) or before its job was
    recorded."""
    now = now or timezone.now()
    deleted = _spooled_uploads_purge(now=now)
    if not default_storage.exists("imports"):
        return deleted
    kept = set(ImportFile.objects.values_list("file", flat=True))
    folders, _ = default_storage.listdir("imports")
    for folder in folders:
        for name in default_storage.listdir(f"imports/{folder}")[1]:
            path = f"imports/{folder}/{name}"
            if path in kept or default_storage.get_modified_time(path) > now - ORPHANS_OLDER_THAN:
                continue
            default_storage.delete(path)
            deleted += 1
    return deleted


def _spooled_uploads_purge(*, now: datetime) -> int:
    """Uploads spooled to disk while their request ran, left by a process killed mid-way."""
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    cutoff = (now - ORPHANS_OLDER_THAN).timestamp()
    deleted = 0
    for path in folder.glob("*.upload*") if folder.is_dir() else []:
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
