"""The CPU-fast step model: gradient-boosted trees on lag features.

Every step of a sequence is drawn column by column (a chain): the time gap
first (irregular series), then each temporal column given the entity's static
codes, the step index, the last ``n_lags`` steps (values and gaps) and the
columns already drawn at this step. A numeric column is a
:class:`~sklearn.ensemble.HistGradientBoostingRegressor` of its change since
the previous step (its level at an entity's first step), plus a residual
drawn from the training residuals of rows with a similar prediction; a
categorical column (missing values: one more class) is a
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` whose predicted
probabilities are sampled. Missing values of a numeric column are one more
classifier. Trees handle the NaN lags of the first steps natively.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

from ...utils._random import draw_seed

__all__ = ["TreeSteps"]

_N_BINS = 10  # prediction bins of the residual pools
_MIN_ROWS = 10  # fewer training rows: the mean and its residuals
_LINEAR_LAGS = 2  # lags seen by the linear part of a numeric step


def _informative(X):
    """Feature columns with at least one observed value (trees refuse
    all-missing ones, such as the lags of an entity's first step)."""
    return np.flatnonzero(~np.isnan(X).all(axis=0)) if len(X) else np.arange(0)


def _draw_class(proba, rng):
    u = rng.uniform(size=(len(proba), 1))
    idx = (np.cumsum(proba, axis=1) < u).sum(axis=1)
    return np.minimum(idx, proba.shape[1] - 1)


class _Linear:
    """Least squares on the features: the smooth part of a step (trees
    approximate a smooth function by steps). One fit per frequent pattern of
    missing features (an entity's first steps lack their older lags) on the
    observed ones; rows of rarer patterns use a fit with missing features at
    their mean."""

    _MAX_PATTERNS = 32

    def __init__(self, cols=None):
        self.cols = cols

    def fit(self, X, y):
        if self.cols is not None:
            X = X[:, self.cols]
        self.fill_ = np.nanmean(X, axis=0)
        self.coef_ = self._solve(np.where(np.isnan(X), self.fill_, X), y)
        miss = np.isnan(X)
        keys, inverse, counts = np.unique(
            miss, axis=0, return_inverse=True, return_counts=True
        )
        inverse = inverse.ravel()
        self.patterns_ = {}
        for g in np.argsort(-counts)[: self._MAX_PATTERNS]:
            obs = np.flatnonzero(~keys[g])
            if counts[g] < max(_MIN_ROWS, 2 * (len(obs) + 1)):
                continue
            rows = inverse == g
            self.patterns_[keys[g].tobytes()] = (
                obs,
                self._solve(X[np.ix_(rows, obs)], y[rows]),
            )
        return self

    ridge = 1e-9

    def _solve(self, X, y):
        """Ridge on the centred features (a penalty of ``ridge`` times the
        total variance of each feature: high-order lag fits stay stable)."""
        mean = X.mean(axis=0)
        Xc = X - mean
        G = Xc.T @ Xc
        G[np.diag_indices_from(G)] += self.ridge * np.diag(G) + 1e-12
        w = np.linalg.solve(G, Xc.T @ (y - y.mean()))
        return np.r_[w, y.mean() - mean @ w]

    def predict(self, X):
        if self.cols is not None:
            X = X[:, self.cols]
        miss = np.isnan(X)
        A = np.column_stack([np.where(miss, self.fill_, X), np.ones(len(X))])
        out = A @ self.coef_
        if not self.patterns_ or not len(X):
            return out
        keys, inverse = np.unique(miss, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        for g, key in enumerate(keys):
            found = self.patterns_.get(key.tobytes())
            if found is None:
                continue
            obs, coef = found
            rows = inverse == g
            out[rows] = X[np.ix_(rows, obs)] @ coef[:-1] + coef[-1]
        return out


class _Regression:
    """A linear model, trees on its residuals, and residuals drawn by
    prediction bin."""

    def __init__(self, params, linear_cols=None):
        self.params = params
        self.linear_cols = linear_cols

    def fit(self, X, y, rng):
        self.const_ = None
        self.cols_ = _informative(X)
        self.linear_ = None
        if len(y) < _MIN_ROWS or np.all(y == y[0]) or not len(self.cols_):
            self.model_ = None
            self.const_ = float(np.mean(y)) if len(y) else 0.0
            pred = np.full(len(y), self.const_)
        else:
            Xc = X[:, self.cols_]
            lin = None
            if self.linear_cols is not None:
                keep = np.isin(self.cols_, self.linear_cols)
                lin = np.flatnonzero(keep)
            self.linear_ = _Linear(lin).fit(Xc, y)
            base = self.linear_.predict(Xc)
            self.model_ = HistGradientBoostingRegressor(
                **self.params, random_state=draw_seed(rng)
            ).fit(Xc, y - base)
            pred = base + self.model_.predict(Xc)
        resid = y - pred
        if len(y) == 0:
            resid = np.zeros(1)
            pred = np.zeros(1)
        edges = np.unique(np.quantile(pred, np.linspace(0, 1, _N_BINS + 1)[1:-1]))
        self.edges_ = edges
        bins = np.searchsorted(edges, pred)
        order = np.argsort(bins, kind="stable")
        self.resid_ = resid[order]
        counts = np.bincount(bins, minlength=len(edges) + 1)
        self.starts_ = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.counts_ = counts
        return self

    def predict(self, X):
        if self.model_ is None:
            return np.full(len(X), self.const_)
        Xc = X[:, self.cols_]
        return self.linear_.predict(Xc) + self.model_.predict(Xc)

    def draw(self, X, rng):
        pred = self.predict(X)
        b = np.searchsorted(self.edges_, pred)
        counts = self.counts_[b]
        empty = counts == 0
        if empty.any():  # a bin without training rows: the nearest one's pool
            full = np.flatnonzero(self.counts_)
            b[empty] = full[np.abs(full[None, :] - b[empty, None]).argmin(axis=1)]
            counts = self.counts_[b]
        pick = self.starts_[b] + (rng.uniform(size=len(X)) * counts).astype(np.int64)
        return pred + self.resid_[np.minimum(pick, len(self.resid_) - 1)]


class _Classification:
    """A classifier whose predicted probabilities are sampled."""

    def __init__(self, params):
        self.params = params

    def fit(self, X, y, rng):
        classes, counts = np.unique(y, return_counts=True)
        self.classes_ = classes
        self.cols_ = _informative(X)
        if len(classes) == 1 or not len(self.cols_):
            self.model_ = None
            self.prior_ = counts / counts.sum()
        else:
            self.model_ = HistGradientBoostingClassifier(
                **self.params, random_state=draw_seed(rng)
            ).fit(X[:, self.cols_], y)
        return self

    def proba(self, X):
        if self.model_ is None:
            return np.tile(self.prior_, (len(X), 1))
        return self.model_.predict_proba(X[:, self.cols_])

    def draw(self, X, rng):
        return self.classes_[_draw_class(self.proba(X), rng)]


class _NumericColumn:
    """Missingness, then the level (first step) or the change (later steps)."""

    def __init__(self, params, differences, linear_cols=None):
        self.params = params
        self.differences = differences
        self.linear_cols = linear_cols

    def fit(self, X, y, prev, rng):
        miss = np.isnan(y)
        self.missing_ = None
        if miss.any():
            self.missing_ = _Classification(self.params).fit(X, miss, rng)
        obs = ~miss
        if self.differences:
            delta = obs & ~np.isnan(prev)
        else:
            delta = np.zeros(len(y), bool)
        level = obs & ~delta
        self.level_ = _Regression(self.params, self.linear_cols).fit(
            X[level], y[level], rng
        )
        self.delta_ = None
        if delta.any():
            self.delta_ = _Regression(self.params, self.linear_cols).fit(
                X[delta], y[delta] - prev[delta], rng
            )
        self.all_missing_ = not obs.any()
        return self

    def draw(self, X, prev, rng):
        out = np.full(len(X), np.nan)
        if self.all_missing_:
            return out
        keep = np.ones(len(X), bool)
        if self.missing_ is not None:
            keep = ~self.missing_.draw(X, rng).astype(bool)
        use_delta = (
            keep & ~np.isnan(prev)
            if self.delta_ is not None
            else (np.zeros(len(X), bool))
        )
        use_level = keep & ~use_delta
        if use_level.any():
            out[use_level] = self.level_.draw(X[use_level], rng)
        if use_delta.any():
            out[use_delta] = prev[use_delta] + self.delta_.draw(X[use_delta], rng)
        return out


class _CategoricalColumn:
    def __init__(self, params, n_categories):
        self.params = params
        self.n_categories = n_categories

    def fit(self, X, y, prev, rng):
        y = np.where(np.isnan(y), self.n_categories, y).astype(np.int64)
        self.model_ = _Classification(self.params).fit(X, y, rng)
        return self

    def draw(self, X, prev, rng):
        out = self.model_.draw(X, rng).astype(np.float64)
        out[out == self.n_categories] = np.nan
        return out


class TreeSteps:
    """Step model of :class:`SequenceGenerator` with ``model="tree"``.

    Parameters
    ----------
    n_lags : int
        Previous steps given to every step (0 for unordered rows).
    kinds : list of str
        ``"numeric"`` or ``"categorical"`` per temporal column.
    n_categories : list of int
        Categories of each categorical column (0 for numeric ones).
    model_gaps : bool
        Whether the time gap is a modelled column (irregular series).
    ordered : bool
        Whether the rows of an entity are ordered (the step index and the
        lags are features; numeric columns are modelled by their changes).
    params : dict
        Parameters of the gradient-boosted trees.
    """

    def __init__(self, *, n_lags, kinds, n_categories, model_gaps, ordered, params):
        self.n_lags = n_lags if ordered else 0
        self.kinds = kinds
        self.n_categories = n_categories
        self.model_gaps = model_gaps
        self.ordered = ordered
        self.params = params

    # ------------------------------------------------------------ layout
    def _layout(self, n_static):
        C = len(self.kinds)
        g = int(self.model_gaps)
        self.n_static_ = n_static
        self.lag_width_ = C + g
        self.lag_start_ = n_static + int(self.ordered)
        self.gap_col_ = self.lag_start_ + self.n_lags * self.lag_width_
        self.value_start_ = self.gap_col_ + g
        self.n_features_ = self.value_start_ + C

    def _linear_cols(self):
        """Features of the linear part: all but the lags beyond
        ``_LINEAR_LAGS`` (a high-order linear recursion amplifies the drawn
        residuals; the trees see every lag)."""
        cut = self.lag_start_ + min(self.n_lags, _LINEAR_LAGS) * self.lag_width_
        return np.r_[np.arange(cut), np.arange(self.gap_col_, self.n_features_)]

    def _lag_block(self, values, gaps):
        """``(n, lag_width)`` block of one step: values, then the log gap."""
        if self.model_gaps:
            return np.column_stack([values, gaps])
        return values

    # --------------------------------------------------------------- fit
    def fit(self, panel, log_gaps, rng, bar):
        """Fit every chain element; ``log_gaps`` are the modelled gaps."""
        n = len(panel.values)
        self._layout(panel.static.shape[1])
        X = np.full((n, self.n_features_), np.nan)
        X[:, : self.n_static_] = panel.static[panel.entity]
        if self.ordered:
            X[:, self.n_static_] = panel.step
        cur = self._lag_block(panel.values, log_gaps)
        for lag in range(1, self.n_lags + 1):
            ok = panel.step >= lag
            a = self.lag_start_ + (lag - 1) * self.lag_width_
            X[lag:, a : a + self.lag_width_][ok[lag:]] = cur[:-lag][ok[lag:]]
        if self.model_gaps:
            X[:, self.gap_col_] = log_gaps
        X[:, self.value_start_ :] = panel.values
        self.gap_model_ = None
        if self.model_gaps:
            rows = ~np.isnan(log_gaps)
            self.gap_model_ = _Regression(self.params, self._linear_cols()).fit(
                X[rows, : self.gap_col_], log_gaps[rows], rng
            )
            bar.update(1)
        prev_rows = panel.step >= 1
        self.columns_ = []
        for c, kind in enumerate(self.kinds):
            y = panel.values[:, c]
            prev = np.full(n, np.nan)
            if self.ordered:
                prev[1:][prev_rows[1:]] = y[:-1][prev_rows[1:]]
            if kind == "categorical":
                model = _CategoricalColumn(self.params, self.n_categories[c])
            else:
                model = _NumericColumn(
                    self.params,
                    differences=self.ordered,
                    linear_cols=self._linear_cols(),
                )
            Xc = X[:, : self.value_start_ + c]
            self.columns_.append(model.fit(Xc, y, prev, rng))
            bar.update(1)
        return self

    def n_chain(self):
        return len(self.kinds) + int(self.model_gaps)

    # ------------------------------------------------------------ sample
    def generate(self, static, lengths, fixed, rng, history=None):
        """Draw ``lengths[i]`` steps for every entity ``i``.

        ``fixed`` of shape ``(n, T or 1, C)`` holds codes the steps must take
        (NaN: free; one row: every step of the entity);
        ``history`` = ``(values, log_gaps, n_steps)`` of observed steps to
        continue (padded arrays, the last ``n_steps[i]`` rows of entity ``i``
        being its latest). Returns padded ``values (n, T, C)`` and
        ``log_gaps (n, T)`` (NaN at an entity's first step, without history).
        """
        n, C, k = len(lengths), len(self.kinds), self.n_lags
        T = int(lengths.max()) if n else 0
        t0 = np.zeros(n, dtype=np.int64)
        buf = np.full((n, max(k, 1), self.lag_width_), np.nan)
        prev = np.full((n, C), np.nan)
        if history is not None:
            h_vals, h_gaps, h_len = history
            t0 = h_len.astype(np.int64)
            blocks = np.concatenate([h_vals, h_gaps[:, :, None]], axis=2)
            if not self.model_gaps:
                blocks = blocks[:, :, :C]
            for lag in range(1, k + 1):
                has = h_len >= lag
                idx = np.maximum(h_len - lag, 0)
                buf[has, lag - 1] = blocks[np.flatnonzero(has), idx[has]]
            if self.ordered:
                last = np.maximum(h_len - 1, 0)
                prev = np.where(
                    (h_len >= 1)[:, None], h_vals[np.arange(n), last], np.nan
                )
        out = np.full((n, T, C), np.nan)
        out_gaps = np.full((n, T), np.nan)
        for s in range(T):
            act = np.flatnonzero(lengths > s)
            m = len(act)
            X = np.full((m, self.n_features_), np.nan)
            X[:, : self.n_static_] = static[act]
            if self.ordered:
                X[:, self.n_static_] = t0[act] + s
            if k:
                X[:, self.lag_start_ : self.gap_col_] = buf[act, :k].reshape(m, -1)
            gaps = np.full(m, np.nan)
            if self.model_gaps:
                has_prev = (t0[act] + s) > 0
                if has_prev.any():
                    gaps[has_prev] = self.gap_model_.draw(
                        X[has_prev, : self.gap_col_], rng
                    )
                X[:, self.gap_col_] = gaps
            vals = np.empty((m, C))
            for c, model in enumerate(self.columns_):
                Xc = X[:, : self.value_start_ + c]
                v = model.draw(Xc, prev[act, c], rng)
                f = fixed[act, min(s, fixed.shape[1] - 1), c]
                v = np.where(np.isnan(f), v, f)
                X[:, self.value_start_ + c] = v
                vals[:, c] = v
            out[act, s] = vals
            out_gaps[act, s] = gaps
            if self.ordered:
                prev[act] = vals
            if k:
                buf[act, 1:] = buf[act, :-1]
                buf[act, 0] = self._lag_block(vals, gaps)
        return out, out_gaps
