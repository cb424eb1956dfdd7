"""Scorers that let GridSearchCV choose generators and fairness trade-offs."""

from __future__ import annotations

import inspect
import numbers

import numpy as np
import pandas as pd

from ._detection import detection_auc, detection_score
from ._fidelity import column_pairs, column_shapes
from ._precision_recall import precision_recall

__all__ = [
    "get_generator_metric_names",
    "make_fairness_scorer",
    "make_generator_scorer",
]


def _pr(key):
    def metric(real, synthetic, *, random_state=None, **kwargs):
        return float(precision_recall(real, synthetic, random_state=random_state,
                                      **kwargs)[key])

    metric.__name__ = key
    return metric


def _mean_fidelity(real, synthetic, *, random_state=None):
    return (column_shapes(real, synthetic) + column_pairs(real, synthetic)) / 2


# name -> (metric(real, synthetic, **kw), greater_is_better)
_METRICS = {
    "column_shapes": (column_shapes, True),
    "column_pairs": (column_pairs, True),
    "fidelity": (_mean_fidelity, True),
    "detection": (detection_score, True),
    "detection_auc": (detection_auc, False),
    "precision": (_pr("precision"), True),
    "recall": (_pr("recall"), True),
    "coverage": (_pr("coverage"), True),
    "authenticity": (_pr("authenticity"), True),
}


def get_generator_metric_names():
    """Names accepted by :func:`make_generator_scorer`.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> from sksynth.metrics import get_generator_metric_names
    >>> get_generator_metric_names()[:3]
    ['authenticity', 'column_pairs', 'column_shapes']
    """
    return sorted(_METRICS)


def _join(X, y, name):
    frame = X.copy() if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    frame[name] = np.asarray(y)
    return frame


def _target_name(X, y):
    name = getattr(y, "name", None)
    columns = set(X.columns) if isinstance(X, pd.DataFrame) else set()
    if name is None or name in columns:
        name = "__target__"
    if not isinstance(X, pd.DataFrame):
        name = np.asarray(X).shape[1]
    return name


class GeneratorScorer:
    """Score a fitted generator on held-out rows (see make_generator_scorer)."""

    def __init__(self, metric, sign, n_samples, random_state, kwargs):
        self.metric = metric
        self.sign = sign
        self.n_samples = n_samples
        self.random_state = random_state
        self.kwargs = kwargs

    def __call__(self, estimator, X, y=None):
        if not hasattr(estimator, "sample"):
            raise TypeError(
                "make_generator_scorer scores generators (estimators with a "
                f"sample method), got {type(estimator).__name__}."
            )
        n = len(X) if self.n_samples is None else self.n_samples
        out = estimator.sample(n, random_state=self.random_state)
        schema = getattr(estimator, "schema_", None)
        fitted_y = schema.has_target if schema is not None else isinstance(out, tuple)
        if fitted_y:
            Xs, ys = out
            if y is not None:
                name = _target_name(X, y)
                real, synthetic = _join(X, y, name), _join(Xs, ys, name)
            else:
                real, synthetic = X, Xs
        else:
            real, synthetic = X, out
        kwargs = dict(self.kwargs)
        if "random_state" in inspect.signature(self.metric).parameters:
            kwargs["random_state"] = self.random_state
        return self.sign * float(self.metric(real, synthetic, **kwargs))

    def __repr__(self):
        name = getattr(self.metric, "__name__", repr(self.metric))
        sign = "" if self.sign > 0 else ", greater_is_better=False"
        return f"make_generator_scorer({name}{sign})"


