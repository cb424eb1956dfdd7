"""Scorers that let GridSearchCV choose generator hyper-parameters."""

from __future__ import annotations

import inspect
import numbers

import numpy as np
import pandas as pd

from ._detection import detection_auc, detection_score
from ._fidelity import column_pairs, column_shapes
from ._precision_recall import precision_recall

__all__ = ["get_generator_metric_names", "make_generator_scorer"]


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
