"""Base classes of sksynth: the generator contract.

=====================  ==================================================
method / attribute     contract
=====================  ==================================================
``fit(X, y=None)``     learn the joint distribution of ``X`` (and ``y``)
``sample(n, ...)``     new rows in the container ``fit`` saw; ``(X, y)``
                       when ``y`` was fitted
``conditions=``        dict ``{column: value}`` or one DataFrame row per
                       sample (NaN = free); the target is ``"y"`` or its
                       Series name
``random_state``       same seed, same rows; ``sample(random_state=None)``
                       draws fresh rows from a stream seeded in ``fit``
``schema_``            the :class:`~sksynth.preprocessing.TableSchema`
``impossible_pairs_``  category pairs the data never shows together;
                       sampled rows holding one are drawn again
``_fit(Z, rng)``       subclass hook: learn from the code matrix ``Z``
``_warm_started()``    subclass hook: True makes ``fit`` call
                       ``partial_fit`` (``warm_start`` on a fitted model)
``_sample(n, C, rng)`` subclass hook: return an ``(n, n_columns)`` code
                       matrix that satisfies ``C`` (NaN = free) when the
                       class sets ``_native_conditioning = True``
=====================  ==================================================

Subclasses write only ``_fit`` and ``_sample``; :class:`BaseGenerator` does the
validation, the schema, the seeding, conditions (rejection fallback for
generators without native conditioning), the constraints read off the data
(columns determined by a categorical column are filled in from it; rows with
a pair of categories that never occur together are drawn again) and the
container round-trip.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import Tags as _SklearnTags
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._conditioning import condition_groups, describe_conditions
from .constraints._enforce import RulesMixin
from .utils._random import draw_seed, seed_stream
from .utils._validation import validate_table

__all__ = ["BaseGenerator", "GeneratorMixin", "GeneratorTags", "is_generator"]



@dataclass
class GeneratorTags:
    """Tags describing a generator.

    Parameters
    ----------
    native_conditioning : bool
        ``sample(conditions=...)`` is answered by the model itself rather than
        by rejection sampling.
    differentially_private : bool
        ``fit`` spends a privacy budget and reports it.
    requires_torch : bool
        The generator trains a torch network.
    """

    native_conditioning: bool = False
    differentially_private: bool = False
    requires_torch: bool = False


@dataclass
class Tags(_SklearnTags):
    """scikit-learn's tags plus :class:`GeneratorTags`."""

    generator_tags: GeneratorTags = field(default_factory=GeneratorTags)


class GeneratorMixin:
    """Mixin for generators: sets the estimator type and generator tags."""

    _native_conditioning = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "generator"
        tags.target_tags.required = False
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.sparse = False
        return Tags(
            **{f.name: getattr(tags, f.name) for f in fields(tags)},
            generator_tags=GeneratorTags(native_conditioning=self._native_conditioning),
        )


def is_generator(estimator):
    """Return True if ``estimator`` is a sksynth-style generator.

    Examples
    --------
    >>> from sksynth.base import is_generator
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> is_generator(GaussianCopulaGenerator())
    True
    """
    tags = getattr(estimator, "__sklearn_tags__", None)
    if tags is not None:
        try:
            return tags().estimator_type == "generator"
        except Exception:  # pragma: no cover - foreign estimators
            return False
    return hasattr(estimator, "fit") and hasattr(estimator, "sample")