def make_generator_scorer(metric="column_shapes", *, greater_is_better=None,
                          n_samples=None, random_state=0, **kwargs):
    """Make a scorer of generators for GridSearchCV and cross_val_score.

    The scorer is called by scikit-learn as ``scorer(generator, X_test,
    y_test)``: it draws rows from the fitted generator (``len(X_test)`` rows by
    default, with a fixed seed) and compares them with the held-out fold by
    ``metric(X_test, synthetic)``. When the generator was fitted with ``y`` its
    samples are ``(X, y)`` pairs and the comparison is on ``X`` joined with
    ``y``. Works for any generator with ``fit`` and ``sample``.

    Parameters
    ----------
    metric : str or callable, default="column_shapes"
        A name from :func:`get_generator_metric_names` (``"column_shapes"``,
        ``"column_pairs"``, ``"fidelity"`` (their mean), ``"detection"``,
        ``"detection_auc"``, ``"precision"``, ``"recall"``, ``"coverage"``,
        ``"authenticity"``) or a function ``metric(real, synthetic, **kwargs)
        -> float``.
    greater_is_better : bool, default=None
        Whether larger metric values are better (the scorer then negates it
        when False, as scikit-learn's ``make_scorer``). Known names set it
        themselves; callables default to True.
    n_samples : int, default=None
        Rows to draw (default: as many as the held-out fold).
    random_state : int, default=0
        Seed of the draws and of the metric, so that every candidate is scored
        on the same footing.
    **kwargs
        Passed to the metric.

    Returns
    -------
    scorer : callable
        ``scorer(generator, X, y=None) -> float`` (greater is better).

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> from sksynth.metrics import make_generator_scorer
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"x": rng.exponential(size=300),
    ...                   "c": rng.choice(["a", "b"], size=300)})
    >>> search = GridSearchCV(
    ...     GaussianCopulaGenerator(random_state=0),
    ...     {"marginals": ["normal", "empirical"]},
    ...     scoring=make_generator_scorer("column_shapes"), cv=3,
    ... ).fit(X)
    >>> search.best_params_
    {'marginals': 'empirical'}
    """
    if isinstance(metric, str):
        if metric not in _METRICS:
            raise ValueError(
                f"Unknown generator metric {metric!r}; choose one of "
                f"{get_generator_metric_names()} or pass a callable."
            )
        func, better = _METRICS[metric]
        if greater_is_better is not None and greater_is_better != better:
            raise ValueError(
                f"greater_is_better={greater_is_better} contradicts metric "
                f"{metric!r}."
            )
    elif callable(metric):
        func = metric
        better = True if greater_is_better is None else bool(greater_is_better)
    else:
        raise TypeError(
            f"metric must be a name or a callable, got {type(metric).__name__}."
        )
    if n_samples is not None and (
        isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral)
        or n_samples < 1
    ):
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    if random_state is not None and not isinstance(
        random_state, (numbers.Integral, np.random.RandomState)
    ):
        raise TypeError(f"random_state must be an int or None, got {random_state!r}.")
    return GeneratorScorer(func, 1.0 if better else -1.0, n_samples, random_state,
                           kwargs)


# ------------------------------------------------------------------ fairness
def _fairness_metrics():
    from ._fairness import (
        demographic_parity_difference,
        equal_opportunity_difference,
        equalized_odds_difference,
    )

    return {
        "demographic_parity": demographic_parity_difference,
        "equal_opportunity": equal_opportunity_difference,
        "equalized_odds": equalized_odds_difference,
    }


class FairnessScorer:
    """Performance minus a fairness penalty (see make_fairness_scorer)."""

    def __init__(self, performance, fairness, sensitive_features, weight,
                 max_difference, pos_label):
        self.performance = performance
        self.fairness = fairness
        self.sensitive_features = sensitive_features
        self.weight = weight
        self.max_difference = max_difference
        self.pos_label = pos_label

    # metadata routing: request sensitive_features for "score" unless the
    # scorer reads them from columns of X
    def _get_metadata_request(self):
        from sklearn.utils.metadata_routing import MetadataRequest

        request = MetadataRequest(owner=self)
        if self.sensitive_features is None:
            request.score.add_request(param="sensitive_features", alias=True)
        return request

    def get_metadata_routing(self):
        """The metadata this scorer takes: ``sensitive_features`` when routed."""
        return self._get_metadata_request()

    def _groups(self, X, routed):
        if self.sensitive_features is None:
            if routed is None:
                raise ValueError(
                    "make_fairness_scorer needs the sensitive features: give "
                    "sensitive_features=<column name(s) of X> to "
                    "make_fairness_scorer, or pass sensitive_features=<values> "
                    "through metadata routing (sklearn.set_config("
                    "enable_metadata_routing=True) and "
                    "GridSearchCV(...).fit(X, y, sensitive_features=...))."
                )
            return routed
        if routed is not None:
            raise ValueError(
                "Sensitive features were given twice: as columns of X "
                f"({self.sensitive_features!r}) and routed to the scorer; use one."
            )
        if not isinstance(X, pd.DataFrame):
            raise TypeError(
                "make_fairness_scorer(sensitive_features=<names>) reads columns "
                f"of a DataFrame X, got {type(X).__name__}; route the values "
                "instead (sensitive_features=None)."
            )
        cols = self.sensitive_features
        cols = list(cols) if isinstance(cols, (list, tuple)) else [cols]
        missing = [c for c in cols if c not in X.columns]
        if missing:
            raise ValueError(
                f"Sensitive column(s) {missing} not in X; its columns are "
                f"{list(X.columns)}."
            )
        return X[cols]

    def components(self, estimator, X, y, sensitive_features=None):
        """``(performance, fairness difference)`` of ``estimator`` on ``(X, y)``."""
        groups = self._groups(X, sensitive_features)
        perf = float(self.performance(estimator, X, y))
        y_pred = estimator.predict(X)
        diff = float(self.fairness(np.asarray(y), np.asarray(y_pred),
                                   sensitive_features=groups,
                                   pos_label=self.pos_label))
        return perf, diff

    def __call__(self, estimator, X, y, sensitive_features=None):
        perf, diff = self.components(estimator, X, y, sensitive_features)
        if self.max_difference is None:
            return perf - self.weight * diff
        excess = max(0.0, diff - self.max_difference)
        return perf - (1.0 + excess if excess > 0 else 0.0)

    def __repr__(self):
        name = getattr(self.fairness, "__name__", repr(self.fairness))
        bound = (f"weight={self.weight}" if self.max_difference is None
                 else f"max_difference={self.max_difference}")
        return f"make_fairness_scorer({self.performance!r}, {name}, {bound})"


