"""The annual statistics written by hand: the yardstick `programme_statistics` is timed against.

`hand_statistics(start, end)` returns the same dictionary as
`reports.statistics.programme_statistics(start=start, end=end)` (the default dose threshold,
`settings.LINKS_DOSE_THRESHOLD`), computed the way a person who knows PostgreSQL would write it
for one report: eight plain SQL statements on one cursor, in one transaction with JIT off (as
`programme_statistics` runs), and the least Python that turns their rows into the figures.
`tests/bench/test_hand_statistics.py` holds the two equal on a generated programme, so the
ratio `bench/statistics_ratio.py` prints compares the same work.

What each statement covers (the definitions are those of reports/definitions.py):

1. counts: one row of cross-joined aggregates: practices active and new, CLPs active and
   new (first attachment in the period), participants referred in the period, attended and
   did-not-attend consultations, baselines recorded, referrals made, engaged (latest status
   attended or engaged), with feedback and appropriate;
2. supported: attended consultations up to the period's end grouped by participant (dose,
   and whether one falls in the period), joined to their SIMD quintile and to the number of
   need domains recorded by the period's end: reach, deprivation, complexity, dose bands;
3. categories: referrals made in the period (and engaged) under each category of their
   resource, every category listed, by position and name;
4. follow-ups due in the period: the flow by status, and the attrition table (the baseline
   of those followed up beside those lost);
5. outcomes: the pairs (a follow-up assessment in the period with a baseline; the dose from
   the baseline's date to the follow-up's; engaged by then) aggregated per measure over the
   groups all, dose at least / below the threshold, engaged / not, and the dose bands, in one
   pass with GROUPING SETS;
6. the same pairs as rows, for the mixed model;
7. the staff survey responses by practice (the overall figures are their sums);
8. safeguarding concerns raised in the period by practice and category.

Outside SQL: the sample SD of each change from n, mean and sum of squares, its paired t
interval (scipy's t quantile), the effect size, the percentages (`pct`), the rounding, and
the mixed model for the five modelled measures, fitted to numpy arrays of the rows through
`reports.mixed_model.fit_mixed_model`, so that the fit is the same one (its REML from each
practice's sums, as `programme_statistics` fits it from sums it reads in SQL).
"""

# The statements are built once from this module's constants; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import math
from datetime import date

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from scipy import stats as scipy_stats

from participants.models import Sex
from reports.definitions import ABNORMAL, ENGAGED_STATUSES, TRIAL_DOSE_THRESHOLD, pct
from reports.mixed_model import ADJUSTED_MEASURES, age_on, fit_mixed_model
from safeguarding.models import ConcernCategory

# The figure's key and the assessment column that holds it.
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
BANDED = ("hads_anxiety", "hads_depression")
FLOATS = ("swemwbs", "eq5d_index")  # averaged as numeric: exact, whatever the rows' order
ATTRITION = ["hads_anxiety", "hads_depression", "exercise_days", "wemwbs", "eq5d_index"]
ENGAGED_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in ENGAGED_STATUSES))

COUNTS = f"""
SELECT pr.*, cl.*, pa.*, co.*, ba.*, re.*
FROM (SELECT count(*) FILTER (WHERE joined_on <= %(end)s
                                AND (left_on IS NULL OR left_on >= %(start)s)),
             count(*) FILTER (WHERE joined_on BETWEEN %(start)s AND %(end)s)
      FROM practices_practice) pr,
     (SELECT count(DISTINCT user_id) FILTER (WHERE started_on <= %(end)s
                                 AND (ended_on IS NULL OR ended_on >= %(start)s)),
             (SELECT count(*) FROM (SELECT 1 FROM practices_attachment WHERE role = 'clp'
                                    GROUP BY user_id
                                    HAVING min(started_on) BETWEEN %(start)s AND %(end)s) f)
      FROM practices_attachment WHERE role = 'clp') cl,
     (SELECT count(*) FROM participants_participant
      WHERE referred_on BETWEEN %(start)s AND %(end)s) pa,
     (SELECT count(*) FILTER (WHERE attended), count(*) FILTER (WHERE NOT attended)
      FROM participants_consultation WHERE date BETWEEN %(start)s AND %(end)s) co,
     (SELECT count(*) FROM participants_assessment
      WHERE timepoint = 'baseline' AND date BETWEEN %(start)s AND %(end)s) ba,
     (SELECT count(*), count(*) FILTER (WHERE {ENGAGED_SQL}),
             count(feedback_appropriate), count(*) FILTER (WHERE feedback_appropriate)
      FROM referrals_referral WHERE date BETWEEN %(start)s AND %(end)s) re
"""

