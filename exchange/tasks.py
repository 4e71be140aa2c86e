"""Celery tasks for imports from the upload page (`practices.jobs`): ids in, one service call
each. A task that gives up marks its job failed and drops its files."""

from exchange.jobs import (
    import_job_apply,
    import_job_check,
    import_job_fail,
    import_jobs_purge,
)
from practices.jobs import job_task


@job_task(name="exchange.tasks.check_import", on_give_up=import_job_fail)
def check_import(job_id: int) -> None:
    import_job_check(job_id=job_id)


@job_task(name="exchange.tasks.apply_import", on_give_up=import_job_fail)
def apply_import(job_id: int) -> None:
    import_job_apply(job_id=job_id)


@job_task(name="exchange.tasks.purge_imports")
def purge_imports() -> int:
    return import_jobs_purge()
