import json

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from referrals.models import CommunityResource
from tests.referrals.factories import ResourceFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "organisation",
    "name",
    "description",
    "how_to_refer",
    "area",
    "address",
    "postcode",
    "phone",
    "email",
    "website",
    "opening_notes",
    "active",
]


def _snapshot():
    return sorted(
        (
            *(getattr(r, f) for f in FIELDS),
            tuple(sorted(c.name for c in r.categories.all())),
        )
        for r in CommunityResource.objects.prefetch_related("categories")
    )


def _export_feed(client, directory, per_page=2):
    page, pages = 1, 1
    while page <= pages:
        body = client.get(f"/api/oruk/services?full=true&per_page={per_page}&page={page}").json()
        (directory / f"page-{page}.json").write_text(json.dumps(body))
        pages = body["total_pages"]
        page += 1


def _service(**overrides):
    service = {
        "id": "9a1f1c1e-0000-4000-8000-000000000001",
        "name": "Benefits advice",
        "description": "Help with benefit claims.",
        "status": "active",
        "application_process": "Phone us.",
        "organization": {"id": "o1", "name": "Council Advice", "description": ""},
        "service_areas": [{"id": "a1", "name": "Govan"}],
        "phones": [{"id": "p1", "number": "0141 496 0001"}],
        "attributes": [
            {"id": "t1", "taxonomy_term": {"id": "x", "name": "money advice", "description": ""}},
            {"id": "t2", "taxonomy_term": {"id": "y", "name": "Unknown here", "description": ""}},
        ],
    }
    service.update(overrides)
    return service


def test_a_feed_this_instance_exported_imports_into_an_empty_directory_as_the_same_services(
    client, lead, tmp_path
):
    ResourceFactory(
        address="1 Main Street\nSpringburn",
        website="https://example.org/walks",
        email="walks@example.org",
        opening_notes="Tuesdays 10am",
        categories=["Physical activity", "Social groups"],
    )
    ResourceFactory.create_batch(4, categories=["Money advice"])
    before = _snapshot()
    ids_before = sorted(
        s["id"] for s in client.get("/api/oruk/services?per_page=50").json()["contents"]
    )
    _export_feed(client, tmp_path)
    CommunityResource.objects.all().delete()

    call_command("import_oruk", str(tmp_path), user=lead.username)

    assert _snapshot() == before
    ids_after = sorted(
        s["id"] for s in client.get("/api/oruk/services?per_page=50").json()["contents"]
    )
    assert ids_after == ids_before


def test_importing_the_same_feed_again_changes_nothing(client, lead, tmp_path, capsys):
    ResourceFactory.create_batch(3)
    _export_feed(client, tmp_path)

    call_command("import_oruk", str(tmp_path), user=lead.username)

    assert "0 new, 0 changed, 3 unchanged" in capsys.readouterr().out


def test_it_matches_on_the_feeds_service_id(lead, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([_service()]))
    call_command("import_oruk", str(feed), user=lead.username)
    feed.write_text(json.dumps({"contents": [_service(name="Benefits and debt advice")]}))

    call_command("import_oruk", str(feed), user=lead.username)

    resource = CommunityResource.objects.get()
    assert resource.name == "Benefits and debt advice"
    assert resource.external_id == "9a1f1c1e-0000-4000-8000-000000000001"
    assert [c.name for c in resource.categories.all()] == ["Money advice"]
    assert resource.created_by == lead


def test_one_bad_service_leaves_the_directory_untouched_and_names_every_problem(
    lead, tmp_path, capsys
):
    existing = ResourceFactory(name="Kept as it was")
    feed = tmp_path / "feed.json"
    feed.write_text(
        json.dumps(
            [
                _service(),
                _service(id="s2", description="", email="not an email"),
                _service(id="s3", service_areas=[]),
                {"name": "no id"},
            ]
        )
    )

    with pytest.raises(CommandError, match="4 problems found: nothing was imported"):
        call_command("import_oruk", str(feed), user=lead.username)

    err = capsys.readouterr().err
    assert "feed.json:2: description:" in err
    assert "feed.json:2: email:" in err
    assert "feed.json:3: service_areas:" in err
    assert "feed.json:4: id: is missing" in err
    assert list(CommunityResource.objects.all()) == [existing]
    assert not AuditEvent.objects.filter(detail__startswith="Open Referral import").exists()


def test_a_file_that_is_not_json_is_refused(lead, tmp_path):
    (tmp_path / "feed.json").write_bytes(b"\xff not json")

    with pytest.raises(CommandError, match="1 problem found"):
        call_command("import_oruk", str(tmp_path), user=lead.username)


def test_only_programme_leads_and_administrators_may_import(clp_a, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([_service()]))

    with pytest.raises(CommandError, match="not an active programme lead"):
        call_command("import_oruk", str(feed), user=clp_a.username)
    assert not CommunityResource.objects.exists()


def test_the_import_is_audited(lead, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([_service()]))

    call_command("import_oruk", str(feed), user=lead.username)

    assert AuditEvent.objects.get(user=lead).detail.startswith("Open Referral import: 1 new")
