"""Choosing among generated candidate rows: what the samplers share.

A sampler that selects draws ``n_candidates`` rows for every row it needs,
scores each candidate, and keeps the best-scoring ones of each block (a
class, or a cell of a fair resampling).
"""

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ..preprocessing import TableEncoder

__all__ = [
    "NeighbourScorer",
    "drop_per_block",
    "fill_from_rejected",
    "neighbour_agreement",
    "top_per_block",
]


def drop_per_block(scores, sizes, n_candidates, rng, threshold=0.5):
    """Positions of random candidates of each block that score ``>= threshold``.

    The candidates scoring below ``threshold`` are left out; the rows kept
    are drawn at random among the others (when fewer remain than a block
    needs, the best of the rest fill it). Unlike :func:`top_per_block` this
    does not favour the highest scores among those that pass.

    Parameters
    ----------
    scores, sizes, n_candidates, rng
        As in :func:`top_per_block`.
    threshold : float, default=0.5
        Lowest score that passes.

    Returns
    -------
    ndarray of int
        ``sum(sizes)`` positions into ``scores``, block by block.
    """
    return top_per_block(np.minimum(scores, threshold), sizes, n_candidates, rng)


def top_per_block(scores, sizes, n_candidates, rng):
    """Positions of the highest-scoring candidates of each block.

    Parameters
    ----------
    scores : ndarray of shape (sum(sizes) * n_candidates,)
        One score per candidate, blocks laid end to end.
    sizes : sequence of int
        Rows to keep per block; block ``b`` holds ``n_candidates * sizes[b]``
        candidates.
    n_candidates : int
        Candidates per kept row.
    rng : RandomState
        Breaks ties at random (scores such as neighbour shares tie often).

    Returns
    -------
    ndarray of int
        ``sum(sizes)`` positions into ``scores``, block by block.
    """
    chosen, start = [], 0
    for size in sizes:
        block = scores[start : start + n_candidates * size]
        order = np.lexsort((rng.random_sample(len(block)), -block))
        chosen.append(start + np.sort(order[:size]))
        start += n_candidates * size
    return np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)


class NeighbourScorer:
    """Share of a candidate's nearest real rows that carry its label.

    Fitted once on the real rows (the encoder and the neighbour index), then
    called on as many batches of candidates as needed. Distances are
    Euclidean on :class:`~sksynth.preprocessing.TableEncoder`'s encoding
    fitted on ``X`` (standardised numeric columns, one-hot categories,
    missing indicators). With ``sample_weight`` the share is weighted.

    Parameters
    ----------
    n_neighbors : int
        Real rows consulted per candidate (fewer when ``X`` is smaller).
    """

    def __init__(self, n_neighbors):
        self.n_neighbors = n_neighbors

    def fit(self, X, y, sample_weight=None):
        """Encode the real rows ``X`` (labels ``y``) and index them."""
        self.encoder_ = TableEncoder(numeric="standard").fit(X)
        self.y_ = np.asarray(y)
        self.weight_ = (
            None
            if sample_weight is None
            else np.asarray(sample_weight, dtype=np.float64)
        )
        k = min(self.n_neighbors, len(self.y_))
        # brute force: faster than trees for the few thousand rows of a small table
        algorithm = "brute" if len(self.y_) <= 20_000 else "auto"
        # float32: a third faster kNN queries, the same neighbours up to ties
        self.nn_ = NearestNeighbors(n_neighbors=k, algorithm=algorithm).fit(
            self.encoder_.transform(X).astype(np.float32)
        )
        return self

    def score(self, candidates, labels):
        """Shares in [0, 1] of the candidates' neighbours with their label."""
        if len(labels) == 0:
            return np.zeros(0)
        idx = self.nn_.kneighbors(
            self.encoder_.transform(candidates).astype(np.float32),
            return_distance=False,
        )
        same = self.y_[idx] == np.asarray(labels, dtype=self.y_.dtype)[:, None]
        if self.weight_ is None:
            return same.mean(axis=1)
        w = self.weight_[idx]
        return (same * w).sum(axis=1) / w.sum(axis=1)


def fill_from_rejected(scores, size, rng):
    """Positions of the ``size`` best of ``scores``, ties broken at random.

    The fill rule of :func:`drop_per_block` when too few candidates pass.
    """
    order = np.lexsort((rng.random_sample(len(scores)), -np.asarray(scores)))
    return np.sort(order[:size])


def neighbour_agreement(X, y, candidates, labels, n_neighbors, sample_weight=None):
    """Share of each candidate's nearest real rows that carry its label.

    One-shot form of :class:`NeighbourScorer` (fitted on ``X``, ``y``).

    Parameters
    ----------
    X : DataFrame or ndarray of shape (n_samples, n_features)
        The real rows.
    y : ndarray of shape (n_samples,)
        Their labels.
    candidates : DataFrame or ndarray of shape (n_candidates, n_features)
        Generated rows, same columns as ``X``.
    labels : ndarray of shape (n_candidates,)
        The label each candidate was generated for.
    n_neighbors : int
        Real rows consulted per candidate (fewer when ``X`` is smaller).
    sample_weight : ndarray of shape (n_samples,), default=None
        Weight of each real row (None: all 1).

    Returns
    -------
    ndarray of shape (n_candidates,)
        Values in [0, 1]; 1 means all neighbours share the candidate's label.
    """
    scorer = NeighbourScorer(n_neighbors).fit(X, y, sample_weight=sample_weight)
    return scorer.score(candidates, labels)
