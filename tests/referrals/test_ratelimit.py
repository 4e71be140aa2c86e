"""The per-address limit and the CACHE_URL setting it counts in."""

import logging
import os
import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory

from referrals.log_redaction import RedactFeedbackTokens, redact
from referrals.ratelimit import over_limit

ROOT = Path(__file__).resolve().parents[2]


def _request(address="192.0.2.1"):
    return RequestFactory().get("/feedback/x/", REMOTE_ADDR=address)


def test_the_limit_allows_exactly_its_number_of_requests(db):
    results = [over_limit(_request(), scope="t", limit=3, window=600) for _ in range(4)]
    assert results == [False, False, False, True]


def test_scopes_and_addresses_are_counted_apart(db):
    for _ in range(2):
        over_limit(_request(), scope="t", limit=1, window=600)
    assert over_limit(_request(), scope="t", limit=1, window=600)
    assert not over_limit(_request(), scope="other", limit=1, window=600)
    assert not over_limit(_request("192.0.2.2"), scope="t", limit=1, window=600)


def test_tokens_are_redacted_from_log_lines():
    assert redact('"GET /feedback/abc:def:ghi/ HTTP/1.1" 200') == (
        '"GET /feedback/[redacted]/ HTTP/1.1" 200'
    )
    assert redact("Not Found: /feedback/thanks/") == "Not Found: /feedback/thanks/"
    record = logging.LogRecord(
        "django.request", 30, "", 0, "%s: %s", ("Gone", "/feedback/t0k:en/"), None
    )
    RedactFeedbackTokens().filter(record)
    assert record.getMessage() == "Gone: /feedback/[redacted]/"


def _caches(cache_url):
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env["SECRET_KEY"] = "x"
    if cache_url is not None:
        env["CACHE_URL"] = cache_url
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'linksworker.settings'); django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'], "
            "settings.CACHES['default'].get('LOCATION', ''))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_cache_url_each_process_keeps_its_own_cache():
    result = _caches(None)
    assert result.stdout.split()[0] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_redis_cache_url_uses_djangos_redis_cache():
    result = _caches("redis://127.0.0.1:6379/1")
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/1",
    ]


def test_an_unsupported_cache_url_fails_loudly_without_echoing_it():
    result = _caches("memcached://user:s3cret@host:11211")
    assert result.returncode != 0
    assert "CACHE_URL has the unsupported scheme 'memcached'" in result.stderr
    assert "s3cret" not in result.stderr
