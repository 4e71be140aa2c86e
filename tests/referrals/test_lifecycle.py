"""The referral lifecycle's rules, on their own."""

import pytest

from referrals.lifecycle import milestones_for, next_statuses, refusal
from referrals.models import ReferralStatus as S


def test_a_suggestion_can_go_forward_or_end_but_not_sideways():
    assert next_statuses(S.SUGGESTED) == [
        S.REFERRED,
        S.ATTENDED,
        S.ENGAGED,
        S.DECLINED,
        S.DID_NOT_ATTEND,
        S.CLOSED,
    ]


def test_an_engaged_referral_can_only_be_closed():
    assert next_statuses(S.ENGAGED) == [S.CLOSED]


@pytest.mark.parametrize("final", [S.DECLINED, S.DID_NOT_ATTEND, S.CLOSED])
def test_a_finished_referral_goes_nowhere(final):
    assert next_statuses(final) == []
    assert "cannot change" in refusal(final, S.ENGAGED)


@pytest.mark.parametrize(
    ("current", "new"),
    [(S.REFERRED, S.SUGGESTED), (S.ATTENDED, S.REFERRED), (S.ENGAGED, S.ATTENDED)],
)
def test_it_refuses_to_go_backwards(current, new):
    assert "cannot go back" in refusal(current, new)


def test_it_refuses_an_unknown_status():
    assert refusal(S.REFERRED, "teleported") == "“teleported” is not a referral status."


def test_it_refuses_the_status_it_already_has():
    assert refusal(S.REFERRED, S.REFERRED) == "The referral is already referred."


def test_someone_who_attended_cannot_then_not_attend():
    assert "close the referral instead" in refusal(S.ATTENDED, S.DID_NOT_ATTEND)


def test_every_status_offered_is_allowed():
    for current in S.values:
        for new in next_statuses(current):
            assert refusal(current, new) is None


def test_engaging_also_records_attending():
    assert milestones_for(S.ENGAGED) == ["attended_on", "engaged_on"]
    assert milestones_for(S.CLOSED) == []
