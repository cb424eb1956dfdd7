"""Choosing among generated candidate rows: what the samplers share.

A sampler that selects draws ``n_candidates`` rows for every row it needs,
scores each candidate, and keeps the best-scoring ones of each block (a
class, or a cell of a fair resampling).
"""

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ..preprocessing import TableEncoder

__all__ = ["drop_per_block", "neighbour_agreement", "top_per_block"]


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


def neighbour_agreement(X, y, candidates, labels, n_neighbors, sample_weight=None):
    """Share of each candidate's nearest real rows that carry its label.

    Distances are Euclidean on :class:`~sksynth.preprocessing.TableEncoder`'s
    encoding fitted on ``X`` (standardised numeric columns, one-hot
    categories, missing indicators), so mixed-type tables and columns on
    different scales are compared fairly. With ``sample_weight`` the share
    is weighted (rows of a subsample, weighted by the inverse of their
    class's sampling rate, estimate the shares of the full table).

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
    encoder = TableEncoder(numeric="standard").fit(X)
    k = min(n_neighbors, len(y))
    # brute force: faster than trees for the few thousand rows of a small table
    algorithm = "brute" if len(y) <= 20_000 else "auto"
    nn = NearestNeighbors(n_neighbors=k, algorithm=algorithm).fit(encoder.transform(X))
    idx = nn.kneighbors(encoder.transform(candidates), return_distance=False)
    y = np.asarray(y)
    same = y[idx] == np.asarray(labels, dtype=y.dtype)[:, None]
    if sample_weight is None:
        return same.mean(axis=1)
    w = np.asarray(sample_weight, dtype=np.float64)[idx]
    return (same * w).sum(axis=1) / w.sum(axis=1)
