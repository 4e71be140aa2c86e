"""A period's programme statistics, computed by the database in a fixed number of queries.

Definitions (the report's appendix repeats them in plain words):
- supported: distinct participants with at least one attended consultation in the period;
  new: referred into the programme in the period.
- most deprived quintile %: of the supported with a known SIMD quintile, the share in
  quintile 1 (the unknowns are counted beside it).
- multi-domain %: of the supported, the share whose needs recorded by the period's end span
  two or more domains.
- consultations: attended and did-not-attend in the period; seen twice or more %: of the
  supported, the share with at least the dose threshold (default 2) of attended
  consultations up to the period's end; the dose–response table counts 1, 2, 3 and 4+.
- referrals: made in the period, overall and by the categories of the resource (a referral
  counts under each); engaged: of those, the ones whose latest status is attended or
  engaged; appropriate %: of those with the organisation's feedback, the share it judged
  appropriate.
- nine-month outcomes: participants whose follow-up assessment falls in the period and who
  have a baseline, per measure where both are complete: means, mean change (follow-up minus
  baseline), its paired 95 % confidence interval (t distribution; none below n = 2) and the
  share of those abnormal at baseline (11+) who are no longer; overall, by dose (attended
  consultations from the baseline's date to the follow-up's, both included, at least the
  threshold vs below) and by engagement (a referral made on or before the follow-up's date
  whose latest status is attended or engaged, vs none).
- practices and CLPs: active at any time in the period, and new in it (joined, or first
  attached as CLP, in the period); staff survey: the responses for the period's year(s).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import Exact, GreaterThan

from participants.models import (
    Assessment,
    Consultation,
    Participant,
    Sex,
    Timepoint,
)
from participants.models.followup import FollowUp, FollowUpStatus
from participants.models.needs import DOMAIN_DATES
from practices.models import Attachment, Practice, StaffRole, StaffSurveyResponse
from referrals.models import Category, Referral
from reports.definitions import (
    ABNORMAL,
    MULTI_DOMAIN,
    TRIAL_DOSE_THRESHOLD,
    attended,
    contacts,
    engaged,
    pct,
)
from reports.mixed_model import ADJUSTED_MEASURES, COVARIATES, fit_from_sums
from reports.stats_math import paired_ci95, t_quantiles_975
from safeguarding.models import Concern, ConcernCategory

# The key each measure has in the figures, and the Assessment field that holds its score.
MEASURES = {
    "hads_anxiety": "hads_anxiety",
    "hads_depression": "hads_depression",
    "exercise_days": "exercise_days",
    "wemwbs": "wemwbs_total",
    "swemwbs": "swemwbs",
    "eq5d_index": "eq5d_index",
    "eq5d_vas": "eq5d_vas",
    "ons4_life_satisfaction": "ons_life_satisfaction",
    "ons4_worthwhile": "ons_worthwhile",
    "ons4_happy": "ons_happiness",
    "ons4_anxious": "ons_anxiety",
}
BANDED = {"hads_anxiety", "hads_depression"}
GROUPS = ["all", "dose_at_least_threshold", "dose_below_threshold", "engaged", "not_engaged"]
DOSE_BANDS = ["1", "2", "3", "4+"]
# The trial's threshold beside the programme's own: 3 or more attended consultations.
TRIAL_BAND = f"{TRIAL_DOSE_THRESHOLD}+"


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def _count(subquery):
    return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))


def programme_statistics(*, start: date, end: date, dose_threshold: int | None = None) -> dict:
    """The year's figures. On PostgreSQL, when the caller's transaction has written nothing
    that another connection could not see, the outcomes (the longest read, by the
    follow-up assessments) and the participants' figures (the next longest) are read on
    connections of their own while this one reads the rest: every core instead of one
    (bench/NOTES.md). Each statement read its own snapshot before, as it does now."""
    with transaction.atomic():
        if connection.vendor != "postgresql":
            return _programme_statistics(start, end, dose_threshold, _outcomes_and_adjusted)
        beside, timeout = _without_jit_and_seen()
        if not beside:
            return _programme_statistics(start, end, dose_threshold, _outcomes_and_adjusted)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="statistics") as pool:
            threshold = dose_threshold or settings.LINKS_DOSE_THRESHOLD
            period = (start, end)
            outcomes = pool.submit(_beside, timeout, _outcomes_and_adjusted, period, threshold)
            participants = pool.submit(_beside, timeout, _participants, period, threshold)
            return _programme_statistics(
                start,
                end,
                dose_threshold,
                lambda period, threshold: outcomes.result(),
                lambda period, threshold: participants.result(),
            )


def _without_jit_and_seen() -> tuple[bool, str]:
    """JIT off for this transaction (`_without_jit`) and, in the same statement, whether
    another connection sees what this one does (nothing written in the transaction yet: a
    test's records, or a caller's, would be invisible to it), and the statement timeout."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('jit', 'off', true), pg_current_xact_id_if_assigned() IS NULL, "
            "current_setting('statement_timeout')"
        )
        _, seen, timeout = cursor.fetchone()
    return bool(seen), timeout


