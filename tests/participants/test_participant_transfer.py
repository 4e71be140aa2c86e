"""Transferring a participant who moved practice: by a CLP or practice manager of the
practice that holds them, to a CLP at a practice of the programme, with the whole record."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from participants.models import Consultation
from participants.services import participant_transfer
from practices.models import Attachment

pytestmark = pytest.mark.django_db


def _destination(practice, clp):
    return Attachment.objects.get(practice=practice, user=clp).pk


@pytest.mark.parametrize("who", ["clp_a", "manager_a"])
def test_the_holding_practice_transfers_the_whole_record(
    as_user, request, participant_a, practice_b, clp_b, who
):
    user = request.getfixturevalue(who)
    client = as_user(user)
    url = reverse("participants:transfer", args=[participant_a.ref])
    assert client.get(url).status_code == 200
    response = client.post(url, {"destination": _destination(practice_b, clp_b)})
    assert response.status_code == 302
    participant_a.refresh_from_db()
    assert (participant_a.practice, participant_a.clp) == (practice_b, clp_b)
    assert Consultation.objects.filter(participant=participant_a).exists()
    assert AuditEvent.objects.filter(
        participant_ref=participant_a.ref, detail__startswith="transferred"
    ).exists()
    # The old practice no longer sees them; the new one does.
    assert client.get(reverse("participants:detail", args=[participant_a.ref])).status_code == 404
    assert (
        as_user(clp_b).get(reverse("participants:detail", args=[participant_a.ref])).status_code
        == 200
    )


def test_another_practices_clp_cannot_transfer_a_participant(
    as_user, clp_b, practice_b, participant_a
):
    url = reverse("participants:transfer", args=[participant_a.ref])
    client = as_user(clp_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"destination": _destination(practice_b, clp_b)}).status_code == 404
    participant_a.refresh_from_db()
    assert participant_a.practice != practice_b


def test_a_practice_that_left_is_not_offered(as_user, clp_a, participant_a, practice_b, clp_b):
    practice_b.left_on = date(2025, 1, 1)
    practice_b.save()
    response = as_user(clp_a).get(reverse("participants:transfer", args=[participant_a.ref]))
    assert practice_b.name not in response.content.decode()
    with pytest.raises(ValidationError):
        participant_transfer(user=clp_a, participant=participant_a, practice=practice_b, clp=clp_b)


def test_the_new_clp_must_work_at_the_new_practice(clp_a, participant_a, practice_b, manager_a):
    with pytest.raises(ValidationError):
        participant_transfer(
            user=clp_a, participant=participant_a, practice=practice_b, clp=manager_a
        )
