"""Moving a referral along and closing it, through the CLP's screens."""

from datetime import date

import pytest
from django.urls import reverse

from referrals.models import Referral, ReferralStatus
from referrals.services import referral_close

S = ReferralStatus


def _status(referral):
    return reverse("referrals:status", args=[referral.pk])


def _close(referral):
    return reverse("referrals:close", args=[referral.pk])


def test_the_clp_moves_a_referral_forward(as_user, clp_a, referral_a):
    response = as_user(clp_a).post(
        _status(referral_a), {"status": "attended", "on": "2024-03-08", "note": ""}
    )
    assert response["Location"] == reverse("referrals:detail", args=[referral_a.pk])
    referral_a.refresh_from_db()
    assert (referral_a.status, referral_a.status_on) == (S.ATTENDED, date(2024, 3, 8))


def test_the_form_offers_only_the_steps_that_may_follow(as_user, clp_a, referral_a):
    form = as_user(clp_a).get(_status(referral_a)).context["form"]
    assert [v for v, _ in form.fields["status"].choices] == [
        "attended",
        "engaged",
        "declined",
        "did_not_attend",
    ]


@pytest.mark.parametrize("status", ["suggested", "cured", "closed"])
def test_a_backwards_invalid_or_unconfirmed_status_is_refused_with_a_message(
    as_user, clp_a, referral_a, status
):
    response = as_user(clp_a).post(_status(referral_a), {"status": status, "on": "2024-03-08"})
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(response.context["form"].errors["status"])
    assert Referral.objects.get().status == S.REFERRED


def test_a_date_before_the_last_change_is_explained_next_to_the_date(as_user, clp_a, referral_a):
    response = as_user(clp_a).post(_status(referral_a), {"status": "attended", "on": "2024-02-01"})
    assert "last change was on 01 Mar 2024" in " ".join(response.context["form"].errors["on"])


def test_a_finished_referral_says_it_cannot_change(as_user, clp_a, referral_a):
    referral_close(user=clp_a, referral=referral_a, on=date(2024, 4, 1))
    body = as_user(clp_a).get(_status(referral_a)).content.decode()
    assert "its status cannot change" in body
    assert "Save status" not in body


def test_closing_asks_first_and_changes_nothing_until_confirmed(as_user, clp_a, referral_a):
    c = as_user(clp_a)
    body = c.get(_close(referral_a)).content.decode()
    assert "Close the referral of Alice to Tuesday walking group?" in body
    assert Referral.objects.get().status == S.REFERRED
    c.post(_close(referral_a), {"on": "2024-04-01", "note": "Moved away"})
    referral = Referral.objects.get()
    assert referral.status == S.CLOSED
    assert referral.changes.last().note == "Moved away"


def test_the_history_note_is_hidden_from_the_practice_manager(
    as_user, clp_a, manager_a, referral_a
):
    referral_close(user=clp_a, referral=referral_a, on=date(2024, 4, 1), note="Private reason")
    url = reverse("referrals:detail", args=[referral_a.pk])
    assert "Private reason" in as_user(clp_a).get(url).content.decode()
    assert "Private reason" not in as_user(manager_a).get(url).content.decode()


def test_another_practices_clp_gets_404(as_user, clp_b, referral_a):
    c = as_user(clp_b)
    assert c.get(_status(referral_a)).status_code == 404
    assert (
        c.post(_status(referral_a), {"status": "attended", "on": "2024-03-08"}).status_code == 404
    )
    assert c.post(_close(referral_a), {"on": "2024-04-01"}).status_code == 404
    assert Referral.objects.get().status == S.REFERRED


@pytest.mark.parametrize("who", ["manager_a", "lead"])
def test_practice_managers_and_leads_may_not_change_referrals(request, as_user, who, referral_a):
    c = as_user(request.getfixturevalue(who))
    assert c.post(_status(referral_a), {"status": "attended", "on": "2024-03-08"}).status_code in (
        403,
        404,
    )
    assert c.post(_close(referral_a), {"on": "2024-04-01"}).status_code in (403, 404)
    assert Referral.objects.get().status == S.REFERRED