def _beside(timeout: str, read: Callable[..., dict], *args: Any) -> dict:
    """`read(*args)` on this thread's own connection, with the caller's statement timeout
    and without JIT, as the caller's transaction has them; the connection closed after."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [timeout])
            _without_jit()
            return read(*args)
    finally:
        connection.close()


def _without_jit() -> None:
    """PostgreSQL's JIT compiler prices the outcomes query as a long one and spends longer
    compiling it than running it (125 ms of 216 ms at 50,000 participants; bench/NOTES.md).
    Off for this transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _programme_statistics(
    start: date,
    end: date,
    dose_threshold: int | None,
    outcomes_and_adjusted: Callable[[tuple[date, date], int], dict],
    participants_of: Callable[[tuple[date, date], int], dict] | None = None,
) -> dict:
    threshold = dose_threshold or settings.LINKS_DOSE_THRESHOLD
    period = (start, end)
    # What no other figure waits for first, while the reads beside (if any) run.
    follow_ups = _follow_ups(period)
    consultations = _consultations(period)
    practices, clps, referrals = _practices(start, end), _clps(start, end), _referrals(period)
    staff_survey = _staff_survey(start, end)
    safeguarding = safeguarding_concern_counts(start=start, end=end)
    participants = (participants_of or _participants)(period, threshold)
    consultations["seen_twice_or_more"] = participants.pop("_seen_at_least_threshold")
    consultations["seen_twice_or_more_pct"] = pct(
        consultations["seen_twice_or_more"], participants["supported"]
    )
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "settings": {
            "dose_threshold": threshold,
            "suppression_threshold": settings.LINKS_SUPPRESSION_THRESHOLD,
        },
        "practices": practices,
        "clps": clps,
        "participants": participants,
        "consultations": consultations,
        "referrals": referrals,
        "flow": _flow(period, participants, follow_ups),
        "attrition": _attrition(follow_ups),
        **outcomes_and_adjusted(period, threshold),
        "staff_survey": staff_survey,
        "safeguarding": safeguarding,
    }


def _outcomes_and_adjusted(period: tuple[date, date], threshold: int) -> dict:
    outcomes = _outcomes(period, threshold)
    return {"outcomes": outcomes, "adjusted": outcomes.pop("adjusted")}


def _practices(start: date, end: date) -> dict:
    figures = Practice.objects.aggregate(
        active=Count(
            "id",
            filter=Q(joined_on__lte=end) & (Q(left_on__isnull=True) | Q(left_on__gte=start)),
        ),
        new=Count("id", filter=Q(joined_on__range=(start, end))),
    )
    return figures


