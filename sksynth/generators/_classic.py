"""The classic baselines: bootstrap, kernel density and independent marginals.

Three generators every benchmark compares against, each a full sksynth
generator on the schema layer (dtypes, categories, missing values, native
conditioning, the generator checks):

* :class:`BootstrapGenerator` draws training rows with replacement; with
  ``smoothing`` it adds kernel noise to the numeric cells (Silverman's
  smoothed bootstrap), keeping categories, integers and point masses valid.
* :class:`KDEGenerator` is a kernel density estimate of the whole table: a
  Gaussian kernel with a covariance bandwidth on the normal scores of the
  numeric columns (:class:`~sksynth.preprocessing.TableEncoder`'s quantile
  encoding) and a categorical kernel on the categories.
* :class:`IndependentGenerator` draws every column from its own marginal (the
  "random sampling" baseline: no dependence between columns at all).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.special import ndtr
from sklearn.utils._param_validation import Interval, StrOptions

from .._conditioning import condition_groups, describe_conditions
from ..base import BaseGenerator
from ..constraints._enforce import RULE_PARAMETERS_DOC
from ..preprocessing import TableEncoder
from ..utils._docstring import fill_doc

__all__ = ["BootstrapGenerator", "IndependentGenerator", "KDEGenerator"]

_RULES = {"scott", "silverman"}


def _psd_sqrt(S):
    w, V = np.linalg.eigh((S + S.T) / 2)
    return V * np.sqrt(np.clip(w, 0, None))


def _no_rows_error(generator, schema, cond, why):
    return ValueError(
        f"{type(generator).__name__} cannot meet the conditions "
        f"{describe_conditions(schema, cond)}: {why}"
    )


def _fold(x, low, high):
    """Reflect ``x`` into ``[low, high]`` (a triangle wave: every reflection)."""
    span = high - low
    if not span > 0:
        return np.full_like(x, low)
    t = np.mod(x - low, 2 * span)
    return low + np.where(t > span, 2 * span - t, t)


def _gauss_pdf(x):
    return np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)


# ----------------------------------------------------------------- bootstrap
@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class BootstrapGenerator(BaseGenerator):
    """Rows drawn with replacement from the training table (plain or smoothed).

    The plain bootstrap (``smoothing=None``) returns training rows as they
    are: every generated row is a copy of a real one. It is the baseline that
    shows what "no model" scores on fidelity and utility, the tool of
    uncertainty estimates (refit a model on bootstrap samples), and the right
    choice for tiny tables, but it **copies the training data by design** and
    gives no privacy at all: :func:`~sksynth.metrics.exact_copy_rate` of its
    rows is the share of training rows that are unique, near 1 on most tables.

    With ``smoothing`` it is Silverman's smoothed bootstrap: each numeric (or
    datetime) cell of a drawn row gets Gaussian kernel noise with the
    column's bandwidth, variance-corrected (``m + (x - m + h e) / sqrt(1 +
    h^2 / s^2)`` keeps the column's mean ``m`` and variance ``s^2``) and
    reflected at the range seen in ``fit``. Categories and missing values are
    copied, integer columns come back as integers, and cells at a point mass
    of their column (such as the zeros of a capital-gain column) are kept
    exactly. Rows with only categorical and integer columns may still repeat
    training rows; the privacy metrics show how often.

    Conditioning is native: the drawn rows are those that match the
    conditions (a categorical value exactly; with smoothing, a numeric value
    weights the rows by the kernel's probability of producing it). A plain
    bootstrap can only condition on values some training row holds.

    Parameters
    ----------
    smoothing : {"silverman", "scott"}, float or None, default=None
        ``None``: plain bootstrap. ``"silverman"`` (``0.9 min(s, IQR / 1.34)
        n^(-1/5)``) or ``"scott"`` (``1.06 s n^(-1/5)``): the bandwidth rule
        of each numeric column, computed on its values off the point masses;
        a float ``f > 0``: bandwidth ``f * s``.
    random_state : int, RandomState instance or None, default=None
        Seed for ``sample``.
    {rule_params}

    Attributes
    ----------
    schema_ : TableSchema
        Column types, categories and dtypes seen in ``fit``.
    rows_ : ndarray of shape (n_rows, n_columns)
        The training rows as a code matrix (what is resampled).
    bandwidths_ : ndarray of shape (n_columns,)
        Kernel bandwidth of each column (0 where cells are copied).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    See Also
    --------
    KDEGenerator : a kernel density estimate of the whole table.
    IndependentGenerator : every column from its own marginal.

    References
    ----------
    B. W. Silverman, *Density Estimation for Statistics and Data Analysis*,
    Chapman & Hall, 1986, section 6.4 (the smoothed bootstrap).

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.generators import BootstrapGenerator
    >>> from sksynth.metrics import exact_copy_rate
    >>> df = pd.DataFrame({"age": [23.5, 35.1, 47.8, 51.2, 62.0, 29.9],
    ...                    "plan": ["a", "b", "b", "a", "b", "a"]})
    >>> plain = BootstrapGenerator(random_state=0).fit(df)
    >>> exact_copy_rate(df, plain.sample(50))
    1.0
    >>> smooth = BootstrapGenerator(smoothing="silverman", random_state=0).fit(df)
    >>> exact_copy_rate(df, smooth.sample(50)) < 0.1
    True
    >>> smooth.sample(3, conditions={"plan": "b"})["plan"].tolist()
    ['b', 'b', 'b']
    """

    _parameter_constraints: dict = {
        "smoothing": [
            StrOptions(_RULES),
            Interval(numbers.Real, 0, None, closed="neither"),
            None,
        ],
        "random_state": ["random_state"],
    }
    _native_conditioning = True

    def __init__(
        self, *, smoothing=None, random_state=None, constraints=None, schema=None
    ):
        self.smoothing = smoothing
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {"smoothing": "silverman", "random_state": 0}

    def _fit(self, Z, random_state):
        self.rows_ = Z
        p = Z.shape[1]
        self.bandwidths_ = np.zeros(p)
        self._mean = np.zeros(p)
        self._shrink = np.ones(p)
        self._atoms = [np.empty(0)] * p
        if self.smoothing is None:
            return self
        for j, col in enumerate(self.schema_.columns):
            if col.kind == "categorical" or col.is_constant:
                continue
            z = Z[:, j][~np.isnan(Z[:, j])]
            # the schema's point masses, held by at least 2 rows (in a tiny
            # table every value holds 5% of the rows)
            atoms = np.array([a for a in col.atoms if np.sum(z == a) >= 2])
            cont = z[~np.isin(z, atoms)]
            if len(cont) < 2 or not np.ptp(cont) > 0:
                continue  # nothing continuous to smooth: cells are copied
            s = float(np.std(cont))
            n = len(cont)
            if self.smoothing == "scott":
                h = 1.06 * s * n**-0.2
            elif self.smoothing == "silverman":
                q75, q25 = np.percentile(cont, [75, 25])
                spread = min(s, (q75 - q25) / 1.34) or s
                h = 0.9 * spread * n**-0.2
            else:
                h = float(self.smoothing) * s
            self.bandwidths_[j] = h
            self._mean[j] = float(np.mean(cont))
            self._shrink[j] = np.sqrt(1.0 + h * h / (s * s))
            self._atoms[j] = atoms
        return self

    def _smoothed_rows(self, j, rows):
        """Which of ``rows`` (training positions) get kernel noise in column j."""
        z = self.rows_[rows, j]
        return ~np.isnan(z) & ~np.isin(z, self._atoms[j])

    def _kernel(self, j, rows):
        """Centre and scale of the kernel of each of ``rows`` in column j."""
        z = self.rows_[rows, j]
        m, c = self._mean[j], self._shrink[j]
        return m + (z - m) / c, self.bandwidths_[j] / c

    def _weights(self, cond):
        """Probability that each training row produces the condition row."""
        schema = self.schema_
        w = np.ones(len(self.rows_))
        for j in np.flatnonzero(~np.isnan(cond)):
            v = cond[j]
            z = self.rows_[:, j]
            exact = (z == v).astype(np.float64)
            col = schema.columns[j]
            if self.bandwidths_[j] == 0 or np.isin(v, self._atoms[j]):
                w *= exact
                continue
            smooth = np.flatnonzero(self._smoothed_rows(j, np.arange(len(z))))
            mu, s = self._kernel(j, smooth)
            low, high = col.low, col.high
            images = (mu, 2 * low - mu, 2 * high - mu)  # the kernel's reflections
            if col.is_discrete:  # the continuous value rounds to v
                a, b = max(v - 0.5, low), min(v + 0.5, high)
                mass = sum(ndtr((b - im) / s) - ndtr((a - im) / s) for im in images)
            else:
                # a density: the other rows (missing, at a point mass) cannot
                # produce v, so only relative weights of smoothed rows matter
                mass = sum(_gauss_pdf((v - im) / s) / s for im in images)
            exact[smooth] = mass
            w *= exact
        return w

    def _sample(self, n_samples, conditions, random_state):
        n = len(self.rows_)
        if conditions is None:
            idx = random_state.randint(n, size=n_samples)
            return self._draw(idx, None, random_state)
        out = np.empty((n_samples, self.schema_.n_columns))
        for rows, cond in condition_groups(conditions):
            w = self._weights(cond)
            total = w.sum()
            if not total > 0:
                why = (
                    "no training row holds these values, and a bootstrap draws "
                    "training rows only"
                )
                if self.smoothing is None:
                    why += " (smoothing=... lets it condition on unseen numbers)"
                raise _no_rows_error(self, self.schema_, cond, why + ".")
            idx = random_state.choice(n, size=len(rows), p=w / total)
            out[rows] = self._draw(idx, cond, random_state)
        return out

    def _draw(self, idx, cond, rng):
        out = self.rows_[idx].copy()
        for j, col in enumerate(self.schema_.columns):
            if self.bandwidths_[j] == 0 or (cond is not None and not np.isnan(cond[j])):
                continue
            sel = self._smoothed_rows(j, idx)
            mu, s = self._kernel(j, idx[sel])
            x = mu + s * rng.standard_normal(len(mu))
            out[sel, j] = _fold(x, col.low, col.high)
        if cond is not None:
            given = ~np.isnan(cond)
            out[:, given] = cond[given]
        return out


# ----------------------------------------------------------------------- KDE
@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class KDEGenerator(BaseGenerator):
    """Kernel density estimate of a mixed-type table.

    Numeric and datetime columns are mapped to normal scores (their empirical
    CDF followed by the normal quantile function, the quantile encoding of
    :class:`~sksynth.preprocessing.TableEncoder`: skewed columns and point
    masses come back with their shape and range); on these the kernel is a
    Gaussian with covariance ``h^2 S`` (``S`` the covariance of the scores,
    so correlations are kept). A categorical cell (and the missingness of a
    numeric cell) keeps its value with probability ``1 - lambda`` and is
    otherwise drawn from the column's marginal frequencies, a categorical
    kernel that keeps every marginal exact; ``lambda = min(h^2, 1)``, the rate
    of the mixed-data optimum (Li and Racine, 2007).

    A KDE sits between the bootstrap (``h -> 0``) and independent noise: a
    smooth baseline for small tables, with few exact copies of training rows
    where the table has continuous columns. Conditioning is native and exact:
    the kernels are weighted by their density at the conditioned values, the
    numeric scores drawn from the kernel's conditional Gaussian.

    Parameters
    ----------
    bandwidth : {"scott", "silverman"} or float, default="scott"
        The factor ``h``: Scott's rule ``n^(-1/(q+4))``, Silverman's
        ``(n (q + 2) / 4)^(-1/(q+4))`` for ``n`` rows and ``q`` numeric
        columns (at least 1), or a positive float.
    random_state : int, RandomState instance or None, default=None
        Seed for fitting (the scores of tied values) and for ``sample``.
    {rule_params}

    Attributes
    ----------
    schema_ : TableSchema
        Column types, categories and dtypes seen in ``fit``.
    encoder_ : TableEncoder
        The encoding of the table (quantile scores, category codes).
    bandwidth_ : float
        The factor ``h``.
    category_smoothing_ : float
        The categorical kernel's ``lambda``.
    kernel_covariance_ : ndarray of shape (q, q)
        Covariance of the Gaussian kernel on the numeric scores.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    See Also
    --------
    BootstrapGenerator : training rows, plain or with kernel noise.
    sklearn.neighbors.KernelDensity : numeric data only.

    References
    ----------
    Q. Li and J. S. Racine, *Nonparametric Econometrics*, Princeton, 2007,
    chapter 4 (kernels for mixed data).

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.generators import KDEGenerator
    >>> df = pd.DataFrame({"age": [23, 35, 47, 51, 62, 29, 44, 38],
    ...                    "plan": ["a", "b", "b", "a", "b", "a", "a", "b"]})
    >>> gen = KDEGenerator(random_state=0).fit(df)
    >>> synth = gen.sample(5, conditions={"plan": "b"})
    >>> synth.dtypes.astype(str).tolist()
    ['int64', 'str']
    >>> bool(synth["age"].between(23, 62).all())
    True
    """

    _parameter_constraints: dict = {
        "bandwidth": [
            StrOptions(_RULES),
            Interval(numbers.Real, 0, None, closed="neither"),
        ],
        "random_state": ["random_state"],
    }
    _native_conditioning = True

    def __init__(
        self, *, bandwidth="scott", random_state=None, constraints=None, schema=None
    ):
        self.bandwidth = bandwidth
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {"random_state": 0}

    def _fit(self, Z, random_state):
        enc = TableEncoder(numeric="quantile", categorical="ordinal")
        self.encoder_ = enc.fit_codes(Z, self.schema_)
        L = enc.transform_codes(Z, random_state)
        self._num = np.array(
            [b.start for b in enc.blocks_ if b.kind == "numeric"], dtype=np.int64
        )
        self._cat = [b for b in enc.blocks_ if b.kind == "categorical"]
        for b in enc.blocks_:
            if b.kind == "numeric":
                missing = np.isnan(Z[:, b.column])
                if missing.any():  # placeholder scores, used if a kernel flips
                    L[missing, b.start] = random_state.standard_normal(missing.sum())
        n, q = len(Z), len(self._num)
        d = max(q, 1)
        if self.bandwidth == "scott":
            h = n ** (-1.0 / (d + 4))
        elif self.bandwidth == "silverman":
            h = (n * (d + 2) / 4.0) ** (-1.0 / (d + 4))
        else:
            h = float(self.bandwidth)
        self.bandwidth_ = float(h)
        self.category_smoothing_ = float(min(h * h, 1.0))
        S = (
            np.atleast_2d(np.cov(L[:, self._num], rowvar=False))
            if q
            else np.zeros((0, 0))
        )
        self.kernel_covariance_ = h * h * S
        self._sqrt_cov = _psd_sqrt(self.kernel_covariance_) if q else S
        self._freq = [
            np.bincount(
                L[:, b.start].astype(np.int64), minlength=b.encoder.n_categories
            )
            / n
            for b in self._cat
        ]
        self.latent_ = L
        return self

    def _flip_categories(self, L, rng, skip=()):
        lam = self.category_smoothing_
        for b, p in zip(self._cat, self._freq):
            if b.start in skip:
                continue
            flip = np.flatnonzero(rng.uniform(size=len(L)) < lam)
            L[flip, b.start] = rng.choice(len(p), size=len(flip), p=p)

    def _sample(self, n_samples, conditions, random_state):
        rng = random_state
        n, q = len(self.latent_), len(self._num)
        if conditions is None:
            L = self.latent_[rng.randint(n, size=n_samples)].copy()
            if q:
                L[:, self._num] += (
                    rng.standard_normal((n_samples, q)) @ self._sqrt_cov.T
                )
            self._flip_categories(L, rng)
            return self.encoder_.inverse_codes(L, rng)
        out = np.empty((n_samples, self.schema_.n_columns))
        for rows, cond in condition_groups(conditions):
            out[rows] = self._conditional(len(rows), cond, rng)
        return out

    def _latent_condition(self, cond):
        """Fixed scores (position -> value) and fixed category codes of a row."""
        scores, cats = {}, {}
        for b in self.encoder_.blocks_:
            v = cond[b.column]
            if np.isnan(v):
                continue
            if b.role == "missing":
                cats[b.start] = 0.0  # a conditioned numeric value is observed
            elif b.kind == "categorical":
                cats[b.start] = v
            else:
                scores[b.start] = float(b.encoder.transform(np.array([v]))[0, 0])
        return scores, cats

    def _conditional(self, m, cond, rng):
        L0 = self.latent_
        n = len(L0)
        scores, cats = self._latent_condition(cond)
        logw = np.zeros(n)
        lam = self.category_smoothing_
        for b, p in zip(self._cat, self._freq):
            if b.start in cats:
                c = int(cats[b.start])
                with np.errstate(divide="ignore"):
                    logw += np.log((1 - lam) * (L0[:, b.start] == c) + lam * p[c])
        pos = {s: i for i, s in enumerate(self._num)}
        E = np.array([pos[s] for s in scores], dtype=np.int64)
        R = np.setdiff1d(np.arange(len(self._num)), E)
        H = self.kernel_covariance_
        if len(E):
            zE = np.array(list(scores.values()))
            HEE = H[np.ix_(E, E)]
            P = np.linalg.pinv(HEE)
            diff = zE - L0[:, self._num[E]]
            logw -= 0.5 * np.einsum("ij,jk,ik->i", diff, P, diff)
        if not np.isfinite(logw).any():
            raise _no_rows_error(self, self.schema_, cond, "no kernel reaches them.")
        w = np.exp(logw - logw.max())
        idx = rng.choice(n, size=m, p=w / w.sum())
        L = L0[idx].copy()
        if len(R):
            HRR = H[np.ix_(R, R)]
            mean = L[:, self._num[R]]
            if len(E):
                gain = H[np.ix_(R, E)] @ P
                mean = mean + (zE - L[:, self._num[E]]) @ gain.T
                HRR = HRR - gain @ H[np.ix_(E, R)]
            L[:, self._num[R]] = (
                mean + rng.standard_normal((m, len(R))) @ _psd_sqrt(HRR).T
            )
        if len(E):
            L[:, self._num[E]] = zE
        self._flip_categories(L, rng, skip=cats)
        for s, c in cats.items():
            L[:, s] = c
        Z = self.encoder_.inverse_codes(L, rng)
        given = ~np.isnan(cond)
        Z[:, given] = cond[given]
        return Z


# --------------------------------------------------------------- independent
@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class IndependentGenerator(BaseGenerator):
    """Every column drawn from its own marginal, independently of the others.

    The "random sampling" baseline: each cell is a draw from its column's
    empirical distribution (category frequencies, the observed numeric values,
    the missing-value rate), so every column's shape is right and every
    dependence between columns is lost. A benchmark shows with it how much of
    a generator's score the marginals alone explain. Column pairs that never
    occur together and columns determined by another (a code and its label)
    are not enforced: this generator does not model them, by design.

    Conditioning is native and exact: the conditioned cells are set, the
    others drawn from their marginals as always. Rows can repeat training rows
    by chance (tables with few columns); the privacy metrics show how often.

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=None
        Seed for ``sample``.
    {rule_params}

    Attributes
    ----------
    schema_ : TableSchema
        Column types, categories and dtypes seen in ``fit``.
    marginals_ : list of (ndarray, ndarray)
        Per column, its distinct codes (NaN = missing) and their frequencies.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    See Also
    --------
    BootstrapGenerator : training rows, all columns together.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.generators import IndependentGenerator
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, None], "c": ["a", "b", "a", "a"]})
    >>> gen = IndependentGenerator(random_state=0).fit(df)
    >>> synth = gen.sample(1000)
    >>> bool(abs(synth["x"].isna().mean() - 0.25) < 0.05)
    True
    >>> bool(abs((synth["c"] == "a").mean() - 0.75) < 0.05)
    True
    """

    _parameter_constraints: dict = {"random_state": ["random_state"]}
    _native_conditioning = True
    # the pure product of the marginals: no constraint read off the data
    _learn_constraints = False

    def __init__(self, *, random_state=None, constraints=None, schema=None):
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {"random_state": 0}

    def _fit(self, Z, random_state):
        self.marginals_ = []
        for j in range(Z.shape[1]):
            values, counts = np.unique(Z[:, j], return_counts=True, equal_nan=True)
            self.marginals_.append((values, counts / counts.sum()))
        return self

    def _sample(self, n_samples, conditions, random_state):
        out = np.empty((n_samples, len(self.marginals_)))
        for j, (values, p) in enumerate(self.marginals_):
            out[:, j] = values[random_state.choice(len(values), size=n_samples, p=p)]
        if conditions is not None:
            given = ~np.isnan(conditions)
            out[given] = conditions[given]
        return out
