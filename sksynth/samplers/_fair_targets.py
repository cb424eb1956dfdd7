"""Target sizes of the (group, label) cells of a fair resampling.

Plain functions on counts, used by :class:`~sksynth.samplers.FairResampler`:
:func:`cell_counts` tabulates the rows per cell, :func:`cell_targets` turns a
strategy into a target per cell, :func:`cell_deltas` says how many rows each
cell gains or loses. No data, generators or estimators here.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["cell_counts", "cell_deltas", "cell_targets"]


def cell_counts(groups, y, names):
    """Rows per (group..., label) cell, every combination listed.

    Parameters
    ----------
    groups : list of tuple
        The group of each row, one entry per sensitive feature.
    y : array-like of shape (n_samples,)
        The label of each row.
    names : list of str
        Names of the sensitive features (the index levels, ``"y"`` added).

    Returns
    -------
    counts : Series of int64
        Indexed by (sensitive features..., label): groups in ``repr`` order,
        labels sorted; cells without rows hold 0.

    Examples
    --------
    >>> counts = cell_counts([("a",), ("a",), ("b",)], [0, 1, 1], ["g"])
    >>> counts.to_dict()
    {('a', 0): 1, ('a', 1): 1, ('b', 0): 0, ('b', 1): 1}
    """
    y = np.asarray(y)
    labels = np.unique(y).tolist()
    levels = [*names, "y"]
    index = pd.MultiIndex.from_tuples(
        [(*g, label) for g, label in zip(groups, y.tolist())], names=levels
    )
    counts = pd.Series(1, index=index).groupby(level=list(range(len(levels)))).sum()
    group_keys = sorted(set(groups), key=repr)
    full = pd.MultiIndex.from_tuples(
        [(*g, c) for g in group_keys for c in labels], names=levels
    )
    return counts.reindex(full, fill_value=0).astype(np.int64)


def cell_targets(counts, strategy, resampling):
    """Target size of every cell.

    Parameters
    ----------
    counts : Series of int
        As returned by :func:`cell_counts` (a full group x label grid).
    strategy : {"parity", "equal_cells"}, dict or callable
        As :class:`~sksynth.samplers.FairResampler`'s ``strategy``.
    resampling : {"over", "under", "both"}
        Whether cells may only grow, only shrink, or both.

    Returns
    -------
    targets : Series of int64
        Same index as ``counts``.

    Examples
    --------
    >>> counts = cell_counts([("a",)] * 4 + [("b",)] * 4,
    ...                      [0, 0, 0, 1, 0, 1, 1, 1], ["g"])
    >>> cell_targets(counts, "parity", "over").to_dict()
    {('a', 0): 3, ('a', 1): 3, ('b', 0): 3, ('b', 1): 3}
    >>> cell_targets(counts, "equal_cells", "under").tolist()
    [1, 1, 1, 1]
    """
    n_labels = counts.index.get_level_values(-1).nunique()
    table = counts.to_numpy().reshape(-1, n_labels)
    if callable(strategy) and not isinstance(strategy, str):
        strategy = strategy(counts.copy())
        if isinstance(strategy, pd.Series):
            strategy = strategy.to_dict()
        if not isinstance(strategy, Mapping):
            raise TypeError(
                "The strategy callable must return a dict {cell: n_rows}, got "
                f"{type(strategy).__name__}."
            )
    if isinstance(strategy, Mapping):
        target = _explicit_targets(counts, strategy, resampling)
    elif strategy == "equal_cells":
        target = _equal_cells(table, resampling)
    elif strategy == "parity":
        target = _parity(table, resampling)
    else:
        raise ValueError(
            f"strategy must be 'parity', 'equal_cells', a dict or a callable, "
            f"got {strategy!r}."
        )
    return pd.Series(target.ravel(), index=counts.index, dtype=np.int64)


def cell_deltas(counts, targets):
    """``{cell: n}``: rows to generate (n > 0) or drop (n < 0), changed cells only.

    Examples
    --------
    >>> counts = cell_counts([("a",), ("a",), ("b",)], [0, 1, 1], ["g"])
    >>> cell_deltas(counts, cell_targets(counts, "equal_cells", "over"))
    {('b', 0): 1}
    """
    delta = targets - counts
    return {k: int(v) for k, v in delta.items() if v != 0}


def _explicit_targets(counts, strategy, resampling):
    target = counts.copy()
    for key, value in strategy.items():
        cell = tuple(key) if isinstance(key, (tuple, list)) else (key,)
        if cell not in counts.index:
            raise ValueError(
                f"Unknown cell {key!r} in strategy; cells are "
                f"(sensitive features..., label) tuples such as "
                f"{counts.index[0]!r}."
            )
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or (
            value < 0
        ):
            raise ValueError(
                f"Target of cell {key!r} must be an integer >= 0, got {value!r}."
            )
        target[cell] = int(value)
    T, table = target.to_numpy(), counts.to_numpy()
    if resampling == "over" and np.any(T < table):
        raise ValueError(
            "strategy asks for fewer rows than a cell holds, but "
            "resampling='over' only adds rows; use resampling='under' or 'both'."
        )
    if resampling == "under" and np.any(T > table):
        raise ValueError(
            "strategy asks for more rows than a cell holds, but "
            "resampling='under' only drops rows; use resampling='over' or 'both'."
        )
    return T


def _equal_cells(table, resampling):
    """Every cell as large as the largest, the smallest or the mean."""
    size = {
        "over": table.max(),
        "under": table.min(),
        "both": int(round(table.sum() / table.size)),
    }[resampling]
    return np.full(table.shape, size, dtype=np.int64)


def _parity(table, resampling):
    """Every group gets the overall label distribution (groups x labels table)."""
    share = table.sum(axis=0) / table.sum()
    n_group = table.sum(axis=1).astype(np.float64)
    with np.errstate(divide="ignore"):
        ratio = table / share  # group size that keeps this cell as it is
    if resampling == "over":
        n_group = ratio.max(axis=1)
    elif resampling == "under":
        n_group = ratio.min(axis=1)
    T = np.rint(n_group[:, None] * share[None, :]).astype(np.int64)
    if resampling == "over":
        T = np.maximum(T, table)
    elif resampling == "under":
        T = np.minimum(T, table)
    return T