def _clps(start: date, end: date) -> dict:
    clp = Attachment.objects.filter(role=StaffRole.CLP)
    active = (
        clp.filter(started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .values("user")
        .distinct()
        .count()
    )
    new = (
        clp.values("user")
        .annotate(first=Min("started_on"))
        .filter(first__range=(start, end))
        .count()
    )
    return {"active": active, "new": new}


def _supported_aggregates() -> tuple[list[str], str]:
    """The supported's figures over their (dose, quintile, domains), with the dose threshold
    as the only parameter: COUNT with FILTER, PostgreSQL's and SQLite's alike."""
    figures = {
        "supported": "",
        "quintile_known": "quintile IS NOT NULL",
        "simd_unknown": "quintile IS NULL",
        **{f"quintile_{q}_n": f"quintile = {q}" for q in range(1, 6)},
        "dose_1": "dose = 1",
        "dose_2": "dose = 2",
        "dose_3": "dose = 3",
        "dose_4": "dose >= 4",
        "dose_at_least": "dose >= %s",
        "any_domain": "domains >= 1",
        "multi_domain": f"domains >= {MULTI_DOMAIN}",
        **{f"domains_{d}_n": f"domains = {d}" for d in range(1, len(DOMAIN_DATES) + 1)},
    }
    columns = [
        f"COUNT(*) FILTER (WHERE {where})" if where else "COUNT(*)" for where in figures.values()
    ]
    return list(figures), ", ".join(columns)


SUPPORTED_FIGURES, SUPPORTED_SQL = _supported_aggregates()
# One number for a participant's quintile (0 unknown) and how many domains their needs span
# by a day (`%s`, once for each domain): their row's first need in each domain, kept by the
# database (participants migration 0020).
_DOMAINS = len(DOMAIN_DATES) + 1
_QUINTILE_AND_DOMAINS = f"COALESCE(p.simd_quintile, 0) * {_DOMAINS} + " + " + ".join(
    f"CASE WHEN p.{column} <= %s THEN 1 ELSE 0 END" for column in DOMAIN_DATES.values()
)


def _participants(period: tuple[date, date], threshold: int) -> dict:
    """The supported and their figures in two passes: attended consultations up to the
    period's end by participant (the dose, and whether any fell in the period), each of the
    supported's quintile and need domains then read from their row; and the new. (Correlated
    subqueries per participant took seconds at 50,000; bench/NOTES.md.)
    """
    start, end = period
    contact = contacts(until=end)
    # Each participant's attended consultations up to the period's end, counted from the
    # consultations alone (an index-only scan of consultation_attended_idx), and only then
    # each of the supported's quintile looked up by primary key: grouping by participant
    # and quintile joined every consultation of every participant first, and a join after
    # the grouping hashed every participant (bench/NOTES.md). The LIMIT that never bites
    # keeps the lookup to once a row, not once a FILTER that mentions it. The same lookup
    # gives the domains their needs span by the period's end, from the participant's first
    # need in each: reading every need of the programme took a third of these figures' time
    # at a million participants.
    per_participant = (
        contact.values("participant")
        .annotate(dose=Count("participant"), last=Max("date"))
        .filter(last__gte=start)
        .order_by()
    )
    inner, params = per_participant.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {SUPPORTED_SQL} FROM (SELECT dose, "  # noqa: S608 (constant text)
            f"NULLIF(code / {_DOMAINS}, 0) AS quintile, code %% {_DOMAINS} AS domains FROM "
            f"(SELECT d.dose, (SELECT {_QUINTILE_AND_DOMAINS} "
            f"FROM {Participant._meta.db_table} p WHERE p.id = d.participant) AS code "
            f"FROM ({inner}) d LIMIT {EVERY_ROW}) c) s",
            # The threshold is in the SELECT, the period's end in the lookup, each before
            # the inner query.
            [threshold, *[end] * len(DOMAIN_DATES), *params],
        )
        f = dict(zip(SUPPORTED_FIGURES, cursor.fetchone(), strict=True))
    f["domains_0_n"] = f["supported"] - f["any_domain"]
    f["new"] = Participant.objects.filter(referred_on__range=period).count()
    return {
        "supported": f["supported"],
        "new": f["new"],
        "quintile_known": f["quintile_known"],
        "most_deprived_quintile_pct": pct(f["quintile_1_n"], f["quintile_known"]),
        "simd_unknown": f["simd_unknown"],
        "multi_domain": f["multi_domain"],
        "multi_domain_pct": pct(f["multi_domain"], f["supported"]),
        "by_quintile": {
            **{str(q): f[f"quintile_{q}_n"] for q in range(1, 6)},
            "unknown": f["simd_unknown"],
        },
        "by_domain_count": {str(d): f[f"domains_{d}_n"] for d in range(4)},
        "dose_response": {
            "1": f["dose_1"],
            "2": f["dose_2"],
            "3": f["dose_3"],
            "4+": f["dose_4"],
        },
        "_seen_at_least_threshold": f["dose_at_least"],
    }


LOST = [FollowUpStatus.MISSED, FollowUpStatus.DECLINED]
OPEN = [FollowUpStatus.SCHEDULED, FollowUpStatus.DUE, FollowUpStatus.OVERDUE]
ATTRITION_MEASURES = ["hads_anxiety", "hads_depression", "exercise_days", "wemwbs", "eq5d_index"]


def _flow(period: tuple[date, date], participants: dict, f: dict) -> dict:
    """The period's participant flow: referred, supported, baselines recorded, and the
    follow-ups that fell due in it by where they stand now (f: _follow_ups)."""
    baselines = Assessment.objects.filter(timepoint=Timepoint.BASELINE, date__range=period)
    return {
        "referred": participants["new"],
        "supported": participants["supported"],
        "baseline_recorded": baselines.count(),
        "follow_ups_due": f["due"],
        "completed": f["completed"],
        "missed": f["missed"],
        "declined": f["declined"],
        "not_applicable": f["not_applicable"],
        "still_open": f["still_open"],
    }


def _follow_ups_aggregates() -> tuple[list[str], str]:
    """The follow-ups due in a period (joined to their participant as p and their
    baseline as b): by status for the flow, and for the attrition table the baseline of
    those followed up beside those lost. Written once as SQL text: its 32 filtered
    aggregates built as ORM expressions took longer to compile than to run on a small
    programme. The period is its only parameter."""
    names, columns = [], []

    def add(name: str, sql: str) -> None:
        names.append(name)
        columns.append(sql)

    def status_in(statuses: list) -> str:
        return "f.status IN ({})".format(", ".join(f"'{s}'" for s in statuses))

    add("due", "COUNT(*)")
    for name, status in {
        "completed": FollowUpStatus.COMPLETED,
        "missed": FollowUpStatus.MISSED,
        "declined": FollowUpStatus.DECLINED,
        "not_applicable": FollowUpStatus.NOT_APPLICABLE,
    }.items():
        add(name, f"COUNT(*) FILTER (WHERE f.status = '{status}')")
    add("still_open", f"COUNT(*) FILTER (WHERE {status_in(OPEN)})")
    groups = {"followed_up": status_in([FollowUpStatus.COMPLETED]), "lost": status_in(LOST)}
    for group, where in groups.items():
        add(f"{group}__n", f"COUNT(*) FILTER (WHERE {where})")
        add(f"{group}__q1", f"COUNT(*) FILTER (WHERE {where} AND p.simd_quintile = 1)")
        add(f"{group}__qk", f"COUNT(p.simd_quintile) FILTER (WHERE {where})")
        for measure in ATTRITION_MEASURES:
            column = f"b.{MEASURES[measure]}"
            add(f"{group}__{measure}__n", f"COUNT({column}) FILTER (WHERE {where})")
            add(f"{group}__{measure}__mean", f"AVG({column}) FILTER (WHERE {where})")
    sql = (
        f"SELECT {', '.join(columns)} FROM {FollowUp._meta.db_table} f "  # noqa: S608
        f"JOIN {Participant._meta.db_table} p ON p.id = f.participant_id "
        f"JOIN {Assessment._meta.db_table} b ON b.id = f.baseline_id "
        "WHERE f.due_on BETWEEN %s AND %s"
    )
    return names, sql


FOLLOW_UPS_FIGURES, FOLLOW_UPS_SQL = _follow_ups_aggregates()


def _follow_ups(period: tuple[date, date]) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(FOLLOW_UPS_SQL, list(period))
        row = cursor.fetchone()
    # AVG of an integer column is a decimal on PostgreSQL: a float, as the ORM's Avg gave.
    return {
        name: (float(value) if isinstance(value, Decimal) else value)
        for name, value in zip(FOLLOW_UPS_FIGURES, row, strict=True)
    }


def _attrition(f: dict) -> dict:
    """The baseline of those followed up beside those lost to follow-up (missed or
    declined), of the follow-ups due in the period (f: _follow_ups): a reader can judge
    attrition bias."""
    groups = ["followed_up", "lost"]
    return {
        group: {
            "n": f[f"{group}__n"],
            "most_deprived": f[f"{group}__q1"],
            "quintile_known": f[f"{group}__qk"],
            "most_deprived_pct": pct(f[f"{group}__q1"], f[f"{group}__qk"]),
            "baseline": {
                measure: {
                    "n": f[f"{group}__{measure}__n"],
                    "mean": _round(f[f"{group}__{measure}__mean"]),
                }
                for measure in ATTRITION_MEASURES
            },
        }
        for group in groups
    }


# The period's attended consultations and did-not-attends (reports.definitions.attended),
# each counted from its own partial index by date (consultation_attended_idx,
# consultation_not_attended_idx), index-only: one filtered count over the period read every
# consultation of every year (no index leads with the date; bench/NOTES.md).
_CONSULTATION = Consultation._meta.db_table
CONSULTATIONS_SQL = (
    f"SELECT (SELECT COUNT(*) FROM {_CONSULTATION} "  # noqa: S608 (constant text)
    "WHERE attended AND date BETWEEN %s AND %s), "
    f"(SELECT COUNT(*) FROM {_CONSULTATION} WHERE NOT attended AND date BETWEEN %s AND %s)"
)


def _consultations(period: tuple[date, date]) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(CONSULTATIONS_SQL, [*period, *period])
        n_attended, n_did_not_attend = cursor.fetchone()
    return {"attended": n_attended, "did_not_attend": n_did_not_attend}


def _referrals(period: tuple[date, date]) -> dict:
    made = Referral.objects.filter(date__range=period)
    f = made.aggregate(
        made=Count("id"),
        engaged=Count("id", filter=engaged()),
        with_feedback=Count("id", filter=Q(feedback_appropriate__isnull=False)),
        appropriate=Count("id", filter=Q(feedback_appropriate=True)),
    )
    # The period is a condition of the join, so only the period's referrals are read (by
    # the date index) and joined, not every referral of every year.
    made_in_period = FilteredRelation(
        "resources__referrals", condition=Q(resources__referrals__date__range=period)
    )
    categories = (
        Category.objects.alias(made_in_period=made_in_period)
        .annotate(
            made=Count("made_in_period", distinct=True),
            engaged=Count("made_in_period", filter=engaged("made_in_period__"), distinct=True),
        )
        .order_by("position", "name")
    )
    return {
        "made": f["made"],
        "engaged": f["engaged"],
        "engaged_pct": pct(f["engaged"], f["made"]),
        "with_feedback": f["with_feedback"],
        "appropriate": f["appropriate"],
        "appropriate_pct": pct(f["appropriate"], f["with_feedback"]),
        "by_category": {c.name: {"made": c.made, "engaged": c.engaged} for c in categories},
    }


def _age_at(born: str, on: str) -> CombinedExpression:
    """Whole years of age on a date, in SQL (reports.mixed_model.age_on)."""
    birthday_to_come = Q(GreaterThan(ExtractMonth(born), ExtractMonth(on))) | (
        Q(Exact(ExtractMonth(born), ExtractMonth(on)))
        & Q(GreaterThan(ExtractDay(born), ExtractDay(on)))
    )
    return (
        ExtractYear(on)
        - ExtractYear(born)
        - Case(When(birthday_to_come, then=Value(1)), default=Value(0))
    )


def _pairs(period: tuple[date, date]) -> QuerySet[Any, Any]:
    """One row per follow-up assessment in the period whose participant has a baseline: both
    scores of every measure, the dose from the baseline's date to the follow-up's, whether a
    referral was engaged by then, and the covariates of the mixed model. The baseline is a
    join (one per participant, by constraint), so its scores cost nothing per row; the dose
    and the engagement are one index lookup each."""
    baseline = FilteredRelation(
        "participant__assessments",
        condition=Q(participant__assessments__timepoint=Timepoint.BASELINE),
    )
    dose = (
        Consultation.objects.filter(
            attended(),
            participant=OuterRef("participant"),
            date__gte=OuterRef("baseline__date"),
            date__lte=OuterRef("date"),
        )
        .order_by()
        .values("participant")
        .annotate(n=Count("participant"))  # index-only: no heap read a consultation
        .values("n")
    )
    engaged_by_then = Referral.objects.filter(
        engaged(), participant=OuterRef("participant"), date__lte=OuterRef("date")
    )
    return (
        Assessment.objects.alias(baseline=baseline)
        .filter(timepoint=Timepoint.FOLLOW_UP, date__range=period, baseline__isnull=False)
        .order_by("date", "id")
        .values(
            dose=_count(dose),
            engaged=Exists(engaged_by_then),
            b_date=F("baseline__date"),
            practice=F("participant__practice_id"),
            born=F("participant__date_of_birth"),
            sex=F("participant__sex"),
            quintile=F("participant__simd_quintile"),
            age=_age_at("participant__date_of_birth", "baseline__date"),
            **{
                f"{side}_{measure}": F(f"{prefix}{field}")
                for measure, field in MEASURES.items()
                for side, prefix in (("b", "baseline__"), ("f", ""))
            },
        )
    )


def _pair_sums() -> tuple[list[str], str]:
    """The names and SQL of the sums each group of pairs carries, per measure over the pairs
    complete for it: their number, the sums of the baseline and follow-up scores and of the
    squared change, for HADS the abnormal at baseline and those no longer, and for the
    modelled measures the cross-products with age the mixed model is fitted from. No
    parameters. COUNT and SUM with FILTER: the same SQL on PostgreSQL and SQLite."""
    names, columns = [], []

    def add(name: str, sql: str, where: str) -> None:
        names.append(name)
        columns.append(f"{sql} FILTER (WHERE {where})")

    for measure, field in MEASURES.items():
        b, f = f"b_{measure}", f"f_{measure}"
        complete = f"{b} IS NOT NULL AND {f} IS NOT NULL"
        if Assessment._meta.get_field(field).get_internal_type() == "FloatField":
            # Summed exactly, so that a mean does not depend on the order the plan reads
            # the rows in (a float sum does, in its last bits, and a mean of exactly x.xx5
            # then rounds either way).
            b, f = f"CAST({b} AS NUMERIC)", f"CAST({f} AS NUMERIC)"
        add(f"{measure}__n", "COUNT(*)", complete)
        add(f"{measure}__b", f"SUM({b})", complete)
        add(f"{measure}__f", f"SUM({f})", complete)
        add(f"{measure}__ss", f"SUM(({f} - {b}) * ({f} - {b}))", complete)
        if measure in BANDED:
            abnormal = f"{complete} AND {b} >= {ABNORMAL}"
            add(f"{measure}__ab", "COUNT(*)", abnormal)
            add(f"{measure}__out", "COUNT(*)", f"{abnormal} AND {f} < {ABNORMAL}")
        if measure in ADJUSTED_MEASURES:
            for name, product in {
                "bb": f"{b} * {b}",
                "ff": f"{f} * {f}",
                "bf": f"{b} * {f}",
                "a": "age",
                "aa": "age * age",
                "ab": f"age * {b}",
                "af": f"age * {f}",
            }.items():
                add(f"{measure}__m_{name}", f"SUM({product})", complete)
    return names, ", ".join(columns)


PAIR_SUMS, PAIR_SUMS_SQL = _pair_sums()
# The pairs go to the sums through a subquery with a LIMIT that never bites: a LIMIT keeps
# PostgreSQL from merging the subquery into the outer one, which would compute the dose and
# engagement subqueries once per FILTER that mentions them instead of once per row (185 s
# against 1 s for the outcomes at 50,000 participants; bench/NOTES.md).
EVERY_ROW = 2**62
# The groups of pairs: the practice, the dose (capped where no group tells doses apart),
# engaged, male, and the quintile as unknown (0), most deprived (1) or another (2). Every
# outcome group and dose band is a union of them, and each is one set of the mixed model's
# covariates but age, within a practice.
PAIR_GROUPS_SQL = (
    "practice, CASE WHEN dose < %s THEN dose ELSE %s END, engaged, "
    "CASE WHEN sex = %s THEN 1 ELSE 0 END, "
    "CASE WHEN quintile IS NULL THEN 0 WHEN quintile = 1 THEN 1 ELSE 2 END"
)


def _mean(total: Any, n: int) -> float | None:
    """AVG as the database gives it, from the exact sum and count: on PostgreSQL a NUMERIC
    division (numeric_div's scale and rounding), so a mean is the one AVG over the pairs
    gives; on SQLite a float division, as its AVG."""
    if not n or total is None:
        return None
    if connection.vendor == "postgresql":
        return _numeric_div(Decimal(total), n)
    return float(total) / n


def _numeric_div(total: Decimal, n: int) -> float:
    """PostgreSQL's NUMERIC division of a sum by a count (select_div_scale: 16 significant
    digits at least, no fewer places than the sum has; rounded half away from zero), as a
    float."""

    def weight_and_first(value: Decimal) -> tuple[int, int]:
        if not value:
            return 0, 0
        weight = value.copy_abs().adjusted() // 4  # base-10,000 digits, as NUMERIC stores
        return weight, int(value.copy_abs().scaleb(-4 * weight))

    weight1, first1 = weight_and_first(total)
    weight2, first2 = weight_and_first(Decimal(n))
    qweight = weight1 - weight2 - (1 if first1 <= first2 else 0)
    exponent = total.as_tuple().exponent
    places = max(16 - 4 * qweight, -exponent if isinstance(exponent, int) else 0, 0)
    numerator = int(total.scaleb(places))  # exact: places >= the sum's own decimal places
    quotient, remainder = divmod(abs(numerator), n)
    if 2 * remainder >= n:
        quotient += 1
    return float(Decimal(quotient if numerator >= 0 else -quotient).scaleb(-places))


def _outcomes(period: tuple[date, date], threshold: int) -> dict:
    pairs = _pairs(period)
    inner, params = pairs.order_by()[:EVERY_ROW].query.sql_with_params()
    cap = max(threshold, TRIAL_DOSE_THRESHOLD, 4)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {PAIR_GROUPS_SQL}, {PAIR_SUMS_SQL} "  # noqa: S608 (constant text)
            f"FROM ({inner}) pairs GROUP BY 1, 2, 3, 4, 5",
            [cap, cap, Sex.MALE, *params],
        )
        groups = cursor.fetchall()
    # The outcome groups and dose bands only tell doses and engagement apart: add the groups
    # up by those first (a dozen), then each figure's groups.
    by_dose: dict[tuple, list] = {}
    outcome_columns = [i for i, name in enumerate(PAIR_SUMS) if "__m_" not in name]
    for row in groups:
        key = (row[1], bool(row[2]))
        values = [row[5 + i] for i in outcome_columns]
        if key not in by_dose:
            by_dose[key] = values
        else:
            by_dose[key] = [_add(x, y) for x, y in zip(by_dose[key], values, strict=True)]
    names = [PAIR_SUMS[i] for i in outcome_columns]
    keys = list(by_dose)
    sums = [dict(zip(names, values, strict=True)) for values in by_dose.values()]
    selections = {
        "all": lambda dose, engaged: True,
        "dose_at_least_threshold": lambda dose, engaged: dose >= threshold,
        "dose_below_threshold": lambda dose, engaged: dose < threshold,
        "engaged": lambda dose, engaged: engaged,
        "not_engaged": lambda dose, engaged: not engaged,
    }
    bands = {
        "1": lambda dose: dose <= 1,
        "2": lambda dose: dose == 2,
        "3": lambda dose: dose == 3,
        "4+": lambda dose: dose >= 4,
        TRIAL_BAND: lambda dose: dose >= TRIAL_DOSE_THRESHOLD,
    }

    def total(name: str, chosen: list[int]) -> Any:
        values = [sums[i][name] for i in chosen if sums[i][name] is not None]
        return sum(values[1:], values[0]) if values else None

    chosen_for = {
        group: [i for i, key in enumerate(keys) if selected(key[0], key[1])]
        for group, selected in selections.items()
    }
    quantiles = t_quantiles_975(
        (total(f"{measure}__n", chosen) or 0) - 1
        for measure in MEASURES
        for chosen in chosen_for.values()
    )
    result: dict = {"dose_bands": {}}
    for measure in MEASURES:
        result[measure] = {}
        for group, chosen in chosen_for.items():
            n = total(f"{measure}__n", chosen) or 0
            b, f = total(f"{measure}__b", chosen), total(f"{measure}__f", chosen)
            mean_change = _mean(None if b is None else f - b, n)
            ss = total(f"{measure}__ss", chosen)
            sd = _sample_sd(n=n, mean=mean_change, sum_squares=ss)
            low, high = paired_ci95(
                n=n, mean_diff=mean_change, sd_diff=sd, quantile=quantiles.get(n - 1)
            )
            entry = {
                "n": n,
                "baseline_mean": _round(_mean(b, n)),
                "follow_up_mean": _round(_mean(f, n)),
                "mean_change": _round(mean_change),
                "ci95_low": _round(low),
                "ci95_high": _round(high),
                "sd_change": _round(sd),
                "effect_size": _round(effect_size(mean_change=mean_change, sd_change=sd)),
            }
            if measure in BANDED:
                ab = total(f"{measure}__ab", chosen) or 0
                out = total(f"{measure}__out", chosen) or 0
                entry["abnormal_at_baseline"] = ab
                entry["no_longer_abnormal"] = out
                entry["left_abnormal_pct"] = pct(out, ab)
            result[measure][group] = entry
        result["dose_bands"][measure] = {}
        for band, in_band in bands.items():
            chosen = [i for i, key in enumerate(keys) if in_band(key[0])]
            n = total(f"{measure}__n", chosen) or 0
            b, f = total(f"{measure}__b", chosen), total(f"{measure}__f", chosen)
            result["dose_bands"][measure][band] = {
                "n": n,
                "mean_change": _round(_mean(None if b is None else f - b, n)),
            }
    result["adjusted"] = {
        measure: fit_from_sums(*_model_sums(groups, measure, threshold))
        for measure in ADJUSTED_MEASURES
    }
    return result


