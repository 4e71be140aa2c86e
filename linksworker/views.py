import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from audit.services import audit_list_view
from linksworker.celery import app as celery_app
from participants.selectors import (
    caseload_by_clp,
    clp_home_summary,
    followup_worklist_counts,
)
from practices.roles import roles_of
from reports.dashboards import followup_completion, practice_comparison


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role's first screen: what they need to act on before anything else."""
    roles = roles_of(request.user)
    context: dict = {"roles": roles}
    if roles.is_clp:
        summary = clp_home_summary(user=request.user)
        summary["recent"] = list(summary["recent"])
        # The worklist shows here as counts; the recent cases by name.
        audit_list_view(request=request, page="home", refs=(p.ref for p in summary["recent"]))
        context["clp"] = summary
        context["worklist"] = followup_worklist_counts(user=request.user)
    if roles.is_practice_manager:
        context["by_clp"] = caseload_by_clp(user=request.user)
        context["completion"] = followup_completion(user=request.user)
    if roles.sees_programme:
        practices = practice_comparison(user=request.user)
        context["programme"] = {
            "practices": practices,
            "open_cases": sum(p.open_cases for p in practices),
            "clps": sum(p.clps for p in practices),
        }
    return render(request, "home.html", context)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok(url: str) -> bool:
    try:
        with celery_app.connection_for_write(url=url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def _cache_ok() -> bool:
    try:
        probe = secrets.token_hex(8)
        cache.set("healthz", probe, 10)
        return cache.get("healthz") == probe
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok()}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _broker_ok(settings.CELERY_BROKER_URL)
    if settings.CACHE_URL:
        # Progress of jobs and the public page's rate limit live there.
        checks["cache"] = _cache_ok()
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )
