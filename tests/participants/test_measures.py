"""Scoring of the outcome measures. Most tests build unsaved assessments: the rules are pure
and need no database."""

import dataclasses
from datetime import date

import pytest

from participants.measures import (
    HadsScores,
    apply_scores,
    eq5d_profile,
    hads_band,
    hads_scores,
    measure_completeness,
    ons4_band,
    wemwbs_total,
)
from participants.models import Assessment
from participants.models.assessment import (
    EQ5D_DIMENSIONS,
    HADS_ITEMS,
    ONS4_ITEMS,
    WEMWBS_ITEMS,
    Timepoint,
)


def _hads(*, anxiety: list[int | None], depression: list[int | None]) -> list[int | None]:
    """Interleave the subscales into questionnaire order: item 1 anxiety, item 2 depression."""
    items: list[int | None] = []
    for a, d in zip(anxiety, depression, strict=True):
        items += [a, d]
    return items


def _complete_fields() -> dict[str, int]:
    """Every item of every measure answered, with values that differ between subscales."""
    fields: dict[str, int] = {}
    fields.update({name: 1 for name in HADS_ITEMS[0::2]})  # anxiety 7
    fields.update({name: 2 for name in HADS_ITEMS[1::2]})  # depression 14
    fields.update({name: 3 for name in WEMWBS_ITEMS})  # total 42
    fields.update({name: 2 for name in EQ5D_DIMENSIONS})
    fields.update({name: 5 for name in ONS4_ITEMS})
    fields.update(eq5d_vas=70, exercise_days=3)
    return fields


# HADS subscales


def test_no_symptoms_scores_zero_on_both_hads_subscales():
    assert hads_scores([0] * 14) == HadsScores(anxiety=0, depression=0)


def test_every_item_at_three_scores_the_maximum_of_twenty_one_on_both_subscales():
    assert hads_scores([3] * 14) == HadsScores(anxiety=21, depression=21)


def test_odd_numbered_items_make_the_anxiety_subscale_and_even_ones_depression():
    assert hads_scores([3, 0] * 7) == HadsScores(anxiety=21, depression=0)
    assert hads_scores([0, 3] * 7) == HadsScores(anxiety=0, depression=21)


def test_each_item_counts_towards_its_own_subscale_only_once():
    items = _hads(anxiety=[0, 1, 2, 3, 0, 1, 2], depression=[3, 3, 2, 2, 1, 1, 0])
    assert hads_scores(items) == HadsScores(anxiety=9, depression=12)


def test_the_last_item_is_a_depression_item():
    assert hads_scores([0] * 13 + [3]) == HadsScores(anxiety=0, depression=3)


def test_hads_items_may_come_as_a_tuple():
    assert hads_scores(tuple([1] * 14)) == HadsScores(anxiety=7, depression=7)


@pytest.mark.parametrize("item", [1, 3, 5, 7, 9, 11, 13])
def test_a_missing_anxiety_item_leaves_the_anxiety_score_empty_but_depression_scored(item):
    items: list[int | None] = [2] * 14
    items[item - 1] = None
    assert hads_scores(items) == HadsScores(anxiety=None, depression=14)


@pytest.mark.parametrize("item", [2, 4, 6, 8, 10, 12, 14])
def test_a_missing_depression_item_leaves_the_depression_score_empty_but_anxiety_scored(item):
    items: list[int | None] = [2] * 14
    items[item - 1] = None
    assert hads_scores(items) == HadsScores(anxiety=14, depression=None)


def test_an_unanswered_hads_questionnaire_has_no_scores():
    assert hads_scores([None] * 14) == HadsScores(anxiety=None, depression=None)


def test_a_missing_item_is_not_scored_as_zero_even_when_the_rest_are_zero():
    assert hads_scores([None] + [0] * 13).anxiety is None


@pytest.mark.parametrize("count", [0, 7, 13, 15, 28])
def test_hads_needs_exactly_fourteen_items(count):
    with pytest.raises(ValueError, match="14 items"):
        hads_scores([0] * count)


@pytest.mark.parametrize("value", [-1, 4, 10])
def test_a_hads_item_outside_nought_to_three_is_rejected(value):
    items: list[int | None] = [0] * 14
    items[5] = value
    with pytest.raises(ValueError, match="item 6"):
        hads_scores(items)


@pytest.mark.parametrize("value", [1.5, "2", True])
def test_a_hads_item_that_is_not_a_whole_number_is_rejected(value):
    with pytest.raises(ValueError):
        hads_scores([value] + [0] * 13)


def test_an_out_of_range_item_is_rejected_even_when_another_item_is_missing():
    with pytest.raises(ValueError):
        hads_scores([None, 4] + [0] * 12)


def test_hads_scores_cannot_be_altered_after_scoring():
    scores = hads_scores([0] * 14)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scores.anxiety = 21  # type: ignore[misc]


