"""Every date falls in one plausible range (`participants.rules`): slips such as 0001-01-01
and 9999-12-31 are refused for consent, needs, next contact, follow-up close and the rest,
by the forms, the services and the importer alike."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participants.forms import PlausibleDateField
from participants.models import Consultation, FollowUp, Need
from participants.rules import is_plausible_date, plausible_date_range
from participants.services import consultation_log, needs_update
from tests.participants.test_views_worklist import _with_follow_up

pytestmark = pytest.mark.django_db

SLIPS = [date(1, 1, 1), date(1899, 12, 31), date(9999, 12, 31)]


def test_the_range_runs_from_1900_to_five_years_ahead():
    today = date(2026, 3, 31)
    assert plausible_date_range(today=today) == (date(1900, 1, 1), date(2031, 3, 28))
    assert is_plausible_date(date(1900, 1, 1), today=today)
    assert is_plausible_date(None)
    assert not any(is_plausible_date(slip, today=today) for slip in SLIPS)


@pytest.mark.parametrize("slip", SLIPS)
def test_a_form_date_field_refuses_a_slip(slip):
    with pytest.raises(ValidationError, match="Enter a date from 1 January 1900"):
        PlausibleDateField().clean(slip.isoformat())


@pytest.mark.parametrize("slip", SLIPS)
def test_the_consent_date_is_refused_by_the_record_itself(participant_a, slip):
    participant_a.consent_given, participant_a.consent_on = True, slip
    with pytest.raises(ValidationError) as refused:
        participant_a.full_clean()
    assert "consent_on" in refused.value.message_dict


def test_needs_are_not_recorded_as_of_a_slip(clp_a, participant_a):
    with pytest.raises(ValidationError) as refused:
        needs_update(
            user=clp_a, participant=participant_a, add=[Need.objects.first()], on=date(1, 1, 1)
        )
    assert "on" in refused.value.message_dict
    assert not participant_a.needs.exists()


def test_a_next_contact_years_away_is_refused(clp_a, participant_a):
    consultation = Consultation(
        participant=participant_a,
        date=timezone.localdate(),
        clp=clp_a,
        mode="telephone",
        duration_minutes=20,
        attended=True,
    )
    with pytest.raises(ValidationError) as refused:
        consultation_log(user=clp_a, consultation=consultation, next_contact_on=date(9999, 12, 31))
    assert "next_contact_on" in refused.value.message_dict
    participant_a.refresh_from_db()
    assert participant_a.next_contact_on != date(9999, 12, 31)


def test_a_follow_up_is_not_closed_on_a_slip(as_user, clp_a, participant_a):
    follow_up = _with_follow_up(participant_a, -2)
    response = as_user(clp_a).post(
        reverse("followups:close", args=[follow_up.pk]),
        {"status": "declined", "reason": "Did not want to", "on": "0001-01-01"},
    )
    assert response.status_code == 200
    assert "Enter a date from 1 January 1900" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.closed_on is None


def test_a_date_just_inside_the_range_is_kept(participant_a):
    participant_a.next_contact_on = timezone.localdate() + timedelta(days=365)
    participant_a.full_clean()
    assert FollowUp.objects.count() == 0
