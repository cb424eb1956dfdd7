"""Tests of the adversarial random forest generator."""

import numpy as np
import pandas as pd
import pytest

from sksynth.datasets import make_mixed_classification
from sksynth.generators import ARFGenerator


def _blobs(n=2000, seed=0):
    """Two clusters: the copula-like marginals alone cannot reproduce them."""
    rng = np.random.RandomState(seed)
    group = rng.uniform(size=n) < 0.3
    x1 = np.where(group, rng.normal(5, 0.5, n), rng.normal(0, 0.5, n))
    x2 = np.where(group, rng.normal(-5, 0.5, n), rng.normal(0, 0.5, n))
    kind = np.where(group, np.where(rng.uniform(size=n) < 0.9, "a", "b"),
                    np.where(rng.uniform(size=n) < 0.9, "c", "b"))
    gain = np.where(rng.uniform(size=n) < 0.85, 0, rng.randint(100, 5000, n))
    X = pd.DataFrame({"x1": x1, "x2": x2, "kind": kind, "gain": gain})
    return X, pd.Series(group.astype(np.int64), name="group")


@pytest.fixture(scope="module")
def blobs_fit():
    X, y = _blobs()
    return X, y, ARFGenerator(random_state=0).fit(X, y)


def test_stopping_rule(blobs_fit):
    _, _, gen = blobs_fit
    acc = gen.oob_accuracy_
    assert acc[0] > 0.8  # the marginals alone are easy to tell apart
    assert len(acc) == gen.n_iter_ + 1 <= gen.max_iter + 1
    # stopped for a documented reason
    assert gen.converged_ == (acc[-1] <= 0.5) or acc[-1] >= acc[-2] or (
        gen.n_iter_ == gen.max_iter)
    assert acc[-1] < 0.6


def test_joint_structure_is_learned(blobs_fit):
    X, y, gen = blobs_fit
    Xs, ys = gen.sample(3000, random_state=0)
    # rows sit in the clusters, not in the empty quadrants of the marginals
    off = (Xs["x1"] > 2.5) != (Xs["x2"] < -2.5)
    assert off.mean() < 0.03
    assert ((Xs["x1"] > 2.5) == (ys == 1)).mean() > 0.97
    assert set(Xs["kind"]) <= set(X["kind"])
    assert Xs["gain"].dtype == np.int64
    zeros_real = (X["gain"] == 0).mean()
    assert abs((Xs["gain"] == 0).mean() - zeros_real) < 0.03
    # a category only seen in one cluster stays there
    assert ((Xs["kind"] == "a") & (ys == 0)).mean() < 0.02


def test_conditioning_reweights_leaves(blobs_fit):
    X, y, gen = blobs_fit
    Xs, ys = gen.sample(1000, conditions={"kind": "a"}, random_state=0)
    assert (Xs["kind"] == "a").all()
    assert (ys == 1).mean() > 0.95  # "a" only occurs in group 1
    assert (Xs["x1"] > 2.5).mean() > 0.95
    # numeric condition (continuous value): the other coordinate follows
    Xs, ys = gen.sample(500, conditions={"x1": 5.2}, random_state=0)
    assert (Xs["x1"] == 5.2).all()
    assert (Xs["x2"] < -2.5).mean() > 0.95
    # condition on the target and a point mass at once
    Xs, ys = gen.sample(500, conditions={"group": 0, "gain": 0}, random_state=0)
    assert (ys == 0).all() and (Xs["gain"] == 0).all()
    assert (Xs["x1"].abs() < 2.5).mean() > 0.95


def test_per_row_conditions():
    X, y = make_mixed_classification(800, random_state=0)
    gen = ARFGenerator(random_state=0).fit(X, y)
    cond = pd.DataFrame({"region": ["north", "south", np.nan, "west"] * 25})
    Xs, ys = gen.sample(100, conditions=cond, random_state=0)
    given = cond["region"].notna()
    assert (Xs.loc[given, "region"] == cond.loc[given, "region"]).all()


@pytest.mark.parametrize("density", ["empirical", "truncnorm"])
def test_missing_values_and_dtypes(density):
    X, y = make_mixed_classification(1000, random_state=0)
    gen = ARFGenerator(numeric_density=density, alpha=0.5, random_state=0).fit(X, y)
    Xs, ys = gen.sample(2000, random_state=0)
    assert Xs.dtypes.equals(X.dtypes)
    assert abs(Xs["balance"].isna().mean() - X["balance"].isna().mean()) < 0.02
    assert set(Xs["region"]) <= set(X["region"])
    lo, hi = X["income"].min(), X["income"].max()
    assert Xs["income"].between(lo, hi).all()
    assert abs(ys.mean() - y.mean()) < 0.03
    Xc, yc = gen.sample(200, conditions={"region": "west", "churn": 1},
                        random_state=0)
    assert (Xc["region"] == "west").all() and (yc == 1).all()


def test_reproducible_and_n_jobs():
    X, y = make_mixed_classification(300, random_state=0)
    a = ARFGenerator(random_state=1).fit(X, y).sample(30, random_state=0)
    b = ARFGenerator(random_state=1, n_jobs=2).fit(X, y).sample(30, random_state=0)
    pd.testing.assert_frame_equal(a[0], b[0])


