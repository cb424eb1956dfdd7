"""TransferGenerator: a generator fitted on a small table with a related one."""

from __future__ import annotations

import numbers
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .._conditioning import condition_groups
from ..base import BaseGenerator
from ..constraints._enforce import RULE_PARAMETERS_DOC
from ..preprocessing import align_tables
from ..utils._docstring import fill_doc
from ..utils._random import draw_seed

__all__ = ["TransferGenerator"]

_METHODS = ("auto", "fine_tune", "prior", "pool", "none")


@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class TransferGenerator(BaseGenerator):
    """Fit any generator on a small table, borrowing from a related table.

    The related table is aligned to the table given to ``fit``
    (:func:`~sksynth.preprocessing.align_tables`: columns matched by name,
    columns only in the related table left out, columns only in the small
    table filled from its values, categories and ranges united, a column of
    another kind refused) and the base generator learns from both:

    - ``"fine_tune"`` (neural generators): pre-trained on the related table
      (stacked with the small one, so that the encoding and the relations
      the generator reads off its data, such as a column determined by
      another, hold in both), then fine-tuned on the small one with its own
      epochs, learning rate and frozen layers
      (:meth:`~sksynth.generators.TVAEGenerator.fine_tune`);
    - ``"prior"`` (generators with a ``prior`` parameter, such as
      :class:`~sksynth.generators.BayesianNetworkGenerator`): fitted on the
      small table with the related table as a prior weighing
      ``prior_weight`` times the small one;
    - ``"pool"`` (any generator): fitted on both tables stacked;
    - ``"none"``: fitted on the small table alone (the baseline);
    - ``"auto"``: ``"fine_tune"`` when the generator has ``fine_tune``,
      else ``"prior"`` when it has a ``prior`` parameter, else ``"pool"``.

    Used inside :class:`~sksynth.samplers.GenerativeOverSampler`, the
    minority class borrows from the related table's rows of that class
    (give the related target: ``related=(X_related, y_related)``).

    The base generator is reached through ``fit``, ``sample(conditions=...)``
    and, for ``"fine_tune"``, its public ``fine_tune``; conditions are passed
    on to it.

    Parameters
    ----------
    generator : generator estimator, default=None
        The base generator (cloned). ``None`` uses
        :class:`~sksynth.generators.BayesianNetworkGenerator`.
    related : DataFrame, array-like or tuple (X_related, y_related), default=None
        The related table (with its target when ``fit`` gets a ``y``).
        ``None``: no transfer (as ``method="none"``).
    method : {"auto", "fine_tune", "prior", "pool", "none"}, default="auto"
        How the related table is used (see above).
    fine_tune_epochs : int, default=None
        Epochs of fine-tuning (``None``: the base generator's
        ``max_epochs``).
    fine_tune_lr : float, default=None
        Learning rate of fine-tuning (``None``: the pre-training one).
    freeze : str or list of str, default=None
        Module parameters (names or prefixes) frozen while fine-tuning, e.g.
        ``"encoder"`` for TVAE.
    prior_weight : float, default=1.0
        Weight of the related table with ``"prior"``, in multiples of the
        small table's rows.
    categories : {"small", "union"}, default="small"
        Categories of the generated rows: only those of the small table
        (rows drawn with a category seen only in the related table are drawn
        again: bounded rejection, at most ``max_redraws`` rounds and 100 rows
        drawn per row returned), or those of both tables (the output's
        category sets are then widened).
    max_redraws : int, default=20
        Rounds of redraws with ``categories="small"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the alignment's draws, the base generator (when its own
        ``random_state`` is None) and ``sample``.
    {rule_params}

    Attributes
    ----------
    generator_ : generator
        The fitted base generator.
    method_ : str
        The method used.
    alignment_ : dict or None
        What the alignment did: ``dropped`` and ``added`` columns,
        ``new_categories`` (of the small table) and ``related_categories``
        (only in the related table); None without ``related``.
    schema_ : TableSchema
        Column types seen in ``fit`` (categories widened with
        ``categories="union"``).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    See Also
    --------
    sksynth.preprocessing.align_tables : the alignment of the two tables.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.generators import BayesianNetworkGenerator, TransferGenerator
    >>> related = pd.DataFrame({"age": [25, 40, 61, 33] * 50,
    ...                         "plan": ["a", "b", "b", "c"] * 50})
    >>> small = pd.DataFrame({"age": [23, 35, 47, 51, 62, 29],
    ...                       "plan": ["a", "b", "b", "a", "b", "d"]})
    >>> gen = TransferGenerator(BayesianNetworkGenerator(random_state=0),
    ...                         related=related, random_state=0).fit(small)
    >>> gen.method_, gen.alignment_["new_categories"]
    ('prior', {'plan': ['d']})
    >>> sorted(gen.sample(50, random_state=0)["plan"].unique())
    ['a', 'b', 'd']
    """

    _parameter_constraints: dict = {
        "generator": [HasMethods(["fit", "sample"]), None],
        "related": ["array-like", None],
        "method": [StrOptions(set(_METHODS))],
        "fine_tune_epochs": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "fine_tune_lr": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "freeze": [str, list, tuple, None],
        "prior_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "categories": [StrOptions({"small", "union"})],
        "max_redraws": [Interval(numbers.Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }
    _native_conditioning = True
    # the base generator learns its own constraints from the rows it is given
    _learn_constraints = False

    def __init__(
        self,
        generator=None,
        *,
        related=None,
        method="auto",
        fine_tune_epochs=None,
        fine_tune_lr=None,
        freeze=None,
        prior_weight=1.0,
        categories="small",
        max_redraws=20,
        random_state=None,
        constraints=None,
        schema=None,
    ):
        self.generator = generator
        self.related = related
        self.method = method
        self.fine_tune_epochs = fine_tune_epochs
        self.fine_tune_lr = fine_tune_lr
        self.freeze = freeze
        self.prior_weight = prior_weight
        self.categories = categories
        self.max_redraws = max_redraws
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        from ._bayesian_network import BayesianNetworkGenerator

        # the common checks fit tables of many shapes: no related table fits
        # them all, so they check the wrapper's contract (transfer itself is
        # tested in tests/generators/test_transfer.py)
        return {"generator": BayesianNetworkGenerator(n_bins=5, random_state=0),
                "random_state": 0}

    # ---------------------------------------------------------------- fit
    def _base(self, rng):
        from ._bayesian_network import BayesianNetworkGenerator

        gen = BayesianNetworkGenerator() if self.generator is None else clone(
            self.generator)
        params = gen.get_params()
        if "random_state" in params and params["random_state"] is None:
            gen.set_params(random_state=draw_seed(rng))
        return gen

    def _resolve(self, gen):
        method = self.method
        if self.related is None:
            return "none"
        if method == "auto":
            if callable(getattr(gen, "fine_tune", None)):
                return "fine_tune"
            if "prior" in gen.get_params(deep=False):
                return "prior"
            return "pool"
        if method == "fine_tune" and not callable(getattr(gen, "fine_tune", None)):
            raise ValueError(
                f"method='fine_tune' needs a generator with a fine_tune method "
                f"(the neural generators); {type(gen).__name__} has none. Use "
                "method='prior' or 'pool'."
            )
        if method == "prior" and "prior" not in gen.get_params(deep=False):
            raise ValueError(
                f"method='prior' needs a generator with a prior parameter (such "
                f"as BayesianNetworkGenerator); {type(gen).__name__} has none. "
                "Use method='pool'."
            )
        return method

    def _fit(self, Z, random_state):
        rng = random_state
        table = self.schema_.decode(Z)
        X, y = table if self.schema_.has_target else (table, None)
        gen = self._base(rng)
        self.method_ = method = self._resolve(gen)
        self.alignment_ = None
        self._aligned = None
        if method == "none":
            self.generator_ = gen.fit(X) if y is None else gen.fit(X, y)
            return self
        related, related_y = (self.related if isinstance(self.related, tuple)
                              else (self.related, None))
        a = align_tables(X, related, y=y, related_y=related_y,
                         random_state=draw_seed(rng))
        self.alignment_ = {
            "dropped": list(a.dropped), "added": list(a.added),
            "new_categories": dict(a.new_categories),
            "related_categories": dict(a.related_categories),
        }
        if method == "prior":
            shared = [c for c in a.related_X.columns
                      if not any(c is d or c == d for d in a.added)]
            prior = a.related_X[shared]
            gen.set_params(prior=prior if a.related_y is None
                           else (prior, a.related_y),
                           prior_weight=self.prior_weight)
            self.generator_ = gen.fit(X) if y is None else gen.fit(X, y)
            return self
        self._aligned = a
        # pool, and the pre-training of fine_tune: both tables stacked, so
        # that the relations the base generator reads off its data (columns
        # determined by another, impossible pairs) hold in the small table
        Xp = pd.concat([a.X, a.related_X], ignore_index=True)
        if a.y is None:
            gen.fit(Xp)
        else:
            gen.fit(Xp, pd.concat([a.y, a.related_y], ignore_index=True))
        if method == "fine_tune":
            gen.fine_tune(a.X, a.y, epochs=self.fine_tune_epochs,
                          lr=self.fine_tune_lr, freeze=self.freeze)
        self.generator_ = gen
        # keep the schemas of the alignment, not its copies of the tables
        self._aligned = replace(a, X=None, y=None, related_X=None, related_y=None)
        if self.categories == "union":
            self.schema_ = a.schema
        return self

    # ------------------------------------------------------------- sample
    def _condition_values(self, cond):
        """``{column name: value}`` of one condition row, in the form the base
        generator was fitted on."""
        schema = self.schema_ if self._aligned is None else (
            self._aligned.model_schema)
        fixed = np.flatnonzero(~np.isnan(cond))
        row = np.where(np.isnan(cond), 0.0, cond)
        for j, col in enumerate(schema.columns):
            if np.isnan(cond[j]) and col.kind != "categorical":
                row[j] = col.low if np.isfinite(col.low) else 0.0
        table = schema.decode(row[None, :])
        X, y = table if schema.has_target else (table, None)
        out = {}
        for j in fixed:
            col = schema.columns[j]
            if schema.has_target and j == schema.target_index:
                value = np.asarray(y)[0]
            elif isinstance(X, pd.DataFrame):
                value = X.iloc[0, j]
            else:
                value = np.asarray(X)[0, j]
            out[col.name] = value.item() if hasattr(value, "item") else value
        return out

    def _draw(self, n, cond, rng):
        conditions = None if cond is None else self._condition_values(cond)
        out = self.generator_.sample(n, conditions=conditions,
                                     random_state=draw_seed(rng))
        if self._aligned is None:
            return self.schema_.encode(*out) if isinstance(out, tuple) else (
                self.schema_.encode(out))
        return self._aligned.encode(*out) if isinstance(out, tuple) else (
            self._aligned.encode(out))

    def _draw_small(self, n, cond, rng):
        """``n`` code rows; with ``categories="small"``, rows holding a
        category only the related table has are drawn again (bounded
        rejection: each round draws what the acceptance rate so far needs)."""
        Z = self._draw(n, cond, rng)
        if self._aligned is None or self.categories == "union":
            return Z
        ok = ~self._aligned.outside_small(Z)
        kept, have, drawn = [Z[ok]], int(ok.sum()), n
        budget = max(100 * n, 10_000)
        for _ in range(self.max_redraws):
            if have >= n or drawn >= budget:
                break
            rate = max(have, 1) / drawn
            m = int(min(max(64, 1.2 * (n - have) / rate), budget - drawn))
            cand = self._draw(m, cond, rng)
            ok = ~self._aligned.outside_small(cand)
            kept.append(cand[ok])
            have += int(ok.sum())
            drawn += m
        if have < n:
            name = type(self.generator_).__name__
            raise ValueError(
                f"Only {have} of {drawn} rows drawn by {name} hold only categories "
                f"of the small table ({self.max_redraws} rounds of redraws); the "
                "model puts most of its mass on categories only the related table "
                "has. Fine-tune longer, or keep such rows with categories='union'."
            )
        return np.concatenate(kept)[:n]

    def _sample(self, n_samples, conditions, random_state):
        rng = random_state
        if conditions is None:
            return self._draw_small(n_samples, None, rng)
        Z = np.empty((n_samples, self.schema_.n_columns))
        for rows, cond in condition_groups(conditions):
            Z[rows] = self._draw_small(len(rows), cond, rng)
        return Z
