"""Gaussian copula generator."""

from __future__ import annotations

import numbers
from dataclasses import replace

import numpy as np
from scipy.special import ndtri
from scipy.stats import truncnorm
from sklearn.utils._param_validation import Interval, StrOptions

from .._conditioning import condition_groups
from ..base import BaseGenerator
from ..constraints._enforce import RULE_PARAMETERS_DOC
from ..preprocessing import TableEncoder
from ..preprocessing._align import encode_prior
from ..preprocessing._column_encoders import (
    GaussianInterval,
    QuantileGaussian,
    Standardizer,
)
from ..utils._docstring import fill_doc

__all__ = ["GaussianCopulaGenerator"]

_CHUNK = 65536
_MARGINALS = {"empirical": "quantile", "normal": "standard"}


# Grid points of the merged numeric histograms of a partitioned fit.
_N_GRID = 4096


def _correlation_in_place(L):
    """Correlation matrix of the columns of L, standardising L in place."""
    L -= L.mean(axis=0)
    sd = np.sqrt(np.einsum("ij,ij->j", L, L) / len(L))
    sd[sd == 0] = 1.0
    L /= sd
    corr = (L.T @ L) / len(L)
    return np.clip(corr, -1.0, 1.0)


def _psd_sqrt(S):
    """A matrix square root of a symmetric PSD matrix (robust to singularity)."""
    w, V = np.linalg.eigh((S + S.T) / 2)
    return V * np.sqrt(np.clip(w, 0, None))


