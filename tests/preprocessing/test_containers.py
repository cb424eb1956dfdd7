"""Container adapters: what X and y may be, and the errors for what they may not."""

import numpy as np
import pandas as pd
import pytest

from sksynth.preprocessing._containers import as_frame, as_series, same_key


def test_dataframe_and_array_become_positional_frames():
    df = pd.DataFrame({"a": [1, 2], ("t", 1): ["x", "y"]}, index=[5, 7])
    frame, container, index, dtype = as_frame(df)
    assert container == "dataframe" and list(frame.columns) == [0, 1]
    assert list(frame.index) == [0, 1] and list(index) == ["a", ("t", 1)]
    frame, container, index, dtype = as_frame(np.zeros((3, 2), dtype=np.int32))
    assert container == "array" and dtype == np.int32 and frame.shape == (3, 2)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros(3), "2-D"),
        (pd.Series([1, 2]), "Series"),
        (np.ones((2, 2), dtype=complex), "Complex"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), "duplicate"),
    ],
)
def test_bad_containers_are_refused(X, match):
    with pytest.raises(ValueError, match=match):
        as_frame(X)


def test_series_target():
    ys, container = as_series(pd.Series([1, 0], index=[3, 4], name="t"), 2)
    assert container == "series" and list(ys.index) == [0, 1]
    with pytest.raises(ValueError, match="2 rows but y has 3"):
        as_series([1, 2, 3], 2)
    with pytest.raises(ValueError, match="infinity"):
        as_series([1.0, np.inf], 2)


def test_same_key_compares_any_label():
    assert same_key(("a", 1), ("a", 1)) and not same_key("a", 1)
    assert not same_key(np.array([1, 2]), np.array([1, 2]))  # not a scalar answer
