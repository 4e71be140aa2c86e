"""The practice dashboard's cases per CLP and their consultations of the last 30 days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participants.selectors import caseload_by_clp
from tests.factories import ConsultationFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_it_counts_cases_once_and_only_attended_consultations_of_the_last_30_days(
    manager_a, practice_a, clp_a, practice_b
):
    today = timezone.localdate()
    seen = ParticipantFactory(
        practice=practice_a, clp=clp_a, referred_on=today - timedelta(days=100)
    )
    ParticipantFactory(
        practice=practice_a,
        clp=clp_a,
        status="closed",
        closed_on=today,
        discharge_reason="goals_met",
    )
    for days_ago, attended in [(1, True), (29, True), (31, True), (2, False), (200, True)]:
        ConsultationFactory(
            participant=seen, date=today - timedelta(days=days_ago), attended=attended
        )
    outsider = ParticipantFactory(practice=practice_b)
    ConsultationFactory(participant=outsider, date=today - timedelta(days=1))

    [row] = caseload_by_clp(user=manager_a)

    assert (row["open"], row["closed"], row["seen_30_days"]) == (1, 1, 2)


def test_a_clp_with_nobody_seen_lately_counts_zero(manager_a, practice_a, clp_a):
    ParticipantFactory(practice=practice_a, clp=clp_a)
    [row] = caseload_by_clp(user=manager_a)
    assert row["seen_30_days"] == 0
