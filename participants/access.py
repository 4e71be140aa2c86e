"""Who may see and change which participants, built on the roles primitive
(`practices.roles`). Every queryset of participant data starts from one of these; a record
outside the user's scope is absent, so views that load through them answer 404."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from accounts.prepared import Prepared
from participants.models import FollowUp, Participant, RiskFlag
from practices.access import practice_ids_in_aggregate_scope
from practices.roles import AnyUser, roles_of


def participants_visible_to(user: AnyUser) -> QuerySet[Participant]:
    """Participant rows the user may open. Programme leads get none: aggregates only."""
    roles = roles_of(user)
    if roles.administrator:
        return Participant.objects.all()
    return participants_of_practices(roles.practice_ids)


def participants_of_practices(practice_ids: Iterable[int]) -> QuerySet[Participant]:
    """The participants of these practices: the scope of a user who is not an administrator
    (`participants_visible_to`), for a query built once for many users."""
    return Participant.objects.filter(practice_id__in=practice_ids)


# One participant by reference in a user's practices, built and compiled once per process:
# every page of a participant starts with it.
_participant_in = Prepared(
    lambda practice_ids, ref: (
        participants_of_practices(practice_ids).select_related("practice", "clp").filter(ref=ref)
    )
)


def followup_practice_ids(user: AnyUser) -> frozenset[int] | None:
    """The practices whose follow-ups the user may open, by the practice each follow-up
    carries; None: every practice (an administrator). For a query built once for many
    users; `followups_visible_to` is the same scope as a queryset."""
    roles = roles_of(user)
    return None if roles.administrator else roles.practice_ids


def followups_visible_to(user: AnyUser) -> QuerySet[FollowUp]:
    """The follow-ups of the participants the user may open (`participants_visible_to`),
    by the practice each follow-up carries (the participant's, kept by the database)."""
    ids = followup_practice_ids(user)
    return FollowUp.objects.all() if ids is None else FollowUp.objects.filter(practice_id__in=ids)


def followup_shown_to(user: AnyUser, follow_up: FollowUp) -> bool:
    """Whether a follow-up read through `followups_visible_to` (by its copy of the
    participant's practice) may show its participant to the user by the participant's own
    practice too: the rows a page shows carry names, so they are held to both. The
    participant must be loaded with the follow-up (`select_related`)."""
    roles = roles_of(user)
    return roles.administrator or follow_up.participant.practice_id in roles.practice_ids


def participants_editable_by(user: AnyUser) -> QuerySet[Participant]:
    """Participants whose records the user may change: those of their CLP practices."""
    return Participant.objects.filter(practice_id__in=roles_of(user).clp_practice_ids)


def participants_in_aggregate_scope(user: AnyUser) -> QuerySet[Participant]:
    """Participants whose records may be counted (never listed) for this user's figures."""
    practice_ids = practice_ids_in_aggregate_scope(user)
    if practice_ids is None:
        return Participant.objects.all()
    return Participant.objects.filter(practice_id__in=practice_ids)


def can_read_notes(user: AnyUser, participant: Participant) -> bool:
    """Free-text notes and goals are for the CLPs of the participant's practice."""
    roles = roles_of(user)
    return roles.administrator or participant.practice_id in roles.clp_practice_ids


def can_edit_participant(user: AnyUser, participant: Participant) -> bool:
    return participant.practice_id in roles_of(user).clp_practice_ids


def risk_flags_visible_to(user: AnyUser) -> QuerySet[RiskFlag]:
    """Risk flags are for everyone who may open the participant: the staff who meet them
    need the warning. Their reasons are not: see `can_read_flag_reasons`."""
    return RiskFlag.objects.filter(participant__in=participants_visible_to(user))


def can_read_flag_reasons(user: AnyUser, participant: Participant) -> bool:
    """Practice managers see that a flag exists and its kind; why it was set is for the CLPs
    of the participant's practice, as their notes are."""
    return can_read_notes(user, participant)


def can_manage_flags(user: AnyUser, participant: Participant) -> bool:
    """CLPs of the participant's practice set and end flags."""
    return can_edit_participant(user, participant)


def get_participant_for(
    user: AnyUser, ref: str, *, queryset: QuerySet[Participant] | None = None
) -> Participant:
    """Load one participant through the user's scope; anything else is a 404."""
    roles = roles_of(user)
    if queryset is None and not roles.administrator:
        found = _participant_in(list(roles.practice_ids), ref) if roles.practice_ids else []
        if not found:
            raise Http404("No such participant.")
        return found[0]
    qs = queryset if queryset is not None else participants_visible_to(user)
    try:
        return qs.select_related("practice", "clp").get(ref=ref)
    except Participant.DoesNotExist:
        raise Http404("No such participant.") from None
