"""Shared plumbing of the metrics: one schema for all tables, embeddings, caps."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ..preprocessing import TableEncoder, TableSchema

__all__ = []

# Default cap on the rows used by the quadratic or model-based metrics
# (detection, precision/recall, distances): each table is subsampled, seeded by
# ``random_state``, to at most this many rows.
MAX_SAMPLES = 5000


def _as_frame(X, name):
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        raise TypeError(f"{name} must be a 2-D table, got a Series.")
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError(f"{name} must be dense; sparse matrices are not supported.")
    arr = np.asarray(X, dtype=object) if not isinstance(X, np.ndarray) else X
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got an array of shape {arr.shape}.")
    return pd.DataFrame(arr)


def _align(real, other, name):
    """``other`` as a frame with the columns of ``real`` in the same order."""
    frame = _as_frame(other, name)
    if len(frame) == 0:
        raise ValueError(f"{name} is empty: it has 0 rows.")
    if isinstance(real, pd.DataFrame) and isinstance(other, pd.DataFrame):
        missing = [c for c in real.columns if c not in set(frame.columns)]
        extra = [c for c in frame.columns if c not in set(real.columns)]
        if missing or extra:
            raise ValueError(
                f"{name} must have the columns of real: missing {missing}, "
                f"unexpected {extra}."
            )
        return frame[list(real.columns)]
    if frame.shape[1] != real.shape[1]:
        raise ValueError(
            f"{name} has {frame.shape[1]} columns but real has {real.shape[1]}."
        )
    frame = frame.set_axis(range(frame.shape[1]), axis=1)
    return frame


def _extend_categories(schema, frames):
    """Add categories seen only in ``frames`` (kept after the real ones)."""
    columns = []
    for j, col in enumerate(schema.columns):
        if col.kind == "categorical":
            known = set(col.categories)
            seen = []
            for frame in frames:
                s = frame.iloc[:, j]
                values = pd.unique(s[~pd.isna(s)].to_numpy(dtype=object))
                seen.extend(v for v in values if v not in known)
            extra = list(dict.fromkeys(seen))
            if extra:
                try:
                    extra = sorted(extra)
                except TypeError:
                    pass
                col = dataclasses.replace(
                    col,
                    categories=col.categories + tuple(extra),
                    counts=tuple(col.counts) + (0,) * len(extra),
                )
        columns.append(col)
    return dataclasses.replace(schema, columns=columns)


def prepare(real, *others, names=None, target=None):
    """Infer the schema on ``real`` and encode every table into code matrices.

    Column types come from ``real`` only (through :class:`TableSchema`);
    categories present only in another table are appended to the categories
    of ``real`` so they count as differences instead of raising. With
    ``target`` (a column name, or a position for arrays) that column is
    modelled as the schema's target (class labels when it looks like labels)
    and comes last in the code matrices.

    Returns
    -------
    schema : TableSchema
    codes : list of ndarray
        The code matrix of ``real`` then of each table of ``others``.
    """
    names = names or ["real"] + [f"table {i}" for i in range(1, len(others) + 1)]
    real_frame = _as_frame(real, names[0])
    if len(real_frame) == 0:
        raise ValueError(f"{names[0]} is empty: it has 0 rows.")
    frames = [_align(real_frame, o, n) for o, n in zip(others, names[1:])]
    if not isinstance(real, pd.DataFrame):
        real_frame = real_frame.set_axis(range(real_frame.shape[1]), axis=1)
    frames = [real_frame] + frames
    if target is None:
        schema = TableSchema.infer(real_frame)
        pairs = [(f, None) for f in frames]
    else:
        if target not in set(real_frame.columns):
            raise ValueError(
                f"target {target!r} is not a column of {names[0]}; the columns "
                f"are {list(real_frame.columns)}."
            )
        pairs = [(f.drop(columns=[target]), f[target]) for f in frames]
        for (_, y), name in zip(pairs, names):
            if y.isna().any():
                raise ValueError(
                    f"The target column {target!r} of {name} has missing values."
                )
        if real_frame.shape[1] < 2:
            raise ValueError("The table needs at least one column besides target.")
        schema = TableSchema.infer(*pairs[0])
    joined = [f if y is None else f.assign(__target__=y.to_numpy()) for f, y in pairs]
    schema = _extend_categories(schema, joined[1:])
    codes = []
    for (X, y), name in zip(pairs, names):
        try:
            codes.append(schema.encode(X, y))
        except ValueError as exc:
            raise ValueError(f"Cannot compare {name} with {names[0]}: {exc}") from exc
    return schema, codes


def embedder(schema, Z_real):
    """Fit a numeric embedding for distances and classifiers on ``Z_real``.

    Numeric and datetime columns are scaled to span 1 over the range of
    ``real``; categorical columns are one-hot encoded with a mismatch costing a
    distance of 1; missingness is one more category. Returns a function mapping
    a code matrix to its embedding.
    """
    enc = TableEncoder(numeric="minmax", categorical="onehot", max_categories=64)
    enc.fit_codes(Z_real, schema)
    weights = np.ones(enc.n_features_out_)
    for b in enc.blocks_:
        weights[b.start:b.stop] = 0.5 if b.kind == "numeric" else np.sqrt(0.5)

    def embed(Z):
        return enc.transform_codes(Z) * weights

    return embed


def subsample(Z, max_samples, rng):
    """At most ``max_samples`` rows of ``Z``, drawn without replacement."""
    if max_samples is None or len(Z) <= max_samples:
        return Z
    idx = np.sort(rng.choice(len(Z), size=int(max_samples), replace=False))
    return Z[idx]


def check_rng(random_state):
    """A RandomState from an int, a RandomState or None."""
    return check_random_state(random_state)


def check_max_samples(max_samples):
    if max_samples is None:
        return None
    if isinstance(max_samples, bool) or not isinstance(max_samples, (int, np.integer)):
        raise TypeError(f"max_samples must be an integer or None, got {max_samples!r}.")
    if max_samples < 2:
        raise ValueError(f"max_samples must be >= 2, got {max_samples}.")
    return int(max_samples)


def single_threaded():
    """Context in which OpenMP (histogram gradient boosting) uses one thread.

    The metrics fit many small models on capped subsamples; OpenMP threads
    bring little there and make runs 10-20 times slower on busy machines.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")
