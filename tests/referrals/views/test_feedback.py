"""The organisation's page: no account, only what the organisation needs, one answer, and a
clear message (changing nothing) for a link that is used, expired, withdrawn or tampered."""

import logging
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from participants.models import Participant
from referrals import links, ratelimit
from referrals.models import FeedbackLink, Referral, ReferralStatus
from referrals.services import feedback_link_revoke
from tests.linksworker.test_healthz import _CacheDown
from tests.referrals.factories import ReferralFactory, ResourceFactory

ANSWER = {"attended": "yes", "engaged": "yes", "appropriate": "yes", "relevant": "no"}


def _url(token):
    return reverse("feedback:respond", args=[token])


def _html(response):
    return response.content.decode()


def test_the_page_opens_without_an_account_and_shows_what_the_organisation_needs(
    client, issued, participant_a
):
    response = client.get(_url(issued[1]))
    body = _html(response)
    assert response.status_code == 200
    assert "Alice A." in body
    assert "1 March 2024" in body
    assert "Tuesday walking group" in body and "Springburn Strollers" in body
    assert "Alice private referral note" in body


def test_the_page_reveals_nothing_beyond_the_referral(client, clp_a, issued, participant_a):
    participant = Participant.objects.get(pk=participant_a.pk)
    participant.address = "14 Hidden Lane, Glasgow"
    participant.phone = "07700 900123"
    participant.email = "alice@example.org"
    participant.save()
    other = ReferralFactory(
        participant=participant_a,
        resource=ResourceFactory(organisation="Eastend Money Matters", name="Debt advice"),
        note="Other referral's note",
    )
    body = _html(client.get(_url(issued[1])))
    for secret in [
        participant.last_name,  # Anderson
        participant.chi,
        participant.date_of_birth.strftime("%d/%m/%Y"),
        participant.date_of_birth.strftime("%-d %B %Y"),
        participant.date_of_birth.isoformat(),
        participant.postcode,
        "14 Hidden Lane",
        "07700 900123",
        "alice@example.org",
        participant.ref,
        participant.practice.name,
        "Alice private note",  # the consultation's notes
        "Contact money advice",  # the consultation's goals
        participant.referral_reason,
        other.resource.name,
        other.resource.organisation,
        other.note,
        "Anna A",  # the CLP
    ]:
        assert secret not in body, secret


def test_the_answer_lands_on_the_referral_and_the_link_is_then_used(client, issued):
    response = client.post(_url(issued[1]), ANSWER)
    assert response["Location"] == reverse("feedback:thanks")
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.ENGAGED
    assert (referral.feedback_appropriate, referral.feedback_relevant) == (True, False)
    assert "Thank you" in _html(client.get(reverse("feedback:thanks")))
    again = client.get(_url(issued[1]))
    assert again.status_code == 410
    assert "already been used" in _html(again)


def test_a_second_answer_changes_nothing(client, issued):
    client.post(_url(issued[1]), ANSWER)
    response = client.post(_url(issued[1]), {**ANSWER, "appropriate": "no", "engaged": "no"})
    assert response.status_code == 410
    assert "Nothing has been changed" in _html(response)
    referral = Referral.objects.get()
    assert referral.feedback_appropriate is True and referral.feedback_engaged is True


def test_an_incomplete_answer_is_explained_next_to_the_question_and_kept(client, issued):
    response = client.post(_url(issued[1]), {"attended": "no", "engaged": "yes", "comment": "Hi"})
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert errors["engaged"] == ["Someone who did not attend cannot have engaged."]
    assert errors["appropriate"] == ["Choose yes or no."]
    assert "\nHi</textarea>" in _html(response)
    assert response.context["form"]["attended"].value() == "no"
    assert FeedbackLink.objects.get().used_at is None


