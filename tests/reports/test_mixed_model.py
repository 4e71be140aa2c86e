"""The adjusted analysis: the fit from each practice's sums checked against a second
computation of the same fit (restricted maximum likelihood for a random-intercept model,
written out row by row with numpy and scipy) and against statsmodels' MixedLM, and the rules
for when it is not fitted."""

from datetime import date

import numpy as np
import pytest
from scipy import optimize, stats
from statsmodels.regression.mixed_linear_model import MixedLM

from reports.mixed_model import (
    COVARIATES,
    adjusted_analysis,
    age_on,
    fit_mixed_model,
    model_data,
    reml,
)


def _data(n=120, practices=6, seed=7):
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, practices, n)
    baseline = rng.normal(12, 3, n)
    dose = rng.integers(0, 2, n).astype(float)
    engaged = rng.integers(0, 2, n).astype(float)
    age = rng.integers(20, 80, n).astype(float)
    male = rng.integers(0, 2, n).astype(float)
    deprived = rng.integers(0, 2, n).astype(float)
    x = np.column_stack([np.ones(n), baseline, dose, engaged, age, male, deprived])
    practice_effect = rng.normal(0, 1.5, practices)[groups]
    y = x @ [3.0, 0.6, -1.5, -1.0, 0.01, 0.2, 0.5] + practice_effect + rng.normal(0, 2, n)
    return y, x, groups


def _reml_by_hand(y, x, groups):
    """Profile the REML log-likelihood over the ratio of the practice variance to the
    residual variance; return the fixed effects and their standard errors."""
    n, p = x.shape
    labels = np.unique(groups)

    def parts(ratio):
        xtvx, xtvy, logdet = np.zeros((p, p)), np.zeros(p), 0.0
        inverses = {}
        for g in labels:
            m = groups == g
            k = m.sum()
            v = np.eye(k) + ratio * np.ones((k, k))
            vi = np.linalg.inv(v)
            inverses[g] = vi
            logdet += np.linalg.slogdet(v)[1]
            xtvx += x[m].T @ vi @ x[m]
            xtvy += x[m].T @ vi @ y[m]
        beta = np.linalg.solve(xtvx, xtvy)
        r = y - x @ beta
        rss = sum(r[groups == g] @ inverses[g] @ r[groups == g] for g in labels)
        sigma2 = rss / (n - p)
        loglik = -0.5 * ((n - p) * np.log(sigma2) + logdet + np.linalg.slogdet(xtvx)[1])
        return loglik, beta, sigma2, xtvx

    best = optimize.minimize_scalar(lambda r: -parts(r)[0], bounds=(0, 50), method="bounded")
    _, beta, sigma2, xtvx = parts(best.x)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(xtvx)))
    return beta, se


def test_the_fit_agrees_with_a_second_computation_of_reml():
    y, x, groups = _data()
    fitted = fit_mixed_model(y, x, groups)
    beta, se = _reml_by_hand(y, x, groups)
    z = stats.norm.ppf(0.975)
    for name in ("dose", "engaged"):
        i = 1 + COVARIATES.index(name)
        assert fitted[name]["coef"] == pytest.approx(beta[i], abs=2e-3)
        assert fitted[name]["ci95_low"] == pytest.approx(beta[i] - z * se[i], abs=2e-3)
        assert fitted[name]["ci95_high"] == pytest.approx(beta[i] + z * se[i], abs=2e-3)
        p = 2 * stats.norm.sf(abs(beta[i] / se[i]))
        assert fitted[name]["p_value"] == pytest.approx(p, abs=1e-3)
    assert fitted["reason"] is None
    assert (fitted["n"], fitted["practices"]) == (120, 6)


def test_it_recovers_a_known_effect():
    y, x, groups = _data(n=2000, seed=11)
    fitted = fit_mixed_model(y, x, groups)
    assert fitted["dose"]["ci95_low"] < -1.5 < fitted["dose"]["ci95_high"]
    assert fitted["engaged"]["ci95_low"] < -1.0 < fitted["engaged"]["ci95_high"]


def _nulls(result):
    return all(result[k][f] is None for k in ("dose", "engaged") for f in result[k])


def test_fewer_than_30_people_is_not_fitted_and_says_so():
    y, x, groups = _data(n=29)
    result = fit_mixed_model(y, x, groups)
    assert _nulls(result) and "fewer than 30" in result["reason"]
    assert result["n"] == 29


