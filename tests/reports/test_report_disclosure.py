"""Disclosure control in the annual report, one case each: a hidden cell says truthfully why
it is hidden, and a figure worked out from a hidden count is hidden with it."""

import copy
from datetime import date

import pytest

from reports.rendering import render_report_html, report_context
from reports.statistics import programme_statistics
from reports.suppression import Suppressor
from tests.reports.known_programme import build_known_programme

S = Suppressor(5)


@pytest.fixture
def stats(db):
    build_known_programme()
    return programme_statistics(start=date(2025, 1, 1), end=date(2025, 12, 31))


def _big(stats: dict) -> dict:
    """The known programme's figures scaled up so that nothing is hidden unless a test
    makes it small."""
    s = copy.deepcopy(stats)
    p = s["participants"]
    p["by_quintile"] = {"1": 60, "2": 9, "3": 20, "4": 11, "5": 30, "unknown": 0}
    p["supported"] = 130
    p["quintile_known"] = 130
    p["by_domain_count"] = {"0": 10, "1": 32, "2": 50, "3": 38}
    p["dose_response"] = {"1": 30, "2": 30, "3": 30, "4+": 40}
    return s


def test_a_cell_hidden_to_protect_another_is_marked_and_explained_never_called_small(stats):
    s = _big(stats)
    s["participants"]["by_quintile"].update({"3": 2, "5": 48})  # one small quintile
    context = report_context(s, suppressor=S)
    assert context["quintiles"]["3"] == "<5"
    assert context["quintiles"]["2"] == "*"  # 9 people: hidden to protect quintile 3
    html = render_report_html(s)
    assert "not itself a small count" in html


def test_a_share_whose_numerator_is_small_is_hidden(stats):
    s = _big(stats)
    o = s["outcomes"]["hads_anxiety"]["all"]
    # "left the abnormal band 40.0 %" of 5 people: 2 people.
    o.update(n=40, abnormal_at_baseline=5, no_longer_abnormal=2, left_abnormal_pct=40.0)
    rows = report_context(s, suppressor=S)["outcome_rows"]
    row = next(r for r in rows if r["key"] == "hads_anxiety" and r["abnormal"] == "5")
    assert row["left_abnormal"] == "†"


def test_a_staff_survey_share_of_a_few_people_is_hidden(stats):
    s = _big(stats)
    s["staff_survey"]["by_practice"] = [
        {
            "code": "90001",
            "name": "Alpha",
            "responses": 12,
            "wellbeing_activities": 3,
            "give_up_within_5y": 1,
            "wellbeing_activities_pct": 25.0,
            "give_up_within_5y_pct": 8.3,
        }
    ]
    [row] = report_context(s, suppressor=S)["survey_rows"]
    assert (row["responses"], row["wellbeing"], row["give_up"]) == ("12", "†", "†")


def test_a_mean_of_a_few_people_is_hidden_and_the_table_says_why(stats):
    context = report_context(stats, suppressor=S)
    row = next(r for r in context["outcome_rows"] if r["key"] == "hads_anxiety")
    assert row["n"] == "<5" and row["change"] == "†" and row["effect"] == "†"
    assert ("†", "hidden because it is worked out from a hidden count") in context["legends"][
        "outcomes"
    ]


def test_the_most_deprived_share_is_hidden_when_quintile_1_is(stats):
    s = _big(stats)
    s["participants"]["by_quintile"].update({"1": 3, "5": 87})
    assert report_context(s, suppressor=S)["headline"]["most_deprived"] == "†"


def test_the_appendix_states_the_rules_and_where_the_raw_figures_come_from(stats):
    html = render_report_html(stats)
    assert "Disclosure control" in html and "never as" in html
    assert "annual_report" in html
