"""Censored time-to-event data: a wrapper generator that keeps the survival curves.

:class:`SurvivalGenerator` takes any sksynth generator and a survival target
(event indicator and time). Its default strategy samples the outcome first
and the covariates given the outcome (Ashhad & Henao 2024, "Conditioning on
time is all you need"):

1. ``(time, event)`` from a smoothed estimate of their joint law: the event
   share, and per event value the empirical quantile function of the times
   interpolated linearly between order statistics. Its distribution
   function is within ``1/(2 n_e)`` of the empirical one of each group (so
   the Kaplan-Meier curve, a function of the two sub-distributions, is
   kept); it never leaves the observed follow-up ``[min, max]`` and puts a
   small mass on the horizon itself. The draws are stratified, so that a
   sample carries little sampling noise of its own.
2. The covariates given the outcome, through the base generator's one
   conditioning contract: it is fitted on the covariates plus two columns,
   the event indicator and the time bin (``n_time_bins`` quantile bins), and
   sampled with ``conditions`` = the drawn (bin, event) of every row.

The second strategy, ``"survival_model"`` (as synthcity's SurvivalGAN
plugins do by default), generates covariates (and, with
``censoring="covariate_dependent"``, the event) with the base generator and
the time from a fitted survival model (a ridge Cox model of scikit-survival
by default) and the censoring distribution.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import GeneratorMixin, check_n_samples
from ..metrics._survival import _step, check_survival_target, kaplan_meier
from ..preprocessing._containers import same_key
from ..utils._random import draw_seed, seed_stream
from ..utils._validation import validate_table

__all__ = ["SurvivalGenerator"]

_BIN = "__time_bin__"
_EVENT = "__event__"


class _OutcomeLaw:
    """Smoothed joint law of (time, event): event shares and quantile functions.

    Per event value ``e`` the times ``s_(1) <= ... <= s_(n)`` of that group
    get the quantile function interpolating ``(i - 0.5) / n -> s_(i)``
    (Hazen's plotting positions), flat beyond: each gap between order
    statistics holds mass ``1/n`` spread evenly, the first and the last
    times a point mass ``1/(2n)`` each (so the horizon is reached).
    Integer times are drawn on ``[a - 0.5, b + 0.5)`` and rounded, so they
    stay integers inside any integer range ``[a, b]``.
    """

    def __init__(self, event, time, integer):
        self.integer = integer
        self.low, self.high = float(time.min()), float(time.max())
        self.share = {}
        self.times = {}
        self.nodes = {}
        for e in (False, True):
            t = np.sort(time[event == e])
            if not len(t):
                continue
            self.share[e] = len(t) / len(time)
            self.times[e] = t
            n_e = len(t)
            self.nodes[e] = (np.arange(n_e) + 0.5) / n_e if n_e > 1 else None

    def cdf(self, e, t, *, closed=False):
        """``P(T < t | E=e)``, or ``P(T <= t | E=e)`` when ``closed``.

        The two differ at the first and the last time, which hold point
        masses (and at tied times, where either is returned).
        """
        s, u = self.times[e], self.nodes[e]
        t = np.asarray(t, dtype=np.float64)
        if u is None:
            return (t >= s[0] if closed else t > s[0]).astype(np.float64)
        F = np.interp(t, s, u, left=0.0, right=1.0)
        if closed:
            return np.where(t == s[-1], 1.0, F)
        return np.where(t == s[0], 0.0, F)

    def quantile(self, e, u):
        s, nodes = self.times[e], self.nodes[e]
        if nodes is None:
            return np.full(len(u), s[0])
        return np.interp(u, nodes, s)

    def mass(self, e, a, b):
        """``P(a <= T <= b | E=e)``; 0 for an event value never observed."""
        if e not in self.times:
            return np.zeros(np.broadcast(a, b).shape)
        return np.clip(self.cdf(e, b, closed=True) - self.cdf(e, a), 0.0, None)

    def draw(self, event, a, b, rng):
        """Times for rows with ``event`` (bool, or NaN free) in ``[a, b]``.

        Returns ``(event, time)``; free events are drawn with probability
        proportional to share times mass in the interval. The uniforms are
        stratified among rows that share an interval and an event condition
        (one in each of ``m`` equal strata, in random order): the sample's
        event share and time quantiles then match the law to ``1/m``
        instead of ``1/sqrt(m)``, so a synthetic Kaplan-Meier curve carries
        little sampling noise of its own.
        """
        n = len(a)
        event = np.asarray(event, dtype=np.float64)
        w = np.column_stack(
            [self.share.get(e, 0.0) * self.mass(e, a, b) for e in (False, True)]
        )
        free = np.isnan(event)
        w[~free & (event == 1), 0] = 0.0
        w[~free & (event == 0), 1] = 0.0
        total = w.sum(axis=1)
        if (total <= 0).any():
            raise ValueError("_empty")
        key = np.column_stack([np.nan_to_num(event, nan=-1.0), a, b])
        ev = _stratified_uniform(key, rng) * total >= w[:, 0]
        time = np.empty(n)
        for e in (False, True):
            rows = np.flatnonzero(ev == e)
            if not len(rows):
                continue
            if self.nodes[e] is None:
                time[rows] = self.times[e][0]
                continue
            fa, fb = self.cdf(e, a[rows]), self.cdf(e, b[rows], closed=True)
            u = _stratified_uniform(key[rows], rng)
            time[rows] = self.quantile(e, fa + u * (fb - fa))
        if self.integer:
            time = np.floor(time + 0.5)
            time = np.clip(time, np.ceil(a), np.floor(b))
        return ev, np.clip(time, self.low, self.high)


class SurvivalGenerator(GeneratorMixin, BaseEstimator):
    """Censored time-to-event data that keeps the Kaplan-Meier curve and horizon.

    A wrapper over any sksynth generator that conditions. ``fit(X, y)`` takes
    a scikit-survival structured target (``Surv.from_arrays(event, time)``),
    or ``fit(X)`` a table whose ``event_column`` and ``time_column`` hold
    the outcome; ``sample(n)`` returns the same form. See the module
    docstring for the two strategies. Times stay within the observed
    follow-up and are integers when the observed times are; the covariates
    keep their dtypes through the base generator.

    Parameters
    ----------
    generator : generator estimator, default=None
        The base generator of the covariates (any object with ``fit`` and
        ``sample(n, conditions=...)``), cloned before fitting; one with
        native conditioning (copula, ARF, Bayesian network, CTGAN) is
        fastest. ``None`` uses :class:`~sksynth.generators.ARFGenerator`.
        Its parameters are reached as ``generator__<name>``.
    strategy : {"condition_on_outcome", "survival_model"}, \
            default="condition_on_outcome"
        ``"condition_on_outcome"``: (time, event) from the smoothed joint
        law, then the covariates given the time bin and the event.
        ``"survival_model"``: the covariates (and event, see ``censoring``)
        from the generator, the time from ``survival_model`` and the
        Kaplan-Meier estimate of the censoring distribution.
    censoring : {"random", "covariate_dependent"}, default="random"
        With ``strategy="survival_model"``: ``"random"`` draws the event and
        the censoring time independently of the covariates given the model
        (independent censoring); ``"covariate_dependent"`` models the event
        indicator jointly with the covariates in the base generator and
        draws the time given both. With ``"condition_on_outcome"`` the
        covariates are drawn given the event, so any dependence of the
        censoring on the covariates is kept whatever this value.
    n_time_bins : int, default=10
        Number of quantile bins of the time that the covariates are
        conditioned on (``"condition_on_outcome"``).
    survival_model : scikit-survival estimator, default=None
        With ``strategy="survival_model"``: a model with
        ``predict_survival_function``, cloned and fitted on ``X, y``. ``None``
        uses a ridge Cox model after sksynth's ``TableEncoder`` (extra
        ``survival``).
    event_column, time_column : hashable, default=None
        Columns of ``X`` that hold the event indicator and the time, when
        ``fit`` is called without ``y``. Both or neither.
    random_state : int, RandomState instance or None, default=None
        Seeds the base generator's fit (when its own ``random_state`` is
        None) and the stream of ``sample`` calls.

    Attributes
    ----------
    generator_ : generator
        The fitted base generator.
    survival_model_ : estimator or None
        The fitted survival model (``strategy="survival_model"``).
    time_bins_ : ndarray
        Inner edges of the time bins (``"condition_on_outcome"``).
    event_rate_ : float
        Share of rows with an observed event.
    horizon_ : tuple of float
        The observed follow-up ``(min time, max time)``.
    integer_time_ : bool
        Whether the observed times are all integers (kept integers).
    n_features_in_ : int
        Number of covariates.
    feature_names_in_ : ndarray of str
        Covariate names, when all are strings.

    See Also
    --------
    sksynth.samplers.SurvivalOverSampler : oversampling of rare (event,
        time) cells in a survival pipeline.
    sksynth.metrics.km_distance : optimism, absolute optimism and
        short-sightedness of the synthetic Kaplan-Meier curve.

    References
    ----------
    .. [1] A. Norcliffe, B. Cebere, F. Imrie, P. Lio, M. van der Schaar,
       "SurvivalGAN: Generating time-to-event data for survival analysis",
       AISTATS 2023.
    .. [2] M. Ashhad, R. Henao, "Conditioning on time is all you need for
       synthetic survival data generation", arXiv:2405.17333, 2024.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth.generators import GaussianCopulaGenerator, SurvivalGenerator
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"age": rng.randint(40, 80, 200),
    ...                   "arm": rng.choice(["a", "b"], 200)})
    >>> y = np.array(list(zip(rng.uniform(size=200) < 0.7,
    ...                       rng.randint(1, 100, 200).astype(float))),
    ...              dtype=[("event", "?"), ("days", "<f8")])
    >>> gen = SurvivalGenerator(GaussianCopulaGenerator(), random_state=0).fit(X, y)
    >>> Xs, ys = gen.sample(5, random_state=0)
    >>> ys.dtype.names, Xs.shape
    (('event', 'days'), (5, 2))
    >>> bool(np.all(ys["days"] == np.round(ys["days"])))
    True
    >>> _, ys = gen.sample(20, conditions={"event": True, "days": (10, 20)})
    >>> ys["event"].all(), 10 <= ys["days"].min(), ys["days"].max() <= 20
    (np.True_, np.True_, np.True_)
    """

    _parameter_constraints: dict = {
        "generator": [HasMethods(["fit", "sample"]), None],
        "strategy": [StrOptions({"condition_on_outcome", "survival_model"})],
        "censoring": [StrOptions({"random", "covariate_dependent"})],
        "n_time_bins": [Interval(numbers.Integral, 1, None, closed="left")],
        "survival_model": [HasMethods(["fit", "predict_survival_function"]), None],
        "event_column": "no_validation",
        "time_column": "no_validation",
        "random_state": ["random_state"],
    }
    _native_conditioning = True
    # Bound of the rejection rounds of conditions the outcome law alone
    # cannot meet (time ranges with covariate conditions, survival model).
    _max_rounds = 50

    def __init__(
        self,
        generator=None,
        *,
        strategy="condition_on_outcome",
        censoring="random",
        n_time_bins=10,
        survival_model=None,
        event_column=None,
        time_column=None,
        random_state=None,
    ):
        self.generator = generator
        self.strategy = strategy
        self.censoring = censoring
        self.n_time_bins = n_time_bins
        self.survival_model = survival_model
        self.event_column = event_column
        self.time_column = time_column
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        from ._copula import GaussianCopulaGenerator

        # the checks' table has a boolean "flag" and a count: event and time
        return {
            "generator": GaussianCopulaGenerator(random_state=0),
            "event_column": "flag",
            "time_column": "count",
            "random_state": 0,
        }

    @classmethod
    def _xfail_checks(cls):
        plain_y = (
            "the check passes a class or regression y or an array X; "
            "SurvivalGenerator needs a survival outcome (a structured y, or the "
            "event_column and time_column of a DataFrame X)"
        )
        return dict.fromkeys(
            ("check_generator_target", "check_generator_numpy_input",
             *_SKLEARN_Y_CHECKS), plain_y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Learn the joint law of the covariates and the censored outcome.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The covariates (mixed types, missing values allowed), and the
            outcome columns when ``event_column``/``time_column`` are set.
        y : structured array of shape (n_samples,), default=None
            ``Surv.from_arrays(event, time)``: an event indicator (boolean
            or 0/1) and a time (>= 0, no missing value); at least one event.

        Returns
        -------
        self : object
        """
        X, event, time = self._split_outcome(X, y)
        validate_table(self, X, reset=True, ensure_min_samples=2)
        rng = check_random_state(self.random_state)
        self.event_rate_ = float(event.mean())
        self.horizon_ = (float(time.min()), float(time.max()))
        self.integer_time_ = bool(np.all(time == np.round(time)))
        self._frame_input_ = isinstance(X, pd.DataFrame)
        self._array_dtype_ = None if self._frame_input_ else np.asarray(X).dtype
        frame = _as_frame(X)
        self.covariates_ = list(frame.columns)
        for name in (_BIN, _EVENT):
            if name in set(frame.columns):
                raise ValueError(f"X has a column named {name!r}, which "
                                 "SurvivalGenerator uses internally; rename it.")
        gen = self._clone_generator(rng)
        self.survival_model_ = None
        if self.strategy == "condition_on_outcome":
            self.outcome_law_ = _OutcomeLaw(event, time, self.integer_time_)
            self.time_bins_ = _bin_edges(time, self.n_time_bins, self.integer_time_)
            bins = np.searchsorted(self.time_bins_, time, side="right")
            n_bins = len(self.time_bins_) + 1
            self.cell_counts_ = np.zeros((n_bins, 2), dtype=np.int64)
            np.add.at(self.cell_counts_, (bins, event.astype(int)), 1)
            frame[_BIN] = pd.array([f"{b}" for b in bins], dtype="str")
            frame[_EVENT] = event
        else:
            self.survival_model_ = _fit_survival_model(
                self.survival_model, X, event, time)
            self.censoring_km_ = kaplan_meier(~event, time)
            if self.censoring == "covariate_dependent":
                frame[_EVENT] = event
        self.generator_ = gen.fit(frame)
        self._sample_seeds_ = seed_stream(rng)
        return self

    def _clone_generator(self, rng):
        if self.generator is None:
            from ._arf import ARFGenerator

            gen = ARFGenerator()
        else:
            gen = clone(self.generator)
        params = gen.get_params()
        if "random_state" in params and params["random_state"] is None:
            gen.set_params(random_state=draw_seed(rng))
        return gen

    def _split_outcome(self, X, y):
        """``(X covariates, event, time)`` and the output layout, checked."""
        if (self.event_column is None) != (self.time_column is None):
            raise ValueError(
                "Set both event_column and time_column (the columns of X that "
                "hold the outcome), or neither and pass y."
            )
        if self.event_column is not None:
            if y is not None:
                raise ValueError(
                    "y was given although event_column and time_column name the "
                    "outcome columns of X; pass one or the other."
                )
            if not isinstance(X, pd.DataFrame):
                raise TypeError(
                    "event_column and time_column need X to be a DataFrame, got "
                    f"{type(X).__name__}."
                )
            for key in (self.event_column, self.time_column):
                if key not in X.columns:
                    raise ValueError(f"Column {key!r} is not in X; its columns are "
                                     f"{list(X.columns)}.")
            self._layout_ = {
                "kind": "columns", "columns": X.columns,
                "event_dtype": X[self.event_column].dtype,
                "time_dtype": X[self.time_column].dtype,
            }
            event, time = check_survival_target(
                (X[self.event_column], X[self.time_column]),
                name=f"X[[{self.event_column!r}, {self.time_column!r}]]")
            self._keys_ = (self.event_column, self.time_column)
            return X.drop(columns=[self.event_column, self.time_column]), event, time
        if y is None:
            raise ValueError(
                "SurvivalGenerator needs a survival outcome: pass y as a "
                "structured array (sksurv.util.Surv.from_arrays(event, time)) "
                "or set event_column and time_column."
            )
        if not (isinstance(y, np.ndarray) and y.dtype.names is not None):
            raise TypeError(
                "y must be a structured array with an event and a time field "
                "(sksurv.util.Surv.from_arrays(event, time)), got "
                f"{type(y).__name__}"
                + (f" of dtype {y.dtype}" if hasattr(y, "dtype") else "")
                + "; or set event_column and time_column."
            )
        event, time = check_survival_target(y)
        if len(event) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(event)}.")
        self._layout_ = {"kind": "structured", "dtype": y.dtype}
        self._keys_ = y.dtype.names
        return X, event, time

    # --------------------------------------------------------------- sample
    def sample(self, n_samples=1, *, conditions=None, random_state=None):
        """Draw synthetic rows with their censored outcome.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows (>= 1); with a DataFrame of conditions, its length.
        conditions : dict or DataFrame, default=None
            Values to fix, by column: covariates (passed to the base
            generator), the event (its field or column name; True/False or
            0/1) and the time (its name): a value, or a range ``(low, high)``
            (either end None for open). One DataFrame row per sample leaves
            NaN cells free.
        random_state : int, RandomState instance or None, default=None
            Seed for this call; ``None`` draws from a stream seeded at fit.

        Returns
        -------
        X : DataFrame or ndarray
            The covariates (with the outcome columns when fitted with
            ``event_column``/``time_column``: then only this is returned).
        y : structured array
            The event and the time, with the dtype of the fitted ``y``.
        """
        check_is_fitted(self)
        if isinstance(conditions, pd.DataFrame) and n_samples == 1:
            n_samples = len(conditions)
        n_samples = check_n_samples(n_samples)
        if random_state is None:
            random_state = draw_seed(self._sample_seeds_)
        rng = check_random_state(random_state)
        cov, ev, lo, hi, exact = self._parse_conditions(conditions, n_samples)
        if self.strategy == "condition_on_outcome":
            X, event, time = self._sample_on_outcome(n_samples, cov, ev, lo, hi,
                                                     exact, rng)
        else:
            X, event, time = self._sample_with_model(n_samples, cov, ev, lo, hi, rng)
        return self._output(X, event, time)

    def _parse_conditions(self, conditions, n):
        """Covariate conditions (frame or None), event and time bounds per row."""
        ev = np.full(n, np.nan)
        lo, hi = np.full(n, np.nan), np.full(n, np.nan)
        exact = np.zeros(n, dtype=bool)
        if conditions is None:
            return None, ev, lo, hi, exact
        e_key, t_key = self._keys_
        if isinstance(conditions, Mapping):
            if not conditions:
                raise ValueError("conditions is empty.")
            items = {k: [v] * n for k, v in conditions.items()}
        elif isinstance(conditions, pd.DataFrame):
            if len(conditions) != n:
                raise ValueError(
                    f"conditions has {len(conditions)} rows but n_samples={n}; "
                    "pass one row of conditions per sample.")
            items = {k: list(conditions[k]) for k in conditions.columns}
        else:
            raise TypeError(
                "conditions must be a dict {column: value} or a DataFrame with one "
                f"row per sample, got {type(conditions).__name__}.")
        cov = {k: v for k, v in items.items() if k not in (e_key, t_key)}
        if e_key in items:
            ev = np.array([_event_value(v, e_key) for v in items[e_key]])
        if t_key in items:
            t_low, t_high = self.horizon_
            for i, v in enumerate(items[t_key]):
                if isinstance(v, tuple | list):
                    if len(v) != 2:
                        raise ValueError(
                            f"Condition on {t_key!r}: a range is (low, high), got "
                            f"{v!r}.")
                    a = np.nan if v[0] is None else float(v[0])
                    b = np.nan if v[1] is None else float(v[1])
                    if not np.isnan(a) and not np.isnan(b) and a > b:
                        raise ValueError(
                            f"Condition on {t_key!r}: the range {v!r} is empty "
                            "(low > high).")
                    if (not np.isnan(a) and a > t_high) or (
                            not np.isnan(b) and b < t_low):
                        raise ValueError(
                            f"Impossible condition on {t_key!r}: the range {v!r} "
                            f"is outside the observed follow-up [{t_low:g}, "
                            f"{t_high:g}].")
                    lo[i], hi[i] = a, b
                elif v is None or (np.isscalar(v) and pd.isna(v)):
                    continue
                else:
                    t = _number(v, t_key)
                    if t < t_low or t > t_high:
                        raise ValueError(
                            f"Impossible condition on {t_key!r}: {t!r} is outside "
                            f"the observed follow-up [{t_low:g}, {t_high:g}].")
                    if self.integer_time_ and t != round(t):
                        raise ValueError(
                            f"Impossible condition on {t_key!r}: the observed "
                            f"times are integers, got {t!r}.")
                    lo[i] = hi[i] = t
                    exact[i] = True
        if not cov:
            return None, ev, lo, hi, exact
        for k in cov:
            if not any(same_key(k, c) for c in self.covariates_):
                names = ", ".join(repr(c) for c in [*self.covariates_, e_key, t_key])
                raise ValueError(
                    f"Unknown column {k!r} in conditions; the columns are: {names}.")
        return pd.DataFrame(cov), ev, lo, hi, exact

    # ---------------------------------------------- condition on the outcome
    def _bin_of(self, time, event):
        """Bin labels to condition on: the time's bin, or the nearest bin in
        which that event value was observed."""
        bins = np.searchsorted(self.time_bins_, time, side="right")
        out = bins.copy()
        for e in (0, 1):
            seen = np.flatnonzero(self.cell_counts_[:, e] > 0)
            rows = np.flatnonzero(event == e)
            if not len(rows) or not len(seen):
                continue
            pos = np.abs(bins[rows, None] - seen[None, :]).argmin(axis=1)
            out[rows] = seen[pos]
        return np.array([f"{b}" for b in out], dtype=object)

    def _draw_covariates(self, conditions, rng):
        out = self.generator_.sample(
            len(conditions), conditions=conditions, random_state=draw_seed(rng))
        return out[0] if isinstance(out, tuple) else out

    def _sample_on_outcome(self, n, cov, ev, lo, hi, exact, rng):
        law = self.outcome_law_
        a, b = _range_edges(lo, hi, self.integer_time_)
        event = np.zeros(n, dtype=bool)
        time = np.empty(n)
        parts = {}
        free_cov = np.ones(n, dtype=bool) if cov is None else (
            cov.isna().all(axis=1).to_numpy())
        direct = np.flatnonzero(free_cov & ~exact)
        if len(direct):
            try:
                e, t = law.draw(ev[direct], a[direct], b[direct], rng)
            except ValueError:
                raise ValueError(
                    "Impossible condition: no observed outcome has that event "
                    "value in that time range.") from None
            event[direct], time[direct] = e, t
            cond = pd.DataFrame({_BIN: self._bin_of(t, e.astype(int)),
                                 _EVENT: e})
            parts[0] = (direct, self._draw_covariates(cond, rng))
        rest = np.flatnonzero(~(free_cov & ~exact))
        if len(rest):
            parts[1] = (rest, self._covariates_first(rest, cov, ev, lo, hi, exact,
                                                     event, time, rng))
        frames = [p[1].set_axis(p[0]) for p in parts.values()]
        X = pd.concat(frames).sort_index().drop(columns=[_BIN, _EVENT])
        return X.reset_index(drop=True), event, time

    def _covariates_first(self, rows, cov, ev, lo, hi, exact, event, time, rng):
        """Rows with covariate conditions or an exact time.

        The base generator draws the covariates, the bin and the event under
        the conditions (an exact time fixes its bin); the time is then drawn
        within the bin (and the range, a row being kept with the share of its
        bin's mass inside the range: bounded rejection).
        """
        law = self.outcome_law_
        cond = (pd.DataFrame(index=range(len(rows))) if cov is None
                else cov.iloc[rows].reset_index(drop=True).astype(object))
        cond[_EVENT] = _object_events(ev[rows])
        ex = exact[rows]
        bins = np.full(len(rows), np.nan, dtype=object)
        if ex.any():
            k = np.searchsorted(self.time_bins_, lo[rows][ex], side="right")
            bins[ex] = np.array([f"{b}" for b in k], dtype=object)
        cond[_BIN] = bins
        a, b = _range_edges(lo[rows], hi[rows], self.integer_time_)
        edges = np.concatenate([[-np.inf], self.time_bins_, [np.inf]])
        found = []
        todo = np.arange(len(rows))
        for _ in range(self._max_rounds):
            X = self._draw_covariates(cond.iloc[todo].reset_index(drop=True), rng)
            e = X[_EVENT].to_numpy(dtype=bool)
            k = X[_BIN].astype(int).to_numpy()
            t = np.where(ex[todo], lo[rows][todo], np.nan)
            ok = ex[todo].copy()
            for val in (False, True):
                sel = np.flatnonzero(~ex[todo] & (e == val))
                if not len(sel):
                    continue
                low = np.maximum(a[todo][sel], edges[k[sel]])
                high = np.minimum(b[todo][sel], edges[k[sel] + 1])
                full = law.mass(val, edges[k[sel]], edges[k[sel] + 1])
                part = law.mass(val, low, np.maximum(low, high))
                with np.errstate(divide="ignore", invalid="ignore"):
                    p = np.where(full > 0, part / full, 0.0)
                keep = rng.uniform(size=len(sel)) < p
                if keep.any():
                    _, t[sel[keep]] = law.draw(
                        np.full(int(keep.sum()), float(val)), low[keep],
                        high[keep], rng)
                ok[sel] = keep
            done = todo[ok]
            found.append(X[ok].set_axis(done))
            event[rows[done]] = e[ok]
            time[rows[done]] = t[ok]
            todo = todo[~ok]
            if not len(todo):
                return pd.concat(found).sort_index()
        raise ValueError(
            f"Could not generate {len(rows)} rows meeting the conditions within "
            f"{self._max_rounds} rounds: the time range is too rare given the "
            "covariate conditions under the model.")

    # --------------------------------------------------- survival-model time
    def _outcome_pmf(self, X):
        """Joint pmf of (time, event) given covariates on the support grid.

        Returns ``(times, pmf_event, pmf_censored)``: the event part
        ``f(t|x) P(C >= t)`` and the censored part ``g(c) P(T > c|x)``, the
        mass left beyond the last time put at the horizon, censored.
        """
        model = self.survival_model_
        functions = model.predict_survival_function(X)
        grid_e = np.asarray(functions[0].x, dtype=np.float64)
        S = np.vstack([np.asarray(f.y, dtype=np.float64) for f in functions])
        c_times, c_surv = self.censoring_km_
        times = np.union1d(np.union1d(grid_e, c_times), [self.horizon_[1]])
        times = times[(times >= self.horizon_[0]) & (times <= self.horizon_[1])]
        # S(t|x) on the union grid (right-continuous steps)
        k = np.searchsorted(grid_e, times, side="right")
        S_t = np.concatenate([np.ones((len(S), 1)), S], axis=1)[:, k]
        S_prev = np.concatenate([np.ones((len(S), 1)), S_t[:, :-1]], axis=1)
        f = np.clip(S_prev - S_t, 0.0, None)
        G_t = _step(c_times, c_surv, times)
        G_prev = np.concatenate([[1.0], G_t[:-1]])
        g = np.clip(G_prev - G_t, 0.0, None)
        p1 = f * G_prev[None, :]
        p0 = g[None, :] * S_t
        left = np.clip(1.0 - p1.sum(axis=1) - p0.sum(axis=1), 0.0, None)
        p0[:, -1] += left
        return times, p1, p0

    def _sample_with_model(self, n, cov, ev, lo, hi, rng):
        """Covariates (and event) from the generator, time from the model.

        A condition on the event (with random censoring) or on the time is
        met by bounded rejection: a drawn row is kept with the probability
        that its outcome meets it, then its outcome is drawn under it.
        """
        exact = ~np.isnan(lo) & (lo == hi)
        if exact.any():
            observed = self.censoring_km_[0]  # every observed time
            off = ~np.isin(lo[exact], observed)
            if off.any():
                raise ValueError(
                    f"Impossible condition on {self._keys_[1]!r}: "
                    f"{float(lo[exact][off][0])!r} is not an observed time; with "
                    "strategy='survival_model' the times are drawn among the "
                    "observed ones: condition on a range (low, high) instead.")
        a, b = _range_edges(lo, hi, self.integer_time_)
        dependent = self.censoring == "covariate_dependent"
        cond = None if cov is None else cov.astype(object).reset_index(drop=True)
        if dependent and not np.isnan(ev).all():
            if cond is None:
                cond = pd.DataFrame(index=range(n))
            cond[_EVENT] = _object_events(ev)
        event = np.zeros(n, dtype=bool)
        time = np.empty(n)
        found = []
        todo = np.arange(n)
        # candidates per missing row, adapted to the acceptance rate; rows of
        # the pmf matrices per chunk bounded by the size of the time grid
        k = 1
        chunk = max(1, 2_000_000 // (len(self.censoring_km_[0]) + 1))
        for _ in range(self._max_rounds):
            cand = np.repeat(todo, k)
            if cond is None:
                X = self.generator_.sample(len(cand), random_state=draw_seed(rng))
            else:
                X = self._draw_covariates(cond.iloc[cand].reset_index(drop=True), rng)
            covariates = X.drop(columns=[_EVENT], errors="ignore")
            e_all = (X[_EVENT].to_numpy(dtype=np.float64) if dependent
                     else ev[cand])
            ok = np.zeros(len(cand), dtype=bool)
            draws = np.zeros((len(cand), 2))
            for start in range(0, len(cand), chunk):
                sl = slice(start, start + chunk)
                ok[sl], draws[sl] = self._model_outcome(
                    covariates.iloc[sl], e_all[sl], a[cand[sl]], b[cand[sl]],
                    dependent, rng)
            rate = ok.mean()
            # the first accepted candidate of each missing row
            rows, first = np.unique(cand[ok], return_index=True)
            picked = np.flatnonzero(ok)[first]
            event[rows] = draws[picked, 0] == 1
            time[rows] = draws[picked, 1]
            found.append(covariates.iloc[picked].set_axis(rows))
            todo = np.setdiff1d(todo, rows)
            if not len(todo):
                return pd.concat(found).sort_index(), event, time
            k = int(np.clip(np.ceil(1.5 / max(rate, 1e-4)), 1,
                            max(1, 20_000 // len(todo))))
        raise ValueError(
            f"Could not generate {n} rows meeting the conditions within "
            f"{self._max_rounds} rounds: the event or time condition is too rare "
            "under the survival model.")

    def _model_outcome(self, covariates, e_given, a, b, dependent, rng):
        """Acceptance and (event, time) draws of candidate rows.

        With the event from the generator (``dependent``) a row is kept with
        ``P(time in [a, b] | x, e)``, else with ``P(outcome ok | x)``; then
        its outcome is drawn from the model's pmf restricted to the
        conditions.
        """
        times, p1, p0 = self._outcome_pmf(covariates)
        full = np.where(e_given == 1, p1.sum(axis=1),
                        np.where(e_given == 0, p0.sum(axis=1), 1.0))
        inside = (times[None, :] >= a[:, None]) & (times[None, :] <= b[:, None])
        p1 = np.where(inside & (e_given != 0)[:, None], p1, 0.0)
        p0 = np.where(inside & (e_given != 1)[:, None], p0, 0.0)
        mass = p1.sum(axis=1) + p0.sum(axis=1)
        if dependent:
            with np.errstate(divide="ignore", invalid="ignore"):
                accept = np.where(full > 0, mass / full, 0.0)
        else:
            accept = mass
        ok = (rng.uniform(size=len(mass)) < accept) & (mass > 0)
        draws = np.zeros((len(mass), 2))
        rows = np.flatnonzero(ok)
        if len(rows):
            P = np.concatenate([p0[rows], p1[rows]], axis=1)
            cum = np.cumsum(P, axis=1)
            u = rng.uniform(size=len(rows)) * cum[:, -1]
            idx = np.minimum((cum < u[:, None]).sum(axis=1), P.shape[1] - 1)
            K = len(times)
            draws[rows, 0] = idx >= K
            draws[rows, 1] = times[idx % K]
        return ok, draws

    def _outcome_pmf(self, covariates):
        """Joint pmf of (time, event) given the covariates, on the time grid.

        Returns ``(times, p1, p0)``: the event part ``f(t|x) P(C >= t)`` and
        the censored part ``g(c) P(T > c | x)`` (events before censoring at
        equal times, as in the Kaplan-Meier estimate); the mass left beyond
        the last time goes to the horizon, censored.
        """
        functions = self.survival_model_.predict_survival_function(
            self._to_input(covariates))
        grid = np.asarray(functions[0].x, dtype=np.float64)
        S = np.vstack([np.asarray(f.y, dtype=np.float64) for f in functions])
        c_times, c_surv = self.censoring_km_
        low, high = self.horizon_
        times = np.union1d(np.union1d(grid, c_times), [high])
        times = times[(times >= low) & (times <= high)]
        k = np.searchsorted(grid, times, side="right")
        S_t = np.concatenate([np.ones((len(S), 1)), S], axis=1)[:, k]
        S_prev = np.concatenate([np.ones((len(S), 1)), S_t[:, :-1]], axis=1)
        G_t = _step(c_times, c_surv, times)
        G_prev = np.concatenate([[1.0], G_t[:-1]])
        p1 = np.clip(S_prev - S_t, 0.0, None) * G_prev[None, :]
        p0 = np.clip(G_prev - G_t, 0.0, None)[None, :] * S_t
        p0[:, -1] += np.clip(1.0 - p1.sum(axis=1) - p0.sum(axis=1), 0.0, None)
        return times, p1, p0

    # ---------------------------------------------------------------- output
    def _to_input(self, covariates):
        """Covariates in the container the survival model was fitted on."""
        if self._frame_input_:
            return covariates
        return covariates.to_numpy(dtype=self._array_dtype_)

    def _output(self, X, event, time):
        layout = self._layout_
        X = X.reset_index(drop=True)
        if layout["kind"] == "columns":
            e_key, t_key = self._keys_
            X = X.copy()
            X[e_key] = _cast(event, layout["event_dtype"])
            X[t_key] = _cast(time, layout["time_dtype"])
            return X[list(layout["columns"])]
        y = np.empty(len(event), dtype=layout["dtype"])
        e_key, t_key = layout["dtype"].names
        y[e_key] = event.astype(layout["dtype"][e_key])
        y[t_key] = time
        if not self._frame_input_:
            X = X.to_numpy(dtype=self._array_dtype_)
        return X, y


# ------------------------------------------------------------------ helpers
# scikit-learn's checks that fit on an array X and a class or regression y,
# which the generator refuses (it needs a survival outcome); pickling,
# idempotent fits, n_features_in_ and the rest are tested in
# tests/survival/test_generator.py on survival data.
_SKLEARN_Y_CHECKS = (
    "check_complex_data",
    "check_dataframe_column_names_consistency",
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_dtype_object",
    "check_estimator_sparse_array",
    "check_estimator_sparse_matrix",
    "check_estimator_sparse_tag",
    "check_estimators_dtypes",
    "check_estimators_empty_data_messages",
    "check_estimators_fit_returns_self",
    "check_estimators_overwrite_params",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit2d_1sample",
    "check_fit2d_predict1d",
    "check_fit_check_is_fitted",
    "check_fit_idempotent",
    "check_fit_score_takes_y",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_n_features_in",
    "check_n_features_in_after_fitting",
    "check_pipeline_consistency",
    "check_positive_only_tag_during_fit",
    "check_readonly_memmap_input",
)


def _as_frame(X):
    """The covariates as a DataFrame (an array's columns are its positions)."""
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True).copy()
    return pd.DataFrame(np.asarray(X))


def _stratified_uniform(key, rng):
    """Uniforms stratified within groups of equal ``key`` rows.

    A group of ``m`` rows gets one uniform in each of ``[i/m, (i+1)/m)``,
    assigned to its rows in random order.
    """
    key = np.asarray(key, dtype=np.float64).reshape(len(key), -1)
    u = np.empty(len(key))
    _, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    for g in range(inverse.max() + 1 if len(inverse) else 0):
        rows = np.flatnonzero(inverse == g)
        m = len(rows)
        u[rows] = (rng.permutation(m) + rng.uniform(size=m)) / m
    return u


def _range_edges(lo, hi, integer):
    """Closed draw interval of condition ranges ``[lo, hi]`` (NaN = open)."""
    lo = np.where(np.isnan(lo), -np.inf, lo)
    hi = np.where(np.isnan(hi), np.inf, hi)
    if integer:
        lo, hi = np.ceil(lo) - 0.5, np.floor(hi) + 0.5
    return lo, hi


def _bin_edges(time, n_bins, integer):
    """Inner edges of ``n_bins`` quantile bins, between distinct times."""
    values = np.unique(time)
    if n_bins < 2 or len(values) < 2:
        return np.empty(0)
    q = np.quantile(time, np.linspace(0, 1, n_bins + 1)[1:-1])
    k = np.clip(np.searchsorted(values, q, side="right"), 1, len(values) - 1)
    if integer:
        edges = values[k - 1] + 0.5
    else:
        edges = (values[k - 1] + values[k]) / 2
    return np.unique(edges)


def _fit_survival_model(model, X, event, time):
    from ..metrics._survival import default_survival_model

    y = np.empty(len(time), dtype=[("event", bool), ("time", np.float64)])
    y["event"], y["time"] = event, time
    model = default_survival_model() if model is None else clone(model)
    return model.fit(X, y)


def _event_value(v, key):
    """An event condition as 1.0 / 0.0, NaN for a free cell."""
    if v is None or (np.isscalar(v) and pd.isna(v)):
        return np.nan
    if isinstance(v, bool | np.bool_) or (
            isinstance(v, numbers.Number) and v in (0, 1)):
        return float(bool(v))
    raise ValueError(
        f"Impossible condition on {key!r}: the event indicator is True/False or "
        f"1/0, got {v!r}.")


def _number(v, key):
    if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Number):
        raise ValueError(
            f"Condition on {key!r}: a time is a number or a range (low, high), "
            f"got {v!r}.")
    return float(v)


def _object_events(ev):
    """Event conditions as an object column: True/False, NaN = free."""
    return pd.Series([np.nan if np.isnan(v) else bool(v) for v in ev], dtype=object)


def _cast(values, dtype):
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return values.astype(dtype)
    return pd.Series(values).astype(dtype).to_numpy()
