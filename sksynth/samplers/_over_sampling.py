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
from ._selection import NeighbourScorer, fill_from_rejected, top_per_block

__all__ = ["GenerativeOverSampler"]

# candidates are judged against every real row up to this size, beyond it
# against the generator's rows (weighted back to the table's class shares)
_MAX_REFERENCE_ROWS = 5_000


class GenerativeOverSampler(GeneratorSamplerMixin, BaseOverSampler):
    """Over-sample minority classes with rows drawn from a generative model.

    A drop-in replacement for imbalanced-learn's ``SMOTE`` / ``SMOTENC``: one
    generator is fitted on the rows of the classes to over-sample and their
    surroundings (at most ``context_ratio`` times as many rows of the other
    classes, ``y`` modelled jointly), then the missing rows of each class are
    drawn conditionally on that class (natively for generators that support
    it, by bounded rejection otherwise); by default up to three rows are drawn per
    needed row and those that land among another class are left out
    (``selection``). Mixed-type DataFrames with missing values work as they
    are; dtypes and categories are kept. A class with only 2-5 rows is fine.

    Parameters
    ----------
    generator : generator estimator, default=None
        Any sksynth generator (an object with ``fit(X, y)`` and
        ``sample(n, conditions=...)``). It is cloned before fitting. ``None``
        uses ``ARFGenerator(max_iter=0, numeric_density="interpolate",
        condition_rows="matching")``: one forest that tells the real rows from
        rows of the product of their marginals; a row of a class is drawn
        from a leaf weighted by its rows of that class, between two of the
        leaf's rows of that class (as SMOTE draws between neighbours, so that
        dependent columns stay consistent). One forest ranks as well as ten
        rounds here at about half the cost; see
        ``benchmarks/bench_small_data.py``.
    sampling_strategy : float, str, dict or callable, default="auto"
        imbalanced-learn's semantics, resolved by imbalanced-learn itself:

        - float: desired ratio minority / majority after resampling (binary);
        - ``"minority"``, ``"not minority"``, ``"not majority"``, ``"all"``,
          ``"auto"`` (= ``"not majority"``);
        - dict ``{class: n_samples}`` (target counts);
        - callable ``f(y) -> dict``.
    selection : {"knn", "safest", "random"}, default="knn"
        Which generated rows are added, out of ``n_candidates`` drawn per
        needed row, judged by the share of their ``n_neighbors`` nearest real
        rows that belong to the class they were drawn for:

        - ``"knn"``: leave out the candidates with a share below one half
          (rows that land among the other classes, where a generator fitted
          on a few dozen minority rows spills over, as a nearest-neighbour
          oversampler never makes them) and keep random ones of the rest, so
          rows near the class boundary stay as the generator draws them;
        - ``"safest"``: keep the candidates with the highest shares (the
          rows deepest inside their class; fewer rows near the boundary);
        - ``"random"``: the rows as the generator draws them (the class's
          distribution as the generator learned it).

        Distances are taken on standardised numeric columns, one-hot
        categories and missing indicators, to all real rows (beyond 5,000
        rows, to those the generator was fitted on, weighted back to the
        table's class shares).
    n_candidates : int, default=3
        Candidate rows drawn per added row (ignored with
        ``selection="random"``).
    n_neighbors : int, default=10
        Real rows consulted per candidate.
    context_ratio : float or None, default=4.0
        Rows of the classes that are not over-sampled, as a multiple of the
        rows of those that are, drawn at random for the generator's fit
        (they teach it where the classes meet); the cost of the fit then
        grows with the minority classes, not the table. ``None``: all rows.
    max_fit_rows : int or None, default=2000
        At most this many rows are given to the generator: beyond it the
        over-sampled classes' rows and the context are subsampled in the same
        proportion (at 100,000 rows this bounds the fit to a fraction of a
        second; the generated rows then recombine the subsample's values).
        ``None``: no bound.
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
        "selection": [StrOptions({"random", "knn", "safest"})],
        "n_candidates": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "context_ratio": [Interval(numbers.Real, 0, None, closed="left"), None],
        "max_fit_rows": [Interval(numbers.Integral, 2, None, closed="left"), None],
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
        context_ratio=4.0,
        max_fit_rows=2000,
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.generator = generator
        self.selection = selection
        self.n_candidates = n_candidates
        self.n_neighbors = n_neighbors
        self.context_ratio = context_ratio
        self.max_fit_rows = max_fit_rows
        self.random_state = random_state

    def _default_generator(self):
        from ..generators import ARFGenerator

        return ARFGenerator(
            max_iter=0, numeric_density="interpolate", condition_rows="matching"
        )

    @classmethod
    def _test_params(cls):
        from ..generators import GaussianCopulaGenerator

        return {"generator": GaussianCopulaGenerator(random_state=0), "random_state": 0}

    def _context_rows(self, y, rng):
        """Rows the generator is fitted on and their weights (inverse rates).

        Every row of an over-sampled class and at most ``context_ratio`` times
        as many rows of the other classes, drawn at random; beyond
        ``max_fit_rows`` both parts are thinned in the same proportion.
        """
        target = np.isin(y, [c for c, n in self.sampling_strategy_.items() if n > 0])
        parts = [np.flatnonzero(target), np.flatnonzero(~target)]
        keep = [len(parts[0]), len(parts[1])]
        if self.context_ratio is not None and keep[0]:  # (nothing to add: all)
            keep[1] = min(keep[1], int(np.ceil(self.context_ratio * keep[0])))
        if self.max_fit_rows is not None and sum(keep) > self.max_fit_rows:
            shrink = self.max_fit_rows / sum(keep)
            keep = [max(1, int(round(k * shrink))) if k else 0 for k in keep]
        weight = np.ones(len(y))
        for i, (rows, k) in enumerate(zip(parts, keep)):
            if k < len(rows):
                weight[rows] = len(rows) / max(k, 1)
                parts[i] = np.sort(rng.choice(rows, k, replace=False))
        rows = np.sort(np.concatenate(parts))
        return rows, weight[rows]

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        gen = self._clone_generator(rng)
        y = np.asarray(y)
        counts = pd.Series(y).value_counts()
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
        rows, weight = self._context_rows(y, rng)
        X_fit = X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]
        y_fit = pd.Series(y[rows], name="__class__")
        self.generator_ = gen.fit(X_fit, y_fit)
        scorer = None
        if self.selection != "random" and self.n_candidates > 1:
            scorer = NeighbourScorer(self.n_neighbors)
            if len(y) > _MAX_REFERENCE_ROWS:  # the generator's rows, reweighted
                scorer.fit(X_fit, y[rows], sample_weight=weight)
            else:
                scorer.fit(X, y)
        X_parts, y_parts = [X], [y]
        for cls, n in self.sampling_strategy_.items():
            n = int(n)
            if n <= 0:
                continue
            if scorer is None:
                Xs = self._draw(gen, cls, n, rng)
            elif self.selection == "safest":
                Xs = self._draw(gen, cls, self.n_candidates * n, rng)
                scores = scorer.score(Xs, np.full(len(Xs), cls, dtype=y.dtype))
                Xs = _take(Xs, top_per_block(scores, [n], self.n_candidates, rng))
            else:
                Xs = self._draw_passing(gen, scorer, cls, n, y.dtype, rng)
            X_parts.append(Xs)
            y_parts.append(np.full(n, cls, dtype=y.dtype))
        if isinstance(X, pd.DataFrame):
            X_res = pd.concat(X_parts, ignore_index=True)
        else:
            X_res = np.concatenate([np.asarray(p, dtype=X.dtype) for p in X_parts])
        return X_res, np.concatenate(y_parts)

    @staticmethod
    def _draw(gen, cls, n, rng):
        Xs, _ = gen.sample(
            n, conditions={"__class__": cls}, random_state=draw_seed(rng)
        )
        return Xs

    def _draw_passing(self, gen, scorer, cls, n, dtype, rng, threshold=0.5):
        """``n`` rows of class ``cls``, random among the candidates that pass.

        Candidates are drawn in rounds (about what is still needed over the
        pass rate so far), scored, and the passing ones kept, until ``n`` pass
        or ``n_candidates * n`` were drawn; the best of the rejected then
        fill the rest. The rows kept are distributed as random ones among
        ``n_candidates * n`` candidates that pass (``drop_per_block``) while
        far fewer are generated and scored.
        """
        budget = self.n_candidates * n
        kept, rejected, rejected_scores = [], [], []
        n_kept = n_drawn = n_passed = 0
        while n_kept < n and n_drawn < budget:
            need = n - n_kept
            rate = max(n_passed / n_drawn if n_drawn else 1.0, 1 / self.n_candidates)
            m = min(budget - n_drawn, int(np.ceil(1.1 * need / rate)) + 1)
            Xs = self._draw(gen, cls, m, rng)
            scores = scorer.score(Xs, np.full(m, cls, dtype=dtype))
            passed = np.flatnonzero(scores >= threshold)
            n_drawn += m
            n_passed += len(passed)
            if len(passed) > need:
                passed = np.sort(rng.choice(passed, need, replace=False))
            kept.append(_take(Xs, passed))
            n_kept += len(passed)
            fail = np.flatnonzero(scores < threshold)
            rejected.append(_take(Xs, fail))
            rejected_scores.append(scores[fail])
        if n_kept < n:
            pool = _concat(rejected)
            pick = fill_from_rejected(np.concatenate(rejected_scores), n - n_kept, rng)
            kept.append(_take(pool, pick))
        return _concat(kept)


def _take(X, idx):
    return X.iloc[idx] if isinstance(X, pd.DataFrame) else np.asarray(X)[idx]


def _concat(parts):
    if isinstance(parts[0], pd.DataFrame):
        return pd.concat(parts, ignore_index=True)
    return np.concatenate(parts)
