"""Survival metrics: Kaplan-Meier and log-rank against lifelines, KM distances, TSTR."""

import warnings

import numpy as np
import pytest

from sksynth.metrics import (
    check_survival_target,
    kaplan_meier,
    km_distance,
    logrank_test,
    tstr_concordance,
    tstr_integrated_brier_score,
)
from sksynth.metrics._survival import _step


def _data(seed=0, n=400, scale=10.0):
    rng = np.random.RandomState(seed)
    t = np.round(rng.exponential(scale, n)) + 1
    c = np.round(rng.exponential(2 * scale, n)) + 1
    return t <= c, np.minimum(t, c)


def test_kaplan_meier_and_logrank_match_lifelines():
    lifelines = pytest.importorskip("lifelines")
    from lifelines.statistics import logrank_test as lifelines_logrank

    e, t = _data()
    e2, t2 = _data(1, scale=12.0)
    grid = np.linspace(0, t.max() + 5, 300)
    with warnings.catch_warnings():  # lifelines on pandas 3
        warnings.simplefilter("ignore")
        km = lifelines.KaplanMeierFitter().fit(t, e).predict(grid).to_numpy()
        theirs = lifelines_logrank(t, t2, e, e2)
    assert np.abs(_step(*kaplan_meier(e, t), grid) - km).max() < 1e-12
    ours = logrank_test((e, t), (e2, t2))
    assert ours[0] == pytest.approx(theirs.test_statistic, rel=1e-9)
    assert ours[1] == pytest.approx(theirs.p_value, rel=1e-6)


def test_km_distance_directions():
    e, t = _data()
    same = km_distance((e, t), (e, t))
    assert same == {"optimism": 0.0, "absolute_optimism": 0.0,
                    "short_sightedness": 0.0}
    # synthetic patients who live longer: optimistic, and a longer horizon
    longer = km_distance((e, t), (e, 1.3 * t))
    assert longer["optimism"] > 0.02
    assert longer["absolute_optimism"] == pytest.approx(longer["optimism"])
    assert longer["short_sightedness"] < -0.2
    # censoring everyone after half the horizon: short-sighted, pessimistic
    # about nothing before the cut, too few at risk after it
    cut = t.max() / 2
    short = km_distance((e, t), (e & (t < cut), np.minimum(t, cut)))
    assert short["short_sightedness"] == pytest.approx(0.5)
    # another sample of 400 rows of the same law: measured 0.040 (sampling
    # noise of both curves), against 0.064 for the 30% longer lives above
    other = km_distance((e, t), _data(seed=5))
    assert other["absolute_optimism"] < 0.06


def test_check_survival_target_refuses_bad_targets():
    with pytest.raises(ValueError, match="no event"):
        check_survival_target(([0, 0], [1.0, 2.0]))
    assert check_survival_target(([0, 0], [1.0, 2.0]), allow_all_censored=True)
    with pytest.raises(ValueError, match="missing"):
        check_survival_target(([1, 0], [1.0, np.nan]))
    with pytest.raises(ValueError, match="boolean or 0/1"):
        check_survival_target((["a", "b"], [1.0, 2.0]))
    with pytest.raises(ValueError, match="numeric"):
        check_survival_target(([1, 0], ["1", "2"]))
    with pytest.raises(TypeError, match="structured array"):
        check_survival_target(np.arange(3.0))


def test_tstr_on_real_data(whas500):
    X, y = whas500
    # measured: C 0.778, IBS 0.161 (Cox on 300 rows, tested on 200)
    c = tstr_concordance(X[:300], y[:300], X[300:], y[300:])
    assert 0.72 < c < 0.85
    ibs = tstr_integrated_brier_score(X[:300], y[:300], X[300:], y[300:])
    assert 0.1 < ibs < 0.22
    # a model trained on shuffled outcomes ranks far worse: measured 0.62
    rng = np.random.RandomState(0)
    shuffled = y[:300][rng.permutation(300)]
    assert tstr_concordance(X[:300], shuffled, X[300:], y[300:]) < c - 0.1
