"""HardExampleFilter: drop the rows a data-centric profile calls hard."""

from __future__ import annotations

import numpy as np
import pandas as pd
from imblearn.base import BaseSampler
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods

from ..utils._random import draw_seed
from ._base import BypassSamplerMixin, GeneratorSamplerMixin

__all__ = ["HardExampleFilter"]

_SEGMENTS = ("easy", "ambiguous", "hard")


class HardExampleFilter(BypassSamplerMixin, GeneratorSamplerMixin, BaseSampler):
    """Remove the rows of chosen segments (by default: hard) from training data.

    The rows of ``(X, y)`` are profiled by a
    :class:`~sksynth.profiling.DataIQProfiler` (out of fold by default) and
    those in the segments ``drop`` are removed. As an imbalanced-learn
    sampler it acts in ``fit`` only: in
    ``imblearn.pipeline.make_pipeline(HardExampleFilter(), model)`` the
    profile is computed on each training fold and the model learns without
    its hard rows, while every held-out row is still predicted and scored.

    Parameters
    ----------
    profiler : DataIQProfiler, default=None
        The profiler (cloned). ``None`` uses ``DataIQProfiler()``: histogram
        gradient boosting, Data-IQ segments, 5 folds.
    drop : tuple of {"easy", "ambiguous", "hard"}, default=("hard",)
        The segments removed.
    random_state : int, RandomState instance or None, default=None
        Seeds the profiler when its own ``random_state`` is None.

    Attributes
    ----------
    profiler_ : DataIQProfiler
        The profiler fitted on the last ``fit_resample`` input.
    sample_indices_ : ndarray of int
        Positions of the kept rows.
    segment_counts_ : Series
        Rows per segment of the last input.
    n_dropped_ : int
        Number of rows removed.
    sampling_strategy_ : dict
        Rows removed per class.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    See Also
    --------
    sksynth.profiling.DataIQProfiler : the profile of the rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.samplers import HardExampleFilter
    >>> X, y = make_mixed_classification(500, random_state=0)
    >>> y = np.where(np.random.RandomState(0).rand(500) < 0.1, 1 - y, y)
    >>> X_res, y_res = HardExampleFilter(random_state=0).fit_resample(X, y)
    >>> bool(len(X_res) < len(X)), X_res.dtypes.equals(X.dtypes)
    (True, True)
    """

    _parameter_constraints: dict = {
        "profiler": [HasMethods(["fit", "profile"]), None],
        "drop": [tuple, list],
        "random_state": ["random_state"],
    }

    def __init__(self, profiler=None, *, drop=("hard",), random_state=None):
        self.profiler = profiler
        self.drop = drop
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        from ..profiling import DataIQProfiler

        return {
            "profiler": DataIQProfiler(cv=3, checkpoints=3, random_state=0),
            "random_state": 0,
        }

    def _check_drop(self):
        bad = [s for s in self.drop if s not in _SEGMENTS]
        if bad:
            raise ValueError(
                f"drop holds unknown segments {bad}; choose among {list(_SEGMENTS)}."
            )
        return set(self.drop)

    def _fit_resample(self, X, y):
        drop = self._check_drop()
        rng = check_random_state(self.random_state)
        if self.profiler is None:
            from ..profiling import DataIQProfiler

            prof = DataIQProfiler()
        else:
            prof = clone(self.profiler)
        if prof.get_params().get("random_state", 0) is None:
            prof.set_params(random_state=draw_seed(rng))
        y = np.asarray(y)
        self.profiler_ = prof.fit(X, y)
        seg = np.asarray(prof.segments_)
        keep = ~np.isin(seg, list(drop))
        self.segment_counts_ = prof.segment_counts()
        classes, counts = np.unique(y, return_counts=True)
        kept = {c: int(np.sum(keep & (y == c))) for c in classes}
        emptied = [c for c in classes if kept[c] == 0]
        if emptied:
            raise ValueError(
                f"Dropping the segments {sorted(drop)} would remove every row of "
                f"class(es) {[c.item() if hasattr(c, 'item') else c for c in emptied]}"
                "; drop fewer segments or use another profiler."
            )
        self.sample_indices_ = np.flatnonzero(keep)
        self.n_dropped_ = int((~keep).sum())
        self.sampling_strategy_ = {
            c.item() if hasattr(c, "item") else c: int(n - kept[c])
            for c, n in zip(classes, counts)
        }
        if isinstance(X, pd.DataFrame):
            return X.iloc[self.sample_indices_], y[self.sample_indices_]
        return X[self.sample_indices_], y[self.sample_indices_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags
