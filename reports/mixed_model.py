"""The adjusted analysis of the nine-month outcomes, as the programme's evaluation did it
(Mercer et al., Annals of Family Medicine 2019): a linear mixed model of the follow-up score
on the baseline score, dose, engagement, age, sex and deprivation, with a random intercept
for each practice, fitted by restricted maximum likelihood (REML) as statsmodels' `MixedLM`
fits it, with the standard errors from the same Hessian.

With one random intercept per practice, the likelihood depends on the data only through each
practice's number of people, the sums of its columns and their cross-products, so the fit
reads those sums (one small matrix a practice) and searches one number, the ratio of the
practice variance to the residual variance, to the exact optimum. statsmodels' `MixedLM`
evaluates the likelihood row by row at every step of its search: at a national programme's
90,000 pairs a year, seconds a measure (bench/NOTES.md). Its estimates agree with this fit
to its own convergence tolerance (tests/reports/test_mixed_model.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np
from scipy import optimize, stats

from participants.models import Sex

ADJUSTED_MEASURES = ["hads_anxiety", "hads_depression", "exercise_days", "wemwbs", "eq5d_index"]
COVARIATES = ["baseline", "dose", "engaged", "age", "male", "most_deprived"]
REPORTED = ["dose", "engaged"]
MIN_PEOPLE = 30
MIN_PRACTICES = 3
# The search for the ratio of the practice variance to the residual variance, on its log:
# from no practice variance to be told from none (e^-30) to a practice variance 22,000
# times the residual one.
LOG_RATIO_BOUNDS = (-30.0, 10.0)


def age_on(born: date, on: date) -> int:
    """Whole years of age on a date."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def model_data(
    rows: Iterable[Mapping], *, measure: str, threshold: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The outcome, the design (a constant then COVARIATES) and the practice of each pair
    complete for the measure; people with an unknown SIMD quintile are left out."""
    b_key, f_key = f"b_{measure}", f"f_{measure}"
    kept = [
        row
        for row in rows
        if row[b_key] is not None and row[f_key] is not None and row["quintile"] is not None
    ]
    y = np.array([row[f_key] for row in kept], dtype=float)
    x = np.empty((len(kept), len(COVARIATES) + 1))
    x[:, 0] = 1.0
    x[:, 1] = [row[b_key] for row in kept]
    x[:, 2] = [row["dose"] >= threshold for row in kept]
    x[:, 3] = [bool(row["engaged"]) for row in kept]
    x[:, 4] = [age_on(row["born"], row["b_date"]) for row in kept]
    x[:, 5] = [row["sex"] == Sex.MALE for row in kept]
    x[:, 6] = [row["quintile"] == 1 for row in kept]
    return y, x, np.array([row["practice"] for row in kept])


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


def practice_sums(
    y: np.ndarray, x: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each practice: its number of people, the sums of the columns of [x y], and their
    cross-products [x y]'[x y]."""
    xy = np.column_stack([x, y])
    if not len(xy):
        k = xy.shape[1]
        return np.zeros(0), np.zeros((0, k)), np.zeros((0, k, k))
    order = np.argsort(groups, kind="stable")
    xy = xy[order]
    _, starts, counts = np.unique(groups[order], return_index=True, return_counts=True)
    sums = np.add.reduceat(xy, starts, axis=0)
    cross = np.stack([part.T @ part for part in np.split(xy, starts[1:])])
    return counts.astype(float), sums, cross


