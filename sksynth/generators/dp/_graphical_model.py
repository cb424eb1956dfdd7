"""Graphical-model estimation from noisy marginals (numpy only).

Given noisy measurements ``y_m = M_{C_m}(D) + N(0, sigma_m^2)`` of marginals on
attribute sets ``C_m``, find the distribution that minimises

    L(mu) = sum_m || M_{C_m}(mu) - y_m ||^2 / (2 sigma_m^2)

over the marginal polytope of a graphical model whose cliques cover the
``C_m``. The model lives on a junction tree (built by greedy elimination);
marginals come from belief propagation in log space and the potentials are
fitted by entropic mirror descent with an Armijo line search (the estimator
of McKenna et al., "Graphical-model based estimation and inference for
differential privacy", ICML 2019, implemented here from the paper). Everything
here is post-processing of DP measurements: it never sees the data.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch
from scipy.optimize import minimize
from scipy.special import logsumexp
from threadpoolctl import threadpool_limits

__all__ = ["GraphicalModel", "Measurement", "estimate_total", "junction_tree"]


class Measurement:
    """A noisy marginal: attributes (sorted tuple), noisy counts, noise scale."""

    def __init__(self, attrs, values, sigma):
        self.attrs = tuple(sorted(attrs))
        self.values = np.asarray(values, dtype=float)
        self.sigma = float(sigma)


# ------------------------------------------------------------ factor helpers
def _expand(values, attrs, target, sizes):
    """Broadcastable view of a table on ``attrs`` inside ``target`` (sorted)."""
    shape = [sizes[a] if a in attrs else 1 for a in target]
    return values.reshape(shape)


def _sum_to(values, attrs, keep, log=False):
    """Sum (or logsumexp) a table on ``attrs`` down to the sorted ``keep``."""
    axes = tuple(i for i, a in enumerate(attrs) if a not in keep)
    if not axes:
        return values
    if isinstance(values, np.ndarray):
        if log:
            return logsumexp(values, axis=axes)
        return values.sum(axis=axes)
    if log:
        return torch.logsumexp(values, dim=axes)
    return values.sum(dim=axes)


def _table_size(attrs, sizes):
    return int(np.prod([sizes[a] for a in attrs], dtype=float))


def junction_tree(cliques, sizes):
    """Maximal cliques and tree edges of a triangulation covering ``cliques``.

    Greedy elimination (smallest resulting table first) triangulates the
    graph in which every attribute set of ``cliques`` is complete; the
    maximal elimination cliques are joined by a maximum-weight spanning tree
    on separator size (a forest is joined by empty separators).
    """
    d = len(sizes)
    adj = [set() for _ in range(d)]
    for c in cliques:
        for a, b in itertools.combinations(c, 2):
            adj[a].add(b)
            adj[b].add(a)
    remaining = set(range(d))
    elim = []
    while remaining:
        best, best_key = None, None
        for v in remaining:
            nb = adj[v] & remaining
            cost = sizes[v] * math.prod(sizes[u] for u in nb)
            if best_key is None or cost < best_key:
                best, best_key = v, cost
        nb = adj[best] & remaining
        elim.append(tuple(sorted(nb | {best})))
        for a, b in itertools.combinations(nb, 2):
            adj[a].add(b)
            adj[b].add(a)
        remaining.remove(best)
    # maximal cliques
    cands = sorted(set(elim), key=len, reverse=True)
    maximal = []
    for c in cands:
        if not any(set(c) <= set(m) for m in maximal):
            maximal.append(c)
    maximal.sort()
    k = len(maximal)
    pairs = sorted(
        ((len(set(maximal[i]) & set(maximal[j])), i, j)
         for i in range(k) for j in range(i + 1, k)),
        reverse=True,
    )
    parent = list(range(k))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges = []
    for _, i, j in pairs:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[ri] = rj
            edges.append((i, j))
    return maximal, edges


def model_size(cliques, sizes):
    """Total number of cells of the junction tree of ``cliques``."""
    maximal, _ = junction_tree(cliques, sizes)
    return sum(_table_size(c, sizes) for c in maximal)


# --------------------------------------------------------------- the model
class GraphicalModel:
    """A junction-tree model fitted to noisy marginals.

    Parameters
    ----------
    sizes : sequence of int
        Number of cells of each attribute.
    cliques : list of tuple
        Attribute sets the model must represent (at least the measured ones).
    """

    def __init__(self, sizes, cliques):
        self.sizes = [int(s) for s in sizes]
        self.cliques, edges = junction_tree(
            list(cliques) + [(i,) for i in range(len(sizes))], self.sizes
        )
        k = len(self.cliques)
        self.neighbors = [[] for _ in range(k)]
        for i, j in edges:
            self.neighbors[i].append(j)
            self.neighbors[j].append(i)
        # BFS order from node 0 (edges connect the forest into a tree)
        self.order, self.parent = [0], {0: None}
        for i in self.order:
            for j in self.neighbors[i]:
                if j not in self.parent:
                    self.parent[j] = i
                    self.order.append(j)
        self.potentials = [np.zeros([self.sizes[a] for a in c]) for c in self.cliques]
        self.total = 1.0
        self._beliefs = None

    # ------------------------------------------------------------- inference
    def containing(self, attrs):
        """Index of a junction-tree clique that contains ``attrs``, or None."""
        s = set(attrs)
        best = None
        for i, c in enumerate(self.cliques):
            if s <= set(c) and (best is None or len(c) < len(self.cliques[best])):
                best = i
        return best

    def _sep(self, i, j):
        return tuple(sorted(set(self.cliques[i]) & set(self.cliques[j])))

    def _calibrate(self, potentials):
        """Log beliefs of every clique (normalised to log probabilities)."""
        cl = self.cliques
        msgs = {}
        # upward: leaves to root
        for i in reversed(self.order):
            p = self.parent[i]
            if p is None:
                continue
            b = potentials[i] + 0.0
            for j in self.neighbors[i]:
                if j != p:
                    b = b + _expand(msgs[(j, i)], self._sep(j, i), cl[i], self.sizes)
            msgs[(i, p)] = _sum_to(b, cl[i], self._sep(i, p), log=True)
        # downward
        for i in self.order:
            for j in self.neighbors[i]:
                if self.parent.get(j) != i:
                    continue
                b = potentials[i] + 0.0
                for k in self.neighbors[i]:
                    if k != j:
                        b = b + _expand(msgs[(k, i)], self._sep(k, i), cl[i],
                                        self.sizes)
                msgs[(i, j)] = _sum_to(b, cl[i], self._sep(i, j), log=True)
        beliefs = []
        for i in range(len(cl)):
            b = potentials[i] + 0.0
            for j in self.neighbors[i]:
                b = b + _expand(msgs[(j, i)], self._sep(j, i), cl[i], self.sizes)
            if isinstance(b, np.ndarray):
                beliefs.append(b - logsumexp(b))
            else:
                beliefs.append(b - torch.logsumexp(b.reshape(-1), dim=0))
        return beliefs

    def clique_marginals(self, potentials=None):
        """Probability tables of the junction-tree cliques."""
        if potentials is None:
            if self._beliefs is None:
                self._beliefs = self._calibrate(self.potentials)
            beliefs = self._beliefs
        else:
            beliefs = self._calibrate(potentials)
        return [np.exp(b) for b in beliefs]

    def marginal(self, attrs, probs=None):
        """Probability table of any attribute set (sorted ``attrs``).

        Inside one clique it is a sum; otherwise variables are eliminated
        along the smallest subtree whose cliques cover ``attrs``.
        """
        attrs = tuple(sorted(attrs))
        if probs is None:
            probs = self.clique_marginals()
        i = self.containing(attrs)
        if i is not None:
            return _sum_to(probs[i], self.cliques[i], attrs)
        return self._tree_marginal(attrs, probs)

    def _tree_marginal(self, attrs, probs):
        need = set(attrs)
        # Steiner subtree: start from cliques that contain some needed attribute
        covering = set()
        for a in attrs:
            covering.add(self.containing((a,)))
        # root the tree at the first covering clique, collect paths
        root = min(covering)
        parent = {root: None}
        order = [root]
        for i in order:
            for j in self.neighbors[i]:
                if j not in parent:
                    parent[j] = i
                    order.append(j)
        keep_nodes = set()
        for c in covering:
            while c is not None and c not in keep_nodes:
                keep_nodes.add(c)
                c = parent[c]
        # upward elimination on the subtree
        factor = {}
        for i in reversed(order):
            if i not in keep_nodes:
                continue
            scope = self.cliques[i]
            table = probs[i]
            p = parent[i]
            if p is not None:  # conditional P(C_i | S_ip)
                sep = self._sep(i, p)
                ps = _sum_to(table, scope, sep)
                table = table / np.maximum(_expand(ps, sep, scope, self.sizes), 1e-300)
            for j in self.neighbors[i]:
                if parent.get(j) == i and j in factor:
                    fs, fv = factor.pop(j)
                    scope, table = _multiply(scope, table, fs, fv, self.sizes)
            keep = need.copy()
            if p is not None:
                keep |= set(self._sep(i, p))
            keep = tuple(sorted(a for a in scope if a in keep))
            factor[i] = (keep, _sum_to(table, scope, keep))
        scope, table = factor[root]
        return _sum_to(table, scope, attrs)

    # ------------------------------------------------------------ estimation
    def fit(self, measurements, total, max_iter=200, tol=1e-8, warm=True):
        """Fit the potentials to ``measurements`` (L-BFGS through belief
        propagation, in torch, float64)."""
        self.total = float(total)
        home = []
        for m in measurements:
            i = self.containing(m.attrs)
            if i is None:
                raise ValueError(f"No clique contains measured attributes {m.attrs}.")
            home.append(i)
        if not warm or not getattr(self, "_initialized", False):
            self._init_one_way(measurements)
        N = self.total
        shapes = [p.shape for p in self.potentials]
        splits = np.cumsum([p.size for p in self.potentials])[:-1]
        targets = [torch.tensor(m.values, dtype=torch.float64) for m in measurements]
        # scale so the loss is O(1) per measured cell
        scale = 1.0 / max(sum(m.values.size for m in measurements), 1)

        def fun(x):
            flat = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            theta = [
                t.reshape(shape)
                for t, shape in zip(torch.tensor_split(flat, list(splits)), shapes)
            ]
            beliefs = self._calibrate(theta)
            loss = 0.0
            for m, i, y in zip(measurements, home, targets):
                mu = N * _sum_to(torch.exp(beliefs[i]), self.cliques[i], m.attrs)
                loss = loss + 0.5 * torch.sum((mu - y) ** 2) / m.sigma**2
            loss = loss * scale
            loss.backward()
            return float(loss.detach()), flat.grad.numpy().copy()

        x0 = np.concatenate([p.ravel() for p in self.potentials])
        # small tensors: threads only contend (measured 2x slower with 2)
        n_threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with torch.enable_grad(), threadpool_limits(1):
                res = minimize(
                    fun, x0, jac=True, method="L-BFGS-B",
                    options={"maxiter": max_iter, "ftol": tol, "gtol": 1e-10,
                             "maxcor": 20},
                )
        finally:
            torch.set_num_threads(n_threads)
        self.potentials = [
            a.reshape(shape) for a, shape in zip(np.split(res.x, splits), shapes)
        ]
        self._beliefs = None
        self.loss_ = float(res.fun) / scale
        self.n_iter_ = int(res.nit)
        return self

    def _init_one_way(self, measurements):
        """Start from the independent model of the best 1-way measurements."""
        self.potentials = [np.zeros_like(p) for p in self.potentials]
        best = {}
        for m in measurements:
            if len(m.attrs) == 1 and (
                m.attrs not in best or m.sigma < best[m.attrs].sigma
            ):
                best[m.attrs] = m
        for attrs, m in best.items():
            v = np.clip(m.values, 0, None) + max(m.sigma, 1e-3) * 1e-2
            i = self.containing(attrs)
            self.potentials[i] = self.potentials[i] + _expand(
                np.log(v / v.sum()), attrs, self.cliques[i], self.sizes
            )
        self._initialized = True

    def rebuild(self, cliques):
        """A model on more cliques, warm-started from this one where possible."""
        new = GraphicalModel(self.sizes, cliques)
        new.total = self.total
        for c, pot in zip(self.cliques, self.potentials):
            i = new.containing(c)
            if i is None:  # cold start (from the 1-way marginals)
                new.potentials = [np.zeros_like(p) for p in new.potentials]
                return new
            new.potentials[i] = new.potentials[i] + _expand(
                pot, c, new.cliques[i], self.sizes
            )
        return new

    # -------------------------------------------------------------- sampling
    def sample(self, n, rng):
        """Draw ``n`` rows of attribute cells (forward sampling on the tree)."""
        probs = self.clique_marginals()
        X = np.full((n, len(self.sizes)), -1, dtype=np.int64)
        done = set()
        for i in self.order:
            scope = self.cliques[i]
            sep = tuple(a for a in scope if a in done)
            new = tuple(a for a in scope if a not in done)
            if not new:
                continue
            perm = [scope.index(a) for a in sep + new]
            table = np.transpose(probs[i], perm)
            n_sep = _table_size(sep, self.sizes) if sep else 1
            table = table.reshape(n_sep, -1)
            rows = table.sum(axis=1, keepdims=True)
            table = np.where(rows > 0, table / np.maximum(rows, 1e-300),
                             1.0 / table.shape[1])
            if sep:
                sep_idx = np.ravel_multi_index(
                    tuple(X[:, a] for a in sep), [self.sizes[a] for a in sep]
                )
            else:
                sep_idx = np.zeros(n, dtype=np.int64)
            cdf = np.cumsum(table, axis=1)
            cdf[:, -1] = 1.0
            flat = (cdf + np.arange(n_sep)[:, None]).ravel()
            u = sep_idx + rng.random_sample(n) * (1 - 1e-12)
            pos = np.searchsorted(flat, u, side="right")
            cell = pos - sep_idx * table.shape[1]
            cell = np.clip(cell, 0, table.shape[1] - 1)
            vals = np.unravel_index(cell, [self.sizes[a] for a in new])
            for a, v in zip(new, vals):
                X[:, a] = v
            done.update(new)
        return X


def _multiply(sa, va, sb, vb, sizes):
    scope = tuple(sorted(set(sa) | set(sb)))
    return scope, _expand(va, sa, scope, sizes) * _expand(vb, sb, scope, sizes)


def estimate_total(measurements):
    """Inverse-variance weighted estimate of the number of rows."""
    num = den = 0.0
    for m in measurements:
        var = m.sigma**2 * m.values.size
        num += m.values.sum() / var
        den += 1.0 / var
    return max(num / den, 1.0) if den else 1.0
