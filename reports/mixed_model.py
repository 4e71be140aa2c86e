"""The adjusted analysis of the nine-month outcomes, as the programme's evaluation did it
(Mercer et al., Annals of Family Medicine 2019): a linear mixed model of the follow-up score
on the baseline score, dose, engagement, age, sex and deprivation, with a random intercept
for each practice, fitted with statsmodels' `MixedLM` (REML, its defaults).

It is fitted on the pairs the statistics query extracts once (one row per follow-up with a
baseline), in memory: a few tens of thousands of rows at most, a fraction of a second.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np
from statsmodels.regression.mixed_linear_model import MixedLM

from participants.models import Sex

ADJUSTED_MEASURES = ["hads_anxiety", "hads_depression", "exercise_days", "wemwbs", "eq5d_index"]
COVARIATES = ["baseline", "dose", "engaged", "age", "male", "most_deprived"]
REPORTED = ["dose", "engaged"]
MIN_PEOPLE = 30
MIN_PRACTICES = 3


def age_on(born: date, on: date) -> int:
    """Whole years of age on a date."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def model_data(
    rows: Iterable[Mapping], *, measure: str, threshold: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The outcome, the design (a constant then COVARIATES) and the practice of each pair
    complete for the measure; people with an unknown SIMD quintile are left out."""
    y, x, groups = [], [], []
    for row in rows:
        baseline, follow_up = row[f"b_{measure}"], row[f"f_{measure}"]
        if baseline is None or follow_up is None or row["quintile"] is None:
            continue
        y.append(float(follow_up))
        x.append(
            [
                1.0,
                float(baseline),
                1.0 if row["dose"] >= threshold else 0.0,
                1.0 if row["engaged"] else 0.0,
                float(age_on(row["born"], row["b_date"])),
                1.0 if row["sex"] == Sex.MALE else 0.0,
                1.0 if row["quintile"] == 1 else 0.0,
            ]
        )
        groups.append(row["practice"])
    return np.array(y), np.array(x).reshape(len(y), len(COVARIATES) + 1), np.array(groups)


def _empty(n: int, practices: int, reason: str) -> dict:
    return {
        "n": n,
        "practices": practices,
        **{
            name: {"coef": None, "ci95_low": None, "ci95_high": None, "p_value": None}
            for name in REPORTED
        },
        "reason": reason,
    }


def fit_mixed_model(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> dict:
    """Fit the model; the figures for dose and engaged, or nulls and the reason in words."""
    n, practices = len(y), len(set(groups.tolist()))
    if n < MIN_PEOPLE:
        return _empty(n, practices, f"Not fitted: {n} people with both scores, fewer than 30.")
    if practices < MIN_PRACTICES:
        return _empty(n, practices, f"Not fitted: people from {practices} practices, fewer than 3.")
    names = ["const", *COVARIATES]
    for name in REPORTED:
        column = x[:, names.index(name)]
        if column.min() == column.max():
            return _empty(n, practices, f"Not fitted: everyone has the same {name} value.")
    try:
        with warnings.catch_warnings():
            # A fit that does not converge is reported as such below, not as a warning.
            warnings.simplefilter("ignore")
            result = MixedLM(y, x, groups=groups).fit()
    except (ValueError, np.linalg.LinAlgError) as error:
        return _empty(n, practices, f"The model could not be fitted ({error}).")
    if not result.converged:
        return _empty(n, practices, "The model's fit did not converge.")
    params, intervals, p_values = result.fe_params, result.conf_int(), result.pvalues
    out = _empty(n, practices, "")
    del out["reason"]
    for name in REPORTED:
        i = names.index(name)
        figures = [params[i], intervals[i][0], intervals[i][1], p_values[i]]
        if not all(math.isfinite(float(v)) for v in figures):
            return _empty(n, practices, "The model's fit gave no finite estimate.")
        out[name] = {
            "coef": round(float(figures[0]), 3),
            "ci95_low": round(float(figures[1]), 3),
            "ci95_high": round(float(figures[2]), 3),
            "p_value": round(float(figures[3]), 4),
        }
    out["reason"] = None
    return out


def adjusted_analysis(rows: list[Mapping], *, threshold: int) -> dict:
    """`adjusted.<measure>` for each measure the evaluation modelled."""
    return {
        measure: fit_mixed_model(*model_data(rows, measure=measure, threshold=threshold))
        for measure in ADJUSTED_MEASURES
    }