# HADS bands


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "normal"),
        (7, "normal"),
        (8, "borderline"),
        (10, "borderline"),
        (11, "abnormal"),
        (21, "abnormal"),
    ],
)
def test_hads_bands_change_at_eight_and_eleven(score, band):
    assert hads_band(score) == band


def test_an_empty_hads_score_has_no_band():
    assert hads_band(None) is None


@pytest.mark.parametrize("score", [-1, 22, 42])
def test_a_hads_score_outside_nought_to_twenty_one_has_no_band(score):
    with pytest.raises(ValueError):
        hads_band(score)


# WEMWBS


def test_the_lowest_wemwbs_answers_total_fourteen():
    assert wemwbs_total([1] * 14) == 14


def test_the_highest_wemwbs_answers_total_seventy():
    assert wemwbs_total([5] * 14) == 70


def test_the_wemwbs_total_is_the_sum_of_all_fourteen_items():
    assert wemwbs_total([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4]) == 40


@pytest.mark.parametrize("item", range(1, 15))
def test_a_missing_wemwbs_item_leaves_the_total_empty(item):
    items: list[int | None] = [5] * 14
    items[item - 1] = None
    assert wemwbs_total(items) is None


@pytest.mark.parametrize("value", [0, 6])
def test_a_wemwbs_item_outside_one_to_five_is_rejected(value):
    with pytest.raises(ValueError, match="item 14"):
        wemwbs_total([3] * 13 + [value])


@pytest.mark.parametrize("count", [0, 13, 15])
def test_wemwbs_needs_exactly_fourteen_items(count):
    with pytest.raises(ValueError, match="14 items"):
        wemwbs_total([3] * count)


# ONS4


_POSITIVE_QUESTIONS = ["life_satisfaction", "worthwhile", "happiness"]


@pytest.mark.parametrize("question", _POSITIVE_QUESTIONS)
@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "low"),
        (4, "low"),
        (5, "medium"),
        (6, "medium"),
        (7, "high"),
        (8, "high"),
        (9, "very high"),
        (10, "very high"),
    ],
)
def test_the_three_positive_ons4_questions_use_the_ons_thresholds(question, score, band):
    assert ons4_band(question=question, score=score) == band


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "very low"),
        (1, "very low"),
        (2, "low"),
        (3, "low"),
        (4, "medium"),
        (5, "medium"),
        (6, "high"),
        (10, "high"),
    ],
)
def test_ons4_anxiety_uses_its_own_thresholds_because_a_high_score_is_worse(score, band):
    assert ons4_band(question="anxiety", score=score) == band


@pytest.mark.parametrize("question", [*_POSITIVE_QUESTIONS, "anxiety"])
def test_an_unanswered_ons4_question_has_no_band(question):
    assert ons4_band(question=question, score=None) is None


@pytest.mark.parametrize("question", ["ons_anxiety", "Happiness", "", "wellbeing"])
def test_an_unknown_ons4_question_is_rejected_even_without_a_score(question):
    with pytest.raises(ValueError, match="Unknown ONS4 question"):
        ons4_band(question=question, score=None)


@pytest.mark.parametrize("question", [*_POSITIVE_QUESTIONS, "anxiety"])
@pytest.mark.parametrize("score", [-1, 11])
def test_an_ons4_score_outside_nought_to_ten_is_rejected(question, score):
    with pytest.raises(ValueError, match="0-10"):
        ons4_band(question=question, score=score)


def test_the_ons4_question_must_be_named_so_it_cannot_be_swapped_with_the_score():
    with pytest.raises(TypeError):
        ons4_band("anxiety", 3)  # type: ignore[misc]


# EQ-5D-5L


def test_the_eq5d_profile_is_the_five_levels_in_dimension_order():
    assert eq5d_profile([1, 1, 2, 2, 3]) == "11223"
    assert eq5d_profile([5, 4, 3, 2, 1]) == "54321"


def test_full_health_on_the_eq5d_is_state_11111():
    assert eq5d_profile([1] * 5) == "11111"


@pytest.mark.parametrize("dimension", range(5))
def test_a_missing_eq5d_dimension_leaves_no_profile(dimension):
    levels: list[int | None] = [2] * 5
    levels[dimension] = None
    assert eq5d_profile(levels) is None


@pytest.mark.parametrize("value", [0, 6])
def test_an_eq5d_level_outside_one_to_five_is_rejected(value):
    with pytest.raises(ValueError):
        eq5d_profile([1, 1, value, 1, 1])


@pytest.mark.parametrize("count", [0, 3, 4, 6])
def test_the_eq5d_profile_needs_exactly_five_dimensions(count):
    with pytest.raises(ValueError, match="5 items"):
        eq5d_profile([1] * count)


# Applying scores to an assessment


def test_apply_scores_sets_the_subscales_and_total_from_the_items():
    assessment = Assessment(**_complete_fields())
    apply_scores(assessment)
    assert (assessment.hads_anxiety, assessment.hads_depression) == (7, 14)
    assert assessment.wemwbs_total == 42


def test_apply_scores_returns_the_fields_it_set_for_update_fields():
    fields = apply_scores(Assessment(**_complete_fields()))
    assert sorted(fields) == [
        "eq5d_index",
        "hads_anxiety",
        "hads_depression",
        "swemwbs",
        "wemwbs_total",
    ]
    model_fields = {f.name for f in Assessment._meta.get_fields()}
    assert set(fields) <= model_fields


def test_apply_scores_reads_each_hads_item_from_its_own_field():
    fields = {name: 0 for name in HADS_ITEMS}
    fields.update(hads_13=3, hads_14=2)
    assessment = Assessment(**fields)
    apply_scores(assessment)
    assert (assessment.hads_anxiety, assessment.hads_depression) == (3, 2)


def test_a_missing_item_leaves_the_anxiety_score_empty():
    fields = _complete_fields()
    fields.pop("hads_7")
    assessment = Assessment(**fields)
    apply_scores(assessment)
    assert assessment.hads_anxiety is None
    assert assessment.hads_depression == 14
    assert assessment.wemwbs_total == 42


def test_a_missing_wemwbs_item_leaves_the_wemwbs_total_empty():
    fields = _complete_fields()
    fields.pop("wemwbs_14")
    assessment = Assessment(**fields)
    apply_scores(assessment)
    assert assessment.wemwbs_total is None
    assert assessment.hads_anxiety == 7


def test_apply_scores_clears_stale_scores_when_items_are_no_longer_complete():
    assessment = Assessment(hads_anxiety=15, hads_depression=12, wemwbs_total=50)
    apply_scores(assessment)
    assert (assessment.hads_anxiety, assessment.hads_depression) == (None, None)
    assert assessment.wemwbs_total is None


def test_apply_scores_leaves_a_typed_in_score_no_say_over_the_items():
    fields = _complete_fields()
    assessment = Assessment(**fields, hads_anxiety=20, wemwbs_total=14)
    apply_scores(assessment)
    assert assessment.hads_anxiety == 7
    assert assessment.wemwbs_total == 42


def test_apply_scores_rejects_an_item_outside_its_range():
    fields = _complete_fields()
    fields["hads_2"] = 4
    with pytest.raises(ValueError):
        apply_scores(Assessment(**fields))


@pytest.mark.django_db
def test_the_fields_apply_scores_returns_save_the_new_scores(participant_a, clp_a):
    fields = _complete_fields()
    assessment = Assessment(
        participant=participant_a,
        timepoint=Timepoint.BASELINE,
        date=date(2025, 1, 15),
        recorded_by=clp_a,
        **fields,
    )
    apply_scores(assessment)
    assessment.save()
    assessment.hads_1 = 3  # anxiety 7 -> 9
    assessment.hads_2 = None
    assessment.save(update_fields=[*apply_scores(assessment), "hads_1", "hads_2"])
    assessment.refresh_from_db()
    assert (assessment.hads_anxiety, assessment.hads_depression) == (9, None)
    assert assessment.wemwbs_total == 42


# Completeness


_ALL_MEASURES = ["hads_anxiety", "hads_depression", "exercise_days", "eq5d", "wemwbs", "ons4"]


def test_an_empty_assessment_has_no_complete_measure():
    assert measure_completeness(Assessment()) == dict.fromkeys(_ALL_MEASURES, False)


def test_a_fully_answered_assessment_has_every_measure_complete():
    assert measure_completeness(Assessment(**_complete_fields())) == dict.fromkeys(
        _ALL_MEASURES, True
    )


def test_zero_answers_count_as_answered():
    fields = _complete_fields()
    fields.update({name: 0 for name in HADS_ITEMS})
    fields.update({name: 0 for name in ONS4_ITEMS})
    fields.update(exercise_days=0, eq5d_vas=0)
    assert all(measure_completeness(Assessment(**fields)).values())


@pytest.mark.parametrize(
    ("missing", "measure"),
    [
        ("hads_1", "hads_anxiety"),
        ("hads_13", "hads_anxiety"),
        ("hads_2", "hads_depression"),
        ("hads_14", "hads_depression"),
        ("exercise_days", "exercise_days"),
        ("eq5d_mobility", "eq5d"),
        ("eq5d_anxiety_depression", "eq5d"),
        ("eq5d_vas", "eq5d"),
        ("wemwbs_1", "wemwbs"),
        ("wemwbs_14", "wemwbs"),
        ("ons_life_satisfaction", "ons4"),
        ("ons_anxiety", "ons4"),
    ],
)
def test_one_missing_item_makes_only_its_own_measure_incomplete(missing, measure):
    fields = _complete_fields()
    fields.pop(missing)
    expected = dict.fromkeys(_ALL_MEASURES, True)
    expected[measure] = False
    assert measure_completeness(Assessment(**fields)) == expected


def test_completeness_does_not_depend_on_scores_having_been_applied():
    fields = _complete_fields()
    assessment = Assessment(**fields)
    assert assessment.hads_anxiety is None
    assert measure_completeness(assessment)["hads_anxiety"] is True
