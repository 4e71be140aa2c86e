"""Known answers: every figure below was worked out by hand from tests/reports/known_programme.py.

People: P1 (quintile 1, two domains, seen 1 Dec 24, 1 Feb 25, 1 May 25; HADS 12/9 → 8/6,
exercise 1 → 3; engaged with a referral in Feb), P2 (quintile 2, one domain, seen 20 Jan,
did not attend 1 Mar; 15/11 → 14/12, exercise 0 → 0; referral only suggested), P3 (quintile
unknown, three domains, seen 5 Feb and 5 Mar; anxiety 10 → 6, depression incomplete at
baseline, exercise 2 → 5; attended a referral), P4 (did not attend only), P5 (seen in 2023
only), P6 (quintile 1, no needs, seen once, baseline only).
"""

from datetime import date

import pytest

from reports.statistics import programme_statistics
from tests.reports.known_programme import build_known_programme

YEAR = {"start": date(2025, 1, 1), "end": date(2025, 12, 31)}


@pytest.fixture
def stats(db):
    build_known_programme()
    return programme_statistics(**YEAR)


def test_practices_and_clps_active_and_new(stats):
    # Alpha (since 2017) and Beta (joined Mar 2025) are active; Gamma left in 2024.
    assert stats["practices"] == {"active": 2, "new": 1}
    assert stats["clps"] == {"active": 2, "new": 1}


def test_reach_deprivation_and_complexity(stats):
    p = stats["participants"]
    # Supported (an attended consultation in 2025): P1, P2, P3, P6. New: P2, P3, P4, P6.
    assert (p["supported"], p["new"]) == (4, 4)
    # Known quintiles among the supported: P1 (1), P2 (2), P6 (1); P3 unknown: 2 of 3.
    assert p["most_deprived_quintile_pct"] == 66.7
    assert p["simd_unknown"] == 1
    # Two or more domains: P1 (2) and P3 (3) of four.
    assert p["multi_domain_pct"] == 50.0
    # Attended consultations up to the end of 2025: P1 3, P2 1, P3 2, P6 1.
    assert p["dose_response"] == {"1": 2, "2": 1, "3": 1, "4+": 0}


def test_consultations(stats):
    # Attended in 2025: P1 2, P2 1, P3 2, P6 1; did not attend: P2 and P4.
    assert stats["consultations"] == {
        "attended": 6,
        "did_not_attend": 2,
        "seen_twice_or_more": 2,
        "seen_twice_or_more_pct": 50.0,  # P1 and P3 of four
    }


def test_referrals_and_categories(stats):
    r = stats["referrals"]
    # Made in 2025: P1 → Walk and Talk (engaged), P2 → Money Matters (suggested),
    # P3 → Walk and Talk (attended). P1's 2024 referral is outside the period.
    assert (r["made"], r["engaged"], r["engaged_pct"]) == (3, 2, 66.7)
    assert (r["with_feedback"], r["appropriate_pct"]) == (2, 50.0)
    assert r["by_category"]["Physical activity"] == {"made": 2, "engaged": 2}
    assert r["by_category"]["Mental wellbeing"] == {"made": 2, "engaged": 2}
    assert r["by_category"]["Money advice"] == {"made": 1, "engaged": 0}
    assert r["by_category"]["Housing"] == {"made": 0, "engaged": 0}


def test_anxiety_outcomes_overall_with_the_paired_interval(stats):
    # Changes -4 (P1), -1 (P2), -4 (P3): mean -3, sample SD sqrt(3), n 3,
    # half-width t(0.975, 2) * sqrt(3) / sqrt(3) = 4.302653.
    assert stats["outcomes"]["hads_anxiety"]["all"] == {
        "n": 3,
        "baseline_mean": 12.33,
        "follow_up_mean": 9.33,
        "mean_change": -3.0,
        "ci95_low": -7.3,
        "ci95_high": 1.3,
        "sd_change": 1.73,  # sqrt(3)
        "effect_size": -1.73,  # -3 / sqrt(3)
        "abnormal_at_baseline": 2,  # P1 (12) and P2 (15)
        "no_longer_abnormal": 1,
        "left_abnormal_pct": 50.0,  # P1 fell to 8, P2 stayed at 14
    }


def test_anxiety_by_dose_and_by_engagement(stats):
    o = stats["outcomes"]["hads_anxiety"]
    # Dose from baseline to follow-up: P1 3, P3 2 (at least 2); P2 1 (below).
    high = {
        "n": 2,
        "baseline_mean": 11.0,
        "follow_up_mean": 7.0,
        "mean_change": -4.0,
        "ci95_low": -4.0,  # both changed by exactly -4: no spread
        "ci95_high": -4.0,
        "sd_change": 0.0,
        "effect_size": None,  # no spread: no effect size
        "abnormal_at_baseline": 1,
        "no_longer_abnormal": 1,
        "left_abnormal_pct": 100.0,
    }
    low = {
        "n": 1,
        "baseline_mean": 15.0,
        "follow_up_mean": 14.0,
        "mean_change": -1.0,
        "ci95_low": None,  # no interval below two pairs
        "ci95_high": None,
        "sd_change": None,
        "effect_size": None,
        "abnormal_at_baseline": 1,
        "no_longer_abnormal": 0,
        "left_abnormal_pct": 0.0,
    }
    assert o["dose_at_least_threshold"] == high
    assert o["dose_below_threshold"] == low
    # Engaged by their follow-up: P1 (engaged) and P3 (attended); P2's was only suggested.
    assert o["engaged"] == high
    assert o["not_engaged"] == low


