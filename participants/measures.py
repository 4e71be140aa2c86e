"""Scoring of the outcome measures recorded in an `Assessment`.

Pure functions, no database access: the same rules serve the service that saves an
assessment, the reports and the tests. Scores are computed only from complete item sets,
because a partly answered questionnaire scored as if complete would understate distress or
wellbeing and could not be told apart from a genuine low score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from participants.models.assessment import (
    EQ5D_DIMENSIONS,
    HADS_ITEMS,
    ONS4_ITEMS,
    WEMWBS_ITEMS,
)

if TYPE_CHECKING:
    from participants.models import Assessment

HADS_ITEM_COUNT = 14
WEMWBS_ITEM_COUNT = 14
EQ5D_DIMENSION_COUNT = 5

# The ONS publishes these thresholds for its four personal well-being questions. Anxiety
# runs the other way (a high score is worse), so it has its own bands.
_ONS4_POSITIVE_BANDS = ((4, "low"), (6, "medium"), (8, "high"), (10, "very high"))
_ONS4_ANXIETY_BANDS = ((1, "very low"), (3, "low"), (5, "medium"), (10, "high"))
ONS4_BANDS: dict[str, tuple[tuple[int, str], ...]] = {
    "life_satisfaction": _ONS4_POSITIVE_BANDS,
    "worthwhile": _ONS4_POSITIVE_BANDS,
    "happiness": _ONS4_POSITIVE_BANDS,
    "anxiety": _ONS4_ANXIETY_BANDS,
}

# Odd-numbered HADS items (1, 3, ... 13) are the anxiety subscale, even-numbered the
# depression subscale.
_HADS_ANXIETY_ITEMS = HADS_ITEMS[0::2]
_HADS_DEPRESSION_ITEMS = HADS_ITEMS[1::2]


@dataclass(frozen=True)
class HadsScores:
    anxiety: int | None
    depression: int | None


def _check_items(
    items: Sequence[int | None], *, name: str, count: int, low: int, high: int
) -> list[int | None]:
    """Reject impossible input loudly: a wrong item count or an off-key value means the
    caller has mixed up instruments or keying, and a score from it would be wrong, not
    merely missing."""
    values = list(items)
    if len(values) != count:
        raise ValueError(f"{name} has {count} items; got {len(values)}.")
    for position, value in enumerate(values, start=1):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name} item {position} must be {low}-{high}; got {value!r}.")
    return values


def _sum_if_complete(values: Sequence[int | None]) -> int | None:
    """None rather than a partial sum, so an incomplete questionnaire is never scored."""
    answered = [value for value in values if value is not None]
    if len(answered) != len(values):
        return None
    return sum(answered)


def hads_scores(items: Sequence[int | None]) -> HadsScores:
    """Anxiety and depression subscales (each 0-21) from the 14 HADS items, keyed 0-3.

    Each subscale stands alone: a missing anxiety item leaves depression scorable, since the
    subscales are interpreted separately."""
    values = _check_items(items, name="HADS", count=HADS_ITEM_COUNT, low=0, high=3)
    return HadsScores(
        anxiety=_sum_if_complete(values[0::2]),
        depression=_sum_if_complete(values[1::2]),
    )


def hads_band(score: int | None) -> str | None:
    """The published HADS subscale bands, so screens and reports describe a score the same
    way: normal 0-7, borderline 8-10, abnormal 11-21."""
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 21:
        raise ValueError(f"A HADS subscale score is 0-21; got {score!r}.")
    if score <= 7:
        return "normal"
    if score <= 10:
        return "borderline"
    return "abnormal"


def wemwbs_total(items: Sequence[int | None]) -> int | None:
    """The WEMWBS total (14-70) from its 14 items, each 1-5; None when any is missing,
    because the scale has no validated rule for imputing missing items here."""
    values = _check_items(items, name="WEMWBS", count=WEMWBS_ITEM_COUNT, low=1, high=5)
    return _sum_if_complete(values)


# The seven WEMWBS items that make up SWEMWBS (items 1, 2, 3, 6, 7, 9 and 11).
SWEMWBS_ITEMS = [WEMWBS_ITEMS[number - 1] for number in (1, 2, 3, 6, 7, 9, 11)]

# Warwick's published Rasch conversion of the SWEMWBS raw total (7-35) to its metric score:
# the raw total is not an interval scale, and studies compare only converted scores.
SWEMWBS_METRIC: dict[int, float] = {
    7: 7.00,
    8: 9.51,
    9: 11.25,
    10: 12.40,
    11: 13.33,
    12: 14.08,
    13: 14.75,
    14: 15.32,
    15: 15.84,
    16: 16.36,
    17: 16.88,
    18: 17.43,
    19: 17.98,
    20: 18.59,
    21: 19.25,
    22: 19.98,
    23: 20.73,
    24: 21.54,
    25: 22.35,
    26: 23.21,
    27: 24.11,
    28: 25.03,
    29: 26.02,
    30: 27.03,
    31: 28.13,
    32: 29.31,
    33: 30.70,
    34: 32.55,
    35: 35.00,
}

# The EQ-5D-5L value set for England (Devlin et al. 2018, Health Economics 27:7-22): the
# decrement for each level 2-5 of each dimension, in the order of EQ5D_DIMENSIONS
# (mobility, self-care, usual activities, pain/discomfort, anxiety/depression). Level 1
# takes nothing away; the index is 1 minus the five decrements, so 55555 = -0.285.
EQ5D_ENGLAND_DECREMENTS: tuple[tuple[float, float, float, float], ...] = (
    (0.058, 0.076, 0.207, 0.274),
    (0.050, 0.080, 0.164, 0.203),
    (0.050, 0.063, 0.162, 0.184),
    (0.063, 0.084, 0.276, 0.335),
    (0.078, 0.104, 0.285, 0.289),
)


def swemwbs_score(wemwbs_items: Sequence[int | None]) -> float | None:
    """The SWEMWBS metric score (7.00-35.00) from the 14 WEMWBS items, through Warwick's
    conversion table; None when any of its seven items is missing."""
    values = _check_items(wemwbs_items, name="WEMWBS", count=WEMWBS_ITEM_COUNT, low=1, high=5)
    raw = _sum_if_complete([values[WEMWBS_ITEMS.index(name)] for name in SWEMWBS_ITEMS])
    return None if raw is None else SWEMWBS_METRIC[raw]


def eq5d_index(dimensions: Sequence[int | None]) -> float | None:
    """The EQ-5D-5L index for England (Devlin et al. 2018), from -0.285 (55555) to 1
    (11111), to three decimals as the value set is published; None when a dimension is
    missing."""
    values = _check_items(dimensions, name="EQ-5D-5L", count=EQ5D_DIMENSION_COUNT, low=1, high=5)
    if any(value is None for value in values):
        return None
    decrement = sum(
        EQ5D_ENGLAND_DECREMENTS[d][level - 2]
        for d, level in enumerate(values)
        if level is not None and level > 1
    )
    return round(1.0 - decrement, 3)


def ons4_band(*, question: str, score: int | None) -> str | None:
    """The ONS threshold band for one personal well-being answer (0-10), using the ONS's
    own cut-offs so figures can be compared with national statistics."""
    try:
        bands = ONS4_BANDS[question]
    except KeyError:
        raise ValueError(
            f"Unknown ONS4 question {question!r}; expected one of {sorted(ONS4_BANDS)}."
        ) from None
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise ValueError(f"An ONS4 answer is 0-10; got {score!r}.")
    for upper, band in bands[:-1]:
        if score <= upper:
            return band
    return bands[-1][1]


EQ5D_LEVELS = {
    1: "no problems",
    2: "slight problems",
    3: "moderate problems",
    4: "severe problems",
    5: "extreme problems",
}


def eq5d_level(score: int | None) -> str | None:
    """The words of an EQ-5D-5L dimension's level, as the questionnaire puts them."""
    if score is None:
        return None
    try:
        return EQ5D_LEVELS[score]
    except KeyError:
        raise ValueError(f"An EQ-5D-5L level is 1-5; got {score!r}.") from None


