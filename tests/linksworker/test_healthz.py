import pytest
from django.conf import settings

from linksworker import views


def test_healthz_says_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] is True
    assert response.json()["status"] == "ok"


def test_healthz_checks_the_broker_when_one_is_configured(client, db):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL configured; .ci/run configures Redis")
    response = client.get("/healthz")
    assert response.json()["checks"]["broker"] is True


def test_healthz_reports_an_unreachable_broker_as_an_error(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CACHE_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": True, "broker": False}}


class _CacheDown:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_healthz_checks_the_cache_when_one_is_configured(client, db, settings, monkeypatch):
    settings.CACHE_URL = "redis://127.0.0.1:6379/15"
    settings.CELERY_BROKER_URL = ""
    assert client.get("/healthz").json()["checks"]["cache"] is True
    monkeypatch.setattr(views, "cache", _CacheDown())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": True, "cache": False}}
