"""The caseload of a user of a few practices is merged from each practice's first rows
(`practices.listing`): the same rows, in the same order, page by page, as the plain query,
whatever the sort and filters, and never a participant of a practice outside the user's."""

from datetime import date, timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.urls import reverse

from participants.models import CaseStatus, DischargeReason, Participant
from participants.selectors import caseload_for, caseload_listing
from practices.listing import MergedByPractice, PagedByIds
from tests.factories import (
    ConsultationFactory,
    ParticipantFactory,
    PracticeFactory,
    RiskFlagFactory,
    clp_at,
)

merging = pytest.mark.skipif(
    not connection.features.supports_slicing_ordering_in_compound,
    reason="SQLite pages through the plain query",
)

# Names that collide across the two practices, so that the order's later columns decide.
NAMES = [("Boyle", "Ann"), ("Boyle", "Ann"), ("Adams", "Zoe"), ("Boyle", "Bea"), ("Young", "Al")]


@pytest.fixture
def two_practices(practice_a, practice_b, db):
    clp = clp_at(practice_a, practice_b, username="clp_ab")
    for index, practice in enumerate([practice_a, practice_b, practice_b, practice_a] * 3):
        last, first = NAMES[index % len(NAMES)]
        participant = ParticipantFactory(
            practice=practice,
            clp=clp,
            last_name=last,
            first_name=first,
            referred_on=date(2024, 1, 1) + timedelta(days=index % 4),
        )
        if index % 5 == 0:
            Participant.objects.filter(pk=participant.pk).update(
                status=CaseStatus.CLOSED,
                closed_on=date(2024, 6, 1),
                discharge_reason=DischargeReason.GOALS_MET,
            )
        if index % 3 == 0:
            ConsultationFactory(participant=participant, date=date(2024, 3, 1 + index))
        if index % 4 == 1:
            RiskFlagFactory(participant=participant)
    elsewhere = PracticeFactory(name="Elsewhere", code="33333")
    ParticipantFactory(practice=elsewhere, last_name="Aaron", first_name="Aa")
    return clp


def plain_and_merged(user, sort, **filters):
    qs = caseload_for(user=user, sort=sort, **filters)
    return qs, caseload_listing(qs, user=user, sort=sort)


@merging
@pytest.mark.parametrize("sort", ["name", "-name", "ref", "-ref", "referred", "-referred"])
@pytest.mark.parametrize("status", ["", CaseStatus.OPEN, CaseStatus.CLOSED])
@pytest.mark.parametrize("per_page", [1, 4, 25])
def test_each_page_is_the_plain_querys_page(two_practices, sort, status, per_page):
    plain_qs, listing = plain_and_merged(two_practices, sort, status=status)
    assert isinstance(listing, MergedByPractice)
    plain, merged = Paginator(plain_qs, per_page), Paginator(listing, per_page)
    assert merged.count == plain.count
    assert merged.num_pages == plain.num_pages
    for number in plain.page_range:
        got, expected = merged.page(number).object_list, plain.page(number).object_list
        assert [p.ref for p in got] == [p.ref for p in expected]
        # The page's figures and flags came with it, as the plain query's did.
        for mine, theirs in zip(got, expected, strict=True):
            assert mine.last_contact == theirs.last_contact
            assert mine.consultations_attended == theirs.consultations_attended
            assert [f.kind for f in mine.active_flags] == [f.kind for f in theirs.active_flags]


@merging
def test_a_filter_narrows_the_merged_pages_as_the_plain_ones(two_practices, practice_b):
    plain_qs, listing = plain_and_merged(two_practices, "name", practice_id=practice_b.pk)
    assert [p.ref for p in listing[0:25]] == [p.ref for p in plain_qs[:25]]
    assert {p.practice_id for p in listing[0:25]} == {practice_b.pk}


@merging
def test_a_merged_page_holds_only_the_users_practices(two_practices, practice_a, practice_b):
    shown = Paginator(plain_and_merged(two_practices, "name", status="")[1], 25).page(1)
    assert len(shown.object_list) == 12
    assert {p.practice_id for p in shown.object_list} == {practice_a.pk, practice_b.pk}


def test_a_user_of_one_practice_pages_through_the_query_itself(clp_a, participant_a):
    _, listing = plain_and_merged(clp_a, "name")
    assert not isinstance(listing, MergedByPractice)
    assert [p.ref for p in listing] == [participant_a.ref]


@pytest.mark.parametrize("sort", ["name", "-ref", "-referred"])
@pytest.mark.parametrize("status", ["", CaseStatus.OPEN, CaseStatus.CLOSED])
@pytest.mark.parametrize("per_page", [1, 5])
def test_one_practices_pages_by_ids_are_the_plain_querys_pages(
    two_practices, practice_a, sort, status, per_page
):
    """A user of one practice pages through its ids, then loads each page's rows by id."""
    clp = clp_at(practice_a, username="clp_a_only")
    plain_qs, listing = plain_and_merged(clp, sort, status=status)
    assert isinstance(listing, PagedByIds)
    plain, by_ids = Paginator(plain_qs, per_page), Paginator(listing, per_page)
    assert (by_ids.count, by_ids.num_pages) == (plain.count, plain.num_pages)
    for number in plain.page_range:
        got, expected = by_ids.page(number).object_list, plain.page(number).object_list
        assert [p.ref for p in got] == [p.ref for p in expected]
        for mine, theirs in zip(got, expected, strict=True):
            assert (mine.practice.name, mine.clp.username) == (
                theirs.practice.name,
                theirs.clp.username,
            )
            assert (mine.last_contact, mine.baseline_on, mine.follow_up_status) == (
                theirs.last_contact,
                theirs.baseline_on,
                theirs.follow_up_status,
            )
            assert mine.consultations_attended == theirs.consultations_attended
            assert [f.kind for f in mine.active_flags] == [f.kind for f in theirs.active_flags]
    assert {p.practice_id for p in listing[0:25]} <= {practice_a.pk}


@merging
@pytest.mark.parametrize("sort", ["name", "-last_contact", "follow_up"])
def test_the_caseload_page_shows_the_plain_querys_page(two_practices, as_user, settings, sort):
    settings.LINKS_PAGE_SIZE = 3
    response = as_user(two_practices).get(
        reverse("participants:caseload"), {"status": "all", "sort": sort, "page": 2}
    )
    assert response.status_code == 200
    plain = Paginator(caseload_for(user=two_practices, status="all", sort=sort), 3).page(2)
    assert [p.ref for p in response.context["page"].object_list] == [
        p.ref for p in plain.object_list
    ]
    for participant in plain.object_list:
        assert participant.ref in response.content.decode()
