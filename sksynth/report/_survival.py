"""Survival section of a report: Kaplan-Meier curves, real against synthetic."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics._survival import (
    check_survival_target,
    kaplan_meier,
    km_distance,
    logrank_test,
)

__all__ = ["plot_kaplan_meier", "survival_summary"]


def survival_summary(y_real, y_synthetic):
    """The Kaplan-Meier distances and the log-rank test as a one-row-per-metric table.

    Parameters
    ----------
    y_real, y_synthetic : structured array or tuple (event, time)

    Returns
    -------
    summary : DataFrame
        Columns ``metric``, ``value``, ``ideal``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.report import survival_summary
    >>> y = ([True, False, True, True], [2.0, 3.0, 5.0, 7.0])
    >>> survival_summary(y, y)["value"].tolist()
    [0.0, 0.0, 0.0, 0.0, 1.0]
    """
    d = km_distance(y_real, y_synthetic)
    stat, p = logrank_test(y_real, y_synthetic)
    rows = [
        ("KM optimism", d["optimism"], 0.0),
        ("KM absolute optimism", d["absolute_optimism"], 0.0),
        ("KM short-sightedness", d["short_sightedness"], 0.0),
        ("log-rank chi2", stat, 0.0),
        ("log-rank p-value", p, 1.0),
    ]
    return pd.DataFrame(rows, columns=["metric", "value", "ideal"])


def _curve(ax, event, time, **kwargs):
    t, s = kaplan_meier(event, time)
    ax.step(np.r_[0.0, t], np.r_[1.0, s], where="post", **kwargs)


def plot_kaplan_meier(y_real, y_synthetic, *, X_real=None, X_synthetic=None,
                      groups=None, max_groups=4):
    """One figure: real and synthetic Kaplan-Meier curves, overall and by group.

    Panels: the survival curve (events), the censoring curve (reverse
    Kaplan-Meier: the follow-up), and one panel per column of ``groups``
    with each of its (at most ``max_groups`` most frequent) values' curves.
    Real curves are solid, synthetic ones dashed; the titles give the
    absolute optimism and short-sightedness.

    Parameters
    ----------
    y_real, y_synthetic : structured array or tuple (event, time)
    X_real, X_synthetic : DataFrame, default=None
        The covariates, needed with ``groups``.
    groups : hashable or list of hashable, default=None
        Categorical (or few-valued) columns to split the curves by.
    max_groups : int, default=4
        Values shown per group column.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth.report import plot_kaplan_meier
    >>> rng = np.random.RandomState(0)
    >>> y = (rng.uniform(size=100) < 0.7, rng.exponential(5, 100))
    >>> X = pd.DataFrame({"arm": rng.choice(["a", "b"], 100)})
    >>> fig = plot_kaplan_meier(y, y, X_real=X, X_synthetic=X, groups="arm")
    >>> len(fig.axes)
    3
    """
    import matplotlib.pyplot as plt

    e_r, t_r = check_survival_target(y_real, name="y_real")
    e_s, t_s = check_survival_target(y_synthetic, name="y_synthetic")
    if groups is None:
        groups = []
    elif not isinstance(groups, list | tuple):
        groups = [groups]
    if groups and (X_real is None or X_synthetic is None):
        raise ValueError("groups needs X_real and X_synthetic.")
    for g in groups:
        for name, X in (("X_real", X_real), ("X_synthetic", X_synthetic)):
            if g not in X.columns:
                raise ValueError(f"Group column {g!r} is not in {name}.")
    n_panels = 2 + len(groups)
    fig, axes = plt.subplots(1, n_panels, figsize=(4.2 * n_panels, 3.6),
                             squeeze=False)
    axes = axes[0]
    d = km_distance((e_r, t_r), (e_s, t_s))
    _curve(axes[0], e_r, t_r, color="C0", label="real")
    _curve(axes[0], e_s, t_s, color="C1", linestyle="--", label="synthetic")
    axes[0].set_title(
        f"Survival (events)\nabs. optimism {d['absolute_optimism']:.3f}, "
        f"short-sightedness {d['short_sightedness']:+.3f}", fontsize=9)
    _curve(axes[1], ~e_r, t_r, color="C0", label="real")
    _curve(axes[1], ~e_s, t_s, color="C1", linestyle="--", label="synthetic")
    axes[1].set_title("Censoring (follow-up)", fontsize=9)
    for ax, g in zip(axes[2:], groups):
        values = pd.Series(X_real[g]).value_counts().index[:max_groups]
        for k, v in enumerate(values):
            real = (pd.Series(X_real[g]) == v).to_numpy()
            synth = (pd.Series(X_synthetic[g]) == v).to_numpy()
            _curve(ax, e_r[real], t_r[real], color=f"C{k}", label=f"{g}={v} real")
            if synth.any():
                _curve(ax, e_s[synth], t_s[synth], color=f"C{k}", linestyle="--",
                       label=f"{g}={v} synthetic")
        ax.set_title(f"Survival by {g}", fontsize=9)
    for ax in axes:
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("time")
        ax.legend(fontsize=7, frameon=False)
    axes[0].set_ylabel("probability")
    fig.tight_layout()
    return fig
