"""Row profiles from checkpoint probabilities: Data-IQ, Data Maps, confident learning.

Every method starts from ``P``, the probability a classifier gives to each
row's *own* label at ``k`` checkpoints of its training (boosting stages,
epochs): a matrix of shape ``(n_samples, k)``. Then, per row,

* confidence = mean of ``P`` over the checkpoints;
* aleatoric uncertainty (Data-IQ, Seedat et al. 2022) = mean of ``P (1 - P)``;
* variability (Data Maps, Swayamdipta et al. 2020) = standard deviation of ``P``.

A row is *hard* when the model is confidently wrong about it (confidence at
most 0.25 and uncertainty at most 0.2), *easy* when it is confidently right
(confidence at least 0.75, uncertainty at most 0.2) and *ambiguous* otherwise;
Data-IQ measures the uncertainty by the aleatoric term, Data Maps by the
variability. These are the definitions of the reference implementation of
Hansen et al. (2023), "Reimagining Synthetic Data Generation through
Data-Centric AI".

The label-quality method (confident learning, Northcutt et al. 2021) reads
the whole class-probability matrix: a row whose probability of another class
reaches that class's threshold (the mean probability of the class over the
rows labelled with it), more than any other class does, is a likely label
error (*hard*).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_THRESHOLDS",
    "SEGMENTS",
    "check_thresholds",
    "confident_learning",
    "profile_from_probabilities",
]

SEGMENTS = ("easy", "ambiguous", "hard")

# The reference's definition: hard = confidence <= 0.25 and uncertainty <= 0.2,
# easy = confidence >= 0.75 and uncertainty <= 0.2.
DEFAULT_THRESHOLDS = {"confidence": 0.25, "uncertainty": 0.2, "percentile": None}


def check_thresholds(thresholds):
    """The thresholds dict with defaults filled in, validated."""
    out = dict(DEFAULT_THRESHOLDS)
    if thresholds is None:
        return out
    if not isinstance(thresholds, dict):
        raise TypeError(
            f"thresholds must be a dict or None, got {type(thresholds).__name__}."
        )
    unknown = sorted(set(thresholds) - set(DEFAULT_THRESHOLDS), key=str)
    if unknown:
        raise ValueError(
            f"Unknown thresholds {unknown}; the keys are {sorted(DEFAULT_THRESHOLDS)}."
        )
    out.update(thresholds)
    c, u, q = out["confidence"], out["uncertainty"], out["percentile"]
    if isinstance(c, bool) or not isinstance(c, numbers.Real) or not 0 <= c < 0.5:
        raise ValueError(
            f"thresholds['confidence'] must be a number in [0, 0.5), got {c!r}: "
            "hard rows have a confidence at most it, easy ones at least 1 minus it."
        )
    if isinstance(u, bool) or not isinstance(u, numbers.Real) or u < 0:
        raise ValueError(f"thresholds['uncertainty'] must be >= 0, got {u!r}.")
    if q is not None and (
        isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0 <= q <= 100
    ):
        raise ValueError(
            f"thresholds['percentile'] must be None or in [0, 100], got {q!r}."
        )
    return out


def _check_P(P):
    P = np.asarray(P, dtype=np.float64)
    if P.ndim == 1:
        P = P[:, None]
    if P.ndim != 2 or P.shape[1] < 1:
        raise ValueError(
            f"P must have shape (n_samples, n_checkpoints), got {P.shape}."
        )
    if np.isnan(P).any() or (P < 0).any() or (P > 1).any():
        raise ValueError("P must hold probabilities in [0, 1] without NaN.")
    return P


def uncertainty_threshold(uncertainty, thresholds):
    """The uncertainty cut: a fixed value, or a percentile of ``uncertainty``."""
    if thresholds["percentile"] is not None:
        return float(np.percentile(uncertainty, thresholds["percentile"]))
    return float(thresholds["uncertainty"])


def assign_segments(confidence, uncertainty, confidence_cut, uncertainty_cut):
    """``"easy"`` / ``"ambiguous"`` / ``"hard"`` per row (object array)."""
    low = uncertainty <= uncertainty_cut
    seg = np.full(len(confidence), "ambiguous", dtype=object)
    seg[(confidence >= 1 - confidence_cut) & low] = "easy"
    seg[(confidence <= confidence_cut) & low] = "hard"
    return seg


def profile_from_probabilities(
    P, *, method="dataiq", thresholds=None, uncertainty_cut=None
):
    """Profile rows from the probabilities of their labels at checkpoints.

    Parameters
    ----------
    P : array-like of shape (n_samples, n_checkpoints)
        Probability of each row's own label at each checkpoint.
    method : {"dataiq", "datamaps"}, default="dataiq"
        Which uncertainty separates easy and hard rows from ambiguous ones:
        the aleatoric uncertainty (Data-IQ) or the variability (Data Maps).
    thresholds : dict, default=None
        ``{"confidence": 0.25, "uncertainty": 0.2, "percentile": None}`` (the
        defaults): hard rows have confidence <= 0.25, easy rows >= 0.75, both
        an uncertainty <= 0.2 or, with ``percentile``, at most that percentile
        of the rows' uncertainties.
    uncertainty_cut : float, default=None
        A fixed uncertainty cut (overrides ``thresholds``); what a fitted
        profiler uses on new rows.

    Returns
    -------
    profile : DataFrame
        Columns ``confidence``, ``aleatoric``, ``variability`` and ``segment``
        (categorical: easy, ambiguous, hard).

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.profiling import profile_from_probabilities
    >>> P = np.array([[0.9, 0.95], [0.1, 0.05], [0.4, 0.7]])
    >>> profile_from_probabilities(P)["segment"].tolist()
    ['easy', 'hard', 'ambiguous']
    """
    if method not in ("dataiq", "datamaps"):
        raise ValueError(f"method must be 'dataiq' or 'datamaps', got {method!r}.")
    t = check_thresholds(thresholds)
    P = _check_P(P)
    confidence = P.mean(axis=1)
    aleatoric = (P * (1 - P)).mean(axis=1)
    variability = P.std(axis=1)
    uncertainty = aleatoric if method == "dataiq" else variability
    cut = uncertainty_cut
    if cut is None:
        cut = uncertainty_threshold(uncertainty, t)
    seg = assign_segments(confidence, uncertainty, t["confidence"], cut)
    return pd.DataFrame(
        {
            "confidence": confidence,
            "aleatoric": aleatoric,
            "variability": variability,
            "segment": pd.Categorical(seg, categories=SEGMENTS),
        }
    )


def class_thresholds(proba, labels, n_classes):
    """Per class, the mean probability of the class over the rows labelled with it."""
    t = np.ones(n_classes)
    for c in range(n_classes):
        rows = labels == c
        if rows.any():
            t[c] = proba[rows, c].mean()
    return t


def confident_learning(proba, labels, thresholds):
    """Confident-learning label issues and segments.

    A row is counted in the confident joint under the class ``j`` of largest
    probability among the classes whose probability reaches their threshold
    ``thresholds[j]``; it is a likely label error (*hard*) when that class is
    not its label. It is *easy* when it is counted under its own label and
    *ambiguous* when no class reaches its threshold.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Out-of-sample class probabilities.
    labels : ndarray of shape (n_samples,)
        Integer labels in ``[0, n_classes)``.
    thresholds : ndarray of shape (n_classes,)
        Per-class thresholds (see :func:`class_thresholds`).

    Returns
    -------
    issue : ndarray of bool
    segment : ndarray of object
    """
    above = proba >= thresholds[None, :]
    masked = np.where(above, proba, -np.inf)
    counted = masked.argmax(axis=1)
    any_above = above.any(axis=1)
    issue = any_above & (counted != labels)
    seg = np.full(len(labels), "ambiguous", dtype=object)
    seg[any_above & ~issue] = "easy"
    seg[issue] = "hard"
    return issue, seg
