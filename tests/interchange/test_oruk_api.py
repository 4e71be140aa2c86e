"""The public directory API, validated against the HSDS 3.0 schemas kept in hsds/."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012 as _SPEC

from referrals.models import CommunityResource
from tests.referrals.factories import ResourceFactory

pytestmark = pytest.mark.django_db

HSDS = Path(__file__).parent / "hsds"
COMPILED = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/compiled/"


def _registry() -> Registry:
    resources = []
    for path in HSDS.glob("*.json"):
        contents = json.loads(path.read_text())
        resource = Resource.from_contents(contents, default_specification=_SPEC)
        resources.append((path.name, resource))
        if path.name == "compiled_service_list.json":
            resources.append((COMPILED + "service_list.json", resource))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def _validate(instance, ref: str) -> None:
    Draft202012Validator({"$ref": ref}, registry=REGISTRY).validate(instance)


def _validate_page(body) -> None:
    _validate(
        body, "openapi.json#/paths/~1services/get/responses/200/content/application~1json/schema"
    )
    for service in body["contents"]:
        _validate(service, "compiled_service_list.json")


def test_the_service_metadata_endpoint_answers_the_api_description(client):
    body = client.get("/api/oruk/").json()

    _validate(body, "openapi.json#/paths/~1/get/responses/200/content/application~1json/schema")
    assert body["version"] == "3.0"


def test_an_empty_directory_is_one_empty_page(client):
    body = client.get("/api/oruk/services").json()

    _validate_page(body)
    assert (body["total_items"], body["size"], body["empty"], body["contents"]) == (0, 0, True, [])


def test_a_small_directory_fits_one_page(client):
    ResourceFactory.create_batch(3)

    body = client.get("/api/oruk/services").json()

    _validate_page(body)
    assert (body["total_items"], body["total_pages"], body["size"]) == (3, 1, 3)
    assert body["first_page"] and body["last_page"] and not body["empty"]


def test_a_larger_directory_pages_through_every_service_once(client):
    ResourceFactory.create_batch(7)
    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/api/oruk/services?page={page}&per_page=3").json()
        _validate_page(body)
        assert (body["page_number"], body["total_pages"], body["total_items"]) == (page, 3, 7)
        assert body["first_page"] == (page == 1)
        assert body["last_page"] == (page == 3)
        seen += [s["id"] for s in body["contents"]]

    assert len(seen) == len(set(seen)) == 7


def test_the_full_list_carries_nested_services_that_validate(client):
    ResourceFactory.create_batch(2, categories=["Physical activity", "Social groups"])

    body = client.get("/api/oruk/services?full=true").json()

    _validate_page(body)
    for service in body["contents"]:
        _validate(service, "service.json")
        assert {a["taxonomy_term"]["name"] for a in service["attributes"]} == {
            "Physical activity",
            "Social groups",
        }


def test_one_service_validates_against_the_service_schema(client):
    resource = ResourceFactory(address="1 Main Street\nSpringburn", website="https://example.org")
    listed = client.get("/api/oruk/services").json()["contents"][0]

    body = client.get(f"/api/oruk/services/{listed['id']}").json()

    _validate(body, "service.json")
    assert body["name"] == resource.name
    assert body["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "G21 1AA"


def test_inactive_services_are_not_published(client):
    inactive = ResourceFactory(active=False)
    listed_id = "6c696e6b-7300-4000-8000-" + f"{inactive.pk:012x}"

    assert client.get("/api/oruk/services").json()["total_items"] == 0
    assert client.get(f"/api/oruk/services/{listed_id}").status_code == 404


def test_an_unknown_service_is_a_404(client):
    assert client.get("/api/oruk/services/not-a-service").status_code == 404


def test_only_public_fields_leave(client, full_record):
    """A service that people were referred to says nothing about them or the staff."""
    body = client.get("/api/oruk/services?full=true&per_page=200").content.decode()

    assert full_record.first_name not in body
    assert "Nervous about going alone" not in body
    creators = CommunityResource.objects.values_list("created_by__username", flat=True)
    assert not any(f'"{name}"' in body for name in creators)


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=-1", "per_page=abc"])
def test_bad_paging_is_a_clear_400(client, query):
    response = client.get(f"/api/oruk/services?{query}")

    assert response.status_code == 400
    assert "page" in response.json()["error"]


def test_any_site_may_read_it_but_nobody_may_write(client):
    response = client.get("/api/oruk/services")
    assert response["Access-Control-Allow-Origin"] == "*"

    preflight = client.options("/api/oruk/services")
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]

    assert client.post("/api/oruk/services").status_code == 405


def test_it_is_rate_limited_per_address(client, settings):
    settings.LINKS_ORUK_RATE_LIMIT = 3

    answers = [client.get("/api/oruk/services").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_the_list_costs_the_same_queries_whatever_its_length(client, django_assert_num_queries):
    """The public list must not grow a query per service (it is open to anyone)."""
    ResourceFactory.create_batch(2)
    with django_assert_num_queries(3):
        client.get("/api/oruk/services?full=true")
    ResourceFactory.create_batch(8)
    with django_assert_num_queries(3):
        client.get("/api/oruk/services?full=true")
