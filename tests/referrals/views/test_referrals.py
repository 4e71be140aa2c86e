"""Making a referral, the referral's page and the referrals list; the outsider each time."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from participants.models import Need
from referrals.models import Referral, ReferralStatus
from tests.referrals.factories import ReferralFactory, ResourceFactory

NEW = reverse("referrals:new")
LIST = reverse("referrals:list")


def _html(response):
    return response.content.decode()


def _detail(referral):
    return reverse("referrals:detail", args=[referral.pk])


def _form(participant, resource, **overrides):
    data = {
        "participant": participant.ref,
        "resource": resource.pk,
        "status": "referred",
        "on": "2024-03-01",
        "need": Need.objects.get(name="Social isolation").pk,
        "note": "Would like a friendly welcome",
    }
    data.update(overrides)
    return data


# Making a referral


def test_a_clp_refers_their_participant_and_lands_on_the_referral(
    as_user, clp_a, participant_a, resource
):
    response = as_user(clp_a).post(NEW, _form(participant_a, resource))
    referral = Referral.objects.get()
    assert response["Location"] == _detail(referral)
    assert (referral.participant, referral.resource, referral.status, referral.clp) == (
        participant_a,
        resource,
        ReferralStatus.REFERRED,
        clp_a,
    )
    assert referral.note == "Would like a friendly welcome"


def test_the_form_starts_from_the_participant_and_service_it_was_opened_for(
    as_user, clp_a, participant_a, resource
):
    response = as_user(clp_a).get(NEW, {"participant": "P1001", "resource": resource.pk})
    form = response.context["form"]
    assert form.initial["participant"] == "P1001" and form.initial["resource"] == resource.pk
    # Participants are chosen by reference: no database id in the page.
    assert 'value="P1001" selected' in _html(response)


def test_a_clp_cannot_refer_another_practices_participant(as_user, clp_a, participant_b, resource):
    c = as_user(clp_a)
    assert c.get(NEW, {"participant": participant_b.ref}).status_code == 404
    response = c.post(NEW, _form(participant_b, resource))
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(response.context["form"].errors["participant"])
    assert "Bella" not in _html(response)
    assert not Referral.objects.exists()


def test_the_list_of_people_to_refer_holds_only_the_clps_open_cases(
    as_user, clp_a, participant_a, participant_b
):
    form = as_user(clp_a).get(NEW).context["form"]
    assert list(form.fields["participant"].queryset) == [participant_a]


@pytest.mark.parametrize("who", ["manager_a", "lead"])
def test_only_clps_may_make_referrals(request, as_user, who, participant_a, resource):
    c = as_user(request.getfixturevalue(who))
    assert c.get(NEW).status_code == 403
    assert c.post(NEW, _form(participant_a, resource)).status_code == 403
    assert not Referral.objects.exists()


def test_an_inactive_service_cannot_be_chosen(as_user, clp_a, participant_a):
    old = ResourceFactory(active=False)
    c = as_user(clp_a)
    assert c.get(NEW, {"resource": old.pk}).status_code == 404
    response = c.post(NEW, _form(participant_a, old))
    assert "resource" in response.context["form"].errors


def test_a_duplicate_open_referral_is_explained_next_to_the_service_and_the_note_is_kept(
    as_user, clp_a, participant_a, resource, referral_a
):
    response = as_user(clp_a).post(NEW, _form(participant_a, resource, note="Second try"))
    assert "already has an open referral" in " ".join(response.context["form"].errors["resource"])
    assert "Second try" in _html(response)
    assert Referral.objects.count() == 1


def test_a_date_in_the_future_is_refused_next_to_the_field(as_user, clp_a, participant_a, resource):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = as_user(clp_a).post(NEW, _form(participant_a, resource, on=tomorrow))
    assert response.context["form"].errors["on"] == ["The referral date cannot be in the future."]


def test_a_new_referral_cannot_be_posted_as_engaged(as_user, clp_a, participant_a, resource):
    response = as_user(clp_a).post(NEW, _form(participant_a, resource, status="engaged"))
    assert "status" in response.context["form"].errors
    assert not Referral.objects.exists()


# The referral's page


def test_the_clp_sees_the_referral_with_its_note_and_history(as_user, clp_a, referral_a):
    response = as_user(clp_a).get(_detail(referral_a))
    body = _html(response)
    assert response.status_code == 200
    assert "Alice private referral note" in body
    assert "Update status" in body and "Ask the organisation how it went" in body
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_type="referral", participant_ref="P1001"
    ).exists()


def test_a_practice_manager_sees_the_referral_read_only_without_the_note(
    as_user, manager_a, referral_a
):
    response = as_user(manager_a).get(_detail(referral_a))
    body = _html(response)
    assert response.status_code == 200
    assert "Tuesday walking group" in body
    assert "Alice private referral note" not in body
    assert (
        "Update status" not in body and "Create a link" not in body and "Close referral" not in body
    )


def test_the_organisations_comment_is_hidden_from_the_practice_manager_too(
    as_user, manager_a, referral_a
):
    Referral.objects.filter(pk=referral_a.pk).update(
        feedback_at=timezone.now(), feedback_attended=True, feedback_comment="Private comment"
    )
    body = _html(as_user(manager_a).get(_detail(referral_a)))
    assert "Attended" in body and "Private comment" not in body


@pytest.mark.parametrize("who", ["clp_b", "lead"])
def test_anyone_outside_the_practice_gets_404(request, as_user, who, referral_a):
    response = as_user(request.getfixturevalue(who)).get(_detail(referral_a))
    assert response.status_code == 404
    assert "Alice" not in _html(response)


def test_anonymous_visitors_are_sent_to_sign_in_from_the_referral(client, referral_a):
    assert client.get(_detail(referral_a)).status_code == 302


# The list


def test_the_list_shows_only_the_users_practices(as_user, clp_a, manager_a, referral_a, referral_b):
    for user in (clp_a, manager_a):
        body = _html(as_user(user).get(LIST))
        assert "Anderson" in body and "Brown" not in body
        assert "Alice private referral note" not in body


def test_the_list_is_empty_with_a_message_and_paginated(as_user, clp_a, participant_a, settings):
    assert "No referrals with this status yet" in _html(as_user(clp_a).get(LIST))
    settings.LINKS_PAGE_SIZE = 5
    ReferralFactory.create_batch(6, participant=participant_a)
    second = as_user(clp_a).get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 1


def test_a_programme_lead_has_no_referrals_list(as_user, lead, referral_a):
    assert as_user(lead).get(LIST).status_code == 403