def test_fewer_than_3_practices_is_not_fitted_and_says_so():
    y, x, groups = _data(n=100, practices=2)
    result = fit_mixed_model(y, x, groups)
    assert _nulls(result) and "fewer than 3" in result["reason"]


def test_a_fit_that_cannot_separate_dose_says_why():
    y, x, groups = _data()
    x[:, 1 + COVARIATES.index("dose")] = 1.0
    result = fit_mixed_model(y, x, groups)
    assert _nulls(result) and "dose" in result["reason"]


def test_the_pairs_become_the_model_rows_as_the_issue_defines_them():
    rows = [
        {
            "b_hads_anxiety": 12,
            "f_hads_anxiety": 9,
            "dose": 3,
            "engaged": True,
            "b_date": date(2025, 3, 1),
            "born": date(1960, 3, 2),  # 64 the day before the 65th birthday
            "sex": "male",
            "quintile": 1,
            "practice": 4,
        },
        {
            "b_hads_anxiety": 10,
            "f_hads_anxiety": 10,
            "dose": 1,
            "engaged": False,
            "b_date": date(2025, 3, 1),
            "born": date(1960, 3, 1),
            "sex": "other",
            "quintile": 3,
            "practice": 5,
        },
        {  # unknown quintile: left out
            "b_hads_anxiety": 10,
            "f_hads_anxiety": 8,
            "dose": 2,
            "engaged": False,
            "b_date": date(2025, 3, 1),
            "born": date(1970, 1, 1),
            "sex": "female",
            "quintile": None,
            "practice": 5,
        },
        {  # no follow-up score: left out
            "b_hads_anxiety": 10,
            "f_hads_anxiety": None,
            "dose": 2,
            "engaged": False,
            "b_date": date(2025, 3, 1),
            "born": date(1970, 1, 1),
            "sex": "female",
            "quintile": 1,
            "practice": 5,
        },
    ]
    y, x, groups = model_data(rows, measure="hads_anxiety", threshold=2)
    assert y.tolist() == [9.0, 10.0]
    assert x.tolist() == [[1, 12, 1, 1, 64, 1, 1], [1, 10, 0, 0, 65, 0, 0]]
    assert groups.tolist() == [4, 5]
    assert age_on(date(1960, 3, 1), date(2025, 3, 1)) == 65


def test_every_adjusted_measure_has_the_keys_the_issue_names():
    result = adjusted_analysis([], threshold=2)
    assert sorted(result) == sorted(
        ["hads_anxiety", "hads_depression", "exercise_days", "wemwbs", "eq5d_index"]
    )
    for entry in result.values():
        assert set(entry) == {"n", "practices", "dose", "engaged", "reason"}
        assert set(entry["dose"]) == {"coef", "ci95_low", "ci95_high", "p_value"}


def test_the_fit_is_statsmodels_mixedlm_where_that_converges_inside_its_bounds():
    """Fixed effects and their covariance (from the Hessian) as statsmodels' MixedLM gives
    them, REML with its defaults, on data with a practice variance well inside its range."""
    y, x, groups = _data(n=3000, practices=40, seed=3)
    fe, cov = reml(y, x, groups)
    result = MixedLM(y, x, groups=groups).fit()
    assert result.converged
    assert fe == pytest.approx(result.fe_params, abs=1e-6)
    assert np.sqrt(np.diag(cov)) == pytest.approx(result.bse[:7], rel=1e-4)


def test_with_no_practice_variance_the_fit_is_least_squares():
    """At the boundary (no variance between practices) REML's fixed effects are ordinary
    least squares. statsmodels' MixedLM stops short of that point (here at a ratio of 3e-5,
    its fixed effects 2e-5 away), or unconverged, or at exactly zero it inverts the variance
    as if it were infinite (the within-practice estimate); the report then showed no figure
    or that one. (This seed's data has its REML optimum on the boundary.)"""
    rng = np.random.default_rng(1)
    n = 2000
    groups = rng.integers(0, 20, n)
    x = np.column_stack(
        [
            np.ones(n),
            rng.integers(0, 22, n),
            rng.integers(0, 2, (n, 2)),
            rng.integers(20, 80, n),
            rng.integers(0, 2, (n, 2)),
        ]
    ).astype(float)
    y = x @ [3.0, 0.6, -1.5, -1.0, 0.01, 0.2, 0.5] + rng.normal(0, 2, n)
    fe, _ = reml(y, x, groups)
    least_squares = np.linalg.lstsq(x, y, rcond=None)[0]
    assert fe == pytest.approx(least_squares, abs=1e-9)
    assert fit_mixed_model(y, x, groups)["reason"] is None
