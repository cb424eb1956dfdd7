"""DataCentricGenerator: a generator sculpted by a data-centric profile of the rows."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .._conditioning import condition_groups
from ..base import BaseGenerator
from ..constraints._enforce import RULE_PARAMETERS_DOC
from ..utils._docstring import fill_doc
from ..utils._random import draw_seed

__all__ = ["DataCentricGenerator"]

_SEGMENTS = ("easy", "ambiguous", "hard")


@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class DataCentricGenerator(BaseGenerator):
    """Wrap any generator with data-centric pre- and post-processing.

    The rows of the training table are profiled as easy, ambiguous or hard
    for a classifier of the label (a
    :class:`~sksynth.profiling.DataIQProfiler`, out of fold by default), and
    the profile shapes the generator (Hansen et al., 2023):

    - ``preprocess="drop_hard"``: the generator learns from the easy and
      ambiguous rows only;
    - ``preprocess="per_segment"``: one clone of the generator per segment,
      each fitted on that segment's rows; ``sample`` draws from the clones in
      the real proportions of the segments (conditioned draws in the
      proportions of the real rows that meet the condition);
    - ``postprocess="drop_hard"``: generated rows that the profiler, trained
      on the *real* rows, calls hard are drawn again (bounded; rows still
      hard after ``max_rounds`` draws are kept, with a warning).

    The base generator is reached only through ``fit`` and
    ``sample(conditions=...)``: conditions are passed on to it (native
    conditioning where it has it).

    Parameters
    ----------
    generator : generator estimator, default=None
        The base generator (cloned). ``None`` uses
        :class:`~sksynth.generators.ARFGenerator`.
    preprocess : {None, "drop_hard", "per_segment"}, default=None
        What the profile does before fitting.
    postprocess : {None, "drop_hard"}, default=None
        What the profile does to generated rows.
    profiler : DataIQProfiler, default=None
        The profiler (cloned); ``None`` uses ``DataIQProfiler()``.
    target : hashable, default=None
        The label column of ``X`` when ``fit`` gets no ``y`` (with ``y``, the
        label is ``y``). The profile needs a label.
    min_segment_size : int, default=10
        With ``per_segment``, segments with fewer rows are left out of the
        generation, as in the reference implementation (with a warning).
    max_rounds : int, default=10
        Bound of the redraws of hard rows with ``postprocess="drop_hard"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the profiler and the clones (when their own seed is None) and
        ``sample``.
    {rule_params}

    Attributes
    ----------
    profiler_ : DataIQProfiler or None
        The profiler fitted on the real rows (None when neither step is set).
    segments_ : ndarray or None
        Segment of each training row.
    generator_ : generator
        The fitted base generator (``preprocess`` None or ``"drop_hard"``).
    generators_ : dict of {str: generator}
        One fitted clone per segment generated from (``"per_segment"``).
    segment_shares_ : dict of {str: float}
        Share of each generated-from segment among the rows used.
    n_dropped_ : int
        Training rows the generator(s) did not learn from.
    hard_share_ : float or None
        Share of generated rows profiled hard in the last ``sample`` call's
        first draw (``postprocess="drop_hard"``).
    schema_ : TableSchema
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    See Also
    --------
    sksynth.profiling.DataIQProfiler : the profile.
    sksynth.samplers.HardExampleFilter : drop hard rows before a model.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import DataCentricGenerator, GaussianCopulaGenerator
    >>> X, y = make_mixed_classification(400, random_state=0)
    >>> gen = DataCentricGenerator(GaussianCopulaGenerator(), preprocess="per_segment",
    ...                            postprocess="drop_hard", random_state=0)
    >>> Xs, ys = gen.fit(X, y).sample(200)
    >>> sorted(gen.generators_)
    ['ambiguous', 'easy', 'hard']
    >>> Xs.dtypes.equals(X.dtypes), len(ys)
    (True, 200)
    """

    _parameter_constraints: dict = {
        "generator": [HasMethods(["fit", "sample"]), None],
        "preprocess": [StrOptions({"drop_hard", "per_segment"}), None],
        "postprocess": [StrOptions({"drop_hard"}), None],
        "profiler": [HasMethods(["fit", "profile"]), None],
        "target": "no_validation",  # any hashable column name
        "min_segment_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_rounds": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }
    _native_conditioning = True
    # the base generator learns its own constraints from the rows it is given
    _learn_constraints = False

    def __init__(
        self,
        generator=None,
        *,
        preprocess=None,
        postprocess=None,
        profiler=None,
        target=None,
        min_segment_size=10,
        max_rounds=10,
        random_state=None,
        constraints=None,
        schema=None,
    ):
        self.generator = generator
        self.preprocess = preprocess
        self.postprocess = postprocess
        self.profiler = profiler
        self.target = target
        self.min_segment_size = min_segment_size
        self.max_rounds = max_rounds
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        from ..profiling import DataIQProfiler
        from ._copula import GaussianCopulaGenerator

        return {
            "generator": GaussianCopulaGenerator(random_state=0),
            "preprocess": "per_segment",
            "postprocess": "drop_hard",
            "profiler": DataIQProfiler(cv=3, checkpoints=3, random_state=0),
            "target": "level",
            "random_state": 0,
        }

    # ------------------------------------------------------------ helpers
    def _clone(self, est, default, rng):
        est = default() if est is None else clone(est)
        params = est.get_params()
        if "random_state" in params and params["random_state"] is None:
            est.set_params(random_state=draw_seed(rng))
        return est

    def _target_position(self, X):
        """Position of the ``target`` column of X (no y fitted)."""
        if self.target is None:
            raise ValueError(
                "DataCentricGenerator profiles rows by their label: pass y to fit, "
                "or name the label column of X with target=."
            )
        names = list(self.schema_.names)
        for j, name in enumerate(names):
            if name is self.target or name == self.target:
                return j
        raise ValueError(
            f"target={self.target!r} is not a column of X; the columns are {names}."
        )

    def _split(self, table):
        """``(features, labels)`` for the profiler from a decoded table."""
        if self.schema_.has_target:
            X, y = table
            return X, np.asarray(y)
        X = table
        j = self._label_position_
        if isinstance(X, pd.DataFrame):
            return X.drop(columns=X.columns[j]), X.iloc[:, j].to_numpy()
        X = np.asarray(X)
        return np.delete(X, j, axis=1), X[:, j]

    @staticmethod
    def _rows(table, idx):
        def take(part):
            if isinstance(part, (pd.DataFrame, pd.Series)):
                return part.iloc[idx].reset_index(drop=True)
            return np.asarray(part)[idx]

        if isinstance(table, tuple):
            return tuple(take(p) for p in table)
        return take(table)

    # ---------------------------------------------------------------- fit
    def _fit(self, Z, random_state):
        from ..profiling import DataIQProfiler
        from ._arf import ARFGenerator

        rng = random_state
        table = self.schema_.decode(Z)
        profiled = self.preprocess is not None or self.postprocess is not None
        self._label_position_ = (
            None
            if self.schema_.has_target or not profiled
            else self._target_position(table)
        )
        self.profiler_ = self.segments_ = None
        self.generator_, self.generators_ = None, {}
        self.hard_share_ = None
        n = len(Z)
        used = np.ones(n, dtype=bool)
        if profiled:
            features, labels = self._split(table)
            if pd.isna(labels).any():
                raise ValueError(
                    "The label has missing values: every row needs a label to be "
                    "profiled."
                )
            self.profiler_ = self._clone(self.profiler, DataIQProfiler, rng)
            self.profiler_.fit(features, labels)
            self.segments_ = np.asarray(self.profiler_.segments_)
        if self.preprocess == "drop_hard":
            used = self.segments_ != "hard"
            if not used.any():
                raise ValueError("Every training row is profiled hard: nothing to fit.")
        if self.preprocess == "per_segment":
            small = [
                s
                for s in _SEGMENTS
                if 0 < np.sum(self.segments_ == s) < self.min_segment_size
            ]
            kept = [
                s
                for s in _SEGMENTS
                if np.sum(self.segments_ == s) >= self.min_segment_size
            ]
            segments = self.segments_
            if not kept:
                warnings.warn(
                    f"No segment holds min_segment_size={self.min_segment_size} "
                    "rows: one generator is fitted on all rows.",
                    UserWarning,
                    stacklevel=4,
                )
                kept, segments = ["all"], np.full(n, "all", dtype=object)
            elif small:
                warnings.warn(
                    f"Segments {small} hold fewer than min_segment_size="
                    f"{self.min_segment_size} rows; their "
                    f"{int(np.isin(self.segments_, small).sum())} rows are left "
                    "out of the generation.",
                    UserWarning,
                    stacklevel=4,
                )
            used = np.isin(segments, kept)
            self._row_segment = np.where(used, segments, None)
            for s in kept:
                rows = np.flatnonzero(segments == s)
                gen = self._clone(self.generator, ARFGenerator, rng)
                part = self._rows(table, rows)
                gen.fit(*part) if isinstance(part, tuple) else gen.fit(part)
                self.generators_[s] = gen
            total = used.sum()
            self.segment_shares_ = {
                s: float(np.sum(segments == s) / total) for s in kept
            }
        else:
            gen = self._clone(self.generator, ARFGenerator, rng)
            part = self._rows(table, np.flatnonzero(used))
            gen.fit(*part) if isinstance(part, tuple) else gen.fit(part)
            self.generator_ = gen
            self.segment_shares_ = {"all": 1.0}
        self.n_dropped_ = int((~used).sum())
        # the real rows' codes, for the segment weights of conditioned draws
        self._Z = Z if self.preprocess == "per_segment" else None
        return self

    # ------------------------------------------------------------- sample
    def _condition_values(self, cond):
        """``{column name: value}`` of the fixed cells of one condition row."""
        fixed = np.flatnonzero(~np.isnan(cond))
        row = np.where(np.isnan(cond), 0.0, cond)
        for j, col in enumerate(self.schema_.columns):
            if np.isnan(cond[j]) and col.kind != "categorical":
                row[j] = col.low if np.isfinite(col.low) else 0.0
        table = self.schema_.decode(row[None, :])
        X, y = table if self.schema_.has_target else (table, None)
        out = {}
        for j in fixed:
            col = self.schema_.columns[j]
            if self.schema_.has_target and j == self.schema_.target_index:
                value = np.asarray(y)[0]
            elif isinstance(X, pd.DataFrame):
                value = X.iloc[0, j]
            else:
                value = np.asarray(X)[0, j]
            out[col.name] = value.item() if hasattr(value, "item") else value
        return out

    def _draw_from(self, gen, n, cond, rng):
        """``n`` rows of one generator as codes, under one condition row."""
        conditions = None if cond is None else self._condition_values(cond)
        out = gen.sample(n, conditions=conditions, random_state=draw_seed(rng))
        return (
            self.schema_.encode(*out)
            if isinstance(out, tuple)
            else (self.schema_.encode(out))
        )

    def _segment_weights(self, cond):
        """Real rows of each segment that meet the condition ``cond``."""
        kept = list(self.generators_)
        if cond is None:
            return np.array([self.segment_shares_[s] for s in kept])
        ok = np.ones(len(self._Z), dtype=bool)
        for j in np.flatnonzero(~np.isnan(cond)):
            col = self.schema_.columns[j]
            if col.kind == "categorical":
                ok &= self._Z[:, j] == cond[j]
        weights = []
        for s in kept:
            rows = self._row_segment == s
            w = float(np.sum(ok & rows))
            for j in np.flatnonzero(~np.isnan(cond)):
                col = self.schema_.columns[j]
                if col.kind != "categorical":  # inside the segment's range
                    z = self._Z[rows, j]
                    z = z[~np.isnan(z)]
                    if not len(z) or not z.min() <= cond[j] <= z.max():
                        w = 0.0
            weights.append(w)
        return np.array(weights)

    def _draw(self, n, C, rng):
        """``n`` code rows meeting ``C`` (None or an (n, n_columns) matrix)."""
        if self.preprocess != "per_segment":
            if C is None:
                return self._draw_from(self.generator_, n, None, rng)
            Z = np.empty((n, self.schema_.n_columns))
            for rows, cond in condition_groups(C):
                Z[rows] = self._draw_from(self.generator_, len(rows), cond, rng)
            return Z
        kept = list(self.generators_)
        Z = np.empty((n, self.schema_.n_columns))
        groups = [(np.arange(n), None)] if C is None else condition_groups(C)
        for rows, cond in groups:
            w = self._segment_weights(cond)
            if w.sum() == 0:
                from .._conditioning import describe_conditions

                raise ValueError(
                    f"No segment fitted by DataCentricGenerator holds rows with "
                    f"the condition {describe_conditions(self.schema_, cond)}."
                )
            counts = rng.multinomial(len(rows), w / w.sum())
            parts = [
                self._draw_from(self.generators_[s], int(m), cond, rng)
                for s, m in zip(kept, counts)
                if m
            ]
            block = np.concatenate(parts)
            Z[rows] = block[rng.permutation(len(block))]
        return Z

    def _hard(self, Z):
        features, labels = self._split(self.schema_.decode(Z))
        seg = self.profiler_.profile(features, labels)["segment"]
        return np.array(seg == "hard", dtype=bool)

    def _sample(self, n_samples, conditions, random_state):
        rng = random_state
        Z = self._draw(n_samples, conditions, rng)
        if self.postprocess != "drop_hard":
            return Z
        hard = self._hard(Z)
        self.hard_share_ = float(hard.mean())
        for _ in range(self.max_rounds):
            rows = np.flatnonzero(hard)
            if not len(rows):
                return Z
            C = None if conditions is None else conditions[rows]
            Z[rows] = self._draw(len(rows), C, rng)
            hard[rows] = self._hard(Z[rows])
        if hard.any():
            warnings.warn(
                f"{int(hard.sum())} of {n_samples} generated rows are still "
                f"profiled hard after {self.max_rounds} redraws; they are kept. "
                "The generator puts much of its mass where the real rows' labels "
                "disagree with their features.",
                UserWarning,
                stacklevel=4,
            )
        return Z