SUPPORTED = """
WITH dose AS (
    SELECT participant_id, count(*) AS dose
    FROM participants_consultation
    WHERE attended AND date <= %(end)s
    GROUP BY participant_id
    HAVING max(date) >= %(start)s
), domains AS (
    SELECT pn.participant_id, count(DISTINCT n.domain) AS n
    FROM participants_participantneed pn
    JOIN participants_need n ON n.id = pn.need_id
    JOIN dose USING (participant_id)
    WHERE pn.identified_on <= %(end)s
    GROUP BY pn.participant_id
)
SELECT count(*), count(p.simd_quintile),
       count(*) FILTER (WHERE p.simd_quintile = 1), count(*) FILTER (WHERE p.simd_quintile = 2),
       count(*) FILTER (WHERE p.simd_quintile = 3), count(*) FILTER (WHERE p.simd_quintile = 4),
       count(*) FILTER (WHERE p.simd_quintile = 5),
       count(*) FILTER (WHERE d.dose >= %(threshold)s),
       count(*) FILTER (WHERE d.dose = 1), count(*) FILTER (WHERE d.dose = 2),
       count(*) FILTER (WHERE d.dose = 3), count(*) FILTER (WHERE d.dose >= 4),
       count(m.n), count(*) FILTER (WHERE m.n >= 2),
       count(*) FILTER (WHERE m.n = 1), count(*) FILTER (WHERE m.n = 2),
       count(*) FILTER (WHERE m.n = 3)
FROM dose d
JOIN participants_participant p ON p.id = d.participant_id
LEFT JOIN domains m USING (participant_id)
"""

CATEGORIES = f"""
SELECT c.name, count(DISTINCT r.id), count(DISTINCT r.id) FILTER (WHERE r.engaged)
FROM referrals_category c
LEFT JOIN referrals_communityresource_categories rc ON rc.category_id = c.id
LEFT JOIN (SELECT id, resource_id, {ENGAGED_SQL} AS engaged FROM referrals_referral
           WHERE date BETWEEN %(start)s AND %(end)s) r ON r.resource_id = rc.communityresource_id
GROUP BY c.id
ORDER BY c.position, c.name
"""


def _follow_ups_sql() -> str:
    columns = [
        "count(*)",
        *(
            f"count(*) FILTER (WHERE f.status = '{s}')"
            for s in ("completed", "missed", "declined", "not_applicable")
        ),
        "count(*) FILTER (WHERE f.status IN ('scheduled', 'due', 'overdue'))",
    ]
    for where in ("f.status = 'completed'", "f.status IN ('missed', 'declined')"):
        columns += [
            f"count(*) FILTER (WHERE {where})",
            f"count(*) FILTER (WHERE {where} AND p.simd_quintile = 1)",
            f"count(p.simd_quintile) FILTER (WHERE {where})",
        ]
        for measure in ATTRITION:
            column = f"b.{MEASURES[measure]}"
            columns += [
                f"count({column}) FILTER (WHERE {where})",
                f"avg({column}) FILTER (WHERE {where})",
            ]
    return (
        f"SELECT {', '.join(columns)}\n"
        "FROM participants_followup f\n"
        "JOIN participants_participant p ON p.id = f.participant_id\n"
        "JOIN participants_assessment b ON b.id = f.baseline_id\n"
        "WHERE f.due_on BETWEEN %(start)s AND %(end)s"
    )


