"""Dashboards: counts only, computed by the database, a fixed number of queries each."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
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


def practice_comparison(*, user, today: date | None = None) -> list:
    """One row per practice: open cases, consultations and referrals in the last 12 months,
    follow-ups completed of those that came due. Each figure is one query grouped by
    practice (five in all, whatever the number of practices): correlated subqueries per
    practice took seconds at 50,000 participants (bench/NOTES.md)."""
    today = today or timezone.localdate()
    since = add_months(today, -12)
    practices = list(practices_visible_to(user).order_by("name"))
    ids = [p.pk for p in practices]
    by = "participant__practice"
    open_cases = dict(
        Participant.objects.filter(practice__in=ids, status=CaseStatus.OPEN)
        .values("practice")
        .annotate(n=Count("id"))
        .values_list("practice", "n")
    )
    consultations = {
        row[by]: row
        for row in Consultation.objects.filter(participant__practice__in=ids, date__gte=since)
        .values(by)
        .annotate(
            n_attended=Count("id", filter=Q(attended=True)),
            n_dna=Count("id", filter=Q(attended=False)),
        )
    }
    referrals = {
        row[by]: row
        for row in Referral.objects.filter(participant__practice__in=ids, date__gte=since)
        .values(by)
        .annotate(n_made=Count("id"), n_engaged=Count("id", filter=Q(status__in=ENGAGED_STATUSES)))
    }
    follow_ups = {
        row[by]: row
        for row in FollowUp.objects.filter(participant__practice__in=ids, status__in=CAME_DUE)
        .values(by)
        .annotate(
            n_due=Count("id"),
            n_completed=Count("id", filter=Q(status=FollowUpStatus.COMPLETED)),
        )
    }
    for p in practices:
        c, r, f = (
            consultations.get(p.pk, {}),
            referrals.get(p.pk, {}),
            follow_ups.get(p.pk, {}),
        )
        p.open_cases = open_cases.get(p.pk, 0)
        p.attended, p.dna = c.get("n_attended", 0), c.get("n_dna", 0)
        p.referrals_made, p.referrals_engaged = r.get("n_made", 0), r.get("n_engaged", 0)
        p.follow_ups_due, p.follow_ups_completed = f.get("n_due", 0), f.get("n_completed", 0)
        p.engaged_pct = pct(p.referrals_engaged, p.referrals_made)
        p.completion_pct = pct(p.follow_ups_completed, p.follow_ups_due)
    return practices
