"""A database that accepts connections but never answers must not hang pages: connecting and
every statement have a limit, a page past one answers a plain 503 at once, and the
statistics and imports run with their own longer limit."""

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.urls import reverse

from linksworker import views
from practices.db import long_statements

ROOT = Path(__file__).resolve().parents[2]

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement timeouts are PostgreSQL's"
)


@postgres_only
def test_connecting_and_every_statement_have_a_limit(db):
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["connect_timeout"] == settings.DATABASE_CONNECT_TIMEOUT == 5
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == (f"{settings.DATABASE_STATEMENT_TIMEOUT}s",)


@postgres_only
def test_queries_are_not_compiled_just_in_time(db):
    # Compiling a page's query costs more than running it (bench/NOTES.md).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


@postgres_only
def test_a_statement_past_the_limit_is_stopped(db):
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")


@postgres_only
def test_statistics_and_imports_get_the_longer_limit_for_their_transaction_only(db):
    with long_statements(), connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == (f"{settings.DATABASE_LONG_STATEMENT_TIMEOUT // 60}min",)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == (f"{settings.DATABASE_STATEMENT_TIMEOUT}s",)


def test_a_page_the_database_cannot_answer_in_time_is_a_plain_503(as_user, clp_a, monkeypatch):
    def silent(**kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(views, "clp_home_summary", silent)
    response = as_user(clp_a).get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "cannot reach its records just now" in body
    assert "statement timeout" not in body


def test_a_database_that_accepts_connections_but_never_answers_fails_fast():
    """A listener that accepts and then says nothing, as a stalled database does: /healthz
    answers 503 within the connect timeout instead of hanging."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    script = (
        "import django, time; django.setup(); from django.test import Client; "
        "t = time.monotonic(); r = Client().get('/healthz'); "
        "print(r.status_code, round(time.monotonic() - t))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "linksworker.settings",
        "DATABASE_URL": f"postgres://links@127.0.0.1:{port}/links",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "CELERY_BROKER_URL": "",
        "CACHE_URL": "",
        "ALLOWED_HOSTS": "testserver",
    }
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
    status, seconds = done.stdout.split()[-2:]
    assert status == "503"
    assert int(seconds) <= 10
