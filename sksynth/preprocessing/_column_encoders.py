"""Per-column reversible encoders working on code-matrix columns.

Each encoder takes a 1-D float array without NaN (missingness is handled by
:class:`~sksynth.preprocessing.TableEncoder` as a separate categorical part)
and maps it to a 2-D block of model features, and back. They are small plain
classes with four members: ``fit(x, rng)``, ``transform(x, rng)``,
``inverse(block, rng)`` and ``n_outputs``. The registry that names them
(``NUMERIC_ENCODERS`` and ``CATEGORICAL_ENCODERS``, with CTGAN's
mode-specific normalisation of ``_mode_normalizer.py``) is built in one place,
``_table_encoder.py``, from the classes; a new encoding is one more entry there.
"""

import numpy as np
from scipy.special import ndtr, ndtri

__all__ = [
    "GaussianInterval",
    "Identity",
    "MinMaxScaler",
    "OneHot",
    "Ordinal",
    "QuantileGaussian",
    "Standardizer",
    "point_masses",
]

_EPS = 1e-7


def point_masses(x, min_count, max_values=None):
    """Values held by at least ``min_count`` entries of ``x``, with their counts.

    ``x`` is 1-D without NaN. With ``max_values``, only that many of the most
    frequent are kept. Values come in increasing order.

    Examples
    --------
    >>> import numpy as np
    >>> values, counts = point_masses(np.array([0, 0, 0, 1, 2, 2, 3.0]), 2)
    >>> values.tolist(), counts.tolist()
    ([0.0, 2.0], [3, 2])
    """
    values, counts = np.unique(x, return_counts=True)
    keep = np.flatnonzero(counts >= min_count)
    if max_values is not None:
        keep = np.sort(keep[np.argsort(-counts[keep], kind="stable")[:max_values]])
    return values[keep], counts[keep]


class QuantileGaussian:
    """Empirical CDF to a standard normal; point masses map to an interval.

    ``transform`` with an ``rng`` draws each tied value uniformly inside its
    probability interval (a randomised probability integral transform), so the
    latent column is exactly N(0, 1) even for a column that is 90% zeros;
    without ``rng`` ties take the interval midpoint. ``inverse`` interpolates the
    stored quantiles, so point masses come back exactly.
    """

    n_outputs = 1

    def __init__(self, n_quantiles=1000):
        self.n_quantiles = n_quantiles

    def fit(self, x, rng=None):
        n_q = int(max(2, min(self.n_quantiles, len(x))))
        self.references_ = np.linspace(0.0, 1.0, n_q)
        self.quantiles_ = np.quantile(x, self.references_)
        # make the sequence non-decreasing against rounding
        self.quantiles_ = np.maximum.accumulate(self.quantiles_)
        return self

    def _bounds(self, x):
        q, r = self.quantiles_, self.references_
        upper = np.interp(x, q, r)
        lower = -np.interp(-x, -q[::-1], -r[::-1])
        return lower, upper

    def transform(self, x, rng=None):
        lower, upper = self._bounds(x)
        if rng is None:
            u = 0.5 * (lower + upper)
        else:
            u = lower + rng.uniform(size=len(x)) * (upper - lower)
        return ndtri(np.clip(u, _EPS, 1 - _EPS))[:, None]

    def inverse(self, block, rng=None):
        u = ndtr(block[:, 0])
        return np.interp(u, self.references_, self.quantiles_)


class Standardizer:
    """Zero mean, unit variance."""

    n_outputs = 1

    def fit(self, x, rng=None):
        self.mean_ = float(np.mean(x))
        self.scale_ = float(np.std(x)) or 1.0
        return self

    def transform(self, x, rng=None):
        return ((x - self.mean_) / self.scale_)[:, None]

    def inverse(self, block, rng=None):
        return block[:, 0] * self.scale_ + self.mean_


class MinMaxScaler:
    """Scale to [-1, 1]; the inverse clips to the range seen in fit."""

    n_outputs = 1

    def fit(self, x, rng=None):
        self.low_, self.high_ = float(np.min(x)), float(np.max(x))
        return self

    def transform(self, x, rng=None):
        span = (self.high_ - self.low_) or 1.0
        return (2 * (x - self.low_) / span - 1)[:, None]

    def inverse(self, block, rng=None):
        span = (self.high_ - self.low_) or 1.0
        x = (block[:, 0] + 1) / 2 * span + self.low_
        return np.clip(x, self.low_, self.high_)


class Identity:
    """Values as they are."""

    n_outputs = 1

    def fit(self, x, rng=None):
        return self

    def transform(self, x, rng=None):
        return np.asarray(x, dtype=np.float64)[:, None]

    def inverse(self, block, rng=None):
        return block[:, 0]


class _CategoricalBase:
    """Shared state: number of categories and their training counts."""

    def __init__(self, n_categories, counts):
        self.n_categories = int(n_categories)
        self.counts = np.asarray(counts, dtype=np.float64)


