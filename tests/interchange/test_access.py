"""Who may take a participant's record out (`interchange.access`): the CLPs of the
participant's practice and administrators; everyone else gets a 404. Each rule is tested
through its function and through every endpoint of the app, so that a new endpoint that
forgets the scope fails here."""

from datetime import date

import pytest
from django.urls import reverse

from interchange.access import can_export_participant, participants_exportable_by
from interchange.urls import oruk_urls, participant_urls
from practices.models import Attachment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_clp_may_export_the_participants_of_their_own_practice_only(
    clp_a, participant_a, participant_b
):
    assert list(participants_exportable_by(clp_a)) == [participant_a]
    assert not can_export_participant(clp_a, participant_b)


def test_a_practice_manager_may_not_export_their_practices_participants(manager_a, participant_a):
    assert list(participants_exportable_by(manager_a)) == []


def test_a_programme_lead_may_not_export_anyone(lead, participant_a, participant_b):
    assert list(participants_exportable_by(lead)) == []


def test_an_administrator_may_export_everyone(admin_user, participant_a, participant_b):
    assert participants_exportable_by(admin_user).count() == 2


def test_an_ended_attachment_or_an_inactive_account_exports_nothing(clp_a, participant_a):
    Attachment.objects.filter(user=clp_a).update(ended_on=date(2020, 1, 1))
    assert list(participants_exportable_by(clp_a)) == []
    inactive = UserFactory(is_superuser=True, is_active=False)
    assert list(participants_exportable_by(inactive)) == []


@pytest.mark.parametrize("name", [p.name for p in participant_urls])
@pytest.mark.parametrize("who", ["clp_b", "manager_a", "lead"])
def test_every_record_endpoint_hides_the_participant_from_anyone_out_of_scope(
    request, as_user, participant_a, name, who
):
    user = request.getfixturevalue(who)

    response = as_user(user).get(reverse(f"interchange:{name}", args=[participant_a.ref]))

    assert response.status_code == 404
    assert participant_a.chi.encode() not in response.content
    assert b"Anderson" not in response.content


@pytest.mark.parametrize("name", [p.name for p in participant_urls])
def test_every_record_endpoint_serves_the_practices_clp(as_user, clp_a, participant_a, name):
    response = as_user(clp_a).get(reverse(f"interchange:{name}", args=[participant_a.ref]))

    assert response.status_code == 200


@pytest.mark.parametrize("name", [p.name for p in participant_urls])
def test_every_record_endpoint_sends_visitors_to_sign_in(client, participant_a, name):
    response = client.get(reverse(f"interchange:{name}", args=[participant_a.ref]))

    assert response.status_code == 302


@pytest.mark.parametrize("name", [p.name for p in oruk_urls])
def test_no_public_endpoint_says_anything_about_a_participant(client, full_record, name):
    from interchange.oruk import service_id
    from referrals.models import CommunityResource

    resource = CommunityResource.objects.filter(referrals__participant=full_record).first()
    args = [service_id(resource)] if name == "service" else []

    response = client.get(reverse(f"oruk:{name}", args=args) + "?full=true&per_page=200")

    assert response.status_code == 200
    body = response.content.decode()
    for value in (full_record.ref, full_record.chi, full_record.first_name, full_record.last_name):
        assert value not in body
    assert "Nervous about going alone" not in body  # a referral's note
