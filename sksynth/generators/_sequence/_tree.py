"""The CPU-fast step model: gradient-boosted trees on lag features.

Every step of a sequence is drawn column by column (a chain): the time gap
first (irregular series), then each temporal column given the entity's static
codes, the step index, the last ``n_lags`` steps (values and gaps), the
first and second differences of the numeric lags, and the columns already
drawn at this step. A numeric column is a least-squares fit plus a
:class:`~sklearn.ensemble.HistGradientBoostingRegressor` of its change since
the previous step (its level at an entity's first step), plus a residual
drawn from the training residuals of rows with a similar prediction and as
much history (its rank persisting along the sequence as much as the
training residuals' ranks do), redrawn when the value leaves the range seen
in fit; a
categorical column (missing values: one more class) is a
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` whose predicted
probabilities are sampled. Missing values of a numeric column are one more
classifier. Trees handle the NaN lags of the first steps natively.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

from ...utils._random import draw_seed

__all__ = ["TreeSteps"]

_N_BINS = 10  # prediction bins of the residual pools
_MIN_ROWS = 10  # fewer training rows: the mean and its residuals
_LINEAR_LAGS = 2  # lags seen by the linear part of a numeric step
_REDRAWS = 5  # redraws of a numeric value outside the range seen in fit
_MIN_GROUP = 50  # fewer training rows: the residuals of the nearest group


def _informative(X):
    """Feature columns with at least one observed value (trees refuse
    all-missing ones, such as the lags of an entity's first step)."""
    return np.flatnonzero(~np.isnan(X).all(axis=0)) if len(X) else np.arange(0)


def _sub_chain(chain, rows):
    """``chain`` (previous row of every row, -1: none) within the rows ``rows``
    (a mask): positions among those rows, -1 where the previous row is not one
    of them."""
    if chain is None:
        return None
    pos = np.full(len(chain) + 1, -1)
    pos[:-1][rows] = np.arange(int(rows.sum()))
    return pos[chain[rows]]  # chain -1 reads pos[-1] = -1


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
    """A linear model, trees on its residuals, and residuals drawn from the
    training residuals of the same prediction bin, with persistent ranks.

    The bins are quantiles of the prediction within each ``group`` (the
    number of previous steps a row has, up to ``n_lags``): the errors of an
    entity's first steps, with less history, are not those of later steps.
    The rank of the drawn residual within its bin follows a Gaussian AR(1)
    along the entity's steps, with the lag-1 correlation of the normal scores
    of the training residuals' ranks (``chain``): a model error that persists
    along a sequence (a curvature the features miss) stays persistent, white
    noise stays white. (A scale model of the residuals, trees on their log
    square, was tried: it made the Sines discriminative score worse.)
    """

    def __init__(self, params, linear_cols=None):
        self.params = params
        self.linear_cols = linear_cols

    def fit(self, X, y, rng, chain=None, group=None):
        """``chain[i]``: training row of row ``i``'s previous step, or -1;
        ``group[i]``: its residual group (default: one)."""
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
        z = y - pred
        if len(y) == 0:
            z, pred = np.zeros(1), np.zeros(1)
        if group is None or len(group) != len(z):
            group = np.zeros(len(z), dtype=np.int64)
        kept, sizes = np.unique(group, return_counts=True)
        big = kept[sizes >= _MIN_GROUP]
        self.groups_ = big if len(big) else kept[np.argmax(sizes)][None]
        group = self._group(group)
        self.edges_, self.offsets_ = {}, {}
        bins = np.empty(len(z), dtype=np.int64)
        total = 0
        for g in self.groups_:
            rows = group == g
            q = np.quantile(pred[rows], np.linspace(0, 1, _N_BINS + 1)[1:-1])
            self.edges_[g] = np.unique(q)
            self.offsets_[g] = total
            bins[rows] = total + np.searchsorted(self.edges_[g], pred[rows])
            total += len(self.edges_[g]) + 1
        order = np.lexsort((z, bins))  # by bin, then by value: ranks
        self.resid_ = z[order]
        counts = np.bincount(bins, minlength=total)
        self.starts_ = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.counts_ = counts
        self.rho_ = 0.0
        if chain is not None and len(y) == len(chain):
            rank = np.empty(len(z))
            rank[order] = np.arange(len(z)) - self.starts_[bins[order]]
            score = ndtri((rank + 0.5) / counts[bins])
            has = chain >= 0
            if has.sum() > _MIN_ROWS:
                a, b = score[has], score[chain[has]]
                if a.std() > 0 and b.std() > 0:
                    self.rho_ = float(np.clip(np.corrcoef(a, b)[0, 1], 0, 0.99))
        return self

    def predict(self, X):
        if self.model_ is None:
            return np.full(len(X), self.const_)
        Xc = X[:, self.cols_]
        return self.linear_.predict(Xc) + self.model_.predict(Xc)

    def _group(self, group):
        """Groups mapped onto the fitted ones (rare ones: the nearest)."""
        near = np.abs(group[:, None] - self.groups_[None, :]).argmin(axis=1)
        return self.groups_[near]

    def _bins(self, pred, group):
        group = self._group(group)
        b = np.empty(len(pred), dtype=np.int64)
        for g in np.unique(group):
            rows = group == g
            b[rows] = self.offsets_[g] + np.searchsorted(self.edges_[g], pred[rows])
        return b

    def draw(self, X, rng, state=None, group=None):
        """Values for the rows of ``X`` and the normal scores of their
        residuals' ranks (``state``: those of the previous steps, NaN: none)."""
        pred = self.predict(X)
        if group is None:
            group = np.full(len(X), self.groups_[0])
        b = self._bins(pred, group)
        counts = self.counts_[b]
        empty = counts == 0
        if empty.any():  # a bin without training rows: the nearest one's pool
            full = np.flatnonzero(self.counts_)
            b[empty] = full[np.abs(full[None, :] - b[empty, None]).argmin(axis=1)]
            counts = self.counts_[b]
        g = rng.normal(size=len(X))
        if state is not None:
            rho = self.rho_
            persist = rho * np.nan_to_num(state) + np.sqrt(1 - rho**2) * g
            g = np.where(np.isnan(state), g, persist)
        pick = self.starts_[b] + (ndtr(g) * counts).astype(np.int64)
        z = self.resid_[np.minimum(pick, len(self.resid_) - 1)]
        return pred + z, g


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

    def fit(self, X, y, prev, rng, chain=None, group=None):
        miss = np.isnan(y)
        if group is None:
            group = np.zeros(len(y), dtype=np.int64)
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
            X[level], y[level], rng, _sub_chain(chain, level), group[level]
        )
        self.delta_ = None
        if delta.any():
            self.delta_ = _Regression(self.params, self.linear_cols).fit(
                X[delta],
                y[delta] - prev[delta],
                rng,
                _sub_chain(chain, delta),
                group[delta],
            )
        self.all_missing_ = not obs.any()
        self.low_ = float(y[obs].min()) if obs.any() else np.nan
        self.high_ = float(y[obs].max()) if obs.any() else np.nan
        return self

    def _bounded(self, model, X, base, rng, state, group):
        """``base`` + draws of ``model`` within the range seen in fit: draws
        outside it are redrawn (``_REDRAWS`` times), then clipped."""
        v, g = model.draw(X, rng, state, group)
        v = base + v
        for _ in range(_REDRAWS):
            out = (v < self.low_) | (v > self.high_)
            if not out.any():
                break
            v2, g2 = model.draw(X[out], rng, state[out], group[out])
            v[out], g[out] = base[out] + v2, g2
        return np.clip(v, self.low_, self.high_), g

    def draw(self, X, prev, rng, state, group):
        """Values, and ``state`` (level, change: normal scores of the last
        residual ranks) updated."""
        out = np.full(len(X), np.nan)
        state = state.copy()
        if self.all_missing_:
            return out, state
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
            out[use_level], state[use_level, 0] = self._bounded(
                self.level_,
                X[use_level],
                np.zeros(use_level.sum()),
                rng,
                state[use_level, 0],
                group[use_level],
            )
        if use_delta.any():
            out[use_delta], state[use_delta, 1] = self._bounded(
                self.delta_,
                X[use_delta],
                prev[use_delta],
                rng,
                state[use_delta, 1],
                group[use_delta],
            )
        return out, state


