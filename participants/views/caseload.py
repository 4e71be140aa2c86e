import secrets

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest, short_dates, url_maker
from accounts.params import int_param
from accounts.prepared import Prepared
from accounts.rows import render_rows
from audit.services import audit_list_view
from participants.models import CaseStatus, FollowUpStatus, Need
from participants.selectors import (
    FOLLOW_UP_FILTERS,
    SORTS,
    caseload_for,
    caseload_listing,
    follow_up_due_on,
)
from practices.access import practice_choices_for
from practices.roles import caseload_required, roles_of

QUINTILE_CHOICES = [
    ("1", "1 – most deprived"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5 – least deprived"),
    ("0", "Unknown"),
]

# The need filter's choices, by SQL compiled once per process (`accounts.prepared`).
_need_choices = Prepared(lambda: Need.objects.filter(active=True).values_list("id", "name"))

# The filters that may travel in the caseload's URL. The search terms never do: a name or
# CHI number in a URL ends up in server logs and browser history, so they stay in the
# session behind an opaque id (`s`).
URL_FILTERS = ("status", "practice", "need", "quintile", "followup", "sort")
SEARCHES_KEPT = 20
SESSION_KEY = "caseload_searches"


def _stored_search(request: AuthenticatedHttpRequest, token: str) -> str:
    return request.session.get(SESSION_KEY, {}).get(token, "") if token else ""


@caseload_required
@require_POST
def search(request: AuthenticatedHttpRequest) -> HttpResponseRedirect:
    """Keep the typed terms server-side and send the browser to the caseload with an opaque
    id in their place; the filters, which hold no one's details, go in the URL as before."""
    query = QueryDict(mutable=True)
    for name in URL_FILTERS:
        if request.POST.get(name):
            query[name] = request.POST[name]
    terms = request.POST.get("q", "").strip()[:100]
    if terms:
        token = secrets.token_urlsafe(12)
        searches = dict(request.session.get(SESSION_KEY, {}))
        searches[token] = terms
        # Dicts keep insertion order: drop the oldest searches beyond the few kept.
        request.session[SESSION_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
        query["s"] = token
    url = reverse("participants:caseload")
    return HttpResponseRedirect(f"{url}?{query.urlencode()}" if query else url)


@caseload_required
def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    params = request.GET
    sort = params.get("sort", "name")
    status = params.get("status", CaseStatus.OPEN)
    follow_up = params.get("followup", "")
    terms = _stored_search(request, params.get("s", ""))
    qs = caseload_for(
        user=request.user,
        search=terms,
        status=status,
        practice_id=int_param(params.get("practice")),
        need_id=int_param(params.get("need")),
        quintile=int_param(params.get("quintile")),
        follow_up=follow_up,
        sort=sort,
        figures=False,  # the listing loads its page's rows, figures and all, by id
    )
    listing = caseload_listing(qs, user=request.user, sort=sort)
    page = Paginator(listing, settings.LINKS_PAGE_SIZE).get_page(params.get("page"))
    # Each row's link, labels and dates made here once a page: `{% url %}`, `|date` and an
    # include per row were most of the page's rendering.
    detail = url_maker("participants:detail")
    short = short_dates()
    statuses = dict(CaseStatus.choices)
    for participant in page.object_list:
        participant.detail_url = detail(participant.ref)  # type: ignore[attr-defined]
        participant.flag_labels = [  # type: ignore[attr-defined]
            flag.get_kind_display()
            for flag in participant.active_flags  # type: ignore[attr-defined]
        ]
        participant.status_label = statuses.get(participant.status, participant.status)  # type: ignore[attr-defined]
        participant.last_label = short(participant.last_contact) or "Not yet seen"  # type: ignore[attr-defined]
        participant.next_label = short(participant.next_contact_on) or "—"  # type: ignore[attr-defined]
        # The due date is a calendar rule (nine months on), so it is worked out per row
        # shown rather than in SQL, from the baseline date the selector annotated.
        due = follow_up_due_on(participant.baseline_on)  # type: ignore[attr-defined]
        # Before the daily job creates the follow-up, a baseline's follow-up is scheduled.
        status = participant.follow_up_status or FollowUpStatus.SCHEDULED  # type: ignore[attr-defined]
        participant.due_label = (  # type: ignore[attr-defined]
            f"{short(due)} · {FollowUpStatus(status).label}" if due else "—"
        )
    audit_list_view(request=request, page="caseload", refs=(p.ref for p in page.object_list))
    query = QueryDict(mutable=True)
    for name in (*URL_FILTERS, "s"):
        if params.get(name):
            query[name] = params[name]
    filters = {
        "search_url": reverse("participants:search"),
        "q": terms,
        "status": status,
        "statuses": CaseStatus.choices,
        "practice": int_param(params.get("practice")),
        "practices": practice_choices_for(request.user),
        "needs": _need_choices(),
        "need": int_param(params.get("need")),
        "quintile": params.get("quintile", ""),
        "quintiles": QUINTILE_CHOICES,
        "followup": follow_up,
        "followups": FOLLOW_UP_FILTERS,
        "sort": sort if sort in SORTS else "name",
    }
    return render(
        request,
        "participants/caseload.html",
        {
            **filters,
            "filters": render_rows("participants/caseload_filters.jinja", filters, request),
            "rows": render_rows("participants/caseload_rows.jinja", {"rows": page.object_list}),
            "page": page,
            "querystring": query.urlencode(),
            "roles": roles_of(request.user),
        },
    )
