"""Every page that shows who a participant is writes an audit event naming them.

The walk takes every URL pattern of the project from the resolver, fills its path with the
ids of one participant's records (their consultation, assessment, follow-up, flag, referral,
link and concern), opens it as each role, and wherever the participant's name or ref is on
the page asks for an event, written by that request, that names their ref. Lists write one
event for the whole page, whatever the number of rows."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_list_view
from tests.factories import ParticipantFactory
from tests.url_walk import fill, participant_records, routes

# The session, the user's roles, the page's rows and filters (as
# tests/participants/test_query_counts.py), and the one audit insert.
# The caseload of a session saved less than a minute ago: no session write.
NUM_CASELOAD_QUERIES = 10  # the page: its count, ids, rows by id and their flags


@pytest.fixture
def records(participant_a, clp_a, practice_a):
    return participant_records(participant_a, clp_a, practice_a)


def _admin_pages(r: dict) -> list[str]:
    pages = []
    for model, obj in (
        ("participants/participant", r["participant"]),
        ("participants/consultation", r["participant"].consultations.first()),
        ("referrals/referral", r["referral"]),
    ):
        pages += [f"/admin/{model}/", f"/admin/{model}/{obj.pk}/change/"]
    return pages


def _shows_participant(response, participant) -> bool:
    if response.status_code != 200 or response.get("Content-Type", "").startswith(
        "application/pdf"
    ):
        return False
    body = response.content.decode(errors="replace")
    return participant.last_name in body or participant.ref in body


@pytest.mark.parametrize("role", ["clp_a", "manager_a", "lead", "admin_user"])
def test_every_page_that_shows_a_participant_writes_an_audit_event(request, role, records):
    user = request.getfixturevalue(role)
    participant = records["participant"]
    client = Client()
    client.force_login(user)
    paths = [p for p in (fill(route, records) for route in routes()) if p]
    shown, unaudited = [], []
    for path in [*paths, *(_admin_pages(records) if user.is_superuser else [])]:
        before = AuditEvent.objects.count()
        response = client.get(path)
        if not _shows_participant(response, participant):
            continue
        shown.append(path)
        events = AuditEvent.objects.order_by("pk")[before:]
        if not any(
            e.participant_ref == participant.ref or participant.ref in e.detail.split()
            for e in events
        ):
            unaudited.append(path)
    # The programme lead never needs names or CHI numbers: they should see none at all.
    assert bool(shown) == (role != "lead"), shown
    assert unaudited == []


def test_a_clp_walk_reaches_the_pages_named_in_the_issue(as_user, clp_a, records):
    """The edit, close, reopen, needs, consultation, assessment and follow-up pages, the
    caseload, the worklist, the referral list and the home page are among those checked."""
    client = as_user(clp_a)
    ref = records["participant"].ref
    for name, args in (
        ("participants:edit", [ref]),
        ("participants:close", [ref]),
        ("participants:needs", [ref]),
        ("participants:log_consultation", [ref]),
        ("participants:new_assessment", [ref]),
        ("participants:edit_assessment", [ref, records["assessment"].pk]),
        ("followups:close", [records["follow_up"].pk]),
        ("participants:caseload", []),
        ("followups:worklist", []),
        ("referrals:list", []),
        ("home", []),
    ):
        before = AuditEvent.objects.count()
        assert client.get(reverse(name, args=args)).status_code == 200, name
        assert AuditEvent.objects.count() == before + 1, name


def test_a_list_writes_one_event_naming_the_refs_shown(rf, clp_a):
    request = rf.get("/")
    request.user = clp_a
    event = audit_list_view(request=request, page="caseload", refs=["P1", "P2", "P1"])
    assert event is not None
    assert (event.detail, event.participant_ref) == ("caseload: 2 shown: P1 P2", "")


def test_a_long_list_is_cut_short_saying_how_many_more(rf, clp_a):
    request = rf.get("/")
    request.user = clp_a
    refs = [f"P{n:05d}" for n in range(100)]
    event = audit_list_view(request=request, page="caseload", refs=refs)
    assert event is not None
    assert len(event.detail) <= 255
    assert event.detail.startswith("caseload: 100 shown: P00000 P00001")
    shown = [ref for ref in refs if ref in event.detail.split()]
    assert event.detail.endswith(f" +{100 - len(shown)} more")


def test_a_list_that_shows_nobody_writes_nothing(rf, clp_a):
    request = rf.get("/")
    request.user = clp_a
    assert audit_list_view(request=request, page="caseload", refs=[]) is None


@pytest.mark.parametrize("rows", [1, 6])
def test_auditing_the_caseload_is_one_insert_however_many_rows(
    as_user, clp_a, practice_a, rows, django_assert_num_queries
):
    """The refs come from the rows already loaded for the page: no query per row."""
    for _ in range(rows):
        ParticipantFactory(practice=practice_a, clp=clp_a)
    client = as_user(clp_a)
    client.get(reverse("participants:caseload"))  # warm the session (and stamp it)
    with django_assert_num_queries(NUM_CASELOAD_QUERIES):
        client.get(reverse("participants:caseload"))
    assert AuditEvent.objects.order_by("-pk").first().detail.startswith(f"caseload: {rows} shown")
