"""Privacy: are synthetic rows closer to the training rows than fresh data is?

``real`` is always the table the generator was trained on and ``holdout`` a
table from the same source that it never saw. Distances are Euclidean in the
embedding of :func:`~sksynth.metrics.precision_recall` (numeric columns scaled
by the range of ``real``, a category mismatch costs 1). Cost control, seeded by
``random_state``: the rows whose nearest neighbours are searched (synthetic rows
for DCR, candidate members for the attack) are capped at ``max_samples``; the
tables searched (training, holdout, synthetic) at ``4 * max_samples``, and the
training and holdout references are made equally large (the smaller size), so
that "closer to training than to holdout" has a 0.5 baseline. Give a holdout
as large as the training table (within the cap): copies of training rows left
out of the reference are not seen as copies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
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

# Reference tables (training rows, holdout rows, synthetic rows searched by the
# attack) are capped at this multiple of ``max_samples``; query rows at
# ``max_samples``. Nearest-neighbour search costs queries x references.
REFERENCE_FACTOR = 4

__all__ = [
    "dcr_ratio",
    "dcr_share",
    "distances_to_closest_record",
    "exact_copy_rate",
    "membership_inference_auc",
    "nndr",
]


def _nearest(reference, query, k=1):
    with single_threaded():
        nn = NearestNeighbors(n_neighbors=k).fit(reference)
        return nn.kneighbors(query)[0]


def _prepare_holdout(real, synthetic, holdout, max_samples, rng):
    """Embedded tables: equally large references, capped queries."""
    max_samples = check_max_samples(max_samples)
    schema, (Zr, Zs, Zh) = prepare(
        real, synthetic, holdout, names=["real", "synthetic", "holdout"]
    )
    ref_cap = None if max_samples is None else REFERENCE_FACTOR * max_samples
    n_ref = min(len(Zr), len(Zh)) if ref_cap is None else min(
        len(Zr), len(Zh), ref_cap)
    Zr = _subsample(Zr, n_ref, rng)
    Zh = _subsample(Zh, n_ref, rng)
    Zs = _subsample(Zs, ref_cap, rng)
    embed = embedder(schema, Zr)
    return embed(Zr), embed(Zs), embed(Zh), max_samples


def distances_to_closest_record(real, synthetic, holdout, *, max_samples=MAX_SAMPLES,
                                random_state=None):
    """Distances to the closest training and holdout row, per synthetic row.

    Parameters
    ----------
    real : DataFrame or array-like
        The training table of the generator.
    synthetic : DataFrame or array-like
        Rows drawn from the generator.
    holdout : DataFrame or array-like
        Rows from the same source not used for training.
    max_samples : int or None, default=5000
        Cap on the rows used from each table.
    random_state : int, RandomState instance or None, default=None
        Seeds subsampling.

    Returns
    -------
    distances : DataFrame
        Columns ``synthetic_to_real``, ``synthetic_to_holdout`` (one row per
        synthetic row used) and, as reference, ``holdout_to_real`` (the
        distance of each holdout row to its closest training row), padded with
        NaN to the same length.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import distances_to_closest_record
    >>> rng = np.random.RandomState(0)
    >>> real, holdout = rng.normal(size=(50, 2)), rng.normal(size=(50, 2))
    >>> d = distances_to_closest_record(real, real, holdout, random_state=0)
    >>> float(d["synthetic_to_real"].max())
    0.0
    """
    rng = check_rng(random_state)
    R, S, H, max_samples = _prepare_holdout(real, synthetic, holdout, max_samples,
                                            rng)
    S = _subsample(S, max_samples, rng)
    to_real = _nearest(R, S)[:, 0]
    to_hold = _nearest(H, S)[:, 0]
    h_to_r = _nearest(R, _subsample(H, max_samples, rng))[:, 0]
    n = max(len(S), len(h_to_r))
    pad = lambda a: np.r_[a, np.full(n - len(a), np.nan)]  # noqa: E731
    return pd.DataFrame(
        {
            "synthetic_to_real": pad(to_real),
            "synthetic_to_holdout": pad(to_hold),
            "holdout_to_real": pad(h_to_r),
        }
    )


def dcr_share(real, synthetic, holdout, *, max_samples=MAX_SAMPLES,
              random_state=None):
    """Share of synthetic rows closer to the training set than to the holdout.

    Training and holdout references have the same size, so a generator that
    does not memorise gives about 0.5; copies of training rows give 1. Ties
    count one half.

    Parameters
    ----------
    real, synthetic, holdout : DataFrame or array-like
        Training table, generated rows, unseen rows from the same source.
    max_samples : int or None, default=5000
        Cap on the rows used from each table.
    random_state : int, RandomState instance or None, default=None
        Seeds subsampling.

    Returns
    -------
    share : float in [0, 1]

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import dcr_share
    >>> rng = np.random.RandomState(0)
    >>> real, holdout = rng.normal(size=(100, 2)), rng.normal(size=(100, 2))
    >>> dcr_share(real, real, holdout, random_state=0)
    1.0
    """
    d = distances_to_closest_record(real, synthetic, holdout,
                                    max_samples=max_samples,
                                    random_state=random_state)
    d = d.dropna(subset=["synthetic_to_real"])
    a, b = d["synthetic_to_real"].to_numpy(), d["synthetic_to_holdout"].to_numpy()
    return float(np.mean((a < b) + 0.5 * (a == b)))


def dcr_ratio(real, synthetic, holdout, *, max_samples=MAX_SAMPLES,
              random_state=None):
    """Median distance of synthetic rows to the training set over that to the holdout.

    About 1 for a generator that is no closer to its training rows than to
    fresh data; 0 when it copies training rows.

    Parameters
    ----------
    real, synthetic, holdout : DataFrame or array-like
        Training table, generated rows, unseen rows from the same source.
    max_samples : int or None, default=5000
        Cap on the rows used from each table.
    random_state : int, RandomState instance or None, default=None
        Seeds subsampling.

    Returns
    -------
    ratio : float (NaN when the synthetic rows copy the holdout)

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import dcr_ratio
    >>> rng = np.random.RandomState(0)
    >>> real, holdout = rng.normal(size=(100, 2)), rng.normal(size=(100, 2))
    >>> dcr_ratio(real, real, holdout, random_state=0)
    0.0
    """
    d = distances_to_closest_record(real, synthetic, holdout,
                                    max_samples=max_samples,
                                    random_state=random_state)
    num = float(np.nanmedian(d["synthetic_to_real"]))
    den = float(np.nanmedian(d["synthetic_to_holdout"]))
    return num / den if den > 0 else float("nan")


def exact_copy_rate(real, synthetic, *, random_state=None):
    """Share of synthetic rows identical to some row of ``real``.

    Rows are compared on their codes (every column equal, missing equals
    missing). Note that a table with many duplicate rows has a positive rate
    even for fresh samples: compare with the rate of a holdout table.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
        Training table and generated rows.
    random_state : None
        Unused (the rate is exact); accepted for a uniform signature.

    Returns
    -------
    rate : float in [0, 1]

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.metrics import exact_copy_rate
    >>> real = pd.DataFrame({"x": [1, 2, 3], "c": ["a", "b", "a"]})
    >>> synth = pd.DataFrame({"x": [1, 2, 5], "c": ["a", "a", "a"]})
    >>> round(exact_copy_rate(real, synth), 3)
    0.333
    """
    _, (Zr, Zs) = prepare(real, synthetic, names=["real", "synthetic"])
    fr = pd.DataFrame(Zr).fillna(np.inf)
    fs = pd.DataFrame(Zs).fillna(np.inf)
    known = set(pd.util.hash_pandas_object(fr, index=False).to_numpy().tolist())
    hs = pd.util.hash_pandas_object(fs, index=False).to_numpy()
    return float(np.mean([h in known for h in hs.tolist()]))


def nndr(real, synthetic, *, max_samples=MAX_SAMPLES, random_state=None):
    """Mean nearest-neighbour distance ratio of synthetic rows.

    For each synthetic row, the distance to its closest training row divided by
    the distance to the second closest (1 when both are equally far). Values
    near 0 mean synthetic rows sit on one particular training row (a privacy
    risk); compare with the value for a holdout table.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
        Training table and generated rows.
    max_samples : int or None, default=5000
        Cap on the rows used from each table.
    random_state : int, RandomState instance or None, default=None
        Seeds subsampling.

    Returns
    -------
    ratio : float in [0, 1]

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import nndr
    >>> real = np.random.RandomState(0).normal(size=(100, 2))
    >>> nndr(real, real, random_state=0)
    0.0
    """
    rng = check_rng(random_state)
    max_samples = check_max_samples(max_samples)
    schema, (Zr, Zs) = prepare(real, synthetic, names=["real", "synthetic"])
    Zr = _subsample(Zr, max_samples, rng)
    Zs = _subsample(Zs, max_samples, rng)
    if len(Zr) < 2:
        raise ValueError("nndr needs at least 2 real rows.")
    embed = embedder(schema, Zr)
    d = _nearest(embed(Zr), embed(Zs), k=2)
    ratio = np.divide(d[:, 0], d[:, 1], out=np.ones(len(d)), where=d[:, 1] > 0)
    return float(np.mean(ratio))


def membership_inference_auc(real, synthetic, holdout, *, max_samples=MAX_SAMPLES,
                             random_state=None):
    """ROC AUC of a distance-based membership-inference attack.

    The attacker scores each candidate row by minus its distance to the
    closest synthetic row and guesses that close rows were in the training
    set. Members are rows of ``real``, non-members rows of ``holdout`` (equal
    numbers); the AUC is computed by :func:`sklearn.metrics.roc_auc_score`.
    About 0.5 means the synthetic data reveal nothing about membership; near 1
    means the training rows can be recognised.

    Parameters
    ----------
    real, synthetic, holdout : DataFrame or array-like
        Training table, generated rows, unseen rows from the same source.
    max_samples : int or None, default=5000
        Cap on the rows used from each table.
    random_state : int, RandomState instance or None, default=None
        Seeds subsampling.

    Returns
    -------
    auc : float in [0, 1]

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import membership_inference_auc
    >>> rng = np.random.RandomState(0)
    >>> real, holdout = rng.normal(size=(100, 2)), rng.normal(size=(100, 2))
    >>> membership_inference_auc(real, real, holdout, random_state=0)
    1.0
    """
    rng = check_rng(random_state)
    R, S, H, max_samples = _prepare_holdout(real, synthetic, holdout, max_samples,
                                            rng)
    n = len(R) if max_samples is None else min(len(R), max_samples)
    R, H = _subsample(R, n, rng), _subsample(H, n, rng)
    d_members = _nearest(S, R)[:, 0]
    d_others = _nearest(S, H)[:, 0]
    y = np.r_[np.ones(len(R)), np.zeros(len(H))]
    return float(roc_auc_score(y, -np.r_[d_members, d_others]))
