"""The one way to write a background job: a Celery task on `JobTask`, declared with `job_task`.

It lives in `practices`, the lowest app that holds machinery the whole programme shares (the
roles primitive, the scoping), so every app with background work, from `participants` up,
may import it under the import layers, while `accounts` and `audit` stay about who signs in
and what was done.

    @job_task(name="exchange.tasks.check_import", on_give_up=import_job_fail)
    def check_import(job_id: int) -> None:
        import_job_check(job_id=job_id)

- Ids in, one service call. The service must be safe to run twice: the task is acknowledged
  only once it has finished, and retried when it fails or its worker is lost, up to
  `max_retries` (5) times, each wait drawn at random (jitter) below 30 s, 60 s, 120 s, …
  and never above 10 minutes, so every retry ends well inside the broker's visibility
  timeout.
- Queued after the caller's transaction commits: `check_import.delay_on_commit(job.pk)`. A
  rollback queues nothing, and the worker never looks for a row that is not there yet.
- Jobs with a row are queued with `job_enqueue(task, job.pk, on_not_queued=...)` instead:
  the same, except that a broker out of reach does not fail the request that has already
  committed its row. `on_not_queued(job_id)` marks the row, the page says plainly that the
  work could not be queued yet, and the app's periodic sweep queues it again
  (`job_requeue`) once the broker answers.
- When the task gives up (its retries spent on a worker; at the first error when it runs
  in-process under CELERY_TASK_ALWAYS_EAGER, where there is no worker to retry it later), it
  calls `on_give_up` with its own arguments by name and `error=`, a service that marks the
  job failed. In-process, the error never reaches the request that queued the task.
- Errors are logged, and handed to Celery, as their type and where they were raised, never
  their message: a message (a database's duplicate key, say) can quote patient data.
"""

from __future__ import annotations

import functools
import inspect
import logging
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from celery.exceptions import TaskPredicate
from django.db import transaction

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent

GiveUp = Callable[..., None]


class JobError(Exception):
    """What Celery sees of an error raised in a job: its type and where it was raised. The
    original stays on `original` for the give-up service, out of the worker's log and the
    result backend."""

    original: BaseException | None = None


def describe(error: BaseException) -> str:
    """`RuntimeError at exchange/jobs.py:80 in import_job_check < …`: the error's type
    and its innermost frames, without the message, which may quote the data."""
    frames = traceback.extract_tb(error.__traceback__)[::-1][:3]
    where = " < ".join(f"{_path(f.filename)}:{f.lineno} in {f.name}" for f in frames)
    return f"{type(error).__name__} at {where}" if where else type(error).__name__


def _path(filename: str) -> str:
    path = Path(filename)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else "/".join(path.parts[-2:])


