"""The published tables the system scores with, pinned: Warwick's SWEMWBS conversion, row by
row, and the England EQ-5D-5L value set at states worked out by hand from Devlin et al.
2018's coefficients."""

import pytest

from participants.measures import SWEMWBS_ITEMS, eq5d_index, swemwbs_score
from participants.models.assessment import WEMWBS_ITEMS

# Warwick's SWEMWBS raw total → metric score table, every row.
WARWICK = [
    (7, 7.00),
    (8, 9.51),
    (9, 11.25),
    (10, 12.40),
    (11, 13.33),
    (12, 14.08),
    (13, 14.75),
    (14, 15.32),
    (15, 15.84),
    (16, 16.36),
    (17, 16.88),
    (18, 17.43),
    (19, 17.98),
    (20, 18.59),
    (21, 19.25),
    (22, 19.98),
    (23, 20.73),
    (24, 21.54),
    (25, 22.35),
    (26, 23.21),
    (27, 24.11),
    (28, 25.03),
    (29, 26.02),
    (30, 27.03),
    (31, 28.13),
    (32, 29.31),
    (33, 30.70),
    (34, 32.55),
    (35, 35.00),
]


def _wemwbs_with_swemwbs_raw(raw: int, others: int = 3) -> list[int | None]:
    """Fourteen WEMWBS items whose seven SWEMWBS items add up to `raw`."""
    items: dict[str, int] = {name: others for name in WEMWBS_ITEMS}
    remaining = raw - 7
    for name in SWEMWBS_ITEMS:
        items[name] = 1 + min(4, remaining)
        remaining -= min(4, remaining)
    return [items[name] for name in WEMWBS_ITEMS]


@pytest.mark.parametrize(("raw", "metric"), WARWICK)
def test_each_swemwbs_raw_total_converts_as_warwicks_table_says(raw, metric):
    assert swemwbs_score(_wemwbs_with_swemwbs_raw(raw)) == metric


def test_swemwbs_uses_wemwbs_items_1_2_3_6_7_9_and_11():
    assert [f"wemwbs_{n}" for n in (1, 2, 3, 6, 7, 9, 11)] == SWEMWBS_ITEMS
    # The other seven items change nothing.
    assert swemwbs_score(_wemwbs_with_swemwbs_raw(20, others=1)) == swemwbs_score(
        _wemwbs_with_swemwbs_raw(20, others=5)
    )


def test_swemwbs_is_not_scored_with_one_of_its_items_missing():
    items = _wemwbs_with_swemwbs_raw(20)
    items[WEMWBS_ITEMS.index("wemwbs_11")] = None
    assert swemwbs_score(items) is None
    items = _wemwbs_with_swemwbs_raw(20)
    items[WEMWBS_ITEMS.index("wemwbs_4")] = None  # not a SWEMWBS item
    assert swemwbs_score(items) == 18.59


@pytest.mark.parametrize(
    ("state", "index"),
    [
        ("11111", 1.0),
        ("55555", -0.285),  # 1 - (0.274 + 0.203 + 0.184 + 0.335 + 0.289)
        ("21111", 0.942),  # 1 - 0.058
        ("11112", 0.922),  # 1 - 0.078
        ("12345", 0.322),  # 1 - (0.050 + 0.063 + 0.276 + 0.289)
        ("33333", 0.593),  # 1 - (0.076 + 0.080 + 0.063 + 0.084 + 0.104)
        ("44444", -0.094),  # 1 - (0.207 + 0.164 + 0.162 + 0.276 + 0.285)
        ("11151", 0.665),  # 1 - 0.335
    ],
)
def test_the_eq5d_index_uses_the_england_value_set(state, index):
    assert eq5d_index([int(level) for level in state]) == index


def test_the_eq5d_index_needs_all_five_dimensions():
    assert eq5d_index([1, 2, None, 1, 1]) is None


def test_an_eq5d_level_outside_1_to_5_is_refused():
    with pytest.raises(ValueError):
        eq5d_index([1, 2, 6, 1, 1])