@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class GaussianCopulaGenerator(BaseGenerator):
    """Gaussian copula over a mixed-type table, with exact native conditioning.

    Every column is mapped to a standard normal latent variable: numeric and
    datetime columns through their smoothed empirical CDF (point masses, such
    as a column that is mostly zeros, keep their mass), categorical columns
    (and missing-value indicators) through an interval of the latent variable
    whose probability is the category's frequency. A correlation matrix of the
    latent variables ties the columns together; categories are laid out along
    the first principal component of the numeric columns so that their
    association with numeric columns survives.

    Conditioning is native: numeric values are fixed through the Gaussian
    conditional distribution; categorical values (and numeric point masses)
    restrict their latent variable to an interval, drawn from the truncated
    conditional normal (exactly for one such condition, by a Gibbs sampler with
    ``n_gibbs_sweeps`` sweeps for several). There is no rejection step.

    Parameters
    ----------
    marginals : {"empirical", "normal"}, default="empirical"
        Numeric marginals: smoothed empirical CDF, or a normal distribution
        fitted by mean and standard deviation.
    n_quantiles : int, default=1000
        Quantiles stored per numeric column (the smoothing of the empirical
        CDF).
    n_gibbs_sweeps : int, default=20
        Gibbs sweeps used when several interval conditions apply to one row.
    class_conditional : bool, default=True
        When ``fit`` is given a categorical ``y``, also fit one copula per
        class (its own marginals and correlations), used for unconditioned
        draws and for draws conditioned on the class; conditions that leave
        the class free use the joint copula. This is what makes class
        conditional generation (over-sampling) faithful when the classes
        differ in shape, not just in location.
    shrinkage : float, default=10.0
        Latent correlations are shrunk toward independence by the weight
        ``shrinkage / (n + shrinkage)`` for a model fitted on ``n`` rows, which
        keeps copulas of tiny classes (2-5 rows) well defined.
    prior : DataFrame, array-like or tuple ``(X_related, y_related)``, \
            default=None
        A related table the copula borrows from (transfer from related
        data), weighing ``prior_weight`` times the rows given to ``fit``
        (per class for the class copulas, with the related rows of that
        class): the marginals are pooled (category shares counted over both
        tables, numeric marginals the weighted mixture of both empirical
        CDFs; the fitted table's columns and missing-value states are kept),
        the related rows are mapped through these marginals and each latent
        correlation is the weighted average of both tables'. Columns are
        matched by name (see
        :func:`~sksynth.preprocessing.encode_related`); a related cell
        outside the fitted table's domain (a column or category it lacks)
        leaves the correlations of its column to the fitted table.
        ``None``: no prior.
    prior_weight : float, default=1.0
        Weight of the related table, in multiples of the fitted table's
        rows (0: no prior).
    random_state : int, RandomState instance or None, default=None
        Seed for fitting (the latent jitter of ties) and for ``sample``.
    {rule_params}

    Attributes
    ----------
    schema_ : TableSchema
        Column types, categories and dtypes seen in ``fit``.
    encoder_ : TableEncoder
        The encoding into latent normal variables.
    correlation_ : ndarray of shape (n_latent, n_latent)
        Correlation matrix of the latent variables (joint copula).
    class_copulas_ : dict or None
        Per-class copulas, keyed by class code, when ``class_conditional``.
    prior_rows_ : int
        Rows of the related table used as prior (0 without ``prior``).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    See Also
    --------
    sksynth.samplers.GenerativeOverSampler : oversample with any generator.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> df = pd.DataFrame({"age": [23, 35, 47, 51, 62, 29],
    ...                    "plan": ["a", "b", "b", "a", "b", "a"]})
    >>> gen = GaussianCopulaGenerator(random_state=0).fit(df)
    >>> synth = gen.sample(4, conditions={"plan": "b"}, random_state=0)
    >>> synth.dtypes.astype(str).tolist()
    ['int64', 'str']
    >>> synth["plan"].tolist()
    ['b', 'b', 'b', 'b']

    Shrunk toward the dependence of a related table:

    >>> related = pd.DataFrame({"age": [25, 40, 61, 33] * 50,
    ...                         "plan": ["a", "b", "b", "a"] * 50})
    >>> gen = GaussianCopulaGenerator(prior=related, random_state=0).fit(df)
    >>> gen.prior_rows_
    200
    """

    _parameter_constraints: dict = {
        "marginals": [StrOptions(set(_MARGINALS))],
        "n_quantiles": [Interval(numbers.Integral, 2, None, closed="left")],
        "n_gibbs_sweeps": [Interval(numbers.Integral, 1, None, closed="left")],
        "class_conditional": ["boolean"],
        "shrinkage": [Interval(numbers.Real, 0, None, closed="left")],
        "prior": ["array-like", None],
        "prior_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }
    _native_conditioning = True

    def __init__(
        self,
        *,
        marginals="empirical",
        n_quantiles=1000,
        n_gibbs_sweeps=20,
        class_conditional=True,
        shrinkage=10.0,
        prior=None,
        prior_weight=1.0,
        random_state=None,
        constraints=None,
        schema=None,
    ):
        self.marginals = marginals
        self.n_quantiles = n_quantiles
        self.n_gibbs_sweeps = n_gibbs_sweeps
        self.class_conditional = class_conditional
        self.shrinkage = shrinkage
        self.prior = prior
        self.prior_weight = prior_weight
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {"random_state": 0}

    def _prior_codes(self):
        """``(codes, in-domain mask)`` of the related table, or None."""
        self.prior_rows_ = 0
        if self.prior is None or self.prior_weight == 0:
            return None
        Zp, inside = encode_prior(self.schema_, self.prior, "correlations")
        self.prior_rows_ = len(Zp)
        return Zp, inside

    def _fit(self, Z, random_state):
        prior = self._prior_codes()
        self.copula_ = _Copula(self).fit(Z, self.schema_, random_state, prior=prior)
        self.encoder_ = self.copula_.encoder
        self.correlation_ = self.copula_.correlation
        self.class_copulas_ = None
        t = self.schema_.target_index
        if self.class_conditional and t is not None:
            col = self.schema_.columns[t]
            if col.kind == "categorical":
                self.class_copulas_ = {}
                for code in range(col.n_categories):
                    rows = Z[:, t] == code
                    if rows.any():
                        sub = _restrict_schema(self.schema_, Z[rows])
                        part = None
                        if prior is not None:
                            mine = prior[1][:, t] & (prior[0][:, t] == code)
                            if mine.any():  # marginals over both: whole ranges
                                part = (prior[0][mine], prior[1][mine])
                                sub = self.schema_
                        self.class_copulas_[code] = _Copula(self).fit(
                            Z[rows], sub, random_state, prior=part
                        )
                self._class_p = np.array(col.counts, dtype=float) / sum(col.counts)
        return self

    def _fit_partitioned(self, Z_sample, map_codes, seed):
        """Hook of :func:`sksynth.dask.fit`: marginals and correlations merged.

        Called after ``fit`` on a sample (``Z_sample``); ``map_codes(func)``
        returns ``func(Z, index)`` for the code matrix of every partition.
        The category layout is kept from the sample; the category
        frequencies, the numeric marginals (histograms on a fixed grid: the
        sample's quantiles) and the latent correlations are re-estimated from
        every row (:meth:`_Copula.fit_partitioned`). The per-class copulas
        are not fitted (the partitioned fit takes the target as a column).
        """
        self.copula_.fit_partitioned(Z_sample, map_codes, seed)
        self.encoder_ = self.copula_.encoder
        self.correlation_ = self.copula_.correlation
        self.class_copulas_ = None
        return self

    def _sample(self, n_samples, conditions, random_state):
        if self.class_copulas_ is None:
            return self.copula_.sample(n_samples, conditions, random_state)
        t = self.schema_.target_index
        if conditions is None:
            target = random_state.choice(len(self._class_p), n_samples, p=self._class_p)
        else:
            target = conditions[:, t]
        out = np.empty((n_samples, self.schema_.n_columns))
        free = np.isnan(target)
        if free.any():  # conditions without the target: the joint copula
            C = None if conditions is None else conditions[free]
            out[free] = self.copula_.sample(int(free.sum()), C, random_state)
        for code, model in self.class_copulas_.items():
            rows = np.flatnonzero(target == code)
            if not len(rows):
                continue
            C = None
            if conditions is not None:  # the class model draws its class only
                C = conditions[rows].copy()
                C[:, t] = np.nan
                C = None if np.isnan(C).all() else C
            out[rows] = model.sample(len(rows), C, random_state)
            out[rows, t] = code
        return out


def _pool_marginals(encoder, Z, prior, prior_weight):
    """Refit the encoder's marginals on the rows ``Z`` pooled with the related
    rows (a Dirichlet prior of the category shares, a mixture of the
    empirical CDFs): the related rows weigh ``prior_weight * len(Z)`` in all,
    each column counting only its related cells in the domain. The blocks
    (which columns have a missing-value state) stay as fitted on ``Z``."""
    Zp, inside = prior
    w = prior_weight * len(Z) / len(Zp)
    Zm = np.vstack([Z, np.where(inside, Zp, np.nan)])
    W = np.vstack([np.ones(Z.shape), w * inside])
    for b in encoder.blocks_:
        z, wz = Zm[:, b.column], W[:, b.column]
        missing = np.isnan(z)
        if b.role == "missing":
            counts = np.bincount(missing.astype(np.int64), weights=wz, minlength=2)
            b.encoder = GaussianInterval(2, counts).fit(None)
        elif b.kind == "categorical":
            k = b.encoder.n_categories
            n_cat = encoder.schema_.columns[b.column].n_categories
            codes = np.where(missing, n_cat, np.nan_to_num(z)).astype(np.int64)
            keep = codes < k  # a missing state only where the block has one
            counts = np.bincount(codes[keep], weights=wz[keep], minlength=k)
            b.encoder = GaussianInterval(k, counts).fit(None).set_order(
                b.encoder.order_)
        else:
            keep = ~missing & (wz > 0)
            x, wx = z[keep], wz[keep]
            if b.encoding == "quantile":
                order = np.argsort(x, kind="stable")
                x, wx = x[order], wx[order]
                cdf = (np.cumsum(wx) - wx / 2) / wx.sum()
                enc = b.encoder
                enc.references_ = np.linspace(
                    0.0, 1.0, int(max(2, min(enc.n_quantiles, len(x)))))
                enc.quantiles_ = np.maximum.accumulate(
                    np.interp(enc.references_, cdf, x))
            else:  # "standard": the pooled mean and standard deviation
                mean = float(np.average(x, weights=wx))
                sd = float(np.sqrt(np.average((x - mean) ** 2, weights=wx)))
                b.encoder = Standardizer().fit(np.array([mean - sd, mean + sd]))


def _restrict_schema(schema, Z):
    """The schema with numeric ranges of the rows ``Z`` (for per-class models)."""
    columns = []
    for j, col in enumerate(schema.columns):
        if col.kind != "categorical":
            z = Z[:, j][~np.isnan(Z[:, j])]
            low, high = (z.min(), z.max()) if len(z) else (np.nan, np.nan)
            col = replace(col, low=float(low), high=float(high))
        columns.append(col)
    return schema.with_columns(columns)


class _Copula:
    """One Gaussian copula: encoder, latent correlation and conditional draws."""

    def __init__(self, params):
        self.marginals = params.marginals
        self.n_quantiles = params.n_quantiles
        self.n_gibbs_sweeps = params.n_gibbs_sweeps
        self.shrinkage = params.shrinkage
        self.prior_weight = getattr(params, "prior_weight", 0.0)

    def fit(self, Z, schema, random_state, prior=None):
        self.schema_ = schema
        encoder = TableEncoder(
            numeric=_MARGINALS[self.marginals],
            categorical="gaussian",
            n_quantiles=self.n_quantiles,
        ).fit_codes(Z, schema)
        if prior is not None and self.prior_weight > 0 and len(Z):
            _pool_marginals(encoder, Z, prior, self.prior_weight)
        L = encoder.transform_codes(Z, random_state)
        reordered = self._order_categories(encoder, Z, L)
        if reordered:  # their latent values follow the new layout
            encoder.transform_codes(Z, random_state, blocks=reordered, out=L)
        for b in encoder.blocks_:
            if b.role == "value" and b.kind == "numeric":
                missing = np.isnan(Z[:, b.column])
                if missing.any():  # placeholder latents: independent noise
                    L[missing, b.start] = random_state.standard_normal(missing.sum())
        d = L.shape[1]
        n_eff = len(L)
        if d == 0:
            corr = np.zeros((0, 0))
        elif L.shape[0] < 2:
            corr = np.eye(d)
        else:
            corr = _correlation_in_place(L)
            if prior is not None and self.prior_weight > 0:
                corr, n_eff = self._with_prior(corr, encoder, Z, prior, random_state)
            # shrink toward independence when rows are few (n / (n + shrinkage))
            w = n_eff / (n_eff + self.shrinkage)
            corr = w * corr + (1 - w) * np.eye(d)
            np.fill_diagonal(corr, 1.0)
        self.encoder = encoder
        self.correlation = corr
        self._sqrt_corr = _psd_sqrt(corr) if d else corr
        return self

    def _with_prior(self, corr, encoder, Z, prior, rng):
        """The latent correlations averaged with the related rows' (through
        this copula's marginals), each pair weighted by the related rows that
        hold both columns in the domain; and the rows they amount to."""
        Zp, inside = prior
        # a missing cell is in the domain only where these rows had some
        # (a class copula may have none in a column the table has them in)
        inside = inside & ~(np.isnan(Zp) & ~np.isnan(Z).any(axis=0))
        n = len(Z)
        valid = np.array([0.0 if c.kind == "categorical" else c.low
                          for c in self.schema_.columns])
        Lp = encoder.transform_codes(np.where(inside, Zp, valid), rng)
        M = np.zeros(Lp.shape)
        for b in encoder.blocks_:
            M[:, b.start:b.stop] = inside[:, [b.column]]
            if b.role == "value" and b.kind == "numeric":
                missing = np.isnan(Zp[:, b.column]) & inside[:, b.column]
                if missing.any():  # placeholder latents, as in fit
                    Lp[missing, b.start] = rng.standard_normal(missing.sum())
        cnt = M.T @ M
        obs = np.maximum(M.sum(axis=0), 1.0)
        mean = (Lp * M).sum(axis=0) / obs
        sd = np.sqrt(((Lp - mean) ** 2 * M).sum(axis=0) / obs)
        sd[sd == 0] = 1.0
        X = np.where(M > 0, (Lp - mean) / sd, 0.0)
        prior_corr = np.clip((X.T @ X) / np.maximum(cnt, 1.0), -1.0, 1.0)
        m = self.prior_weight * n * cnt / len(Zp)  # related rows per pair
        m[cnt < 3] = 0.0
        out = (n * corr + m * prior_corr) / (n + m)
        # the nearest correlation matrix (entry-wise weights can break PSD)
        w, V = np.linalg.eigh((out + out.T) / 2)
        out = (V * np.clip(w, 1e-9, None)) @ V.T
        s = np.sqrt(np.diag(out))
        out = np.clip(out / np.outer(s, s), -1.0, 1.0)
        np.fill_diagonal(out, 1.0)
        return out, n + self.prior_weight * n * float(inside.any(axis=1).mean())

    def fit_partitioned(self, Z_sample, map_codes, seed, n_grid=_N_GRID):
        """Re-estimate the statistics of a copula fitted on a sample.

        Pass 1 counts, per partition, the categories and, per numeric
        column, the values at and between the points of a fixed grid (at
        most ``n_grid`` quantiles of the sample, plus the range): the counts
        add up exactly, whatever the partitioning. The numeric quantiles are
        read off the merged counts, exact at the grid points and linearly
        interpolated between them, so the marginal CDF is off by at most the
        largest share of rows between two grid points (about
        ``1 / n_grid``). Pass 2 sums the normal scores, their squares and
        products per partition (each partition's tie jitter seeded by its
        index): the latent correlation is that of every row.
        """
        enc = self.encoder
        blocks = enc.blocks_
        grids = {}
        for b in blocks:
            if b.role == "value" and b.kind == "numeric":
                z = Z_sample[:, b.column]
                z = z[~np.isnan(z)]
                grids[b.start] = np.unique(np.quantile(z, np.linspace(0, 1, n_grid)))

        def histograms(Z, index):
            out = {}
            for b in blocks:
                z = Z[:, b.column]
                missing = np.isnan(z)
                if b.role == "missing":
                    out[b.start] = np.bincount(missing.astype(np.int64), minlength=2)
                elif b.kind == "categorical":
                    k = b.encoder.n_categories
                    codes = np.where(missing, k - 1, z).astype(np.int64)
                    out[b.start] = np.bincount(codes, minlength=k)
                else:
                    out[b.start] = _grid_counts(z[~missing], grids[b.start])
            return out

        parts = map_codes(histograms)
        merged = {key: _merge_counts([p[key] for p in parts]) for key in parts[0]}
        self.marginal_error = 0.0
        for b in blocks:
            counts = merged[b.start]
            if b.kind == "categorical":
                new = GaussianInterval(len(counts), counts).fit(None)
                b.encoder = new.set_order(b.encoder.order_)
            elif b.encoding == "quantile":
                q, err = _grid_quantiles(grids[b.start], counts, b.encoder.n_quantiles)
                b.encoder = QuantileGaussian(len(q)).fit(q)
                self.marginal_error = max(self.marginal_error, err)
            elif b.encoding == "standard":
                n, s1, s2 = counts["n"], counts["sum"], counts["sq"]
                mean, sd = s1 / n, np.sqrt(max(s2 / n - (s1 / n) ** 2, 0.0))
                b.encoder = Standardizer().fit(np.array([mean - sd, mean + sd]))

        def moments(Z, index):
            rng = np.random.RandomState(
                np.random.SeedSequence(seed, spawn_key=(index,)).generate_state(1))
            L = enc.transform_codes(Z, rng)
            for b in blocks:
                if b.role == "value" and b.kind == "numeric":
                    missing = np.isnan(Z[:, b.column])
                    L[missing, b.start] = rng.standard_normal(missing.sum())
            return len(L), L.sum(axis=0), L.T @ L

        parts = map_codes(moments)
        n = sum(p[0] for p in parts)
        d = self.correlation.shape[0]
        if d and n >= 2:
            mean = sum(p[1] for p in parts) / n
            cov = sum(p[2] for p in parts) / n - np.outer(mean, mean)
            sd = np.sqrt(np.clip(np.diag(cov), 0, None))
            sd[sd == 0] = 1.0
            corr = np.clip(cov / np.outer(sd, sd), -1.0, 1.0)
            w = n / (n + self.shrinkage)
            corr = w * corr + (1 - w) * np.eye(d)
            np.fill_diagonal(corr, 1.0)
            self.correlation = corr
            self._sqrt_corr = _psd_sqrt(corr)
        return self

    def _order_categories(self, encoder, Z, L):
        """Lay categories out by the mean first principal component of numerics.

        Returns the reordered blocks.
        """
        numeric = [b.start for b in encoder.blocks_ if b.kind == "numeric"]
        multi = [
            b
            for b in encoder.blocks_
            if b.kind == "categorical"
            and b.role == "value"
            and b.encoder.n_categories > 2
        ]
        if not numeric or not multi:
            return []
        N = L[:, numeric]
        N -= N.mean(axis=0)
        if N.shape[1] > 1:
            _, _, vt = np.linalg.svd(N[:: max(1, len(N) // 20000)], full_matrices=False)
            score = N @ vt[0]
        else:
            score = N[:, 0]
        for b in multi:
            k = b.encoder.n_categories
            z = Z[:, b.column]
            codes = np.where(np.isnan(z), k - 1, z).astype(np.int64)
            sums = np.bincount(codes, weights=score, minlength=k)
            counts = np.bincount(codes, minlength=k)
            means = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
            b.encoder.set_order(np.argsort(means, kind="stable"))
        return multi

    def sample(self, n_samples, conditions, random_state):
        d = self.correlation.shape[0]
        if conditions is None:  # in chunks: memory stays ~ the output's size
            Z = np.empty((n_samples, self.schema_.n_columns))
            for start in range(0, n_samples, _CHUNK):
                m = min(_CHUNK, n_samples - start)
                L = random_state.standard_normal((m, d)) @ self._sqrt_corr.T
                Z[start : start + m] = self.encoder.inverse_codes(L, random_state)
            return Z
        L = random_state.standard_normal((n_samples, d)) @ self._sqrt_corr.T
        self._condition(L, conditions, random_state)
        Z = self.encoder.inverse_codes(L, random_state)
        # The latent values lie in the conditioned intervals; categories with
        # (near) zero training mass have intervals too thin for floating point,
        # so write the conditioned codes themselves.
        given = ~np.isnan(conditions)
        Z[given] = conditions[given]
        return Z

    def _latent_constraints(self, C):
        """Exact latent values and latent intervals implied by conditions C."""
        n, d = C.shape[0], self.correlation.shape[0]
        exact = np.full((n, d), np.nan)
        lo = np.full((n, d), -np.inf)
        hi = np.full((n, d), np.inf)
        for b in self.encoder.blocks_:
            c = C[:, b.column]
            rows = ~np.isnan(c)
            if not rows.any():
                continue
            if b.role == "missing":  # a conditioned value is observed
                blo, bhi = b.encoder.latent_bounds(np.zeros(rows.sum()))
                lo[rows, b.start], hi[rows, b.start] = blo, bhi
            elif b.kind == "categorical":
                codes = c[rows]
                blo, bhi = b.encoder.latent_bounds(codes)
                lo[rows, b.start], hi[rows, b.start] = blo, bhi
            elif b.encoding == "quantile":
                ulo, uhi = b.encoder._bounds(c[rows])
                mass = (uhi - ulo) > 1e-9
                idx = np.flatnonzero(rows)
                lo[idx[mass], b.start] = ndtri(ulo[mass])
                hi[idx[mass], b.start] = ndtri(uhi[mass])
                exact[idx[~mass], b.start] = b.encoder.transform(c[rows][~mass])[:, 0]
            else:
                exact[rows, b.start] = b.encoder.transform(c[rows])[:, 0]
        return exact, lo, hi

    def _condition(self, L, C, rng):
        exact, lo, hi = self._latent_constraints(C)
        interval = np.isfinite(lo) | np.isfinite(hi)
        pattern = np.concatenate([~np.isnan(exact), interval], axis=1)
        d = L.shape[1]
        for rows, key in condition_groups(pattern, by="pattern"):
            E = np.flatnonzero(key[:d])
            Iv = np.flatnonzero(key[d:])
            if len(E) == 0 and len(Iv) == 0:
                continue
            L[rows] = self._conditional_draw(
                exact[rows][:, E], lo[rows][:, Iv], hi[rows][:, Iv], E, Iv, rng
            )

    def _conditional_draw(self, zE, lo, hi, E, Iv, rng):
        """Latent rows given exact coordinates E and intervals on Iv."""
        S = self.correlation
        d, n = S.shape[0], zE.shape[0]
        mu = np.zeros((n, d))
        cov = S.copy()
        if len(E):
            gain = S[:, E] @ np.linalg.pinv(S[np.ix_(E, E)])
            mu = zE @ gain.T
            cov = S - gain @ S[E, :]
            mu[:, E] = zE
        out = np.empty((n, d))
        out[:, E] = zE
        if len(Iv):
            xI = self._truncated_mvn(mu[:, Iv], cov[np.ix_(Iv, Iv)], lo, hi, rng)
            out[:, Iv] = xI
        else:
            xI = np.zeros((n, 0))
        R = np.setdiff1d(np.arange(d), np.concatenate([E, Iv]))
        if len(R):
            muR, covR = mu[:, R], cov[np.ix_(R, R)]
            if len(Iv):
                covII = cov[np.ix_(Iv, Iv)]
                gain = cov[np.ix_(R, Iv)] @ np.linalg.pinv(covII)
                muR = muR + (xI - mu[:, Iv]) @ gain.T
                covR = covR - gain @ cov[np.ix_(Iv, R)]
            out[:, R] = muR + rng.standard_normal((n, len(R))) @ _psd_sqrt(covR).T
        return out

    def _truncated_mvn(self, mu, cov, lo, hi, rng):
        """Draw N(mu, cov) restricted to the box [lo, hi] (Gibbs when > 1-D)."""
        n, k = mu.shape
        sd = np.sqrt(np.clip(np.diag(cov), 1e-12, None))
        x = _truncnorm(mu, sd, lo, hi, rng)
        if k == 1:
            return x
        P = np.linalg.pinv(cov)
        for _ in range(self.n_gibbs_sweeps):
            for i in range(k):
                pii = max(P[i, i], 1e-12)
                others = np.delete(np.arange(k), i)
                m = mu[:, i] - (x[:, others] - mu[:, others]) @ P[others, i] / pii
                x[:, i] = _truncnorm(m, np.sqrt(1 / pii), lo[:, i], hi[:, i], rng)
        return x


def _grid_counts(x, grid):
    """Counts of ``x`` at each grid point and between them (mergeable)."""
    pos = np.searchsorted(grid, x, side="left")
    at = np.zeros(len(x), dtype=bool)
    inside = pos < len(grid)
    at[inside] = grid[pos[inside]] == x[inside]
    return {
        "at": np.bincount(pos[at], minlength=len(grid)),
        # between[k]: in (grid[k-1], grid[k]); between[0] below, [-1] above
        "between": np.bincount(pos[~at], minlength=len(grid) + 1),
        "low": float(x.min()) if len(x) else np.inf,
        "high": float(x.max()) if len(x) else -np.inf,
        "n": len(x),
        "sum": float(x.sum()),
        "sq": float((x**2).sum()),
    }


def _merge_counts(parts):
    if not isinstance(parts[0], dict):
        return sum(parts)
    out = {key: sum(p[key] for p in parts) for key in parts[0]}
    out["low"] = min(p["low"] for p in parts)
    out["high"] = max(p["high"] for p in parts)
    return out


def _grid_quantiles(grid, counts, n_quantiles):
    """Quantiles of merged grid counts, and the largest off-grid share.

    The CDF is exact at the grid points (left and right limits) and linear
    between them and out to the range; its error is at most the largest
    share of values strictly between two knots.
    """
    n = counts["n"]
    at, between = counts["at"], counts["between"]
    low, high = min(counts["low"], grid[0]), max(counts["high"], grid[-1])
    xs = np.concatenate([[low], np.repeat(grid, 2), [high]])
    steps = np.empty(len(xs) - 1)
    steps[0::2] = between  # open stretches
    steps[1::2] = at  # point masses
    F = np.concatenate([[0.0], np.cumsum(steps)]) / n
    r = np.linspace(0.0, 1.0, int(max(2, min(n_quantiles, n))))
    idx = np.clip(np.searchsorted(F, r, side="left"), 1, len(F) - 1)
    f0, f1 = F[idx - 1], F[idx]
    frac = np.where(f1 > f0, (r - f0) / np.where(f1 > f0, f1 - f0, 1.0), 0.0)
    q = xs[idx - 1] + np.clip(frac, 0, 1) * (xs[idx] - xs[idx - 1])
    return np.maximum.accumulate(q), float(between.max() / n)


def _truncnorm(mu, sd, lo, hi, rng):
    """Vectorised truncated normal draws, clipped into the open box."""
    a = (lo - mu) / sd
    b = (hi - mu) / sd
    x = truncnorm.rvs(a, b, loc=mu, scale=sd, random_state=rng)
    # keep strictly inside so the category decoded from it is the right one
    span = np.where(np.isfinite(hi - lo), hi - lo, 1.0)
    eps = 1e-9 * np.maximum(span, 1e-12)
    return np.clip(x, lo + eps, hi - eps)
