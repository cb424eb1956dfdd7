"""The discrete (cell) layer: the code matrix cut into cells and back.

A column's cells are given by its *domain*: a categorical column has one cell
per category (plus an ``other`` cell where rare labels were merged), a numeric
column one cell per bin between consecutive ``edges``, and a column that can
be missing one more cell for the missing value. Domains come from a public
``domain=``, from a DP release (:class:`~sksynth.generators.dp._domain.
DomainBuilder`), or from the data (:func:`data_domains`: quantile bins,
frequent values as cells of their own, empirical within-bin quantiles, for
the Bayesian network and the causal generator); any object with the
attributes of :class:`~sksynth.generators.dp._domain.ColumnDomain`
(``kind``, ``categories``, ``has_other``, ``has_missing``, ``low``,
``high``, ``integer``, ``edges``, ``n_values``, ``size``, and optionally
``atoms``, ``quantiles``, ``name``) will do.

:class:`CellEncoder` is the one reversible encoding: ``transform(Z) -> D``
(integer cells), ``inverse(D, rng) -> Z`` (a category cell back to its code,
an atom back to its value, a numeric bin sampled within it) and
``one_hot(D)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["CellEncoder", "DataDomain", "data_domains", "interval_of",
           "quantile_edges"]

_EMPTY = np.empty(0)


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
            atoms = getattr(dom, "atoms", _EMPTY)
            state = np.zeros(len(v), dtype=np.int64)
            is_atom = np.zeros(len(v), dtype=bool)
            if len(atoms):
                pos = np.clip(np.searchsorted(atoms, v), 0, len(atoms) - 1)
                is_atom = atoms[pos] == v
                state[is_atom] = pos[is_atom]
            if len(dom.edges):
                state[~is_atom] = len(atoms) + interval_of(v[~is_atom], dom.edges)
            else:  # a value between atoms only: the nearest atom
                state[~is_atom] = np.abs(
                    v[~is_atom, None] - atoms[None, :]).argmin(axis=1)
            cells[~missing] = state
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
                out[values] = np.clip(
                    _numeric_values(dom, x[values], rng), dom.low, dom.high)
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


def _numeric_values(dom, cells, rng):
    """Values of a numeric column's cells: atoms exactly, bins sampled within."""
    atoms = getattr(dom, "atoms", _EMPTY)
    v = np.empty(len(cells))
    is_atom = cells < len(atoms)
    v[is_atom] = atoms[cells[is_atom]]
    b = cells[~is_atom] - len(atoms)
    if not len(b):
        return v
    lo, hi = dom.edges[b], dom.edges[b + 1]
    quantiles = getattr(dom, "quantiles", None)
    if dom.integer:
        ilo = np.ceil(np.maximum(lo, dom.low))
        ihi = np.floor(np.minimum(hi, dom.high))
        ihi = np.where(ihi >= hi, ihi - 1, ihi)  # half-open bins
        last = b == len(dom.edges) - 2
        ihi = np.where(last, np.floor(np.minimum(hi, dom.high)), ihi)
        ihi = np.maximum(ihi, ilo)
        v[~is_atom] = ilo + np.floor(rng.random_sample(len(b)) * (ihi - ilo + 1))
    elif quantiles is not None:  # the bin's empirical quantiles, interpolated
        pos = rng.random_sample(len(b)) * (quantiles.shape[1] - 1)
        k = np.floor(pos).astype(np.int64).clip(0, quantiles.shape[1] - 2)
        frac = pos - k
        v[~is_atom] = quantiles[b, k] * (1 - frac) + quantiles[b, k + 1] * frac
    else:
        v[~is_atom] = lo + rng.random_sample(len(b)) * (hi - lo)
    return v


def _no_missing(dom):
    if getattr(dom, "source", None) == "data":
        raise ValueError(
            f"Column {dom.name!r} had no missing values in fit."
        )
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


