"""A participant whose record has something of everything: referrals in several states,
a baseline and a follow-up, and a case closed because she withdrew (declined)."""

from datetime import date

import pytest

from participants.models import Assessment, Timepoint
from referrals.models import ReferralStatus
from tests.referrals.factories import ReferralFactory, ResourceFactory


@pytest.fixture
def full_record(participant_a, clp_a):
    statuses = [
        ReferralStatus.SUGGESTED,
        ReferralStatus.REFERRED,
        ReferralStatus.ENGAGED,
        ReferralStatus.DID_NOT_ATTEND,
        ReferralStatus.CLOSED,
    ]
    for i, status in enumerate(statuses):
        ReferralFactory(
            participant=participant_a,
            resource=ResourceFactory(),
            date=date(2024, 3, 1 + i),
            status=status,
            status_on=date(2024, 4, 1),
            attended_on=date(2024, 3, 20) if status == ReferralStatus.ENGAGED else None,
        )
    Assessment.objects.create(
        participant=participant_a,
        timepoint=Timepoint.BASELINE,
        date=date(2024, 1, 20),
        recorded_by=clp_a,
        hads_anxiety=12,
        hads_depression=9,
        exercise_days=1,
    )
    Assessment.objects.create(
        participant=participant_a,
        timepoint=Timepoint.FOLLOW_UP,
        date=date(2024, 10, 20),
        recorded_by=clp_a,
        hads_anxiety=7,
        exercise_days=3,
    )
    participant_a.status = "closed"
    participant_a.closed_on = date(2024, 11, 1)
    participant_a.discharge_reason = "withdrew"
    participant_a.save()
    return participant_a
