from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from accounts.params import int_param
from interchange.access import get_participant_for_export
from interchange.oruk import api_metadata, page_of, service_full, service_summary
from interchange.selectors import active_services, find_active_service
from interchange.services import participant_bundle_download, participant_letter_download
from referrals.ratelimit import over_limit

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


@login_required
@require_GET
def participant_bundle(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    # No role gate: the export scope answers 404 for anyone but the practice's CLPs and
    # administrators.
    participant = get_participant_for_export(request.user, ref)
    body = participant_bundle_download(user=request.user, participant=participant, request=request)
    response = HttpResponse(body, content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="{participant.ref}-fhir.json"'
    return response


@login_required
@require_GET
def participant_letter(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    participant = get_participant_for_export(request.user, ref)
    body = participant_letter_download(user=request.user, participant=participant, request=request)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{participant.ref}-letter-to-gp.pdf"'
    return response


def public_api(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Open to anyone, read only, rate limited per address, and open to other sites' pages
    (CORS) as the Open Referral standard asks."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif request.method not in ("GET", "HEAD"):
            response = JsonResponse({"error": "Only GET is allowed."}, status=405)
            response["Allow"] = "GET, HEAD, OPTIONS"
        elif over_limit(
            request,
            scope="oruk",
            limit=settings.LINKS_ORUK_RATE_LIMIT,
            window=settings.LINKS_ORUK_RATE_WINDOW,
        ):
            response = JsonResponse({"error": "Too many requests; try again later."}, status=429)
            response["Retry-After"] = str(settings.LINKS_ORUK_RATE_WINDOW)
        else:
            response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        return response

    return wrapped


def _positive(request: HttpRequest, name: str, default: int) -> int | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    # Bounded, so that a 40-digit page cannot become an OFFSET the database refuses.
    return int_param(raw, minimum=1)


@public_api
def oruk_root(request: HttpRequest) -> HttpResponse:
    return JsonResponse(api_metadata())


@public_api
def oruk_services(request: HttpRequest) -> HttpResponse:
    page = _positive(request, "page", 1)
    per_page = _positive(request, "per_page", DEFAULT_PER_PAGE)
    if page is None or per_page is None:
        return JsonResponse(
            {"error": "page and per_page must be whole numbers of 1 or more."}, status=400
        )
    per_page = min(per_page, MAX_PER_PAGE)
    full = request.GET.get("full", "").lower() == "true"
    services = active_services(full=full)
    total = services.count()
    rows = list(services[(page - 1) * per_page : page * per_page])
    items = [service_full(r) if full else service_summary(r) for r in rows]
    return JsonResponse(page_of(items=items, total=total, page=page, per_page=per_page))


@public_api
def oruk_service(request: HttpRequest, service_id: str) -> HttpResponse:
    resource = find_active_service(service_id)
    if resource is None:
        return JsonResponse({"error": "No such service."}, status=404)
    return JsonResponse(service_full(resource))
