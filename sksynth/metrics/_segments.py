"""Data-centric segments of real and synthetic rows, side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._base import MAX_SAMPLES, _align, _as_frame, check_max_samples, check_rng

__all__ = ["segment_shares"]

_SEGMENTS = ("easy", "ambiguous", "hard")


def _split(frame, target, name):
    if target not in set(frame.columns):
        raise ValueError(
            f"target {target!r} is not a column of {name}; the columns are "
            f"{list(frame.columns)}."
        )
    y = frame[target]
    if y.isna().any():
        raise ValueError(f"The target column {target!r} of {name} has missing values.")
    return frame.drop(columns=[target]), y.to_numpy()


def _shares(segments):
    segments = np.asarray(segments, dtype=object)
    return [float(np.mean(segments == s)) for s in _SEGMENTS]


def segment_shares(
    real, synthetic, target, *, profiler=None, max_samples=MAX_SAMPLES, random_state=0
):
    """Easy / ambiguous / hard shares of real and synthetic rows.

    Three profiles, each by a :class:`~sksynth.profiling.DataIQProfiler`:

    - ``real``: the real rows, profiled out of fold;
    - ``synthetic``: the synthetic rows profiled the same way, by models
      trained on synthetic rows (does the generator keep the real proportions
      of easy, ambiguous and hard rows?);
    - ``synthetic_by_real``: the synthetic rows scored by the profiler
      trained on the real rows (how many generated rows a model of the real
      data finds mislabelled or atypical: what
      ``DataCentricGenerator(postprocess="drop_hard")`` removes).

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
        Tables with the same columns, the label among them.
    target : hashable
        The label column (a position for arrays).
    profiler : DataIQProfiler, default=None
        Cloned for each profile; default ``DataIQProfiler()``.
    max_samples : int or None, default=5000
        Each table is subsampled (seeded) to at most this many rows.
    random_state : int, RandomState instance or None, default=0
        Seeds the subsamples and the profilers.

    Returns
    -------
    shares : DataFrame
        Index ``easy``, ``ambiguous``, ``hard``; columns ``real``,
        ``synthetic``, ``synthetic_by_real`` (each column sums to 1).

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> from sksynth.metrics import segment_shares
    >>> X, y = make_mixed_classification(500, random_state=0)
    >>> real = X.assign(churn=y)
    >>> synth = GaussianCopulaGenerator(random_state=0).fit(real).sample(500)
    >>> table = segment_shares(real, synth, target="churn")
    >>> table.columns.tolist()
    ['real', 'synthetic', 'synthetic_by_real']
    >>> bool(abs(table.sum() - 1).max() < 1e-9)
    True
    """
    from ..profiling import DataIQProfiler

    max_samples = check_max_samples(max_samples)
    rng = check_rng(random_state)
    real_frame = _as_frame(real, "real")
    if not isinstance(real, pd.DataFrame):
        real_frame = real_frame.set_axis(range(real_frame.shape[1]), axis=1)
    synth_frame = _align(real_frame, synthetic, "synthetic")
    frames = []
    for frame in (real_frame, synth_frame):
        if max_samples is not None and len(frame) > max_samples:
            idx = np.sort(rng.choice(len(frame), max_samples, replace=False))
            frame = frame.iloc[idx]
        frames.append(frame.reset_index(drop=True))
    (Xr, yr), (Xs, ys) = (
        _split(f, target, n) for f, n in zip(frames, ("real", "synthetic"))
    )
    base = DataIQProfiler() if profiler is None else profiler
    seed = int(rng.randint(np.iinfo(np.int32).max))
    if base.get_params().get("random_state", 0) is None:
        base = clone(base).set_params(random_state=seed)
    on_real = clone(base).fit(Xr, yr)
    unseen = sorted(set(pd.unique(ys)) - set(on_real.classes_.tolist()), key=str)
    if unseen:
        raise ValueError(
            f"The synthetic rows hold labels {unseen} absent from the real rows."
        )
    by_real = on_real.profile(Xs, ys)["segment"]
    if len(np.unique(ys)) > 1:
        own = _shares(clone(base).fit(Xs, ys).segments_)
    else:
        own = [np.nan] * 3  # a single synthetic class: no classifier to train
    return pd.DataFrame(
        {
            "real": _shares(on_real.segments_),
            "synthetic": own,
            "synthetic_by_real": _shares(by_real),
        },
        index=pd.Index(_SEGMENTS, name="segment"),
    )
