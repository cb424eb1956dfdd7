"""The cell layer: codes -> cells -> codes, one-hot, missing cell, sampling."""

import numpy as np
import pandas as pd
import pytest

from sksynth.generators.dp._domain import DomainBuilder, parse_domain
from sksynth.generators.dp.accounting import PrivacyAccountant
from sksynth.preprocessing import TableSchema
from sksynth.preprocessing._cells import CellEncoder


@pytest.fixture
def table():
    rng = np.random.RandomState(0)
    n = 500
    x = rng.uniform(0, 100, n)
    x[::10] = np.nan
    return pd.DataFrame({
        "x": x,
        "k": rng.randint(0, 20, n),
        "c": pd.Categorical(rng.choice(["a", "b", "c"], n)),
    })


def _domains(df, domain=None, rho=None, n_bins=8):
    schema = TableSchema.infer(df)
    Z = schema.encode(df)
    specs = parse_domain(domain, None, schema)
    acc = PrivacyAccountant(rho or 1e-300)
    builder = DomainBuilder(schema, specs, n_bins, acc, np.random.RandomState(0))
    domains, maps = builder.build(Z, rho or 0.0, 1e-9 if rho else 0.0)
    return Z, domains, maps, acc


PUBLIC = {"x": {"low": 0.0, "high": 100.0, "missing": True},
          "k": {"low": 0, "high": 19, "integer": True},
          "c": {"categories": ["a", "b", "c"], "missing": False}}


@pytest.mark.parametrize("source", ["public", "dp"])
def test_round_trip_stays_in_the_cell(table, source):
    if source == "public":
        Z, domains, maps, acc = _domains(table, PUBLIC)
        assert not acc.steps  # public edges cost nothing
    else:
        Z, domains, maps, acc = _domains(table, rho=10.0)
        assert acc.steps  # the DP release is charged
    enc = CellEncoder(domains, maps)
    D = enc.transform(Z)
    assert D.dtype == np.int64 and D.shape == Z.shape
    assert (D >= 0).all() and (D < np.array(enc.sizes_)).all()
    Z2 = CellEncoder(domains).inverse(D, np.random.RandomState(1))
    # every sampled value lies in the cell it came from
    np.testing.assert_array_equal(CellEncoder(domains).transform(Z2), D)
    # missing values go to the missing cell, and come back missing
    x_dom = domains[0]
    missing = np.isnan(Z[:, 0])
    assert missing.any() and x_dom.has_missing
    assert (D[missing, 0] == x_dom.n_values).all()
    assert np.isnan(Z2[missing, 0]).all() and not np.isnan(Z2[~missing, 0]).any()
    # an integer column samples integers within its bins
    k = Z2[:, 1]
    assert np.array_equal(k, np.round(k))


def test_public_edges_are_the_given_bins(table):
    Z, domains, maps, _ = _domains(table, PUBLIC, n_bins=4)
    assert domains[0].edges.tolist() == [0.0, 25.0, 50.0, 75.0, 100.0]
    D = CellEncoder(domains, maps).transform(np.array([[10.0, 0, 0], [99.0, 3, 2]]))
    assert D[:, 0].tolist() == [0, 3]


def test_same_seed_same_values_and_uniform_within_bin(table):
    Z, domains, maps, _ = _domains(table, PUBLIC, n_bins=4)
    enc = CellEncoder(domains)
    D = np.tile(np.array([[1, 5, 2]]), (4000, 1))
    a = enc.inverse(D, np.random.RandomState(3))
    b = enc.inverse(D, np.random.RandomState(3))
    np.testing.assert_array_equal(a, b)
    x = a[:, 0]
    assert x.min() >= 25.0 and x.max() < 50.0
    assert abs(x.mean() - 37.5) < 0.5  # uniform within [25, 50)
    assert (a[:, 2] == 2).all()


def test_one_hot_and_back(table):
    Z, domains, maps, _ = _domains(table, PUBLIC)
    enc = CellEncoder(domains, maps)
    D = enc.transform(Z)
    M = enc.one_hot(D)
    assert M.shape == (len(D), enc.n_features_out_) == (len(D), sum(enc.sizes_))
    assert (M.sum(1) == len(domains)).all()
    np.testing.assert_array_equal(enc.from_one_hot(M), D)
    # a soft one-hot decodes to the argmax within each column
    noisy = M + np.random.RandomState(0).uniform(0, 0.4, M.shape)
    np.testing.assert_array_equal(enc.from_one_hot(noisy), D)


def test_wrong_width_is_refused(table):
    _, domains, maps, _ = _domains(table, PUBLIC)
    with pytest.raises(ValueError, match="columns"):
        CellEncoder(domains, maps).transform(np.zeros((2, 2)))
