"""Dtypes: nullable ones round-trip exactly; unmodelled ones are refused by name."""

import numpy as np
import pandas as pd
import pytest

from sksynth.generators import ARFGenerator, GaussianCopulaGenerator
from sksynth.preprocessing import TableSchema


def _nullable(n=120, seed=0):
    rng = np.random.RandomState(seed)
    miss = rng.uniform(size=(n, 4)) < 0.15
    b = pd.array(rng.uniform(size=n) < 0.4, dtype="boolean")
    b[miss[:, 0]] = pd.NA
    i = pd.array(rng.randint(0, 5, n), dtype="Int64")
    i[miss[:, 1]] = pd.NA
    f = pd.array(rng.randint(0, 40, n) / 4, dtype="Float64")
    f[miss[:, 2]] = pd.NA
    s = pd.Series(rng.choice(["a", "b", "c"], n), dtype="str")
    s[miss[:, 3]] = None
    return pd.DataFrame({"b": b, "i": i, "f": f, "s": s})


def test_nullable_dtypes_round_trip_exactly():
    df = _nullable()
    schema = TableSchema.infer(df)
    out = schema.decode(schema.encode(df))
    assert out["b"].dtype == "boolean"  # was object with missing values
    pd.testing.assert_frame_equal(out, df)


@pytest.mark.parametrize(
    "generator",
    [GaussianCopulaGenerator(random_state=0), ARFGenerator(random_state=0)],
    ids=["copula", "arf"],
)
def test_nullable_dtypes_through_a_generator(generator):
    df = _nullable()
    out = generator.fit(df).sample(200, random_state=0)
    pd.testing.assert_series_equal(out.dtypes, df.dtypes)
    for name in df.columns:
        seen = set(df[name].dropna().tolist())
        got = set(out[name].dropna().tolist())
        if name in ("b", "i", "s"):  # discrete: only values seen in fit
            assert got <= seen, name
        else:  # as many decimals as seen in fit (2), within the range
            values = np.asarray(sorted(got))
            np.testing.assert_array_equal(np.round(values, 2), values)
            assert min(got) >= min(seen) and max(got) <= max(seen)
        assert out[name].isna().any(), name  # missing values are modelled


@pytest.mark.parametrize(
    "column, match",
    [
        (np.array([1 + 2j, 3j, 1.0]), "'z'.*complex"),
        (pd.to_timedelta([1, 2, 3], unit="D"), "'z'.*timedelta64.*durations"),
        (np.array([{"a": 1}, {"b": 2}, {"a": 1}], dtype=object), "'z'.*unhashable"),
    ],
    ids=["complex", "timedelta", "dicts"],
)
def test_unmodelled_dtypes_are_refused_naming_the_column(column, match):
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "z": column})
    with pytest.raises(TypeError, match=match):
        TableSchema.infer(df)
    with pytest.raises(TypeError, match=match):
        GaussianCopulaGenerator().fit(df)


def test_ints_mixed_with_strings_are_categories_kept_exactly():
    df = pd.DataFrame({"m": np.array(["x", 1, "x", 2], dtype=object)})
    schema = TableSchema.infer(df)
    assert schema.column("m").kind == "categorical"
    out = schema.decode(schema.encode(df))
    assert out["m"].tolist() == ["x", 1, "x", 2]
    assert [type(v) for v in out["m"]] == [str, int, str, int]
