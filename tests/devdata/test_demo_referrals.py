"""The demo directory and referrals: realistic, varied and idempotent."""

import pytest

from devdata.demo import build_demo
from devdata.demo_referrals import build_referrals_demo
from referrals.models import CommunityResource, FeedbackLink, Referral, ReferralStatus


@pytest.fixture
def demo(db):
    build_demo()
    return build_referrals_demo()


def test_it_builds_a_directory_across_the_categories(demo):
    assert 18 <= CommunityResource.objects.count() <= 25
    used = set(CommunityResource.objects.values_list("categories__name", flat=True))
    assert len(used) >= 12
    for resource in CommunityResource.objects.all():
        resource.full_clean()


def test_it_refers_demo_participants_in_every_state(demo):
    assert demo == Referral.objects.count() > 40
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(ReferralStatus.values)
    assert Referral.objects.filter(feedback_at__isnull=False).count() > 5
    assert Referral.objects.filter(
        status=ReferralStatus.SUGGESTED, referred_on__isnull=True
    ).exists()
    # The organisation's answers came through links that are now used.
    assert (
        FeedbackLink.objects.filter(used_at__isnull=False).count()
        == Referral.objects.filter(feedback_at__isnull=False).count()
    )


def test_every_demo_referral_is_consistent(demo):
    for referral in Referral.objects.select_related("participant").prefetch_related("changes"):
        referral.full_clean()
        changes = list(referral.changes.all())
        assert changes[-1].status == referral.status
        assert referral.date <= referral.status_on
        if referral.engaged_on:
            assert referral.attended_on and referral.attended_on <= referral.engaged_on


def test_running_it_twice_adds_nothing(demo):
    before = (Referral.objects.count(), CommunityResource.objects.count())
    assert build_referrals_demo() == 0
    assert (Referral.objects.count(), CommunityResource.objects.count()) == before


def test_without_demo_staff_it_adds_nothing(db):
    assert build_referrals_demo() == 0
