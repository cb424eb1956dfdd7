"""A defence for non-private generators: drop generated rows too close to a real one."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import HasMethods, Interval

from ..base import BaseGenerator
from ..constraints._enforce import RULE_PARAMETERS_DOC
from ..preprocessing import TableEncoder
from ..utils._docstring import fill_doc
from ..utils._random import draw_seed

__all__ = ["PrivacyFilterGenerator"]


@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class PrivacyFilterGenerator(BaseGenerator):
    """Wrap a generator and drop generated rows too close to a training row.

    A post-hoc filter that trades fidelity for identifiability (the
    "privacy filter" of synthcity's threat-model defences, AdsGAN's
    identifiability criterion applied after sampling): ``fit`` fits the
    wrapped generator and measures how close training rows are to each
    other (each row's distance to its nearest *other* training row, in the
    embedding of :func:`~sksynth.metrics.precision_recall`); ``sample``
    draws rows from the wrapped generator and redraws those whose distance
    to the closest training row is below the ``quantile`` of those
    distances, so that no generated row is nearer to a real person than
    real people typically are to each other. It is **not** differential
    privacy: it blunts distance-based and density-ratio membership attacks
    and exact copies; measure with :func:`~sksynth.metrics.
    membership_inference_auc` and :func:`~sksynth.metrics.
    density_ratio_mia_auc`.

    The wrapped generator is reached only through ``fit`` and ``sample``;
    conditions are met by the base class's bounded rejection.

    Parameters
    ----------
    generator : generator
        Any sksynth generator (cloned in ``fit``).
    quantile : float, default=0.05
        Rows closer to a training row than this quantile of the training
        rows' nearest-neighbour distances are redrawn (0 keeps every row
        but exact copies; larger removes more).
    max_rounds : int, default=20
        Redraws of the rows that fail the filter before giving up (a
        ValueError says how many rows passed).
    random_state : int, RandomState instance or None, default=None
        Seed of the wrapped generator's draws.
    {rule_params}

    Attributes
    ----------
    generator_ : generator
        The fitted wrapped generator.
    threshold_ : float
        The distance below which a generated row is redrawn.
    rejected_share_ : float
        Share of the rows drawn in the last ``sample`` call that were redrawn.

    Notes
    -----
    The filter keeps the embedded training rows (``reference_``) to measure
    distances: a pickled filter holds the training data.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import ARFGenerator, PrivacyFilterGenerator
    >>> X, y = make_mixed_classification(300, random_state=0)
    >>> gen = PrivacyFilterGenerator(ARFGenerator(random_state=0), random_state=0)
    >>> Xs, ys = gen.fit(X, y).sample(100)
    >>> Xs.shape
    (100, 7)
    """

    _parameter_constraints: dict = {
        "generator": [HasMethods(["fit", "sample"])],
        "quantile": [Interval(numbers.Real, 0, 1, closed="both")],
        "max_rounds": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }
    # distances are measured on the caller's table: no constraint is learned
    # here on top of the wrapped generator's own
    _learn_constraints = False

    def __init__(
        self,
        generator,
        *,
        quantile=0.05,
        max_rounds=20,
        random_state=None,
        constraints=None,
        schema=None,
    ):
        self.generator = generator
        self.quantile = quantile
        self.max_rounds = max_rounds
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        from ._copula import GaussianCopulaGenerator

        return {"generator": GaussianCopulaGenerator(random_state=0), "random_state": 0}

    def _fit(self, Z, random_state):
        out = self.schema_.decode(Z)
        X, y = out if isinstance(out, tuple) else (out, None)
        gen = clone(self.generator)
        if "random_state" in gen.get_params():
            gen.set_params(random_state=draw_seed(random_state))
        self.generator_ = gen.fit(X, y)
        self.encoder_ = TableEncoder(
            numeric="minmax", categorical="onehot", max_categories=64
        ).fit_codes(Z, self.schema_)
        self.reference_ = self._embed(Z)
        self.nn_ = NearestNeighbors(n_neighbors=2).fit(self.reference_)
        d = self.nn_.kneighbors(self.reference_)[0][:, 1]
        self.threshold_ = float(np.quantile(d, self.quantile)) if len(d) else 0.0
        return self

    def _embed(self, Z):
        return self.encoder_.transform_codes(Z)

    def _too_close(self, Z):
        d = self.nn_.kneighbors(self._embed(Z), n_neighbors=1)[0][:, 0]
        return (d <= self.threshold_) if self.threshold_ > 0 else (d == 0)

    def _draw(self, n, rng):
        out = self.generator_.sample(n, random_state=draw_seed(rng))
        X, y = out if isinstance(out, tuple) else (out, None)
        return self.schema_.encode(X, y)

    def _sample(self, n_samples, conditions, random_state):
        Z = self._draw(n_samples, random_state)
        bad = self._too_close(Z)
        drawn, rejected = n_samples, int(bad.sum())
        for _ in range(self.max_rounds):
            rows = np.flatnonzero(bad)
            if not len(rows):
                break
            # draw a margin more: the rejection rate is known by now
            rate = max(1.0 - rejected / drawn, 0.05)
            cand = self._draw(int(np.ceil(len(rows) / rate)) + 8, random_state)
            ok = cand[~self._too_close(cand)]
            drawn += len(cand)
            rejected += len(cand) - len(ok)
            take = min(len(ok), len(rows))
            Z[rows[:take]] = ok[:take]
            bad[rows[:take]] = False
        self.rejected_share_ = rejected / drawn
        if bad.any():
            raise ValueError(
                f"PrivacyFilterGenerator: only {n_samples - int(bad.sum())} of "
                f"{n_samples} rows passed the filter after {self.max_rounds} "
                f"redraws ({self.rejected_share_:.0%} of the drawn rows lay within "
                f"{self.threshold_:.3g} of a training row): the wrapped "
                "generator copies its training rows. Lower quantile or use "
                "another generator."
            )
        if self.rejected_share_ > 0.5:
            warnings.warn(
                f"{self.rejected_share_:.0%} of the rows drawn from "
                f"{type(self.generator_).__name__} lay within {self.threshold_:.3g} "
                "of a training row and were redrawn: the kept rows are a biased "
                "part of its distribution.",
                UserWarning,
                stacklevel=4,
            )
        return Z