class OneHot(_CategoricalBase):
    """One column per category; rare categories share one column.

    ``min_frequency`` (count, or share when < 1) and ``max_categories`` group
    the rare categories into one *infrequent* column, which bounds the width for
    high-cardinality columns. The inverse of the infrequent column draws one of
    its categories in proportion to their training counts, so no category is
    invented and none is lost.
    """

    def __init__(self, n_categories, counts, min_frequency=None, max_categories=None):
        super().__init__(n_categories, counts)
        self.min_frequency = min_frequency
        self.max_categories = max_categories

    def fit(self, x, rng=None):
        k = self.n_categories
        counts = self.counts
        frequent = np.ones(k, dtype=bool)
        if self.min_frequency is not None:
            threshold = self.min_frequency
            if threshold < 1:
                threshold = threshold * counts.sum()
            frequent &= counts >= threshold
        if self.max_categories is not None and frequent.sum() > self.max_categories:
            keep = max(int(self.max_categories) - 1, 1)
            order = np.argsort(-counts, kind="stable")
            top = np.zeros(k, dtype=bool)
            top[order[:keep]] = True
            frequent &= top
        self.frequent_ = np.flatnonzero(frequent)
        self.infrequent_ = np.flatnonzero(~frequent)
        self.column_of_ = np.empty(k, dtype=np.int64)
        self.column_of_[self.frequent_] = np.arange(len(self.frequent_))
        self.column_of_[self.infrequent_] = len(self.frequent_)
        self.n_outputs = len(self.frequent_) + int(len(self.infrequent_) > 0)
        weights = counts[self.infrequent_] + 1e-12
        self.infrequent_p_ = weights / weights.sum() if len(weights) else weights
        return self

    def transform(self, x, rng=None):
        out = np.zeros((len(x), self.n_outputs))
        out[np.arange(len(x)), self.column_of_[x.astype(np.int64)]] = 1.0
        return out

    def inverse(self, block, rng=None):
        col = np.argmax(block, axis=1)
        codes = np.empty(len(col), dtype=np.float64)
        is_freq = col < len(self.frequent_)
        codes[is_freq] = self.frequent_[col[is_freq]]
        n_inf = int((~is_freq).sum())
        if n_inf:
            rng = rng if rng is not None else np.random.RandomState(0)
            codes[~is_freq] = rng.choice(
                self.infrequent_, size=n_inf, p=self.infrequent_p_
            )
        return codes


class Ordinal(_CategoricalBase):
    """The category code itself (0 .. k-1)."""

    n_outputs = 1

    def fit(self, x, rng=None):
        return self

    def transform(self, x, rng=None):
        return np.asarray(x, dtype=np.float64)[:, None]

    def inverse(self, block, rng=None):
        return np.clip(np.round(block[:, 0]), 0, self.n_categories - 1)


class GaussianInterval(_CategoricalBase):
    """Each category is an interval of a standard normal latent variable.

    Categories are laid out in ``order_`` (most frequent first); a category with
    probability p occupies a slice of probability p of N(0, 1), so the latent
    column is exactly standard normal and conditioning on a category is a
    truncation of the latent variable (see :meth:`latent_bounds`).
    """

    n_outputs = 1

    def fit(self, x, rng=None):
        counts = self.counts + 1e-12
        self.order_ = np.argsort(-counts, kind="stable")
        probs = counts[self.order_] / counts.sum()
        cuts = np.concatenate([[0.0], np.cumsum(probs)])
        cuts[-1] = 1.0
        self.cuts_ = cuts  # cuts_[r], cuts_[r+1] bound the r-th category in order
        self.rank_ = np.empty(self.n_categories, dtype=np.int64)
        self.rank_[self.order_] = np.arange(self.n_categories)
        return self

    def set_order(self, order):
        """Lay the categories out in another order (e.g. by a numeric score)."""
        counts = self.counts + 1e-12
        self.order_ = np.asarray(order, dtype=np.int64)
        probs = counts[self.order_] / counts.sum()
        self.cuts_ = np.concatenate([[0.0], np.cumsum(probs)])
        self.cuts_[-1] = 1.0
        self.rank_[self.order_] = np.arange(self.n_categories)
        return self

    def latent_bounds(self, codes):
        """Lower and upper latent bounds of each category code."""
        rank = self.rank_[np.asarray(codes, dtype=np.int64)]
        lo = ndtri(np.clip(self.cuts_[rank], 0, 1))
        hi = ndtri(np.clip(self.cuts_[rank + 1], 0, 1))
        return lo, hi

    def transform(self, x, rng=None):
        rank = self.rank_[x.astype(np.int64)]
        lo, hi = self.cuts_[rank], self.cuts_[rank + 1]
        w = 0.5 if rng is None else rng.uniform(size=len(x))
        u = lo + w * (hi - lo)
        return ndtri(np.clip(u, _EPS, 1 - _EPS))[:, None]

    def inverse(self, block, rng=None):
        u = ndtr(block[:, 0])
        rank = np.searchsorted(self.cuts_, u, side="right") - 1
        rank = np.clip(rank, 0, self.n_categories - 1)
        return self.order_[rank].astype(np.float64)