FOLLOW_UPS = _follow_ups_sql()

PAIRS = f"""
WITH pairs AS (
    SELECT f.id AS f_id, f.date AS f_date, b.date AS b_date,
           p.practice_id, p.date_of_birth, p.sex, p.simd_quintile,
           {", ".join(f"b.{c} AS b_{c}, f.{c} AS f_{c}" for c in MEASURES.values())},
           (SELECT count(*) FROM participants_consultation c
            WHERE c.participant_id = f.participant_id AND c.attended
              AND c.date BETWEEN b.date AND f.date) AS dose,
           EXISTS (SELECT 1 FROM referrals_referral r
                   WHERE r.participant_id = f.participant_id AND r.{ENGAGED_SQL}
                     AND r.date <= f.date) AS engaged
    FROM participants_assessment f
    JOIN participants_assessment b
      ON b.participant_id = f.participant_id AND b.timepoint = 'baseline'
    JOIN participants_participant p ON p.id = f.participant_id
    WHERE f.timepoint = 'follow_up' AND f.date BETWEEN %(start)s AND %(end)s
)
"""


def _outcomes_sql() -> str:
    columns = []
    for c in MEASURES.values():
        both = f"b_{c} IS NOT NULL AND f_{c} IS NOT NULL"
        b, f = (f"b_{c}::numeric", f"f_{c}::numeric") if c in FLOATS else (f"b_{c}", f"f_{c}")
        columns += [
            f"count(*) FILTER (WHERE {both})",
            f"avg({b}) FILTER (WHERE {both})",
            f"avg({f}) FILTER (WHERE {both})",
            f"avg({f} - {b}) FILTER (WHERE {both})",
            f"sum(({f} - {b}) * ({f} - {b})) FILTER (WHERE {both})",
            f"count(*) FILTER (WHERE {both} AND b_{c} >= {ABNORMAL})",
            f"count(*) FILTER (WHERE {both} AND b_{c} >= {ABNORMAL} AND f_{c} < {ABNORMAL})",
        ]
    return (
        PAIRS
        + "SELECT GROUPING(at_least, engaged, band, trial), at_least, engaged, band, trial, "
        + ", ".join(columns)
        + f"""
FROM (SELECT *, dose >= %(threshold)s AS at_least, dose >= {TRIAL_DOSE_THRESHOLD} AS trial,
             CASE WHEN dose <= 1 THEN '1' WHEN dose = 2 THEN '2' WHEN dose = 3 THEN '3'
                  ELSE '4+' END AS band
      FROM pairs) g
GROUP BY GROUPING SETS ((), (at_least), (engaged), (band), (trial))"""
    )


OUTCOMES = _outcomes_sql()
MODEL_ROWS = (
    PAIRS
    + "SELECT practice_id, date_of_birth, sex, simd_quintile, b_date, dose, engaged, "
    + ", ".join(f"b_{MEASURES[m]}, f_{MEASURES[m]}" for m in ADJUSTED_MEASURES)
    + " FROM pairs ORDER BY f_date, f_id"  # the order the model is fitted in, as ours
)

STAFF_SURVEY = """
SELECT p.code, p.name, count(*), count(*) FILTER (WHERE s.wellbeing_activities),
       count(*) FILTER (WHERE s.give_up_within_5y)
FROM practices_staffsurveyresponse s JOIN practices_practice p ON p.id = s.practice_id
WHERE s.year BETWEEN %(first_year)s AND %(last_year)s
GROUP BY p.code, p.name
ORDER BY p.name
"""

SAFEGUARDING = """
SELECT p.name, c.category, count(*)
FROM safeguarding_concern c JOIN practices_practice p ON p.id = c.practice_id
WHERE (c.created_at AT TIME ZONE %(zone)s)::date BETWEEN %(start)s AND %(end)s
GROUP BY p.name, c.category
"""

STATEMENTS = 8


def _num(value) -> float | None:
    return None if value is None else float(value)