def test_opening_the_page_is_audited_without_a_user(client, issued):
    client.get(_url(issued[1]))
    event = AuditEvent.objects.get(action=Action.VIEW, object_type="referral")
    assert event.user is None and event.participant_ref == "P1001"
    assert event.ip_address == "127.0.0.1"


def test_the_page_is_not_cached_indexed_or_passed_on_to_other_sites(client, issued):
    response = client.get(_url(issued[1]))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"


# Links that no longer work


def test_an_expired_link_says_so_and_changes_nothing(client, issued):
    FeedbackLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    for response in (client.get(_url(issued[1])), client.post(_url(issued[1]), ANSWER)):
        assert response.status_code == 410
        assert "This link has expired" in _html(response)
    assert Referral.objects.get().feedback_at is None


def test_a_withdrawn_link_says_so_and_changes_nothing(client, clp_a, issued):
    feedback_link_revoke(user=clp_a, link=issued[0])
    response = client.post(_url(issued[1]), ANSWER)
    assert response.status_code == 410
    assert "This link has been withdrawn" in _html(response)
    assert Referral.objects.get().status == ReferralStatus.REFERRED


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: ("A" if t[0] != "A" else "B") + t[1:],
        lambda t: signing.TimestampSigner(salt="other").sign(t.split(":")[0]),
        lambda t: "1",
    ],
    ids=["signature", "nonce", "wrong-salt", "a-sequential-id"],
)
def test_a_tampered_link_is_404_and_reveals_nothing(client, issued, tamper):
    response = client.post(_url(tamper(issued[1])), ANSWER)
    body = _html(response)
    assert response.status_code == 404
    assert "This link does not work" in body and "Nothing has been changed" in body
    assert "Alice" not in body and "walking" not in body
    assert Referral.objects.get().feedback_at is None


def test_the_token_never_reaches_the_request_log(client, issued, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(_url(issued[1][:-2]))
    assert "/feedback/[redacted]/" in caplog.text
    assert issued[1][:20] not in caplog.text


# Rate limit


@pytest.fixture
def low_limit(settings):
    settings.LINKS_FEEDBACK_RATE_LIMIT = 3
    settings.LINKS_FEEDBACK_RATE_WINDOW = 600


def test_an_address_past_the_limit_gets_429_with_a_plain_page(client, issued, low_limit):
    statuses = [client.get(_url(issued[1])).status_code for _ in range(3)]
    blocked = client.get(_url(issued[1]))
    assert statuses == [200, 200, 200]
    assert blocked.status_code == 429
    assert "Too many requests" in _html(blocked) and "wait 10 minutes" in _html(blocked)
    assert blocked["Retry-After"] == "600"


def test_the_limit_counts_guesses_at_links_too(client, db, low_limit):
    for _ in range(3):
        assert client.get(_url("guess")).status_code == 404
    assert client.get(_url("another-guess")).status_code == 429
    assert client.get(reverse("feedback:thanks")).status_code == 429


def test_a_blocked_post_changes_nothing(client, issued, low_limit):
    for _ in range(3):
        client.get(_url(issued[1]))
    assert client.post(_url(issued[1]), ANSWER).status_code == 429
    assert Referral.objects.get().feedback_at is None


def test_each_client_address_has_its_own_allowance(client, issued, low_limit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(3):
        client.get(_url(issued[1]), HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client.get(_url(issued[1]), HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert client.get(_url(issued[1]), HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200


def test_a_link_made_for_another_purpose_with_our_secret_does_not_open(client, issued):
    nonce = issued[1].split(":")[0]
    assert client.get(_url(signing.dumps(nonce))).status_code == 404
    assert links.check_token(signing.dumps(nonce)).state == links.INVALID


def test_with_the_cache_down_the_page_still_answers(client, issued, monkeypatch):
    monkeypatch.setattr(ratelimit, "cache", _CacheDown())
    assert client.get(_url(issued[1])).status_code == 200
    assert client.post(_url(issued[1]), ANSWER).status_code == 302
