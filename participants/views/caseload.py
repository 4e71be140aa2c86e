from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedHttpRequest
from participants.models import CaseStatus, Need
from participants.selectors import SORTS, caseload_for, follow_up_due_on
from practices.access import practices_visible_to
from practices.roles import caseload_required, roles_of

QUINTILE_CHOICES = [
    ("1", "1 – most deprived"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5 – least deprived"),
    ("0", "Unknown"),
]


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@caseload_required
def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    params = request.GET
    sort = params.get("sort", "name")
    status = params.get("status", CaseStatus.OPEN)
    qs = caseload_for(
        user=request.user,
        search=params.get("q", ""),
        status=status,
        practice_id=_int_or_none(params.get("practice")),
        need_id=_int_or_none(params.get("need")),
        quintile=_int_or_none(params.get("quintile")),
        sort=sort,
    )
    page = Paginator(qs, settings.LINKS_PAGE_SIZE).get_page(params.get("page"))
    for participant in page.object_list:
        # The due date is a calendar rule (nine months on), so it is worked out per row
        # shown rather than in SQL, from the baseline date the selector annotated.
        due = follow_up_due_on(participant.baseline_on)  # type: ignore[attr-defined]
        participant.follow_up_due_on = due  # type: ignore[attr-defined]
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "participants/caseload.html",
        {
            "page": page,
            "q": params.get("q", ""),
            "status": status,
            "statuses": CaseStatus.choices,
            "practice": _int_or_none(params.get("practice")),
            "practices": practices_visible_to(request.user).only("id", "name"),
            "needs": Need.objects.filter(active=True).only("id", "name"),
            "need": _int_or_none(params.get("need")),
            "quintile": params.get("quintile", ""),
            "quintiles": QUINTILE_CHOICES,
            "sort": sort if sort in SORTS else "name",
            "querystring": query.urlencode(),
            "roles": roles_of(request.user),
        },
    )
