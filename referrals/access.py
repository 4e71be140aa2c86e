"""Who may see and change which referrals, and who may use the directory, built on the
roles primitive (`practices.roles`) and the participants' scope."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from participants.access import can_read_notes
from practices.access import practice_ids_in_aggregate_scope
from practices.roles import AnyUser, roles_of
from referrals.models import Referral


def can_view_resources(user: AnyUser) -> bool:
    return roles_of(user).sees_directory


def can_maintain_resources(user: AnyUser) -> bool:
    return roles_of(user).maintains_directory


def referrals_visible_to(user: AnyUser) -> QuerySet[Referral]:
    """Referral rows the user may open: those of participants in their practices (read-only
    for practice managers). Programme leads get none: aggregates only."""
    roles = roles_of(user)
    if roles.administrator:
        return Referral.objects.all()
    return referrals_of_practices(roles.practice_ids)


def referrals_of_practices(practice_ids: Iterable[int]) -> QuerySet[Referral]:
    """The referrals of participants in these practices: the scope of a user who is not an
    administrator (`referrals_visible_to`), for a query built once for many users."""
    # The referral's own practice column (kept in step with the participant's by the
    # database) puts the scope on this table, where the list's index can use it.
    return Referral.objects.filter(practice_id__in=practice_ids)


def referrals_editable_by(user: AnyUser) -> QuerySet[Referral]:
    """Referrals the user may change: those of participants in their CLP practices."""
    return Referral.objects.filter(practice_id__in=roles_of(user).clp_practice_ids)


def referrals_in_aggregate_scope(user: AnyUser) -> QuerySet[Referral]:
    """Referrals that may be counted (never listed) for this user's figures: the same
    practices as `participants_in_aggregate_scope`, read from the referral's own practice
    column, so the whole programme is no condition at all rather than a semi-join through
    every participant."""
    practice_ids = practice_ids_in_aggregate_scope(user)
    if practice_ids is None:
        return Referral.objects.all()
    return Referral.objects.filter(practice_id__in=practice_ids)


def can_read_referral_notes(user: AnyUser, referral: Referral) -> bool:
    """The CLP's note, and free text from the organisation, follow the participant's notes."""
    return can_read_notes(user, referral.participant)


def get_referral_for(
    user: AnyUser, pk: int, *, queryset: QuerySet[Referral] | None = None
) -> Referral:
    """Load one referral through the user's scope; anything else is a 404."""
    qs = queryset if queryset is not None else referrals_visible_to(user)
    try:
        return qs.select_related("participant__practice", "resource", "need", "clp").get(pk=pk)
    except Referral.DoesNotExist:
        raise Http404("No such referral.") from None
