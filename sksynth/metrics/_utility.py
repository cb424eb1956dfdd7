"""Utility: does a model trained on synthetic data work on real data?"""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split

from ..utils._random import draw_seed
from ._base import check_rng, embedder, prepare, single_threaded

__all__ = ["augmentation_gain", "trtr_score", "tstr_score", "utility_table"]



@dataclasses.dataclass
class _Task:
    """Encoded train (real), synthetic and test tables of a supervised task."""

    schema: object
    classification: bool
    X_real: np.ndarray
    y_real: np.ndarray
    X_synth: np.ndarray
    y_synth: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    Z_test: np.ndarray
    seed: int

    @property
    def n_classes(self):
        return self.schema.columns[-1].n_categories if self.classification else 0


def make_task(real, synthetic, holdout, target, test_size, rng):
    """Encode the tables; split ``real`` into train/test when no holdout."""
    if target is None:
        raise ValueError("target is required: the name of the column to predict.")
    tables = [real, synthetic] + ([] if holdout is None else [holdout])
    names = ["real", "synthetic", "holdout"][: len(tables)]
    schema, codes = prepare(*tables, names=names, target=target)
    classification = schema.columns[-1].kind == "categorical"
    Zr, Zs = codes[0], codes[1]
    seed = draw_seed(rng)
    if holdout is None:
        if not 0 < test_size < 1:
            raise ValueError(f"test_size must be in (0, 1), got {test_size!r}.")
        strat = Zr[:, -1] if classification else None
        try:
            Zr, Zt = train_test_split(Zr, test_size=test_size, random_state=seed,
                                      stratify=strat)
        except ValueError:
            Zr, Zt = train_test_split(Zr, test_size=test_size, random_state=seed)
    else:
        Zt = codes[2]
    feat = dataclasses.replace(schema, columns=schema.columns[:-1], has_target=False)
    embed = embedder(feat, Zr[:, :-1])

    def xy(Z):
        y = Z[:, -1]
        return embed(Z[:, :-1]), (y.astype(np.int64) if classification else y)

    (Xr, yr), (Xs, ys), (Xt, yt) = xy(Zr), xy(Zs), xy(Zt)
    return _Task(schema, classification, Xr, yr, Xs, ys, Xt, yt, Zt, seed)


def default_estimator(task):
    if task.classification:
        return HistGradientBoostingClassifier(max_iter=100, random_state=task.seed)
    return HistGradientBoostingRegressor(max_iter=100, random_state=task.seed)


def default_scoring(task):
    if not task.classification:
        return "r2"
    return "roc_auc" if task.n_classes == 2 else "balanced_accuracy"


def _estimators(estimator, task):
    if estimator is None:
        return {"default": default_estimator(task)}
    if isinstance(estimator, dict):
        if not estimator:
            raise ValueError("estimator is an empty dict.")
        items = estimator.items()
    else:
        items = [(type(estimator).__name__, estimator)]
    out = {}
    for name, est in items:
        if not hasattr(est, "fit") or not hasattr(est, "predict"):
            raise TypeError(
                f"estimator {name!r} must be a scikit-learn estimator with fit and "
                f"predict, got {type(est).__name__}."
            )
        if task.classification and not is_classifier(est):
            raise TypeError(
                f"The target is categorical but estimator {name!r} is not a "
                "classifier."
            )
        est = clone(est)
        if "random_state" in est.get_params(deep=False):
            est.set_params(random_state=task.seed)
        out[str(name)] = est
    return out


def fit_score(est, X, y, task, scorer, which):
    if task.classification and len(np.unique(y)) < 2:
        raise ValueError(
            f"The {which} table holds a single class of the target: a classifier "
            "cannot be trained on it."
        )
    with single_threaded():
        model = clone(est).fit(X, y)
        return model, float(scorer(model, task.X_test, task.y_test))


def utility_table(real, synthetic, holdout=None, *, target, estimator=None,
                  scoring=None, test_size=0.25, random_state=None):
    """Train-synthetic-test-real (TSTR) against train-real-test-real (TRTR).

    Each estimator is trained once on ``real`` and once on ``synthetic``, on the
    columns other than ``target`` (embedded with numeric columns scaled and
    one-hot categories, encoding fitted on ``real``), and scored on
    ``holdout``. Without a holdout, a ``test_size`` share of ``real`` is held
    out (the synthetic data were usually generated from those rows too, which
    flatters TSTR: pass a holdout when you have one).

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
        Training table of the generator and generated rows.
    holdout : DataFrame or array-like, default=None
        Real rows the generator never saw, used as the test set.
    target : hashable
        Column to predict (its position for arrays). Categorical targets give a
        classification task, numeric ones a regression.
    estimator : estimator or dict of {name: estimator}, default=None
        Any scikit-learn estimators (cloned; ``random_state`` set from
        ``random_state``). Default: histogram gradient boosting.
    scoring : str or callable, default=None
        A scikit-learn scorer name or ``scorer(estimator, X, y)``. Default:
        ``"roc_auc"`` (binary), ``"balanced_accuracy"`` (multiclass), ``"r2"``
        (regression).
    test_size : float, default=0.25
        Share of ``real`` held out when ``holdout`` is None.
    random_state : int, RandomState instance or None, default=None
        Seeds the split and the estimators.

    Returns
    -------
    table : DataFrame
        One row per estimator: ``estimator``, ``scoring``, ``tstr``, ``trtr``,
        ``ratio`` (tstr / trtr).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sksynth.metrics import utility_table
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(400, 2))
    >>> df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1],
    ...                    "y": np.where(X[:, 0] > 0, "yes", "no")})
    >>> t = utility_table(df[:200], df[200:300], df[300:], target="y",
    ...                   estimator=LogisticRegression(), random_state=0)
    >>> t[["estimator", "scoring"]].values.tolist()
    [['LogisticRegression', 'roc_auc']]
    >>> bool(t["tstr"].iloc[0] > 0.95)
    True
    """
    rng = check_rng(random_state)
    task = make_task(real, synthetic, holdout, target, test_size, rng)
    scoring = default_scoring(task) if scoring is None else scoring
    scorer = get_scorer(scoring)
    rows = []
    for name, est in _estimators(estimator, task).items():
        _, tstr = fit_score(est, task.X_synth, task.y_synth, task, scorer, "synthetic")
        _, trtr = fit_score(est, task.X_real, task.y_real, task, scorer, "real")
        rows.append({
            "estimator": name,
            "scoring": scoring if isinstance(scoring, str) else repr(scoring),
            "tstr": tstr,
            "trtr": trtr,
            "ratio": tstr / trtr if trtr else float("nan"),
        })
    return pd.DataFrame(rows)


