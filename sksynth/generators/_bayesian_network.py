"""Discrete Bayesian network generator, built from separable pieces.

The pieces are reusable on their own (PrivBayes, marginal-based and causal
generators build on them):

=============================  ===============================================
piece                          what it does
=============================  ===============================================
:class:`Discretizer`           code matrix <-> integer *states* per column
                               (numeric bins with point masses kept as their
                               own states, categories, missing as one more
                               state) and within-bin sampling back to values
:func:`family_counts`          contingency table of a node and its parents
:func:`pairwise_mutual_info`   mutual information of every pair of columns
:func:`chow_liu_tree`          maximum mutual-information spanning tree
:func:`greedy_network`         bounded greedy BIC search (``max_parents``)
:func:`estimate_cpts`          Laplace-smoothed conditional probability tables
:class:`DiscreteBayesianNetwork`  forward sampling with evidence: exact when
                               every evidence node's parents are evidence,
                               likelihood weights otherwise; exact posterior
                               sampling on trees (``sample_posterior``)
=============================  ===============================================

A structure is a list ``parents`` with ``parents[j]`` the tuple of parent
positions of column ``j``; states of ``D`` are integers ``0 .. cards[j] - 1``.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseGenerator

__all__ = [
    "BayesianNetworkGenerator",
    "DiscreteBayesianNetwork",
    "Discretizer",
    "chow_liu_tree",
    "estimate_cpts",
    "family_counts",
    "greedy_network",
    "pairwise_mutual_info",
    "topological_order",
]


# --------------------------------------------------------------------------
# discretisation
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
                edges = np.unique(np.quantile(rest, np.linspace(0, 1, n_intervals + 1)))
                if len(edges) == 1:
                    edges = np.array([edges[0], edges[0]])
            if self.within_bin == "empirical":
                state = self._interval_of(rest, edges)
                for b in range(len(edges) - 1):
                    vals = rest[state == b]
                    if len(vals) == 0:
                        vals = edges[b:b + 2]
                    quantiles.append(np.quantile(vals, np.linspace(0, 1, 21)))
        return {"kind": "numeric", "atoms": atoms, "edges": edges,
                "quantiles": quantiles}

    @staticmethod
    def _interval_of(values, edges):
        return np.clip(
            np.searchsorted(edges, values, side="right") - 1, 0, max(len(edges) - 2, 0)
        )

    def transform(self, Z):
        """States (int64) of a code matrix; NaN cells get the missing state."""
        D = np.zeros(Z.shape, dtype=np.int64)
        for j, info in enumerate(self.columns_):
            D[:, j] = self._transform_column(j, Z[:, j])
        return D

    def _transform_column(self, j, z):
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
                state[~is_atom] = len(atoms) + self._interval_of(
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


# --------------------------------------------------------------------------
# counts, information, structure
def _config_index(D, cards, cols):
    """Mixed-radix index of the joint state of ``cols`` in every row."""
    idx = np.zeros(D.shape[0], dtype=np.int64)
    for c in cols:
        idx = idx * cards[c] + D[:, c]
    return idx


def family_counts(D, cards, node, parents, weights=None):
    """Counts of ``node`` given each parent configuration.

    Parameters
    ----------
    D : ndarray of shape (n_samples, n_columns), int
        States.
    cards : array-like of int
        Number of states of every column.
    node : int
        Child column.
    parents : tuple of int
        Parent columns (mixed-radix order: the last parent varies fastest).
    weights : ndarray of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    counts : ndarray of shape (prod(cards[parents]), cards[node])
    """
    cards = np.asarray(cards)
    n_configs = int(np.prod([cards[p] for p in parents], dtype=np.int64))
    idx = _config_index(D, cards, parents) * cards[node] + D[:, node]
    flat = np.bincount(idx, weights=weights, minlength=n_configs * cards[node])
    return flat.reshape(n_configs, cards[node]).astype(np.float64)


def _entropy(counts):
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def pairwise_mutual_info(D, cards):
    """Empirical mutual information (nats) of every pair of columns."""
    p = D.shape[1]
    mi = np.zeros((p, p))
    h = [_entropy(np.bincount(D[:, j], minlength=cards[j])) for j in range(p)]
    for i in range(p):
        for j in range(i + 1, p):
            joint = family_counts(D, cards, j, (i,))
            mi[i, j] = mi[j, i] = max(h[i] + h[j] - _entropy(joint.ravel()), 0.0)
    return mi


def chow_liu_tree(D, cards, root=0, mutual_info=None):
    """Chow–Liu tree: the maximum mutual-information spanning tree.

    Parameters
    ----------
    D : ndarray of shape (n_samples, n_columns), int
        States.
    cards : array-like of int
        Number of states of every column.
    root : int, default=0
        Column at the root; edges point away from it.
    mutual_info : ndarray of shape (n_columns, n_columns), default=None
        Precomputed (possibly noisy) mutual information.

    Returns
    -------
    parents : list of tuple
        ``parents[j]`` is ``()`` for the root and ``(parent,)`` otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.generators._bayesian_network import chow_liu_tree
    >>> rng = np.random.RandomState(0)
    >>> a = rng.randint(0, 2, 500)
    >>> b = a ^ (rng.uniform(size=500) < 0.1)
    >>> c = b ^ (rng.uniform(size=500) < 0.1)
    >>> chow_liu_tree(np.c_[a, b, c], [2, 2, 2], root=0)
    [(), (0,), (1,)]
    """
    p = D.shape[1]
    mi = pairwise_mutual_info(D, cards) if mutual_info is None else mutual_info
    parents = [()] * p
    in_tree = np.zeros(p, dtype=bool)
    in_tree[root] = True
    best = mi[root].copy()
    best_from = np.full(p, root)
    for _ in range(p - 1):
        cand = np.where(in_tree, -np.inf, best)
        j = int(np.argmax(cand))
        parents[j] = (int(best_from[j]),)
        in_tree[j] = True
        better = mi[j] > best
        best = np.where(better, mi[j], best)
        best_from = np.where(better, j, best_from)
    return parents


def _family_bic(D, cards, node, parents, log_n):
    counts = family_counts(D, cards, node, parents)
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.where(counts > 0, counts * np.log(counts / totals), 0.0).sum()
    n_params = counts.shape[0] * (cards[node] - 1)
    return ll - 0.5 * log_n * n_params


def _reaches(parents, start, target):
    """Whether ``target`` is an ancestor-or-self of ``start``."""
    stack, seen = [start], set()
    while stack:
        v = stack.pop()
        if v == target:
            return True
        if v not in seen:
            seen.add(v)
            stack.extend(parents[v])
    return False


def greedy_network(D, cards, max_parents=2, max_table_size=1_000_000):
    """Greedy hill-climbing on the BIC score, adding one edge at a time.

    Each step adds the edge with the largest BIC gain that keeps the graph
    acyclic, gives no node more than ``max_parents`` parents and no table more
    than ``max_table_size`` cells; the search stops when no edge improves the
    score.

    Returns
    -------
    parents : list of tuple
    """
    cards = np.asarray(cards)
    p = D.shape[1]
    log_n = np.log(max(D.shape[0], 2))
    parents = [()] * p
    score = np.array([_family_bic(D, cards, j, (), log_n) for j in range(p)])
    gain = np.full((p, p), -np.inf)  # gain[i, j] of adding edge i -> j

    def refresh(j):
        gain[:, j] = -np.inf
        if len(parents[j]) >= max_parents:
            return
        for i in range(p):
            if i == j or i in parents[j]:
                continue
            fam = parents[j] + (i,)
            size = np.prod([cards[c] for c in fam], dtype=np.float64) * cards[j]
            if size > max_table_size:
                continue
            gain[i, j] = _family_bic(D, cards, j, fam, log_n) - score[j]

    for j in range(p):
        refresh(j)
    while True:
        order = np.argsort(-gain, axis=None)
        added = False
        for flat in order:
            i, j = divmod(int(flat), p)
            if gain[i, j] <= 0:
                break
            if _reaches(parents, i, j):  # j is an ancestor of i: a cycle
                continue
            parents[j] = parents[j] + (i,)
            score[j] += gain[i, j]
            refresh(j)
            added = True
            break
        if not added:
            return parents


def topological_order(parents):
    """Order of the columns in which every node follows its parents."""
    p = len(parents)
    order, placed = [], np.zeros(p, dtype=bool)
    while len(order) < p:
        progressed = False
        for j in range(p):
            if not placed[j] and all(placed[q] for q in parents[j]):
                order.append(j)
                placed[j] = True
                progressed = True
        if not progressed:
            raise ValueError("The structure has a cycle.")
    return order


def estimate_cpts(D, cards, parents, alpha=1.0, counts=None):
    """Laplace-smoothed conditional probability tables.

    Parameters
    ----------
    D : ndarray of shape (n_samples, n_columns), int
        States (ignored when ``counts`` is given).
    cards : array-like of int
        Number of states of every column.
    parents : list of tuple
        The structure.
    alpha : float, default=1.0
        Pseudo-count added to every cell.
    counts : list of ndarray, default=None
        Precomputed (e.g. noisy) :func:`family_counts` per node; negative
        cells are clipped to 0 before smoothing.

    Returns
    -------
    cpts : list of ndarray
        ``cpts[j]`` of shape ``(prod(cards[parents[j]]), cards[j])``, rows sum
        to 1 (uniform for an unseen parent configuration when ``alpha=0``).
    """
    cpts = []
    for j, pa in enumerate(parents):
        c = family_counts(D, cards, j, pa) if counts is None else counts[j]
        c = np.clip(c, 0, None) + alpha
        totals = c.sum(axis=1, keepdims=True)
        safe = np.where(totals > 0, totals, 1)
        cpt = np.where(totals > 0, c / safe, 1.0 / c.shape[1])
        cpts.append(cpt)
    return cpts


class DiscreteBayesianNetwork:
    """A discrete Bayesian network: structure plus tables, with sampling.

    Parameters
    ----------
    cards : array-like of int
        Number of states of every node.
    parents : list of tuple
        ``parents[j]``: parent nodes of ``j``.
    cpts : list of ndarray
        Conditional tables as returned by :func:`estimate_cpts`.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.generators._bayesian_network import (
    ...     DiscreteBayesianNetwork, estimate_cpts)
    >>> D = np.array([[0, 0], [0, 0], [1, 1], [1, 1]])
    >>> bn = DiscreteBayesianNetwork([2, 2], [(), (0,)],
    ...                              estimate_cpts(D, [2, 2], [(), (0,)], alpha=0))
    >>> evidence = np.array([[1, np.nan]] * 5)
    >>> S, logw = bn.sample(5, np.random.RandomState(0), evidence=evidence)
    >>> S[:, 1].tolist()
    [1, 1, 1, 1, 1]
    """

    def __init__(self, cards, parents, cpts):
        self.cards = np.asarray(cards, dtype=np.int64)
        self.parents = [tuple(int(q) for q in pa) for pa in parents]
        self.cpts = cpts
        self.order = topological_order(self.parents)
        self._cum = [np.cumsum(c, axis=1) for c in cpts]

    def is_exact(self, evidence_nodes):
        """True when forward sampling with this evidence needs no weights.

        That is when every parent of an evidence node is itself evidence (the
        evidence sits on the root side of the graph).
        """
        ev = {int(e) for e in evidence_nodes}
        return all(set(self.parents[e]) <= ev for e in ev)

    def sample(self, n_samples, rng, evidence=None):
        """Forward (ancestral) sampling, clamping evidence.

        Parameters
        ----------
        n_samples : int
            Number of rows.
        rng : RandomState
            Random generator.
        evidence : ndarray of shape (n_samples, n_nodes), default=None
            States to clamp (NaN = free).

        Returns
        -------
        states : ndarray of shape (n_samples, n_nodes), int
        log_weights : ndarray of shape (n_samples,)
            Sum over evidence nodes of ``log P(evidence | parents)`` (the
            likelihood weights; zeros without evidence).
        """
        p = len(self.cards)
        S = np.zeros((n_samples, p), dtype=np.int64)
        logw = np.zeros(n_samples)
        for j in self.order:
            cfg = _config_index(S, self.cards, self.parents[j])
            ev = None if evidence is None else evidence[:, j]
            clamp = np.zeros(n_samples, dtype=bool) if ev is None else ~np.isnan(ev)
            free = ~clamp
            if free.any():
                cum = self._cum[j][cfg[free]]
                u = rng.uniform(size=int(free.sum()))
                draw = (u[:, None] * cum[:, -1:] > cum).sum(axis=1)
                S[free, j] = np.minimum(draw, self.cards[j] - 1)
            if clamp.any():
                vals = ev[clamp].astype(np.int64)
                S[clamp, j] = vals
                with np.errstate(divide="ignore"):
                    logw[clamp] += np.log(self.cpts[j][cfg[clamp], vals])
        return S, logw

    @property
    def is_forest(self):
        """Whether every node has at most one parent (a tree or a forest)."""
        return all(len(pa) <= 1 for pa in self.parents)

    def sample_posterior(self, n_samples, rng, evidence):
        """Exact draws from P(free nodes | evidence) on a tree-shaped network.

        Messages are passed from the leaves to the roots (``lambda`` messages
        of belief propagation), then every node is drawn top-down from its
        table times its message, so any evidence, anywhere in the tree, is
        honoured with the exact conditional distribution of the rest.

        Parameters
        ----------
        n_samples : int
            Number of rows.
        rng : RandomState
            Random generator.
        evidence : ndarray of shape (n_samples, n_nodes)
            States to clamp (NaN = free), one row of evidence per sample.

        Returns
        -------
        states : ndarray of shape (n_samples, n_nodes), int
        """
        if not self.is_forest:
            raise ValueError("sample_posterior needs a tree-shaped network.")
        n = n_samples
        lam = []
        for j, k in enumerate(self.cards):
            ev = evidence[:, j]
            m = np.ones((n, k))
            clamp = ~np.isnan(ev)
            if clamp.any():
                m[clamp] = 0.0
                m[np.flatnonzero(clamp), ev[clamp].astype(np.int64)] = 1.0
            lam.append(m)
        for c in reversed(self.order):
            if self.parents[c]:
                (j,) = self.parents[c]
                msg = lam[c] @ self.cpts[c].T  # (n, cards[j])
                lam[j] = lam[j] * msg
                lam[j] /= np.maximum(lam[j].max(axis=1, keepdims=True), 1e-300)
        S = np.zeros((n, len(self.cards)), dtype=np.int64)
        for j in self.order:
            if self.parents[j]:
                prob = self.cpts[j][S[:, self.parents[j][0]]] * lam[j]
            else:
                prob = self.cpts[j][0][None, :] * lam[j]
            cum = np.cumsum(prob, axis=1)
            if np.any(cum[:, -1] <= 0):
                raise ValueError(
                    "The conditions have zero probability under the fitted network."
                )
            u = rng.uniform(size=n) * cum[:, -1]
            S[:, j] = np.minimum((u[:, None] > cum).sum(axis=1), self.cards[j] - 1)
        return S


# --------------------------------------------------------------------------
# the generator
class BayesianNetworkGenerator(BaseGenerator):
    """Bayesian network over a discretised table, with native conditioning.

    Numeric (and datetime) columns are discretised into at most ``n_bins``
    states (frequent values such as the zeros of a capital-gain column keep a
    state of their own and come back exactly; other values are drawn inside
    their bin), categorical columns keep their categories and missing values
    are one more state. A structure is learned on the states — a Chow–Liu
    tree rooted at the target (or at the best-connected column), or a greedy
    BIC search with at most ``max_parents`` parents per node — and
    Laplace-smoothed conditional probability tables are estimated. Rows are
    drawn by forward sampling.

    Conditioning is native: conditioned cells are clamped as evidence. With a
    tree structure (the default) the free columns are drawn from their exact
    conditional distribution given the evidence, wherever it sits in the tree
    (message passing, then top-down sampling). With the greedy structure the
    draw is exact when every parent of an evidence node is evidence too
    (conditions on the root side); otherwise each row is chosen among
    ``n_particles`` clamped forward samples in proportion to their likelihood
    weights (sampling-importance resampling). Every returned row meets its
    conditions; no rejection is involved.

    Parameters
    ----------
    structure : {"chow_liu", "greedy"}, default="chow_liu"
        Structure learning.
    max_parents : int, default=2
        Maximum number of parents per node of the greedy search.
    n_bins : int, default=20
        Maximum number of states of a numeric column.
    alpha : float, default=0.1
        Laplace pseudo-count added to every cell of every table (1.0 is
        classic add-one smoothing; smaller values invent fewer impossible
        combinations, such as an education level with the wrong number of
        years, while every combination keeps a non-zero probability).
    within_bin : {"empirical", "uniform"}, default="empirical"
        How values are drawn inside a numeric bin.
    n_particles : int, default=50
        Candidates per row for likelihood-weighted conditioning.
    random_state : int, RandomState instance or None, default=None
        Seed for ``sample``.

    Attributes
    ----------
    schema_ : TableSchema
        Column types seen in ``fit``.
    discretizer_ : Discretizer
        Column states.
    network_ : DiscreteBayesianNetwork
        Structure and conditional probability tables.
    parents_ : list of tuple
        Parent columns of every column (schema order, target last).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    References
    ----------
    C. Chow and C. Liu, "Approximating discrete probability distributions with
    dependence trees", IEEE Trans. Inf. Theory, 1968.

    Examples
    --------
    >>> from sksynth.generators import BayesianNetworkGenerator
    >>> import pandas as pd
    >>> df = pd.DataFrame({"age": [23, 35, 47, 51, 62, 29] * 5,
    ...                    "plan": ["a", "b", "b", "a", "b", "a"] * 5})
    >>> gen = BayesianNetworkGenerator(random_state=0).fit(df)
    >>> synth = gen.sample(4, conditions={"plan": "b"}, random_state=0)
    >>> synth["plan"].tolist()
    ['b', 'b', 'b', 'b']
    >>> bool(synth["age"].isin([35, 47, 62]).all())
    True
    """

    _parameter_constraints: dict = {
        "structure": [StrOptions({"chow_liu", "greedy"})],
        "max_parents": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_bins": [Interval(numbers.Integral, 2, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "within_bin": [StrOptions({"empirical", "uniform"})],
        "n_particles": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }
    _native_conditioning = True

    def __init__(
        self, *, structure="chow_liu", max_parents=2, n_bins=20, alpha=0.1,
        within_bin="empirical", n_particles=50, random_state=None,
    ):
        self.structure = structure
        self.max_parents = max_parents
        self.n_bins = n_bins
        self.alpha = alpha
        self.within_bin = within_bin
        self.n_particles = n_particles
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        return {"n_bins": 5, "random_state": 0}

    def _fit(self, Z, random_state):
        disc = Discretizer(self.n_bins, within_bin=self.within_bin).fit(Z, self.schema_)
        D = disc.transform(Z)
        cards = disc.cards_
        if self.structure == "chow_liu":
            mi = pairwise_mutual_info(D, cards)
            if self.schema_.has_target:
                root = self.schema_.target_index
            else:
                root = int(np.argmax(mi.sum(axis=1))) if len(mi) else 0
            parents = chow_liu_tree(D, cards, root=root, mutual_info=mi)
        else:
            parents = greedy_network(D, cards, max_parents=self.max_parents)
        cpts = estimate_cpts(D, cards, parents, alpha=self.alpha)
        self.discretizer_ = disc
        self.parents_ = parents
        self.network_ = DiscreteBayesianNetwork(cards, parents, cpts)
        return self

    def _sample(self, n_samples, conditions, random_state):
        if conditions is None:
            S, _ = self.network_.sample(n_samples, random_state)
            return self.discretizer_.inverse(S, random_state)
        C = conditions
        given = ~np.isnan(C)
        E = np.full(C.shape, np.nan)
        for j in np.flatnonzero(given.any(axis=0)):
            rows = given[:, j]
            E[rows, j] = self.discretizer_._transform_column(j, C[rows, j])
        if self.network_.is_forest:
            S = self.network_.sample_posterior(len(C), random_state, E)
            Zs = self.discretizer_.inverse(S, random_state)
            Zs[given] = C[given]
            return Zs
        S = np.empty(C.shape, dtype=np.int64)
        patterns, inverse = np.unique(given, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        for g, pattern in enumerate(patterns):
            rows = np.flatnonzero(inverse == g)
            cols = np.flatnonzero(pattern)
            m = 1 if self.network_.is_exact(cols) else self.n_particles
            Erep = np.repeat(E[rows], m, axis=0)
            cand, logw = self.network_.sample(len(Erep), random_state, evidence=Erep)
            logw = logw.reshape(len(rows), m)
            if not np.isfinite(logw.max(axis=1)).all():
                raise ValueError(
                    "The conditions have zero probability under the fitted network "
                    "(alpha=0 and a combination never seen in fit)."
                )
            if m == 1:
                S[rows] = cand
                continue
            w = np.exp(logw - logw.max(axis=1, keepdims=True))
            cum = np.cumsum(w, axis=1)
            u = random_state.uniform(size=len(rows)) * cum[:, -1]
            pick = np.minimum((u[:, None] > cum).sum(axis=1), m - 1)
            S[rows] = cand[np.arange(len(rows)) * m + pick]
        Zs = self.discretizer_.inverse(S, random_state)
        Zs[given] = C[given]
        return Zs
