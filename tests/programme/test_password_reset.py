"""Password reset from the sign-in page: Django's views with the project's pages, the same
answer whether or not the address is known, and a limit per address."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Cobalt-harbour-lantern-42"


def test_the_sign_in_page_offers_a_reset(client):
    assert reverse("passwords:reset") in client.get(reverse("accounts:login")).content.decode()


def test_a_known_address_gets_a_link_that_sets_a_new_password(client, clp_a, mailoutbox):
    response = client.post(reverse("passwords:reset"), {"email": clp_a.email})
    assert response.status_code == 302
    [message] = mailoutbox
    path = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)
    page = client.get(path, follow=True)
    assert page.context["validlink"]
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done.status_code == 302
    clp_a.refresh_from_db()
    assert clp_a.check_password(PASSWORD)
    assert client.get(path, follow=True).context["validlink"] is False


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, clp_a, mailoutbox):
    known = client.post(reverse("passwords:reset"), {"email": clp_a.email}, follow=True)
    unknown = client.post(reverse("passwords:reset"), {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert len(mailoutbox) == 1


def test_an_account_without_a_password_gets_no_reset_email(client, mailoutbox):
    imported = UserFactory(email="imported@example.org")
    imported.set_unusable_password()
    imported.save()
    client.post(reverse("passwords:reset"), {"email": "imported@example.org"})
    assert mailoutbox == []


def test_it_is_rate_limited_per_address(client, settings, clp_a, mailoutbox):
    settings.LINKS_FEEDBACK_RATE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("passwords:reset"), {"email": clp_a.email})
    response = client.post(reverse("passwords:reset"), {"email": clp_a.email})
    assert response.status_code == 429
    assert len(mailoutbox) == 3


def test_the_email_carries_no_patient_data(client, clp_a, participant_a, mailoutbox):
    client.post(reverse("passwords:reset"), {"email": clp_a.email})
    body = mailoutbox[0].body
    for secret in (participant_a.ref, participant_a.chi, participant_a.last_name):
        assert secret not in body
