"""TableEncoder: one feature name per output column, set_output, array after frame."""

import numpy as np
import pandas as pd
import pytest

from sksynth.preprocessing import OneHotTableEncoder, TableEncoder


@pytest.fixture
def frame():
    rng = np.random.RandomState(0)
    x = rng.normal(size=200)
    x[::7] = np.nan  # a numeric column with missing values
    return pd.DataFrame({
        "x": x,
        "city": pd.Series(rng.choice(["a", "b", "c"], 200), dtype="str"),
    })


@pytest.mark.parametrize("encoder", [
    TableEncoder(numeric="mode", categorical="onehot", random_state=0),
    TableEncoder(numeric="standard", categorical="onehot"),
    TableEncoder(numeric="quantile", categorical="ordinal"),
    OneHotTableEncoder(random_state=0),
], ids=["mode", "standard", "quantile-ordinal", "onehot"])
def test_one_name_per_output_column(frame, encoder):
    out = encoder.fit_transform(frame)
    names = encoder.get_feature_names_out()
    assert len(names) == out.shape[1]
    assert len(set(names)) == len(names)
    pandas_out = encoder.set_output(transform="pandas").transform(frame)
    assert list(pandas_out.columns) == list(names)
    np.testing.assert_allclose(pandas_out.to_numpy(dtype=float), out, equal_nan=True)


def test_array_after_frame_warns_like_sklearn(frame):
    enc = TableEncoder(numeric="standard", categorical="ordinal").fit(
        frame.assign(city=frame["city"].map({"a": 0, "b": 1, "c": 2})))
    arr = frame.assign(city=frame["city"].map({"a": 0, "b": 1, "c": 2})).to_numpy()
    with pytest.warns(UserWarning, match="feature names"):
        enc.transform(arr)
