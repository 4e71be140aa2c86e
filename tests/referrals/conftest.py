"""Fixtures for the directory and referrals, on top of the standing cast in tests/conftest.py:
a service, a referral of practice A's participant, and a link issued for it."""

from datetime import date

import pytest
from django.core.cache import cache

from referrals.models import ReferralStatus
from referrals.services import feedback_link_issue, referral_create
from tests.referrals.factories import ResourceFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resource(db):
    return ResourceFactory(
        organisation="Springburn Strollers",
        name="Tuesday walking group",
        description="A gentle walk round the park, then tea.",
        area="Springburn",
        categories=["Physical activity", "Social groups"],
    )


@pytest.fixture
def referral_a(clp_a, participant_a, resource):
    """Alice (practice A) referred to the walking group by her CLP, with a note."""
    return referral_create(
        user=clp_a,
        participant=participant_a,
        resource=resource,
        on=date(2024, 3, 1),
        status=ReferralStatus.REFERRED,
        note="Alice private referral note",
    )


@pytest.fixture
def referral_b(clp_b, participant_b, resource):
    return referral_create(
        user=clp_b,
        participant=participant_b,
        resource=resource,
        on=date(2024, 3, 2),
        status=ReferralStatus.REFERRED,
        note="Bella private referral note",
    )


@pytest.fixture
def issued(clp_a, referral_a):
    """(link, token) for referral_a, as the CLP would copy it."""
    return feedback_link_issue(user=clp_a, referral=referral_a)
