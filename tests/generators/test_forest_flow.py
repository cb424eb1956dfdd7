"""Tests of the forest flow-matching generator."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sksynth.datasets import make_mixed_classification
from sksynth.generators import ForestFlowGenerator

FAST = {"n_t": 4, "max_iter": 15, "random_state": 0}


def _clusters(n=600, seed=0):
    rng = np.random.RandomState(seed)
    label = (rng.uniform(size=n) < 0.3).astype(np.int64)
    x1 = np.where(label == 1, rng.normal(4, 0.5, n), rng.normal(0, 0.5, n))
    x2 = np.where(label == 1, rng.normal(-4, 0.5, n), rng.normal(0, 0.5, n))
    kind = np.where(label == 1, "a", np.where(rng.uniform(size=n) < 0.5, "b", "c"))
    gain = np.where(rng.uniform(size=n) < 0.8, 0, rng.randint(100, 5000, n))
    x2[rng.uniform(size=n) < 0.1] = np.nan
    X = pd.DataFrame({"x1": x1, "x2": x2, "kind": kind, "gain": gain})
    return X, pd.Series(label, name="label")


@pytest.fixture(scope="module")
def fitted():
    X, y = _clusters()
    # default n_t and max_iter: with fewer, argmax of the one-hot outputs
    # under-draws rare values (missing x2: 7% instead of 12%)
    return X, y, ForestFlowGenerator(random_state=0).fit(X, y)


def test_rows_look_real(fitted):
    X, y, gen = fitted
    Xs, ys = gen.sample(1000, random_state=0)
    assert Xs.dtypes.equals(X.dtypes)
    assert set(Xs["kind"]) <= set(X["kind"])
    assert abs(ys.mean() - y.mean()) < 0.05
    # point mass at 0 comes back exactly and with its share
    assert abs((Xs["gain"] == 0).mean() - (X["gain"] == 0).mean()) < 0.04
    assert abs(Xs["x2"].isna().mean() - X["x2"].isna().mean()) < 0.025
    assert Xs["x1"].between(X["x1"].min(), X["x1"].max()).all()
    # the joint structure: class 1 rows in their cluster, with kind "a"
    in_cluster = (Xs["x1"] > 2) == (ys == 1)
    assert in_cluster.mean() > 0.9
    assert ((Xs["kind"] == "a") == (ys == 1)).mean() > 0.9


def test_class_conditioning_is_exact(fitted):
    X, y, gen = fitted
    Xs, ys = gen.sample(300, conditions={"label": 1}, random_state=0)
    assert (ys == 1).all()
    assert (Xs["x1"] > 2).mean() > 0.9
    assert (Xs["kind"] == "a").mean() > 0.9


def test_other_conditions_by_rejection(fitted):
    X, y, gen = fitted
    Xs, ys = gen.sample(100, conditions={"kind": "b", "gain": 0}, random_state=0)
    assert (Xs["kind"] == "b").all() and (Xs["gain"] == 0).all()
    assert (ys == 0).mean() > 0.9
    with pytest.raises(ValueError, match="continuous value"):
        gen.sample(5, conditions={"x1": 0.123})


def test_without_target_and_numeric_only():
    rng = np.random.RandomState(0)
    z = rng.normal(size=500)
    X = np.c_[z, 2 * z + rng.normal(scale=0.1, size=500)]
    gen = ForestFlowGenerator(**FAST).fit(X)
    Xs = gen.sample(500, random_state=0)
    assert gen.classes_.tolist() == [None]
    assert np.corrcoef(Xs.T)[0, 1] > 0.9


def test_params_reachable_from_grid_search():
    X, y = make_mixed_classification(200, random_state=0)
    gen = ForestFlowGenerator(**FAST)
    params = gen.get_params()
    for name in ["n_t", "duplicate_K", "max_iter", "learning_rate", "max_leaf_nodes"]:
        assert name in params
    assert clone(gen).set_params(n_t=2, duplicate_K=3).n_t == 2

    def score(est, X, y=None):
        return -abs(est.sample(50, random_state=0)["age"].mean() - X["age"].mean())

    search = GridSearchCV(ForestFlowGenerator(n_t=2, max_iter=3, random_state=0),
                          {"duplicate_K": [1, 2]}, scoring=score, cv=2)
    search.fit(X)
    assert search.best_params_["duplicate_K"] in (1, 2)


@pytest.mark.slow  # starting joblib worker processes takes tens of seconds here
def test_n_jobs_gives_the_same_model():
    X, y = make_mixed_classification(200, random_state=0)
    params = {"n_t": 2, "max_iter": 5, "random_state": 0}
    a = ForestFlowGenerator(**params).fit(X, y).sample(20, random_state=0)
    b = ForestFlowGenerator(n_jobs=2, **params).fit(X, y).sample(20, random_state=0)
    pd.testing.assert_frame_equal(a[0], b[0])


def test_generative_oversampler_with_forest_flow():
    from sksynth.samplers import GenerativeOverSampler

    X, y = make_mixed_classification(300, random_state=0)
    sampler = GenerativeOverSampler(ForestFlowGenerator(n_t=2, max_iter=5,
                                                        random_state=0),
                                    random_state=0)
    Xr, yr = sampler.fit_resample(X, y)
    assert yr.value_counts().nunique() == 1
    assert Xr.dtypes.equals(X.dtypes)


def test_quantile_encoding_keeps_heavy_tailed_marginals():
    # a sampling weight: min-max scaling squeezes most rows into a corner
    from scipy.stats import ks_2samp

    rng = np.random.RandomState(0)
    w = np.exp(rng.normal(11, 0.6, 800))
    X = pd.DataFrame({"weight": w, "z": rng.normal(size=800) + 0.3 * np.log(w)})
    ks = {}
    for enc in ("minmax", "quantile"):
        gen = ForestFlowGenerator(numeric_encoding=enc, **FAST).fit(X)
        ks[enc] = ks_2samp(X["weight"], gen.sample(800, random_state=0)["weight"])[0]
    assert ks["quantile"] < 0.15  # measured 0.095 (min-max: 0.23)
    assert ks["quantile"] < ks["minmax"] - 0.05


def test_point_mass_column_without_missing_values_gets_no_nan():
    # the value feature of a point-mass column is fitted on the other rows;
    # that must not turn the point mass into "missing" (NaN in the output)
    rng = np.random.RandomState(0)
    fe = np.where(rng.uniform(size=300) < 0.7, 0.0, rng.uniform(0.1, 0.5, 300))
    X = pd.DataFrame({"fe": fe, "z": rng.normal(size=300)})
    gen = ForestFlowGenerator(**FAST).fit(X)
    assert [b.role for b in gen.encoder_.blocks_] == ["value", "value"]
    Xs = gen.sample(2000, random_state=0)
    assert not Xs.isna().any().any()
    assert abs((Xs["fe"] == 0).mean() - 0.7) < 0.08


def test_progress_lines_in_a_log_and_silence_at_verbose_zero(capsys):
    from sksynth.datasets import make_mixed_classification
    from sksynth.generators import ForestFlowGenerator

    X, _ = make_mixed_classification(120, random_state=0)
    params = {**ForestFlowGenerator._test_params(), "random_state": 0}
    ForestFlowGenerator(**params, verbose=1).fit(X)
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.startswith("ForestFlow steps:")]
    assert lines and lines[-1].split(":")[1].split("/")[0].strip() == \
        lines[-1].split("/")[1].strip()  # the last line reports every step
    assert "\x1b[" not in err and "\r" not in err
    ForestFlowGenerator(**params, verbose=0).fit(X)
    assert "ForestFlow" not in capsys.readouterr().err
