"""Generator-backed over-sampling: the SMOTE replacement."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods

from ._base import MAX_SEED, GeneratorSamplerMixin

__all__ = ["GenerativeOverSampler"]



class GenerativeOverSampler(GeneratorSamplerMixin, BaseOverSampler):
    """Over-sample minority classes with rows drawn from a generative model.

    A drop-in replacement for imbalanced-learn's ``SMOTE`` / ``SMOTENC``: one
    generator is fitted on ``X`` and ``y`` jointly, then the missing rows of
    each class are drawn conditionally on that class (natively for generators
    that support it, by bounded rejection otherwise). Mixed-type DataFrames
    with missing values work as they are; dtypes and categories are kept. A
    class with only 2-5 rows is fine (no nearest neighbours are needed).

    Parameters
    ----------
    generator : generator estimator, default=None
        Any sksynth generator (an object with ``fit(X, y)`` and
        ``sample(n, conditions=...)``). It is cloned before fitting. ``None``
        uses :class:`~sksynth.generators.GaussianCopulaGenerator`.
    sampling_strategy : float, str, dict or callable, default="auto"
        imbalanced-learn's semantics, resolved by imbalanced-learn itself:

        - float: desired ratio minority / majority after resampling (binary);
        - ``"minority"``, ``"not minority"``, ``"not majority"``, ``"all"``,
          ``"auto"`` (= ``"not majority"``);
        - dict ``{class: n_samples}`` (target counts);
        - callable ``f(y) -> dict``.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator's fit (when its own ``random_state`` is None) and
        the draws.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of rows to generate per class.
    generator_ : generator
        The fitted generator.
    n_features_in_ : int
        Number of features of ``X``.
    feature_names_in_ : ndarray of str
        Feature names, when all are strings.

    See Also
    --------
    imblearn.over_sampling.SMOTENC : nearest-neighbour interpolation.

    Examples
    --------
    >>> from collections import Counter
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.samplers import GenerativeOverSampler
    >>> X, y = make_mixed_classification(300, random_state=0)
    >>> Counter(y)
    Counter({0: 270, 1: 30})
    >>> X_res, y_res = GenerativeOverSampler(random_state=0).fit_resample(X, y)
    >>> Counter(y_res)
    Counter({0: 270, 1: 270})
    >>> X_res.dtypes.equals(X.dtypes)
    True
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "generator": [HasMethods(["fit", "sample"]), None],
        "random_state": ["random_state"],
    }

    def __init__(self, generator=None, *, sampling_strategy="auto", random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.generator = generator
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        from ..generators import GaussianCopulaGenerator

        return {"generator": GaussianCopulaGenerator(random_state=0), "random_state": 0}

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        gen = self._clone_generator(rng)
        y_series = pd.Series(np.asarray(y), name="__class__")
        counts = y_series.value_counts()
        small = [
            c for c, n in counts.items() if n < 5 and self.sampling_strategy_.get(c)
        ]
        if small:
            warnings.warn(
                f"Classes {small} have fewer than 5 rows: the generated rows of "
                "these classes rest on very little data.",
                UserWarning,
                stacklevel=3,
            )
        self.generator_ = gen.fit(X, y_series)
        X_parts, y_parts = [X], [np.asarray(y)]
        for cls, n in self.sampling_strategy_.items():
            if n <= 0:
                continue
            Xs, ys = gen.sample(
                int(n),
                conditions={"__class__": cls},
                random_state=int(rng.randint(MAX_SEED)),
            )
            X_parts.append(Xs)
            y_parts.append(np.asarray(ys, dtype=np.asarray(y).dtype))
        if isinstance(X, pd.DataFrame):
            X_res = pd.concat(X_parts, ignore_index=True)
        else:
            X_res = np.concatenate([np.asarray(p, dtype=X.dtype) for p in X_parts])
        return X_res, np.concatenate(y_parts)

