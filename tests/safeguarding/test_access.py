"""The access matrix of safeguarding concerns, for every role and practice: the recording
CLP, the practice's safeguarding leads and administrators see a concern; nobody else does
(404), and practice managers and the programme lead get counts only."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from practices.models import Attachment
from safeguarding.access import (
    can_close_concern,
    concerns_in_aggregate_scope,
    concerns_visible_to,
    sees_concern_list,
)
from safeguarding.models import ConcernStatus
from tests.factories import ConcernFactory

SEES = ["clp_a", "sg_lead_a", "admin_user"]
DOES_NOT_SEE = ["other_clp_a", "manager_a", "lead", "clp_b", "sg_lead_b"]


def _detail(concern):
    return reverse("safeguarding:detail", args=[concern.public_id])


@pytest.mark.parametrize("who", SEES)
def test_it_shows_the_concern_to_those_with_need_to_know(request, as_user, concern_a, who):
    user = request.getfixturevalue(who)
    assert concerns_visible_to(user).filter(pk=concern_a.pk).exists()
    response = as_user(user).get(_detail(concern_a))
    assert response.status_code == 200
    assert "son takes her pension" in response.content.decode()


@pytest.mark.parametrize("who", DOES_NOT_SEE)
def test_it_answers_404_to_everyone_else(request, as_user, concern_a, who):
    user = request.getfixturevalue(who)
    assert not concerns_visible_to(user).filter(pk=concern_a.pk).exists()
    assert as_user(user).get(_detail(concern_a)).status_code == 404
    action = reverse("safeguarding:add_action", args=[concern_a.public_id])
    assert as_user(user).post(action, {"note": "x"}).status_code == 404
    close = reverse("safeguarding:close", args=[concern_a.public_id])
    assert as_user(user).post(close, {"outcome": "x"}).status_code == 404


def test_another_clp_of_the_same_practice_gets_404_on_the_concern(as_user, concern_a, other_clp_a):
    assert as_user(other_clp_a).get(_detail(concern_a)).status_code == 404


def test_a_lead_who_is_not_a_clp_sees_their_practices_concerns(
    as_user, practice_b, participant_b, sg_lead_b
):
    concern = ConcernFactory(participant=participant_b)
    assert as_user(sg_lead_b).get(_detail(concern)).status_code == 200
    assert as_user(sg_lead_b).get(reverse("safeguarding:list")).status_code == 200


def test_the_recording_clp_loses_sight_of_it_on_leaving_the_practice(
    as_user, concern_a, clp_a, participant_a
):
    Attachment.objects.filter(user=clp_a).update(ended_on=participant_a.referred_on)
    assert as_user(clp_a).get(_detail(concern_a)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, concern_a):
    response = client.get(_detail(concern_a))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "listed"),
    [
        ("clp_a", True),
        ("sg_lead_a", True),
        ("admin_user", True),
        ("other_clp_a", False),
        ("clp_b", False),
    ],
)
def test_the_list_shows_only_the_concerns_in_scope(request, as_user, concern_a, who, listed):
    response = as_user(request.getfixturevalue(who)).get(reverse("safeguarding:list"))
    assert response.status_code == 200
    assert (str(concern_a.public_id) in response.content.decode()) is listed


@pytest.mark.parametrize("who", ["manager_a", "lead"])
def test_managers_and_the_programme_lead_never_open_the_list(request, as_user, concern_a, who):
    user = request.getfixturevalue(who)
    assert not sees_concern_list(user)
    assert as_user(user).get(reverse("safeguarding:list")).status_code == 403


@pytest.mark.parametrize(
    ("who", "counted"),
    [
        ("manager_a", True),
        ("lead", True),
        ("admin_user", True),
        ("clp_b", False),
    ],
)
def test_managers_and_the_programme_lead_may_count_concerns(request, concern_a, who, counted):
    user = request.getfixturevalue(who)
    assert concerns_in_aggregate_scope(user).filter(pk=concern_a.pk).exists() is counted


@pytest.mark.parametrize(
    ("who", "closes"),
    [("sg_lead_a", True), ("admin_user", True), ("clp_a", False), ("sg_lead_b", False)],
)
def test_only_the_practices_leads_and_administrators_close_a_concern(
    request, concern_a, who, closes
):
    assert can_close_concern(request.getfixturevalue(who), concern_a) is closes


def test_the_recording_clp_may_add_actions_but_not_close(as_user, concern_a, clp_a):
    c = as_user(clp_a)
    action = reverse("safeguarding:add_action", args=[concern_a.public_id])
    assert c.post(action, {"note": "Phoned the GP"}).status_code == 302
    close = reverse("safeguarding:close", args=[concern_a.public_id])
    assert c.post(close, {"outcome": "Done"}).status_code == 403
    concern_a.refresh_from_db()
    assert concern_a.status == ConcernStatus.OPEN


@pytest.mark.parametrize("who", SEES)
def test_every_read_is_audited(request, as_user, concern_a, who):
    user = request.getfixturevalue(who)
    as_user(user).get(_detail(concern_a))
    event = AuditEvent.objects.get(user=user, action=Action.VIEW, object_type="concern")
    assert event.object_id == str(concern_a.pk)
    assert event.participant_ref == concern_a.participant.ref
    assert "pension" not in event.detail


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clp_a", 200),
        ("clp_b", 404),
        ("manager_a", 403),
        ("lead", 403),
        ("admin_user", 403),
        ("sg_lead_b", 403),
    ],
)
def test_only_a_clp_of_the_participants_practice_raises_a_concern(
    request, as_user, participant_a, who, status
):
    url = reverse("safeguarding:new", args=[participant_a.ref])
    assert as_user(request.getfixturevalue(who)).get(url).status_code == status
