"""The community-resource directory in Open Referral UK shapes (HSDS 3.0, UK profile), and
back: services out for the public API, services in from another ORUK feed.

Only public fields of a service leave: nothing about referrals, participants or staff."""

from __future__ import annotations

import uuid
from typing import Any

from referrals.models import CommunityResource

HSDS_VERSION = "3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
PROFILE_URL = "https://openreferraluk.org/"
CATEGORY_TAXONOMY = "Links community resource categories"
# Services added here have no feed id of their own: they are published under an id made
# from their primary key in UUID form (this prefix, then the key in hex), which the detail
# endpoint can read back. An imported service keeps the id of the feed it came from.
OWN_ID_PREFIX = "6c696e6b-7300-4000-8000-"
NAMESPACE = uuid.UUID("1b7e9c55-2f4a-5d3b-8c61-7a9e0f2d4c18")


def own_id(pk: int) -> str:
    return f"{OWN_ID_PREFIX}{pk:012x}"


def pk_from_own_id(value: str) -> int | None:
    if not value.startswith(OWN_ID_PREFIX):
        return None
    try:
        return int(value[len(OWN_ID_PREFIX) :], 16)
    except ValueError:
        return None


def service_id(resource: CommunityResource) -> str:
    return resource.external_id or own_id(resource.pk)


def _sub_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def organization_id(name: str) -> str:
    return _sub_id("organization", name)


def service_summary(resource: CommunityResource) -> dict[str, Any]:
    """The service's one-to-one fields (HSDS `service_list`), as the list endpoint gives."""
    sid = service_id(resource)
    data: dict[str, Any] = {
        "id": sid,
        "organization_id": organization_id(resource.organisation),
        "name": resource.name,
        "description": resource.description,
        "status": "active" if resource.active else "inactive",
        "application_process": resource.how_to_refer,
        "last_modified": resource.updated_at.isoformat(),
        "organization": {
            "id": organization_id(resource.organisation),
            "name": resource.organisation,
            "description": "",
        },
    }
    if resource.website:
        data["url"] = resource.website
    if resource.email:
        data["email"] = resource.email
    return data


def service_full(resource: CommunityResource) -> dict[str, Any]:
    """The service with its related data (HSDS `service`): phones, area, location,
    opening notes and categories. Categories must be prefetched."""
    sid = service_id(resource)
    data = service_summary(resource)
    data["phones"] = (
        [{"id": _sub_id(sid, "phone"), "service_id": sid, "number": resource.phone}]
        if resource.phone
        else []
    )
    data["service_areas"] = [{"id": _sub_id(sid, "area"), "service_id": sid, "name": resource.area}]
    data["schedules"] = (
        [{"id": _sub_id(sid, "schedule"), "service_id": sid, "description": resource.opening_notes}]
        if resource.opening_notes
        else []
    )
    locations = []
    if resource.address or resource.postcode:
        first, _, rest = resource.address.partition("\n")
        location_id = _sub_id(sid, "location")
        address: dict[str, Any] = {
            "id": _sub_id(sid, "address"),
            "location_id": location_id,
            "address_1": first,
            "city": resource.area,
            "state_province": "",
            "postal_code": resource.postcode,
            "country": "GB",
            "address_type": "physical",
        }
        if rest:
            address["address_2"] = rest
        locations.append(
            {
                "id": _sub_id(sid, "service-at-location"),
                "service_id": sid,
                "location": {
                    "id": location_id,
                    "location_type": "physical",
                    "addresses": [address],
                },
            }
        )
    data["service_at_locations"] = locations
    data["attributes"] = [
        {
            "id": _sub_id(sid, "category", category.pk),
            "link_id": sid,
            "link_type": "service",
            "link_entity": "service",
            "taxonomy_term_id": _sub_id("category", category.name),
            "taxonomy_term": {
                "id": _sub_id("category", category.name),
                "name": category.name,
                "description": category.name,
                "taxonomy": CATEGORY_TAXONOMY,
            },
        }
        for category in resource.categories.all()
    ]
    return data


def page_of(*, items: list[dict[str, Any]], total: int, page: int, per_page: int) -> dict[str, Any]:
    """HSDS 3.0's paging metadata (the OpenAPI `Page`) around a page of services."""
    total_pages = (total + per_page - 1) // per_page
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": total == 0,
        "contents": items,
    }


def api_metadata() -> dict[str, str]:
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}
