"""Checkpoints of a classifier's training: probabilities at evenly spaced stages.

:func:`fit_checkpoints` fits a clone of a classifier and returns an object
whose ``predict_proba(X)`` gives the class probabilities at ``k`` checkpoints,
shape ``(k, n_samples, n_classes)``:

* boosted models (scikit-learn's ``HistGradientBoostingClassifier`` and
  ``GradientBoostingClassifier``, anything with ``staged_predict_proba``;
  XGBoost's and LightGBM's scikit-learn classifiers): one fit, the stages
  read back at ``k`` evenly spaced boosting iterations;
* skorch nets (``partial_fit`` and ``max_epochs``): trained ``max_epochs``
  epochs in ``k`` chunks, a copy kept after each;
* other estimators with ``warm_start``: grown in ``k`` steps, ``n_estimators``
  (forests, bagging) or ``max_iter`` (MLP, SGD, logistic regression) at a
  time, a copy kept after each.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

__all__ = ["checkpoint_kind", "fit_checkpoints"]


def _module(est):
    return type(est).__module__.split(".")[0]


def checkpoint_kind(estimator):
    """How checkpoints are taken from ``estimator`` (raises when it cannot)."""
    if _module(estimator) == "xgboost":
        return "xgboost"
    if _module(estimator) == "lightgbm":
        return "lightgbm"
    if hasattr(estimator, "staged_predict_proba"):
        return "staged"
    if hasattr(estimator, "partial_fit") and hasattr(estimator, "max_epochs"):
        return "epochs"
    params = (
        estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    )
    if "warm_start" in params and ("n_estimators" in params or "max_iter" in params):
        return "warm_start"
    raise ValueError(
        f"Cannot take training checkpoints from {type(estimator).__name__}: the "
        "estimator needs staged_predict_proba (boosting), skorch's partial_fit "
        "and max_epochs, or warm_start with n_estimators or max_iter. Use e.g. "
        "HistGradientBoostingClassifier (the default)."
    )


def _stages(total, k):
    """``k`` (or fewer when ``total < k``) evenly spaced stages in ``[1, total]``."""
    k = min(k, total)
    return np.unique(np.round(np.linspace(total / k, total, k)).astype(int))


class _Checkpoints:
    """A fitted model (or its copies) and the stages read back."""

    def __init__(self, kind, models, stages, n_classes):
        self.kind = kind
        self.models = models
        self.stages = stages
        self.n_classes = n_classes

    @property
    def n_checkpoints(self):
        return len(self.stages)

    def _aligned(self, model, proba):
        classes = np.asarray(model.classes_).astype(int)
        if len(classes) == self.n_classes:
            return proba
        out = np.zeros((proba.shape[0], self.n_classes))
        out[:, classes] = proba
        return out

    def predict_proba(self, X):
        """Class probabilities at each checkpoint, ``(k, n_samples, n_classes)``."""
        out = np.empty((self.n_checkpoints, X.shape[0], self.n_classes))
        if self.kind == "staged":
            model = self.models[0]
            wanted = {s: i for i, s in enumerate(self.stages)}
            for s, proba in enumerate(model.staged_predict_proba(X), start=1):
                if s in wanted:
                    out[wanted[s]] = self._aligned(model, proba)
                if s >= self.stages[-1]:
                    break
        elif self.kind == "xgboost":
            model = self.models[0]
            for i, s in enumerate(self.stages):
                proba = model.predict_proba(X, iteration_range=(0, int(s)))
                out[i] = self._aligned(model, proba)
        elif self.kind == "lightgbm":
            model = self.models[0]
            for i, s in enumerate(self.stages):
                out[i] = self._aligned(
                    model, model.predict_proba(X, num_iteration=int(s))
                )
        else:
            if self.kind == "epochs":
                X = np.asarray(X, dtype=np.float32)
            for i, model in enumerate(self.models):
                out[i] = self._aligned(model, model.predict_proba(X))
        return out


def _n_stages(model, X):
    for attr in ("n_iter_", "n_estimators_"):
        n = getattr(model, attr, None)
        if n is not None and np.ndim(n) == 0:
            return int(n)
    return sum(1 for _ in model.staged_predict_proba(X[:1]))


def fit_checkpoints(estimator, X, y, n_classes, k):
    """Fit a clone of ``estimator`` on ``(X, y)`` and keep ``k`` checkpoints.

    ``y`` holds integer labels in ``[0, n_classes)``.
    """
    kind = checkpoint_kind(estimator)
    est = clone(estimator)
    if kind in ("staged", "xgboost", "lightgbm"):
        est.fit(X, y)
        if kind == "staged":
            total = _n_stages(est, X)
        elif kind == "xgboost":
            best = getattr(est, "best_iteration", None)
            total = int(best) + 1 if best is not None else int(est.n_estimators)
        else:
            total = int(getattr(est, "best_iteration_", 0) or est.n_estimators)
        return _Checkpoints(kind, [est], _stages(total, k), n_classes)
    if kind == "epochs":
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y, dtype=np.int64)
        total = int(est.max_epochs)
        stages = _stages(total, k)
        est.initialize()
        models, done = [], 0
        for s in stages:
            est.partial_fit(X, y, epochs=int(s - done))
            done = int(s)
            models.append(copy.deepcopy(est))
        return _Checkpoints(kind, models, stages, n_classes)
    params = est.get_params(deep=False)
    grow = "n_estimators" if "n_estimators" in params else "max_iter"
    total = int(params[grow])
    stages = _stages(total, k)
    est.set_params(warm_start=True)
    models, done = [], 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for s in stages:
            # forests grow to n_estimators trees; iterative solvers run
            # max_iter more iterations from where they stopped
            est.set_params(
                **{grow: int(s) if grow == "n_estimators" else int(s - done)}
            )
            est.fit(X, y)
            done = int(s)
            models.append(copy.deepcopy(est))
    return _Checkpoints(kind, models, stages, n_classes)
