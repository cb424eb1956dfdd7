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

__all__ = ["QualityReport"]

GROUPS = ("shapes", "pairs", "detection", "precision_recall", "utility", "privacy",
          "fairness")

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
    "demographic_parity_difference": (None, "compare trained on real vs synthetic"),
    "equalized_odds_difference": (None, "compare trained on real vs synthetic"),
}


def _plt():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is installed in CI
        raise ImportError(
            "Plots need matplotlib: pip install 'sksynth[plot]'."
        ) from exc
    return plt


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
        ``"precision_recall"``, ``"utility"``, ``"privacy"``, ``"fairness"``.
        None runs every group that the inputs allow (``utility`` needs
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
                     "utility_", "privacy_", "distances_", "fairness_"):
            setattr(self, attr, None)

        def add(group, name, value):
            ideal, meaning = _IDEAL.get(name, (None, ""))
            rows.append({"group": group, "metric": name, "value": float(value),
                         "ideal": ideal, "meaning": meaning})

        for group in groups:
            start = time.perf_counter()
            if group == "shapes":
                self.column_shapes_ = M.column_shape_table(real, synthetic)
                add(group, "column_shapes", self.column_shapes_["score"].mean())
            elif group == "pairs":
                self.column_pairs_ = M.column_pair_table(real, synthetic)
                add(group, "column_pairs", self.column_pairs_["score"].mean())
            elif group == "detection":
                add(group, "detection_auc", M.detection_auc(
                    real, synthetic, max_samples=ms, random_state=rs))
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
                        add(group, f"{k} [{r['sensitive']}, {r['trained_on']}]",
                            r[k])
            self.timings_[group] = time.perf_counter() - start
        self.summary_ = pd.DataFrame(
            rows, columns=["group", "metric", "value", "ideal", "meaning"])
        return self

    def _check(self):
        if not hasattr(self, "summary_"):
            raise RuntimeError("Call evaluate(real, synthetic) first.")

    # -------------------------------------------------------------- plots
    def plot_marginals(self, n_columns=None):
        """Overlay real and synthetic marginals of the worst columns.

        Parameters
        ----------
        n_columns : int, default=None
            Number of columns (the lowest shape scores first); default
            ``n_worst``.

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
        fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 3 * nrows),
                                 squeeze=False)
        Zr, Zs = self._codes[0], self._codes[1]
        for ax, j, (_, row) in zip(axes.ravel(), positions, worst.iterrows()):
            col = self.schema_.columns[j]
            r, s = Zr[:, j], Zs[:, j]
            if col.kind == "categorical":
                k = col.n_categories
                fr = np.bincount(np.nan_to_num(r, nan=k).astype(int),
                                 minlength=k + 1) / len(r)
                fs = np.bincount(np.nan_to_num(s, nan=k).astype(int),
                                 minlength=k + 1) / len(s)
                labels = [str(c) for c in col.categories] + ["NaN"]
                keep = np.flatnonzero((fr + fs) > 0)[:20]
                x = np.arange(len(keep))
                ax.bar(x - 0.2, fr[keep], 0.4, label="real")
                ax.bar(x + 0.2, fs[keep], 0.4, label="synthetic")
                ax.set_xticks(x, [labels[i] for i in keep], rotation=45,
                              ha="right", fontsize=7)
            else:
                ro, so = r[~np.isnan(r)], s[~np.isnan(s)]
                both = np.concatenate([ro, so])
                lo, hi = np.nanpercentile(both, [0.5, 99.5]) if len(both) else (0, 1)
                if col.is_discrete and hi - lo <= 60:
                    bins = np.arange(np.floor(lo) - 0.5, np.ceil(hi) + 1.5)
                else:
                    bins = np.linspace(lo, hi if hi > lo else lo + 1, 40)
                ax.hist(ro, bins=bins, density=True, alpha=0.5, label="real")
                ax.hist(so, bins=bins, density=True, alpha=0.5, label="synthetic")
            ax.set_title(f"{col.name} (score {row['score']:.2f})", fontsize=9)
            ax.legend(fontsize=7)
        for ax in axes.ravel()[len(positions):]:
            ax.set_visible(False)
        fig.suptitle("Marginals of the worst columns")
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
        ax.set_xlabel("distance to closest record")
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
        fig, ax = plt.subplots(figsize=(max(4, 1.5 * len(u) + 2), 3.5))
        ax.bar(x - 0.2, u["trtr"], 0.4, label="train real, test real")
        ax.bar(x + 0.2, u["tstr"], 0.4, label="train synthetic, test real")
        ax.set_xticks(x, u["estimator"])
        ax.set_ylabel(u["scoring"].iloc[0])
        ax.legend(fontsize=8)
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

        Parameters
        ----------
        path : str or Path, default=None
            Where to write the page (also returned).
        title : str
            Page title.
        figures : bool, default=True
            Embed the figures (needs matplotlib).

        Returns
        -------
        page : str
        """
        self._check()
        esc = html.escape
        parts = [
            "<!DOCTYPE html><html><head><meta charset='utf-8'>",
            f"<title>{esc(title)}</title><style>",
            "body{font-family:sans-serif;margin:2em;max-width:1100px}",
            "table{border-collapse:collapse;font-size:13px;margin:1em 0}",
            "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}",
            "img{max-width:100%}</style></head><body>",
            f"<h1>{esc(title)}</h1>",
            "<h2>Summary</h2>",
            self.summary_.to_html(index=False, float_format=lambda v: f"{v:.4f}",
                                  na_rep=""),
        ]
        sections = [
            ("Column shapes", self.column_shapes_),
            ("Column pairs (worst 30)", None if self.column_pairs_ is None else
             self.column_pairs_.sort_values("score", kind="stable").head(30)),
            ("Utility", self.utility_),
            ("Fairness", self.fairness_),
        ]
        if figures:
            plt = _plt()
            for name, fig in self.figures().items():
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=90)
                plt.close(fig)
                data = base64.b64encode(buf.getvalue()).decode("ascii")
                parts.append(f"<h2>{esc(name.capitalize())}</h2>"
                             f"<img alt='{esc(name)}' "
                             f"src='data:image/png;base64,{data}'>")
        for name, table in sections:
            if table is not None:
                parts.append(f"<h2>{esc(name)}</h2>")
                parts.append(table.to_html(index=False, na_rep="",
                                           float_format=lambda v: f"{v:.4f}"))
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
