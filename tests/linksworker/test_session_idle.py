"""The idle timeout: a session ends SESSION_COOKIE_AGE after it was last saved, and a request
saves it again (pushing the expiry on) at most once a minute, not on every request. The
clock is moved by patching `django.utils.timezone.now`, which the session store reads for
its expiry dates as the middleware does for its stamp."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linksworker.middleware import SESSION_SEEN_KEY


@pytest.fixture
def clock(monkeypatch):
    """clock(seconds) moves the time on by that many seconds from the test's start."""
    start = timezone.now()
    offset = {"s": 0.0}
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=offset["s"]))

    def move(seconds: float) -> None:
        offset["s"] += seconds

    return move


def _session_writes(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return response.status_code, writes


def test_two_requests_within_a_minute_write_the_session_once(as_user, clp_a, clock):
    client = as_user(clp_a)
    home = reverse("home")
    status, writes = _session_writes(client, home)
    assert status == 200
    assert len(writes) == 1  # the first request after signing in stamps the session
    clock(59)
    status, writes = _session_writes(client, home)
    assert status == 200
    assert writes == []
    clock(2)  # a minute and more since the last save: the expiry is pushed on
    status, writes = _session_writes(client, home)
    assert status == 200
    assert len(writes) == 1


def test_a_session_in_use_is_kept_and_an_idle_one_is_signed_out(as_user, clp_a, clock):
    idle = settings.SESSION_COOKIE_AGE
    assert idle == 30 * 60
    client = as_user(clp_a)
    home = reverse("home")
    assert client.get(home).status_code == 200
    clock(idle - 60)  # used again within the idle time: the expiry moves on
    assert client.get(home).status_code == 200
    clock(idle - 60)  # an idle time after sign-in, but not after the last request
    assert client.get(home).status_code == 200
    clock(idle + 1)  # idle for longer than the timeout
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_requests_within_the_minute_do_not_push_the_expiry_on(as_user, clp_a, clock):
    """The price of saving once a minute: the session ends at most a minute early, never
    late."""
    client = as_user(clp_a)
    home = reverse("home")
    client.get(home)
    clock(50)
    client.get(home)  # not saved: the expiry still counts from the first request
    clock(settings.SESSION_COOKIE_AGE - 49)
    assert client.get(home).status_code == 302


def test_the_stamp_is_the_time_of_the_last_save(as_user, clp_a, clock):
    client = as_user(clp_a)
    client.get(reverse("home"))
    assert client.session[SESSION_SEEN_KEY] == int(timezone.now().timestamp())


def test_healthz_reads_but_does_not_write_the_session_of_a_signed_in_user(
    as_user, clp_a, django_assert_num_queries
):
    client = as_user(clp_a)
    client.get("/healthz")
    # its own check of the database, then the session and the user (the fixed cost of a
    # signed-in request, the benchmark's yardstick), and no write
    with django_assert_num_queries(3):
        response = client.get("/healthz")
    assert response.status_code in (200, 503)
    assert "sessionid" not in response.cookies


def test_a_visitor_who_is_not_signed_in_gets_no_session(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
