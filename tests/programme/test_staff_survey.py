"""Staff survey rounds: each practice answers through its own signed link while the round is
open, the lead enters paper answers and sees suppressed results, and closing freezes it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from practices.models import StaffSurveyResponse, StaffSurveyRound
from practices.services import survey_response_record, survey_round_close, survey_round_open
from programme.survey_links import survey_token
from reports.statistics import programme_statistics

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round(lead):
    return survey_round_open(
        user=lead, year=timezone.localdate().year, closes_on=timezone.localdate() + timedelta(30)
    )


def _answer(client, token, wellbeing="yes", give_up="no"):
    return client.post(
        reverse("survey:answer", args=[token]),
        {"wellbeing_activities": wellbeing, "give_up_within_5y": give_up},
    )


def test_a_practices_link_takes_many_anonymous_answers(client, survey_round, practice_a):
    token = survey_token(survey_round, practice_a)
    assert client.get(reverse("survey:answer", args=[token])).status_code == 200
    for _ in range(3):
        assert _answer(client, token).status_code == 302
    responses = StaffSurveyResponse.objects.filter(round=survey_round, practice=practice_a)
    assert responses.count() == 3
    assert {r.year for r in responses} == {survey_round.year}
    # Nothing that could point to the person: no user, no address in the trail.
    events = AuditEvent.objects.filter(object_type="staffsurveyresponse")
    assert events.count() == 3
    assert all(e.user_id is None and e.ip_address is None for e in events)


def test_a_forged_or_closed_link_takes_nothing(client, lead, survey_round, practice_a):
    token = survey_token(survey_round, practice_a)
    assert _answer(client, token[:-2] + "xx").status_code == 404
    survey_round_close(user=lead, survey_round=survey_round)
    assert client.get(reverse("survey:answer", args=[token])).status_code == 404
    assert _answer(client, token).status_code == 404
    assert not StaffSurveyResponse.objects.exists()


def test_a_link_stops_at_the_closing_date(client, survey_round, practice_a):
    survey_round.closes_on = timezone.localdate() - timedelta(days=1)
    survey_round.opened_on = survey_round.closes_on
    survey_round.save()
    assert _answer(client, survey_token(survey_round, practice_a)).status_code == 404


def test_the_link_is_rate_limited(client, settings, survey_round, practice_a):
    settings.LINKS_FEEDBACK_RATE_LIMIT = 2
    token = survey_token(survey_round, practice_a)
    _answer(client, token)
    _answer(client, token)
    assert _answer(client, token).status_code == 429
    assert StaffSurveyResponse.objects.count() == 2


def test_closing_freezes_paper_answers_too(lead, survey_round, practice_a):
    survey_response_record(
        survey_round=survey_round,
        practice=practice_a,
        wellbeing_activities=True,
        give_up_within_5y=False,
        user=lead,
    )
    survey_round_close(user=lead, survey_round=survey_round)
    with pytest.raises(ValidationError):
        survey_response_record(
            survey_round=survey_round,
            practice=practice_a,
            wellbeing_activities=True,
            give_up_within_5y=False,
            user=lead,
        )
    assert StaffSurveyResponse.objects.get().on_paper


def test_the_lead_sees_results_suppressed(as_user, lead, survey_round, practice_a, practice_b):
    for practice, n in ((practice_a, 3), (practice_b, 8)):
        for i in range(n):
            survey_response_record(
                survey_round=survey_round,
                practice=practice,
                wellbeing_activities=i % 2 == 0,
                give_up_within_5y=False,
            )
    response = as_user(lead).get(reverse("programme:survey_round", args=[survey_round.pk]))
    rows = {row.practice: row for row in response.context["rows"]}
    assert rows[practice_a].responses == "<5"
    # practice B's 8 would give practice A's 3 away beside the total of 11: hidden too, marked
    # as hidden to protect another, never as a small count.
    assert rows[practice_b].responses == "*"
    assert rows[practice_b].wellbeing["yes"] == "<5"
    assert response.context["total"] == "11"


def test_the_paper_form_adds_an_answer(as_user, lead, survey_round, practice_a):
    response = as_user(lead).post(
        reverse("programme:survey_round", args=[survey_round.pk]),
        {"practice": practice_a.pk, "wellbeing_activities": "no", "give_up_within_5y": "yes"},
    )
    assert response.status_code == 302
    answer = StaffSurveyResponse.objects.get()
    assert answer.on_paper and answer.give_up_within_5y and not answer.wellbeing_activities
    assert AuditEvent.objects.filter(user=lead, object_type="staffsurveyresponse").exists()


def test_one_round_a_year(lead, survey_round):
    with pytest.raises(ValidationError):
        survey_round_open(user=lead, year=survey_round.year, closes_on=date(2100, 1, 1))


def test_the_annual_report_counts_the_rounds_answers(lead, survey_round, practice_a):
    for _ in range(6):
        survey_response_record(
            survey_round=survey_round,
            practice=practice_a,
            wellbeing_activities=True,
            give_up_within_5y=False,
        )
    assert StaffSurveyRound.objects.get().responses.count() == 6
    year = survey_round.year
    stats = programme_statistics(start=date(year, 1, 1), end=date(year, 12, 31))
    assert stats["staff_survey"]["responses"] == 6
    assert stats["staff_survey"]["wellbeing_activities_pct"] == 100