def test_depression_counts_only_complete_pairs(stats):
    # P3's baseline depression is incomplete, so only P1 (9 → 6) and P2 (11 → 12) count:
    # changes -3 and +1, mean -1, SD 2*sqrt(2), half-width 12.7062 * 2 = 25.4124.
    d = stats["outcomes"]["hads_depression"]["all"]
    assert (d["n"], d["baseline_mean"], d["follow_up_mean"], d["mean_change"]) == (
        2,
        10.0,
        9.0,
        -1.0,
    )
    assert (d["ci95_low"], d["ci95_high"]) == (-26.41, 24.41)
    assert (d["abnormal_at_baseline"], d["left_abnormal_pct"]) == (1, 0.0)
    # SD 2*sqrt(2) = 2.828; effect size -1 / 2.828 = -0.354.
    assert (d["sd_change"], d["effect_size"]) == (2.83, -0.35)


def test_exercise_outcomes(stats):
    # Changes +2, 0, +3: mean 5/3, SD sqrt(7/3), half-width 4.302653 * sqrt(7/9) = 3.7946.
    e = stats["outcomes"]["exercise_days"]["all"]
    assert e == {
        "n": 3,
        "baseline_mean": 1.0,
        "follow_up_mean": 2.67,
        "mean_change": 1.67,
        "ci95_low": -2.13,
        "ci95_high": 5.46,
        "sd_change": 1.53,  # sqrt(7/3) = 1.5275
        "effect_size": 1.09,  # (5/3) / 1.5275 = 1.0911
    }


def test_staff_survey(stats):
    s = stats["staff_survey"]
    assert (s["responses"], s["wellbeing_activities_pct"], s["give_up_within_5y_pct"]) == (
        5,
        60.0,
        20.0,
    )
    alpha, beta = s["by_practice"]
    assert (alpha["code"], alpha["responses"], alpha["wellbeing_activities_pct"]) == (
        "90001",
        3,
        66.7,
    )
    assert (alpha["give_up_within_5y_pct"], beta["responses"], beta["give_up_within_5y_pct"]) == (
        33.3,
        2,
        0.0,
    )


def test_a_year_with_no_follow_ups_has_empty_outcomes_not_errors(db):
    build_known_programme()
    stats = programme_statistics(start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert stats["outcomes"]["hads_anxiety"]["all"]["n"] == 0
    assert stats["outcomes"]["hads_anxiety"]["all"]["mean_change"] is None
    assert stats["outcomes"]["hads_anxiety"]["all"]["left_abnormal_pct"] is None
    assert stats["staff_survey"]["wellbeing_activities_pct"] == 100.0


def test_an_empty_programme_gives_nulls_for_every_percentage(db):
    stats = programme_statistics(**YEAR)
    assert stats["participants"]["supported"] == 0
    assert stats["participants"]["most_deprived_quintile_pct"] is None
    assert stats["consultations"]["seen_twice_or_more_pct"] is None
    assert stats["referrals"]["engaged_pct"] is None


def test_the_dose_threshold_is_a_setting(db, settings):
    build_known_programme()
    settings.LINKS_DOSE_THRESHOLD = 3
    stats = programme_statistics(**YEAR)
    # Only P1 saw the CLP three times: 1 of 4 supported; by dose, P1 alone is at least 3.
    assert stats["consultations"]["seen_twice_or_more_pct"] == 25.0
    assert stats["outcomes"]["hads_anxiety"]["dose_at_least_threshold"]["n"] == 1


@pytest.mark.parametrize("extra", [0, 5])
def test_the_statistics_take_the_same_queries_however_much_data(
    db, extra, django_assert_num_queries
):
    from django.db import connection

    build_known_programme()
    from tests.factories import ConsultationFactory

    for _ in range(extra):
        ConsultationFactory(date=date(2025, 6, 1))
    # practices, CLPs active, CLPs new; the supported by participant, their needs' domains,
    # the new; consultations, referrals, categories, staff survey overall and per practice;
    # safeguarding concerns by practice and category; the flow's baselines; the follow-ups
    # due, once, for the flow and the attrition table; and the pairs in groups, once, for
    # both the outcomes and the mixed model. Around them, a savepoint pair (one
    # transaction), and on PostgreSQL the statement that turns JIT compilation off for it.
    with django_assert_num_queries(16 + (connection.vendor == "postgresql")):
        programme_statistics(**YEAR)


def test_the_adjusted_analysis_says_why_it_was_not_fitted_on_two_people(stats):
    # P1 and P2; P3's quintile is unknown, so the model leaves P3 out.
    a = stats["adjusted"]["hads_anxiety"]
    assert a["n"] == 2
    assert a["dose"] == {"coef": None, "ci95_low": None, "ci95_high": None, "p_value": None}
    assert a["reason"] == "Not fitted: 2 people with both scores, fewer than 30."
    assert "adjusted" not in stats["outcomes"]


def test_the_flow_and_the_trials_dose_band(stats):
    assert stats["flow"]["supported"] == stats["participants"]["supported"]
    assert stats["flow"]["referred"] == stats["participants"]["new"]
    bands = stats["outcomes"]["dose_bands"]["hads_anxiety"]
    assert bands["3+"]["n"] == bands["3"]["n"] + bands["4+"]["n"]