def _round(value, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def _change(n: int, mean, sum_squares) -> dict:
    """SD of the change, its paired 95 % t interval and the effect size."""
    mean = _num(mean)
    sd = low = high = effect = None
    if n >= 2 and mean is not None and sum_squares is not None:
        sd = math.sqrt(max((float(sum_squares) - n * mean**2) / (n - 1), 0.0))
        half = float(scipy_stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
        low, high = mean - half, mean + half
        effect = mean / sd if sd else None
    return {
        "mean_change": _round(mean),
        "ci95_low": _round(low),
        "ci95_high": _round(high),
        "sd_change": _round(sd),
        "effect_size": _round(effect),
    }


def hand_statistics(start: date, end: date) -> dict:
    threshold = settings.LINKS_DOSE_THRESHOLD
    params = {
        "start": start,
        "end": end,
        "threshold": threshold,
        "first_year": start.year,
        "last_year": end.year,
        "zone": settings.TIME_ZONE,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")

        def rows(sql: str) -> list[tuple]:
            cursor.execute(sql, params)
            return cursor.fetchall()

        counts = rows(COUNTS)[0]
        supported = rows(SUPPORTED)[0]
        categories = rows(CATEGORIES)
        follow_ups = rows(FOLLOW_UPS)[0]
        outcomes = rows(OUTCOMES)
        model_rows = rows(MODEL_ROWS)
        survey = rows(STAFF_SURVEY)
        concerns = rows(SAFEGUARDING)

    (p_active, p_new, c_active, c_new, new, attended, dna, baselines) = counts[:8]
    made, engaged, with_feedback, appropriate = counts[8:]
    (n, q_known, q1, q2, q3, q4, q5, at_least, d1, d2, d3, d4) = supported[:12]
    any_domain, multi, m1, m2, m3 = supported[12:]

    attrition = {}
    for i, group in enumerate(("followed_up", "lost")):
        g = follow_ups[6 + i * 13 : 6 + (i + 1) * 13]
        attrition[group] = {
            "n": g[0],
            "most_deprived": g[1],
            "quintile_known": g[2],
            "most_deprived_pct": pct(g[1], g[2]),
            "baseline": {
                m: {"n": g[3 + 2 * j], "mean": _round(g[4 + 2 * j])}
                for j, m in enumerate(ATTRITION)
            },
        }

    result: dict = {"dose_bands": {}}
    by_group: dict[str, tuple] = {}
    for row in outcomes:
        grouping, at_least_, engaged_, band, trial = row[:5]
        if grouping == 0b1111:
            key = "all"
        elif grouping == 0b0111:
            key = "dose_at_least_threshold" if at_least_ else "dose_below_threshold"
        elif grouping == 0b1011:
            key = "engaged" if engaged_ else "not_engaged"
        elif grouping == 0b1101:
            key = f"band_{band}"
        else:
            key = f"band_{TRIAL_DOSE_THRESHOLD}+" if trial else "band_trial_below"
        by_group[key] = row[5:]
    empty = (0, None, None, None, None, 0, 0) * len(MEASURES)
    groups = ["all", "dose_at_least_threshold", "dose_below_threshold", "engaged", "not_engaged"]
    bands = ["1", "2", "3", "4+", f"{TRIAL_DOSE_THRESHOLD}+"]
    for j, measure in enumerate(MEASURES):
        result[measure] = {}
        for group in groups:
            n_, b, f, d, ss, ab, out = by_group.get(group, empty)[7 * j : 7 * j + 7]
            entry = {
                "n": n_,
                "baseline_mean": _round(b),
                "follow_up_mean": _round(f),
                **_change(n_, d, ss),
            }
            if measure in BANDED:
                entry.update(
                    abnormal_at_baseline=ab, no_longer_abnormal=out, left_abnormal_pct=pct(out, ab)
                )
            result[measure][group] = entry
        result["dose_bands"][measure] = {}
        for band in bands:
            n_, _b, _f, d = by_group.get(f"band_{band}", empty)[7 * j : 7 * j + 4]
            result["dose_bands"][measure][band] = {"n": n_, "mean_change": _round(d)}

    adjusted = {}
    for measure in ADJUSTED_MEASURES:
        k = ADJUSTED_MEASURES.index(measure)
        y, x, practices = [], [], []
        for practice, born, sex, quintile, b_date, dose, engaged_, *scores in model_rows:
            baseline, follow_up = scores[2 * k], scores[2 * k + 1]
            if baseline is None or follow_up is None or quintile is None:
                continue
            y.append(float(follow_up))
            x.append(
                [
                    1.0,
                    float(baseline),
                    float(dose >= threshold),
                    float(engaged_),
                    float(age_on(born, b_date)),
                    float(sex == Sex.MALE),
                    float(quintile == 1),
                ]
            )
            practices.append(practice)
        adjusted[measure] = fit_mixed_model(
            np.array(y), np.array(x).reshape(len(y), 7), np.array(practices)
        )

    by_category = dict.fromkeys(ConcernCategory.values, 0)
    by_practice: dict[str, int] = {}
    for practice, category, count in concerns:
        by_category[category] += count
        by_practice[practice] = by_practice.get(practice, 0) + count
    labels = dict(ConcernCategory.choices)
    responses = sum(r[2] for r in survey)
    wellbeing = sum(r[3] for r in survey)
    give_up = sum(r[4] for r in survey)
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "settings": {
            "dose_threshold": threshold,
            "suppression_threshold": settings.LINKS_SUPPRESSION_THRESHOLD,
        },
        "practices": {"active": p_active, "new": p_new},
        "clps": {"active": c_active, "new": c_new},
        "participants": {
            "supported": n,
            "new": new,
            "quintile_known": q_known,
            "most_deprived_quintile_pct": pct(q1, q_known),
            "simd_unknown": n - q_known,
            "multi_domain": multi,
            "multi_domain_pct": pct(multi, n),
            "by_quintile": {
                "1": q1,
                "2": q2,
                "3": q3,
                "4": q4,
                "5": q5,
                "unknown": n - q_known,
            },
            "by_domain_count": {"0": n - any_domain, "1": m1, "2": m2, "3": m3},
            "dose_response": {"1": d1, "2": d2, "3": d3, "4+": d4},
        },
        "consultations": {
            "attended": attended,
            "did_not_attend": dna,
            "seen_twice_or_more": at_least,
            "seen_twice_or_more_pct": pct(at_least, n),
        },
        "referrals": {
            "made": made,
            "engaged": engaged,
            "engaged_pct": pct(engaged, made),
            "with_feedback": with_feedback,
            "appropriate": appropriate,
            "appropriate_pct": pct(appropriate, with_feedback),
            "by_category": {name: {"made": m, "engaged": e} for name, m, e in categories},
        },
        "flow": {
            "referred": new,
            "supported": n,
            "baseline_recorded": baselines,
            "follow_ups_due": follow_ups[0],
            "completed": follow_ups[1],
            "missed": follow_ups[2],
            "declined": follow_ups[3],
            "not_applicable": follow_ups[4],
            "still_open": follow_ups[5],
        },
        "attrition": attrition,
        "outcomes": result,
        "adjusted": adjusted,
        "staff_survey": {
            "responses": responses,
            "wellbeing_activities": wellbeing,
            "give_up_within_5y": give_up,
            "wellbeing_activities_pct": pct(wellbeing, responses),
            "give_up_within_5y_pct": pct(give_up, responses),
            "by_practice": [
                {
                    "code": code,
                    "name": name,
                    "responses": r,
                    "wellbeing_activities": w,
                    "give_up_within_5y": g,
                    "wellbeing_activities_pct": pct(w, r),
                    "give_up_within_5y_pct": pct(g, r),
                }
                for code, name, r, w, g in survey
            ],
        },
        "safeguarding": {
            "total": sum(by_category.values()),
            "by_category": {labels[k]: v for k, v in by_category.items()},
            "by_practice": dict(sorted(by_practice.items())),
        },
    }
