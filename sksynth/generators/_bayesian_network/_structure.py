"""Counts, mutual information and structure learning on integer states.

A structure is a list ``parents`` with ``parents[j]`` the tuple of parent
positions of column ``j``; states of ``D`` are integers ``0 .. cards[j] - 1``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "chow_liu_tree",
    "family_counts",
    "greedy_network",
    "mutual_info_from_counts",
    "pairwise_mutual_info",
    "topological_order",
]


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


def mutual_info_from_counts(single, pairs):
    """:func:`pairwise_mutual_info` from counts (e.g. merged over partitions).

    Parameters
    ----------
    single : list of ndarray
        ``single[j]`` the counts of the states of column ``j``.
    pairs : dict
        ``pairs[(i, j)]`` for ``i < j``: ``family_counts(D, cards, j, (i,))``.

    Returns
    -------
    mi : ndarray of shape (n_columns, n_columns)
        The same numbers as ``pairwise_mutual_info`` on the rows counted.
    """
    p = len(single)
    mi = np.zeros((p, p))
    h = [_entropy(np.asarray(c)) for c in single]
    for (i, j), joint in pairs.items():
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
