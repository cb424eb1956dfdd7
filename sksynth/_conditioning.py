"""The one grouping of sampling conditions, shared by every conditioning path.

A condition matrix ``C`` (from :meth:`TableSchema.encode_conditions`) has one
row per requested sample and NaN in every free cell. Rejection sampling, the
copula's conditional draws, the forest's leaf weights and the Bayesian
networks' evidence all work one group of rows at a time: rows that fix the
same cells (and, for some, to the same values). :func:`condition_groups` is
that grouping; :func:`describe_conditions` names one condition row for an
error message.
"""

from __future__ import annotations

import numpy as np

from .preprocessing._columns import display_value

__all__ = ["condition_groups", "describe_conditions"]


def condition_groups(C, *, by="value"):
    """Iterate over the rows of ``C`` grouped by their conditions.

    Parameters
    ----------
    C : ndarray of shape (n_samples, n_columns)
        Condition codes, NaN = free cell. A boolean matrix is read as the
        pattern of fixed cells itself (True = fixed; ``by="pattern"`` only).
    by : {"value", "pattern"}, default="value"
        ``"value"``: rows that fix the same cells to the same values form a
        group; ``"pattern"``: rows that fix the same cells, whatever the
        values.

    Yields
    ------
    rows : ndarray of int
        Positions of the group's rows, increasing.
    key : ndarray of shape (n_columns,)
        ``by="value"``: the group's condition row (float, NaN = free);
        ``by="pattern"``: its boolean mask of fixed cells.

    Notes
    -----
    Groups come in the lexicographic order of their keys: a free cell sorts
    before any fixed value (``by="value"``), a free cell before a fixed one
    (``by="pattern"``). A caller drawing random numbers group by group thus
    draws them in a fixed order.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth._conditioning import condition_groups
    >>> C = np.array([[1.0, np.nan], [np.nan, 2.0], [1.0, np.nan], [3.0, np.nan]])
    >>> [(rows.tolist(), key.tolist()) for rows, key in condition_groups(C)]
    [([1], [nan, 2.0]), ([0, 2], [1.0, nan]), ([3], [3.0, nan])]
    >>> [(r.tolist(), k.tolist()) for r, k in condition_groups(C, by="pattern")]
    [([1], [False, True]), ([0, 2, 3], [True, False])]
    """
    C = np.asarray(C)
    if C.dtype == bool:
        if by != "pattern":
            raise ValueError("A boolean pattern of fixed cells groups by='pattern'.")
        given = C
    else:
        given = ~np.isnan(C)
    if by not in ("value", "pattern"):
        raise ValueError(f"by must be 'value' or 'pattern', got {by!r}.")
    if _one_group(C, given, by):  # the common case: one condition for every row
        key = C[0].astype(np.float64) if by == "value" else given[0].copy()
        yield np.arange(len(C)), key
        return
    if by == "value":
        keys, inverse = np.unique(
            np.where(given, C, -np.inf), axis=0, return_inverse=True
        )
    else:
        keys, inverse = np.unique(given, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(keys)))[:-1]
    for g, rows in enumerate(np.split(order, bounds)):
        if by == "value":
            yield rows, C[rows[0]].astype(np.float64)
        else:
            yield rows, keys[g].astype(bool)


def _one_group(C, given, by):
    """Whether every row of ``C`` falls in the group of the first row.

    Spares the sort of :func:`numpy.unique` (seconds at 100,000 rows) when one
    condition is asked for every row, as a dict of conditions does.
    """
    if len(C) == 0 or not (given == given[0]).all():
        return False
    if by == "pattern" or C.dtype == bool:
        return True
    fixed = C[:, given[0]]
    return bool((fixed == fixed[0]).all())


def describe_conditions(schema, cond):
    """``{column name: value}`` of the fixed cells of one condition row.

    Codes are shown as the values they stand for (categories, timestamps,
    numbers).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth._conditioning import describe_conditions
    >>> from sksynth.preprocessing import TableSchema
    >>> schema = TableSchema.infer(pd.DataFrame({"a": ["x", "y"], "b": [1.5, 2.5]}))
    >>> describe_conditions(schema, np.array([1.0, np.nan]))
    {'a': 'y'}
    """
    return {
        schema.columns[j].name: display_value(schema.columns[j], cond[j])
        for j in np.flatnonzero(~np.isnan(cond))
    }
