import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from audit.models import Action, AuditEvent
from interchange.fhir import CHI_SYSTEM, SNOMED
from referrals.models import ReferralStatus

pytestmark = pytest.mark.django_db

EXPECTED_TASK_STATUS = {
    "Suggested": "draft",
    "Referred": "requested",
    "Engaged": "in-progress",
    "Did not attend": "failed",
    "Closed": "cancelled",
}


def _download(client, ref):
    return client.get(f"/records/{ref}/fhir.json")


def _resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _codes(bundle):
    return {
        coding["code"]
        for entry in bundle["entry"]
        for key in ("code",)
        for coding in entry["resource"].get(key, {}).get("coding", [])
        if coding["system"] == SNOMED
    }


def test_it_gives_the_practices_clp_a_bundle_that_parses_as_fhir(as_user, clp_a, full_record):
    response = _download(as_user(clp_a), full_record.ref)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert "attachment" in response["Content-Disposition"]
    parsed = Bundle.model_validate_json(response.content)
    assert parsed.type == "document"
    assert parsed.entry[0].resource.get_resource_type() == "Composition"


def test_it_carries_the_chi_number_both_codes_a_task_per_referral_and_an_observation_per_score(
    as_user, clp_a, full_record
):
    bundle = json.loads(_download(as_user(clp_a), full_record.ref).content)

    (patient,) = _resources(bundle, "Patient")
    assert patient["identifier"] == [{"system": CHI_SYSTEM, "value": full_record.chi}]
    assert {"871731000000106", "871711000000103"} <= _codes(bundle)
    tasks = _resources(bundle, "Task")
    assert {t["businessStatus"]["text"]: t["status"] for t in tasks} == EXPECTED_TASK_STATUS
    scores = [
        o
        for o in _resources(bundle, "Observation")
        if o["category"][0]["coding"][0]["code"] == "survey"
    ]
    # Baseline: anxiety, depression, exercise; follow-up: anxiety, exercise.
    assert sorted(o["valueInteger"] for o in scores) == [1, 3, 7, 9, 12]


def test_it_sends_uncoded_events_with_their_text(as_user, clp_a, full_record):
    bundle = json.loads(_download(as_user(clp_a), full_record.ref).content)

    task = _resources(bundle, "Task")[0]
    assert "coding" not in task["code"]
    assert task["code"]["text"].startswith("Referral to ")


def test_a_case_still_open_carries_the_referral_code_but_not_the_declined_one(
    as_user, clp_a, participant_a
):
    bundle = json.loads(_download(as_user(clp_a), participant_a.ref).content)

    assert _codes(bundle) == {"871731000000106"}
    Bundle.model_validate(bundle)


def test_a_closed_referral_the_person_reached_is_a_completed_task(as_user, clp_a, participant_a):
    from datetime import date

    from tests.referrals.factories import ReferralFactory

    ReferralFactory(
        participant=participant_a,
        status=ReferralStatus.CLOSED,
        attended_on=date(2024, 3, 5),
        status_on=date(2024, 4, 1),
    )
    bundle = json.loads(_download(as_user(clp_a), participant_a.ref).content)

    assert [t["status"] for t in _resources(bundle, "Task")] == ["completed"]


def test_an_administrator_adds_a_code_and_the_event_is_coded(as_user, clp_a, full_record):
    from interchange.models import SnomedCode

    SnomedCode.objects.create(
        code="123456789", preferred_term="A test term", event="community_referral", source="test"
    )
    bundle = json.loads(_download(as_user(clp_a), full_record.ref).content)

    assert "123456789" in _codes(bundle)


def test_it_leaves_out_notes_and_goals(as_user, clp_a, full_record):
    body = _download(as_user(clp_a), full_record.ref).content.decode()

    assert "Alice private note" not in body
    assert "Nervous about going alone" not in body


def test_every_download_is_audited(as_user, clp_a, full_record):
    _download(as_user(clp_a), full_record.ref)

    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.user, event.participant_ref, event.detail) == (
        clp_a,
        full_record.ref,
        "FHIR bundle",
    )


def test_an_administrator_may_download(as_user, admin_user, full_record):
    assert _download(as_user(admin_user), full_record.ref).status_code == 200


@pytest.mark.parametrize("who", ["clp_b", "manager_a", "lead"])
@pytest.mark.parametrize("what", ["fhir.json", "letter.pdf"])
def test_nobody_else_finds_the_record(request, as_user, full_record, who, what):
    user = request.getfixturevalue(who)

    response = as_user(user).get(f"/records/{full_record.ref}/{what}")

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("what", ["fhir.json", "letter.pdf"])
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, full_record, what):
    response = client.get(f"/records/{full_record.ref}/{what}")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_clp_of_another_practice_cannot_reach_its_own_participants_record_through_a(
    as_user, clp_b, participant_a, participant_b
):
    assert _download(as_user(clp_b), participant_b.ref).status_code == 200
    assert _download(as_user(clp_b), participant_a.ref).status_code == 404
