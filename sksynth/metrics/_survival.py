"""Survival metrics: Kaplan-Meier distances, log-rank, and TSTR with survival models.

A survival target ``y`` is a scikit-survival structured array (first field
the event indicator, second the time: ``Surv.from_arrays(event, time)``) or a
pair ``(event, time)`` of 1-D arrays. :func:`check_survival_target` is the one
reader of such targets in sksynth: it refuses missing or negative times,
event indicators that are not boolean or 0/1, and a target without events.

The Kaplan-Meier distances follow synthcity's definitions (Norcliffe, Cebere
et al., "SurvivalGAN", AISTATS 2023) on the same grid: both Kaplan-Meier
curves are read on 1000 equally spaced times from ``max(0, min time)`` to
the larger of the two horizons ``t_max``; *optimism* is the area between the
synthetic and the real curve divided by ``t_max`` (positive: the synthetic
patients live longer), *absolute optimism* the area of the absolute
difference divided by ``t_max``, and *short-sightedness* is
``(real horizon - synthetic horizon) / t_max`` (positive: the synthetic data
stop too early).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, TransformerMixin

from ..utils._dependencies import import_optional

__all__ = [
    "check_survival_target",
    "kaplan_meier",
    "km_absolute_optimism",
    "km_distance",
    "km_optimism",
    "km_short_sightedness",
    "logrank_test",
    "tstr_concordance",
    "tstr_integrated_brier_score",
]

N_POINTS = 1000


def check_survival_target(y, *, name="y", allow_all_censored=False):
    """Read a survival target into ``(event, time)`` arrays, refusing bad values.

    Parameters
    ----------
    y : structured array or tuple (event, time)
        A scikit-survival structured array (two fields: the event indicator,
        then the time) or a pair of 1-D arrays.
    name : str, default="y"
        How the target is named in error messages.
    allow_all_censored : bool, default=False
        Accept a target without any event.

    Returns
    -------
    event : ndarray of bool
    time : ndarray of float64

    Raises
    ------
    ValueError
        Naming the problem: missing or negative times, an event indicator
        that is not boolean or 0/1, no event, different lengths.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import check_survival_target
    >>> y = np.array([(True, 3.0), (False, 5.0)], dtype=[("e", "?"), ("t", "<f8")])
    >>> event, time = check_survival_target(y)
    >>> event.tolist(), time.tolist()
    ([True, False], [3.0, 5.0])
    >>> check_survival_target(([1, 0], [2.0, -1.0]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y: the time 'time' holds 1 negative value(s) (such as -1.0); ...
    """
    if isinstance(y, np.ndarray) and y.dtype.names is not None:
        if len(y.dtype.names) != 2:
            raise ValueError(
                f"{name} must have two fields (event indicator, time), got "
                f"{list(y.dtype.names)}."
            )
        ev_name, t_name = y.dtype.names
        event, time = y[ev_name], y[t_name]
    elif isinstance(y, tuple | list) and len(y) == 2:
        (event, time), ev_name, t_name = y, "event", "time"
    else:
        raise TypeError(
            f"{name} must be a structured array with an event and a time field "
            "(sksurv.util.Surv.from_arrays(event, time)) or a pair (event, time), "
            f"got {type(y).__name__}."
        )
    event = _check_event(event, f"{name}: the event indicator {ev_name!r}")
    time = _check_time(time, f"{name}: the time {t_name!r}")
    if len(event) != len(time):
        raise ValueError(
            f"{name}: the event indicator has {len(event)} values but the time "
            f"{len(time)}."
        )
    if not allow_all_censored and not event.any():
        raise ValueError(
            f"{name} holds no event: every one of its {len(event)} rows is "
            "censored, so its survival curve cannot be estimated."
        )
    return event, time


def _check_event(event, what):
    s = pd.Series(np.asarray(event).ravel() if not isinstance(event, pd.Series)
                  else event.to_numpy())
    if s.isna().any():
        raise ValueError(f"{what} has {int(s.isna().sum())} missing value(s).")
    if s.dtype == bool:
        return s.to_numpy(dtype=bool)
    values = set(pd.unique(s).tolist())
    if s.dtype.kind in "iuf" and values <= {0, 1}:
        return s.to_numpy() == 1
    shown = sorted(map(repr, values))[:5]
    raise ValueError(
        f"{what} must be boolean or 0/1, got values {', '.join(shown)} "
        f"(dtype {s.dtype})."
    )


def _check_time(time, what):
    s = pd.Series(np.asarray(time).ravel() if not isinstance(time, pd.Series)
                  else time.to_numpy())
    if s.dtype.kind not in "iuf":
        raise ValueError(f"{what} must be numeric, got dtype {s.dtype}.")
    t = s.to_numpy(dtype=np.float64)
    if np.isnan(t).any():
        raise ValueError(f"{what} has {int(np.isnan(t).sum())} missing value(s).")
    if np.isinf(t).any():
        raise ValueError(f"{what} holds infinite values.")
    if (t < 0).any():
        raise ValueError(
            f"{what} holds {int((t < 0).sum())} negative value(s) (such as "
            f"{float(t[t < 0][0])!r}); survival times must be >= 0."
        )
    return t


def kaplan_meier(event, time):
    """The Kaplan-Meier estimate of the survival function.

    Parameters
    ----------
    event : array-like of bool
        True where the event was observed, False where the row is censored.
    time : array-like of float
        Event or censoring times.

    Returns
    -------
    times : ndarray
        The distinct observed times, increasing.
    survival : ndarray
        ``S(t)`` just after each of ``times`` (right-continuous steps; 1
        before the first time).

    Examples
    --------
    >>> from sksynth.metrics import kaplan_meier
    >>> t, s = kaplan_meier([True, False, True, True], [1.0, 2.0, 3.0, 3.0])
    >>> t.tolist(), s.round(3).tolist()
    ([1.0, 2.0, 3.0], [0.75, 0.75, 0.0])
    """
    event = np.asarray(event, dtype=bool)
    time = np.asarray(time, dtype=np.float64)
    times, inverse = np.unique(time, return_inverse=True)
    deaths = np.bincount(inverse, weights=event, minlength=len(times))
    leaving = np.bincount(inverse, minlength=len(times))
    at_risk = len(time) - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1.0 - deaths / at_risk, 1.0)
    return times, np.cumprod(factor)


def _step(times, survival, at):
    """Read a right-continuous survival step function at ``at``."""
    k = np.searchsorted(times, at, side="right")
    return np.concatenate([[1.0], survival])[k]


def km_distance(y_real, y_synthetic, *, n_points=N_POINTS):
    """Optimism, absolute optimism and short-sightedness of a synthetic target.

    synthcity's three Kaplan-Meier distances, on its grid (see the module
    docstring).

    Parameters
    ----------
    y_real, y_synthetic : structured array or tuple (event, time)
        The real (training) and synthetic survival targets.
    n_points : int, default=1000
        Number of grid times.

    Returns
    -------
    distances : dict
        ``{"optimism", "absolute_optimism", "short_sightedness"}``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import km_distance
    >>> rng = np.random.RandomState(0)
    >>> real = (rng.uniform(size=500) < 0.7, rng.exponential(10, size=500))
    >>> longer = (real[0], 1.5 * real[1])
    >>> d = km_distance(real, longer)
    >>> round(d["optimism"], 3), round(d["short_sightedness"], 3)
    (0.052, -0.333)
    """
    e_r, t_r = check_survival_target(y_real, name="y_real")
    e_s, t_s = check_survival_target(y_synthetic, name="y_synthetic")
    t_max = max(t_r.max(), t_s.max())
    t_min = max(0.0, min(t_r.min(), t_s.min()))
    grid = np.linspace(t_min, t_max, n_points)
    real = _step(*kaplan_meier(e_r, t_r), grid)
    synth = _step(*kaplan_meier(e_s, t_s), grid)
    diff = synth - real
    return {
        "optimism": float(np.trapezoid(diff, grid) / t_max),
        "absolute_optimism": float(np.trapezoid(np.abs(diff), grid) / t_max),
        "short_sightedness": float((t_r.max() - t_s.max()) / t_max),
    }


def km_optimism(y_real, y_synthetic):
    """Signed area between the synthetic and the real Kaplan-Meier curves.

    Positive when the synthetic patients survive longer than the real ones.
    See :func:`km_distance`.

    Examples
    --------
    >>> from sksynth.metrics import km_optimism
    >>> real = ([True, True, False, True], [2.0, 4.0, 5.0, 8.0])
    >>> km_optimism(real, real)
    0.0
    """
    return km_distance(y_real, y_synthetic)["optimism"]


def km_absolute_optimism(y_real, y_synthetic):
    """Area between the two Kaplan-Meier curves over the horizon (0 is best).

    See :func:`km_distance`.

    Examples
    --------
    >>> from sksynth.metrics import km_absolute_optimism
    >>> real = ([True, True, False, True], [2.0, 4.0, 5.0, 8.0])
    >>> km_absolute_optimism(real, real)
    0.0
    """
    return km_distance(y_real, y_synthetic)["absolute_optimism"]


def km_short_sightedness(y_real, y_synthetic):
    """``(real horizon - synthetic horizon) / horizon``: positive stops too early.

    See :func:`km_distance`.

    Examples
    --------
    >>> from sksynth.metrics import km_short_sightedness
    >>> real = ([True, True, False, True], [2.0, 4.0, 5.0, 8.0])
    >>> km_short_sightedness(real, ([True, True], [2.0, 6.0]))
    0.25
    """
    return km_distance(y_real, y_synthetic)["short_sightedness"]


def logrank_test(y_real, y_synthetic):
    """Log-rank test of equal survival curves in the real and synthetic data.

    Parameters
    ----------
    y_real, y_synthetic : structured array or tuple (event, time)

    Returns
    -------
    statistic : float
        The chi-square statistic (one degree of freedom); 0 for equal curves.
    p_value : float

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import logrank_test
    >>> rng = np.random.RandomState(0)
    >>> a = (np.ones(300, bool), rng.exponential(1.0, 300))
    >>> b = (np.ones(300, bool), rng.exponential(2.0, 300))
    >>> logrank_test(a, b)[1] < 1e-6
    True
    """
    e_r, t_r = check_survival_target(y_real, name="y_real")
    e_s, t_s = check_survival_target(y_synthetic, name="y_synthetic")
    event = np.concatenate([e_r, e_s])
    time = np.concatenate([t_r, t_s])
    group = np.concatenate([np.zeros(len(t_r)), np.ones(len(t_s))])
    times, inverse = np.unique(time, return_inverse=True)
    n_t = len(times)
    d = np.bincount(inverse, weights=event, minlength=n_t)
    d1 = np.bincount(inverse, weights=event * group, minlength=n_t)
    leave = np.bincount(inverse, minlength=n_t)
    leave1 = np.bincount(inverse, weights=group, minlength=n_t)
    n = len(time) - np.concatenate([[0], np.cumsum(leave)[:-1]])
    n1 = len(t_s) - np.concatenate([[0], np.cumsum(leave1)[:-1]])
    keep = (n > 1) & (d > 0)
    d, d1, n, n1 = d[keep], d1[keep], n[keep], n1[keep]
    expected = d * n1 / n
    var = d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
    total_var = var.sum()
    if total_var <= 0:
        return 0.0, 1.0
    statistic = float((d1.sum() - expected.sum()) ** 2 / total_var)
    return statistic, float(stats.chi2.sf(statistic, 1))


# --------------------------------------------------------------------- TSTR
def default_survival_model(alpha=0.1):
    """A Cox model on standardised numbers and one-hot categories.

    scikit-survival's ``CoxPHSurvivalAnalysis`` (ridge ``alpha``) after
    sksynth's :class:`~sksynth.preprocessing.TableEncoder`; needs the
    optional extra ``survival``.

    Examples
    --------
    >>> from sksynth.metrics._survival import default_survival_model
    >>> default_survival_model()[-1].alpha  # doctest: +SKIP
    0.1
    """
    linear = import_optional(
        "sksurv.linear_model", "survival", purpose="The default survival model"
    )
    from sklearn.pipeline import make_pipeline

    from ..preprocessing import TableEncoder

    return make_pipeline(
        TableEncoder(numeric="standard"),
        _FiniteInput(),
        linear.CoxPHSurvivalAnalysis(alpha=alpha),
    )


class _FiniteInput(TransformerMixin, BaseEstimator):
    """Pipeline step: missing encoded values (a NaN beside its indicator) to 0."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.nan_to_num(np.asarray(X, dtype=np.float64), nan=0.0)


def _fit_model(estimator, X, y):
    from sklearn.base import clone

    model = default_survival_model() if estimator is None else clone(estimator)
    return model.fit(X, y)


def _as_structured(y, name):
    event, time = check_survival_target(y, name=name)
    out = np.empty(len(time), dtype=[("event", bool), ("time", np.float64)])
    out["event"], out["time"] = event, time
    return out


def tstr_concordance(X_train, y_train, X_test, y_test, *, estimator=None):
    """Harrell's concordance index on real test rows of a model trained on ``train``.

    Train on synthetic, test on real (TSTR) when ``X_train, y_train`` are
    synthetic; the same call on real training rows gives the reference
    (train on real, test on real).

    Parameters
    ----------
    X_train, y_train : table and survival target
        Training rows (synthetic for TSTR).
    X_test, y_test : table and survival target
        Real held-out rows.
    estimator : scikit-survival estimator, default=None
        Cloned and fitted; ``None`` uses a ridge Cox model
        (:func:`default_survival_model`). Needs the extra ``survival``.

    Returns
    -------
    c_index : float
        0.5 is chance, 1 a perfect ranking.

    Examples
    --------
    >>> from sksynth.datasets import load_survival
    >>> from sksynth.metrics import tstr_concordance
    >>> X, y = load_survival("whas500")  # doctest: +SKIP
    >>> tstr_concordance(X[:300], y[:300], X[300:], y[300:]) > 0.7  # doctest: +SKIP
    True
    """
    metrics = import_optional("sksurv.metrics", "survival", purpose="tstr_concordance")
    model = _fit_model(estimator, X_train, _as_structured(y_train, "y_train"))
    event, time = check_survival_target(y_test, name="y_test")
    risk = model.predict(X_test)
    return float(metrics.concordance_index_censored(event, time, risk)[0])


def tstr_integrated_brier_score(
    X_train, y_train, X_test, y_test, *, estimator=None, times=None
):
    """Integrated Brier score on real test rows of a model trained on ``train``.

    The censoring weights come from ``y_test`` (so that a model trained on
    synthetic and one trained on real rows are scored with the same weights).

    Parameters
    ----------
    X_train, y_train : table and survival target
        Training rows (synthetic for TSTR).
    X_test, y_test : table and survival target
        Real held-out rows.
    estimator : scikit-survival estimator, default=None
        Needs ``predict_survival_function``; ``None`` uses a ridge Cox model.
    times : array-like, default=None
        Times of the integral; default the 10th to the 80th percentile of
        the test times (20 points, those before the last test time).

    Returns
    -------
    ibs : float
        Lower is better; 0.25 is an uninformative constant 0.5.

    Examples
    --------
    >>> from sksynth.datasets import load_survival
    >>> from sksynth.metrics import tstr_integrated_brier_score
    >>> X, y = load_survival("whas500")  # doctest: +SKIP
    >>> tstr_integrated_brier_score(X[:300], y[:300], X[300:], y[300:]) < 0.25
    ... # doctest: +SKIP
    True
    """
    metrics = import_optional(
        "sksurv.metrics", "survival", purpose="tstr_integrated_brier_score"
    )
    model = _fit_model(estimator, X_train, _as_structured(y_train, "y_train"))
    test = _as_structured(y_test, "y_test")
    if times is None:
        times = np.unique(np.percentile(test["time"], np.linspace(10, 80, 20)))
        # within the test follow-up [min, max), where the weights are defined
        inside = (times >= test["time"].min()) & (times < test["time"].max())
        times = times[inside]
    times = np.asarray(times, dtype=np.float64)
    functions = model.predict_survival_function(X_test)
    last = min(f.domain[1] for f in functions)
    times = times[times <= last]
    estimate = np.vstack([np.asarray(f(times)) for f in functions])
    return float(metrics.integrated_brier_score(test, test, estimate, times))
