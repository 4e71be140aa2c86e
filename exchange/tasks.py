"""Celery tasks for imports from the upload page (`practices.jobs`): ids in, one service call
each. A task that gives up marks its job failed and drops its files."""

from exchange.jobs import (
    import_job_apply,
    import_job_check,
    import_job_fail,
    import_jobs_purge,
    import_jobs_sweep,
)
from exchange.models import ImportJob
from practices.jobs import job_requeue, job_task


@job_task(name="exchange.tasks.check_import", on_give_up=import_job_fail)
def check_import(job_id: int) -> None:
    import_job_check(job_id=job_id)


@job_task(name="exchange.tasks.apply_import", on_give_up=import_job_fail)
def apply_import(job_id: int) -> None:
    import_job_apply(job_id=job_id)


@job_task(name="exchange.tasks.purge_imports")
def purge_imports() -> int:
    return import_jobs_purge()


def import_job_queue(job: ImportJob) -> bool:
    """Queue the task a job waits for (its check, or its apply); False if the broker cannot
    take it."""
    task = apply_import if job.status == ImportJob.Status.APPLYING else check_import
    return job_requeue(task, job.pk)


@job_task(name="exchange.tasks.sweep_imports", max_retries=0)
def sweep_imports() -> dict[str, int]:
    """Every minute: fail dead jobs, queue again the ones the broker could not take."""
    return import_jobs_sweep(requeue=import_job_queue)
