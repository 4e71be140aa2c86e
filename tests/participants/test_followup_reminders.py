from datetime import date, timedelta

import pytest
from django.core import mail

from participants.followups import followup_reminders_send, followups_run
from participants.models import Assessment, ReminderSent

MONDAY = date(2026, 10, 12)


def _due_follow_up(participant, baseline_on=date(2026, 1, 10)):
    Assessment.objects.create(
        participant=participant, timepoint="baseline", date=baseline_on, recorded_by=participant.clp
    )


def test_a_clp_gets_one_email_with_counts_and_a_link_but_no_patient_details(participant_a, clp_a):
    _due_follow_up(participant_a)
    followups_run(today=MONDAY)
    assert followup_reminders_send(today=MONDAY) == 1
    [message] = mail.outbox
    assert message.to == [clp_a.email]
    assert "1 nine-month follow-up(s) due and 0 overdue" in message.body
    assert "/followups/" in message.body
    for detail in (participant_a.first_name, participant_a.last_name, participant_a.chi):
        assert detail not in message.body and detail not in message.subject
    assert participant_a.ref not in message.body


def test_it_is_never_sent_twice_in_the_same_week(participant_a):
    _due_follow_up(participant_a)
    followups_run(today=MONDAY)
    followup_reminders_send(today=MONDAY)
    assert followup_reminders_send(today=MONDAY + timedelta(days=3)) == 0
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.count() == 1


def test_it_is_sent_again_the_next_week(participant_a):
    _due_follow_up(participant_a)
    followups_run(today=MONDAY)
    followup_reminders_send(today=MONDAY)
    followup_reminders_send(today=MONDAY + timedelta(days=7))
    assert len(mail.outbox) == 2


def test_a_clp_with_nothing_due_gets_no_email(participant_a, participant_b):
    _due_follow_up(participant_a, baseline_on=date(2026, 9, 1))  # due mid-2027
    followups_run(today=MONDAY)
    assert followup_reminders_send(today=MONDAY) == 0
    assert mail.outbox == []


def test_a_failed_send_leaves_no_record_so_a_retry_sends_it(participant_a, settings):
    _due_follow_up(participant_a)
    followups_run(today=MONDAY)
    settings.EMAIL_BACKEND = "tests.participants.failing_email.FailingBackend"
    with pytest.raises(ConnectionError):
        followup_reminders_send(today=MONDAY)
    assert not ReminderSent.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert followup_reminders_send(today=MONDAY) == 1
