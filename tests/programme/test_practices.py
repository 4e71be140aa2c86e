"""The lead adds, edits and records the leaving of practices."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from practices.access import clp_practices
from practices.models import Attachment, Practice
from programme.forms import InviteForm
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def _practice(**overrides):
    data = {
        "name": "Northfield Medical Centre",
        "code": "n4242",
        "health_board": "lothian",
        "deep_end": "on",
        "list_size": "6100",
        "joined_on": "2026-04-01",
    }
    return {**data, **overrides}


def test_a_lead_adds_a_practice(as_user, lead):
    response = as_user(lead).post(reverse("practices:add"), _practice())
    assert response.status_code == 302
    practice = Practice.objects.get(code="N4242")
    assert practice.deep_end and practice.list_size == 6100
    assert AuditEvent.objects.filter(user=lead, object_type="practice", action="create").exists()


def test_a_practice_code_is_unique(as_user, lead, practice_a):
    response = as_user(lead).post(reverse("practices:add"), _practice(code=practice_a.code))
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Practice.objects.count() == 1


def test_a_practice_cannot_join_after_it_left(as_user, lead, practice_a):
    practice_a.left_on = date(2024, 3, 31)
    practice_a.save()
    response = as_user(lead).post(
        reverse("practices:edit", args=[practice_a.pk]),
        _practice(code=practice_a.code, joined_on="2025-01-01"),
    )
    assert response.status_code == 200
    assert "joined_on" in response.context["form"].errors
    practice_a.refresh_from_db()
    assert practice_a.joined_on == date(2017, 4, 1)


def test_leaving_before_joining_is_refused(as_user, lead, practice_a):
    response = as_user(lead).post(
        reverse("practices:left", args=[practice_a.pk]), {"left_on": "2016-01-01"}
    )
    assert response.status_code == 200
    practice_a.refresh_from_db()
    assert practice_a.left_on is None


def test_a_practice_that_left_keeps_its_data_and_drops_out_of_new_work(
    as_user, lead, clp_a, practice_a, participant_a
):
    response = as_user(lead).post(
        reverse("practices:left", args=[practice_a.pk]), {"left_on": "2025-12-31"}
    )
    assert response.status_code == 302
    practice_a.refresh_from_db()
    assert practice_a.left_on == date(2025, 12, 31)
    participant_a.refresh_from_db()
    assert participant_a.practice == practice_a
    assert Attachment.objects.get(user=clp_a).ended_on == date(2025, 12, 31)
    assert not clp_practices(clp_a).exists()
    assert practice_a not in InviteForm(may_grant=False).fields["practices"].queryset
    # Still listed, as having left.
    listing = as_user(lead).get(reverse("practices:list")).content.decode()
    assert practice_a.name in listing and "left Dec 2025" in listing


def test_the_practices_list_is_read_a_page_at_a_time(as_user, lead, settings):
    """A national programme has hundreds of practices: the list pages through them."""
    settings.LINKS_PAGE_SIZE = 5
    PracticeFactory.create_batch(6)
    first = as_user(lead).get(reverse("practices:list")).content.decode()
    assert "Page 1 of" in first
    assert "Page 2 of" in as_user(lead).get(reverse("practices:list"), {"page": 2}).content.decode()