class _Fit:
    """The REML fit of y = x b + u(practice) + e from each practice's sums (practice_sums):
    `ratio` is the practice variance over the residual variance; `fe` the fixed effects at
    it (generalised least squares) and `cov` their covariance from the Hessian of the
    profiled REML log-likelihood, written as statsmodels' `MixedLM.hessian` writes it for
    one random intercept (the covariance parameter unscaled, not its square root)."""

    def __init__(self, n: np.ndarray, sums: np.ndarray, cross: np.ndarray):
        self.n, self.sums = n, sums
        self.p = sums.shape[1] - 1
        self.df = n.sum() - self.p  # REML: the observations less the fixed effects
        self.total = cross.sum(axis=0)
        self.outer = sums[:, :, None] * sums[:, None, :]

    def _gls(self, ratio: float) -> tuple[np.ndarray, np.ndarray, float]:
        # V = I + ratio * 11' in each practice, so V^-1 = I - w 11' with w below.
        w = ratio / (1.0 + self.n * ratio)
        m = self.total - np.einsum("g,gij->ij", w, self.outer)
        p = self.p
        xvx, xvy = m[:p, :p], m[:p, p]
        fe = np.linalg.solve(xvx, xvy)
        return xvx, fe, float(m[p, p] - xvy @ fe)

    def minus_reml(self, log_ratio: float) -> float:
        ratio = math.exp(log_ratio)
        xvx, _, rvr = self._gls(ratio)
        logdet = np.log1p(self.n * ratio).sum() + np.linalg.slogdet(xvx)[1]
        return 0.5 * (self.df * math.log(rvr) + logdet)

    def at(self, ratio: float) -> tuple[np.ndarray, np.ndarray]:
        n, p, df = self.n, self.p, self.df
        xvx, fe, rvr = self._gls(ratio)
        d = 1.0 / (1.0 + n * ratio)  # V^-1 1 = d 1 in each practice
        sx, sr = self.sums[:, :p], self.sums[:, p] - self.sums[:, :p] @ fe
        c = n * d  # 1'V^-1 1
        xtax = np.einsum("g,gi,gj->ij", d**2, sx, sx)
        b = (d**2 * sr**2).sum()
        dd = (2 * c * d**2 * sr**2).sum()
        ff = np.einsum("g,gi,gj->ij", 2 * c * d**2, sx, sx)
        ql = np.linalg.solve(xvx, xtax)
        hess = np.empty((p + 1, p + 1))
        hess[:p, :p] = -df * xvx / rvr
        hess[:p, p] = hess[p, :p] = -df * ((d**2 * sr) @ sx) / rvr
        hess[p, p] = (
            (c**2).sum() / 2
            - 0.5 * df * (dd / rvr - b**2 / rvr**2)
            + 0.5 * (np.sum(ql.T * ql) - np.trace(np.linalg.solve(xvx, ff)))
        )
        return fe, np.linalg.inv(-hess)[:p, :p]


def reml(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The fixed effects and their covariance at the REML optimum (none if the search for
    it fails); raises LinAlgError when the design is singular."""
    return _reml(*practice_sums(y, x, groups))


def _reml(
    n: np.ndarray, sums: np.ndarray, cross: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    with np.errstate(all="ignore"):
        fit = _Fit(n, sums, cross)
        best = optimize.minimize_scalar(
            fit.minus_reml, bounds=LOG_RATIO_BOUNDS, method="bounded", options={"xatol": 1e-10}
        )
        if not best.success:
            return None
        return fit.at(math.exp(best.x))


def fit_mixed_model(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> dict:
    """Fit the model to rows; the figures for dose and engaged, or nulls and the reason in
    words."""
    return fit_from_sums(*practice_sums(y, x, groups))


def fit_from_sums(n: np.ndarray, sums: np.ndarray, cross: np.ndarray) -> dict:
    """Fit the model to each practice's sums (practice_sums: people, the column sums of
    [x y] and their cross-products); the figures for dose and engaged, or nulls and the
    reason in words."""
    keep = n > 0
    n, sums, cross = n[keep], sums[keep], cross[keep]
    people, practices = int(n.sum()), len(n)
    if people < MIN_PEOPLE:
        return _empty(
            people, practices, f"Not fitted: {people} people with both scores, fewer than 30."
        )
    if practices < MIN_PRACTICES:
        return _empty(
            people, practices, f"Not fitted: people from {practices} practices, fewer than 3."
        )
    names = ["const", *COVARIATES]
    for name in REPORTED:
        i = names.index(name)  # a 0/1 column: the same for everyone when its sum is 0 or n
        if sums[:, i].sum() in (0, people):
            return _empty(people, practices, f"Not fitted: everyone has the same {name} value.")
    try:
        fitted = _reml(n, sums, cross)
    except (ValueError, np.linalg.LinAlgError) as error:
        return _empty(people, practices, f"The model could not be fitted ({error}).")
    if fitted is None:
        return _empty(people, practices, "The model's fit did not converge.")
    params, cov = fitted
    z = float(stats.norm.ppf(0.975))
    out = _empty(people, practices, "")
    del out["reason"]
    for name in REPORTED:
        i = names.index(name)
        se = math.sqrt(cov[i, i]) if cov[i, i] > 0 else math.nan
        coef = float(params[i])
        figures = [coef, coef - z * se, coef + z * se, 2 * float(stats.norm.sf(abs(coef / se)))]
        if not all(math.isfinite(float(v)) for v in figures):
            return _empty(people, practices, "The model's fit gave no finite estimate.")
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