def tstr_score(real, synthetic, holdout=None, *, target, estimator=None,
               scoring=None, test_size=0.25, random_state=None):
    """Score on real test rows of a model trained on synthetic rows (TSTR).

    See :func:`utility_table` for the parameters; ``estimator`` is a single
    estimator here. Compare with :func:`trtr_score` (same split and seed).

    Returns
    -------
    score : float

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.metrics import tstr_score
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(400, 2))
    >>> df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": X[:, 0] > 0})
    >>> bool(tstr_score(df[:200], df[200:300], df[300:], target="y",
    ...                 random_state=0) > 0.9)
    True
    """
    return _single(real, synthetic, holdout, target, estimator, scoring, test_size,
                   random_state, "tstr")


def trtr_score(real, synthetic, holdout=None, *, target, estimator=None,
               scoring=None, test_size=0.25, random_state=None):
    """Score on real test rows of a model trained on real rows (TRTR baseline).

    Same parameters, split and seeds as :func:`tstr_score`.

    Returns
    -------
    score : float

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.metrics import trtr_score
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(400, 2))
    >>> df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": X[:, 0] > 0})
    >>> bool(trtr_score(df[:200], df[200:300], df[300:], target="y",
    ...                 random_state=0) > 0.9)
    True
    """
    return _single(real, synthetic, holdout, target, estimator, scoring, test_size,
                   random_state, "trtr")


def _single(real, synthetic, holdout, target, estimator, scoring, test_size,
            random_state, which):
    if isinstance(estimator, dict):
        raise TypeError("estimator must be a single estimator here, not a dict.")
    rng = check_rng(random_state)
    task = make_task(real, synthetic, holdout, target, test_size, rng)
    scorer = get_scorer(default_scoring(task) if scoring is None else scoring)
    est = next(iter(_estimators(estimator, task).values()))
    if which == "tstr":
        return fit_score(est, task.X_synth, task.y_synth, task, scorer, "synthetic")[1]
    return fit_score(est, task.X_real, task.y_real, task, scorer, "real")[1]


def augmentation_gain(real, synthetic, holdout=None, *, target, estimator=None,
                      scoring="balanced_accuracy", max_ratio=1.0, test_size=0.25,
                      random_state=None):
    """Gain in test score from adding synthetic minority rows to the real ones.

    A classifier is trained on ``real`` and on ``real`` plus synthetic rows of
    the classes smaller than the largest one (drawn at random from
    ``synthetic``, up to ``max_ratio`` times the gap to the largest class), and
    both are scored on ``holdout``.

    Parameters
    ----------
    real, synthetic, holdout, target, estimator, test_size, random_state
        As in :func:`utility_table` (classification targets only).
    scoring : str or callable, default="balanced_accuracy"
        A scikit-learn scorer.
    max_ratio : float, default=1.0
        Share of each class's gap to the largest class filled with synthetic
        rows (1.0 balances the classes when ``synthetic`` has enough rows).

    Returns
    -------
    gain : float
        Augmented score minus real-only score (positive = augmentation helps).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.metrics import augmentation_gain
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(600, 2))
    >>> df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": X[:, 0] > 1.2})
    >>> gain = augmentation_gain(df[:300], df[300:400], df[400:], target="y",
    ...                          random_state=0)
    >>> isinstance(gain, float)
    True
    """
    if not isinstance(max_ratio, numbers.Real) or max_ratio <= 0:
        raise ValueError(f"max_ratio must be a positive number, got {max_ratio!r}.")
    if isinstance(estimator, dict):
        raise TypeError("estimator must be a single estimator here, not a dict.")
    rng = check_rng(random_state)
    task = make_task(real, synthetic, holdout, target, test_size, rng)
    if not task.classification:
        raise ValueError("augmentation_gain needs a categorical (class) target.")
    scorer = get_scorer(scoring)
    est = next(iter(_estimators(estimator, task).values()))
    counts = np.bincount(task.y_real, minlength=task.n_classes)
    extra = []
    for c in np.flatnonzero(counts < counts.max()):
        want = int(round(max_ratio * (counts.max() - counts[c])))
        pool = np.flatnonzero(task.y_synth == c)
        if want and len(pool):
            extra.append(rng.choice(pool, size=min(want, len(pool)), replace=False))
    _, base = fit_score(est, task.X_real, task.y_real, task, scorer, "real")
    if not extra:
        return 0.0
    idx = np.sort(np.concatenate(extra))
    X = np.vstack([task.X_real, task.X_synth[idx]])
    y = np.r_[task.y_real, task.y_synth[idx]]
    _, aug = fit_score(est, X, y, task, scorer, "augmented")
    return float(aug - base)
