"""Every free-text field a CLP writes follows one rule, `participants.access.can_read_notes`:
the CLPs of the participant's practice (and administrators) read it; a practice manager sees
that something happened, never the words."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.dates import add_months
from participants.followups import followups_run
from participants.models import Assessment, FollowUp, FollowUpStatus
from participants.services import participant_close, participant_reopen
from tests.factories import RiskFlagFactory

FREE_TEXT = {
    "consultation note": "Alice private note",
    "follow-up reason": "Declined: partner would not allow it",
    "closing note": "Closing note words",
    "reopening note": "Reopening note words",
    "flag reason": "Dog in the house; partner threatening",
    "referral reason": "Referral reason words",
}


@pytest.fixture
def written(participant_a, clp_a):
    """participant_a with one of each kind of free text a CLP writes."""
    today = timezone.localdate()
    Assessment.objects.create(
        participant=participant_a,
        timepoint="baseline",
        date=add_months(today - timedelta(days=30), -9),
        recorded_by=clp_a,
    )
    followups_run(today=today)
    FollowUp.objects.filter(participant=participant_a).update(
        status=FollowUpStatus.DECLINED, reason=FREE_TEXT["follow-up reason"], closed_on=today
    )
    participant_close(
        user=clp_a,
        participant=participant_a,
        on=today,
        reason="moved",
        note=FREE_TEXT["closing note"],
    )
    participant_reopen(
        user=clp_a, participant=participant_a, on=today, note=FREE_TEXT["reopening note"]
    )
    RiskFlagFactory(participant=participant_a, reason=FREE_TEXT["flag reason"])
    type(participant_a).objects.filter(pk=participant_a.pk).update(
        referral_reason=FREE_TEXT["referral reason"]
    )
    return participant_a


def _page(client, participant) -> str:
    response = client.get(reverse("participants:detail", args=[participant.ref]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_practice_manager_reads_none_of_the_free_text_on_a_participants_page(
    as_user, manager_a, written
):
    page = _page(as_user(manager_a), written)
    assert "Nine-month follow-up declined" in page
    shown = [kind for kind, words in FREE_TEXT.items() if words in page]
    assert shown == []


def test_the_participants_clp_reads_all_of_it(as_user, clp_a, written):
    page = _page(as_user(clp_a), written)
    assert [kind for kind, words in FREE_TEXT.items() if words not in page] == []


def test_another_practices_clp_does_not_open_the_page(as_user, clp_b, written):
    response = as_user(clp_b).get(reverse("participants:detail", args=[written.ref]))
    assert response.status_code == 404
