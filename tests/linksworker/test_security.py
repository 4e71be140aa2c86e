"""The security baseline: headers on every response, CSRF enforced, production settings."""

import os
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_sends_a_content_security_policy(client):
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_cannot_be_framed_or_sniffed(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_signed_in_pages_are_not_cached(as_user, clp_a):
    assert as_user(clp_a).get(reverse("home"))["Cache-Control"] == "no-store, private"


def test_a_post_without_a_csrf_token_is_refused(db):
    c = Client(enforce_csrf_checks=True)
    assert c.post(reverse("accounts:login"), {"username": "x", "password": "y"}).status_code == 403


def _django(args, env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_USE_FINDERS"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k9$Wq2!vZ7pL0xR4mN8bT1cY6hJ3fD5sG-aE_uI+oP=yQwErTyUiOp",
    "ALLOWED_HOSTS": "links.example.org",
}


def test_check_deploy_reports_nothing_with_production_settings():
    result = _django(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _django(["check"], {**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_nonsense_boolean_setting_fails_loudly():
    result = _django(["check"], {**PRODUCTION, "DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr
