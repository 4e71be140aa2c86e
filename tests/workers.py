"""A real Celery worker in a thread of the test process, for the tests that need one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core.cache import caches

from linksworker.celery import app


def _close_thread_caches(**_: object) -> None:
    """The worker's thread has caches of its own (Django's are per thread), whose Redis
    connections nobody closes when the thread ends: closed after each task it runs, so
    that none is left for the garbage collector to find open."""
    if threading.current_thread() is threading.main_thread():
        return
    for cache in caches.all(initialized_only=True):
        for pool in getattr(getattr(cache, "_cache", None), "_pools", {}).values():
            pool.disconnect()


@contextmanager
def real_worker() -> Iterator[None]:
    """A solo worker on the configured broker; tasks go to it, not run eagerly, meanwhile."""
    app.conf.task_always_eager = False
    task_postrun.connect(_close_thread_caches, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield
    finally:
        task_postrun.disconnect(_close_thread_caches)
        app.conf.task_always_eager = True
