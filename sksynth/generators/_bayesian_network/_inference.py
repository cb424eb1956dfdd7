"""Sampling from a discrete Bayesian network, with evidence."""

from __future__ import annotations

import numpy as np

from ..._conditioning import condition_groups
from ._structure import _config_index, topological_order

__all__ = ["DiscreteBayesianNetwork"]


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

    def sample_evidence(
        self, rng, evidence, *, n_particles=50, max_rounds=10, describe=None
    ):
        """Draws given per-row evidence: the one particle sampler.

        Rows are taken one pattern of evidence nodes at a time
        (:func:`~sksynth._conditioning.condition_groups`). Where the pattern
        is :meth:`is_exact`, one clamped forward sample per row is an exact
        draw. Otherwise every row draws ``n_particles`` clamped forward
        samples and keeps one in proportion to its likelihood weight
        (sampling-importance resampling).

        **Impossible evidence** is an error, never a silent fallback: a row
        whose exact weight is zero, or whose particles all have weight zero
        after ``max_rounds`` rounds of ``n_particles`` fresh particles, raises
        a ``ValueError`` naming its conditions (``describe(row)``). A row
        returned thus always has evidence of positive probability under the
        network.

        Parameters
        ----------
        rng : RandomState
            Random generator.
        evidence : ndarray of shape (n_samples, n_nodes)
            States to clamp (NaN = free).
        n_particles : int, default=50
            Candidates per row where the draw is not exact.
        max_rounds : int, default=10
            Rounds of fresh particles for rows whose particles all have
            weight zero, before the evidence is declared impossible.
        describe : callable, default=None
            ``describe(row)`` -> what the conditions of ``row`` are, for the
            error message (default: the row's evidence states).

        Returns
        -------
        states : ndarray of shape (n_samples, n_nodes), int

        Examples
        --------
        >>> import numpy as np
        >>> from sksynth.generators._bayesian_network import (
        ...     DiscreteBayesianNetwork, estimate_cpts)
        >>> D = np.array([[0, 0], [0, 0], [1, 1], [1, 0]])
        >>> bn = DiscreteBayesianNetwork(
        ...     [2, 2], [(), (0,)], estimate_cpts(D, [2, 2], [(), (0,)], alpha=0))
        >>> S = bn.sample_evidence(np.random.RandomState(0),
        ...                        np.array([[np.nan, 1.0]] * 4))
        >>> S[:, 0].tolist()  # only a 1 ever leads to a 1
        [1, 1, 1, 1]
        """
        evidence = np.asarray(evidence, dtype=np.float64)
        S = np.empty(evidence.shape, dtype=np.int64)

        def impossible(row, tried):
            what = (describe(row) if describe is not None
                    else evidence[row][~np.isnan(evidence[row])].tolist())
            raise ValueError(
                f"The conditions {what} have zero probability under the fitted "
                f"network ({tried}); no row can meet them."
            )

        for rows, pattern in condition_groups(evidence, by="pattern"):
            m = 1 if self.is_exact(np.flatnonzero(pattern)) else n_particles
            E = np.repeat(evidence[rows], m, axis=0)
            cand, logw = self.sample(len(E), rng, evidence=E)
            logw = logw.reshape(len(rows), m)
            if m == 1:
                bad = ~np.isfinite(logw[:, 0])
                if bad.any():
                    impossible(rows[np.argmax(bad)], "its exact weight is zero")
                S[rows] = cand
                continue
            cand = cand.reshape(len(rows), m, -1)
            for _ in range(max_rounds - 1):  # rows no particle reached: redraw
                dead = np.flatnonzero(~np.isfinite(logw.max(axis=1)))
                if not len(dead):
                    break
                E = np.repeat(evidence[rows[dead]], m, axis=0)
                more, more_w = self.sample(len(E), rng, evidence=E)
                cand[dead] = more.reshape(len(dead), m, -1)
                logw[dead] = more_w.reshape(len(dead), m)
            top = logw.max(axis=1, keepdims=True)
            dead = ~np.isfinite(top[:, 0])
            if dead.any():
                impossible(
                    rows[np.argmax(dead)],
                    f"none of {max_rounds} rounds of {m} weighted forward "
                    "samples reaches them",
                )
            w = np.exp(logw - top)
            cum = np.cumsum(w, axis=1)
            u = rng.uniform(size=len(rows)) * cum[:, -1]
            pick = np.minimum((u[:, None] > cum).sum(axis=1), m - 1)
            S[rows] = cand[np.arange(len(rows)), pick]
        return S

    @property
    def is_forest(self):
        """Whether every node has at most one parent (a tree or a forest)."""
        return all(len(pa) <= 1 for pa in self.parents)

    def sample_posterior(self, n_samples, rng, evidence, describe=None):
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
        describe : callable, default=None
            ``describe(row)`` -> what the conditions of ``row`` are, for the
            error raised when they have zero probability (as in
            :meth:`sample_evidence`).

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
            bad = cum[:, -1] <= 0
            if bad.any():
                row = int(np.argmax(bad))
                what = (describe(row) if describe is not None
                        else evidence[row][~np.isnan(evidence[row])].tolist())
                raise ValueError(
                    f"The conditions {what} have zero probability under the "
                    "fitted network; no row can meet them."
                )
            u = rng.uniform(size=n) * cum[:, -1]
            S[:, j] = np.minimum((u[:, None] > cum).sum(axis=1), self.cards[j] - 1)
        return S
