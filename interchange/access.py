"""Who may take a participant's record out of the system as FHIR or as a letter to the GP,
built on the roles primitive and the participants' access: the CLPs of the participant's
practice and administrators. Anyone else, a practice manager included, gets a 404, as for
any record outside their scope."""

from __future__ import annotations

from django.db.models import QuerySet

from participants.access import get_participant_for, participants_editable_by
from participants.models import Participant
from practices.roles import AnyUser, roles_of


def participants_exportable_by(user: AnyUser) -> QuerySet[Participant]:
    if roles_of(user).administrator:
        return Participant.objects.all()
    return participants_editable_by(user)


def get_participant_for_export(user: AnyUser, ref: str) -> Participant:
    """The participant, through the export scope; anything else is a 404."""
    return get_participant_for(user, ref, queryset=participants_exportable_by(user))


def can_export_participant(user: AnyUser, participant: Participant) -> bool:
    return participants_exportable_by(user).filter(pk=participant.pk).exists()


def can_export_practice_records(user: AnyUser) -> bool:
    """A practice's records in bulk: administrators only, as for the programme export."""
    return roles_of(user).administrator
