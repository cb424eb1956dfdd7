"""Precision, recall, density, coverage and authenticity of synthetic rows."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from ._base import (
    MAX_SAMPLES,
    check_max_samples,
    check_rng,
    embedder,
    prepare,
    single_threaded,
)
from ._base import subsample as _subsample

__all__ = ["precision_recall"]


def precision_recall(real, synthetic, *, n_neighbors=5, max_samples=MAX_SAMPLES,
                     random_state=None):
    """k-NN precision, recall, density, coverage and authenticity.

    Rows are embedded as for the distance metrics (numeric columns scaled by
    the range of ``real``, one-hot categories). Around each real row a ball
    reaches its ``n_neighbors``-th nearest real neighbour (Kynkäänniemi et al.,
    2019; Naeem et al., 2020):

    * **precision**: share of synthetic rows inside some real ball (fidelity;
      low when the generator produces implausible rows);
    * **recall**: share of real rows inside the ball of some synthetic row
      (built the same way on the synthetic rows; low under mode collapse);
    * **density**: mean number of real balls holding a synthetic row, divided
      by ``n_neighbors`` (about 1 for matching distributions);
    * **coverage**: share of real balls that hold at least one synthetic row
      (low under mode collapse, robust to outliers);
    * **authenticity** (Alaa et al., 2022): share of synthetic rows that are
      farther from their nearest real row than that real row is from its own
      nearest real neighbour (about 0.5 for fresh samples; near 0 when rows
      are copied).

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
        Tables with the same columns.
    n_neighbors : int, default=5
        The k of the k-NN balls.
    max_samples : int or None, default=5000
        Cap on the rows used from each table, subsampled with ``random_state``.
    random_state : int, RandomState instance or None, default=None
        Seeds subsampling.

    Returns
    -------
    scores : Series
        ``precision``, ``recall``, ``density``, ``coverage``, ``authenticity``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import precision_recall
    >>> real = np.random.RandomState(0).normal(size=(200, 2))
    >>> precision_recall(real, real, random_state=0)[["precision", "recall"]].tolist()
    [1.0, 1.0]
    """
    if (isinstance(n_neighbors, bool) or not isinstance(n_neighbors, numbers.Integral)
            or n_neighbors < 1):
        raise ValueError(f"n_neighbors must be an integer >= 1, got {n_neighbors!r}.")
    rng = check_rng(random_state)
    max_samples = check_max_samples(max_samples)
    schema, (Zr, Zs) = prepare(real, synthetic, names=["real", "synthetic"])
    Zr = _subsample(Zr, max_samples, rng)
    Zs = _subsample(Zs, max_samples, rng)
    k = int(n_neighbors)
    if min(len(Zr), len(Zs)) <= k:
        raise ValueError(
            f"precision_recall needs more than n_neighbors={k} rows in each table."
        )
    embed = embedder(schema, Zr)
    R, S = embed(Zr), embed(Zs)
    with single_threaded():
        nn_r = NearestNeighbors(n_neighbors=k + 1).fit(R)
        d_rr, _ = nn_r.kneighbors(R)
        radius_r = d_rr[:, k]  # k-th neighbour other than itself
        nn_s = NearestNeighbors(n_neighbors=k + 1).fit(S)
        d_ss, _ = nn_s.kneighbors(S)
        radius_s = d_ss[:, k]
        tol = 1e-12
        # real balls around each synthetic row: distances synthetic -> real
        d_sr = _pairwise_min_chunks(S, R, radius_r, tol)
        precision = float(np.mean(d_sr["inside_any"]))
        density = float(np.sum(d_sr["count"]) / (k * len(S)))
        d_rs = _pairwise_min_chunks(R, S, radius_s, tol)
        recall = float(np.mean(d_rs["inside_any"]))
        # coverage: the nearest synthetic row of each real row inside its ball
        nn_s1 = NearestNeighbors(n_neighbors=1).fit(S)
        d_rs1, _ = nn_s1.kneighbors(R)
        coverage = float(np.mean(d_rs1[:, 0] <= radius_r + tol))
        # authenticity: nearest real row of each synthetic row
        nn_r1 = NearestNeighbors(n_neighbors=1).fit(R)
        d_sr1, idx = nn_r1.kneighbors(S)
        own = d_rr[idx[:, 0], 1]
        authenticity = float(np.mean(d_sr1[:, 0] > own))
    return pd.Series(
        {
            "precision": precision,
            "recall": recall,
            "density": density,
            "coverage": coverage,
            "authenticity": authenticity,
        }
    )


def _pairwise_min_chunks(Q, B, radius_b, tol, chunk=512):
    """For each row of ``Q``: inside any ball of ``B``, and in how many."""
    inside_any = np.zeros(len(Q), dtype=bool)
    count = np.zeros(len(Q))
    b2 = np.sum(B**2, axis=1)
    r2 = (radius_b + tol) ** 2
    for start in range(0, len(Q), chunk):
        q = Q[start:start + chunk]
        d2 = np.sum(q**2, axis=1)[:, None] + b2[None, :] - 2 * q @ B.T
        d2 = np.maximum(d2, 0)
        inside = d2 <= r2[None, :] + 1e-9
        inside_any[start:start + chunk] = inside.any(axis=1)
        count[start:start + chunk] = inside.sum(axis=1)
    return {"inside_any": inside_any, "count": count}
