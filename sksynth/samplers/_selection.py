"""Choosing among generated candidate rows: what the samplers share.

A sampler that selects draws ``n_candidates`` rows for every row it needs,
scores each candidate, and keeps the best-scoring ones of each block (a
class, or a cell of a fair resampling).
"""

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ..preprocessing import TableEncoder

__all__ = ["neighbour_agreement", "top_per_block"]


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


def neighbour_agreement(X, y, candidates, labels, n_neighbors):
    """Share of each candidate's nearest real rows that carry its label.

    Distances are Euclidean on :class:`~sksynth.preprocessing.TableEncoder`'s
    encoding fitted on ``X`` (standardised numeric columns, one-hot
    categories, missing indicators), so mixed-type tables and columns on
    different scales are compared fairly.

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

    Returns
    -------
    ndarray of shape (n_candidates,)
        Values in [0, 1]; 1 means all neighbours share the candidate's label.
    """
    encoder = TableEncoder(numeric="standard").fit(X)
    k = min(n_neighbors, len(y))
    nn = NearestNeighbors(n_neighbors=k).fit(encoder.transform(X))
    idx = nn.kneighbors(encoder.transform(candidates), return_distance=False)
    y = np.asarray(y)
    return (y[idx] == np.asarray(labels, dtype=y.dtype)[:, None]).mean(axis=1)
