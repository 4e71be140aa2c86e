"""Dashboards: counts only, computed by the database, a fixed number of queries each."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from linksworker.policy import participants_in_aggregate_scope, practices_visible_to
from participants.dates import add_months
from participants.models import (
    CaseStatus,
    Consultation,
    FollowUp,
    FollowUpStatus,
    Participant,
)
from participants.selectors import caseload_by_clp, followup_completion
from referrals.models import Referral
from reports.statistics import ENGAGED_STATUSES, pct

CAME_DUE = [
    FollowUpStatus.DUE,
    FollowUpStatus.OVERDUE,
    FollowUpStatus.COMPLETED,
    FollowUpStatus.MISSED,
    FollowUpStatus.DECLINED,
]


def _months(today: date, count: int = 12) -> list[date]:
    first = today.replace(day=1)
    return [add_months(first, -i) for i in range(count - 1, -1, -1)]


def consultations_by_month(*, user, today: date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    months = _months(today)
    rows = {
        row["month"]: row
        for row in Consultation.objects.filter(
            participant__in=participants_in_aggregate_scope(user), date__gte=months[0]
        )
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            n_attended=Count("id", filter=Q(attended=True)),
            n_dna=Count("id", filter=Q(attended=False)),
        )
        .order_by("month")
    }
    out = []
    for month in months:
        row = rows.get(month, {})
        out.append(
            {"month": month, "attended": row.get("n_attended", 0), "dna": row.get("n_dna", 0)}
        )
    return out


def referral_engagement(*, user, since: date) -> dict:
    f = Referral.objects.filter(
        participant__in=participants_in_aggregate_scope(user), date__gte=since
    ).aggregate(
        made=Count("id"),
        engaged=Count("id", filter=Q(status__in=ENGAGED_STATUSES)),
    )
    f["engaged_pct"] = pct(f["engaged"], f["made"])
    return f


def practice_dashboard(*, user, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    since = add_months(today, -12)
    return {
        "by_clp": caseload_by_clp(user=user),
        "by_month": consultations_by_month(user=user, today=today),
        "follow_ups": followup_completion(user=user),
        "referrals": referral_engagement(user=user, since=since),
        "since": since,
    }


def _count_per_practice(queryset, **filters):
    return Coalesce(
        Subquery(
            queryset.filter(**filters)
            .order_by()
            .values("participant__practice")
            .annotate(n=Count("id"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def practice_comparison(*, user, today: date | None = None) -> list:
    """One row per practice: open cases, consultations and referrals in the last 12 months,
    follow-ups completed of those that came due. Correlated subqueries, so one practice's
    many consultations never multiply another figure."""
    today = today or timezone.localdate()
    since = add_months(today, -12)
    at = OuterRef("pk")
    consultations = Consultation.objects.filter(participant__practice=at, date__gte=since)
    referrals = Referral.objects.filter(participant__practice=at, date__gte=since)
    follow_ups = FollowUp.objects.filter(participant__practice=at, status__in=CAME_DUE)
    open_cases = Participant.objects.filter(practice=at, status=CaseStatus.OPEN)
    rows = list(
        practices_visible_to(user)
        .annotate(
            open_cases=Coalesce(
                Subquery(
                    open_cases.order_by().values("practice").annotate(n=Count("id")).values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            attended=_count_per_practice(consultations, attended=True),
            dna=_count_per_practice(consultations, attended=False),
            referrals_made=_count_per_practice(referrals),
            referrals_engaged=_count_per_practice(referrals, status__in=ENGAGED_STATUSES),
            follow_ups_due=_count_per_practice(follow_ups),
            follow_ups_completed=_count_per_practice(follow_ups, status=FollowUpStatus.COMPLETED),
        )
        .order_by("name")
    )
    for row in rows:
        row.engaged_pct = pct(row.referrals_engaged, row.referrals_made)
        row.completion_pct = pct(row.follow_ups_completed, row.follow_ups_due)
    return rows
