"""The programme lead's referral statistics: counts only, never a person."""

from datetime import date

import pytest
from django.urls import reverse

from referrals.models import ReferralStatus
from referrals.views import statistics as statistics_views
from tests.referrals.factories import ReferralFactory, ResourceFactory

URL = reverse("referrals:statistics")


@pytest.fixture
def referrals_2024(participant_a, participant_b, resource):
    ReferralFactory(participant=participant_a, resource=resource, date=date(2024, 2, 1))
    ReferralFactory(
        participant=participant_b,
        resource=resource,
        date=date(2024, 8, 1),
        status=ReferralStatus.ENGAGED,
        engaged_on=date(2024, 8, 20),
    )


def test_a_programme_lead_sees_the_years_figures_without_names_or_chi_numbers(
    as_user, lead, referrals_2024, participant_a, participant_b
):
    response = as_user(lead).get(URL, {"year": 2024})
    body = response.content.decode()
    assert response.status_code == 200
    stats = response.context["stats"]
    assert (stats.year, stats.totals.referrals, stats.totals.engaged) == (2024, 2, 1)
    assert "Tuesday walking group" in body and "50.0%" in body
    for participant in (participant_a, participant_b):
        for secret in (
            participant.first_name,
            participant.last_name,
            participant.chi,
            participant.ref,
        ):
            assert secret not in body
    assert "private referral note" not in body and "Nervous about going alone" not in body


def test_months_can_be_chosen_instead_of_quarters(as_user, lead, referrals_2024):
    stats = as_user(lead).get(URL, {"year": 2024, "period": "month"}).context["stats"]
    assert stats.period == "month" and len(stats.periods) == 12


def test_a_year_or_period_outside_the_choices_falls_back(as_user, lead, referrals_2024):
    stats = as_user(lead).get(URL, {"year": "1066", "period": "decade"}).context["stats"]
    assert stats.year == stats.years[0] and stats.period == "quarter"
    assert as_user(lead).get(URL, {"year": "twenty"}).status_code == 200


def test_a_year_without_referrals_says_so(as_user, lead):
    body = as_user(lead).get(URL).content.decode()
    assert "No referrals were made in" in body


@pytest.mark.parametrize("who", ["clp_a", "manager_a"])
def test_practice_staff_may_not_open_the_statistics(request, as_user, who):
    assert as_user(request.getfixturevalue(who)).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_the_services_table_is_shown_a_page_at_a_time_keeping_year_and_period(
    as_user, lead, participant_a, monkeypatch
):
    monkeypatch.setattr(statistics_views, "SERVICES_PER_PAGE", 2)
    for name in ("Alpha", "Bravo", "Charlie"):
        ReferralFactory(
            participant=participant_a,
            resource=ResourceFactory(name=f"{name} group"),
            date=date(2024, 3, 1),
        )
    first = as_user(lead).get(URL, {"year": 2024, "period": "month"})
    body = first.content.decode()
    assert "Alpha group" in body and "Charlie group" not in body
    assert "year=2024&amp;period=month&amp;page=2" in body
    second = as_user(lead).get(URL, {"year": 2024, "period": "month", "page": 2})
    assert "Charlie group" in second.content.decode()
    # The figures above the table still count every service.
    assert second.context["stats"].totals.referrals == 3
