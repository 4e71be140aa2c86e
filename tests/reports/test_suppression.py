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
    # 3 alone would be 75 - 40 - 12 - 20; hiding 12 as well leaves two unknowns. The 12 is
    # not below 5, so it carries the secondary mark, never "<5".
    assert shown == {"1": "40", "2": "<5", "3": "*", "4": "20", "total": "75"}


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
    assert S.derived(66.7, 2, 3, fmt="{}%") == "†"
    assert S.derived(66.7, 20, 30, fmt="{}%") == "66.7%"
    assert S.derived(None, 0, 0) == "—"


def test_a_large_cell_hidden_to_protect_another_is_never_called_small():
    # The report printed "<5" for a SIMD quintile of 9: false. It is marked "*" instead.
    shown = S.group({"1": 60, "2": 9, "3": 2, "4": 20, "5": 11}, total=102)
    assert shown["3"] == "<5" and shown["2"] == "*"
    assert "<5" not in (shown["1"], shown["2"], shown["4"], shown["5"], shown["total"])


def test_a_total_hidden_to_protect_its_one_cell_is_marked_secondary_when_it_is_not_small():
    # Ten people, three of them in the one non-zero cell listed: the total would give it away.
    assert S.group({"a": 3, "b": 0}, total=10)["total"] == "*"


def test_a_percentage_is_hidden_when_its_numerator_alone_is_small():
    # "left the abnormal band 40.0 %" of 5 people is 2 people.
    assert S.derived(40.0, 5, 2, fmt="{}%") == "†"
    # staff survey "25.0 % of 12" is 3 people; "7.1 % of 14" is 1.
    assert S.derived(25.0, 12, 3, fmt="{}%") == "†"
    assert S.derived(7.1, 14, 1, fmt="{}%") == "†"


def test_a_percentage_is_hidden_when_its_denominator_alone_is_small():
    assert S.derived(75.0, 4, 3, fmt="{}%") == "†"


def test_a_mean_is_hidden_when_its_n_is():
    assert S.derived(12.5, 3, fmt="{:.2f}") == "†"
    assert S.derived(12.5, 30, fmt="{:.2f}") == "12.50"


def test_a_figure_worked_out_from_a_secondarily_hidden_cell_is_hidden():
    assert S.derived(20.0, 50, hidden=["*"], fmt="{}%") == "†"


def test_the_legend_explains_only_the_marks_used():
    assert [mark for mark, _ in S.legend(["12", "<5", "†"])] == ["<5", "†"]
    assert "not itself a small count" in dict(S.legend(["*"]))["*"]
