"""Who may see safeguarding concerns: need-to-know, narrower than the participant's record.

- The CLP who raised a concern, while they are a CLP of its practice.
- The practice's safeguarding leads (`SafeguardingLead`).
- Administrators.

Nobody else: not the practice's other CLPs (unless they are its lead), not practice
managers, never the programme lead. Managers and programme leads get counts only
(`concerns_in_aggregate_scope`), which are shown with disclosure control. A concern outside
a user's scope is absent from `concerns_visible_to`, so it answers 404.
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from practices.access import practice_ids_in_aggregate_scope
from practices.roles import AnyUser, roles_of
from safeguarding.models import Concern, SafeguardingLead


def lead_practice_ids(user: AnyUser) -> frozenset[int]:
    """The practices this user is a safeguarding lead for; read once per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_links_lead_practices", None)
    if cached is not None:
        return cached
    ids = frozenset(
        SafeguardingLead.objects.filter(user_id=user.pk).values_list("practice_id", flat=True)
    )
    user._links_lead_practices = ids  # type: ignore[attr-defined]
    return ids


def concerns_visible_to(user: AnyUser) -> QuerySet[Concern]:
    roles = roles_of(user)
    if roles.administrator:
        return Concern.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return Concern.objects.none()
    return Concern.objects.filter(
        Q(raised_by_id=user.pk, practice_id__in=roles.clp_practice_ids)
        | Q(practice_id__in=lead_practice_ids(user))
    )


def concerns_in_aggregate_scope(user: AnyUser) -> QuerySet[Concern]:
    """Concerns that may be counted (never listed) for this user's figures."""
    practice_ids = practice_ids_in_aggregate_scope(user)
    if practice_ids is None:
        return Concern.objects.all()
    return Concern.objects.filter(practice_id__in=practice_ids)


def sees_concern_list(user: AnyUser) -> bool:
    """The list of concerns is for those who can have any: CLPs, leads, administrators."""
    roles = roles_of(user)
    return roles.administrator or roles.is_clp or bool(lead_practice_ids(user))


def can_close_concern(user: AnyUser, concern: Concern) -> bool:
    """Leads decide a concern is dealt with; the CLP who raised it adds actions."""
    return roles_of(user).administrator or concern.practice_id in lead_practice_ids(user)


def get_concern_for(user: AnyUser, public_id: UUID) -> Concern:
    try:
        return (
            concerns_visible_to(user)
            .select_related("participant", "practice", "raised_by", "closed_by")
            .get(public_id=public_id)
        )
    except Concern.DoesNotExist:
        raise Http404("No such concern.") from None
