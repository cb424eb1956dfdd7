"""Metrics of multi-sequence data (long-format tables, one row per step).

Every function takes ``real`` and ``synthetic`` long tables with the same
columns, the ``id_column`` and (for ordered series) the ``time_column``.
The value columns are the numeric columns other than the id and the time
(or ``columns``), min-max scaled by the range of ``real`` (as TimeGAN does);
missing values count as 0 after scaling.

- :func:`discriminative_score`: TimeGAN's post-hoc discriminator, a GRU
  trained to tell real from synthetic sequences; ``|accuracy - 0.5|`` on
  held-out sequences (0 is best).
- :func:`predictive_score`: TimeGAN's "train on synthetic, test on real": a
  GRU trained on the synthetic sequences predicts the next step of the last
  value column from the other columns; its mean absolute error on the real
  sequences (compare with the same model trained on real data).
- :func:`length_similarity`, :func:`sequence_statistic_similarity`,
  :func:`autocorrelation_distance`.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype
from sklearn.utils import check_random_state

from ..utils._random import draw_seed

__all__ = [
    "autocorrelation_distance",
    "discriminative_score",
    "length_similarity",
    "predictive_score",
    "sequence_statistic_similarity",
    "sequence_statistics",
]


def _value_columns(real, id_column, time_column, columns):
    if columns is not None:
        cols = list(columns)
        missing = [c for c in cols if c not in real.columns]
        if missing:
            raise ValueError(f"columns {missing} are not columns of real.")
        return cols
    skip = {id_column, time_column}
    cols = [
        c
        for c in real.columns
        if c not in skip and is_numeric_dtype(real[c]) and not is_bool_dtype(real[c])
    ]
    if not cols:
        raise ValueError(
            "real has no numeric value column besides the id and time columns."
        )
    return cols


def _check_frames(real, synthetic, id_column, time_column):
    for name, df in (("real", real), ("synthetic", synthetic)):
        if not isinstance(df, pd.DataFrame):
            raise TypeError(
                f"{name} must be a long-format DataFrame, got {type(df).__name__}."
            )
        for col in (id_column, time_column):
            if col is not None and col not in df.columns:
                raise ValueError(f"{name} has no column {col!r}.")


def _split(df, id_column, time_column, cols, low, span):
    keys = [id_column] if time_column is None else [id_column, time_column]
    df = df.sort_values(keys, kind="stable")
    values = (df[cols].to_numpy(dtype=float) - low) / span
    values = np.nan_to_num(values, nan=0.0)
    codes, _ = pd.factorize(df[id_column])
    bounds = np.flatnonzero(np.diff(codes)) + 1
    return np.split(values, bounds)


def _panels(real, synthetic, id_column, time_column, columns):
    _check_frames(real, synthetic, id_column, time_column)
    cols = _value_columns(real, id_column, time_column, columns)
    vr = real[cols].to_numpy(dtype=float)
    low = np.nanmin(vr, axis=0)
    span = np.nanmax(vr, axis=0) - low
    span[~(span > 0)] = 1.0
    return (
        _split(real, id_column, time_column, cols, low, span),
        _split(synthetic, id_column, time_column, cols, low, span),
    )


def _pad(seqs):
    lengths = np.array([len(s) for s in seqs])
    d = seqs[0].shape[1]
    out = np.zeros((len(seqs), lengths.max(), d), dtype=np.float32)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out, lengths


def _check_positive(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")


class _GRU:
    """A small GRU trained with Adam on padded sequences (torch)."""

    def __init__(self, d_in, d_out, hidden, per_step):
        import torch
        from torch import nn

        self.torch = torch
        self.rnn = nn.GRU(d_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, d_out)
        self.per_step = per_step
        self.params = list(self.rnn.parameters()) + list(self.head.parameters())

    def forward(self, X, lengths):
        torch = self.torch
        if bool((lengths == X.shape[1]).all()):  # equal lengths: no packing
            out, h = self.rnn(X)
            return self.head(out) if self.per_step else self.head(h[-1])
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            X, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        out, h = self.rnn(packed)
        if self.per_step:
            out, _ = torch.nn.utils.rnn.pad_packed_sequence(
                out, batch_first=True, total_length=X.shape[1]
            )
            return self.head(out)
        return self.head(h[-1])

    def train(self, X, lengths, target, loss_fn, n_iter, batch_size, rng):
        torch = self.torch
        opt = torch.optim.Adam(self.params)
        n = len(X)
        for _ in range(n_iter):
            idx = torch.as_tensor(rng.randint(n, size=min(batch_size, n)))
            opt.zero_grad()
            loss = loss_fn(
                self.forward(X[idx], lengths[idx]), target[idx], lengths[idx]
            )
            loss.backward()
            opt.step()


def discriminative_score(
    real,
    synthetic,
    *,
    id_column,
    time_column=None,
    columns=None,
    hidden_size=None,
    n_iter=2000,
    batch_size=128,
    test_size=0.2,
    random_state=None,
):
    """TimeGAN's discriminative score: ``|accuracy - 0.5|`` of a GRU classifier.

    A one-layer GRU (``hidden_size`` units, default half the number of value
    columns as in TimeGAN, at least 1) reads each whole sequence and predicts
    whether it is real; the larger table is subsampled to the size of the
    smaller, and the GRU is trained for ``n_iter`` Adam steps on
    ``1 - test_size`` of the sequences of each table and scored on the rest.

    Parameters
    ----------
    real, synthetic : DataFrame
        Long tables with the same columns.
    id_column : hashable
        The entity column.
    time_column : hashable, default=None
        The time column (rows are sorted by it); ``None`` keeps row order.
    columns : list, default=None
        Value columns (default: the numeric columns of ``real``).
    hidden_size : int, default=None
        GRU units (``None``: ``max(1, n_columns // 2)``).
    n_iter : int, default=2000
        Training steps.
    batch_size : int, default=128
        Sequences per step.
    test_size : float, default=0.2
        Share of each table's sequences held out for the accuracy.
    random_state : int, RandomState instance or None, default=None
        Seeds the split, the weights and the batches.

    Returns
    -------
    score : float
        In ``[0, 0.5]``; 0 when the classifier does no better than chance.

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.metrics import discriminative_score
    >>> a = make_sines(200, n_features=2, random_state=0)
    >>> b = make_sines(200, n_features=2, random_state=1)
    >>> b[["x0", "x1"]] = 1 - b[["x0", "x1"]]  # upside down
    >>> s = discriminative_score(a, b, id_column="id", time_column="time",
    ...                          n_iter=600, random_state=0)
    >>> bool(s > 0.3)
    True
    """
    import torch

    _check_positive(n_iter, "n_iter")
    _check_positive(batch_size, "batch_size")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}.")
    rng = check_random_state(random_state)
    seqs_r, seqs_s = _panels(real, synthetic, id_column, time_column, columns)
    # equal numbers of real and synthetic sequences (chance accuracy is 0.5)
    m = min(len(seqs_r), len(seqs_s))
    seqs_r = [seqs_r[i] for i in np.sort(rng.choice(len(seqs_r), m, replace=False))]
    seqs_s = [seqs_s[i] for i in np.sort(rng.choice(len(seqs_s), m, replace=False))]
    seqs = seqs_r + seqs_s
    labels = np.r_[np.ones(len(seqs_r)), np.zeros(len(seqs_s))].astype(np.float32)
    test = np.zeros(len(seqs), bool)
    for part in (np.arange(len(seqs_r)), len(seqs_r) + np.arange(len(seqs_s))):
        k = max(1, int(round(test_size * len(part))))
        test[rng.choice(part, size=k, replace=False)] = True
    X, lengths = _pad(seqs)
    d = X.shape[2]
    hidden = hidden_size or max(1, d // 2)
    with torch.random.fork_rng():
        torch.manual_seed(draw_seed(rng))
        model = _GRU(d, 1, hidden, per_step=False)
        Xt, Lt = torch.as_tensor(X), torch.as_tensor(lengths)
        yt = torch.as_tensor(labels)
        bce = torch.nn.BCEWithLogitsLoss()

        def loss_fn(out, target, _):
            return bce(out[:, 0], target)

        tr = torch.as_tensor(np.flatnonzero(~test))
        model.train(Xt[tr], Lt[tr], yt[tr], loss_fn, n_iter, batch_size, rng)
        te = torch.as_tensor(np.flatnonzero(test))
        with torch.no_grad():
            pred = (model.forward(Xt[te], Lt[te])[:, 0] > 0).numpy()
    acc = float(np.mean(pred == labels[test].astype(bool)))
    return abs(acc - 0.5)


def predictive_score(
    real,
    synthetic,
    *,
    id_column,
    time_column=None,
    columns=None,
    hidden_size=None,
    n_iter=5000,
    batch_size=128,
    random_state=None,
):
    """TimeGAN's predictive score: train on synthetic, test on real.

    A one-layer GRU reads the value columns but the last at steps
    ``0..T-2`` and predicts the last value column at steps ``1..T-1``
    (``columns`` orders them; the target is the last). It is trained on the
    sequences of ``synthetic`` for ``n_iter`` Adam steps (absolute error) and
    its mean absolute error is measured on every sequence of ``real`` (scaled
    by the range of ``real``). The reference is the same score of a model
    trained on other real sequences, ``predictive_score(real_test,
    real_train, ...)``. Needs at least two value columns and sequences of
    two steps.

    Parameters
    ----------
    real, synthetic : DataFrame
        Long tables with the same columns.
    id_column, time_column, columns, hidden_size, batch_size, random_state
        As in :func:`discriminative_score`.
    n_iter : int, default=5000
        Training steps.

    Returns
    -------
    mae : float
        Mean absolute error on ``real`` (lower is better).

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.metrics import predictive_score
    >>> a = make_sines(100, n_features=2, random_state=0)
    >>> b = make_sines(100, n_features=2, random_state=1)
    >>> mae = predictive_score(a, b, id_column="id", time_column="time",
    ...                        n_iter=1000, random_state=0)
    >>> bool(mae < 0.3)
    True
    """
    import torch

    _check_positive(n_iter, "n_iter")
    _check_positive(batch_size, "batch_size")
    rng = check_random_state(random_state)
    seqs_r, seqs_s = _panels(real, synthetic, id_column, time_column, columns)
    if seqs_r[0].shape[1] < 2:
        raise ValueError(
            "predictive_score needs at least two value columns (the others "
            "predict the last)."
        )
    seqs_r = [s for s in seqs_r if len(s) >= 2]
    seqs_s = [s for s in seqs_s if len(s) >= 2]
    if not seqs_r or not seqs_s:
        raise ValueError("predictive_score needs sequences of at least 2 steps.")

    def tensors(seqs):
        X, lengths = _pad(seqs)
        inp = torch.as_tensor(X[:, :-1, :-1])
        target = torch.as_tensor(X[:, 1:, -1:])
        return inp, torch.as_tensor(lengths - 1), target

    d = seqs_r[0].shape[1] - 1
    hidden = hidden_size or max(1, (d + 1) // 2)

    def mae(out, target, lengths):
        mask = (torch.arange(out.shape[1])[None, :] < lengths[:, None]).float()
        err = (out - target).abs()[:, :, 0] * mask
        return err.sum() / mask.sum()

    with torch.random.fork_rng():
        torch.manual_seed(draw_seed(rng))
        model = _GRU(d, 1, hidden, per_step=True)
        Xs, Ls, Ys = tensors(seqs_s)
        model.train(Xs, Ls, Ys, mae, n_iter, batch_size, rng)
        Xr, Lr, Yr = tensors(seqs_r)
        with torch.no_grad():
            return float(mae(model.forward(Xr, Lr), Yr, Lr))


def length_similarity(real, synthetic, *, id_column):
    """One minus the total variation distance of the sequence lengths.

    Parameters
    ----------
    real, synthetic : DataFrame
        Long tables.
    id_column : hashable
        The entity column.

    Returns
    -------
    similarity : float
        1 when the length distributions are equal, 0 when disjoint.

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.metrics import length_similarity
    >>> a = make_sines(10, seq_len=24, random_state=0)
    >>> b = make_sines(10, seq_len=12, random_state=0)
    >>> length_similarity(a, a, id_column="id"), length_similarity(a, b, id_column="id")
    (1.0, 0.0)
    """
    _check_frames(real, synthetic, id_column, None)
    lr = real.groupby(id_column, sort=False).size().value_counts(normalize=True)
    ls = synthetic.groupby(id_column, sort=False).size().value_counts(normalize=True)
    both = lr.index.union(ls.index)
    tvd = 0.5 * np.abs(lr.reindex(both, fill_value=0) - ls.reindex(both, fill_value=0))
    return float(1 - tvd.sum())


_STATISTICS = ("mean", "std", "min", "max")


def sequence_statistics(df, *, id_column, columns, statistics=_STATISTICS):
    """Per-sequence statistics of the value columns (one row per entity).

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.metrics import sequence_statistics
    >>> stats = sequence_statistics(make_sines(3, n_features=1, random_state=0),
    ...                             id_column="id", columns=["x0"])
    >>> stats.shape
    (3, 4)
    """
    out = df.groupby(id_column, sort=False)[list(columns)].agg(list(statistics))
    out.columns = [f"{c}_{s}" for c, s in out.columns]
    return out.reset_index(drop=True)


def sequence_statistic_similarity(
    real,
    synthetic,
    *,
    id_column,
    time_column=None,
    columns=None,
    statistics=_STATISTICS,
):
    """One minus the Kolmogorov-Smirnov statistic of per-sequence statistics.

    For every value column and statistic (mean, std, min, max over the steps
    of a sequence), the distribution over real sequences is compared with the
    distribution over synthetic ones (two-sample KS statistic); the result
    is ``1 - KS`` for each, and their mean.

    Parameters
    ----------
    real, synthetic : DataFrame
        Long tables with the same columns.
    id_column : hashable
        The entity column.
    time_column : hashable, default=None
        The time column (not a value column).
    columns : list, default=None
        Value columns (default: the numeric columns of ``real``).
    statistics : tuple of str, default=("mean", "std", "min", "max")
        pandas aggregations computed per sequence.

    Returns
    -------
    mean : float
        Mean similarity (1 is best).
    table : Series
        Similarity per ``column_statistic``.

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.metrics import sequence_statistic_similarity
    >>> a = make_sines(300, n_features=1, random_state=0)
    >>> b = make_sines(300, n_features=1, random_state=1)
    >>> mean, table = sequence_statistic_similarity(a, b, id_column="id",
    ...                                             time_column="time")
    >>> bool(mean > 0.85), len(table)
    (True, 4)
    """
    from scipy.stats import ks_2samp

    _check_frames(real, synthetic, id_column, time_column)
    cols = _value_columns(real, id_column, time_column, columns)
    sr = sequence_statistics(
        real, id_column=id_column, columns=cols, statistics=statistics
    )
    ss = sequence_statistics(
        synthetic, id_column=id_column, columns=cols, statistics=statistics
    )
    sim = {}
    for name in sr.columns:
        a, b = sr[name].dropna(), ss[name].dropna()
        sim[name] = (
            0.0 if not len(a) or not len(b) else float(1 - ks_2samp(a, b).statistic)
        )
    table = pd.Series(sim, name="similarity")
    return float(table.mean()), table


def _mean_acf(seqs, max_lag):
    """Mean autocorrelation at lags 1..max_lag over the sequences, per column."""
    d = seqs[0].shape[1]
    num = np.zeros((max_lag, d))
    cnt = np.zeros((max_lag, d))
    for s in seqs:
        x = s - s.mean(axis=0)
        var = (x**2).sum(axis=0)
        ok = var > 0
        for lag in range(1, min(max_lag, len(s) - 1) + 1):
            r = (x[lag:] * x[:-lag]).sum(axis=0) / np.where(ok, var, 1)
            num[lag - 1, ok] += r[ok]
            cnt[lag - 1, ok] += 1
    return np.where(cnt > 0, num / np.maximum(cnt, 1), np.nan)


def autocorrelation_distance(
    real,
    synthetic,
    *,
    id_column,
    time_column=None,
    columns=None,
    max_lag=10,
):
    """Mean absolute difference of the average autocorrelation functions.

    For every value column, the autocorrelation at lags ``1..max_lag`` is
    averaged over the sequences of each table; the result is the mean
    absolute difference between real and synthetic over lags and columns.

    Returns
    -------
    distance : float
        0 when the average autocorrelations agree (at most 2).

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.metrics import autocorrelation_distance
    >>> a = make_sines(100, n_features=2, random_state=0)
    >>> b = make_sines(100, n_features=2, random_state=1)
    >>> bool(autocorrelation_distance(a, b, id_column="id", time_column="time")
    ...      < 0.05)
    True
    """
    _check_positive(max_lag, "max_lag")
    seqs_r, seqs_s = _panels(real, synthetic, id_column, time_column, columns)
    diff = np.abs(_mean_acf(seqs_r, max_lag) - _mean_acf(seqs_s, max_lag))
    return float(np.nanmean(diff)) if np.isfinite(diff).any() else float("nan")