def make_fairness_scorer(metric="accuracy", fairness="demographic_parity", *,
                         sensitive_features=None, weight=1.0,
                         max_difference=None, pos_label=1):
    """Make a scorer that trades a model's performance against its fairness.

    The scorer is called by scikit-learn as ``scorer(estimator, X_test,
    y_test)``; it scores the estimator's predictions with ``metric`` and
    measures the between-group ``fairness`` difference of its predictions,
    and returns ``performance - weight * difference``, or, with
    ``max_difference``, the performance where the difference is at most
    ``max_difference`` and ``performance - 1 - excess`` where it is not (any
    point within the bound beats every point outside it). With
    :class:`~sksynth.samplers.FairResampler` in the pipeline,
    ``GridSearchCV`` over its ``strength`` then picks a point on the
    fairness/accuracy curve.

    The groups come from columns of ``X`` (``sensitive_features=<names>``)
    or, when the model must not see them, through scikit-learn's metadata
    routing: leave ``sensitive_features=None``, enable routing
    (``sklearn.set_config(enable_metadata_routing=True)``) and pass
    ``sensitive_features=<values>`` to ``GridSearchCV.fit`` (or
    ``cross_validate(..., params=...)``); the scorer requests them for
    ``score`` and gets each test fold's rows.

    Parameters
    ----------
    metric : str or callable, default="accuracy"
        A scikit-learn scorer name (``"accuracy"``, ``"balanced_accuracy"``,
        ``"roc_auc"``, ...) or a scorer ``f(estimator, X, y) -> float``
        (greater is better).
    fairness : str or callable, default="demographic_parity"
        ``"demographic_parity"``, ``"equal_opportunity"`` or
        ``"equalized_odds"``: the difference to penalise: of selection rates,
        of true positive rates, or the larger of the true and false positive rates' (see
        :func:`demographic_parity_difference`,
        :func:`equal_opportunity_difference`,
        :func:`equalized_odds_difference`), or a function
        ``f(y_true, y_pred, *, sensitive_features, pos_label) -> float``
        (smaller is fairer).
    sensitive_features : hashable or list, default=None
        Column name(s) of ``X`` that define the groups; None takes them
        from metadata routing.
    weight : float >= 0, default=1.0
        Points of performance one point of difference is worth (ignored
        with ``max_difference``).
    max_difference : float in [0, 1], default=None
        Turn the trade-off into a constraint: the most accurate point with
        at most this difference.
    pos_label : object, default=1
        The favourable label.

    Returns
    -------
    scorer : FairnessScorer
        ``scorer(estimator, X, y, sensitive_features=None) -> float``;
        ``scorer.components(...)`` returns ``(performance, difference)``.

    Examples
    --------
    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> from sklearn.compose import make_column_transformer
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> from sksynth.metrics import make_fairness_scorer
    >>> from sksynth.samplers import FairResampler
    >>> X, y = make_mixed_classification(1500, weights=(0.7,), random_state=0)
    >>> X = X[["age", "region"]]
    >>> model = make_pipeline(
    ...     FairResampler(GaussianCopulaGenerator(random_state=0),
    ...                   sensitive_features="region", random_state=0),
    ...     make_column_transformer((OneHotEncoder(), ["region"]),
    ...                             remainder="passthrough"),
    ...     LogisticRegression())
    >>> scorer = make_fairness_scorer(sensitive_features="region", weight=2.0)
    >>> search = GridSearchCV(model, {"fairresampler__strength": [0.0, 1.0]},
    ...                       scoring=scorer, cv=3).fit(X, y)
    >>> sorted(search.best_params_)
    ['fairresampler__strength']
    """
    if isinstance(metric, str):
        from sklearn.metrics import get_scorer

        performance = get_scorer(metric)
    elif callable(metric):
        performance = metric
    else:
        raise TypeError(
            f"metric must be a scorer name or a callable, got {type(metric).__name__}."
        )
    if isinstance(fairness, str):
        known = _fairness_metrics()
        if fairness not in known:
            raise ValueError(
                f"Unknown fairness {fairness!r}; choose one of {sorted(known)} or "
                "pass a callable."
            )
        fairness = known[fairness]
    elif not callable(fairness):
        raise TypeError(
            f"fairness must be a name or a callable, got {type(fairness).__name__}."
        )
    if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not (
        np.isfinite(weight) and weight >= 0
    ):
        raise ValueError(f"weight must be a finite number >= 0, got {weight!r}.")
    if max_difference is not None and (
        isinstance(max_difference, bool)
        or not isinstance(max_difference, numbers.Real)
        or not 0 <= max_difference <= 1
    ):
        raise ValueError(
            f"max_difference must be in [0, 1] or None, got {max_difference!r}."
        )
    if isinstance(sensitive_features, (list, tuple)) and not sensitive_features:
        raise ValueError("sensitive_features is an empty list.")
    return FairnessScorer(performance, fairness, sensitive_features, float(weight),
                          max_difference, pos_label)
