"""Beyond the standing cast: a safeguarding lead at practice A (a CLP there too), a second
CLP at practice A who is not its lead, a lead at practice B, and a concern at practice A
raised by clp_a."""

import pytest

from tests.factories import ConcernFactory, SafeguardingLeadFactory, UserFactory, clp_at


@pytest.fixture
def sg_lead_a(practice_a):
    user = clp_at(practice_a, username="sg_lead_a", full_name="Sam Safeguarding")
    SafeguardingLeadFactory(practice=practice_a, user=user)
    return user


@pytest.fixture
def other_clp_a(practice_a):
    return clp_at(practice_a, username="other_clp_a", full_name="Olive Other")


@pytest.fixture
def sg_lead_b(practice_b):
    user = UserFactory(username="sg_lead_b", full_name="Bea Lead")
    SafeguardingLeadFactory(practice=practice_b, user=user)
    return user


@pytest.fixture
def concern_a(participant_a, clp_a):
    return ConcernFactory(participant=participant_a, raised_by=clp_a)
