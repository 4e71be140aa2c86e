"""A participant's record as a FHIR R4 document Bundle in the shapes of the UK Core profiles.

The mapping (README, "Interchange"): Patient with the CHI number; the referral into the
programme as a ServiceRequest; each community referral as a Task whose status follows the
referral lifecycle; each outcome score as an Observation; a declined or discharged case as
an Observation of that event; and a Composition that reads as the standard's "message back
to GP and referrer". Events carry the SNOMED CT codes in `interchange.models.SnomedCode`;
an event without one is sent uncoded, with its text. Free-text notes and goals never leave.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from html import escape
from typing import Any

from django.conf import settings
from django.utils import timezone

from interchange.models import CodedEvent, SnomedCode
from interchange.selectors import ParticipantExport
from participants.models import Assessment, DischargeReason, Sex
from participants.selectors import OUTCOME_MEASURES
from referrals.models import Referral, ReferralStatus

# Scotland's Community Health Index number, by its HL7 OID (the NamingSystem UK
# implementation guides give for the CHI number).
CHI_SYSTEM = "urn:oid:2.16.840.1.113883.2.1.3.2.4.16.53"
SNOMED = "http://snomed.info/sct"
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# Ids made by this system are UUIDs derived from its own keys, so exporting the same record
# twice names every resource the same way.
NAMESPACE = uuid.UUID("6f1c2a8e-4b0d-5c7e-9a3f-1d2e3f405162")

GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.OTHER: "other", Sex.NOT_KNOWN: "unknown"}

# The referral lifecycle (referrals.lifecycle) as FHIR Task statuses: a suggestion is a
# draft; a referral made is requested; the organisation saw the person (accepted) and they
# engaged (in progress); declined and did-not-attend are a rejection and a failure; a closed
# referral completed if the person got there, and was cancelled if not.
TASK_STATUS = {
    ReferralStatus.SUGGESTED: "draft",
    ReferralStatus.REFERRED: "requested",
    ReferralStatus.ATTENDED: "accepted",
    ReferralStatus.ENGAGED: "in-progress",
    ReferralStatus.DECLINED: "rejected",
    ReferralStatus.DID_NOT_ATTEND: "failed",
}


def task_status(referral: Referral) -> str:
    if referral.status == ReferralStatus.CLOSED:
        return "completed" if referral.attended_on else "cancelled"
    return TASK_STATUS[ReferralStatus(referral.status)]


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _ref(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource['id']}"}


def concept(event: str, codes: dict[str, SnomedCode], text: str = "") -> dict[str, Any]:
    """A CodeableConcept for the event: coded when the table has a code, text always."""
    code = codes.get(event)
    label = text or CodedEvent(event).label
    result: dict[str, Any] = {"text": label}
    if code is not None:
        result["coding"] = [{"system": SNOMED, "code": code.code, "display": code.preferred_term}]
    return result


def _narrative(*paragraphs: str) -> dict[str, str]:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p) or "<p>None recorded.</p>"
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def _day(value: date) -> str:
    return value.isoformat()


class _Builder:
    def __init__(self, export: ParticipantExport, now: datetime):
        self.x = export
        self.p = export.participant
        self.now = now
        self.resources: list[dict[str, Any]] = []

    def add(self, resource: dict[str, Any]) -> dict[str, Any]:
        self.resources.append(resource)
        return resource

    def organisation(self) -> dict[str, Any]:
        practice = self.p.practice
        return self.add(
            {
                "resourceType": "Organization",
                "id": _id("practice", practice.pk),
                "meta": {"profile": [UK_CORE + "Organization"]},
                "identifier": [
                    {
                        "system": f"{settings.LINKS_BASE_URL}/fhir/practice-code",
                        "value": practice.code,
                    }
                ],
                "name": practice.name,
            }
        )

    def practitioner(self) -> dict[str, Any]:
        clp = self.p.clp
        return self.add(
            {
                "resourceType": "Practitioner",
                "id": _id("user", clp.pk),
                "meta": {"profile": [UK_CORE + "Practitioner"]},
                "name": [{"text": clp.display_name}],
            }
        )

    def patient(self, organisation: dict[str, Any]) -> dict[str, Any]:
        p = self.p
        patient: dict[str, Any] = {
            "resourceType": "Patient",
            "id": _id("participant", p.pk),
            "meta": {"profile": [UK_CORE + "Patient"]},
            "identifier": [{"system": CHI_SYSTEM, "value": p.chi}],
            "name": [{"use": "official", "family": p.last_name, "given": [p.first_name]}],
            "gender": GENDER[Sex(p.sex)],
            "birthDate": _day(p.date_of_birth),
            "generalPractitioner": [_ref(organisation)],
        }
        if p.postcode:
            patient["address"] = [{"postalCode": p.postcode}]
        return self.add(patient)

    def service_request(self, patient, organisation, practitioner) -> dict[str, Any]:
        p = self.p
        closed = p.status == "closed"
        declined = closed and p.discharge_reason == DischargeReason.WITHDREW
        request: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "id": _id("programme-referral", p.pk),
            "meta": {"profile": [UK_CORE + "ServiceRequest"]},
            "identifier": [
                {"system": f"{settings.LINKS_BASE_URL}/fhir/participant-ref", "value": p.ref}
            ],
            "status": ("revoked" if declined else "completed") if closed else "active",
            "intent": "order",
            "code": concept(CodedEvent.PROGRAMME_REFERRAL, self.x.codes),
            "subject": _ref(patient),
            "authoredOn": _day(p.referred_on),
            "requester": {"display": p.get_referred_by_display()},
            "performer": [_ref(practitioner), _ref(organisation)],
        }
        if p.referral_reason:
            request["reasonCode"] = [{"text": p.referral_reason}]
        return self.add(request)

    def task(self, referral: Referral, patient, request, practitioner) -> dict[str, Any]:
        resource = referral.resource
        task: dict[str, Any] = {
            "resourceType": "Task",
            "id": _id("referral", referral.pk),
            "meta": {"profile": [UK_CORE + "Task"]},
            "basedOn": [_ref(request)],
            "status": task_status(referral),
            "businessStatus": {"text": referral.get_status_display()},
            "intent": "order",
            "code": concept(
                CodedEvent.COMMUNITY_REFERRAL,
                self.x.codes,
                f"Referral to {resource.name} ({resource.organisation})",
            ),
            "for": _ref(patient),
            "authoredOn": _day(referral.date),
            "lastModified": _day(referral.status_on),
            "requester": _ref(practitioner),
            "owner": {"display": resource.organisation},
            "executionPeriod": {"start": _day(referral.date)},
        }
        if referral.status not in (ReferralStatus.SUGGESTED, ReferralStatus.REFERRED):
            task["executionPeriod"]["end"] = _day(referral.status_on)
        if referral.need is not None:
            task["reasonCode"] = {"text": referral.need.name}
        return self.add(task)

    def score(self, assessment: Assessment, field: str, label: str, patient) -> dict[str, Any]:
        return self.add(
            {
                "resourceType": "Observation",
                "id": _id("assessment", assessment.pk, field),
                "meta": {"profile": [UK_CORE + "Observation"]},
                "status": "final",
                "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
                "code": concept(field, self.x.codes, label),
                "subject": _ref(patient),
                "effectiveDateTime": _day(assessment.date),
                "valueInteger": getattr(assessment, field),
                "note": [{"text": assessment.get_timepoint_display()}],
            }
        )

    def ending(self, patient) -> dict[str, Any] | None:
        p = self.p
        if p.status != "closed" or p.closed_on is None:
            return None
        declined = p.discharge_reason == DischargeReason.WITHDREW
        event = CodedEvent.DECLINED if declined else CodedEvent.DISCHARGED
        reason = p.get_discharge_reason_display() or "no reason recorded"
        return self.add(
            {
                "resourceType": "Observation",
                "id": _id("closed", p.pk, _day(p.closed_on)),
                "meta": {"profile": [UK_CORE + "Observation"]},
                "status": "final",
                "category": [
                    {"coding": [{"system": OBSERVATION_CATEGORY, "code": "social-history"}]}
                ],
                "code": concept(event, self.x.codes),
                "subject": _ref(patient),
                "effectiveDateTime": _day(p.closed_on),
                "valueString": reason,
            }
        )

    def build(self) -> dict[str, Any]:
        x, p = self.x, self.p
        organisation = self.organisation()
        practitioner = self.practitioner()
        patient = self.patient(organisation)
        request = self.service_request(patient, organisation, practitioner)
        tasks = [self.task(r, patient, request, practitioner) for r in x.referrals]
        scores = [
            self.score(a, field, label, patient)
            for a in x.assessments
            for field, label, _banded in OUTCOME_MEASURES
            if getattr(a, field) is not None
        ]
        ending = self.ending(patient)
        needs = ", ".join(pn.need.name for pn in x.needs)
        sections: list[dict[str, Any]] = [
            {
                "title": "Referral to social prescribing",
                "code": concept(CodedEvent.PROGRAMME_REFERRAL, x.codes),
                "text": _narrative(
                    f"Referred on {p.referred_on:%d %B %Y} by {p.get_referred_by_display()}.",
                    f"Seen {x.attended_consultations} time(s) by the link worker.",
                ),
                "entry": [_ref(request)],
            },
            {"title": "What matters to the person: needs identified", "text": _narrative(needs)},
            {
                "title": "Referrals to community resources",
                "text": _narrative(
                    *(
                        f"{r.resource.name} ({r.resource.organisation}), {r.date:%d %B %Y}:"
                        f" {r.get_status_display().lower()}."
                        for r in x.referrals
                    )
                ),
                "entry": [_ref(t) for t in tasks],
            },
            {
                "title": "Outcome measures",
                "text": _narrative(
                    *(
                        f"{o['code']['text']}: {o['valueInteger']} "
                        f"({o['note'][0]['text']}, {o['effectiveDateTime']})."
                        for o in scores
                    )
                ),
                "entry": [_ref(o) for o in scores],
            },
        ]
        if ending is not None:
            sections.append(
                {
                    "title": "End of social prescribing",
                    "code": ending["code"],
                    "text": _narrative(
                        f"{ending['code']['text']} on {ending['effectiveDateTime']}: "
                        f"{ending['valueString']}."
                    ),
                    "entry": [_ref(ending)],
                }
            )
        for section in sections:
            # Every section has its narrative; an empty list of entries is not allowed.
            if not section.get("entry"):
                section.pop("entry", None)
        composition = {
            "resourceType": "Composition",
            "id": _id("composition", p.pk, self.now.isoformat()),
            "meta": {"profile": [UK_CORE + "Composition"]},
            "status": "final",
            "type": {"text": "Message back to GP and referrer"},
            "subject": _ref(patient),
            "date": self.now.isoformat(),
            "author": [_ref(practitioner), _ref(organisation)],
            "title": "Social prescribing: message back to GP and referrer",
            "section": sections,
        }
        entries = [composition, *self.resources]
        bundle_id = _id("bundle", p.pk, self.now.isoformat())
        return {
            "resourceType": "Bundle",
            "id": bundle_id,
            "meta": {"profile": [UK_CORE + "Bundle"]},
            "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"},
            "type": "document",
            "timestamp": self.now.isoformat(),
            "entry": [
                {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
                for resource in entries
            ],
        }


def participant_bundle(export: ParticipantExport, *, now: datetime | None = None) -> dict[str, Any]:
    """The document Bundle for one participant, as JSON-ready data."""
    return _Builder(export, now or timezone.now()).build()
