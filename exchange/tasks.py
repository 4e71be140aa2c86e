"""Celery tasks for imports from the upload page: ids in, one service call each. Both are
safe to run twice (the job's state says what is left to do), so they acknowledge late and
retry with backoff; a task that gives up marks its job failed."""

import logging

from celery import Task, shared_task

from exchange.services import (
    import_job_apply,
    import_job_check,
    import_job_fail,
    import_jobs_purge,
)

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
}


class ImportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id is not None:
            import_job_fail(job_id=job_id)


def _run(task: Task, service, job_id: int) -> None:
    try:
        service(job_id=job_id)
    except Exception:
        # In-process (no broker) there is no worker to retry later, and the error must not
        # reach the person's request as a server error: the job says it failed instead.
        if task.request.is_eager:
            logger.exception("Import job %s failed", job_id)
            import_job_fail(job_id=job_id)
            return
        raise


@shared_task(bind=True, name="exchange.tasks.check_import", base=ImportTask, **RETRY)
def check_import(self, job_id: int) -> None:
    _run(self, import_job_check, job_id)


@shared_task(bind=True, name="exchange.tasks.apply_import", base=ImportTask, **RETRY)
def apply_import(self, job_id: int) -> None:
    _run(self, import_job_apply, job_id)


@shared_task(name="exchange.tasks.purge_imports", **RETRY)
def purge_imports() -> int:
    return import_jobs_purge()
