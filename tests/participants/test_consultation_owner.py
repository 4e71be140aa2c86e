"""A consultation carries its participant's practice and CLP, kept by the database
(migration 0018): set when it is logged, moved with a participant who changes practice or
CLP, and never what the application writes. The practice dashboard counts a practice's
consultations of the last 30 days by them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participants.models import Consultation, Participant
from participants.selectors import caseload_by_clp
from participants.services import caseload_reassign, participant_transfer
from tests.factories import ConsultationFactory, clp_at, manager_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(participant_a):
    return ConsultationFactory(
        participant=participant_a, date=timezone.localdate() - timedelta(days=3)
    )


def owner(consultation):
    consultation.refresh_from_db()
    return consultation.practice_id, consultation.caseload_clp_id


def seen_by_clp(user):
    return {row["clp__username"]: row["seen_30_days"] for row in caseload_by_clp(user=user)}


def test_a_new_consultation_carries_its_participants_practice_and_clp(consultation, participant_a):
    assert owner(consultation) == (participant_a.practice_id, participant_a.clp_id)


def test_what_the_application_writes_there_is_replaced(consultation, participant_a, practice_b):
    consultation.practice_id, consultation.caseload_clp_id = practice_b.pk, None
    consultation.save()
    assert owner(consultation) == (participant_a.practice_id, participant_a.clp_id)
    Consultation.objects.filter(pk=consultation.pk).update(practice=practice_b)
    assert owner(consultation) == (participant_a.practice_id, participant_a.clp_id)


def test_it_moves_with_a_transfer(consultation, participant_a, clp_a, practice_b, manager_a):
    clp_b = clp_at(practice_b, username="clp_b2")
    manager_b = manager_at(practice_b, username="manager_b2")
    participant_transfer(user=clp_a, participant=participant_a, practice=practice_b, clp=clp_b)
    assert owner(consultation) == (practice_b.pk, clp_b.pk)
    assert seen_by_clp(manager_a) == {}
    assert seen_by_clp(manager_b) == {"clp_b2": 1}


def test_it_moves_with_a_new_clp_at_the_same_practice(
    consultation, participant_a, clp_a, practice_a, manager_a
):
    other = clp_at(practice_a, username="clp_a2")
    caseload_reassign(user=clp_a, practice=practice_a, from_clp=clp_a, to_clp=other)
    assert owner(consultation) == (practice_a.pk, other.pk)
    assert seen_by_clp(manager_a) == {"clp_a2": 1}


def test_a_plain_update_of_the_participant_moves_it_too(consultation, participant_a, practice_b):
    clp_b = clp_at(practice_b, username="clp_b3")
    Participant.objects.filter(pk=participant_a.pk).update(practice=practice_b, clp=clp_b)
    assert owner(consultation) == (practice_b.pk, clp_b.pk)


def test_it_counts_under_the_participants_clp_whoever_held_it(
    participant_a, practice_a, manager_a, clp_a
):
    colleague = clp_at(practice_a, username="clp_a3")
    ConsultationFactory(
        participant=participant_a, clp=colleague, date=timezone.localdate() - timedelta(days=1)
    )
    assert seen_by_clp(manager_a) == {clp_a.username: 1}


def test_the_window_is_the_last_30_days_and_attended_only(participant_a, manager_a, clp_a):
    today = timezone.localdate()
    for days_ago, attended in [(0, True), (30, True), (31, True), (5, False)]:
        ConsultationFactory(
            participant=participant_a, date=today - timedelta(days=days_ago), attended=attended
        )
    assert seen_by_clp(manager_a) == {clp_a.username: 2}


def test_a_lead_counts_every_practice(participant_a, participant_b, lead, clp_a, clp_b):
    for participant in (participant_a, participant_b):
        ConsultationFactory(participant=participant, date=timezone.localdate())
    assert seen_by_clp(lead) == {clp_a.username: 1, clp_b.username: 1}
