"""Derived columns: a column of ``X`` that is a function of a categorical one."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._columns import ColumnSchema, category_codes

__all__ = ["DerivedColumn", "agrees", "find_derived"]

# A categorical column determines others only where its categories hold this
# many rows on average (a column of near-unique labels "determines" anything).
_MIN_ROWS_PER_SOURCE_CATEGORY = 10


@dataclass(frozen=True)
class DerivedColumn:
    """A column of ``X`` that is a function of one categorical column.

    Such a column (a code and its label, a category and its group) is not
    modelled: generators never see it, and :meth:`TableSchema.decode` fills
    it in from its source, so generated rows never pair a code with the
    wrong label.

    Parameters
    ----------
    column : ColumnSchema
        The derived column's own type (restored on output).
    position : int
        Its position among the columns of ``X``.
    source : int
        Position of the determining categorical column in
        :attr:`TableSchema.columns`.
    table : ndarray
        Its code for each code of the source, then for a missing source
        (NaN where unseen or missing).
    """

    column: ColumnSchema
    position: int
    source: int
    table: np.ndarray = field(repr=False)

    def codes(self, source_codes):
        """The derived column's codes given its source's codes."""
        return self.table[category_codes(source_codes, len(self.table) - 1)]


def find_derived(Z, columns):
    """Feature columns of ``Z`` that a categorical feature column determines.

    Returns ``{derived j: (source i, table)}``. A source is a categorical
    column with at least 2 categories and on average
    ``_MIN_ROWS_PER_SOURCE_CATEGORY`` rows per category; the derived column
    takes one value (or is missing) for every source category. Among several
    sources the one with the fewest categories wins; a source is never
    derived itself and a derived column is never a source.
    """
    n = len(Z)
    sources = [
        i
        for i, c in enumerate(columns)
        if c.kind == "categorical"
        and c.n_categories >= 2
        and n >= _MIN_ROWS_PER_SOURCE_CATEGORY * (c.n_categories + c.has_missing)
    ]
    sources.sort(key=lambda i: columns[i].n_categories)
    source_codes = {}
    for i in sources:
        codes = category_codes(Z[:, i], columns[i].n_categories)
        seen, first = np.unique(codes, return_index=True)
        source_codes[i] = (codes, seen, first)
    head = min(n, 1000)  # most pairs fail on the first rows: check them first
    found, used = {}, set()
    for j, col in enumerate(columns):
        if col.is_constant or j in used:
            continue
        z = Z[:, j]
        for i in sources:
            if i == j or i in found:
                continue
            codes, seen, first = source_codes[i]
            table = np.full(columns[i].n_categories + 1, np.nan)
            table[seen] = z[first]
            if agrees(table[codes[:head]], z[:head]) and agrees(table[codes], z):
                found[j] = (i, table)
                used.add(i)
                break
    return found


def agrees(a, b):
    return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))
