"""A follow-up carries its participant's practice and CLP, kept by the database (migration
0015): set when it is made, moved with a participant who changes practice or CLP, and never
what the application writes. The worklists read their follow-ups by them."""

from datetime import date

import pytest

from participants.followups import followups_run
from participants.models import Assessment, FollowUp, Participant
from participants.selectors import followup_worklist, practice_followups
from participants.services import caseload_reassign, participant_transfer
from tests.factories import clp_at, manager_at

TODAY = date(2026, 10, 12)


@pytest.fixture
def follow_up(participant_a):
    Assessment.objects.create(
        participant=participant_a,
        timepoint="baseline",
        date=date(2026, 1, 10),
        recorded_by=participant_a.clp,
    )
    followups_run(today=TODAY)
    return FollowUp.objects.get(participant=participant_a)


def owner(follow_up):
    follow_up.refresh_from_db()
    return follow_up.practice_id, follow_up.clp_id


def shown(worklist):
    return [f.participant.ref for f in (*worklist.overdue, *worklist.due_now, *worklist.due_soon)]


def test_a_new_follow_up_carries_its_participants_practice_and_clp(follow_up, participant_a):
    assert owner(follow_up) == (participant_a.practice_id, participant_a.clp_id)


def test_what_the_application_writes_there_is_replaced(follow_up, participant_a, practice_b):
    follow_up.practice_id, follow_up.clp_id = practice_b.pk, None
    follow_up.save()
    assert owner(follow_up) == (participant_a.practice_id, participant_a.clp_id)


def test_it_moves_with_a_transfer(follow_up, participant_a, clp_a, practice_b):
    clp_b = clp_at(practice_b, username="clp_b2")
    participant_transfer(user=clp_a, participant=participant_a, practice=practice_b, clp=clp_b)
    assert owner(follow_up) == (practice_b.pk, clp_b.pk)
    assert shown(followup_worklist(user=clp_a, today=TODAY)) == []
    assert shown(followup_worklist(user=clp_b, today=TODAY)) == [participant_a.ref]


def test_it_moves_with_a_new_clp_at_the_same_practice(follow_up, participant_a, clp_a, practice_a):
    other = clp_at(practice_a, username="clp_a2")
    caseload_reassign(user=clp_a, practice=practice_a, from_clp=clp_a, to_clp=other)
    assert owner(follow_up) == (practice_a.pk, other.pk)
    assert shown(followup_worklist(user=clp_a, today=TODAY)) == []
    assert shown(followup_worklist(user=other, today=TODAY)) == [participant_a.ref]


def test_a_plain_update_of_the_participant_moves_it_too(follow_up, participant_a, practice_b):
    clp_b = clp_at(practice_b, username="clp_b3")
    Participant.objects.filter(pk=participant_a.pk).update(practice=practice_b, clp=clp_b)
    assert owner(follow_up) == (practice_b.pk, clp_b.pk)


def test_the_managers_list_follows_the_practice(follow_up, participant_a, clp_a, practice_b):
    manager_b = manager_at(practice_b, username="manager_b2")
    assert shown(practice_followups(user=manager_b, today=TODAY)) == []
    Participant.objects.filter(pk=participant_a.pk).update(practice=practice_b)
    assert shown(practice_followups(user=manager_b, today=TODAY)) == [participant_a.ref]