class _CategoricalColumn:
    def __init__(self, params, n_categories):
        self.params = params
        self.n_categories = n_categories

    def fit(self, X, y, prev, rng, chain=None, group=None):
        y = np.where(np.isnan(y), self.n_categories, y).astype(np.int64)
        self.model_ = _Classification(self.params).fit(X, y, rng)
        return self

    def draw(self, X, prev, rng, state, group):
        out = self.model_.draw(X, rng).astype(np.float64)
        out[out == self.n_categories] = np.nan
        return out, state


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
        # first and second differences of every numeric column's lags
        self.numeric_ = np.array(
            [c for c, kind in enumerate(self.kinds) if kind == "numeric"], dtype=int
        )
        self.n_diffs_ = min(max(self.n_lags - 1, 0), 2)
        self.diff_start_ = self.lag_start_ + self.n_lags * self.lag_width_
        self.gap_col_ = self.diff_start_ + self.n_diffs_ * len(self.numeric_)
        self.value_start_ = self.gap_col_ + g
        self.n_features_ = self.value_start_ + C

    def _linear_cols(self):
        """Features of the linear part: all but the lags beyond
        ``_LINEAR_LAGS`` and the differences (a high-order linear recursion
        amplifies the drawn residuals; the trees see every lag)."""
        cut = self.lag_start_ + min(self.n_lags, _LINEAR_LAGS) * self.lag_width_
        return np.r_[np.arange(cut), np.arange(self.gap_col_, self.n_features_)]

    def _fill_diffs(self, X):
        """Differences of the lags, from the lag block of ``X`` (in place)."""
        if not self.n_diffs_ or not len(self.numeric_):
            return
        w, a = self.lag_width_, self.lag_start_

        def lag(k):
            return X[:, a + (k - 1) * w + self.numeric_]

        d1 = lag(1) - lag(2)
        k = len(self.numeric_)
        X[:, self.diff_start_ : self.diff_start_ + k] = d1
        if self.n_diffs_ == 2:
            X[:, self.diff_start_ + k : self.gap_col_] = d1 - (lag(2) - lag(3))

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
        self._fill_diffs(X)
        if self.model_gaps:
            X[:, self.gap_col_] = log_gaps
        X[:, self.value_start_ :] = panel.values
        # previous row of every row within its entity (rows in (entity, step)
        # order): the residual ranks persist along it
        chain = (
            np.where(panel.step >= 1, np.arange(n) - 1, -1) if self.ordered else None
        )
        # residual groups: the number of previous steps, up to n_lags
        group = np.minimum(panel.step, self.n_lags) if self.ordered else None
        self.gap_model_ = None
        if self.model_gaps:
            rows = ~np.isnan(log_gaps)
            self.gap_model_ = _Regression(self.params, self._linear_cols()).fit(
                X[rows, : self.gap_col_],
                log_gaps[rows],
                rng,
                _sub_chain(chain, rows),
                group[rows],
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
            self.columns_.append(model.fit(Xc, y, prev, rng, chain, group))
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
        states = np.full((n, C, 2), np.nan)  # residual ranks (level, change)
        gap_state = np.full(n, np.nan)
        for s in range(T):
            act = np.flatnonzero(lengths > s)
            m = len(act)
            X = np.full((m, self.n_features_), np.nan)
            X[:, : self.n_static_] = static[act]
            if self.ordered:
                X[:, self.n_static_] = t0[act] + s
            if k:
                X[:, self.lag_start_ : self.diff_start_] = buf[act, :k].reshape(m, -1)
                self._fill_diffs(X)
            gaps = np.full(m, np.nan)
            group = np.minimum(t0[act] + s, k) if self.ordered else np.zeros(m, int)
            if self.model_gaps:
                has_prev = (t0[act] + s) > 0
                if has_prev.any():
                    rows = act[has_prev]
                    gaps[has_prev], gap_state[rows] = self.gap_model_.draw(
                        X[has_prev, : self.gap_col_],
                        rng,
                        gap_state[rows],
                        group[has_prev],
                    )
                X[:, self.gap_col_] = gaps
            vals = np.empty((m, C))
            for c, model in enumerate(self.columns_):
                Xc = X[:, : self.value_start_ + c]
                v, states[act, c] = model.draw(
                    Xc, prev[act, c], rng, states[act, c], group
                )
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