@dataclass
class DataDomain:
    """The cells of one column read off the data (see :func:`data_domains`).

    The attributes of :class:`~sksynth.generators.dp._domain.ColumnDomain`,
    plus ``atoms`` (values that are cells of their own, before the bins),
    ``quantiles`` (per bin, its empirical quantiles for sampling within it;
    None: uniformly) and the column ``name`` for messages.
    """

    name: object
    kind: str
    categories: tuple = ()
    has_missing: bool = False
    atoms: np.ndarray = field(default_factory=lambda: _EMPTY)
    edges: np.ndarray = field(default_factory=lambda: _EMPTY)
    quantiles: np.ndarray | None = None
    has_other: bool = False
    low: float = -np.inf
    high: float = np.inf
    integer: bool = False
    source: str = "data"

    @property
    def n_values(self):
        """Number of value cells (categories, or atoms and bins)."""
        if self.kind == "categorical":
            return len(self.categories)
        return max(len(self.atoms) + len(self.edges) - 1, len(self.atoms))

    @property
    def size(self):
        """Number of cells, including ``missing`` (at least 1)."""
        return max(self.n_values + int(self.has_missing), 1)


def data_domains(Z, schema, n_bins=20, *, strategy="quantile",
                 within_bin="empirical", atoms=True, bounds=None):
    """Cells of every column of the code matrix ``Z``, read off the data.

    Categorical columns keep their category codes; numeric and datetime
    columns are cut into at most ``n_bins`` cells. With ``atoms=True`` a value
    that holds at least ``1 / (2 * n_bins)`` of the rows (a point mass such as
    the zeros of a capital-gain column), and every value of a column with at
    most ``n_bins`` distinct values, is a cell of its own and comes back
    exactly. Missing values are one more cell of their column.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_columns)
        Code matrix of ``schema``.
    schema : TableSchema
    n_bins : int, default=20
        Maximum number of cells of a numeric column (missing excluded).
    strategy : {"quantile", "uniform"}, default="quantile"
        Bin edges of the non-atom values: quantiles, or equal widths over
        ``bounds`` (or the range seen in ``Z``).
    within_bin : {"empirical", "uniform"}, default="empirical"
        How :meth:`CellEncoder.inverse` draws a value inside a bin: from the
        bin's empirical quantiles (21 of them), or uniformly between its edges.
    atoms : bool, default=True
        Give frequent values their own cell.
    bounds : dict, default=None
        ``{column position: (low, high)}`` ranges for ``strategy="uniform"``.

    Returns
    -------
    domains : list of DataDomain

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.preprocessing import TableSchema
    >>> from sksynth.preprocessing._cells import CellEncoder, data_domains
    >>> X = np.array([[0.0], [0.0], [0.0], [1.5], [2.5], [9.0]])
    >>> schema = TableSchema.infer(X)
    >>> cells = CellEncoder(data_domains(schema.encode(X), schema, n_bins=3))
    >>> cells.transform(schema.encode(X)).ravel().tolist()
    [0, 0, 0, 1, 2, 2]
    """
    out = []
    for j, col in enumerate(schema.columns):
        z = Z[:, j]
        missing = np.isnan(z)
        if col.kind == "categorical":
            out.append(DataDomain(col.name, "categorical", tuple(col.categories),
                                  has_missing=bool(missing.any())))
            continue
        obs = z[~missing]
        uniq, counts = np.unique(obs, return_counts=True)
        if not atoms:
            held = _EMPTY
        elif len(uniq) <= n_bins:
            held = uniq
        else:
            held = uniq[counts >= max(2.0, len(obs) / (2.0 * n_bins))]
        rest = obs[~np.isin(obs, held)]
        n_intervals = max(1, n_bins - len(held))
        edges, quantiles = _EMPTY, None
        if len(rest) or not len(held):
            if strategy == "uniform":
                low, high = (bounds or {}).get(j, (obs.min(), obs.max()))
                edges = np.linspace(low, high, n_intervals + 1)
            else:
                edges = quantile_edges(rest, n_intervals)
                if len(edges) == 1:
                    edges = np.array([edges[0], edges[0]])
            if within_bin == "empirical":
                cell = interval_of(rest, edges)
                qs = []
                for b in range(len(edges) - 1):
                    vals = rest[cell == b]
                    if len(vals) == 0:
                        vals = edges[b:b + 2]
                    qs.append(np.quantile(vals, np.linspace(0, 1, 21)))
                quantiles = np.asarray(qs)
        out.append(DataDomain(col.name, "numeric", has_missing=bool(missing.any()),
                              atoms=held, edges=edges, quantiles=quantiles))
    return out
