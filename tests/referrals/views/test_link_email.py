"""The loop closed by email: Links sends the organisation its link, reminds once, and the
referring CLP sees the answer come back."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from referrals.models import FeedbackLink, Referral, ReferralStatus
from referrals.services import feedback_reminders_send, referral_create
from tests.referrals.factories import ResourceFactory

ANSWER = {"attended": "yes", "engaged": "yes", "appropriate": "yes", "relevant": "yes"}
LINK = re.compile(r"https?://\S+/feedback/\S+/")


def _issue(referral):
    return reverse("referrals:issue_link", args=[referral.pk])


def _emailed_path(message) -> str:
    url = LINK.search(message.body).group(0)
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def service_with_email(resource):
    resource.email = "walks@example.org"
    resource.save()
    return resource


def test_the_link_is_emailed_to_the_services_address_and_works(
    as_user, client, clp_a, referral_a, service_with_email, participant_a
):
    response = as_user(clp_a).post(_issue(referral_a), {"delivery": "service"}, follow=True)
    assert "Link emailed to walks@example.org" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["walks@example.org"]
    assert "Alice A." in message.body
    for secret in (participant_a.last_name, participant_a.chi, participant_a.ref, "Anna A"):
        assert secret not in message.body and secret not in message.subject
    assert FeedbackLink.objects.get().sent_to == "walks@example.org"
    assert client.post(_emailed_path(message), ANSWER).status_code == 302
    assert Referral.objects.get().status == ReferralStatus.ENGAGED


def test_the_link_is_emailed_to_an_address_the_clp_types(as_user, clp_a, referral_a):
    as_user(clp_a).post(_issue(referral_a), {"delivery": "other", "email": "kim@example.org"})
    assert mail.outbox[0].to == ["kim@example.org"]


def test_a_typed_address_must_be_an_address(as_user, clp_a, referral_a):
    response = as_user(clp_a).post(_issue(referral_a), {"delivery": "other", "email": "kim"})
    assert "Enter a valid email address." in response.content.decode()
    assert not FeedbackLink.objects.exists() and not mail.outbox


def test_a_failed_email_saves_no_link(as_user, clp_a, referral_a, settings):
    settings.EMAIL_BACKEND = "tests.participants.failing_email.FailingBackend"
    response = as_user(clp_a).post(_issue(referral_a), {"delivery": "other", "email": "k@e.org"})
    assert "could not be sent" in response.content.decode()
    assert not FeedbackLink.objects.exists()


def test_another_practices_clp_cannot_email_a_link(as_user, clp_b, referral_a):
    response = as_user(clp_b).post(_issue(referral_a), {"delivery": "other", "email": "k@e.org"})
    assert response.status_code == 404
    assert not mail.outbox


def _emailed(as_user, clp_a, referral_a, days_ago: int) -> FeedbackLink:
    as_user(clp_a).post(_issue(referral_a), {"delivery": "other", "email": "kim@example.org"})
    link = FeedbackLink.objects.get()
    FeedbackLink.objects.filter(pk=link.pk).update(
        issued_at=timezone.now() - timedelta(days=days_ago)
    )
    mail.outbox.clear()
    return link


def test_an_unanswered_link_is_reminded_once_after_the_set_days(
    as_user, client, clp_a, referral_a, settings
):
    settings.LINKS_FEEDBACK_REMINDER_DAYS = 7
    first = _emailed(as_user, clp_a, referral_a, days_ago=8)
    assert feedback_reminders_send() == 1
    assert feedback_reminders_send() == 0
    [reminder] = mail.outbox
    assert reminder.subject.startswith("Reminder:") and reminder.to == ["kim@example.org"]
    second = FeedbackLink.objects.exclude(pk=first.pk).get()
    assert second.expires_at == first.expires_at
    # Answering through the reminder closes the first link too.
    assert client.post(_emailed_path(reminder), ANSWER).status_code == 302
    first.refresh_from_db()
    assert first.state == FeedbackLink.State.REVOKED


def test_no_reminder_before_the_set_days_or_after_an_answer(as_user, clp_a, referral_a, settings):
    settings.LINKS_FEEDBACK_REMINDER_DAYS = 7
    _emailed(as_user, clp_a, referral_a, days_ago=3)
    assert feedback_reminders_send() == 0
    Referral.objects.update(feedback_at=timezone.now())
    FeedbackLink.objects.update(issued_at=timezone.now() - timedelta(days=30))
    assert feedback_reminders_send() == 0
    assert not mail.outbox


def test_a_copied_link_gets_no_reminder(as_user, clp_a, referral_a):
    as_user(clp_a).post(_issue(referral_a))
    FeedbackLink.objects.update(issued_at=timezone.now() - timedelta(days=30))
    assert feedback_reminders_send() == 0


def test_the_referring_clp_sees_a_new_answer_until_they_open_it(
    as_user, client, clp_a, clp_b, referral_a
):
    as_user(clp_a).post(_issue(referral_a), {"delivery": "other", "email": "kim@example.org"})
    client.post(_emailed_path(mail.outbox[0]), ANSWER)
    c = as_user(clp_a)
    home = c.get(reverse("home")).content.decode()
    assert re.search(r"Answers <span[^>]*>1<span class=\"visually-hidden\"> new", home)
    answers = c.get(reverse("referrals:answers")).content.decode()
    assert referral_a.participant.ref in answers and "New</span>" in answers
    # The outsider sees none of it.
    assert (
        referral_a.participant.ref
        not in as_user(clp_b).get(reverse("referrals:answers")).content.decode()
    )
    c.get(reverse("referrals:detail", args=[referral_a.pk]))
    home = c.get(reverse("home")).content.decode()
    assert not re.search(r"Answers <span", home)
    assert "New</span>" not in c.get(reverse("referrals:answers")).content.decode()


@pytest.mark.parametrize("who", ["manager_a", "lead"])
def test_only_clps_have_an_answers_list(request, as_user, who):
    assert (
        as_user(request.getfixturevalue(who)).get(reverse("referrals:answers")).status_code == 403
    )


# Consent


def test_a_person_without_recorded_consent_cannot_be_referred(as_user, clp_a, participant_a):
    participant_a.consent_given = False
    participant_a.save()
    response = as_user(clp_a).post(
        reverse("referrals:new"),
        {
            "participant": participant_a.ref,
            "resource": ResourceFactory().pk,
            "status": "referred",
            "on": "2024-03-01",
        },
    )
    assert "Record the person&#x27;s consent to share" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_person_without_recorded_consent_can_be_told_about_a_service(clp_a, participant_a):
    participant_a.consent_given = False
    participant_a.save()
    referral = referral_create(
        user=clp_a, participant=participant_a, resource=ResourceFactory(), on=date(2024, 3, 1)
    )
    assert referral.status == ReferralStatus.SUGGESTED


def test_the_referral_form_says_consent_is_needed(as_user, clp_a):
    body = as_user(clp_a).get(reverse("referrals:new")).content.decode()
    assert "needs their consent to share" in body