def eq5d_profile(dimensions: Sequence[int | None]) -> str | None:
    """The EQ-5D-5L health state ("11223"): the form in which EuroQol value sets and
    reports take it. None when any dimension is missing, as no state can be named."""
    values = _check_items(dimensions, name="EQ-5D-5L", count=EQ5D_DIMENSION_COUNT, low=1, high=5)
    if any(value is None for value in values):
        return None
    return "".join(str(value) for value in values)


def apply_scores(assessment: Assessment) -> list[str]:
    """Set the derived scores from the items, so they are never typed in and never disagree
    with the items. A score is cleared, not kept, when its items become incomplete.

    Returns the fields set, for `save(update_fields=...)`. Raises ValueError for an item
    outside its instrument's range, so run field validation first for a form error."""
    scores = hads_scores([getattr(assessment, name) for name in HADS_ITEMS])
    assessment.hads_anxiety = scores.anxiety
    assessment.hads_depression = scores.depression
    wemwbs = [getattr(assessment, name) for name in WEMWBS_ITEMS]
    assessment.wemwbs_total = wemwbs_total(wemwbs)
    assessment.swemwbs = swemwbs_score(wemwbs)
    assessment.eq5d_index = eq5d_index([getattr(assessment, name) for name in EQ5D_DIMENSIONS])
    return ["hads_anxiety", "hads_depression", "wemwbs_total", "swemwbs", "eq5d_index"]


def measure_completeness(assessment: Assessment) -> dict[str, bool]:
    """Which measures were fully answered, so reports can count usable measures rather than
    assessments. EQ-5D counts the visual analogue scale as one of its items."""

    def present(names: Sequence[str]) -> bool:
        return all(getattr(assessment, name) is not None for name in names)

    return {
        "hads_anxiety": present(_HADS_ANXIETY_ITEMS),
        "hads_depression": present(_HADS_DEPRESSION_ITEMS),
        "exercise_days": present(["exercise_days"]),
        "eq5d": present([*EQ5D_DIMENSIONS, "eq5d_vas"]),
        "wemwbs": present(WEMWBS_ITEMS),
        "ons4": present(ONS4_ITEMS),
    }
