"""Reading safeguarding concerns, from the scopes in `safeguarding.access`."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet

from accounts.models import User
from accounts.prepared import Prepared
from practices.access import practice_ids_in_aggregate_scope
from safeguarding.access import concerns_in_aggregate_scope, concerns_visible_to
from safeguarding.models import (
    Concern,
    ConcernAction,
    ConcernCategory,
    ConcernStatus,
    SafeguardingLead,
)


def concern_list(*, user: User, status: str = "") -> QuerySet[Concern]:
    qs = concerns_visible_to(user).select_related("participant", "practice", "raised_by")
    if status in ConcernStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-status", "-created_at", "-id")


def practice_has_leads(*, practice_id: int) -> bool:
    return SafeguardingLead.objects.filter(practice_id=practice_id, user__is_active=True).exists()


def concern_actions(*, concern: Concern) -> QuerySet[ConcernAction]:
    return concern.actions.select_related("by")


def concern_counts_by_category(
    *,
    concerns: QuerySet[Concern],
    start: date | None = None,
    end: date | None = None,
) -> dict[str, int]:
    """Concerns raised (in the period, if given) per category, every category present, in
    one query. Counts only: callers show them with disclosure control."""
    if start is not None:
        concerns = concerns.filter(created_at__date__gte=start)
    if end is not None:
        concerns = concerns.filter(created_at__date__lte=end)
    counts = dict(
        concerns.order_by()
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return {label: counts.get(value, 0) for value, label in ConcernCategory.choices}


def _by_category(concerns: QuerySet[Concern]) -> QuerySet[Concern, tuple[str, int]]:
    return (
        concerns.order_by()
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )


# A dashboard's counts since a day, built and compiled once (`accounts.prepared`): building
# the query cost a practice dashboard more than running it (bench/NOTES.md).
_counts_since = Prepared(
    lambda start: _by_category(Concern.objects.filter(created_at__date__gte=start))
)
_counts_in_practices_since = Prepared(
    lambda practice_ids, start: _by_category(
        Concern.objects.filter(practice_id__in=practice_ids, created_at__date__gte=start)
    )
)


def concern_counts_for(*, user: User, since: date | None = None) -> dict[str, int]:
    """The counts a dashboard shows: the user's aggregate scope (a manager's practices)."""
    if since is None:
        return concern_counts_by_category(concerns=concerns_in_aggregate_scope(user))
    practice_ids = practice_ids_in_aggregate_scope(user)
    if practice_ids is None:
        rows = _counts_since(since)
    elif practice_ids:
        rows = _counts_in_practices_since(sorted(practice_ids), since)
    else:
        rows = []
    counts = dict(rows)
    return {label: counts.get(value, 0) for value, label in ConcernCategory.choices}
