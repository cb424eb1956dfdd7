"""Pairs of categories that the data shows never occur together.

In adult, a husband is a man and a never-married person is nobody's
husband: of the 13,193 husbands one is recorded as female, where
independence of the two columns would predict 4,364. Generators that sample
columns from leaves, mixtures or latent spaces produce such rows at a few
percent while their summary scores still look fine. :class:`ImpossiblePairs`
learns these pairs on the code matrix and marks the generated rows that
contain one, so that the generator can draw them again.
"""

import numpy as np

from ._columns import category_codes

__all__ = ["ImpossiblePairs"]


class ImpossiblePairs:
    """Category pairs (missing included) far rarer than independence predicts.

    A pair of values ``(u, v)`` of two categorical columns is *impossible*
    when independence of the two columns predicts at least ``min_expected``
    rows with it but the data holds at most ``max_ratio`` times that many
    (by default: at least 20 expected, at most 0.2% of them observed).
    A missing value counts as one more category.

    Parameters
    ----------
    min_expected : float, default=20
        Rows that independence must predict for a pair to be judged (a pair
        of two rare categories is simply rare, not impossible).
    max_ratio : float, default=0.002
        Largest share of the predicted rows that may be observed.

    Attributes
    ----------
    pairs_ : list of (int, int, ndarray of bool)
        ``(a, b, table)``: columns ``a < b`` of the code matrix and a
        ``(K_a + 1, K_b + 1)`` table, True where the pair of codes (the last
        index for missing) is impossible.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.preprocessing import TableSchema
    >>> from sksynth.preprocessing._impossible_pairs import ImpossiblePairs
    >>> import pandas as pd
    >>> df = pd.DataFrame({"relationship": ["husband", "wife", "child"] * 100,
    ...                    "sex": ["m", "f", "f"] * 50 + ["m", "f", "m"] * 50})
    >>> schema = TableSchema.infer(df)
    >>> pairs = ImpossiblePairs().fit(schema.encode(df), schema)
    >>> pairs.describe(schema)
    [('relationship', 'husband', 'sex', 'f'), ('relationship', 'wife', 'sex', 'm')]
    """

    def __init__(self, min_expected=20, max_ratio=0.002):
        self.min_expected = min_expected
        self.max_ratio = max_ratio

    def fit(self, Z, schema):
        """Find the impossible pairs among the categorical columns of ``Z``."""
        n = len(Z)
        columns = [
            j for j, c in enumerate(schema.columns)
            if c.kind == "categorical" and not c.is_constant
        ]
        codes = {j: category_codes(Z[:, j], schema.columns[j].n_categories)
                 for j in columns}
        self.pairs_ = []
        for ia, a in enumerate(columns):
            ka = schema.columns[a].n_categories + 1
            count_a = np.bincount(codes[a], minlength=ka)
            for b in columns[ia + 1 :]:
                kb = schema.columns[b].n_categories + 1
                count_b = np.bincount(codes[b], minlength=kb)
                joint = np.bincount(codes[a] * kb + codes[b], minlength=ka * kb)
                joint = joint.reshape(ka, kb)
                expected = np.outer(count_a, count_b) / n
                table = (expected >= self.min_expected) & (
                    joint <= self.max_ratio * expected
                )
                if table.any():
                    self.pairs_.append((a, b, table))
        return self

    def _hits(self, Z, schema, exempt):
        """Per impossible pair, the mask of the rows of ``Z`` that hold it."""
        for a, b, table in self.pairs_:
            hit = table[
                category_codes(Z[:, a], schema.columns[a].n_categories),
                category_codes(Z[:, b], schema.columns[b].n_categories),
            ]
            if exempt is not None:
                hit &= ~(exempt[:, a] & exempt[:, b])
            yield hit

    def violations(self, Z, schema, exempt=None):
        """Boolean mask of the rows of ``Z`` that hold an impossible pair.

        ``exempt`` (same shape as ``Z``, True where a cell was fixed by a
        condition) spares a pair whose two cells were both asked for.
        """
        bad = np.zeros(len(Z), dtype=bool)
        for hit in self._hits(Z, schema, exempt):
            bad |= hit
        return bad

    def most_violated(self, Z, schema, exempt=None):
        """Names of the two columns of the pair most often met in ``Z``."""
        counts = [int(hit.sum()) for hit in self._hits(Z, schema, exempt)]
        a, b, _ = self.pairs_[int(np.argmax(counts))]
        return schema.columns[a].name, schema.columns[b].name

    def describe(self, schema):
        """The impossible pairs as ``(column, value, column, value)`` tuples."""
        out = []
        for a, b, table in self.pairs_:
            ca, cb = schema.columns[a], schema.columns[b]
            for u, v in zip(*np.nonzero(table)):
                out.append((
                    ca.name,
                    ca.categories[u] if u < ca.n_categories else None,
                    cb.name,
                    cb.categories[v] if v < cb.n_categories else None,
                ))
        return out
