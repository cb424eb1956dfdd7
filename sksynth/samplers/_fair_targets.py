"""Target sizes of the (group, label) cells of a fair resampling.

Plain functions on counts, used by :class:`~sksynth.samplers.FairResampler`:
:func:`cell_counts` tabulates the rows per cell, :func:`cell_targets` turns a
strategy into a target per cell, :func:`interpolate_targets` moves part of the
way there (``strength``), :func:`cell_deltas` says how many rows each cell
gains or loses. For the strategies that aim at a fairness of the *predictions*
(demographic parity, equal opportunity, equalized odds of a downstream
classifier), :func:`group_thresholds` finds per-group decision thresholds on a
classifier's out-of-fold scores and :func:`odds_targets` turns them into cell
sizes (a shift of a group's label odds moves a classifier's threshold for that
group). No generators or estimators here.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "cell_counts",
    "cell_deltas",
    "cell_targets",
    "group_thresholds",
    "interpolate_targets",
    "odds_targets",
]

PREDICTION_CRITERIA = ("demographic_parity", "equal_opportunity", "equalized_odds")
# thresholds are kept in [_T_MIN, 1 - _T_MIN]: odds shifts of at most 99
_T_MIN = 0.01


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


def interpolate_targets(counts, targets, strength):
    """Targets part of the way from the counts: ``counts + strength * (targets -
    counts)``, rounded.

    Parameters
    ----------
    counts, targets : Series of int
        Same index (as from :func:`cell_counts` and :func:`cell_targets`).
    strength : float in [0, 1]
        0 keeps the counts, 1 the targets.

    Returns
    -------
    targets : Series of int64

    Examples
    --------
    >>> counts = cell_counts([("a",)] * 4 + [("b",)] * 4,
    ...                      [0, 0, 0, 1, 0, 1, 1, 1], ["g"])
    >>> full = cell_targets(counts, "equal_cells", "over")
    >>> interpolate_targets(counts, full, 0.5).tolist()
    [3, 2, 2, 3]
    """
    strength = float(strength)
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be in [0, 1], got {strength!r}.")
    c = counts.to_numpy(dtype=np.float64)
    t = targets.to_numpy(dtype=np.float64)
    out = np.rint(c + strength * (t - c)).astype(np.int64)
    return pd.Series(out, index=counts.index, dtype=np.int64)


def group_thresholds(scores, positive, groups, criterion):
    """Per-group thresholds on scores that equalise a rate of the predictions.

    A row is predicted positive when its score reaches its group's threshold.
    The thresholds make equal across groups

    - ``"demographic_parity"``: the selection rate (share predicted positive);
    - ``"equal_opportunity"``: the true positive rate;
    - ``"equalized_odds"``: the true and the false positive rates, as close to
      the overall rates at threshold 0.5 as one threshold per group allows
      (smallest largest gap);

    and, for the first two, the common rate is the one (on a grid of 99) that
    gives the most accurate predictions overall, as in post-processing by
    thresholds (Hardt et al., 2016). Thresholds are kept in [0.01, 0.99].

    Parameters
    ----------
    scores : ndarray of shape (n,)
        Estimated probability of the positive label (out-of-fold, for honest
        rates).
    positive : ndarray of bool of shape (n,)
        Whether each row's label is the positive one.
    groups : ndarray of int of shape (n,)
        Group code of each row, ``0 .. n_groups - 1``.
    criterion : {"demographic_parity", "equal_opportunity", "equalized_odds"}

    Returns
    -------
    thresholds : ndarray of shape (n_groups,)

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.array([.2, .4, .6, .8, .1, .2, .3, .7])
    >>> positive = np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=bool)
    >>> groups = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    >>> t = group_thresholds(scores, positive, groups, "equal_opportunity")
    >>> t.round(2).tolist()
    [0.6, 0.3]
    """
    if criterion not in PREDICTION_CRITERIA:
        raise ValueError(
            f"criterion must be one of {PREDICTION_CRITERIA}, got {criterion!r}."
        )
    scores = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    groups = np.asarray(groups)
    n_groups = int(groups.max()) + 1
    members = [groups == k for k in range(n_groups)]
    if criterion == "equalized_odds":
        return _odds_thresholds(scores, positive, members)
    levels = np.linspace(0.01, 0.99, 99)  # common rate: selection or TPR
    best, best_acc = None, -np.inf
    for r in levels:
        t = np.empty(n_groups)
        for k, m in enumerate(members):
            ref = scores[m & positive] if criterion == "equal_opportunity" else (
                scores[m])
            t[k] = np.quantile(ref, 1.0 - r, method="lower") if len(ref) else 0.5
        t = np.clip(t, _T_MIN, 1.0 - _T_MIN)
        pred = scores >= t[groups]
        acc = np.mean(pred == positive)
        if acc > best_acc:
            best, best_acc = t, acc
    return best


def _odds_thresholds(scores, positive, members):
    pred = scores > 0.5
    tpr_star = pred[positive].mean() if positive.any() else 0.0
    fpr_star = pred[~positive].mean() if (~positive).any() else 0.0
    grid = np.linspace(_T_MIN, 1.0 - _T_MIN, 197)
    out = np.empty(len(members))
    for k, m in enumerate(members):
        s_pos, s_neg = scores[m & positive], scores[m & ~positive]
        tpr = (s_pos[None, :] >= grid[:, None]).mean(axis=1) if len(s_pos) else (
            np.full(len(grid), tpr_star))
        fpr = (s_neg[None, :] >= grid[:, None]).mean(axis=1) if len(s_neg) else (
            np.full(len(grid), fpr_star))
        gap = np.maximum(np.abs(tpr - tpr_star), np.abs(fpr - fpr_star))
        out[k] = grid[np.argmin(gap)]
    return out


def odds_targets(counts, odds, resampling):
    """Cell sizes that multiply each group's label odds by a factor.

    For a binary label, a classifier fitted on data where group ``g``'s
    odds of the positive label are ``odds[g]`` times larger predicts
    positive above the threshold ``1 / (1 + odds[g])`` on its old scores
    (Bayes' rule with shifted priors); :func:`group_thresholds` gives the
    thresholds, ``(1 - t) / t`` the factors.

    Parameters
    ----------
    counts : Series of int
        As from :func:`cell_counts`, binary label (negative first).
    odds : ndarray of shape (n_groups,)
        Factor per group, groups in the order of ``counts``.
    resampling : {"over", "under", "both"}
        ``"over"`` grows one cell of each group, ``"under"`` shrinks one,
        ``"both"`` keeps each group's size.

    Returns
    -------
    targets : Series of int64

    Examples
    --------
    >>> counts = cell_counts([("a",)] * 4 + [("b",)] * 4,
    ...                      [0, 0, 0, 1, 0, 1, 1, 1], ["g"])
    >>> odds_targets(counts, np.array([3.0, 1.0]), "over").tolist()
    [3, 3, 1, 3]
    >>> odds_targets(counts, np.array([3.0, 1.0]), "both").tolist()
    [2, 2, 1, 3]
    """
    table = counts.to_numpy().reshape(-1, 2).astype(np.float64)
    n0, n1 = table[:, 0], table[:, 1]
    w = np.asarray(odds, dtype=np.float64)
    if resampling == "over":
        T0 = np.where(w >= 1, n0, n0 / w)
        T1 = np.where(w >= 1, n1 * w, n1)
    elif resampling == "under":
        T0 = np.where(w >= 1, n0 / w, n0)
        T1 = np.where(w >= 1, n1, n1 * w)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            o = np.where(n0 > 0, w * n1 / np.maximum(n0, 1), np.inf)
            share = np.where(np.isinf(o), 1.0, o / (1.0 + o))
        share = np.where(n1 == 0, 0.0, share)
        T1 = (n0 + n1) * share
        T0 = (n0 + n1) - T1
    T = np.rint(np.column_stack([T0, T1])).astype(np.int64)
    return pd.Series(T.ravel(), index=counts.index, dtype=np.int64)
