"""Query budgets of the key pages, counted on the volume data set at two sizes.

The benchmark (`make bench`) times these pages at 50,000 participants; the ordinary test run
cannot, but it can hold the property that keeps them fast at any size: each page makes the
same number of SQL queries for a larger programme as for a small one. A page whose count
grows with rows (a query per participant, per practice, per resource) would pass on the demo
data and fall over at programme scale, so every key page is pinned here.

Every signed-in request reads the session and the user and reads the user's roles; the
first request after signing in (each test's only one) also saves the session, stamping it
for the idle expiry, which later requests repeat at most once a minute: four queries, plus
a savepoint pair in the test run.

The dense practice's pages (`generate_volume --dense`: one CLP holding a large caseload)
are the same views as the ordinary ones, and must make the same queries.
"""

import inspect
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import User
from devdata import volume
from devdata.volume import BENCH_CLP, BENCH_LEAD, BENCH_MANAGER, volume_generate
from participants.models import Participant, Timepoint

TODAY = date(2026, 11, 23)
SIZES = {"small": (2, 14), "larger": (5, 70)}
POSTGRES = connection.vendor == "postgresql"

PAGES = [
    # name, URL name, signed in as, queries (the caseload and timeline read the risk flags
    # in one query, as the worklist does when it has rows: the bench CLP's has none on this
    # day; the practice dashboard counts safeguarding concerns in one; a list that shows
    # participants writes one audit event naming them, as the caseload does)
    # (the CLP of two practices: the page's ids merged from each practice's first by name,
    # or on SQLite read in order, then its rows by id, as the referral list)
    ("caseload", "participants:caseload", BENCH_CLP, 13),
    ("participant timeline", "participants:detail", BENCH_CLP, 16),
    ("follow-up worklist", "followups:worklist", BENCH_CLP, 7),
    # (the page's ids through the search, then the services by id)
    ("resource directory", "resources:list", BENCH_CLP, 12),
    # (the cases per CLP with their consultations of the last 30 days in one query, and
    # the running counts summed and by month in one)
    ("practice dashboard", "reports:practice_dashboard", BENCH_MANAGER, 9),
    # The programme dashboard: a page of practices as the practices list reads it, and the
    # totals of them all with the counts per month for its chart in one query.
    ("programme dashboard", "reports:programme_dashboard", BENCH_LEAD, 10),
    # ... with the one audit insert naming the referrals' participants shown
    # (the CLP of two practices: the page's ids merged from each practice's newest, or on
    # SQLite read in order, then its rows by id)
    ("referral list", "referrals:list", BENCH_CLP, 10),
    # (the figures per period, category and service, with the services' page, in one
    # statement on PostgreSQL; elsewhere the cells, then the services' names and categories)
    ("referral statistics", "referrals:statistics", BENCH_LEAD, 9 if POSTGRES else 10),
    ("practice list", "practices:list", BENCH_LEAD, 9),
]


# The dense practice: (practices, participants, the dense CLP's participants).
DENSE_SIZES = {"small": (2, 14, 8), "larger": (5, 70, 40)}
# The dense CLP's and manager's pages: the same views, so the same budgets, as above.
DENSE_PAGES = [
    # (one practice: the page's ids in order, then its rows by id)
    ("dense CLP caseload", "participants:caseload", "BENCH_DENSE_CLP", 13),
    # with rows: the page's ids, its rows by id, their risk flags and the audit event naming
    # them
    ("dense CLP follow-up worklist", "followups:worklist", "BENCH_DENSE_CLP", 11),
    ("dense practice dashboard", "reports:practice_dashboard", "BENCH_DENSE_MANAGER", 9),
]
HAS_DENSE = hasattr(volume, "BENCH_DENSE_CLP") and (
    "dense" in inspect.signature(volume_generate).parameters
)


@pytest.fixture(params=list(SIZES))
def programme(request, db):
    practices, participants = SIZES[request.param]
    volume_generate(practices=practices, participants=participants, seed=3, today=TODAY)
    return request.param


def _timeline_ref() -> str:
    """A full record in the CLP's caseload: consultations, a baseline and a follow-up."""
    return (
        Participant.objects.filter(
            clp__username=BENCH_CLP,
            assessments__timepoint=Timepoint.FOLLOW_UP,
            consultations__isnull=False,
            referrals__isnull=False,
        )
        .order_by("ref")
        .values_list("ref", flat=True)
        .first()
    )


@pytest.mark.parametrize(("page", "url_name", "username", "queries"), PAGES)
def test_each_key_page_makes_as_many_queries_for_a_larger_programme_as_for_a_small_one(
    programme, as_user, django_assert_num_queries, page, url_name, username, queries
):
    args = [_timeline_ref()] if url_name == "participants:detail" else []
    client = as_user(User.objects.get(username=username))
    with django_assert_num_queries(queries):
        response = client.get(reverse(url_name, args=args), {"status": "all"})
    assert response.status_code == 200


def test_the_volume_data_set_has_the_shape_the_budgets_assume(programme):
    """The pages above only prove something if the data set fills them: rows on every list,
    a record with everything on it."""
    clp = User.objects.get(username=BENCH_CLP)
    _practices, participants = SIZES[programme]
    assert Participant.objects.count() == participants
    assert Participant.objects.filter(clp=clp).exists()
    assert _timeline_ref() is not None


@pytest.fixture(params=list(DENSE_SIZES))
def dense_programme(request, db):
    if not HAS_DENSE:
        pytest.skip("devdata.volume has no dense practice (BENCH_DENSE_CLP, dense=) yet")
    practices, participants, dense = DENSE_SIZES[request.param]
    volume_generate(
        practices=practices, participants=participants, dense=dense, seed=3, today=TODAY
    )
    return request.param


@pytest.mark.parametrize(("page", "url_name", "account", "queries"), DENSE_PAGES)
def test_the_dense_practice_pages_make_as_many_queries_for_a_larger_caseload(
    dense_programme, as_user, django_assert_num_queries, page, url_name, account, queries
):
    user = User.objects.get(username=getattr(volume, account))
    client = as_user(user)
    with django_assert_num_queries(queries):
        response = client.get(reverse(url_name), {"status": "all"})
    assert response.status_code == 200
    if url_name != "reports:practice_dashboard":
        # the dense caseload is the CLP's: it shows rows
        assert Participant.objects.filter(clp=user).count() >= DENSE_SIZES["small"][2]
