"""Issuing the organisation's link (shown once) and withdrawing it."""

import logging
from datetime import date

import pytest
from django.urls import reverse

from referrals.models import FeedbackLink
from referrals.services import referral_create
from tests.referrals.factories import ReferralFactory, ResourceFactory


def _issue(referral):
    return reverse("referrals:issue_link", args=[referral.pk])


def _revoke(referral, link):
    return reverse("referrals:revoke_link", args=[referral.pk, link.pk])


def test_the_link_is_shown_once_to_copy_and_never_again(as_user, clp_a, referral_a, caplog):
    c = as_user(clp_a)
    with caplog.at_level(logging.DEBUG):
        response = c.post(_issue(referral_a))
    url = response.context["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert url.startswith("http://testserver/feedback/")
    assert f'value="{url}"' in response.content.decode()
    assert "shown only now" in response.content.decode()
    assert response["Cache-Control"] == "no-store, private"
    # Not on the referral's page, not in a message, not in the logs.
    detail = c.get(reverse("referrals:detail", args=[referral_a.pk])).content.decode()
    assert token not in detail and "Waiting for the organisation" in detail
    assert token not in caplog.text
    assert FeedbackLink.objects.count() == 1


def test_a_link_is_only_made_by_posting(as_user, clp_a, referral_a):
    response = as_user(clp_a).get(_issue(referral_a))
    assert response.status_code == 200
    assert "Ask Springburn Strollers how it went" in response.content.decode()
    assert not FeedbackLink.objects.exists()


def test_a_suggestion_gets_no_link_and_the_clp_is_told_why(as_user, clp_a, participant_a):
    referral = referral_create(
        user=clp_a, participant=participant_a, resource=ResourceFactory(), on=date(2024, 3, 1)
    )
    response = as_user(clp_a).post(_issue(referral), follow=True)
    assert "Mark the referral as referred" in response.content.decode()
    assert not FeedbackLink.objects.exists()


def test_another_practices_clp_cannot_issue_or_withdraw(as_user, clp_b, referral_a, issued):
    c = as_user(clp_b)
    assert c.post(_issue(referral_a)).status_code == 404
    assert c.post(_revoke(referral_a, issued[0])).status_code == 404
    assert FeedbackLink.objects.get().state == FeedbackLink.State.ACTIVE


@pytest.mark.parametrize("who", ["manager_a", "lead"])
def test_practice_managers_and_leads_cannot_issue_links(request, as_user, who, referral_a):
    assert as_user(request.getfixturevalue(who)).post(_issue(referral_a)).status_code == 403


def test_withdrawing_asks_first(as_user, clp_a, referral_a, issued):
    link, _ = issued
    c = as_user(clp_a)
    assert "Withdraw the link made on" in c.get(_revoke(referral_a, link)).content.decode()
    assert FeedbackLink.objects.get().state == FeedbackLink.State.ACTIVE
    response = c.post(_revoke(referral_a, link), follow=True)
    assert "the organisation can no longer use it" in response.content.decode()
    assert FeedbackLink.objects.get().state == FeedbackLink.State.REVOKED


def test_a_link_of_another_referral_is_404(as_user, clp_a, referral_a, issued, participant_a):
    other = ReferralFactory(participant=participant_a)
    assert as_user(clp_a).post(_revoke(other, issued[0])).status_code == 404
