"""SurvivalGenerator: curves kept on real data, conditions, containers, bad input."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold

from sksynth.generators import (
    ARFGenerator,
    GaussianCopulaGenerator,
    SurvivalGenerator,
)
from sksynth.metrics import km_distance


def _naive(X, y, generator):
    """The baseline: event and time as two plain columns of the same generator."""
    e, t = y.dtype.names
    frame = X.assign(**{e: y[e], t: y[t]})
    out = clone(generator).fit(frame).sample(len(X), random_state=0)
    return out[e].to_numpy(bool), out[t].to_numpy(float)


# measured (seed 0, n = len(data)): absolute optimism 0.019 (gbsg2) and
# 0.015 (whas500) for the default strategy, short-sightedness 0.001 / 0.0;
# the naive baseline with the same copula 0.051 / 0.063; the issue's
# target is 0.05
@pytest.mark.parametrize("data", ["gbsg2", "whas500"])
def test_default_strategy_keeps_the_curve(data, request):
    X, y = request.getfixturevalue(data)
    gen = SurvivalGenerator(GaussianCopulaGenerator(), random_state=0).fit(X, y)
    Xs, ys = gen.sample(len(X), random_state=0)
    d = km_distance(y, ys)
    assert d["absolute_optimism"] <= 0.03, d
    assert abs(d["short_sightedness"]) <= 0.02, d
    naive = km_distance(y, _naive(X, y, GaussianCopulaGenerator(random_state=0)))
    assert d["absolute_optimism"] < naive["absolute_optimism"], (d, naive)
    assert Xs.dtypes.equals(X.dtypes)
    assert ys.dtype == y.dtype


def test_integer_times_within_follow_up(gbsg2):
    X, y = gbsg2
    t = y["time"]
    assert np.all(t == np.round(t))
    for strategy in ("condition_on_outcome", "survival_model"):
        gen = SurvivalGenerator(GaussianCopulaGenerator(), strategy=strategy,
                                random_state=0).fit(X, y)
        assert gen.integer_time_
        _, ys = gen.sample(2000, random_state=1)
        ts = ys["time"]
        assert np.all(ts == np.round(ts)), strategy
        assert ts.min() >= t.min() and ts.max() <= t.max(), strategy
        # the horizon is reached: the top 1% of the real follow-up is sampled
        assert ts.max() >= np.quantile(t, 0.99), strategy


@pytest.mark.parametrize("censoring", ["random", "covariate_dependent"])
def test_survival_model_strategy(whas500, censoring):
    X, y = whas500
    gen = SurvivalGenerator(ARFGenerator(n_estimators=5), strategy="survival_model",
                            censoring=censoring, random_state=0).fit(X, y)
    Xs, ys = gen.sample(len(X), random_state=0)
    d = km_distance(y, ys)
    # measured 0.009 (random) / 0.006 (covariate_dependent)
    assert d["absolute_optimism"] <= 0.03, d
    assert abs(ys["fstat"].mean() - y["fstat"].mean()) < 0.08
    assert gen.survival_model_ is not None


def test_conditions_on_event_time_and_covariates(gbsg2):
    X, y = gbsg2
    for strategy in ("condition_on_outcome", "survival_model"):
        gen = SurvivalGenerator(GaussianCopulaGenerator(), strategy=strategy,
                                random_state=0).fit(X, y)
        _, ys = gen.sample(200, conditions={"cens": True, "time": (300, 900)},
                           random_state=0)
        assert ys["cens"].all(), strategy
        assert ys["time"].min() >= 300 and ys["time"].max() <= 900, strategy
        Xs, ys = gen.sample(100, conditions={"horTh": "yes", "time": (None, 1000)},
                            random_state=0)
        assert (Xs["horTh"] == "yes").all() and ys["time"].max() <= 1000, strategy
        frame = pd.DataFrame({"cens": [False, True] * 10})
        _, ys = gen.sample(20, conditions=frame, random_state=0)
        assert ys["cens"].tolist() == [False, True] * 10, strategy
    gen = SurvivalGenerator(GaussianCopulaGenerator(), random_state=0).fit(X, y)
    _, ys = gen.sample(30, conditions={"time": 1000}, random_state=0)
    assert (ys["time"] == 1000).all()
    # conditioning on the event shifts the covariates the way the data do:
    # the events (recurrences) have more positive nodes (real gap 2.7,
    # synthetic 1.6)
    Xe, _ = gen.sample(1000, conditions={"cens": True}, random_state=0)
    Xc, _ = gen.sample(1000, conditions={"cens": False}, random_state=0)
    real = X["pnodes"][y["cens"]].mean() - X["pnodes"][~y["cens"]].mean()
    synth = Xe["pnodes"].mean() - Xc["pnodes"].mean()
    assert real > 2 and synth > 0.5 * real, (real, synth)


def test_early_events_keep_their_covariates(gbsg2):
    """The covariates follow the time: early recurrences have more nodes.

    Real gap in mean positive nodes (early events - late follow-up) 4.1,
    synthetic 3.2.
    """
    X, y = gbsg2
    gen = SurvivalGenerator(GaussianCopulaGenerator(), random_state=0).fit(X, y)
    Xs, ys = gen.sample(3000, random_state=0)
    early = ys["cens"] & (ys["time"] < 700)
    late = ys["time"] > 1500
    real_early = y["cens"] & (y["time"] < 700)
    real_late = y["time"] > 1500
    gap = X["pnodes"][real_early].mean() - X["pnodes"][real_late].mean()
    synth_gap = Xs["pnodes"][early].mean() - Xs["pnodes"][late].mean()
    assert gap > 3 and synth_gap > 0.5 * gap, (gap, synth_gap)


def test_event_and_time_columns_and_arrays():
    rng = np.random.RandomState(0)
    n = 300
    frame = pd.DataFrame({
        "age": rng.randint(30, 80, n),
        "weeks": rng.randint(1, 52, n),
        "dead": rng.randint(0, 2, n),
        "arm": pd.array(rng.choice(["a", "b"], n), dtype="str"),
    })
    gen = SurvivalGenerator(GaussianCopulaGenerator(), event_column="dead",
                            time_column="weeks", random_state=0).fit(frame)
    out = gen.sample(50, random_state=0)
    assert list(out.columns) == list(frame.columns)
    assert out.dtypes.equals(frame.dtypes)
    assert set(out["dead"]) <= {0, 1} and out["weeks"].between(1, 51).all()
    out = gen.sample(10, conditions={"dead": 1, "arm": "b"}, random_state=0)
    assert (out["dead"] == 1).all() and (out["arm"] == "b").all()
    # arrays in, arrays out
    X = rng.normal(size=(200, 3))
    y = np.array(list(zip(rng.uniform(size=200) < 0.6, rng.exponential(5, 200))),
                 dtype=[("e", "?"), ("t", "<f8")])
    Xs, ys = SurvivalGenerator(GaussianCopulaGenerator(), random_state=0).fit(
        X, y).sample(20, random_state=0)
    assert isinstance(Xs, np.ndarray) and Xs.shape == (20, 3) and Xs.dtype == X.dtype
    assert not np.all(ys["t"] == np.round(ys["t"]))  # continuous times stay so
    assert ys["t"].min() >= y["t"].min() and ys["t"].max() <= y["t"].max()


def test_seeds_clone_pickle_grid_search(gbsg2):
    X, y = gbsg2
    gen = SurvivalGenerator(GaussianCopulaGenerator(), random_state=0)
    a = clone(gen).fit(X, y).sample(40)
    b = clone(gen).fit(X, y).sample(40)
    pd.testing.assert_frame_equal(a[0], b[0])
    assert np.array_equal(a[1], b[1])
    fitted = clone(gen).fit(X, y)
    c, d = fitted.sample(40), fitted.sample(40)
    assert not np.array_equal(c[1], d[1])
    again = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(again.sample(10, random_state=3)[1],
                          fitted.sample(10, random_state=3)[1])
    assert fitted.n_features_in_ == X.shape[1]

    def score(est, X_test, y_test):
        return -km_distance(y_test, est.sample(len(X_test), random_state=0)[1])[
            "absolute_optimism"]

    search = GridSearchCV(gen, {"generator__shrinkage": [0.0, 10.0],
                                "n_time_bins": [5, 10]},
                          scoring=score, cv=KFold(2, shuffle=True, random_state=0))
    search.fit(X, y)
    assert set(search.best_params_) == {"generator__shrinkage", "n_time_bins"}
    assert search.best_estimator_.generator_.shrinkage in (0.0, 10.0)


def _y(event, time):
    return np.array(list(zip(event, time)), dtype=[("e", "?"), ("t", "<f8")])


@pytest.mark.parametrize(
    "y, exc, words",
    [
        (_y([False] * 6, [1, 2, 3, 4, 5, 6]), ValueError, "no event"),
        (_y([True] * 6, [1, 2, -3, 4, 5, 6]), ValueError, "negative"),
        (_y([True] * 6, [1, 2, np.nan, 4, 5, 6]), ValueError, "missing"),
        (np.array(list(zip([1, 0, 2, 1, 0, 1], [1.0] * 6)),
                  dtype=[("e", "<i8"), ("t", "<f8")]), ValueError, "boolean or 0/1"),
        (np.arange(6.0), TypeError, "structured array"),
    ],
)
def test_bad_outcome(y, exc, words):
    X = pd.DataFrame({"x": np.arange(6.0)})
    with pytest.raises(exc, match=words):
        SurvivalGenerator(GaussianCopulaGenerator()).fit(X, y)


def test_bad_conditions_and_parameters(gbsg2):
    X, y = gbsg2
    gen = SurvivalGenerator(GaussianCopulaGenerator(), random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="outside the observed follow-up"):
        gen.sample(5, conditions={"time": 10_000})
    with pytest.raises(ValueError, match="outside the observed follow-up"):
        gen.sample(5, conditions={"time": (3000, 4000)})
    with pytest.raises(ValueError, match="integers"):
        gen.sample(5, conditions={"time": 100.5})
    with pytest.raises(ValueError, match="True/False"):
        gen.sample(5, conditions={"cens": "yes"})
    with pytest.raises(ValueError, match="Unknown column 'nope'"):
        gen.sample(5, conditions={"nope": 1})
    with pytest.raises(ValueError, match="low > high"):
        gen.sample(5, conditions={"time": (900, 300)})
    with pytest.raises(ValueError, match="event_column and time_column"):
        SurvivalGenerator(event_column="a").fit(X, y)
    with pytest.raises(ValueError, match="survival outcome"):
        SurvivalGenerator().fit(X)
    with pytest.raises(ValueError, match="strategy"):
        SurvivalGenerator(strategy="gan").fit(X, y)
