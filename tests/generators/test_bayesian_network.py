"""Tests of the Bayesian network generator and its reusable pieces."""

import numpy as np
import pandas as pd
import pytest

from sksynth.datasets import make_mixed_classification
from sksynth.generators import BayesianNetworkGenerator
from sksynth.generators._bayesian_network import (
    DiscreteBayesianNetwork,
    chow_liu_tree,
    estimate_cpts,
    family_counts,
    greedy_network,
    topological_order,
)
from sksynth.preprocessing import TableSchema
from sksynth.preprocessing._cells import CellEncoder, data_domains


def _education_table(n=3000, seed=0):
    """education -> years (deterministic), income depends on years, gains mostly 0."""
    rng = np.random.RandomState(seed)
    levels = np.array(["HS", "College", "Bachelors", "Masters", "Doctorate"])
    years = {"HS": 9, "College": 10, "Bachelors": 13, "Masters": 14, "Doctorate": 16}
    edu = levels[rng.choice(5, size=n, p=[0.4, 0.25, 0.2, 0.1, 0.05])]
    num = np.array([years[e] for e in edu], dtype=np.int64)
    gain = np.where(rng.uniform(size=n) < 0.9, 0, rng.randint(1000, 20000, size=n))
    hours = np.clip(np.round(rng.normal(40, 8, size=n)), 1, 99).astype(np.int64)
    p_rich = 1 / (1 + np.exp(-(num - 12.5)))
    rich = np.where(rng.uniform(size=n) < p_rich, ">50K", "<=50K")
    X = pd.DataFrame({"education": edu, "education_num": num, "capital_gain": gain,
                      "hours": hours})
    return X, pd.Series(rich, name="income")


# ------------------------------------------------------------------ pieces
def test_data_cells_atoms_bins_and_missing():
    rng = np.random.RandomState(0)
    x = np.where(rng.uniform(size=2000) < 0.7, 0.0, rng.exponential(5.0, 2000))
    x[:100] = np.nan
    X = pd.DataFrame({"x": x})
    schema = TableSchema.infer(X)
    Z = schema.encode(X)
    cells = CellEncoder(data_domains(Z, schema, n_bins=10))
    D = cells.transform(Z)
    assert D.max() == cells.sizes_[0] - 1  # the missing state is the last
    assert (D[:100, 0] == cells.sizes_[0] - 1).all()
    back = cells.inverse(D, np.random.RandomState(0))[:, 0]
    assert np.isnan(back[:100]).all()
    obs = ~np.isnan(x)
    assert np.array_equal(back[obs] == 0, x[obs] == 0)  # point mass kept exactly
    # within-bin draws stay inside their bin's range
    for state in np.unique(D[obs, 0]):
        real = x[obs][D[obs, 0] == state]
        synth = back[obs][D[obs, 0] == state]
        assert synth.min() >= real.min() - 1e-9 and synth.max() <= real.max() + 1e-9


def test_chow_liu_recovers_a_chain():
    rng = np.random.RandomState(0)
    n = 4000
    a = rng.randint(0, 3, n)
    b = np.where(rng.uniform(size=n) < 0.85, a, rng.randint(0, 3, n))
    c = np.where(rng.uniform(size=n) < 0.85, b, rng.randint(0, 3, n))
    d = rng.randint(0, 2, n)
    D = np.c_[c, a, d, b]
    parents = chow_liu_tree(D, [3, 3, 2, 3], root=1)
    assert parents[1] == ()
    assert parents[3] == (1,)  # b <- a
    assert parents[0] == (3,)  # c <- b
    assert topological_order(parents).index(1) == 0


def test_greedy_network_bounded_and_acyclic():
    X, y = make_mixed_classification(1500, random_state=0)
    schema = TableSchema.infer(X, y)
    Z = schema.encode(X, y)
    cells = CellEncoder(data_domains(Z, schema, 8))
    D = cells.transform(Z)
    cards = np.asarray(cells.sizes_)
    parents = greedy_network(D, cards, max_parents=1)
    assert max(len(p) for p in parents) == 1
    assert sum(len(p) for p in parents) >= 3  # finds real dependencies
    topological_order(parents)  # raises on a cycle
    parents2 = greedy_network(D, cards, max_parents=2)
    assert max(len(p) for p in parents2) <= 2


def test_cpts_laplace_smoothing():
    D = np.array([[0, 0], [0, 0], [0, 1], [1, 1]])
    counts = family_counts(D, [2, 3], 1, (0,))
    assert counts.tolist() == [[2, 1, 0], [0, 1, 0]]
    cpts = estimate_cpts(D, [2, 3], [(), (0,)], alpha=1.0)
    np.testing.assert_allclose(cpts[1][0], [3 / 6, 2 / 6, 1 / 6])
    np.testing.assert_allclose(cpts[0], [[4 / 6, 2 / 6]])
    for cpt in cpts:
        np.testing.assert_allclose(cpt.sum(axis=1), 1.0)


