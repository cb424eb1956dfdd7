"""The quality report: metrics as DataFrames, matplotlib figures, HTML."""

from __future__ import annotations

import base64
import html
import io
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .. import metrics as M
from ..metrics._base import MAX_SAMPLES, prepare
from ._privacy import IDEAL as _ATTACK_IDEAL
from ._privacy import attack_values
from ._segments import SEGMENTS_TEXT, segments_group

__all__ = ["QualityReport"]

GROUPS = ("shapes", "pairs", "detection", "precision_recall", "utility", "privacy",
          "fairness", "segments")

# (group, metric, ideal value, what it means)
_IDEAL = {
    "column_shapes": (1.0, "1 = identical marginals"),
    "column_pairs": (1.0, "1 = identical pairwise dependencies"),
    "detection_auc": (0.5, "0.5 = indistinguishable"),
    "precision": (1.0, "synthetic rows in the real support"),
    "recall": (1.0, "real support covered (low: mode collapse)"),
    "density": (1.0, "about 1 for matching distributions"),
    "coverage": (1.0, "real neighbourhoods reached (low: mode collapse)"),
    "authenticity": (0.5, "about 0.5 for fresh data; 0 = copies"),
    "tstr": (None, "score of a model trained on synthetic rows"),
    "trtr": (None, "score of the same model trained on real rows"),
    "tstr_ratio": (1.0, "tstr / trtr"),
    "exact_copy_rate": (0.0, "share of synthetic rows copied from real"),
    "nndr": (None, "nearest/second-nearest distance ratio; 0 = on a real row"),
    "dcr_share": (0.5, "share closer to real than to holdout; 1 = copies"),
    "dcr_ratio": (1.0, "median DCR to real / to holdout; 0 = copies"),
    "membership_inference_auc": (0.5, "distance attack; 1 = members recognised"),
    "demographic_parity_difference": (
        0.0, "largest gap in positive-prediction rate between groups; 0 = equal"),
    "equalized_odds_difference": (
        0.0, "largest gap in true or false positive rate between groups; 0 = equal"),
}

_IDEAL.update(_ATTACK_IDEAL)

# a detection AUC this far below 0.5 gets an explanation (notes_)
_LOW_DETECTION_AUC = 0.45

_DETECTION_NOTE = (
    "The detection AUC is {value:.3f}, below 0.5: the classifier that tells real "
    "from synthetic rows does worse than chance on rows it did not train on. A "
    "real difference between the tables would push the AUC above 0.5, not below. "
    "Below 0.5 usually means that synthetic rows copy or nearly copy real rows: a "
    "held-out row then has a twin with the opposite label in the training folds, "
    "the classifier learns the twin's label and gets the held-out row wrong. "
    "Check exact_copy_rate and the distances to the closest record. On small "
    "tables (a few dozen rows) the AUC also falls below 0.5 by chance. Either "
    "way, it does not mean better synthetic data than an AUC of 0.5."
)

# headings of the figures in the HTML page
_FIGURE_TITLES = {
    "marginals": "Column shapes",
    "pairs": "Column pairs",
    "dcr": "Distance to closest record",
    "utility": "Machine-learning utility",
}

_SECTION_TEXT = {
    "marginals": (
        "Real against synthetic distribution of each column, worst scores "
        "first (score = 1 - Kolmogorov-Smirnov statistic for numeric columns, "
        "1 - total variation distance for categorical ones; 1 = identical)."),
    "pairs": (
        "How much each pair of columns depends on each other differently in "
        "the synthetic table than in the real one (1 - pair score; 0 = the "
        "same dependency). The table lists the worst 30 pairs."),
    "dcr": (
        "Distance from each synthetic row to its closest real training row, "
        "against the distance to the closest holdout row (real rows the "
        "generator never saw). Synthetic rows much closer to the training "
        "rows than to the holdout ones are memorised rather than generated; "
        "the reference curve (holdout -> real) shows how close two "
        "independent samples of real rows are."),
    "utility": (
        "Score on the real holdout of a model trained on synthetic rows "
        "(TSTR) against the same model trained on real rows (TRTR)."),
    "fairness": (
        "Gaps between the groups of the sensitive column(s) in the "
        "predictions, on the real holdout, of a model trained on real rows "
        "and of one trained on synthetic rows (0 = no gap). Synthetic data "
        "that keeps the real data's fairness shows about the same gaps in "
        "both rows."),
    "segments": SEGMENTS_TEXT,
}


