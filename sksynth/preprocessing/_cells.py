"""The discrete (cell) layer: the code matrix cut into cells and back.

A column's cells are given by its *domain*: a categorical column has one cell
per category (plus an ``other`` cell where rare labels were merged), a numeric
column one cell per bin between consecutive ``edges``, and a column that can
be missing one more cell for the missing value. Domains come from a public
``domain=``, from a DP release (:class:`~sksynth.generators.dp._domain.
DomainBuilder`), or from the data; any object with the attributes of
:class:`~sksynth.generators.dp._domain.ColumnDomain` (``kind``,
``categories``, ``has_other``, ``has_missing``, ``low``, ``high``,
``integer``, ``edges``, ``n_values``, ``size``) will do.

:class:`CellEncoder` is the one reversible encoding: ``transform(Z) -> D``
(integer cells), ``inverse(D, rng) -> Z`` (a category cell back to its code,
a numeric bin sampled uniformly within it) and ``one_hot(D)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CellEncoder", "interval_of", "quantile_edges"]


class CellEncoder:
    """Reversible cell encoding of a code matrix, given each column's domain.

    Parameters
    ----------
    domains : list of ColumnDomain
        The domain of every column (see the module docstring).
    maps : list of (ndarray or None), default=None
        Per column, the cell of each code of a categorical column (codes of
        the fit schema into the released categories); ``None`` (or no
        ``maps``): the codes are the cells.

    Attributes
    ----------
    sizes_ : list of int
        Number of cells of each column (missing cell included).
    n_features_out_ : int
        Width of :meth:`one_hot`.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from sksynth.preprocessing._cells import CellEncoder
    >>> num = SimpleNamespace(kind="numeric", categories=(), has_other=False,
    ...     has_missing=True, low=0.0, high=10.0, integer=False,
    ...     edges=np.array([0.0, 5.0, 10.0]), n_values=2, size=3)
    >>> enc = CellEncoder([num])
    >>> enc.transform(np.array([[1.0], [7.5], [np.nan]])).ravel().tolist()
    [0, 1, 2]
    >>> enc.one_hot(np.array([[1]])).tolist()
    [[0.0, 1.0, 0.0]]
    """

    def __init__(self, domains, maps=None):
        self.domains = list(domains)
        self.maps = maps
        self.sizes_ = [int(dom.size) for dom in self.domains]
        self.starts_ = np.cumsum([0] + self.sizes_)[:-1].astype(np.int64)
        self.n_features_out_ = int(sum(self.sizes_))

    def _map(self, j):
        if self.maps is None:
            return None
        return self.maps[j]

    # -------------------------------------------------------------- codes
    def transform(self, Z):
        """Code matrix -> integer cell matrix (missing codes -> missing cell)."""
        n, p = Z.shape
        if p != len(self.domains):
            raise ValueError(
                f"Z has {p} columns; the cell encoder has {len(self.domains)}."
            )
        D = np.empty((n, p), dtype=np.int64)
        for j, dom in enumerate(self.domains):
            D[:, j] = self.transform_column(Z[:, j], j)
        return D

    def transform_column(self, z, j):
        """The cells of one column's codes ``z`` (column ``j``)."""
        dom = self.domains[j]
        n = len(z)
        missing = np.isnan(z)
        cells = np.zeros(n, dtype=np.int64)
        if dom.kind == "categorical":
            codes = z[~missing].astype(np.int64)
            mapping = self._map(j)
            cells[~missing] = codes if mapping is None else mapping[codes]
        else:
            v = np.clip(z[~missing], dom.low, dom.high)
            cells[~missing] = np.clip(
                np.searchsorted(dom.edges, v, side="right") - 1, 0, dom.n_values - 1
            )
        if missing.any():
            # a missing value outside the domain joins "other" (dp) - it can
            # only happen for DP domains whose missing cell was not released
            cells[missing] = dom.n_values if dom.has_missing else _no_missing(dom)
        return cells

    def inverse(self, D, rng, marginals=None):
        """Integer cell matrix -> code matrix of the public schema.

        Bins become values drawn uniformly within the bin (integers uniformly
        among the bin's integers); ``other`` cells become a released category
        drawn from ``marginals[j]`` (a model's 1-way marginal of the cells),
        uniformly without one; the missing cell becomes NaN.
        """
        n, p = D.shape
        Z = np.empty((n, p))
        for j, dom in enumerate(self.domains):
            x = D[:, j]
            out = np.full(n, np.nan)
            values = x < dom.n_values
            if dom.kind == "categorical":
                k = len(dom.categories)
                out[values] = x[values]
                other = values & (x == k) & dom.has_other
                if other.any():
                    if k == 0:
                        out[other] = np.nan  # nothing released: cannot name a value
                    else:
                        w = (np.ones(k) if marginals is None
                             else marginals[j][:k] + 1e-12)
                        out[other] = rng.choice(k, size=other.sum(), p=w / w.sum())
            else:
                b = x[values]
                lo, hi = dom.edges[b], dom.edges[b + 1]
                if dom.integer:
                    ilo = np.ceil(np.maximum(lo, dom.low))
                    ihi = np.floor(np.minimum(hi, dom.high))
                    ihi = np.where(ihi >= hi, ihi - 1, ihi)  # half-open bins
                    last = b == dom.n_values - 1
                    ihi = np.where(last, np.floor(np.minimum(hi, dom.high)), ihi)
                    ihi = np.maximum(ihi, ilo)
                    v = ilo + np.floor(rng.random_sample(len(b)) * (ihi - ilo + 1))
                else:
                    v = lo + rng.random_sample(len(b)) * (hi - lo)
                out[values] = np.clip(v, dom.low, dom.high)
            Z[:, j] = out
        return Z

    # ------------------------------------------------------------ one-hot
    def one_hot(self, D):
        """The one-hot of the cells: ``(n, n_features_out_)`` floats."""
        M = np.zeros((len(D), self.n_features_out_))
        rows = np.arange(len(D))
        for j, start in enumerate(self.starts_):
            M[rows, start + D[:, j]] = 1.0
        return M

    def from_one_hot(self, M):
        """Cells of a (soft) one-hot matrix: the argmax within each column."""
        if not self.domains:
            return np.zeros((len(M), 0), np.int64)
        return np.stack([
            np.argmax(M[:, s:s + k], axis=1)
            for s, k in zip(self.starts_, self.sizes_)
        ], axis=1).astype(np.int64)


def _no_missing(dom):
    if dom.kind == "categorical" and dom.has_other:
        return dom.n_values - 1
    # DP numeric column whose missing cell was suppressed: lowest bin
    return 0


def quantile_edges(values, n_bins):
    """Edges of (at most) ``n_bins`` quantile bins of ``values`` (ties merged).

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.preprocessing._cells import quantile_edges
    >>> quantile_edges(np.arange(9.0), 4).tolist()
    [0.0, 2.0, 4.0, 6.0, 8.0]
    """
    v = np.asarray(values, dtype=np.float64)
    return np.unique(np.quantile(v, np.linspace(0, 1, n_bins + 1)))


def interval_of(values, edges):
    """The bin of each value between ``edges`` (half-open, the last closed).

    Values below the first edge fall in the first bin, above the last in the
    last one.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.preprocessing._cells import interval_of
    >>> edges = np.array([0.0, 2.0, 4.0, 8.0])
    >>> interval_of(np.array([0.0, 2.0, 7.9, 8.0]), edges).tolist()
    [0, 1, 2, 2]
    """
    return np.clip(
        np.searchsorted(edges, values, side="right") - 1, 0, max(len(edges) - 2, 0)
    )