def test_likelihood_weighting_matches_posterior():
    # a -> b with P(a=1)=0.2, P(b=1|a=1)=0.9, P(b=1|a=0)=0.1 => P(a=1|b=1)=0.692
    cpts = [np.array([[0.8, 0.2]]), np.array([[0.9, 0.1], [0.1, 0.9]])]
    bn = DiscreteBayesianNetwork([2, 2], [(), (0,)], cpts)
    assert bn.is_exact([0]) and not bn.is_exact([1])
    ev = np.tile([np.nan, 1.0], (20000, 1))
    S, logw = bn.sample(20000, np.random.RandomState(0), evidence=ev)
    assert (S[:, 1] == 1).all()
    w = np.exp(logw)
    assert abs(np.sum(w * S[:, 0]) / w.sum() - 0.18 / 0.26) < 0.02
    # exact posterior sampling on the tree gives the same answer without weights
    S = bn.sample_posterior(20000, np.random.RandomState(0), ev)
    assert (S[:, 1] == 1).all()
    assert abs(S[:, 0].mean() - 0.18 / 0.26) < 0.015


def test_greedy_structure_conditions_with_weights():
    X, y = _education_table()
    gen = BayesianNetworkGenerator(structure="greedy", max_parents=2, n_particles=200,
                                   random_state=0).fit(X, y)
    Xs, ys = gen.sample(1000, conditions={"education": "Doctorate"}, random_state=0)
    assert (Xs["education"] == "Doctorate").all()
    real = (y[X["education"] == "Doctorate"] == ">50K").mean()
    assert abs((ys == ">50K").mean() - real) < 0.08


# --------------------------------------------------------------- generator
@pytest.mark.parametrize("structure", ["chow_liu", "greedy"])
def test_rows_look_real(structure):
    X, y = _education_table()
    gen = BayesianNetworkGenerator(structure=structure, random_state=0).fit(X, y)
    Xs, ys = gen.sample(3000, random_state=1)
    years = X.groupby("education")["education_num"].first()
    assert (Xs["education"].map(years) == Xs["education_num"]).mean() > 0.99
    assert set(Xs["education"]) <= set(X["education"])
    assert set(ys) <= set(y)
    assert Xs["education_num"].dtype == np.int64
    assert Xs["hours"].dtype == np.int64
    zeros = (Xs["capital_gain"] == 0).mean()
    assert abs(zeros - (X["capital_gain"] == 0).mean()) < 0.03
    # the dependence of income on education survives
    rich_real = (y == ">50K").groupby(X["education"]).mean()
    rich_synth = (ys == ">50K").groupby(Xs["education"]).mean()
    assert np.abs(rich_real - rich_synth).max() < 0.08


def test_missing_values_and_mixed_dtypes():
    X, y = make_mixed_classification(1000, random_state=0)
    gen = BayesianNetworkGenerator(random_state=0).fit(X, y)
    Xs, ys = gen.sample(2000, random_state=0)
    assert Xs.dtypes.equals(X.dtypes)
    rate = Xs["balance"].isna().mean()
    assert abs(rate - X["balance"].isna().mean()) < 0.02
    assert abs(ys.mean() - y.mean()) < 0.03


def test_conditioning_on_target_is_exact_and_keeps_dependence():
    X, y = _education_table()
    gen = BayesianNetworkGenerator(random_state=0).fit(X, y)
    assert gen.parents_[-1] == ()  # the target is the root of the tree
    Xs, ys = gen.sample(3000, conditions={"income": ">50K"}, random_state=0)
    assert (ys == ">50K").all()
    real = X.loc[y == ">50K", "education"].value_counts(normalize=True)
    synth = Xs["education"].value_counts(normalize=True)
    assert np.abs(real - synth.reindex(real.index, fill_value=0)).max() < 0.04


def test_conditioning_on_leaf_side_uses_weights():
    X, y = _education_table()
    gen = BayesianNetworkGenerator(random_state=0).fit(X, y)
    cond = pd.DataFrame({"education": ["Doctorate"] * 1500 + [np.nan] * 500,
                         "hours": [np.nan] * 1500 + [40.0] * 500})
    Xs, ys = gen.sample(2000, conditions=cond, random_state=0)
    assert (Xs["education"].iloc[:1500] == "Doctorate").all()
    assert (Xs["hours"].iloc[1500:] == 40).all()
    # P(rich | Doctorate) is high in the data; the posterior must follow it
    real = (y[X["education"] == "Doctorate"] == ">50K").mean()
    assert abs((ys.iloc[:1500] == ">50K").mean() - real) < 0.06
    assert (Xs["education_num"].iloc[:1500] == 16).mean() > 0.98


def test_numeric_condition_is_honoured_exactly():
    X, y = make_mixed_classification(800, random_state=0)
    gen = BayesianNetworkGenerator(random_state=0).fit(X, y)
    value = float(X["income"].median())
    Xs, _ = gen.sample(50, conditions={"income": value}, random_state=0)
    assert (Xs["income"] == value).all()


def test_reproducible():
    X, y = make_mixed_classification(500, random_state=0)
    a = BayesianNetworkGenerator(random_state=3).fit(X, y).sample(20, random_state=0)
    b = BayesianNetworkGenerator(random_state=3).fit(X, y).sample(20, random_state=0)
    pd.testing.assert_frame_equal(a[0], b[0])


def test_generative_oversampler():
    samplers = pytest.importorskip("sksynth.samplers")
    X, y = make_mixed_classification(600, random_state=0)
    sampler = samplers.GenerativeOverSampler(
        BayesianNetworkGenerator(random_state=0), random_state=0)
    Xr, yr = sampler.fit_resample(X, y)
    assert yr.value_counts().nunique() == 1
    assert Xr.dtypes.equals(X.dtypes)
