"""Conditional probability tables of a discrete Bayesian network."""

from __future__ import annotations

import numpy as np

from ._structure import family_counts

__all__ = ["estimate_cpts"]


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
