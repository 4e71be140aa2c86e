"""The referrals list of a user of a few practices is merged from each practice's newest
referrals: the same rows, in the same order, page by page, as the plain query, and never a
referral of a practice outside the user's."""

from datetime import date, timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.urls import reverse

from practices.listing import MergedByPractice
from practices.models import Practice
from referrals.models import ReferralStatus
from referrals.selectors import referral_list_for, referral_listing
from tests.factories import ParticipantFactory, PracticeFactory, clp_at
from tests.referrals.factories import ReferralFactory, ResourceFactory


def referrals_at(practice: Practice, clp, dates: list[date], status=ReferralStatus.REFERRED):
    for on in dates:
        participant = ParticipantFactory(practice=practice, clp=clp)
        ReferralFactory(participant=participant, resource=ResourceFactory(), date=on, status=status)


merging = pytest.mark.skipif(
    not connection.features.supports_slicing_ordering_in_compound,
    reason="SQLite pages through the plain query",
)


@pytest.fixture
def two_practices(practice_a, practice_b, db):
    clp = clp_at(practice_a, practice_b, username="clp_ab")
    start = date(2024, 1, 1)
    # Interleaved dates, and several on one day (ordered by id then).
    referrals_at(practice_a, clp, [start + timedelta(days=d) for d in (0, 2, 2, 5, 9)])
    referrals_at(practice_b, clp, [start + timedelta(days=d) for d in (1, 2, 5, 5, 8, 11)])
    referrals_at(practice_b, clp, [start + timedelta(days=3)], status=ReferralStatus.DECLINED)
    elsewhere = PracticeFactory(name="Elsewhere", code="33333")
    referrals_at(elsewhere, clp_at(elsewhere), [start + timedelta(days=d) for d in (4, 10)])
    return clp


@merging
@pytest.mark.parametrize("status", ["", "open", ReferralStatus.DECLINED])
@pytest.mark.parametrize("per_page", [1, 3, 5, 25])
def test_each_page_is_the_plain_querys_page(two_practices, status, per_page):
    listing = referral_listing(user=two_practices, status=status)
    assert isinstance(listing, MergedByPractice)
    plain = Paginator(referral_list_for(user=two_practices, status=status), per_page)
    merged = Paginator(listing, per_page)
    assert merged.count == plain.count
    assert merged.num_pages == plain.num_pages
    for number in plain.page_range:
        assert list(merged.page(number).object_list) == list(plain.page(number).object_list)


@merging
def test_a_merged_page_holds_only_the_users_practices(two_practices, practice_a, practice_b):
    shown = Paginator(referral_listing(user=two_practices), 25).page(1).object_list
    assert len(shown) == 12
    assert {r.practice_id for r in shown} == {practice_a.pk, practice_b.pk}


def test_a_user_of_one_practice_pages_through_the_query_itself(clp_a, referral_a):
    listing = referral_listing(user=clp_a)
    assert not isinstance(listing, MergedByPractice)
    assert list(listing) == [referral_a]


def test_the_list_page_shows_the_merged_page(two_practices, as_user, settings):
    settings.LINKS_PAGE_SIZE = 4
    response = as_user(two_practices).get(reverse("referrals:list"), {"status": "", "page": 2})
    assert response.status_code == 200
    plain = Paginator(referral_list_for(user=two_practices), 4).page(2).object_list
    assert list(response.context["page"].object_list) == list(plain)