def _add(x: Any, y: Any) -> Any:
    """A sum of two group sums, where a group with no pairs for a measure has none."""
    return y if x is None else x if y is None else x + y


def _model_sums(
    groups: list[tuple], measure: str, threshold: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each practice's people, column sums and cross-products of the mixed model's [x y]
    (x: a constant then COVARIATES; y the follow-up score), from the groups of pairs with a
    known quintile: within a group every covariate but the baseline and age is one value,
    so [x y] is a fixed linear map of (1, baseline, age, follow-up), whose sums the group
    carries."""
    column = {name: 5 + i for i, name in enumerate(PAIR_SUMS)}
    n_at = column[f"{measure}__n"]
    rows = [row for row in groups if row[4] != 0 and row[n_at]]
    k = len(COVARIATES) + 2
    if not rows:
        return np.zeros(0), np.zeros((0, k)), np.zeros((0, k, k))

    def values(name: str) -> np.ndarray:
        at = column[f"{measure}__{name}"]
        return np.array([float(row[at]) for row in rows])

    n, b, f = values("n"), values("b"), values("f")
    bb, ff, bf, a, aa, ab, af = (values(f"m_{name}") for name in MODEL_MOMENTS)
    moments = np.stack(  # of (1, baseline, age, follow-up), one 4 x 4 matrix a group
        [
            np.stack([n, b, a, f], axis=1),
            np.stack([b, bb, ab, bf], axis=1),
            np.stack([a, ab, aa, af], axis=1),
            np.stack([f, bf, af, ff], axis=1),
        ],
        axis=1,
    )
    to_xy = np.zeros((len(rows), k, 4))
    to_xy[:, 0, 0] = 1.0  # constant
    to_xy[:, 1, 1] = 1.0  # baseline
    to_xy[:, 2, 0] = [float(row[1] >= threshold) for row in rows]  # dose
    to_xy[:, 3, 0] = [float(bool(row[2])) for row in rows]  # engaged
    to_xy[:, 4, 2] = 1.0  # age
    to_xy[:, 5, 0] = [float(row[3]) for row in rows]  # male
    to_xy[:, 6, 0] = [float(row[4] == 1) for row in rows]  # most deprived
    to_xy[:, 7, 3] = 1.0  # follow-up
    labels, practice = np.unique([row[0] for row in rows], return_inverse=True)
    cross = np.zeros((len(labels), k, k))
    np.add.at(cross, practice, np.einsum("gia,gab,gjb->gij", to_xy, moments, to_xy))
    return cross[:, 0, 0].copy(), cross[:, 0, :].copy(), cross


MODEL_MOMENTS = ("bb", "ff", "bf", "a", "aa", "ab", "af")


def effect_size(*, mean_change: float | None, sd_change: float | None) -> float | None:
    """The mean change divided by the SD of the change (none when the SD is 0 or unknown)."""
    if mean_change is None or not sd_change:
        return None
    return float(mean_change) / sd_change


def _sample_sd(*, n: int, mean: float | None, sum_squares: float | None) -> float | None:
    if n < 2 or mean is None or sum_squares is None:
        return None
    variance = (float(sum_squares) - n * float(mean) ** 2) / (n - 1)
    return math.sqrt(max(variance, 0.0))  # rounding can leave -1e-15 where all are equal


def _staff_survey(start: date, end: date) -> dict:
    responses = StaffSurveyResponse.objects.filter(year__range=(start.year, end.year))
    overall = responses.aggregate(
        responses=Count("id"),
        wellbeing=Count("id", filter=Q(wellbeing_activities=True)),
        give_up=Count("id", filter=Q(give_up_within_5y=True)),
    )
    per_practice = (
        responses.values("practice__code", "practice__name")
        .annotate(
            responses=Count("id"),
            wellbeing=Count("id", filter=Q(wellbeing_activities=True)),
            give_up=Count("id", filter=Q(give_up_within_5y=True)),
        )
        .order_by("practice__name")
    )
    return {
        "responses": overall["responses"],
        "wellbeing_activities": overall["wellbeing"],
        "give_up_within_5y": overall["give_up"],
        "wellbeing_activities_pct": pct(overall["wellbeing"], overall["responses"]),
        "give_up_within_5y_pct": pct(overall["give_up"], overall["responses"]),
        "by_practice": [
            {
                "code": row["practice__code"],
                "name": row["practice__name"],
                "responses": row["responses"],
                "wellbeing_activities": row["wellbeing"],
                "give_up_within_5y": row["give_up"],
                "wellbeing_activities_pct": pct(row["wellbeing"], row["responses"]),
                "give_up_within_5y_pct": pct(row["give_up"], row["responses"]),
            }
            for row in per_practice
        ],
    }


def safeguarding_concern_counts(*, start: date, end: date) -> dict:
    """Safeguarding concerns raised in the period, per category (every category listed) and
    per practice, in one query. Counts only, to be shown with disclosure control."""
    rows = (
        Concern.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
        .order_by()
        .values_list("practice__name", "category")
        .annotate(n=Count("id"))
    )
    by_category = dict.fromkeys(ConcernCategory.values, 0)
    by_practice: dict[str, int] = {}
    for practice, category, n in rows:
        by_category[category] = by_category.get(category, 0) + n
        by_practice[practice] = by_practice.get(practice, 0) + n
    labels = dict(ConcernCategory.choices)
    return {
        "total": sum(by_category.values()),
        "by_category": {labels.get(k, k): v for k, v in by_category.items()},
        "by_practice": dict(sorted(by_practice.items())),
    }
