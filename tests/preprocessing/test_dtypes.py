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


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int8", "uint16"])
@pytest.mark.parametrize("with_nan", [False, True])
def test_numpy_number_columns_take_the_fast_paths_to_the_same_codes_and_values(
    dtype, with_nan
):
    # infer/encode convert numpy numbers without pandas' to_numeric, and decode
    # builds their values without a Series: the same schema, codes and values
    # as the general path (that of a nullable or object column of the numbers)
    from dataclasses import replace

    from sksynth.preprocessing._columns import (
        decode_column,
        decode_values,
        encode_column,
        infer_column,
    )

    rng = np.random.RandomState(0)
    values = np.round(rng.uniform(0, 100, 50), 2)
    if np.dtype(dtype).kind in "iu":
        values = np.round(values)
    s = pd.Series(values.astype(dtype))
    general = pd.Series(values.astype(dtype), dtype=object)
    col = infer_column("x", s)
    assert col == replace(infer_column("x", general), dtype=s.dtype)
    np.testing.assert_array_equal(encode_column(col, s), encode_column(col, general))
    z = rng.uniform(-300, 300, 40) if np.dtype(dtype).kind == "f" else rng.uniform(
        -1e6, 1e6, 40)
    if with_nan:
        z[::7] = np.nan
    fast, plain = decode_values(col, z), decode_column(col, z)
    assert isinstance(fast, np.ndarray) and fast.dtype == plain.dtype
    np.testing.assert_array_equal(fast, plain.to_numpy())
