"""The sequence section of a report: scores, sequences overlaid, autocorrelation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics._sequence import (
    _mean_acf,
    _panels,
    _value_columns,
    autocorrelation_distance,
    discriminative_score,
    length_similarity,
    sequence_statistic_similarity,
)

__all__ = ["SequenceReport"]


class SequenceReport:
    """Scores and figures comparing synthetic sequences with real ones.

    Parameters
    ----------
    id_column : hashable
        The entity column of both long tables.
    time_column : hashable, default=None
        The time column (rows are sorted by it).
    columns : list, default=None
        Value columns (default: the numeric columns of ``real``).
    max_lag : int, default=10
        Lags of the autocorrelation.
    n_iter : int, default=1000
        Training steps of the discriminator of the discriminative score.
    random_state : int, default=0
        Seed of the scores and of the sequences shown.

    Attributes
    ----------
    scores_ : DataFrame
        One row per score, with its meaning.

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.report import SequenceReport
    >>> real = make_sines(100, n_features=2, random_state=0)
    >>> synth = make_sines(100, n_features=2, random_state=1)
    >>> report = SequenceReport(id_column="id", time_column="time",
    ...                         n_iter=100).evaluate(real, synth)
    >>> report.scores_["score"].tolist()[:2]
    ['discriminative score', 'length similarity']
    >>> fig = report.plot_sequences(n_sequences=3)
    >>> len(fig.axes)  # one panel per value column, then the autocorrelation
    3
    """

    def __init__(
        self,
        *,
        id_column,
        time_column=None,
        columns=None,
        max_lag=10,
        n_iter=1000,
        random_state=0,
    ):
        self.id_column = id_column
        self.time_column = time_column
        self.columns = columns
        self.max_lag = max_lag
        self.n_iter = n_iter
        self.random_state = random_state

    def evaluate(self, real, synthetic):
        """Compute the scores; keep the tables for the figures."""
        kw = {"id_column": self.id_column, "time_column": self.time_column}
        self.real_, self.synthetic_ = real, synthetic
        self.columns_ = _value_columns(
            real, self.id_column, self.time_column, self.columns
        )
        stat, _ = sequence_statistic_similarity(
            real, synthetic, columns=self.columns_, **kw
        )
        rows = [
            (
                "discriminative score",
                discriminative_score(
                    real,
                    synthetic,
                    columns=self.columns_,
                    n_iter=self.n_iter,
                    random_state=self.random_state,
                    **kw,
                ),
                "|accuracy - 0.5| of a GRU telling real from synthetic (0 best)",
            ),
            (
                "length similarity",
                length_similarity(real, synthetic, id_column=self.id_column),
                "1 - total variation distance of the lengths (1 best)",
            ),
            (
                "statistic similarity",
                stat,
                "1 - KS of per-sequence mean, std, min, max (1 best)",
            ),
            (
                "autocorrelation distance",
                autocorrelation_distance(
                    real, synthetic, columns=self.columns_, max_lag=self.max_lag, **kw
                ),
                f"mean |ACF difference| at lags 1-{self.max_lag} (0 best)",
            ),
        ]
        self.scores_ = pd.DataFrame(rows, columns=["score", "value", "meaning"])
        return self

    def _check(self):
        if not hasattr(self, "scores_"):
            raise RuntimeError("Call evaluate(real, synthetic) first.")

    def plot_sequences(self, n_sequences=5):
        """Real and synthetic sequences overlaid (one panel per value column,
        up to 3) and the mean autocorrelation of each table."""
        import matplotlib.pyplot as plt

        self._check()
        cols = self.columns_[:3]
        seqs_r, seqs_s = _panels(
            self.real_, self.synthetic_, self.id_column, self.time_column, cols
        )
        rng = np.random.RandomState(self.random_state)
        fig, axes = plt.subplots(
            1, len(cols) + 1, figsize=(3.6 * (len(cols) + 1), 3), squeeze=False
        )
        axes = axes[0]
        for k, col in enumerate(cols):
            ax = axes[k]
            for seqs, colour, label in (
                (seqs_r, "C0", "real"),
                (seqs_s, "C1", "synthetic"),
            ):
                pick = rng.choice(len(seqs), min(n_sequences, len(seqs)), replace=False)
                for i, j in enumerate(pick):
                    ax.plot(
                        seqs[j][:, k],
                        color=colour,
                        alpha=0.6,
                        lw=1,
                        label=label if i == 0 else None,
                    )
            ax.set_title(str(col))
            ax.set_xlabel("step")
            ax.set_ylabel("scaled value")
        axes[0].legend(fontsize=8)
        ax = axes[-1]
        lags = np.arange(1, self.max_lag + 1)
        for seqs, colour, label in (
            (seqs_r, "C0", "real"),
            (seqs_s, "C1", "synthetic"),
        ):
            acf = np.nanmean(_mean_acf(seqs, self.max_lag), axis=1)
            ax.plot(lags, acf, "o-", color=colour, label=label)
        ax.set_title("mean autocorrelation")
        ax.set_xlabel("lag")
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig
