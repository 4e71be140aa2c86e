import pytest

from reports.suppression import Suppressor

S = Suppressor(5)


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (1234, "1,234"), (None, "—")]
)
def test_counts_from_one_to_four_are_hidden_and_zero_is_not(value, shown):
    assert S.count(value) == shown


def test_the_threshold_is_a_setting(settings):
    settings.LINKS_SUPPRESSION_THRESHOLD = 10
    assert Suppressor.from_settings().count(7) == "<10"


def test_one_small_cell_beside_a_total_takes_the_next_smallest_with_it():
    shown = S.group({"1": 40, "2": 3, "3": 12, "4": 20}, total=75)
    # 3 alone would be 75 - 40 - 12 - 20; hiding 12 as well leaves two unknowns.
    assert shown == {"1": "40", "2": "<5", "3": "<5", "4": "20", "total": "75"}


def test_two_small_cells_already_protect_each_other():
    shown = S.group({"a": 2, "b": 3, "c": 30}, total=35)
    assert shown == {"a": "<5", "b": "<5", "c": "30", "total": "35"}


def test_a_lone_small_cell_hides_the_total_too():
    assert S.group({"a": 3, "b": 0}, total=3) == {"a": "<5", "b": "0", "total": "<5"}


def test_without_a_shown_total_only_small_cells_are_hidden():
    assert S.group({"a": 3, "b": 30}) == {"a": "<5", "b": "30"}


def test_nothing_small_means_nothing_hidden():
    assert S.group({"a": 10, "b": 0, "c": 7}, total=17) == {
        "a": "10",
        "b": "0",
        "c": "7",
        "total": "17",
    }


def test_a_percentage_of_a_hidden_count_is_hidden():
    assert S.derived(66.7, 2, 3, fmt="{}%") == "<5"
    assert S.derived(66.7, 20, 30, fmt="{}%") == "66.7%"
    assert S.derived(None, 0, 0) == "—"
