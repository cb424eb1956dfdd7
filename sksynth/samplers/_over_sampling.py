"""Generator-backed over-sampling: the SMOTE replacement."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods

from ..utils._validation import validate_table

__all__ = ["GenerativeOverSampler"]

_MAX_SEED = np.iinfo(np.int32).max


def _default_generator():
    from ..generators import GaussianCopulaGenerator

    return GaussianCopulaGenerator()


class GenerativeOverSampler(BaseOverSampler):
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

    def _check_X_y(self, X, y):
        """Keep DataFrames (mixed types) as they are; refuse sparse input."""
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if isinstance(X, pd.DataFrame):
            sparse = [c for c, t in X.dtypes.items() if isinstance(t, pd.SparseDtype)]
            if sparse:  # pandas sparse columns: densify (restored on output)
                X = X.astype({c: X[c].dtype.subtype for c in sparse})
        validate_table(self, X, y, reset=True)
        if not isinstance(X, pd.DataFrame):
            X = np.asarray(X)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        gen = clone(
            self.generator if self.generator is not None else _default_generator()
        )
        if (
            "random_state" in gen.get_params()
            and gen.get_params()["random_state"] is None
        ):
            gen.set_params(random_state=int(rng.randint(_MAX_SEED)))
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
                random_state=int(rng.randint(_MAX_SEED)),
            )
            X_parts.append(Xs)
            y_parts.append(np.asarray(ys, dtype=np.asarray(y).dtype))
        if isinstance(X, pd.DataFrame):
            X_res = pd.concat(X_parts, ignore_index=True)
        else:
            X_res = np.concatenate([np.asarray(p, dtype=X.dtype) for p in X_parts])
        return X_res, np.concatenate(y_parts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags
