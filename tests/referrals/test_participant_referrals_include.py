"""The section for the participant's page: templates/referrals/_participant_referrals.html."""

from django.template.loader import render_to_string
from django.utils import timezone

from referrals.models import Referral
from referrals.selectors import referrals_for_participant


def _render(participant, user, *, show_notes, can_edit=False):
    return render_to_string(
        "referrals/_participant_referrals.html",
        {
            "participant": participant,
            "referrals": referrals_for_participant(participant=participant, user=user),
            "show_notes": show_notes,
            "can_edit": can_edit,
        },
    )


def test_the_clp_sees_each_referral_with_its_note_and_can_refer(clp_a, participant_a, referral_a):
    Referral.objects.filter(pk=referral_a.pk).update(
        feedback_at=timezone.now(),
        feedback_attended=True,
        feedback_engaged=True,
        feedback_appropriate=True,
    )
    html = _render(participant_a, clp_a, show_notes=True, can_edit=True)
    assert "Tuesday walking group" in html and f"/referrals/{referral_a.pk}/" in html
    assert "Alice private referral note" in html
    assert "Organisation: attended, engaged; referral appropriate" in html
    assert "/referrals/new/?participant=P1001" in html


def test_the_practice_manager_sees_the_referrals_without_notes(
    manager_a, participant_a, referral_a
):
    html = _render(participant_a, manager_a, show_notes=False)
    assert "Tuesday walking group" in html
    assert "Alice private referral note" not in html
    assert "Refer to a service" not in html


def test_no_referrals_says_so(clp_a, participant_a):
    assert "No referrals to community resources yet" in _render(
        participant_a, clp_a, show_notes=True
    )