class JobTask(DjangoTask):
    """The base of every task: see the module's docstring. `delay_on_commit` and
    `apply_async_on_commit` come from Celery's Django task."""

    autoretry_for = (Exception,)
    retry_backoff = 30
    retry_backoff_max = 10 * 60
    retry_jitter = True
    max_retries = 5
    # A worker lost mid-task (killed, out of memory) counts as a retry, after this delay,
    # rather than requeueing the message for ever; requeueing is only the fallback when the
    # retry cannot be sent. Both are safe because every job is idempotent.
    default_retry_delay = 30
    acks_late = True
    retry_on_worker_lost = True
    reject_on_worker_lost = True
    on_give_up: GiveUp | None = None
    # The task function's own parameters, to call `on_give_up` with its arguments by name.
    job_parameters: inspect.Signature = inspect.Signature()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # `job_task` (through Celery's `shared_task`) makes a subclass per task with the
        # function as `run`; guarding it here puts the guard inside Celery's autoretry, which
        # wraps `run` afterwards, so every error is seen here before a retry is decided.
        super().__init_subclass__(**kwargs)
        body = cls.__dict__.get("run")
        if body is None:
            return
        if isinstance(body, staticmethod):
            cls.job_parameters = inspect.signature(body.__func__)
            cls.run = _guarded(body.__func__, bound=False)  # type: ignore[method-assign]
        else:
            parameters = list(inspect.signature(body).parameters.values())[1:]
            cls.job_parameters = inspect.Signature(parameters)
            cls.run = _guarded(body, bound=True)  # type: ignore[method-assign]

    def _failed(self, error: Exception, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        """An error left the task's body. In-process, give up now; on a worker, hand Celery
        an error without its message, which it retries until `max_retries` and then fails
        (`on_failure`)."""
        if self.request.is_eager:
            logger.error(
                "Task %s%s gave up (run in-process, so not retried): %s",
                self.name,
                self._ids(args, kwargs),
                describe(error),
            )
            self._give_up(args, kwargs, error)
            return
        logger.warning(
            "Task %s%s failed (attempt %d of %d): %s",
            self.name,
            self._ids(args, kwargs),
            self.request.retries + 1,
            self.max_retries + 1,
            describe(error),
        )
        sanitised = JobError(describe(error))
        sanitised.original = error
        raise sanitised from None

    def on_failure(
        self,
        exc: Exception,
        task_id: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        einfo: Any,
    ) -> None:
        """Celery's handler for a task that failed for good on a worker."""
        self._give_up(args, kwargs, getattr(exc, "original", None) or exc)

    def _give_up(
        self, args: Sequence[Any], kwargs: Mapping[str, Any], error: BaseException
    ) -> None:
        if self.on_give_up is None:
            return
        try:
            self.on_give_up(**self._arguments(args, kwargs), error=error)
        except Exception as failure:
            # Still nothing for the request that queued the task; the job is left as it is
            # (a job that stops beating is failed by its app's sweep within minutes).
            logger.error(
                "Task %s%s could not mark its job failed: %s",
                self.name,
                self._ids(args, kwargs),
                describe(failure),
            )

    def _arguments(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self.job_parameters.bind(*args, **kwargs).arguments)

    def _ids(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
        # Tasks take ids only, so their arguments are safe to log.
        try:
            arguments = self._arguments(args, kwargs)
        except TypeError:
            return "(…)"
        return "(" + ", ".join(f"{name}={value!r}" for name, value in arguments.items()) + ")"


def _guarded(body: Callable[..., Any], *, bound: bool) -> Callable[..., Any]:
    @functools.wraps(body)
    def run(self: JobTask, *args: Any, **kwargs: Any) -> Any:
        try:
            return body(self, *args, **kwargs) if bound else body(*args, **kwargs)
        except TaskPredicate:
            raise  # Celery's own retry, ignore and reject
        except Exception as error:
            if self.request.called_directly:
                raise  # called as a plain function: behave as one
            return self._failed(error, args, kwargs)

    return run


def job_requeue(task: Any, job_id: int) -> bool:
    """Queue `task(job_id)` now; False, and logged, when the broker cannot take it."""
    if task.app.conf.task_always_eager:
        task.apply_async((job_id,))
        return True
    try:
        task.apply_async((job_id,))
    except Exception as error:
        logger.warning("Task %s(job_id=%r) not queued: %s", task.name, job_id, describe(error))
        return False
    return True


def job_enqueue(task: Any, job_id: int, *, on_not_queued: Callable[[int], None]) -> None:
    """Queue `task(job_id)` once the current transaction commits. The job's row is committed
    by then, so a broker that cannot take the task must not turn the request into an error
    that says nothing was saved: `on_not_queued(job_id)` records it instead, and the sweep
    queues the task again later."""

    def publish() -> None:
        if not job_requeue(task, job_id):
            on_not_queued(job_id)

    transaction.on_commit(publish)


def job_task(
    *, name: str, on_give_up: GiveUp | None = None, **options: Any
) -> Callable[[Callable[..., Any]], JobTask]:
    """Declare a task on `JobTask` under `name` (which beat and queued messages refer to).
    `on_give_up(<the task's arguments by name>, error=...)` marks the job failed; `options`
    override Celery's, such as `max_retries` or the time limits of a long job."""
    if on_give_up is not None:
        options["on_give_up"] = staticmethod(on_give_up)
    return shared_task(name=name, base=JobTask, **options)
