import math

import pytest

from reports.stats_math import paired_ci95, t_cdf, t_quantile, t_quantiles_975


@pytest.mark.parametrize(
    ("df", "expected"),
    # Two-sided 95 % critical values from published t tables.
    [(1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (9, 2.262), (29, 2.045), (120, 1.980)],
)
def test_the_t_quantile_matches_the_published_table(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)


def test_the_t_cdf_is_symmetric_and_centred():
    assert t_cdf(0.0, 5) == pytest.approx(0.5)
    assert t_cdf(-1.5, 7) == pytest.approx(1 - t_cdf(1.5, 7))


def test_a_paired_interval_worked_by_hand():
    # Differences -3, -1, -2: mean -2, sample SD 1, n 3, t(0.975, 2) = 4.3027.
    low, high = paired_ci95(n=3, mean_diff=-2.0, sd_diff=1.0)
    half = 4.302653 / math.sqrt(3)
    assert low == pytest.approx(-2 - half, abs=1e-5)
    assert high == pytest.approx(-2 + half, abs=1e-5)


def test_there_is_no_interval_below_two_pairs():
    assert paired_ci95(n=1, mean_diff=-2.0, sd_diff=None) == (None, None)
    assert paired_ci95(n=0, mean_diff=None, sd_diff=None) == (None, None)


def test_the_quantiles_in_one_call_are_those_one_by_one():
    dfs = [1, 2, 5, 29, 30, 1000, 5]
    assert t_quantiles_975(dfs) == {df: t_quantile(0.975, df) for df in dfs}
    assert t_quantiles_975([0, -1]) == {}