def check_n_samples(n_samples, name="n_samples"):
    """Validate a number of rows to generate (an integer >= 1)."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {n_samples!r}.")
    if n_samples < 1:
        raise ValueError(f"{name} must be >= 1, got {n_samples}.")
    return int(n_samples)


class BaseGenerator(RulesMixin, GeneratorMixin, BaseEstimator):
    """Base class of all sksynth generators.

    Do not instantiate; subclass and implement ``_fit`` and ``_sample``. See the
    module docstring for the contract.
    """

    _parameter_constraints: dict = {}
    # Bounds of the rejection fallback, per group of conditions: batches
    # drawn, rows drawn (at least this many, or 100 per requested row), and
    # the rows of one batch (each at most 4 times the rows drawn before it).
    _max_rejection_rounds = 50
    _min_rejection_draws = 100_000
    _max_rejection_batch = 100_000
    # Constraints read off the data: columns determined by a categorical
    # column (a code and its label) are filled in from it instead of being
    # modelled (TableSchema derive=True), and generated rows holding a pair of
    # categories that never occur together are drawn again (ImpossiblePairs).
    # Differentially private generators turn this off: both read the data
    # outside the privacy accounting.
    _learn_constraints = True
    # Bound of the redraws of rows that hold an impossible pair, and the share
    # of such rows in an unconditional draw above which they are kept (with a
    # warning) rather than drawn again, which would distort the columns'
    # distributions.
    _max_redraw_rounds = 20
    _max_impossible_share = 0.2

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the joint distribution of ``X`` (and ``y``).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Mixed-type table; NaN marks missing values (modelled, not dropped).
        y : array-like of shape (n_samples,), default=None
            Optional target, modelled jointly as one more column.

        Returns
        -------
        self : object
            The fitted generator.
        """
        if self._warm_started():
            return self.partial_fit(X, y)
        validate_table(self, X, y, reset=True, ensure_min_samples=2)
        X = self._rules_frame(X, "transform")
        self.schema_ = self._infer_schema(X, y)
        Z = self.schema_.encode(X, y)
        Z = self._fit_rules(Z)
        rng = check_random_state(self.random_state)
        self._fit(Z, rng)
        self._sample_seeds_ = seed_stream(rng)
        return self

    def _fit(self, Z, random_state):
        raise NotImplementedError

    def _warm_started(self):
        """Hook: whether ``fit`` continues the fitted model (``partial_fit``).

        False by default (``fit`` always starts afresh); a generator with
        ``warm_start`` and a ``partial_fit`` returns True when it is set and
        the generator is fitted.
        """
        return False

    # --------------------------------------------------------------- sample
    def sample(self, n_samples=1, *, conditions=None, random_state=None):
        """Draw synthetic rows.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows (>= 1). With a DataFrame of conditions it must equal
            the number of condition rows.
        conditions : dict or DataFrame, default=None
            Column values to fix: ``{column: value}`` for every row, or one
            DataFrame row per sample (NaN leaves a cell free). The target is
            addressed as ``"y"`` or by its Series name.
        random_state : int, RandomState instance or None, default=None
            Seed for this call. ``None`` draws from a stream seeded by the
            generator's ``random_state`` at ``fit``, so successive calls differ
            but a refit with the same seed replays them.

        Returns
        -------
        X : DataFrame or ndarray of shape (n_samples, n_features)
            In the container, column order and dtypes ``fit`` saw.
        y : Series or ndarray of shape (n_samples,)
            Only when ``fit`` was given ``y``.
        """
        check_is_fitted(self)
        if random_state is None:
            random_state = draw_seed(self._sample_seeds_)
        rng = check_random_state(random_state)
        Z = self._sample_codes(n_samples, conditions, rng)
        return self._decode_rows(Z, rng)

    def _sample_codes(self, n_samples, conditions=None, random_state=None):
        """Like :meth:`sample` but return the code matrix."""
        check_is_fitted(self)
        if isinstance(conditions, pd.DataFrame) and n_samples == 1:
            n_samples = len(conditions)
        n_samples = check_n_samples(n_samples)
        if random_state is None:
            random_state = draw_seed(self._sample_seeds_)
        rng = check_random_state(random_state)
        Z, given = self._draw_codes(n_samples, conditions, rng)
        return self._enforce_rules(Z, conditions, given, rng)

    def _draw_codes(self, n_samples, conditions, rng):
        """One draw of code rows meeting ``conditions``, and the fixed cells."""
        if conditions is None:
            Z = self.schema_.round_codes(self._sample(n_samples, None, rng))
            return self._apply_rules(Z, None), None
        C = self.schema_.encode_conditions(conditions, n_samples)
        self._check_rule_conditions(C)
        if self._native_conditioning:
            Z = self.schema_.round_codes(self._sample(n_samples, C, rng))
        else:
            Z = self._rejection_sample(C, rng)
        given = ~np.isnan(C)
        if not np.allclose(Z[given], C[given]):
            raise RuntimeError(
                f"{type(self).__name__} returned rows that break the conditions."
            )
        Z[given] = C[given]
        return self._apply_rules(Z, given), given

    def _rejection_sample(self, C, rng, *, draw=None, native=None):
        """Bounded rejection sampling, one group of conditions at a time.

        ``draw(n, primary, rng)`` draws code rows (default: unconditional
        ``_sample``); ``native(cond)`` may name one condition ``(column, code)``
        that ``draw`` honours itself, so that only the others are met by
        rejection. Whether rejection can meet the others at all is the
        schema's rule (:meth:`TableSchema.check_rejectable`: a continuous
        column only at one of its point masses); a condition it cannot meet
        raises at once.
        """
        if draw is None:

            def draw(n, primary, rng):
                return self._sample(n, None, rng)

        Z = np.empty_like(C)
        for rows, cond in condition_groups(C):
            cols = np.flatnonzero(~np.isnan(cond))
            primary = native(cond) if native is not None else None
            rest = [j for j in cols if primary is None or j != primary[0]]
            self.schema_.check_rejectable(
                cond, skip=() if primary is None else (primary[0],),
                generator=type(self).__name__,
            )
            need = len(rows)
            if not rest:  # the model honours the only condition itself
                out = draw(need, primary, rng)
                out[:, primary[0]] = primary[1]
                Z[rows] = out
                continue
            budget = max(self._min_rejection_draws, 100 * need)
            kept, have, drawn, batch = [], 0, 0, max(256, 2 * need)
            hopeless = False
            for _ in range(self._max_rejection_rounds):
                cand = self.schema_.round_codes(draw(batch, primary, rng))
                if primary is not None:
                    cand[:, primary[0]] = primary[1]
                ok = np.all(cand[:, rest] == cond[rest], axis=1)
                kept.append(cand[ok])
                have += int(ok.sum())
                drawn += batch
                if have >= need or drawn >= budget:
                    break
                # stop at once when even a generous rate (3 more hits than
                # seen, about a 95% upper bound) cannot reach `need` in budget
                if (need - have) * drawn / (have + 3) > budget - drawn:
                    hopeless = True
                    break
                rate = max(have, 1) / drawn
                batch = int(min(max(256, 1.2 * (need - have) / rate),
                                4 * drawn, self._max_rejection_batch,
                                budget - drawn))
            accepted = np.concatenate(kept)
            if len(accepted) < need:
                described = describe_conditions(self.schema_, cond)
                how = ""
                if primary is not None:
                    name = self.schema_.columns[primary[0]].name
                    how = f"it conditions natively on {name!r} and "
                bound = (
                    f"stopped early: at that rate it would need more than the "
                    f"{budget} rows it may draw" if hopeless else
                    f"at most {self._max_rejection_rounds} rounds and {budget} rows"
                )
                raise ValueError(
                    f"Could not generate {need} rows with conditions {described}: "
                    f"only {len(accepted)} of {drawn} rows drawn met them "
                    f"({type(self).__name__}: {how}the rest by bounded rejection, "
                    f"{bound}). The condition is too "
                    "rare under the model; use a generator with native conditioning "
                    "or a less specific condition."
                )
            Z[rows] = accepted[:need]
        return Z
