"""The lead's staff screens: ending an attachment hands a CLP's caseload over in the same
step, deactivation, and a staff list whose queries do not grow with the number of people."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from practices.models import Attachment
from practices.services import survey_response_record, survey_round_open
from programme.services import account_deactivate, attachment_end, staff_invite
from tests.factories import PracticeFactory, clp_at

pytestmark = pytest.mark.django_db


def test_ending_a_clps_attachment_hands_their_open_cases_over(
    as_user, lead, clp_a, practice_a, participant_a
):
    colleague = clp_at(practice_a, username="colleague")
    attachment = Attachment.objects.get(user=clp_a, practice=practice_a)
    url = reverse("programme:end_attachment", args=[attachment.pk])
    page = as_user(lead).get(url).content.decode()
    assert "1 open case" in page and participant_a.last_name not in page

    refused = as_user(lead).post(url, {"on": "2026-06-30"})
    assert refused.status_code == 200
    attachment.refresh_from_db()
    assert attachment.ended_on is None

    response = as_user(lead).post(url, {"on": "2026-06-30", "reassign_to": colleague.pk})
    assert response.status_code == 302
    attachment.refresh_from_db()
    participant_a.refresh_from_db()
    assert attachment.ended_on == date(2026, 6, 30)
    assert participant_a.clp == colleague
    assert AuditEvent.objects.filter(detail__contains="reassigned").exists()


def test_the_caseload_goes_only_to_a_clp_of_that_practice(
    lead, clp_a, clp_b, practice_a, participant_a
):
    attachment = Attachment.objects.get(user=clp_a, practice=practice_a)
    with pytest.raises(ValidationError):
        attachment_end(user=lead, attachment=attachment, on=date(2026, 6, 30), reassign_to=clp_b)
    participant_a.refresh_from_db()
    assert participant_a.clp == clp_a


def test_an_account_with_open_cases_is_not_deactivated(lead, clp_a, participant_a):
    with pytest.raises(ValidationError):
        account_deactivate(user=lead, person=clp_a)
    clp_a.refresh_from_db()
    assert clp_a.is_active


def test_the_staff_list_does_not_grow_in_queries(as_user, lead, practice_a, practice_b):
    """The list shows everyone with their attachments and newest invitation: it must stay
    a fixed number of queries as the programme takes on staff."""
    client = as_user(lead)
    client.get(reverse("programme:staff"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("programme:staff"))
        return len(ctx.captured_queries)

    before = count()
    for n in range(5):
        staff_invite(
            user=lead,
            full_name=f"Person {n}",
            email=f"p{n}@example.org",
            practices=[practice_a, practice_b],
            role="clp",
            started_on=date(2026, 1, 5),
        )
    assert count() == before


def test_the_survey_round_page_does_not_grow_in_queries(as_user, lead, practice_a, practice_b):
    survey_round = survey_round_open(
        user=lead, year=2026, closes_on=timezone.localdate().replace(year=2100)
    )
    client = as_user(lead)
    url = reverse("programme:survey_round", args=[survey_round.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    client.get(url)  # the first request after sign-in saves the session; later ones do not
    before = count()
    for practice in [*PracticeFactory.create_batch(3), practice_a]:
        for _ in range(4):
            survey_response_record(
                survey_round=survey_round,
                practice=practice,
                wellbeing_activities=True,
                give_up_within_5y=False,
            )
    assert count() == before
