"""Loading services from another Open Referral UK (HSDS 3.0) feed into the directory:
matched on the feed's service id, checked whole, then written in one transaction or not at
all, with every problem reported as `file:item: field: message` as the CSV import does."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from exchange.reading import Problems
from interchange.oruk import pk_from_own_id
from participants.postcodes import normalise_postcode
from referrals.models import Category, CommunityResource

# Fields of a resource an import writes, and the HSDS field each comes from (for messages).
FIELD_SOURCES = {
    "name": "name",
    "organisation": "organization.name",
    "description": "description",
    "how_to_refer": "application_process",
    "area": "service_areas",
    "address": "service_at_locations",
    "postcode": "service_at_locations",
    "phone": "phones",
    "email": "email",
    "website": "url",
    "opening_notes": "schedules",
    "active": "status",
}
NO_APPLICATION_PROCESS = "Not given in the directory this service was imported from."


@dataclass
class OrukImportResult:
    problems: list[str]
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    unknown_terms: set[str] = field(default_factory=set)


def _services_in(document: Any) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        return document["contents"]
    if isinstance(document, dict) and "id" in document:
        return [document]
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _values(service: dict[str, Any]) -> dict[str, Any]:
    """The resource's fields from one HSDS service."""
    organisation = service.get("organization") or {}
    areas = [a for a in service.get("service_areas") or [] if isinstance(a, dict)]
    addresses = [
        address
        for sal in service.get("service_at_locations") or []
        if isinstance(sal, dict)
        for address in ((sal.get("location") or {}).get("addresses") or [])
        if isinstance(address, dict)
    ]
    address = addresses[0] if addresses else {}
    area = _text(areas[0].get("name")) if areas else ""
    lines = [_text(address.get("address_1")), _text(address.get("address_2"))]
    phones = [p for p in service.get("phones") or [] if isinstance(p, dict)]
    schedules = [s for s in service.get("schedules") or [] if isinstance(s, dict)]
    return {
        "name": _text(service.get("name")),
        "organisation": _text(organisation.get("name")) if isinstance(organisation, dict) else "",
        "description": _text(service.get("description")),
        "how_to_refer": _text(service.get("application_process")) or NO_APPLICATION_PROCESS,
        "area": area or _text(address.get("city")),
        "address": "\n".join(line for line in lines if line),
        "postcode": _text(address.get("postal_code")),
        "phone": _text(phones[0].get("number")) if phones else "",
        "email": _text(service.get("email")),
        "website": _text(service.get("url")),
        "opening_notes": "\n".join(
            _text(s.get("description")) for s in schedules if _text(s.get("description"))
        ),
        "active": service.get("status") == "active",
    }


def _terms(service: dict[str, Any]) -> list[str]:
    return [
        _text((attribute.get("taxonomy_term") or {}).get("name"))
        for attribute in service.get("attributes") or []
        if isinstance(attribute, dict) and isinstance(attribute.get("taxonomy_term"), dict)
    ]


def oruk_import(
    *, sources: dict[str, bytes], user: User, dry_run: bool = False
) -> OrukImportResult:
    """Check every service in `sources` (file name → JSON bytes); when nothing is wrong and
    this is not a dry run, write them all in one transaction."""
    problems = Problems()
    result = OrukImportResult(problems=[])
    existing = list(CommunityResource.objects.prefetch_related("categories"))
    by_feed_id = {r.external_id: r for r in existing if r.external_id}
    by_pk = {r.pk: r for r in existing}
    categories = {c.name.casefold(): c for c in Category.objects.all()}
    seen: dict[str, str] = {}
    planned: list[tuple[CommunityResource, list[Category], bool]] = []

    for name, raw in sources.items():
        try:
            document = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            problems.add(name, 1, "file", "is not UTF-8 JSON.")
            continue
        services = _services_in(document)
        if services is None:
            problems.add(name, 1, "file", "holds neither a service, a list of services nor a page.")
            continue
        for position, service in enumerate(services, start=1):
            if not isinstance(service, dict):
                problems.add(name, position, "service", "is not an object.")
                continue
            feed_id = _text(service.get("id"))
            if not feed_id:
                problems.add(name, position, "id", "is missing: services are matched on it.")
                continue
            if feed_id in seen:
                problems.add(name, position, "id", f"appears twice (also in {seen[feed_id]}).")
                continue
            seen[feed_id] = f"{name}:{position}"
            own_pk = pk_from_own_id(feed_id)
            resource = by_feed_id.get(feed_id) or (by_pk.get(own_pk) if own_pk else None)
            creating = resource is None
            if resource is None:
                resource = CommunityResource(external_id=feed_id, created_by=user)
            elif not resource.external_id and own_pk is None:
                resource.external_id = feed_id
            values = _values(service)
            if values["postcode"]:
                try:
                    values["postcode"] = normalise_postcode(values["postcode"])
                except ValidationError:
                    problems.add(
                        name, position, "service_at_locations", "postal_code is not a UK postcode."
                    )
                    continue
            before = {key: getattr(resource, key) for key in values}
            for key, value in values.items():
                setattr(resource, key, value)
            try:
                resource.full_clean(exclude=["created_by"], validate_unique=False)
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    column = FIELD_SOURCES.get(key, key)
                    for message in messages:
                        problems.add(name, position, column, message)
                continue
            wanted = []
            for term in _terms(service):
                category = categories.get(term.casefold())
                if category is None:
                    result.unknown_terms.add(term)
                elif category not in wanted:
                    wanted.append(category)
            had = set() if creating else {c.pk for c in resource.categories.all()}
            same = not creating and before == values and had == {c.pk for c in wanted}
            if creating:
                result.new += 1
            elif same:
                result.unchanged += 1
            else:
                result.changed += 1
            if not same:
                planned.append((resource, wanted, creating))

    clashes = _name_clashes(planned, existing)
    for message in clashes:
        problems.add("feed", 0, "name", message)
    result.problems = problems.lines()
    if result.problems or dry_run:
        return result
    with transaction.atomic():
        for resource, wanted, _creating in planned:
            resource.save()
            resource.categories.set(wanted)
        audit_record(
            request=None,
            user=user,
            action=Action.UPDATE,
            detail=(
                f"Open Referral import: {result.new} new, {result.changed} changed, "
                f"{result.unchanged} unchanged services"
            ),
        )
    return result


def _name_clashes(
    planned: list[tuple[CommunityResource, list[Category], bool]],
    existing: list[CommunityResource],
) -> list[str]:
    """One organisation cannot have two services of one name (a database constraint): say
    so before writing, naming the feed id."""

    def key(r: CommunityResource) -> tuple[str, str]:
        return (r.organisation.casefold(), r.name.casefold())

    moving = {r.pk for r, _, _ in planned if r.pk is not None}
    taken = {key(r): f"pk:{r.pk}" for r in existing if r.pk not in moving}
    messages = []
    for r, _, _ in planned:
        identity = f"pk:{r.pk}" if r.pk is not None else f"feed:{r.external_id}"
        if taken.get(key(r), identity) != identity:
            messages.append(
                f"service {r.external_id or r.pk}: this organisation already has a service "
                "of this name in the directory."
            )
        taken[key(r)] = identity
    return messages
