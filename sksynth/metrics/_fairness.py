"""Fairness of downstream models trained on real and on synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import get_scorer

from ._base import check_rng, single_threaded
from ._utility import _estimators, default_scoring, fit_score, make_task

__all__ = [
    "demographic_parity_difference",
    "equal_opportunity_difference",
    "equalized_odds_difference",
    "fairness_table",
]


def _groups(sensitive_features, n):
    if isinstance(sensitive_features, pd.DataFrame):
        frame = sensitive_features
    elif isinstance(sensitive_features, pd.Series):
        frame = sensitive_features.to_frame()
    else:
        arr = np.asarray(sensitive_features, dtype=object)
        frame = pd.DataFrame(arr if arr.ndim == 2 else arr[:, None])
    if len(frame) != n:
        raise ValueError(
            f"sensitive_features has {len(frame)} rows but y has {n}."
        )
    if frame.isna().to_numpy().any():
        raise ValueError("sensitive_features has missing values.")
    keys = frame.astype(str).agg("\x1f".join, axis=1) if frame.shape[1] > 1 \
        else frame.iloc[:, 0].astype(str)
    _, codes = np.unique(keys.to_numpy(), return_inverse=True)
    return codes


def _rates(y_true, y_pred, sensitive_features, pos_label):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError("y_true and y_pred must be 1-D arrays of the same length.")
    g = _groups(sensitive_features, len(y_true))
    pos_true = y_true == pos_label
    pos_pred = y_pred == pos_label
    sel, tpr, fpr = [], [], []
    for k in range(g.max() + 1):
        m = g == k
        sel.append(pos_pred[m].mean())
        t = m & pos_true
        f = m & ~pos_true
        tpr.append(pos_pred[t].mean() if t.any() else np.nan)
        fpr.append(pos_pred[f].mean() if f.any() else np.nan)
    return np.array(sel), np.array(tpr), np.array(fpr)


def _spread(values):
    values = values[~np.isnan(values)]
    return float(values.max() - values.min()) if len(values) else float("nan")


def demographic_parity_difference(y_true, y_pred, *, sensitive_features,
                                  pos_label=1):
    """Largest difference in selection rate between groups.

    The selection rate of a group is the share of its rows predicted
    ``pos_label``; this is the quantity of ``fairlearn.metrics.
    demographic_parity_difference`` (``method="between_groups"``). Several
    sensitive columns define intersectional groups.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Unused by the definition; checked for length.
    y_pred : array-like of shape (n,)
        Predicted labels.
    sensitive_features : array-like, Series or DataFrame
        Group membership, one column per sensitive feature.
    pos_label : object, default=1
        The favourable label.

    Returns
    -------
    difference : float in [0, 1]

    Examples
    --------
    >>> from sksynth.metrics import demographic_parity_difference
    >>> demographic_parity_difference([0, 1, 0, 1], [1, 1, 0, 1],
    ...                               sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    sel, _, _ = _rates(y_true, y_pred, sensitive_features, pos_label)
    return _spread(sel)


def equalized_odds_difference(y_true, y_pred, *, sensitive_features, pos_label=1):
    """Largest between-group difference in true or false positive rate.

    The larger of the spreads of the true positive rate and of the false
    positive rate across groups, as ``fairlearn.metrics.
    equalized_odds_difference`` (``method="between_groups"``,
    ``agg="worst_case"``).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels.
    sensitive_features : array-like, Series or DataFrame
        Group membership, one column per sensitive feature.
    pos_label : object, default=1
        The favourable label.

    Returns
    -------
    difference : float in [0, 1]

    Examples
    --------
    >>> from sksynth.metrics import equalized_odds_difference
    >>> equalized_odds_difference([0, 1, 0, 1], [1, 1, 0, 1],
    ...                           sensitive_features=["a", "a", "b", "b"])
    1.0
    """
    _, tpr, fpr = _rates(y_true, y_pred, sensitive_features, pos_label)
    return float(np.nanmax([_spread(tpr), _spread(fpr)]))


def equal_opportunity_difference(y_true, y_pred, *, sensitive_features,
                                 pos_label=1):
    """Largest between-group difference in true positive rate.

    Equal opportunity (Hardt et al., 2016) asks for the same true positive
    rate (recall of ``pos_label``) in every group; this is the spread of that
    rate across groups (``fairlearn.metrics.equal_opportunity_difference``).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels.
    sensitive_features : array-like, Series or DataFrame
        Group membership, one column per sensitive feature.
    pos_label : object, default=1
        The favourable label.

    Returns
    -------
    difference : float in [0, 1]

    Examples
    --------
    >>> from sksynth.metrics import equal_opportunity_difference
    >>> equal_opportunity_difference([0, 1, 0, 1], [1, 1, 0, 0],
    ...                              sensitive_features=["a", "a", "b", "b"])
    1.0
    """
    _, tpr, _ = _rates(y_true, y_pred, sensitive_features, pos_label)
    return _spread(tpr)


def fairness_table(real, synthetic, holdout=None, *, target, sensitive,
                   estimator=None, pos_label=None, test_size=0.25,
                   random_state=None):
    """Fairness of models trained on real and on synthetic rows.

    A model is trained on ``real`` and one on ``synthetic`` (as in
    :func:`~sksynth.metrics.utility_table`), both predict the test rows
    (``holdout``, or a held-out share of ``real``), and the demographic parity
    and equalized odds differences of their predictions are computed over
    each sensitive column (and over their intersection when there are
    several). A synthetic table that preserves fairness gives values close to
    the real-trained model's.

    Parameters
    ----------
    real, synthetic, holdout, target, estimator, test_size, random_state
        As in :func:`~sksynth.metrics.utility_table` (classification only).
    sensitive : hashable or list of hashable
        Sensitive columns (categorical or with few distinct values).
    pos_label : object, default=None
        The favourable class; default the last class in sorted order (``1``,
        ``True``, ``">50K"``). A multiclass target is binarised as
        ``pos_label`` against the rest.

    Returns
    -------
    table : DataFrame
        Columns ``sensitive``, ``trained_on`` ("real" / "synthetic"), ``score``
        (the default utility score), ``demographic_parity_difference``,
        ``equalized_odds_difference``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.metrics import fairness_table
    >>> rng = np.random.RandomState(0)
    >>> g = rng.choice(["f", "m"], size=600)
    >>> x = rng.normal(size=600) + (g == "m")
    >>> df = pd.DataFrame({"x": x, "g": g, "y": x > 0.5})
    >>> t = fairness_table(df[:300], df[300:450], df[450:], target="y",
    ...                    sensitive="g", random_state=0)
    >>> t[["sensitive", "trained_on"]].values.tolist()
    [['g', 'real'], ['g', 'synthetic']]
    """
    rng = check_rng(random_state)
    task = make_task(real, synthetic, holdout, target, test_size, rng)
    if not task.classification:
        raise ValueError("fairness_table needs a categorical (class) target.")
    target_col = task.schema.columns[-1]
    if pos_label is None:
        pos = target_col.n_categories - 1
    else:
        if pos_label not in target_col.categories:
            raise ValueError(
                f"pos_label {pos_label!r} is not a class of the target; classes: "
                f"{list(target_col.categories)}."
            )
        pos = target_col.categories.index(pos_label)
    sens = [sensitive] if not isinstance(sensitive, (list, tuple)) else list(sensitive)
    if not sens:
        raise ValueError("sensitive is empty.")
    n_feat = task.schema.n_features
    positions = {}
    for s in sens:
        j = task.schema.column_position(s)
        if j >= n_feat:
            raise ValueError("The target cannot be a sensitive column.")
        col = task.schema.columns[j]
        z = task.Z_test[:, j]
        if col.kind != "categorical" and len(np.unique(z[~np.isnan(z)])) > 20:
            raise ValueError(
                f"Sensitive column {s!r} is numeric with more than 20 distinct "
                "values: bin it into groups first."
            )
        positions[s] = j
    groups = {s: np.nan_to_num(task.Z_test[:, j], nan=-1) for s, j in positions.items()}
    if len(sens) > 1:
        groups[" & ".join(map(str, sens))] = np.column_stack(list(groups.values()))
    scoring = default_scoring(task)
    scorer = get_scorer(scoring)
    est = next(iter(_estimators(estimator, task).values()))
    rows = []
    y_true = (task.y_test == pos).astype(int)
    for which, X, y in (("real", task.X_real, task.y_real),
                        ("synthetic", task.X_synth, task.y_synth)):
        model, score = fit_score(est, X, y, task, scorer, which)
        with single_threaded():
            y_pred = (model.predict(task.X_test) == pos).astype(int)
        for name, g in groups.items():
            rows.append({
                "sensitive": name,
                "trained_on": which,
                "score": score,
                "demographic_parity_difference": demographic_parity_difference(
                    y_true, y_pred, sensitive_features=g),
                "equalized_odds_difference": equalized_odds_difference(
                    y_true, y_pred, sensitive_features=g),
            })
    table = pd.DataFrame(rows)
    return table.sort_values(["sensitive", "trained_on"], kind="stable",
                             ignore_index=True)
