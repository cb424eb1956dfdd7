"""DP side channels: one row must never switch a property of the output.

For every DP generator, neighbouring data sets that differ in one row chosen
to flip a property the non-private schema reads off the values (decimals,
numeric-or-categorical kind, integer-ness, a category, an extreme value,
the kind of a float 0/1 target): the fitted schema and the dtypes of the
output must not depend on that row (issue 23, D9-D11).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from sksynth.generators import (
    AIMGenerator,
    DPCTGANGenerator,
    DPTVAEGenerator,
    MSTGenerator,
    PATEGANGenerator,
    PrivBayesGenerator,
)
from sksynth.generators.dp import DPDomainWarning

pytest.importorskip("opacus")

GENERATORS = [
    MSTGenerator,
    AIMGenerator,
    PrivBayesGenerator,
    DPTVAEGenerator,
    DPCTGANGenerator,
    PATEGANGenerator,
]
N = 400


def _base(n=N):
    rng = np.random.RandomState(0)
    return pd.DataFrame(
        {
            "x": np.round(rng.uniform(0, 10, n), 1),  # one decimal
            "obj": pd.Series(rng.randint(0, 5, n).tolist(), dtype=object),  # numbers
            "w": rng.randint(1, 4, n).astype(float),  # integral floats
            "city": pd.Series(rng.choice(["Oslo", "Rome"], n), dtype="str"),
            "u": rng.randint(100, 128, n).astype("int8"),
        }
    ), pd.Series(rng.randint(0, 2, n).astype(float), name="t")


def _neighbour(X, y, **row):
    """``(X, y)`` plus one row: the first row with ``row``'s cells replaced."""
    extra = X.iloc[:1].copy()
    t = y.iloc[:1].copy()
    for key, value in row.items():
        if key == "t":
            t.iloc[0] = value
        else:
            extra[key] = pd.Series([value], index=extra.index, dtype=X[key].dtype)
    return (
        pd.concat([X, extra], ignore_index=True),
        pd.concat([y, t], ignore_index=True),
    )


FLIPS = {
    "decimals": {"x": 5.12345},
    "kind (a string in an object column of numbers)": {"obj": "a"},
    "integer-ness": {"w": 2.5},
    "a new category": {"city": "Paris"},
    "an extreme value": {"x": 1e12},
    "a float 0/1 target's kind": {"t": 0.5},
}


def _fit(Gen, X, y):
    params = {**Gen._test_params(), "epsilon": 50.0, "allow_large_delta": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DPDomainWarning)
        return Gen(**params).fit(X, y)


def _properties(gen):
    cols = gen.schema_.columns
    Xs, ys = gen.sample(50, random_state=0)
    out = {c.name: (c.kind, c.integer, c.decimals, str(c.dtype)) for c in cols}
    out["dtypes"] = [str(d) for d in Xs.dtypes] + [str(ys.dtype)]
    # integer-valued output is a property too: a float column whose values
    # come back all integral (or rounded to the data's decimals) leaks them
    out["rounded"] = {
        name: bool(
            np.all(np.round(Xs[name].to_numpy(float), 1) == Xs[name].to_numpy(float))
        )
        for name in ("x", "w")
    }
    return out


@pytest.fixture(scope="module")
def base():
    return _base()


# one row that flips every property at once, and one extreme value
COMBINED = {
    "decimals, kind, integer-ness, a category, the target's kind": {
        "x": 5.12345,
        "obj": "a",
        "w": 2.5,
        "city": "Paris",
        "t": 0.5,
    },
    "an extreme value": {"x": 1e12},
}


def _check_neighbours(Gen, X, y, flips):
    ref = _properties(_fit(Gen, X, y))
    # the kinds come from the dtypes: object and str are categorical, the
    # float target numeric, whatever the values
    assert ref["obj"][0] == "categorical" and ref["city"][0] == "categorical"
    assert ref["t"][0] == "numeric" and ref["x"][2] is None
    assert ref["w"][1] is False and ref["u"][1] is True
    for what, row in flips.items():
        got = _properties(_fit(Gen, *_neighbour(X, y, **row)))
        assert got == ref, f"one row flipping {what} changed the output: {got}"


@pytest.mark.parametrize("Gen", GENERATORS, ids=lambda g: g.__name__)
def test_one_row_switches_no_property_of_the_output(Gen, base):
    _check_neighbours(Gen, *base, COMBINED)


@pytest.mark.slow
@pytest.mark.parametrize("Gen", GENERATORS, ids=lambda g: g.__name__)
def test_each_flip_alone(Gen, base):
    _check_neighbours(Gen, *base, FLIPS)


@pytest.mark.parametrize(
    "Gen", [MSTGenerator, DPTVAEGenerator], ids=lambda g: g.__name__
)
def test_public_domain_decides_the_kind(Gen, base):
    X, y = base
    dom = {
        "obj": {"low": 0, "high": 4, "integer": True},
        "t": {"categories": [0.0, 1.0]},
    }
    params = {**Gen._test_params(), "epsilon": 50.0, "domain": dom}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DPDomainWarning)
        gen = Gen(**params).fit(X, y)
    kinds = {c.name: c.kind for c in gen.schema_.columns}
    assert kinds["obj"] == "numeric" and kinds["t"] == "categorical"
    Xs, ys = gen.sample(100, random_state=0)
    assert set(ys.unique()) <= {0.0, 1.0}
    v = Xs["obj"].to_numpy(dtype=float)
    assert v.min() >= 0 and v.max() <= 4 and np.all(v == np.round(v))


def test_decimals_no_longer_read_off_the_data():
    # issue 23, D11: one row with 5 decimals changed every output value
    D = pd.DataFrame({"x": np.round(np.random.RandomState(0).uniform(0, 10, 100), 1)})
    Dp = pd.concat([D, pd.DataFrame({"x": [5.12345]})], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DPDomainWarning)
        a, b = (
            MSTGenerator(epsilon=1.0, random_state=0)
            .fit(d)
            .sample(3, random_state=0)["x"]
            .tolist()
            for d in (D, Dp)
        )
    assert a == b
