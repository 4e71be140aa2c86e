"""Longer database limits for the work that needs them.

Every statement has a short limit (DATABASE_STATEMENT_TIMEOUT, in settings) so that a page
fails fast with a 503 rather than hang on a database that does not answer. The statistics
behind an annual report and the import of a programme's files are long by nature: they run
inside `long_statements()`, which raises the limit for their one transaction only. It lives
in `practices` beside the base task, the lowest app that holds what every job shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction


@contextmanager
def long_statements() -> Iterator[None]:
    """A transaction whose statements may each run for DATABASE_LONG_STATEMENT_TIMEOUT."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout')")
            (previous,) = cursor.fetchone()
            # SET takes no parameters; the value is an integer from settings.
            milliseconds = int(settings.DATABASE_LONG_STATEMENT_TIMEOUT) * 1000
            cursor.execute(f"SET LOCAL statement_timeout = {milliseconds}")
        yield
        # Inside a longer transaction, the limit lasts to its end otherwise (a rollback to
        # this block's savepoint restores it by itself).
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
