"""The access rules for the directory and referrals, through `referrals.access` (built on
the roles primitive in `practices.roles`). Each test fails if its rule is removed."""

from datetime import date

import pytest

from practices.models import Attachment
from referrals.access import (
    can_maintain_resources,
    can_read_referral_notes,
    can_view_resources,
    referrals_editable_by,
    referrals_in_aggregate_scope,
    referrals_visible_to,
)
from tests.factories import UserFactory


def test_a_clp_sees_the_referrals_of_their_own_practices_only(clp_a, referral_a, referral_b):
    assert list(referrals_visible_to(clp_a)) == [referral_a]


def test_a_practice_manager_sees_their_practices_referrals_but_may_not_change_them(
    manager_a, referral_a, referral_b
):
    assert list(referrals_visible_to(manager_a)) == [referral_a]
    assert list(referrals_editable_by(manager_a)) == []


def test_a_clp_may_change_only_their_own_practices_referrals(clp_a, referral_a, referral_b):
    assert list(referrals_editable_by(clp_a)) == [referral_a]


def test_a_programme_lead_sees_no_referral_rows_but_may_count_them_all(
    lead, referral_a, referral_b
):
    assert list(referrals_visible_to(lead)) == []
    assert list(referrals_editable_by(lead)) == []
    assert referrals_in_aggregate_scope(lead).count() == 2


def test_practice_staff_count_only_their_own_practices_referrals(manager_a, referral_a, referral_b):
    assert list(referrals_in_aggregate_scope(manager_a)) == [referral_a]


def test_an_administrator_sees_every_referral(admin_user, referral_a, referral_b):
    assert referrals_visible_to(admin_user).count() == 2


def test_an_ended_attachment_gives_no_access_to_referrals(clp_a, referral_a):
    Attachment.objects.filter(user=clp_a).update(ended_on=date(2020, 1, 1))
    clp_a._links_roles = None
    assert list(referrals_visible_to(clp_a)) == []
    assert list(referrals_editable_by(clp_a)) == []


def test_the_note_is_for_the_clps_of_the_practice(clp_a, clp_b, manager_a, lead, referral_a):
    assert can_read_referral_notes(clp_a, referral_a)
    assert not can_read_referral_notes(manager_a, referral_a)
    assert not can_read_referral_notes(clp_b, referral_a)
    assert not can_read_referral_notes(lead, referral_a)


@pytest.mark.parametrize(
    ("who", "views", "maintains"),
    [
        ("clp_a", True, True),
        ("lead", True, True),
        ("admin_user", True, True),
        ("manager_a", True, False),
    ],
)
def test_who_sees_and_maintains_the_directory(db, request, who, views, maintains):
    # `db` is named so pytest-django orders this before the transactional browser tests.
    user = request.getfixturevalue(who)
    assert can_view_resources(user) is views
    assert can_maintain_resources(user) is maintains


def test_a_user_without_a_role_has_no_directory(db):
    user = UserFactory()
    assert not can_view_resources(user)
    assert not can_maintain_resources(user)
