"""The t distribution for the annual report's paired confidence intervals, from scipy (a
dependency of the mixed model's fit): exact, and a thousandth of the time the bisection
this module used to do took."""

from __future__ import annotations

import math
from collections.abc import Iterable

from scipy import stats


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    return float(stats.t.cdf(t, df))


def t_quantile(p: float, df: int) -> float:
    """The t value with P(T <= t) = p."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be between 0 and 1")
    return float(stats.t.ppf(p, df))


def t_quantiles_975(dfs: Iterable[int]) -> dict[int, float]:
    """The 97.5 % t quantile for each of several degrees of freedom (1 or more), in one call
    to scipy: a call costs about 0.1 ms whatever its length, the same values one by one."""
    wanted = sorted({df for df in dfs if df >= 1})
    if not wanted:
        return {}
    return dict(zip(wanted, (float(q) for q in stats.t.ppf(0.975, wanted)), strict=True))


def paired_ci95(
    *, n: int, mean_diff: float | None, sd_diff: float | None, quantile: float | None = None
) -> tuple[float | None, float | None]:
    """95 % confidence interval of a mean paired difference (t distribution, n − 1 degrees
    of freedom; `quantile`: its 97.5 % quantile when already known); none below two
    pairs."""
    if n < 2 or mean_diff is None or sd_diff is None:
        return None, None
    if quantile is None:
        quantile = t_quantile(0.975, n - 1)
    half = quantile * sd_diff / math.sqrt(n)
    return mean_diff - half, mean_diff + half
