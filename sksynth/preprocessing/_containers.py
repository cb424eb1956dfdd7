"""Container adapters: the caller's DataFrame, array or Series, and back.

:func:`as_frame` and :func:`as_series` read ``X`` and ``y`` into positional
pandas objects (refusing scipy sparse matrices, 1-D and complex input; a
DataFrame's sparse columns are kept); :func:`same_key`
compares column labels of any hashable type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["as_frame", "as_series", "same_index", "same_key"]

def same_key(a, b):
    if a is b:
        return True
    try:
        equal = a == b
    except (TypeError, ValueError):
        return False
    return isinstance(equal, (bool, np.bool_)) and bool(equal)


def same_index(a, b):
    return len(a) == len(b) and all(same_key(x, y) for x, y in zip(a, b))


def as_frame(X):
    """Return (frame with positional columns, container, column index, dtype)."""
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            "Sparse input is not supported: sksynth models dense tables; call "
            ".toarray() first."
        )
    if isinstance(X, pd.DataFrame):
        if X.columns.has_duplicates:
            dup = X.columns[X.columns.duplicated()].unique().tolist()
            raise ValueError(f"X has duplicate column names: {dup}.")
        # sparse columns stay sparse: the schema models them dense and
        # restores their SparseDtype
        frame = X.set_axis(range(X.shape[1]), axis=1).reset_index(drop=True)
        return frame, "dataframe", X.columns, None
    if isinstance(X, pd.Series):
        raise ValueError(
            "X is a Series (1-D); pass a DataFrame or a 2-D array, e.g. X.to_frame()."
        )
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(
            f"X must be 2-D (n_samples, n_features), got an array of shape {arr.shape}."
        )
    if np.iscomplexobj(arr):
        raise ValueError("Complex data not supported.")
    frame = pd.DataFrame(arr, copy=False)
    return frame, "array", pd.RangeIndex(arr.shape[1]), arr.dtype


def as_series(y, n):
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(f"y must be 1-D, got a DataFrame of shape {y.shape}.")
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series):
        ys, container = y.reset_index(drop=True), "series"
    else:
        arr = np.asarray(y)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr.ravel()
        if arr.ndim != 1:
            raise ValueError(f"y must be 1-D, got shape {arr.shape}.")
        ys, container = pd.Series(arr), "array"
    if len(ys) != n:
        raise ValueError(f"X has {n} rows but y has {len(ys)}.")
    if isinstance(ys.dtype, np.dtype) and ys.dtype.kind == "f":
        if np.isinf(ys.to_numpy()).any():
            raise ValueError("y contains infinity.")
    return ys, container
