"""Each validation rule has one home (`participants.rules`) that forms, services and the
importer call, and the database holds the rules it can."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from participants import rules
from participants.models import Assessment, Consultation, ConsultationMode, Timepoint
from participants.services import assessment_record, consultation_log


def _consultation(participant, clp, **fields):
    values = {"date": date(2024, 2, 1), "mode": "practice", "duration_minutes": 30}
    values.update(fields)
    return Consultation(participant=participant, clp=clp, **values)


def test_the_service_refuses_a_consultation_in_the_future(clp_a, participant_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    before = Consultation.objects.count()

    with pytest.raises(ValidationError) as raised:
        consultation_log(
            user=clp_a, consultation=_consultation(participant_a, clp_a, date=tomorrow)
        )

    assert raised.value.message_dict["date"] == ["The consultation date cannot be in the future."]
    assert Consultation.objects.count() == before


def test_the_service_refuses_a_consultation_before_the_referral(clp_a, participant_a):
    day = participant_a.referred_on - timedelta(days=1)

    with pytest.raises(ValidationError) as raised:
        consultation_log(user=clp_a, consultation=_consultation(participant_a, clp_a, date=day))

    assert raised.value.message_dict["date"] == ["The consultation is before the referral date."]


def test_the_service_records_a_did_not_attend_as_lasting_no_time(clp_a, participant_a):
    logged = consultation_log(
        user=clp_a,
        consultation=_consultation(participant_a, clp_a, attended=False, duration_minutes=45),
    )

    logged.refresh_from_db()
    assert logged.duration_minutes == 0


def test_the_database_refuses_a_did_not_attend_with_minutes(clp_a, participant_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultation.objects.create(
            participant=participant_a,
            clp=clp_a,
            date=date(2024, 2, 1),
            mode="practice",
            duration_minutes=20,
            attended=False,
        )


def test_the_service_refuses_an_assessment_in_the_future(clp_a, participant_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    assessment = Assessment(participant=participant_a, timepoint=Timepoint.BASELINE, date=tomorrow)

    with pytest.raises(ValidationError) as raised:
        assessment_record(user=clp_a, assessment=assessment)

    assert raised.value.message_dict["date"] == ["The assessment date cannot be in the future."]
    assert not Assessment.objects.filter(participant=participant_a).exists()


@pytest.mark.parametrize(
    ("attended", "minutes", "consistent"),
    [(True, 30, True), (True, 0, True), (False, 0, True), (False, None, True), (False, 5, False)],
)
def test_a_did_not_attend_is_consistent_only_with_no_minutes(attended, minutes, consistent):
    assert rules.duration_is_consistent(attended=attended, duration_minutes=minutes) is consistent


def test_a_date_is_in_the_future_only_after_today():
    today = date(2026, 5, 1)
    assert not rules.is_in_future(today, today=today)
    assert rules.is_in_future(today + timedelta(days=1), today=today)
    assert not rules.is_in_future(None, today=today)


def test_the_home_visit_rule_names_the_home_visit_mode():
    assert rules.HOME_VISIT == ConsultationMode.HOME
