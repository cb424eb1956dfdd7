"""SequenceGenerator: time series with static context, and linked child tables."""

from __future__ import annotations

import numbers
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ...base import GeneratorMixin, check_n_samples
from ...preprocessing import TableSchema
from ...utils._progress import progress
from ...utils._random import draw_seed, seed_stream
from ...utils._validation import validate_table
from ._panel import TimeGrid, read_panel
from ._tree import TreeSteps

__all__ = ["SequenceGenerator"]

_LENGTH = "__length__"
_START = "__start__"


def _as_list(keys):
    if keys is None:
        return []
    if isinstance(keys, (list, tuple)):
        return list(keys)
    return [keys]


class SequenceGenerator(GeneratorMixin, BaseEstimator):
    """Multi-sequence (panel) data: time series with static context, child tables.

    ``fit`` takes a long-format table: one row per observation, with the
    entity id, optionally the time (datetime or numeric, regular or
    irregular), static columns (one value per entity) and temporal columns of
    any kind (numeric, integer, categorical, datetime, with missing values).
    The model has four explicit parts:

    - the **static context**: one row per entity (its static columns, its
      number of rows and its first time), learned by any sksynth tabular
      ``generator`` and conditioned through its ``sample(conditions=...)``;
    - the **time gaps**: in units of their greatest common divisor (integer
      and datetime times), so that every generated gap is at least one unit
      (timestamps are strictly increasing) and a regular series (every gap
      one unit) keeps its frequency exactly; the gaps of irregular series are
      a modelled column;
    - **each step** given the static context, the step index and the last
      ``n_lags`` steps: with ``model="tree"`` (CPU-fast) a chain of
      gradient-boosted trees, column by column (numeric columns by their
      change since the previous step plus a residual drawn from the training
      residuals, its rank persisting along the sequence as the training
      residuals' ranks do, within the range seen in ``fit``; categorical
      ones by sampled class probabilities); with
      ``model="gru"`` a recurrent network over whole sequences trained
      through skorch (GPU-ready, ``partial_fit``);
    - the **length** of every sequence (a column of the static table).

    Without ``time_column`` the rows of an entity are unordered: the object
    generates a child table linked to a parent table by key (one-to-many; the
    parent's columns are the static columns of the joined table). Without
    ``id_column`` the whole table is one entity: one sequence (with
    ``time_column``), and ``sample(n)`` draws one sequence of ``n`` steps; or
    plain rows, and ``sample(n)`` draws ``n`` of them.

    Parameters
    ----------
    id_column : hashable, default=None
        Column naming the entity of every row. ``None``: one entity.
    time_column : hashable, default=None
        Column holding the time of every row (datetime or numeric). ``None``:
        the rows of an entity are unordered (a child table).
    static_columns : hashable or list, default=None
        Columns constant within every entity (checked). A target ``y``
        constant within every entity is static as well (e.g. the class of a
        sequence).
    generator : sksynth generator, default=None
        Tabular generator of the static table (static columns, length, first
        time), cloned in ``fit``. ``None`` uses
        :class:`~sksynth.generators.ARFGenerator`.
    model : {"tree", "gru"}, default="tree"
        The step model (see above). ``"gru"`` needs torch.
    n_lags : int, default=4
        Previous steps given to the tree model at every step.
    max_iter : int, default=100
        Boosting iterations of every tree model.
    learning_rate : float, default=0.1
        Learning rate of the trees.
    max_leaf_nodes : int, default=31
        Leaves per tree.
    min_samples_leaf : int, default=20
        Training rows per leaf.
    hidden_size : int, default=64
        Units of the recurrent network (``model="gru"``).
    max_epochs : int, default=50
        Epochs of the recurrent network per ``fit`` / ``partial_fit``.
    batch_size : int, default=128
        Sequences per optimisation step of the recurrent network.
    lr : float, default=3e-3
        Learning rate of the recurrent network (Adam).
    device : str, default="cpu"
        Torch device of the recurrent network (``"cuda"`` on a GPU).
    callbacks : list of skorch callbacks, default=None
        Extra callbacks of the recurrent network's skorch net.
    verbose : int, default=0
        0: silent; 1: progress (models fitted, epochs).
    random_state : int, RandomState instance or None, default=None
        Seed of fitting and sampling.

    Attributes
    ----------
    schema_ : TableSchema
        Column types of the long table seen in ``fit``.
    static_generator_ : generator or None
        The fitted generator of the static table (``None`` for one entity).
    steps_ : object
        The fitted step model.
    time_grid_ : TimeGrid or None
        Unit, regularity and phase of the times.
    static_columns_ : list
        Static columns (with the target when it is static).
    temporal_columns_ : list
        Temporal (per-step) columns.
    lengths_ : ndarray of int
        Rows of every training entity.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    See Also
    --------
    sksynth.samplers.SequenceOverSampler : oversample minority-class entities.
    sksynth.metrics.discriminative_score : TimeGAN's post-hoc discriminator.

    References
    ----------
    J. Yoon, D. Jarrett and M. van der Schaar, "Time-series Generative
    Adversarial Networks", NeurIPS 2019 (the Sines benchmark and the
    discriminative and predictive scores).

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.generators import SequenceGenerator
    >>> df = make_sines(200, n_features=2, random_state=0)
    >>> gen = SequenceGenerator(id_column="id", time_column="time",
    ...                         max_iter=20, random_state=0).fit(df)
    >>> out = gen.sample(5, random_state=0)
    >>> out.groupby("id").size().tolist()
    [24, 24, 24, 24, 24]
    >>> bool(out.groupby("id")["time"].apply(lambda t: t.diff().min()).min() > 0)
    True
    """

    _parameter_constraints: dict = {
        "id_column": "no_validation",
        "time_column": "no_validation",
        "static_columns": "no_validation",
        "generator": [HasMethods(["fit", "sample"]), None],
        "model": [StrOptions({"tree", "gru"})],
        "n_lags": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_leaf_nodes": [Interval(numbers.Integral, 2, None, closed="left")],
        "min_samples_leaf": [Interval(numbers.Integral, 1, None, closed="left")],
        "hidden_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "device": [str, None],
        "callbacks": [list, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        id_column=None,
        time_column=None,
        static_columns=None,
        generator=None,
        *,
        model="tree",
        n_lags=4,
        max_iter=100,
        learning_rate=0.1,
        max_leaf_nodes=31,
        min_samples_leaf=20,
        hidden_size=64,
        max_epochs=50,
        batch_size=128,
        lr=3e-3,
        device="cpu",
        callbacks=None,
        verbose=0,
        random_state=None,
    ):
        self.id_column = id_column
        self.time_column = time_column
        self.static_columns = static_columns
        self.generator = generator
        self.model = model
        self.n_lags = n_lags
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.hidden_size = hidden_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.device = device
        self.callbacks = callbacks
        self.verbose = verbose
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        return {"max_iter": 5, "n_lags": 2, "max_epochs": 2, "random_state": 0}

    # ---------------------------------------------------------------- roles
    def _position(self, key, param):
        try:
            return self.schema_.column_position(key)
        except ValueError as err:
            raise ValueError(f"{param}={key!r}: {err}") from None

    def _roles(self, Z):
        schema = self.schema_
        id_pos = time_pos = None
        if self.id_column is not None:
            id_pos = self._position(self.id_column, "id_column")
        if self.time_column is not None:
            time_pos = self._position(self.time_column, "time_column")
            col = schema.columns[time_pos]
            if col.kind == "categorical":
                raise TypeError(
                    f"time_column {self.time_column!r} must be numeric or datetime, "
                    f"got a column of {col.dtype} values."
                )
            if time_pos == id_pos:
                raise ValueError("id_column and time_column must differ.")
        static = []
        for key in _as_list(self.static_columns):
            j = self._position(key, "static_columns")
            if j in (id_pos, time_pos) or j == schema.target_index:
                raise ValueError(
                    f"static_columns: {key!r} is the id, time or target column."
                )
            if id_pos is None:
                raise ValueError(
                    "static_columns need an id_column: without one the table is a "
                    "single entity."
                )
            static.append(j)
        target = schema.target_index
        if target is not None and id_pos is not None:
            ent = Z[:, id_pos]
            frame = pd.DataFrame({"e": ent, "y": Z[:, target]})
            if (frame.groupby("e")["y"].nunique(dropna=False) <= 1).all():
                static.append(target)
        taken = {id_pos, time_pos, *static}
        temporal = [j for j in range(schema.n_columns) if j not in taken]
        return id_pos, time_pos, static, temporal

    def _encode_long(self, X, y):
        """Codes of a long table; ids by order of appearance (any value)."""
        frame = X
        ids = None
        if self.id_column is not None:
            if isinstance(X, pd.DataFrame):
                ids = X[self.id_column]
            else:
                ids = pd.Series(np.asarray(X)[:, self.id_column])
            col = self.schema_.columns[self.id_pos_]
            if col.kind == "categorical" and len(col.categories):
                known = col.categories[0]
                if isinstance(X, pd.DataFrame):
                    frame = X.copy()
                    frame[self.id_column] = (
                        pd.Series(
                            [known] * len(X),
                            index=X.index,
                            dtype=X[self.id_column].dtype,
                        )
                        if not isinstance(X[self.id_column].dtype, pd.CategoricalDtype)
                        else pd.Categorical([known] * len(X), categories=col.categories)
                    )
                else:
                    frame = np.array(X, dtype=object, copy=True)
                    frame[:, self.id_column] = known
        Z = self.schema_.encode(frame, y)
        labels = None
        if ids is not None:
            missing = ids.isna().to_numpy()
            codes, uniques = pd.factorize(ids)
            Z[:, self.id_pos_] = np.where(missing, np.nan, codes)
            labels = uniques
        return Z, labels

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the lengths, static context, time gaps and steps of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_rows, n_columns)
            Long-format table: one row per observation.
        y : array-like of shape (n_rows,), default=None
            Optional target: static (e.g. a sequence's class) when constant
            within every entity, temporal otherwise.

        Returns
        -------
        self : SequenceGenerator
        """
        validate_table(self, X, y, reset=True, ensure_min_samples=2)
        self.schema_ = TableSchema.infer(X, y)
        self.id_pos_ = None
        if self.id_column is not None:
            self.id_pos_ = self._position(self.id_column, "id_column")
        Z, labels = self._encode_long(X, y)
        id_pos, time_pos, static, temporal = self._roles(Z)
        self.time_pos_, self.static_pos_ = time_pos, static
        self.temporal_pos_ = temporal
        names = self.schema_.names
        self.static_columns_ = [names[j] for j in static]
        self.temporal_columns_ = [names[j] for j in temporal]
        panel = read_panel(
            Z,
            id_pos=id_pos,
            time_pos=time_pos,
            static_pos=static,
            temporal_pos=temporal,
            names=names,
            labels=lambda codes: (
                [labels[int(c)] for c in codes]
                if labels is not None
                else ["<all rows>"] * len(codes)
            ),
        )
        if id_pos is not None and panel.n_entities < 2:
            raise ValueError(
                f"The id column {names[id_pos]!r} names {panel.n_entities} entity; "
                "at least 2 are needed to learn the static context and lengths."
            )
        self.time_grid_ = None
        log_gaps = None
        if time_pos is not None:
            if panel.lengths.max() < 2:
                raise ValueError(
                    f"Every entity of {names[id_pos]!r} has one row: the time "
                    f"gaps of {names[time_pos]!r} and the steps need entities "
                    "with at least 2 rows."
                )
            col = self.schema_.columns[time_pos]
            self.time_grid_ = TimeGrid.fit(panel, col.kind == "datetime" or col.integer)
            if not self.time_grid_.regular:
                log_gaps = self.time_grid_.units(panel.gaps)
        self.lengths_ = panel.lengths
        self.start_ = panel.time[0] if time_pos is not None else None
        rng = check_random_state(self.random_state)
        self.static_generator_ = None
        if id_pos is not None:
            self.static_generator_ = self._fit_static(X, y, panel, rng)
        kinds, n_cats = [], []
        for j in temporal:
            col = self.schema_.columns[j]
            kinds.append("categorical" if col.kind == "categorical" else "numeric")
            n_cats.append(col.n_categories)
        steps = self._step_model(
            kinds, n_cats, log_gaps is not None, time_pos is not None
        )
        # the recurrent net reports its epochs itself (skorch)
        bar = progress(
            total=steps.n_chain(),
            desc="SequenceGenerator steps",
            verbose=self.verbose if self.model == "tree" else 0,
        )
        try:
            self.steps_ = steps.fit(panel, log_gaps, rng, bar)
        finally:
            bar.close()
        self._sample_seeds_ = seed_stream(rng)
        return self

    def _is_gru(self):
        return self.model == "gru"

    @available_if(_is_gru)
    def partial_fit(self, X, y=None):
        """Continue training the recurrent network on ``X`` (``model="gru"``).

        The first call on an unfitted generator is :meth:`fit`. Later calls
        run ``max_epochs`` more epochs of the network on the sequences of
        ``X`` (in the format and with the columns of the first fit, e.g. new
        entities of a related data set); the static context, the lengths and
        the time grid stay those of the first fit.

        Returns
        -------
        self : SequenceGenerator
        """
        if not hasattr(self, "steps_"):
            return self.fit(X, y)
        validate_table(self, X, y, reset=False)
        Z, labels = self._encode_long(X, y)
        panel = self._read(Z, labels)
        log_gaps = None
        if self.time_grid_ is not None and not self.time_grid_.regular:
            log_gaps = self.time_grid_.units(panel.gaps)
        self.steps_.partial_fit(
            panel, log_gaps, check_random_state(draw_seed(self._sample_seeds_))
        )
        return self

    def _read(self, Z, labels):
        return read_panel(
            Z,
            id_pos=self.id_pos_,
            time_pos=self.time_pos_,
            static_pos=self.static_pos_,
            temporal_pos=self.temporal_pos_,
            names=self.schema_.names,
            labels=lambda codes: (
                [labels[int(c)] for c in codes]
                if labels is not None
                else ["<all rows>"] * len(codes)
            ),
        )

    def _step_model(self, kinds, n_cats, model_gaps, ordered):
        if self.model == "gru":
            from ._rnn import RNNSteps

            static_cats = [
                self.schema_.columns[j].n_categories for j in self.static_pos_
            ]
            return RNNSteps(
                kinds=kinds,
                n_categories=n_cats,
                static_categories=static_cats,
                model_gaps=model_gaps,
                ordered=ordered,
                hidden_size=self.hidden_size,
                max_epochs=self.max_epochs,
                batch_size=self.batch_size,
                lr=self.lr,
                device=self.device,
                callbacks=self.callbacks,
                verbose=self.verbose,
            )
        params = {
            "max_iter": self.max_iter,
            "learning_rate": self.learning_rate,
            "max_leaf_nodes": self.max_leaf_nodes,
            "min_samples_leaf": self.min_samples_leaf,
            "early_stopping": False,
        }
        return TreeSteps(
            n_lags=self.n_lags,
            kinds=kinds,
            n_categories=n_cats,
            model_gaps=model_gaps,
            ordered=ordered,
            params=params,
        )

    def _static_frame(self, X, y, rows):
        """The static table (original values) of the entities at ``rows``."""
        data = {}
        for name, j in zip(self.static_columns_, self.static_pos_):
            if j == self.schema_.target_index:
                ys = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y))
                data[name] = ys.iloc[rows].reset_index(drop=True)
            elif isinstance(X, pd.DataFrame):
                data[name] = X[name].iloc[rows].reset_index(drop=True)
            else:
                data[name] = pd.Series(np.asarray(X)[rows, j])
        return data

    def _fit_static(self, X, y, panel, rng):
        data = self._static_frame(X, y, panel.first_rows)
        data[_LENGTH] = panel.lengths.astype(np.int64)
        if self.time_pos_ is not None:
            if isinstance(X, pd.DataFrame):
                t = X[self.time_column].iloc[panel.first_rows]
            else:
                t = pd.Series(np.asarray(X)[panel.first_rows, self.time_column])
            data[_START] = t.reset_index(drop=True)
        frame = pd.DataFrame(data)
        if self.generator is None:
            from .._arf import ARFGenerator

            gen = ARFGenerator()
        else:
            gen = clone(self.generator)
        if "random_state" in gen.get_params():
            gen.set_params(random_state=draw_seed(rng))
        return gen.fit(frame)

    # --------------------------------------------------------------- sample
    def _static_schema(self):
        cols = [self.schema_.columns[j] for j in self.static_pos_]
        return replace(
            self.schema_,
            columns=cols,
            container="dataframe",
            column_index=pd.Index(self.static_columns_, dtype=object),
            has_target=False,
            target_name=None,
            derived=[],
        )

    def _conditions(self, conditions, n):
        """Split conditions into the static generator's and fixed step codes."""
        C = self.schema_.encode_conditions(conditions, n)
        given = ~np.isnan(C)
        for j in (self.id_pos_, self.time_pos_):
            if j is not None and given[:, j].any():
                raise ValueError(
                    f"Cannot condition on {self.schema_.names[j]!r}: the id and time "
                    "columns are generated (use sample_continuation to extend "
                    "given sequences)."
                )
        static_cond = None
        fixed_static = [k for k, j in enumerate(self.static_pos_) if given[:, j].any()]
        if fixed_static:
            if isinstance(conditions, dict):
                static_cond = {}
                for k in fixed_static:
                    j = self.static_pos_[k]
                    key = next(
                        key
                        for key in conditions
                        if self.schema_.column_position(key) == j
                    )
                    static_cond[self.static_columns_[k]] = conditions[key]
            else:
                cols = {}
                for key in conditions.columns:
                    j = self.schema_.column_position(key)
                    if j in self.static_pos_:
                        name = self.static_columns_[self.static_pos_.index(j)]
                        cols[name] = conditions[key].reset_index(drop=True)
                static_cond = pd.DataFrame(cols)
        return static_cond, C[:, self.temporal_pos_]

    def sample(self, n_sequences=1, *, conditions=None, random_state=None):
        """Draw new sequences (or child rows) in the long format of ``fit``.

        Parameters
        ----------
        n_sequences : int, default=1
            Number of sequences (entities) to draw; with a single entity
            (``id_column=None``), the number of steps (or rows). With a
            DataFrame of conditions it must equal its number of rows.
        conditions : dict or DataFrame, default=None
            Values to fix: ``{column: value}`` for every sequence, or one
            DataFrame row per sequence (one per step for a single entity).
            Static columns (e.g. the class ``"y"``) are fixed through the
            static generator; a temporal column is fixed at every step.
        random_state : int, RandomState instance or None, default=None
            Seed of this call; ``None`` draws from the stream seeded at ``fit``.

        Returns
        -------
        X : DataFrame or ndarray
            The long table, with fresh ids (``0, 1, ...``; strings for string
            ids), sorted by id and time.
        y : Series or ndarray
            Only when ``fit`` was given ``y``.
        """
        check_is_fitted(self)
        if isinstance(conditions, pd.DataFrame) and n_sequences == 1:
            n_sequences = len(conditions)
        n = check_n_samples(n_sequences, name="n_sequences (n_samples)")
        if random_state is None:
            random_state = draw_seed(self._sample_seeds_)
        rng = check_random_state(random_state)
        static_cond, fixed = None, np.full((n, len(self.temporal_pos_)), np.nan)
        if conditions is not None:
            static_cond, fixed = self._conditions(conditions, n)
        if self.static_generator_ is None:  # one entity: n steps or rows
            lengths = np.array([n])
            static = np.empty((1, 0))
            starts = None if self.start_ is None else np.array([self.start_])
            fixed = fixed[None, :, :]
        else:
            lengths, static, starts = self._draw_static(n, static_cond, rng)
            fixed = fixed[:, None, :]
        values, log_gaps = self.steps_.generate(static, lengths, fixed, rng)
        times = None
        if self.time_pos_ is not None:
            times = self._times(starts, log_gaps, lengths)
        return self._assemble(static, lengths, values, times)

    def _draw_static(self, n, static_cond, rng):
        frame = self.static_generator_.sample(
            n, conditions=static_cond, random_state=draw_seed(rng)
        )
        low, high = int(self.lengths_.min()), int(self.lengths_.max())
        lengths = np.clip(np.round(frame[_LENGTH].to_numpy(float)), low, high)
        lengths = lengths.astype(np.int64)
        static = np.empty((n, 0))
        if self.static_pos_:
            static = self._static_schema().encode(frame[self.static_columns_])
        starts = None
        if self.time_pos_ is not None:
            tcol = self.schema_.columns[self.time_pos_]
            tschema = replace(
                self.schema_,
                columns=[tcol],
                container="dataframe",
                column_index=pd.Index([_START], dtype=object),
                has_target=False,
                target_name=None,
                derived=[],
            )
            starts = tschema.encode(frame[[_START]])[:, 0]
            starts = self.time_grid_.starts_on_grid(starts)
        return lengths, static, starts

    def _times(self, starts, log_gaps, lengths, last=None):
        """Times from the first time (or the last observed one) and the gaps."""
        grid = self.time_grid_
        n, T = log_gaps.shape
        gaps = np.zeros((n, T))
        for s in range(T):
            active = lengths > s
            if last is None and s == 0:
                continue
            g = log_gaps[active, s]
            gaps[active, s] = grid.gaps_from(g)
        base = starts if last is None else last
        return base[:, None] + np.cumsum(gaps, axis=1)

    def _assemble(self, static, lengths, values, times, ids=None):
        n = len(lengths)
        ent = np.repeat(np.arange(n), lengths)
        step = np.arange(len(ent)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        Z = np.zeros((len(ent), self.schema_.n_columns))
        if self.id_pos_ is not None:
            col = self.schema_.columns[self.id_pos_]
            Z[:, self.id_pos_] = 0.0 if col.kind == "categorical" else ent
        if self.time_pos_ is not None:
            Z[:, self.time_pos_] = times[ent, step]
        for k, j in enumerate(self.static_pos_):
            Z[:, j] = static[ent, k]
        Z[:, self.temporal_pos_] = values[ent, step]
        out = self.schema_.decode(Z, copy=False)
        if self.id_pos_ is None:
            return out
        X = out[0] if self.schema_.has_target else out
        labels = self._fresh_ids(n) if ids is None else np.asarray(ids)
        self._set_ids(X, labels[ent])
        return out

    def _fresh_ids(self, n):
        col = self.schema_.columns[self.id_pos_]
        if col.kind == "categorical":
            return np.array([f"synth_{i}" for i in range(n)], dtype=object)
        return np.arange(n)

    def _set_ids(self, X, labels):
        col = self.schema_.columns[self.id_pos_]
        if isinstance(X, pd.DataFrame):
            if isinstance(col.dtype, pd.CategoricalDtype):
                X[self.id_column] = pd.Categorical(labels)
            else:
                X[self.id_column] = (
                    pd.array(labels, dtype=col.dtype)
                    if col.kind == "categorical"
                    else labels.astype(col.dtype)
                )
        else:
            X[:, self.id_column] = labels

    # ---------------------------------------------------------- continuation
    def sample_continuation(self, X, n_steps, y=None, *, random_state=None):
        """Extend given sequences by ``n_steps`` steps past their last time.

        Parameters
        ----------
        X : DataFrame or array-like
            Long table in the format of ``fit`` (the same columns); the
            sequences to extend (training ones or new ones).
        n_steps : int
            Steps to add to every sequence.
        y : array-like, default=None
            The target column of ``X`` when ``fit`` was given one.
        random_state : int, RandomState instance or None, default=None
            Seed of this call.

        Returns
        -------
        X_new : DataFrame or ndarray
            Only the new rows, with the ids of ``X``, times after each
            sequence's last time (and ``y_new`` when fitted with ``y``).
        """
        check_is_fitted(self)
        if self.time_pos_ is None:
            raise ValueError(
                "sample_continuation needs a time_column: without one the rows "
                "of an entity are unordered."
            )
        n_steps = check_n_samples(n_steps, name="n_steps")
        validate_table(self, X, y, reset=False)
        if random_state is None:
            random_state = draw_seed(self._sample_seeds_)
        rng = check_random_state(random_state)
        Z, labels = self._encode_long(X, y)
        panel = self._read(Z, labels)
        E, T = panel.n_entities, int(panel.lengths.max())
        h_vals = np.full((E, T, len(self.temporal_pos_)), np.nan)
        h_vals[panel.entity, panel.step] = panel.values
        h_gaps = np.full((E, T), np.nan)
        if not self.time_grid_.regular:
            h_gaps[panel.entity, panel.step] = self.time_grid_.units(panel.gaps)
        lengths = np.full(E, n_steps)
        fixed = np.full((E, 1, len(self.temporal_pos_)), np.nan)
        values, log_gaps = self.steps_.generate(
            panel.static, lengths, fixed, rng, history=(h_vals, h_gaps, panel.lengths)
        )
        times = self._times(None, log_gaps, lengths, last=panel.last_time())
        ids = None
        if self.id_pos_ is not None:
            ids = np.asarray(labels, dtype=object)
            col = self.schema_.columns[self.id_pos_]
            if col.kind != "categorical":
                ids = ids.astype(col.dtype)
        return self._assemble(panel.static, lengths, values, times, ids=ids)
