"""What the FHIR record and the GP letter read about one participant: a fixed number of
queries whatever the length of the record."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from interchange.models import SnomedCode
from interchange.oruk import pk_from_own_id
from participants.models import Assessment, Participant, ParticipantNeed, Timepoint
from referrals.models import CommunityResource, Referral


@dataclass
class ParticipantExport:
    participant: Participant
    needs: list[ParticipantNeed]
    referrals: list[Referral]
    assessments: list[Assessment]
    attended_consultations: int
    codes: dict[str, SnomedCode]

    def assessment(self, timepoint: str) -> Assessment | None:
        return next((a for a in self.assessments if a.timepoint == timepoint), None)

    @property
    def baseline(self) -> Assessment | None:
        return self.assessment(Timepoint.BASELINE)

    @property
    def follow_up(self) -> Assessment | None:
        return self.assessment(Timepoint.FOLLOW_UP)


def codes_by_event() -> dict[str, SnomedCode]:
    return {code.event: code for code in SnomedCode.objects.all()}


def participant_export(
    *, participant: Participant, codes: dict[str, SnomedCode] | None = None
) -> ParticipantExport:
    """`participant` must come from an access queryset (interchange.access)."""
    return ParticipantExport(
        participant=participant,
        needs=list(participant.needs.select_related("need").order_by("identified_on", "id")),
        referrals=list(
            Referral.objects.filter(participant=participant)
            .select_related("resource", "need")
            .order_by("date", "id")
        ),
        assessments=list(participant.assessments.order_by("date", "id")),
        attended_consultations=participant.consultations.filter(attended=True).count(),
        codes=codes if codes is not None else codes_by_event(),
    )


def active_services(*, full: bool = False) -> QuerySet[CommunityResource]:
    """The directory as published: active services only, in a stable order."""
    qs = CommunityResource.objects.filter(active=True).order_by("organisation", "name", "id")
    return qs.prefetch_related("categories") if full else qs


def find_active_service(service_id: str) -> CommunityResource | None:
    qs = active_services(full=True)
    own_pk = pk_from_own_id(service_id)
    if own_pk is not None:
        return qs.filter(pk=own_pk, external_id="").first()
    return qs.filter(external_id=service_id).first() if service_id else None