def test_generative_oversampler_with_arf():
    from sksynth.samplers import GenerativeOverSampler

    X, y = make_mixed_classification(600, random_state=0)
    sampler = GenerativeOverSampler(ARFGenerator(random_state=0), random_state=0)
    Xr, yr = sampler.fit_resample(X, y)
    assert yr.value_counts().nunique() == 1
    assert Xr.dtypes.equals(X.dtypes)


def test_default_leaves_do_not_copy_training_rows():
    # leaves of 2 rows hand back whole training rows (23% exact copies here)
    from sksynth.metrics import exact_copy_rate

    X, y = make_mixed_classification(2000, random_state=0)
    rates = {}
    for leaf in (2, None):
        params = {} if leaf is None else {"min_samples_leaf": leaf}
        gen = ARFGenerator(random_state=0, **params).fit(X, y)
        rates[leaf] = exact_copy_rate(X, gen.sample(2000, random_state=0)[0])
    assert rates[2] > 0.15
    assert rates[None] < 0.08


@pytest.mark.slow
def test_adult_quality(adult_train):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    from tests.conftest import SHARED_DATA

    test = pd.read_csv(SHARED_DATA / "adult" / "test.csv")
    X, y = adult_train.drop(columns="income"), adult_train["income"]
    Xs, ys = ARFGenerator(random_state=0, n_jobs=2).fit(X, y).sample(len(X))
    dtypes = {c: pd.CategoricalDtype(sorted(X[c].dropna().unique()))
              for c in X.select_dtypes(exclude="number").columns}
    clf = HistGradientBoostingClassifier(categorical_features="from_dtype",
                                         random_state=0)
    clf.fit(Xs.astype(dtypes), ys == ">50K")
    proba = clf.predict_proba(test.drop(columns="income").astype(dtypes))[:, 1]
    assert roc_auc_score(test["income"] == ">50K", proba) > 0.88


def test_interpolate_keeps_dependent_columns_consistent():
    # area is a function of radius: independent cells within a leaf break it
    rng = np.random.RandomState(0)
    radius = rng.gamma(4.0, 2.0, 600)
    X = pd.DataFrame({
        "radius": radius,
        "perimeter": 2 * np.pi * radius,  # linear: kept exactly on a segment
        "visits": rng.poisson(3, 600),
        "kind": np.where(radius > 8, "big", "small"),
    })
    y = pd.Series((radius + rng.normal(0, 2, 600) > 9).astype(int), name="y")
    kw = {"max_iter": 0, "random_state": 0}
    inter = ARFGenerator(numeric_density="interpolate", **kw).fit(X, y)
    Xs, ys = inter.sample(400, random_state=1)
    assert np.allclose(Xs["perimeter"], 2 * np.pi * Xs["radius"])
    assert Xs.dtypes.equals(X.dtypes)
    assert (Xs["visits"] == Xs["visits"].round()).all()
    assert set(Xs["kind"]) <= {"big", "small"}
    assert Xs["radius"].between(X["radius"].min(), X["radius"].max()).all()
    # new values, not copies of the training rows
    assert Xs["radius"].isin(X["radius"]).mean() < 0.2  # measured 0.09
    plain = ARFGenerator(**kw).fit(X, y).sample(400, random_state=1)[0]
    gap = np.abs(plain["perimeter"] - 2 * np.pi * plain["radius"])
    assert (gap > 1).mean() > 0.3  # measured 0.66: cells of different rows
    # a class condition is honoured, and the same seed gives the same rows
    Xc, yc = inter.sample(50, conditions={"y": 1}, random_state=2)
    assert (yc == 1).all()
    assert Xc.equals(inter.sample(50, conditions={"y": 1}, random_state=2)[0])


def test_leaf_model_numbers_the_leaves_tree_by_tree_as_the_forest_applies():
    # the leaf model's fast paths (no thread pool in apply, no sort per tree
    # or per column) give the leaves, rows and summaries of the plain forms
    from sksynth.generators._arf import _apply

    X, y = make_mixed_classification(300, random_state=0)
    gen = ARFGenerator(n_estimators=4, max_iter=1, alpha=0.5,
                       numeric_density="truncnorm", random_state=0).fit(X, y)
    model, forest = gen.leaf_model_, gen.forest_
    F = gen._features(model.Z)
    leaves = forest.apply(F)
    np.testing.assert_array_equal(_apply(forest, F), leaves)
    offset = 0
    for t in range(leaves.shape[1]):
        uniq, inv = np.unique(leaves[:, t], return_inverse=True)
        np.testing.assert_array_equal(model.leaf_of[:, t], inv.ravel() + offset)
        np.testing.assert_array_equal(model.node[model.tree == t], uniq)
        offset += len(uniq)
    assert model.n_leaves == offset
    j = next(j for j, c in enumerate(gen.schema_.columns) if c.kind == "numeric")
    for g in (0, model.n_leaves - 1):
        rows = model.rows[model.start[g]:model.start[g] + int(model.count[g])]
        z = model.Z[rows, j]
        z = z[~np.isnan(z)]
        assert model.numeric[j]["n_obs"][g] == len(z)
        assert model.numeric[j]["min"][g] == z.min()
        assert model.numeric[j]["max"][g] == z.max()
        np.testing.assert_allclose(model.numeric[j]["mean"][g], z.mean())
