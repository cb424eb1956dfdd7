"""Sampling conditions: their code rows, and what bounded rejection can meet.

:func:`encode_conditions` turns a dict or a DataFrame of conditions into a
code matrix (NaN = free cell), moving a condition on a derived column onto its
source; :func:`check_rejectable` is the one rule for which conditions bounded
rejection sampling can meet. :class:`~sksynth.preprocessing.TableSchema`
exposes both as methods.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._columns import display_value, encode_column

__all__ = ["check_rejectable", "encode_conditions"]

def encode_conditions(schema, conditions, n_samples):
    """Encode sampling conditions into an ``(n_samples, n_columns)`` matrix.

    ``conditions`` is a dict ``{column: value}`` applied to every row, or a
    DataFrame with one row per sample (NaN cells leave that cell free).
    Free cells are NaN in the result. Unknown columns, unseen categories and
    values outside the range seen in ``fit`` raise a ValueError.
    """
    C = np.full((n_samples, schema.n_columns), np.nan)
    if isinstance(conditions, Mapping):
        items = [(k, [v]) for k, v in conditions.items()]
        per_row = False
    elif isinstance(conditions, pd.DataFrame):
        if len(conditions) != n_samples:
            raise ValueError(
                f"conditions has {len(conditions)} rows but n_samples="
                f"{n_samples}; pass one row of conditions per sample."
            )
        items = [(k, conditions[k]) for k in conditions.columns]
        per_row = True
    else:
        raise TypeError(
            "conditions must be a dict {column: value} or a DataFrame with one "
            f"row per sample, got {type(conditions).__name__}."
        )
    if not items:
        raise ValueError("conditions is empty.")
    deferred = []
    for key, values in items:
        if schema.derived_column(key) is not None:
            deferred.append((key, values))
            continue
        j = schema.column_position(key)
        codes = _condition_codes(schema.columns[j], key, values, per_row)
        C[:, j] = codes if per_row else codes[0]
    for key, values in deferred:
        _condition_on_derived(schema, C, key, values, per_row)
    return C


def _condition_codes(col, key, values, per_row):
    """Codes of the condition values on one column (NaN = free cell)."""
    s = pd.Series(values, dtype=object if col.kind == "categorical" else None)
    given = ~pd.isna(s).to_numpy()
    if not per_row and not given.all():
        raise ValueError(
            f"Condition on {key!r} is missing (NaN); conditioning on a "
            "missing value is not supported."
        )
    try:
        codes = np.full(len(s), np.nan)
        codes[given] = encode_column(col, s[given])
    except ValueError as exc:
        raise ValueError(f"Impossible condition on {key!r}: {exc}") from exc
    obs = codes[given]
    if col.kind != "categorical" and len(obs):
        if np.any(obs < col.low) or np.any(obs > col.high):
            raise ValueError(
                f"Impossible condition on {key!r}: value outside the "
                f"range seen in fit [{col.low}, {col.high}]."
            )
        if col.integer and np.any(obs != np.round(obs)):
            raise ValueError(
                f"Impossible condition on {key!r}: the column holds "
                "integers only."
            )
    return codes


def _condition_on_derived(schema, C, key, values, per_row):
    """Turn a condition on a derived column into one on its source."""
    d = schema.derived_column(key)
    source = schema.columns[d.source]
    codes = _condition_codes(d.column, key, values, per_row)
    if not per_row:
        codes = np.repeat(codes, len(C))
    rows = np.flatnonzero(~np.isnan(codes))
    codes = codes[rows]
    table = d.table[: source.n_categories]  # a missing source is not asked
    for value in np.unique(codes):
        matches = np.flatnonzero(table == value)
        if len(matches) == 0:
            raise ValueError(
                f"Impossible condition on {key!r}: no category of "
                f"{source.name!r}, which determines it, comes with that value."
            )
        if len(matches) > 1:
            labels = [source.categories[m] for m in matches[:5]]
            raise ValueError(
                f"Condition on {key!r}: that value comes with several "
                f"categories of {source.name!r} ({labels}), which "
                f"determines it; condition on {source.name!r} instead."
            )
        at = rows[codes == value]
        current = C[at, d.source]
        clash = ~np.isnan(current) & (current != matches[0])
        if clash.any():
            raise ValueError(
                f"Impossible condition: {key!r} and {source.name!r} are "
                f"given values that never occur together."
            )
        C[at, d.source] = matches[0]


def check_rejectable(schema, cond, skip=(), generator="This generator"):
    """Raise if bounded rejection cannot meet a condition of ``cond``.

    ``cond`` is a code row (or a matrix of rows) of :meth:`encode_conditions`,
    NaN = free. Rejection meets a condition on a categorical or integer
    column, and on a continuous or datetime column only at one of its
    :attr:`ColumnSchema.atoms` (a value with a point mass); any other value
    of such a column has probability zero (a model draws datetime ticks from
    a continuum). Columns whose positions
    are in ``skip`` are met natively by the model and not checked.
    ``generator`` names the caller in the message.

    A category with no row in the data seen in fit (an unused category of
    a pandas ``category`` dtype; only for schemas that hold the counts) is
    refused too: a model fitted on that data gives it no mass.

    Raises
    ------
    ValueError
        Naming the first column whose condition cannot be met, and why.
    """
    C = np.atleast_2d(np.asarray(cond, dtype=np.float64))
    skip = {int(j) for j in skip}
    given = ~np.isnan(C)
    for j in np.flatnonzero(given.any(axis=0)):
        col = schema.columns[j]
        if j in skip:
            continue
        if col.kind == "categorical":
            _check_seen(col, C[given[:, j], j], generator)
            continue
        # datetime ticks are integers, but a model draws them from a continuum
        if col.kind == "numeric" and col.integer:
            continue
        values = C[given[:, j], j]
        bad = values[~np.isin(values, col.atoms)]
        if len(bad) == 0:
            continue
        if col.atoms:
            shown = [display_value(col, a) for a in col.atoms]
            masses = (
                f"only its point masses {shown} can be met that "
                f"way, not {display_value(col, bad[0])!r}"
            )
        else:
            masses = "it has no value with a point mass"
        what = "datetime" if col.kind == "datetime" else "continuous"
        raise ValueError(
            f"{generator} meets this condition by bounded rejection, and a "
            f"condition on the {what} column {col.name!r} is too rare to "
            f"meet that way (a continuous value has probability zero; "
            f"{masses}). Use a generator with native conditioning (e.g. "
            "GaussianCopulaGenerator) or condition on a categorical or "
            "integer column."
        )


def _check_seen(col, codes, generator):
    """Refuse a category without rows in fit (a model fitted on the data
    gives it no mass; rejection would draw its whole budget in vain)."""
    if not col.counts:  # a schema built without the data (DP): no counts
        return
    counts = np.asarray(col.counts)
    for code in np.unique(codes).astype(np.int64):
        if counts[code] == 0:
            raise ValueError(
                f"{generator} meets this condition by bounded rejection, and "
                f"category {col.categories[code]!r} of column {col.name!r} has "
                "no row in the data seen in fit (an unused category of its "
                "dtype): the model gives it no mass, so rejection cannot meet "
                "it. Use a generator with native conditioning (e.g. "
                "GaussianCopulaGenerator) or a category seen in fit."
            )
