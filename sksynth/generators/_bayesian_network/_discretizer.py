"""Column states of the Bayesian network: code matrix <-> integer states."""

from __future__ import annotations

import numpy as np

from ...preprocessing._cells import interval_of, quantile_edges

__all__ = ["Discretizer"]


class Discretizer:
    """Map a code matrix to integer states per column and back.

    Categorical columns keep their category codes; numeric and datetime
    columns are cut into at most ``n_bins`` states. With ``atoms=True`` a value
    that holds at least ``1 / (2 * n_bins)`` of the rows (a point mass such as
    the zeros of a capital-gain column), and every value of a column with at
    most ``n_bins`` distinct values, is a state of its own and comes back
    exactly. Missing values are one more state of their column.

    Parameters
    ----------
    n_bins : int, default=20
        Maximum number of states of a numeric column (missing excluded).
    strategy : {"quantile", "uniform"}, default="quantile"
        Bin edges of the non-atom values: quantiles, or equal widths over
        ``bounds`` (or the range seen in ``fit``).
    within_bin : {"empirical", "uniform"}, default="empirical"
        How :meth:`inverse` draws a value inside a bin: from the bin's stored
        empirical quantiles, or uniformly between its edges (the choice that
        reads nothing more from the data, for differential privacy).
    atoms : bool, default=True
        Give frequent values their own state.
    bounds : dict, default=None
        ``{column position: (low, high)}`` ranges for ``strategy="uniform"``
        (public knowledge under differential privacy).

    Attributes
    ----------
    cards_ : ndarray of int
        Number of states of every column (missing included).

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.generators._bayesian_network import Discretizer
    >>> from sksynth.preprocessing import TableSchema
    >>> X = np.array([[0.0], [0.0], [0.0], [1.5], [2.5], [9.0]])
    >>> schema = TableSchema.infer(X)
    >>> disc = Discretizer(n_bins=3).fit(schema.encode(X), schema)
    >>> disc.transform(schema.encode(X)).ravel().tolist()
    [0, 0, 0, 1, 2, 2]
    """

    def __init__(
        self, n_bins=20, *, strategy="quantile", within_bin="empirical", atoms=True,
        bounds=None,
    ):
        self.n_bins = n_bins
        self.strategy = strategy
        self.within_bin = within_bin
        self.atoms = atoms
        self.bounds = bounds

    def fit(self, Z, schema):
        """Learn the states of every column of the code matrix ``Z``."""
        self.schema_ = schema
        self.columns_ = []
        cards = []
        for j, col in enumerate(schema.columns):
            z = Z[:, j]
            missing = np.isnan(z)
            info = {"missing_state": None}
            if col.kind == "categorical":
                n = col.n_categories
                info["kind"] = "categorical"
            else:
                info.update(self._fit_numeric(j, z[~missing]))
                n = len(info["atoms"]) + len(info["edges"]) - 1
                n = max(n, len(info["atoms"]))
            if missing.any():
                info["missing_state"] = n
                n += 1
            info["card"] = max(n, 1)
            self.columns_.append(info)
            cards.append(info["card"])
        self.cards_ = np.asarray(cards, dtype=np.int64)
        return self

    def _fit_numeric(self, j, obs):
        uniq, counts = np.unique(obs, return_counts=True)
        if not self.atoms:
            atoms = np.empty(0)
        elif len(uniq) <= self.n_bins:
            atoms = uniq
        else:
            atoms = uniq[counts >= max(2.0, len(obs) / (2.0 * self.n_bins))]
        rest = obs[~np.isin(obs, atoms)]
        n_intervals = max(1, self.n_bins - len(atoms))
        edges = np.empty(0)
        quantiles = []
        if len(rest) or not len(atoms):
            if self.strategy == "uniform":
                low, high = (self.bounds or {}).get(j, (obs.min(), obs.max()))
                edges = np.linspace(low, high, n_intervals + 1)
            else:
                edges = quantile_edges(rest, n_intervals)
                if len(edges) == 1:
                    edges = np.array([edges[0], edges[0]])
            if self.within_bin == "empirical":
                state = interval_of(rest, edges)
                for b in range(len(edges) - 1):
                    vals = rest[state == b]
                    if len(vals) == 0:
                        vals = edges[b:b + 2]
                    quantiles.append(np.quantile(vals, np.linspace(0, 1, 21)))
        return {"kind": "numeric", "atoms": atoms, "edges": edges,
                "quantiles": quantiles}

    def transform(self, Z):
        """States (int64) of a code matrix; NaN cells get the missing state."""
        D = np.zeros(Z.shape, dtype=np.int64)
        for j, info in enumerate(self.columns_):
            D[:, j] = self.transform_column(j, Z[:, j])
        return D

    def transform_column(self, j, z):
        """States (int64) of column ``j``'s codes ``z``."""
        info = self.columns_[j]
        missing = np.isnan(z)
        out = np.zeros(len(z), dtype=np.int64)
        obs = z[~missing]
        if info["kind"] == "categorical":
            out[~missing] = obs.astype(np.int64)
        else:
            atoms = info["atoms"]
            state = np.zeros(len(obs), dtype=np.int64)
            is_atom = np.zeros(len(obs), dtype=bool)
            if len(atoms):
                pos = np.clip(np.searchsorted(atoms, obs), 0, len(atoms) - 1)
                is_atom = atoms[pos] == obs
                state[is_atom] = pos[is_atom]
            if len(info["edges"]):
                state[~is_atom] = len(atoms) + interval_of(
                    obs[~is_atom], info["edges"])
            else:  # a value between atoms only: nearest atom
                state[~is_atom] = np.abs(
                    obs[~is_atom, None] - atoms[None, :]).argmin(axis=1)
            out[~missing] = state
        if missing.any():
            if info["missing_state"] is None:
                raise ValueError(
                    f"Column {self.schema_.columns[j].name!r} had no missing values "
                    "in fit."
                )
            out[missing] = info["missing_state"]
        return out

    def inverse(self, D, rng):
        """Code matrix from states, drawing numeric values inside their bin."""
        Z = np.empty(D.shape, dtype=np.float64)
        for j, info in enumerate(self.columns_):
            d = D[:, j]
            z = np.full(len(d), np.nan)
            miss = info["missing_state"]
            present = d != (-1 if miss is None else miss)
            if info["kind"] == "categorical":
                z[present] = d[present]
            else:
                z[present] = self._inverse_numeric(info, d[present], rng)
            Z[:, j] = z
        return Z

    def _inverse_numeric(self, info, d, rng):
        atoms, edges = info["atoms"], info["edges"]
        out = np.empty(len(d))
        is_atom = d < len(atoms)
        out[is_atom] = atoms[d[is_atom]]
        b = d[~is_atom] - len(atoms)
        if len(b):
            u = rng.uniform(size=len(b))
            if self.within_bin == "empirical":
                Q = np.asarray(info["quantiles"])  # (n_intervals, 21)
                pos = u * 20
                lo = np.floor(pos).astype(np.int64).clip(0, 19)
                frac = pos - lo
                out[~is_atom] = Q[b, lo] * (1 - frac) + Q[b, lo + 1] * frac
            else:
                out[~is_atom] = edges[b] + u * (edges[b + 1] - edges[b])
        return out
