import pytest
from django.urls import reverse

from audit.models import AuditEvent
from participants.models import Need


def test_a_programme_lead_adds_a_need_in_a_domain(as_user, lead):
    response = as_user(lead).post(
        reverse("needs:new"), {"name": "Immigration status", "domain": "social", "active": "on"}
    )
    assert response.status_code == 302
    assert Need.objects.get(name="Immigration status").domain == "social"
    assert AuditEvent.objects.filter(object_type="need", action="create").exists()


def test_a_duplicate_name_is_refused_with_a_message(as_user, lead):
    response = as_user(lead).post(
        reverse("needs:new"), {"name": "Housing", "domain": "social", "active": "on"}
    )
    assert response.status_code == 200
    assert "Need with this Name already exists." in response.content.decode()


def test_a_need_made_inactive_is_no_longer_offered_at_registration(as_user, lead, clp_a):
    housing = Need.objects.get(name="Housing")
    as_user(lead).post(
        reverse("needs:edit", args=[housing.pk]), {"name": "Housing", "domain": "social"}
    )
    housing.refresh_from_db()
    assert not housing.active
    assert (
        "Housing (social)"
        not in as_user(clp_a).get(reverse("participants:register")).content.decode()
    )


@pytest.mark.parametrize("who", ["clp_a", "manager_a"])
def test_practice_staff_cannot_change_the_list(request, as_user, who):
    c = as_user(request.getfixturevalue(who))
    assert c.get(reverse("needs:list")).status_code == 403
    assert c.post(reverse("needs:new"), {"name": "X", "domain": "social"}).status_code == 403
    assert not Need.objects.filter(name="X").exists()
