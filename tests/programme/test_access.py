"""Who may open the programme-administration screens: programme leads and administrators;
CLPs and practice managers get a 403 on every one, and none of them shows a participant."""

from datetime import date

import pytest
from django.urls import reverse

from practices.models import Attachment, StaffSurveyRound
from programme.services import staff_invite


@pytest.fixture
def survey_round(lead):
    return StaffSurveyRound.objects.create(year=2026, closes_on=date(2100, 1, 1), opened_by=lead)


@pytest.fixture
def lead_pages(practice_a, clp_a, survey_round, lead):
    invitation = staff_invite(
        user=lead,
        full_name="Ivy Invitee",
        email="ivy@example.org",
        practices=[practice_a],
        role="clp",
        started_on=date(2026, 1, 5),
    )
    attachment = Attachment.objects.get(user=clp_a, practice=practice_a)
    return {
        "get": [
            reverse("practices:list"),
            reverse("practices:add"),
            reverse("practices:edit", args=[practice_a.pk]),
            reverse("practices:left", args=[practice_a.pk]),
            reverse("programme:staff"),
            reverse("programme:invite"),
            reverse("programme:person", args=[clp_a.pk]),
            reverse("programme:end_attachment", args=[attachment.pk]),
            reverse("programme:survey_rounds"),
            reverse("programme:survey_round", args=[survey_round.pk]),
        ],
        "post": [
            reverse("programme:invite_all"),
            reverse("programme:resend", args=[invitation.user.pk]),
            reverse("programme:withdraw", args=[invitation.pk]),
            reverse("programme:deactivate", args=[invitation.user.pk]),
            reverse("programme:close_round", args=[survey_round.pk]),
        ],
    }


@pytest.mark.parametrize("who", ["clp_a", "clp_b", "manager_a"])
def test_practice_staff_cannot_reach_any_of_the_leads_pages(
    as_user, request, lead_pages, survey_round, who
):
    client = as_user(request.getfixturevalue(who))
    for url in lead_pages["get"]:
        assert client.get(url).status_code == 403, url
    for url in lead_pages["post"]:
        assert client.post(url).status_code == 403, url
    survey_round.refresh_from_db()
    assert survey_round.closed_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client, lead_pages):
    for url in lead_pages["get"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["lead", "admin_user"])
def test_a_lead_sees_every_page_and_no_participant_on_any(
    as_user, request, lead_pages, participant_a, participant_b, who
):
    client = as_user(request.getfixturevalue(who))
    for url in lead_pages["get"]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for participant in (participant_a, participant_b):
            for secret in (
                participant.ref,
                participant.chi,
                participant.first_name,
                participant.last_name,
            ):
                assert secret not in html, (url, secret)


def test_a_lead_cannot_open_a_participant_or_transfer_one(as_user, lead, participant_a):
    client = as_user(lead)
    assert client.get(reverse("participants:detail", args=[participant_a.ref])).status_code == 404
    assert client.get(reverse("participants:transfer", args=[participant_a.ref])).status_code == 403


def test_a_practice_manager_sees_only_their_practices_survey_link(
    as_user, manager_a, practice_a, practice_b, survey_round
):
    response = as_user(manager_a).get(reverse("programme:survey_links"))
    assert response.status_code == 200
    html = response.content.decode()
    assert practice_a.name in html and practice_b.name not in html


@pytest.mark.parametrize("who", ["clp_a", "lead"])
def test_only_practice_managers_open_the_survey_links_page(as_user, request, survey_round, who):
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("programme:survey_links")).status_code == 403
