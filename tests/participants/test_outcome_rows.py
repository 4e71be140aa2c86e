"""The participant page's outcome rows: the newer scores appear, with the ONS's bands for
ONS4 answers and the published bands for HADS."""

from participants.measures import apply_scores
from participants.models import Assessment
from participants.selectors import outcome_rows


def _assessment(**items) -> Assessment:
    assessment = Assessment(**items)
    apply_scores(assessment)
    return assessment


def test_the_newer_scores_are_shown_with_the_ons_bands():
    baseline = _assessment(
        ons_life_satisfaction=4,
        ons_anxiety=7,
        eq5d_mobility=1,
        eq5d_self_care=1,
        eq5d_usual_activities=1,
        eq5d_pain_discomfort=1,
        eq5d_anxiety_depression=2,
        **{f"wemwbs_{n}": 3 for n in range(1, 15)},
    )
    follow_up = _assessment(ons_life_satisfaction=9, ons_anxiety=1)
    rows = {row.label: row for row in outcome_rows(baseline=baseline, follow_up=follow_up)}
    life = rows["ONS4 life satisfaction (0–10)"]
    assert (life.baseline_band, life.follow_up_band) == ("low", "very high")
    anxious = rows["ONS4 anxious yesterday (0–10)"]
    assert (anxious.baseline_band, anxious.follow_up_band) == ("high", "very low")
    assert rows["EQ-5D-5L index, England (−0.285–1)"].baseline == 0.922  # 11112
    assert rows["SWEMWBS metric score (7–35)"].baseline == 19.25  # raw 21
    assert rows["WEMWBS (14–70)"].baseline == 42
