"""The directory screens: search, read, add, edit, deactivate; who may do what."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from referrals.models import Category, CommunityResource
from tests.factories import UserFactory
from tests.referrals.factories import ResourceFactory

LIST = reverse("resources:list")
NEW = reverse("resources:new")


def _html(response):
    return response.content.decode()


def _form(**overrides):
    data = {
        "organisation": "Possil Pantry",
        "name": "Community food pantry",
        "description": "A bag of shopping for £3.50 a week.",
        "categories": [Category.objects.get(name="Food").pk],
        "area": "Possilpark",
        "address": "1 Saracen Street",
        "postcode": "g22 5dn",
        "phone": "0141 496 0123",
        "email": "hello@pantry.example",
        "website": "pantry.example",
        "how_to_refer": "Drop in on Wednesdays.",
        "opening_notes": "",
    }
    data.update(overrides)
    return data


# Finding a service


@pytest.mark.parametrize("who", ["clp_a", "manager_a", "lead"])
def test_staff_with_a_role_can_search_the_directory(request, as_user, who, resource):
    response = as_user(request.getfixturevalue(who)).get(LIST, {"q": "walking"})
    assert response.status_code == 200
    assert "Tuesday walking group" in _html(response)


def test_a_search_that_matches_nothing_says_so(as_user, clp_a, resource):
    body = _html(as_user(clp_a).get(LIST, {"q": "trampolining"}))
    assert "No services match that search" in body


def test_an_empty_directory_invites_the_first_service(as_user, lead):
    body = _html(as_user(lead).get(LIST))
    assert "The directory is empty" in body and "Add the first service" in body


def test_the_directory_is_paginated(as_user, clp_a, settings):
    settings.LINKS_PAGE_SIZE = 5
    ResourceFactory.create_batch(7)
    first, second = as_user(clp_a).get(LIST), as_user(clp_a).get(LIST, {"page": 2})
    assert len(first.context["page"].object_list) == 5
    assert len(second.context["page"].object_list) == 2
    assert "Page 1 of 2" in _html(first)


def test_inactive_services_are_hidden_unless_a_maintainer_asks(as_user, clp_a, manager_a):
    ResourceFactory(name="Old group", active=False)
    assert "Old group" not in _html(as_user(clp_a).get(LIST))
    assert "Old group" in _html(as_user(clp_a).get(LIST, {"inactive": "1"}))
    assert "Old group" not in _html(as_user(manager_a).get(LIST, {"inactive": "1"}))


def test_a_user_without_a_role_may_not_open_the_directory(as_user, db, resource):
    assert as_user(UserFactory()).get(LIST).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, resource):
    assert client.get(LIST).status_code == 302
    assert client.get(reverse("resources:detail", args=[resource.pk])).status_code == 302


def test_a_service_page_shows_how_to_refer_and_its_counts(as_user, clp_a, resource, referral_a):
    response = as_user(clp_a).get(reverse("resources:detail", args=[resource.pk]))
    body = _html(response)
    assert "Phone the coordinator." in body
    assert response.context["resource"].referral_count == 1
    assert "Refer someone to this service" in body
    # Counts only: no participant on the service's page.
    assert "Alice" not in body and "Anderson" not in body


def test_only_clps_are_offered_to_refer_from_a_service_page(as_user, lead, manager_a, resource):
    url = reverse("resources:detail", args=[resource.pk])
    assert "Refer someone" not in _html(as_user(lead).get(url))
    body = _html(as_user(manager_a).get(url))
    assert "Refer someone" not in body and "Edit" not in body


def test_an_unknown_service_is_404(as_user, clp_a):
    assert as_user(clp_a).get(reverse("resources:detail", args=[999999])).status_code == 404


# Keeping it up to date


@pytest.mark.parametrize("who", ["clp_a", "lead"])
def test_clps_and_programme_leads_add_services(request, as_user, who):
    response = as_user(request.getfixturevalue(who)).post(NEW, _form())
    resource = CommunityResource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("resources:detail", args=[resource.pk])
    assert (resource.postcode, resource.website) == ("G22 5DN", "https://pantry.example")


def test_a_bad_postcode_is_explained_next_to_the_field_and_nothing_typed_is_lost(as_user, clp_a):
    response = as_user(clp_a).post(NEW, _form(postcode="ZZ1"))
    assert response.status_code == 200
    assert "valid UK postcode" in " ".join(response.context["form"].errors["postcode"])
    assert 'value="Possil Pantry"' in _html(response)
    assert not CommunityResource.objects.exists()


def test_a_service_needs_a_category_and_a_way_to_reach_it(as_user, clp_a):
    response = as_user(clp_a).post(
        NEW, _form(categories=[], phone="", email="", website="", address="")
    )
    errors = response.context["form"].errors
    assert errors["categories"] == ["Choose at least one category."]
    assert "at least one way to reach the service" in " ".join(errors["__all__"])


def test_a_practice_manager_may_not_add_or_edit_services(as_user, manager_a, resource):
    c = as_user(manager_a)
    assert c.get(NEW).status_code == 403
    assert c.post(NEW, _form()).status_code == 403
    assert c.post(reverse("resources:edit", args=[resource.pk]), _form()).status_code == 403
    assert c.post(reverse("resources:active", args=[resource.pk])).status_code == 403
    assert CommunityResource.objects.get().active


def test_editing_a_service_saves_and_audits_the_fields_changed(as_user, lead, resource):
    data = _form(
        organisation=resource.organisation,
        name=resource.name,
        categories=[c.pk for c in resource.categories.all()],
        area="Balornock",
    )
    as_user(lead).post(reverse("resources:edit", args=[resource.pk]), data)
    resource.refresh_from_db()
    assert resource.area == "Balornock"
    assert "area" in AuditEvent.objects.get(object_type="communityresource").detail


def test_deactivating_asks_first_and_then_keeps_the_service_out_of_the_directory(
    as_user, clp_a, resource, referral_a
):
    c = as_user(clp_a)
    url = reverse("resources:active", args=[resource.pk])
    confirm = c.get(url)
    assert "Deactivate “Tuesday walking group”?" in _html(confirm)
    assert CommunityResource.objects.get().active
    response = c.post(url, follow=True)
    assert "stays on past referrals" in _html(response)
    assert not CommunityResource.objects.get().active
    assert "Tuesday walking group" not in _html(c.get(LIST))
    # Reactivating is the same action again.
    c.post(url)
    assert CommunityResource.objects.get().active
