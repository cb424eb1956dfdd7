"""Release sampler: replace the training data by a synthetic copy."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from imblearn.base import BaseSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval

from ..utils._random import draw_seed
from ._base import BypassSamplerMixin, GeneratorSamplerMixin

__all__ = ["SyntheticReleaseSampler"]


class SyntheticReleaseSampler(BypassSamplerMixin, GeneratorSamplerMixin, BaseSampler):
    """Replace ``(X, y)`` by a wholly synthetic ``(X, y)`` from a generator.

    In a pipeline, ``make_pipeline(SyntheticReleaseSampler(gen), model)``
    trains ``model`` only on the released data; prediction is untouched (a
    sampler only acts in ``fit``), so cross-validation scores the model
    trained on synthetic data against real held-out folds — with a
    differentially private generator, this measures the privacy/utility
    trade-off. None of the input rows is returned. ``fit`` only checks the
    input; ``fit_resample`` fits the generator and draws the release.

    Parameters
    ----------
    generator : generator estimator, default=None
        Any sksynth generator; it is cloned and fitted on ``(X, y)``
        jointly. ``None`` uses
        :class:`~sksynth.generators.GaussianCopulaGenerator`, which is **not**
        differentially private; pass e.g.
        ``MSTGenerator(epsilon=1.0)`` for a DP release.
    n_samples : int, default=None
        Rows to release. ``None``: for a DP generator, its DP estimate of the
        number of rows (``n_samples_dp_``; the exact count is private), else
        ``len(X)``.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator's fit (when its own ``random_state`` is None) and
        the draw.

    Attributes
    ----------
    generator_ : generator
        The fitted generator.
    privacy_spent_ : PrivacySpent or None
        The guarantee the generator delivered (``None`` for a non-DP one):
        reachable from a fitted pipeline as
        ``pipe[0].privacy_spent_``.
    n_samples_ : int
        Number of rows released by the last ``fit_resample``.
    sampling_strategy_ : dict
        Number of released rows of each class.
    n_features_in_ : int
        Number of features of ``X``.
    feature_names_in_ : ndarray of str
        Feature names, when all are strings.

    See Also
    --------
    sksynth.generators.MSTGenerator : DP synthetic data (spanning tree).
    sksynth.generators.AIMGenerator : DP synthetic data (adaptive marginals).

    Examples
    --------
    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import MSTGenerator
    >>> from sksynth.samplers import SyntheticReleaseSampler
    >>> X, y = make_mixed_classification(1000, random_state=0)
    >>> X = X[["age", "income", "n_products"]]
    >>> mst = MSTGenerator(epsilon=1.0, delta=1e-6, n_bins=8,
    ...                    domain={"churn": [0, 1]})  # public class labels
    >>> release = SyntheticReleaseSampler(mst, random_state=0)
    >>> pipe = make_pipeline(release, LogisticRegression()).fit(X, y)
    >>> spent = pipe[0].privacy_spent_
    >>> round(spent.epsilon, 6), spent.delta, spent.mechanism
    (1.0, 1e-06, 'MST')
    """

    _parameter_constraints: dict = {
        "generator": [HasMethods(["fit", "sample"]), None],
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(self, generator=None, *, n_samples=None, random_state=None):
        self.generator = generator
        self.n_samples = n_samples
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        from ..generators import GaussianCopulaGenerator

        return {"generator": GaussianCopulaGenerator(random_state=0),
                "random_state": 0}

    def _default_generator(self):
        from ..generators import GaussianCopulaGenerator

        return GaussianCopulaGenerator()

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        gen = self._clone_generator(rng)
        # keep y's name so that a generator's domain={name: ...} finds it
        name = getattr(y, "name", None)
        y = np.asarray(y)
        gen.fit(X, pd.Series(y, name="y" if name is None else name))
        self.generator_ = gen
        self.privacy_spent_ = getattr(gen, "privacy_spent_", None)
        n = self.n_samples
        if n is None:
            n = getattr(gen, "n_samples_dp_", None) or X.shape[0]
        self.n_samples_ = int(max(n, 1))
        Xs, ys = gen.sample(self.n_samples_, random_state=draw_seed(rng))
        if not isinstance(X, pd.DataFrame):
            Xs = np.asarray(Xs, dtype=X.dtype)
        ys = np.asarray(ys, dtype=y.dtype)
        labels, counts = np.unique(ys, return_counts=True)
        self.sampling_strategy_ = dict(zip(labels.tolist(), counts.tolist()))
        return Xs, ys