def _plt():
    # matplotlib is a core dependency: imported on first plot only
    import matplotlib.pyplot as plt

    return plt


def _category_bars(fr, fs, labels, max_categories):
    """Bars of the categories present, at most ``max_categories`` of them.

    Beyond ``max_categories`` the most frequent ones (in both tables together)
    are kept in their order. Returns the real and synthetic shares, the
    labels, and a note saying what was left out and how many rows it holds
    (empty when every category present has its bar).
    """
    present = np.flatnonzero((fr + fs) > 0)
    if max_categories is None or len(present) <= max_categories:
        return fr[present], fs[present], [labels[i] for i in present], ""
    by_size = present[np.argsort(-(fr + fs)[present], kind="stable")]
    keep = np.sort(by_size[:max_categories])
    rest = np.setdiff1d(present, keep)
    note = (f"the {max_categories} most frequent of {len(present)} categories; the "
            f"other {len(rest)}\n(not drawn) hold {fr[rest].sum():.0%} of real "
            f"rows, {fs[rest].sum():.0%} of synthetic")
    return fr[keep], fs[keep], [labels[i] for i in keep], note


def _table_html(table):
    """An HTML table: text left-aligned, numbers right-aligned at 4 decimals."""
    esc = html.escape
    numeric = [pd.api.types.is_numeric_dtype(table[c])
               and not pd.api.types.is_bool_dtype(table[c]) for c in table.columns]

    def cell(v, num):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return "<td></td>"
        if num:
            text = f"{v:.4f}" if isinstance(v, (float, np.floating)) else str(v)
            return f"<td class='num'>{esc(text)}</td>"
        return f"<td>{esc(str(v))}</td>"

    head = "".join(f"<th>{esc(str(c))}</th>" for c in table.columns)
    body = "\n".join(
        "<tr>" + "".join(cell(v, num) for v, num in zip(row, numeric)) + "</tr>"
        for row in table.itertuples(index=False, name=None))
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


class QualityReport:
    """Evaluate a synthetic table against the real one, with plots and HTML.

    Runs a chosen set of metric groups of :mod:`sksynth.metrics` on ``real``
    (the generator's training table), ``synthetic`` and an optional
    ``holdout`` (real rows the generator never saw), exposes the results as
    DataFrames, draws matplotlib figures (imported only when plotting) and
    writes a self-contained HTML file.

    Parameters
    ----------
    metrics : list of str, default=None
        Metric groups among ``"shapes"``, ``"pairs"``, ``"detection"``,
        ``"precision_recall"``, ``"utility"``, ``"privacy"``, ``"fairness"``,
        ``"segments"`` (easy / ambiguous / hard shares; needs ``target``;
        only when asked for). None runs every group that the inputs allow
        (``utility`` needs
        ``target``; ``fairness`` needs ``target`` and ``sensitive``; the
        holdout-based privacy metrics need ``holdout``).
    target : hashable, default=None
        Column to predict for utility and fairness.
    sensitive : hashable or list of hashable, default=None
        Sensitive columns for fairness.
    estimator : estimator or dict of {name: estimator}, default=None
        Downstream model(s) for utility (the first one for fairness); default
        histogram gradient boosting.
    max_samples : int, default=5000
        Row cap of the detection, precision/recall and distance metrics.
    n_worst : int, default=6
        Number of columns drawn by :meth:`plot_marginals`.
    random_state : int, RandomState instance or None, default=0
        Seed of every metric.

    Attributes
    ----------
    summary_ : DataFrame
        One row per scalar metric: ``group``, ``metric``, ``value``,
        ``ideal``, ``meaning``.
    column_shapes_, column_pairs_ : DataFrame
        Per-column and per-pair fidelity tables.
    precision_recall_ : Series
    utility_ : DataFrame
        TSTR/TRTR per estimator.
    privacy_ : Series
    distances_ : DataFrame
        Distances to the closest record (see
        :func:`~sksynth.metrics.distances_to_closest_record`).
    fairness_ : DataFrame
    segments_ : DataFrame
        Easy / ambiguous / hard shares (see :func:`~sksynth.metrics.segment_shares`).
    notes_ : list of str
        Explanations of values that need one (a detection AUC far below 0.5),
        shown under the summary of :meth:`to_html`.
    timings_ : dict
        Seconds spent per metric group.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> from sksynth.report import QualityReport
    >>> X, y = make_mixed_classification(400, random_state=0)
    >>> real = X.assign(churn=y)
    >>> synth = GaussianCopulaGenerator(random_state=0).fit(real).sample(400)
    >>> report = QualityReport(metrics=["shapes", "pairs"]).evaluate(real, synth)
    >>> report.summary_["metric"].tolist()
    ['column_shapes', 'column_pairs']
    >>> bool(report.summary_["value"].min() > 0.8)
    True
    """

    def __init__(self, *, metrics=None, target=None, sensitive=None, estimator=None,
                 max_samples=MAX_SAMPLES, n_worst=6, random_state=0):
        self.metrics = metrics
        self.target = target
        self.sensitive = sensitive
        self.estimator = estimator
        self.max_samples = max_samples
        self.n_worst = n_worst
        self.random_state = random_state

    # ------------------------------------------------------------ compute
    def _groups(self, holdout):
        if self.metrics is None:
            groups = ["shapes", "pairs", "detection", "precision_recall", "privacy"]
            if self.target is not None:
                groups.append("utility")
                if self.sensitive is not None:
                    groups.append("fairness")
            return groups
        groups = [self.metrics] if isinstance(self.metrics, str) else list(self.metrics)
        unknown = sorted(set(groups) - set(GROUPS))
        if unknown:
            raise ValueError(f"Unknown metric groups {unknown}; choose from {GROUPS}.")
        if ("utility" in groups or "fairness" in groups) and self.target is None:
            raise ValueError("The utility and fairness metrics need target=.")
        if "fairness" in groups and self.sensitive is None:
            raise ValueError("The fairness metrics need sensitive=.")
        return [g for g in GROUPS if g in groups]

    def evaluate(self, real, synthetic, holdout=None):
        """Run the metrics.

        Parameters
        ----------
        real : DataFrame or array-like
            The table the generator was trained on.
        synthetic : DataFrame or array-like
            Generated rows with the same columns.
        holdout : DataFrame or array-like, default=None
            Real rows not used for training: the test set of utility and
            fairness and the reference of the DCR and membership metrics.

        Returns
        -------
        self : QualityReport
        """
        groups = self._groups(holdout)
        # validate the tables once (clear errors before any long computation)
        tables = [real, synthetic] + ([] if holdout is None else [holdout])
        self.schema_, codes = prepare(*tables,
                                      names=["real", "synthetic", "holdout"])
        self._codes = codes
        rs, ms = self.random_state, self.max_samples
        rows, self.timings_ = [], {}
        for attr in ("column_shapes_", "column_pairs_", "precision_recall_",
                     "utility_", "privacy_", "distances_", "fairness_",
                     "segments_"):
            setattr(self, attr, None)

        self.notes_ = []
        low_auc = None

        def add(group, name, value, meaning=None, key=None):
            ideal, default = _IDEAL.get(key or name, (None, ""))
            rows.append({"group": group, "metric": name, "value": float(value),
                         "ideal": ideal, "meaning": meaning or default})

        for group in groups:
            start = time.perf_counter()
            if group == "shapes":
                self.column_shapes_ = M.column_shape_table(real, synthetic)
                add(group, "column_shapes", self.column_shapes_["score"].mean())
            elif group == "pairs":
                self.column_pairs_ = M.column_pair_table(real, synthetic)
                add(group, "column_pairs", self.column_pairs_["score"].mean())
            elif group == "detection":
                auc = M.detection_auc(real, synthetic, max_samples=ms,
                                      random_state=rs)
                meaning = None
                if auc < _LOW_DETECTION_AUC:
                    meaning = ("below 0.5 = worse than chance: copies of real "
                               "rows, or a small table (see the note)")
                    low_auc = auc
                add(group, "detection_auc", auc, meaning)
            elif group == "precision_recall":
                self.precision_recall_ = M.precision_recall(
                    real, synthetic, max_samples=ms, random_state=rs)
                for k, v in self.precision_recall_.items():
                    add(group, k, v)
            elif group == "utility":
                self.utility_ = M.utility_table(
                    real, synthetic, holdout, target=self.target,
                    estimator=self.estimator, random_state=rs)
                first = self.utility_.iloc[0]
                add(group, "tstr", first["tstr"])
                add(group, "trtr", first["trtr"])
                add(group, "tstr_ratio", first["ratio"])
            elif group == "privacy":
                values = {
                    "exact_copy_rate": M.exact_copy_rate(real, synthetic),
                    "nndr": M.nndr(real, synthetic, max_samples=ms, random_state=rs),
                }
                if holdout is not None:
                    self.distances_ = M.distances_to_closest_record(
                        real, synthetic, holdout, max_samples=ms, random_state=rs)
                    d = self.distances_
                    a, b = d["synthetic_to_real"].dropna(), d["synthetic_to_holdout"]
                    b = b.dropna()
                    values["dcr_share"] = float(np.mean((a < b) + 0.5 * (a == b)))
                    med = float(np.median(b))
                    values["dcr_ratio"] = float(np.median(a)) / med if med else np.nan
                    values["membership_inference_auc"] = M.membership_inference_auc(
                        real, synthetic, holdout, max_samples=ms, random_state=rs)
                values.update(attack_values(real, synthetic, holdout,
                                            target=self.target, max_samples=ms,
                                            random_state=rs))
                self.privacy_ = pd.Series(values)
                for k, v in values.items():
                    add(group, k, v)
            elif group == "fairness":
                est = self.estimator
                if isinstance(est, dict):
                    est = next(iter(est.values()))
                self.fairness_ = M.fairness_table(
                    real, synthetic, holdout, target=self.target,
                    sensitive=self.sensitive, estimator=est, random_state=rs)
                for _, r in self.fairness_.iterrows():
                    for k in ("demographic_parity_difference",
                              "equalized_odds_difference"):
                        meaning = (f"model trained on {r['trained_on']} rows: "
                                   f"{_IDEAL[k][1]}")
                        add(group, f"{k} [{r['sensitive']}, {r['trained_on']}]",
                            r[k], meaning, key=k)
            elif group == "segments":
                self.segments_ = segments_group(self, real, synthetic, add)
            self.timings_[group] = time.perf_counter() - start
        if low_auc is not None:
            note = _DETECTION_NOTE.format(value=low_auc)
            if self.privacy_ is not None:
                note += (f" Here exact_copy_rate = "
                         f"{self.privacy_['exact_copy_rate']:.3f}.")
            self.notes_.append(note)
        self.summary_ = pd.DataFrame(
            rows, columns=["group", "metric", "value", "ideal", "meaning"])
        return self

    def _check(self):
        if not hasattr(self, "summary_"):
            raise RuntimeError("Call evaluate(real, synthetic) first.")

    # -------------------------------------------------------------- plots
    def _draw_column(self, ax, j, *, max_categories, title):
        """Real against synthetic distribution of column ``j`` on ``ax``."""
        col = self.schema_.columns[j]
        r, s = self._codes[0][:, j], self._codes[1][:, j]
        notes = []
        if col.kind == "categorical":
            k = col.n_categories
            fr = np.bincount(np.nan_to_num(r, nan=k).astype(int),
                             minlength=k + 1) / len(r)
            fs = np.bincount(np.nan_to_num(s, nan=k).astype(int),
                             minlength=k + 1) / len(s)
            labels = [str(c) for c in col.categories] + ["missing"]
            hr, hs, names, note = _category_bars(fr, fs, labels, max_categories)
            if note:
                notes.append(note)
            x = np.arange(len(names))
            ax.bar(x - 0.2, hr, 0.4, label="real")
            ax.bar(x + 0.2, hs, 0.4, label="synthetic")
            ax.set_xticks(x, names, rotation=45 if len(names) > 3 else 0,
                          ha="right" if len(names) > 3 else "center", fontsize=7)
            ax.set_ylabel("share of rows", fontsize=8)
        else:
            ro, so = r[~np.isnan(r)], s[~np.isnan(s)]
            miss_r, miss_s = 1 - len(ro) / len(r), 1 - len(so) / len(s)
            if miss_r or miss_s:
                notes.append(f"missing (not drawn): real {miss_r:.1%}, "
                             f"synthetic {miss_s:.1%}")
            if col.kind == "datetime":
                import matplotlib.dates as mdates

                unit = f"datetime64[{col.unit}]"
                ro = mdates.date2num(ro.astype(np.int64).view(unit))
                so = mdates.date2num(so.astype(np.int64).view(unit))
            both = np.concatenate([ro, so])
            lo, hi = np.percentile(both, [0.5, 99.5]) if len(both) else (0, 1)
            if col.is_discrete and col.kind != "datetime" and hi - lo <= 60:
                bins = np.arange(np.floor(lo) - 0.5, np.ceil(hi) + 1.5)
            else:
                bins = np.linspace(lo, hi if hi > lo else lo + 1, 40)
            outside = np.mean((both < bins[0]) | (both > bins[-1])) if len(both) else 0
            if outside:
                notes.append(f"{outside:.1%} of the values lie outside the axis")
            ax.hist(ro, bins=bins, density=True, alpha=0.5, label="real")
            ax.hist(so, bins=bins, density=True, alpha=0.5, label="synthetic")
            if col.kind == "datetime":
                ax.xaxis_date()
                ax.tick_params(axis="x", labelrotation=45, labelsize=7)
            else:  # large numbers: fewer ticks, so their labels never overlap
                from matplotlib.ticker import MaxNLocator

                ax.xaxis.set_major_locator(MaxNLocator(5))
            ax.set_ylabel("density", fontsize=8)
        ax.set_title(title, fontsize=9)
        if notes:
            ax.set_xlabel("\n".join(notes), fontsize=7, color="0.3")
        ax.legend(fontsize=7)
        return notes

    def plot_marginals(self, n_columns=None, *, max_categories=20):
        """Overlay real and synthetic marginals of the worst columns.

        Parameters
        ----------
        n_columns : int, default=None
            Number of columns (the lowest shape scores first); default
            ``n_worst``.
        max_categories : int or None, default=20
            Categorical columns with more categories than this draw the most
            frequent ones and one bar for the rest, and say so under the
            axis; None draws every category.

        Returns
        -------
        fig : matplotlib Figure
        """
        self._check()
        plt = _plt()
        table = self.column_shapes_
        if table is None:
            table = M.column_shape_table(*self._frames())
        n = n_columns or self.n_worst
        worst = table.sort_values("score", kind="stable").head(n)
        positions = [self.schema_.column_position(c) for c in worst["column"]]
        ncols = min(3, len(positions))
        nrows = int(np.ceil(len(positions) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 3.3 * nrows),
                                 squeeze=False)
        for ax, j, (_, row) in zip(axes.ravel(), positions, worst.iterrows()):
            name = self.schema_.columns[j].name
            self._draw_column(ax, j, max_categories=max_categories,
                              title=f"{name} (score {row['score']:.2f})")
        for ax in axes.ravel()[len(positions):]:
            ax.set_visible(False)
        fig.suptitle("Marginals of the worst columns")
        fig.tight_layout()
        return fig

    def plot_column(self, column, *, max_categories=60, ax=None):
        """Real against synthetic distribution of one named column.

        Bars of the shares of each category for a categorical column,
        overlaid density histograms for a numeric or datetime one (the shares
        of missing values written under the axis).

        Parameters
        ----------
        column : hashable
            A column name of the evaluated tables (a position for arrays).
        max_categories : int or None, default=60
            Draw at most this many categories, the most frequent ones, and one
            bar for the rest, saying so under the axis; None draws all.
        ax : matplotlib Axes, default=None
            Where to draw; default a new figure sized to the column.

        Returns
        -------
        fig : matplotlib Figure

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sksynth.datasets import make_mixed_classification
        >>> from sksynth.generators import GaussianCopulaGenerator
        >>> from sksynth.report import QualityReport
        >>> X, _ = make_mixed_classification(300, random_state=0)
        >>> synth = GaussianCopulaGenerator(random_state=0).fit(X).sample(300)
        >>> report = QualityReport(metrics=["shapes"]).evaluate(X, synth)
        >>> fig = report.plot_column("region")
        >>> fig.axes[0].get_title()
        'region (score 0.97)'
        >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
        ['east', 'north', 'south', 'west']
        """
        self._check()
        try:
            j = self.schema_.column_position(column)
        except (KeyError, ValueError) as exc:
            names = [c.name for c in self.schema_.columns]
            raise ValueError(
                f"Column {column!r} is not a column of the evaluated tables; "
                f"the columns are {names}."
            ) from exc
        col = self.schema_.columns[j]
        title = str(col.name)
        table = self.column_shapes_
        if table is not None and len(table) == self.schema_.n_columns:
            title = f"{col.name} (score {table['score'].iloc[j]:.2f})"
        if ax is None:
            plt = _plt()
            width = 6.0
            if col.kind == "categorical":
                k = col.n_categories + 1
                if max_categories is not None:
                    k = min(k, max_categories + 1)
                width = max(width, 0.28 * k + 1.5)
            fig, ax = plt.subplots(figsize=(width, 3.8))
        else:
            fig = ax.figure
        self._draw_column(ax, j, max_categories=max_categories, title=title)
        fig.tight_layout()
        return fig

    def plot_pairs(self):
        """Heatmap of the pairwise dependency differences (1 - pair score).

        Returns
        -------
        fig : matplotlib Figure
        """
        self._check()
        plt = _plt()
        table = self.column_pairs_
        if table is None:
            table = M.column_pair_table(*self._frames())
        names = [str(c.name) for c in self.schema_.columns]
        index = {n: i for i, n in enumerate(names)}
        D = np.full((len(names), len(names)), np.nan)
        np.fill_diagonal(D, 0.0)
        for _, r in table.iterrows():
            i, j = index[str(r["column_1"])], index[str(r["column_2"])]
            D[i, j] = D[j, i] = 1 - r["score"]
        size = max(4, 0.45 * len(names) + 2)
        fig, ax = plt.subplots(figsize=(size + 1, size))
        im = ax.imshow(D, vmin=0, vmax=max(0.2, float(np.nanmax(D))), cmap="Reds")
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
        ax.set_yticks(range(len(names)), names, fontsize=7)
        fig.colorbar(im, ax=ax, label="1 - pair score")
        ax.set_title("Pairwise dependency differences")
        fig.tight_layout()
        return fig

    def plot_dcr(self):
        """Histograms of distances to the closest record (needs a holdout).

        Returns
        -------
        fig : matplotlib Figure
        """
        self._check()
        if self.distances_ is None:
            raise ValueError("plot_dcr needs privacy metrics computed with a holdout.")
        plt = _plt()
        d = self.distances_
        fig, ax = plt.subplots(figsize=(6, 3.5))
        both = pd.concat([d[c] for c in d.columns]).dropna()
        hi = float(np.percentile(both, 99)) if len(both) else 1.0
        bins = np.linspace(0, hi if hi > 0 else 1.0, 40)
        labels = {"synthetic_to_real": "synthetic -> real (train)",
                  "synthetic_to_holdout": "synthetic -> holdout",
                  "holdout_to_real": "holdout -> real (reference)"}
        for c, label in labels.items():
            ax.hist(d[c].dropna(), bins=bins, alpha=0.45, label=label, density=True)
        xlabel = "distance to closest record"
        outside = float(np.mean(both > bins[-1])) if len(both) else 0.0
        if outside:
            xlabel += f"\n({outside:.1%} of the distances lie beyond the axis)"
        ax.set_xlabel(xlabel)
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
        ax.set_title("Distances to the closest record")
        fig.tight_layout()
        return fig

    def plot_utility(self):
        """Bar chart of TSTR against TRTR per estimator (needs a target).

        Returns
        -------
        fig : matplotlib Figure
        """
        self._check()
        if self.utility_ is None:
            raise ValueError("plot_utility needs the utility metrics (target=).")
        plt = _plt()
        u = self.utility_
        x = np.arange(len(u))
        fig, ax = plt.subplots(figsize=(max(5, 1.8 * len(u) + 2.5), 4))
        trtr = ax.bar(x - 0.2, u["trtr"], 0.4, label="trained on real rows (TRTR)")
        tstr = ax.bar(x + 0.2, u["tstr"], 0.4,
                      label="trained on synthetic rows (TSTR)")
        for bars in (trtr, tstr):
            ax.bar_label(bars, fmt="%.3f", fontsize=8, padding=2)
        top = float(np.nanmax(np.r_[u["trtr"], u["tstr"], 0.0]))
        ax.set_ylim(min(0.0, float(np.nanmin(np.r_[u["trtr"], u["tstr"]]))),
                    top * 1.12 if top > 0 else 1.0)
        names = ["default (histogram gradient boosting)" if e == "default" else e
                 for e in u["estimator"]]
        ax.set_xticks(x, names)
        ax.set_ylabel(f"{u['scoring'].iloc[0]} on the real holdout")
        # below the axes: never over the bars
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  ncol=2, frameon=False)
        ax.set_title("Machine-learning utility")
        fig.tight_layout()
        return fig

    def figures(self):
        """Every figure the computed metrics allow, by name.

        Returns
        -------
        figures : dict of {str: matplotlib Figure}
        """
        self._check()
        figs = {"marginals": self.plot_marginals()}
        if self.schema_.n_columns > 1:
            figs["pairs"] = self.plot_pairs()
        if self.distances_ is not None:
            figs["dcr"] = self.plot_dcr()
        if self.utility_ is not None:
            figs["utility"] = self.plot_utility()
        return figs

    def _frames(self):
        return tuple(self.schema_.decode(Z) for Z in self._codes[:2])

    # --------------------------------------------------------------- html
    def to_html(self, path=None, *, title="Synthetic data quality report",
                figures=True):
        """A self-contained HTML page (tables and PNG figures embedded).

        One section per metric group that was computed (its explanation, its
        figure, its table), after a summary of every scalar metric with its
        ideal value and meaning, and the notes on values that need one.

        Parameters
        ----------
        path : str or Path, default=None
            Where to write the page (also returned).
        title : str
            Page title.
        figures : bool, default=True
            Embed the figures.

        Returns
        -------
        page : str
        """
        self._check()
        esc = html.escape
        n_real, n_synth = len(self._codes[0]), len(self._codes[1])
        sizes = (f"Real (training) table: {n_real} rows, "
                 f"{self.schema_.n_columns} columns; synthetic: {n_synth} rows")
        if len(self._codes) > 2:
            sizes += f"; holdout: {len(self._codes[2])} rows"
        parts = [
            "<!DOCTYPE html><html><head><meta charset='utf-8'>",
            f"<title>{esc(title)}</title><style>",
            "body{font-family:sans-serif;margin:2em;max-width:1100px}",
            "table{border-collapse:collapse;font-size:13px;margin:1em 0}",
            "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}",
            "td.num{text-align:right;font-variant-numeric:tabular-nums}",
            "th{background:#f3f3f3}",
            ".note{background:#fff4d6;border-left:4px solid #e0a800;"
            "padding:0.5em 1em;max-width:60em}",
            "p.what{color:#333;max-width:60em}",
            "img{max-width:100%}</style></head><body>",
            f"<h1>{esc(title)}</h1>",
            f"<p>{esc(sizes)}.</p>",
            "<h2>Summary</h2>",
            _table_html(self.summary_),
        ]
        parts += [f"<p class='note'><b>Note.</b> {esc(n)}</p>" for n in self.notes_]
        figs = self.figures() if figures else {}
        pairs = self.column_pairs_
        if pairs is not None:
            pairs = pairs.sort_values("score", kind="stable").head(30)
        sections = [
            ("marginals", self.column_shapes_), ("pairs", pairs),
            ("dcr", None), ("utility", self.utility_), ("fairness", self.fairness_),
            ("segments", self.segments_),
        ]
        plt = _plt() if figs else None
        for key, table in sections:
            fig = figs.pop(key, None)
            if fig is None and table is None:
                continue
            heading = _FIGURE_TITLES.get(key, key.capitalize())
            parts.append(f"<h2>{esc(heading)}</h2>")
            parts.append(f"<p class='what'>{esc(_SECTION_TEXT[key])}</p>")
            if fig is not None:
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
                plt.close(fig)
                data = base64.b64encode(buf.getvalue()).decode("ascii")
                parts.append(f"<img alt='{esc(heading)}' "
                             f"src='data:image/png;base64,{data}'>")
            if table is not None:
                parts.append(_table_html(table))
        timings = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings_.items())
        parts.append(f"<p><small>Timings: {esc(timings)}</small></p></body></html>")
        page = "\n".join(parts)
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    def __repr__(self):
        if not hasattr(self, "summary_"):
            return "QualityReport(not evaluated)"
        return "QualityReport\n" + self.summary_[["metric", "value"]].to_string(
            index=False)
