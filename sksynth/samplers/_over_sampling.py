"""Generator-backed over-sampling: the SMOTE replacement."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ..utils._random import draw_seed
from ._base import GeneratorSamplerMixin
from ._selection import neighbour_agreement, top_per_block

__all__ = ["GenerativeOverSampler"]


class GenerativeOverSampler(GeneratorSamplerMixin, BaseOverSampler):
    """Over-sample minority classes with rows drawn from a generative model.

    A drop-in replacement for imbalanced-learn's ``SMOTE`` / ``SMOTENC``: one
    generator is fitted on ``X`` and ``y`` jointly, then the missing rows of
    each class are drawn conditionally on that class (natively for generators
    that support it, by bounded rejection otherwise); by default three rows
    are drawn per needed row and those lying among their own class are kept
    (``selection``). Mixed-type DataFrames with missing values work as they
    are; dtypes and categories are kept. A class with only 2-5 rows is fine.

    Parameters
    ----------
    generator : generator estimator, default=None
        Any sksynth generator (an object with ``fit(X, y)`` and
        ``sample(n, conditions=...)``). It is cloned before fitting. ``None``
        uses :class:`~sksynth.generators.ARFGenerator` (with
        ``selection="knn"``, the best of the sksynth generators against SMOTE
        on 12 KEEL data sets: see ``benchmarks/bench_imbalanced.py``).
    sampling_strategy : float, str, dict or callable, default="auto"
        imbalanced-learn's semantics, resolved by imbalanced-learn itself:

        - float: desired ratio minority / majority after resampling (binary);
        - ``"minority"``, ``"not minority"``, ``"not majority"``, ``"all"``,
          ``"auto"`` (= ``"not majority"``);
        - dict ``{class: n_samples}`` (target counts);
        - callable ``f(y) -> dict``.
    selection : {"knn", "random"}, default="knn"
        Which generated rows are added:

        - ``"knn"``: draw ``n_candidates`` rows per needed row and keep those
          whose ``n_neighbors`` nearest real rows most often belong to the
          class they were drawn for (ties at random). Rows that land among
          the other classes, where a generator fitted on a few dozen
          minority rows spills over, are left out, as a nearest-neighbour
          oversampler never makes them. Distances are taken on standardised
          numeric columns, one-hot categories and missing indicators.
        - ``"random"``: the rows as the generator draws them (the class's
          distribution as the generator learned it).
    n_candidates : int, default=3
        Candidate rows drawn per added row with ``selection="knn"``.
    n_neighbors : int, default=10
        Real rows consulted per candidate with ``selection="knn"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator's fit (when its own ``random_state`` is None),
        the draws and the tie-breaking of ``selection``.

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

    Any generator, and the rows exactly as it draws them:

    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> sampler = GenerativeOverSampler(GaussianCopulaGenerator(),
    ...                                 selection="random", random_state=0)
    >>> Counter(sampler.fit_resample(X, y)[1])
    Counter({0: 270, 1: 270})
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "generator": [HasMethods(["fit", "sample"]), None],
        "selection": [StrOptions({"random", "knn"})],
        "n_candidates": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        generator=None,
        *,
        sampling_strategy="auto",
        selection="knn",
        n_candidates=3,
        n_neighbors=10,
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.generator = generator
        self.selection = selection
        self.n_candidates = n_candidates
        self.n_neighbors = n_neighbors
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
        y = np.asarray(y)
        factor = self.n_candidates if self.selection == "knn" else 1
        X_parts, y_parts, sizes = [X], [y], []
        for cls, n in self.sampling_strategy_.items():
            if n <= 0:
                continue
            Xs, _ = gen.sample(
                factor * int(n),
                conditions={"__class__": cls},
                random_state=draw_seed(rng),
            )
            X_parts.append(Xs)
            y_parts.append(np.full(factor * int(n), cls, dtype=y.dtype))
            sizes.append(int(n))
        if self.selection == "knn" and sizes:
            X_new = (
                pd.concat(X_parts[1:], ignore_index=True)
                if isinstance(X, pd.DataFrame)
                else np.concatenate(X_parts[1:])
            )
            y_new = np.concatenate(y_parts[1:])
            scores = neighbour_agreement(X, y, X_new, y_new, self.n_neighbors)
            keep = top_per_block(scores, sizes, factor, rng)
            X_new = X_new.iloc[keep] if isinstance(X, pd.DataFrame) else X_new[keep]
            X_parts, y_parts = [X, X_new], [y, y_new[keep]]
        if isinstance(X, pd.DataFrame):
            X_res = pd.concat(X_parts, ignore_index=True)
        else:
            X_res = np.concatenate([np.asarray(p, dtype=X.dtype) for p in X_parts])
        return X_res, np.concatenate(y_parts)

