"""Mode-specific normalisation of a numeric column (Xu et al., CTGAN, 2019).

A per-column encoder following the protocol of ``_column_encoders.py``
(``fit(x, rng)``, ``transform(x, rng)``, ``inverse(block, rng)``,
``n_outputs``), named ``"mode"`` in the registry of ``_table_encoder.py``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma

from ._column_encoders import point_masses

__all__ = ["ModeSpecificNormalizer"]


class ModeSpecificNormalizer:
    """Encode a numeric column as (mode one-hot, scaled value within the mode).

    A variational (Dirichlet-process) Gaussian mixture with at most
    ``n_modes`` components is fitted to the column; components whose weight
    is below ``weight_threshold`` are dropped. A value ``x`` becomes the
    block ``[alpha, onehot(k)]`` with ``k`` its mode and
    ``alpha = (x - mu_k) / (4 sigma_k)`` clipped to [-0.99, 0.99]. ``transform``
    with an ``rng`` draws ``k`` from the posterior mode probabilities (as in
    CTGAN); without it takes the most probable mode. ``inverse`` takes the
    arg-max mode and maps ``alpha`` back. Only modes whose 4-sigma range
    holds the value are eligible, so ``inverse(transform(x)) == x`` except
    for values further than 4 standard deviations from every mode, which
    are clipped to the nearest mode's range. ``inverse`` also clips its
    output to the range of the values seen in ``fit``: a mode's 4-sigma
    tail would otherwise decode a generator's output into values the column
    never had, such as negative hours worked.

    Point masses (a single value holding at least ``min_point_mass`` of the
    rows, such as a capital gain that is 0 for 90% of the people) get their
    own exact mode (standard deviation 0) ahead of the mixture's, which is
    fitted on the other values: rows at the value always take that mode and
    its rows decode to exactly that value (a Gaussian mode would spread the
    spike over a range of invented values, negative ones included).

    Parameters
    ----------
    n_modes : int, default=10
        Maximum number of mixture components.
    max_samples : int, default=10_000
        Subsample cap of the mixture fit: a column longer than this is fitted
        on ``max_samples`` values drawn without replacement (seeded by
        ``random_state``), which bounds the fit time on large tables (about
        0.1-0.5 s per column) without changing the encoding of any row.
    weight_threshold : float, default=0.005
        Components lighter than this are dropped.
    max_iter : int, default=100
        Variational EM iterations.
    min_point_mass : float, default=0.05
        Share of the rows from which a single value gets an exact mode.
    random_state : int, default=0
        Seed of the subsample and of the mixture fit.

    Attributes
    ----------
    point_masses_ : ndarray of shape (n_point_masses,)
        Values with an exact mode (the first modes of the block).
    means_, stds_ : ndarray of shape (n_active_modes,)
        Parameters of the kept modes (point masses first, std 0).
    low_, high_ : float
        Smallest and largest value seen in ``fit``; ``inverse`` stays within.
    n_outputs : int
        ``1 + n_active_modes``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.preprocessing._mode_normalizer import ModeSpecificNormalizer
    >>> rng = np.random.RandomState(0)
    >>> x = np.concatenate([rng.normal(0, 1, 500), rng.normal(50, 2, 500)])
    >>> enc = ModeSpecificNormalizer().fit(x)
    >>> enc.n_outputs
    3
    >>> bool(np.allclose(enc.inverse(enc.transform(x)), x))
    True
    >>> gain = np.where(rng.uniform(size=1000) < 0.9, 0.0, rng.lognormal(8, 1, 1000))
    >>> enc = ModeSpecificNormalizer().fit(gain)
    >>> enc.point_masses_.tolist()
    [0.0]
    """

    def __init__(
        self, n_modes=10, max_samples=10_000, weight_threshold=0.005, max_iter=100,
        min_point_mass=0.05, random_state=0,
    ):
        self.n_modes = n_modes
        self.max_samples = max_samples
        self.weight_threshold = weight_threshold
        self.max_iter = max_iter
        self.min_point_mass = min_point_mass
        self.random_state = random_state

    def fit(self, x, rng=None):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 1 or len(x) == 0 or not np.isfinite(x).all():
            raise ValueError(
                "ModeSpecificNormalizer expects a non-empty 1-D array of finite "
                "values (missing values are handled by the table encoder)."
            )
        seed = np.random.RandomState(self.random_state)
        fit_x = x
        if len(x) > self.max_samples:
            fit_x = x[seed.choice(len(x), self.max_samples, replace=False)]
        self.low_, self.high_ = float(x.min()), float(x.max())
        self.center_ = float(np.median(fit_x))
        self.scale_ = float(np.std(fit_x)) or 1.0
        atoms, counts = point_masses(x, self.min_point_mass * len(x))
        atom_share = counts / len(x)
        rest = fit_x[~np.isin(fit_x, atoms)]
        self.point_masses_ = atoms
        means = stds = weights = np.zeros(0)
        if len(rest):
            u = (rest - self.center_) / self.scale_
            n_unique = len(np.unique(u))
            k = int(max(1, min(self.n_modes, n_unique, len(u))))
            means, stds, weights = _variational_gmm_1d(u, k, self.max_iter)
            keep = weights > self.weight_threshold
            if not keep.any():
                keep[np.argmax(weights)] = True
            means, stds, weights = means[keep], stds[keep], weights[keep]
            weights = weights / weights.sum() * (1 - atom_share.sum())
        self.log_weights_ = np.log(np.maximum(weights, 1e-12))
        stds = np.maximum(stds, 1e-3)
        self._means, self._stds = means, stds
        self.means_ = np.concatenate([atoms, means * self.scale_ + self.center_])
        self.stds_ = np.concatenate([np.zeros(len(atoms)), stds * self.scale_])
        self.n_outputs = 1 + len(atoms) + len(means)
        return self

    def _posterior(self, u):
        z = (u[:, None] - self._means[None]) / self._stds[None]
        logp = self.log_weights_[None] - 0.5 * z**2 - np.log(self._stds)[None]
        logp -= logp.max(axis=1, keepdims=True)
        p = np.exp(logp)
        return p / p.sum(axis=1, keepdims=True)

    def transform(self, x, rng=None):
        x = np.asarray(x, dtype=np.float64)
        u = (x - self.center_) / self.scale_
        out = np.zeros((len(u), self.n_outputs))
        atoms = self.point_masses_
        n_atoms = len(atoms)
        at = np.zeros(len(u), dtype=bool)
        if n_atoms:
            hit = x[:, None] == atoms[None]
            at = hit.any(axis=1)
            if not len(self._means):  # only point masses: the nearest one
                at[:] = True
                hit = np.abs(x[:, None] - atoms[None])
                hit = hit == hit.min(axis=1, keepdims=True)
            out[np.flatnonzero(at), 1 + np.argmax(hit[at], axis=1)] = 1.0
        if at.all():
            return out
        rows = np.flatnonzero(~at)
        u = u[rows]
        p = self._posterior(u)
        # prefer modes that hold the value within their 4-sigma range, so the
        # encoding stays exact (no clipping) whenever some mode covers it
        alpha_all = (u[:, None] - self._means[None]) / (4 * self._stds[None])
        inside = np.abs(alpha_all) <= 0.99
        covered = inside.any(axis=1)
        p = np.where(covered[:, None], p * inside, p)
        closest = np.argmin(np.abs(alpha_all), axis=1)
        p[~covered] = 0.0
        p[~covered, closest[~covered]] = 1.0
        p /= p.sum(axis=1, keepdims=True)
        if rng is None:
            mode = np.argmax(p, axis=1)
        else:  # vectorised draw from each row's posterior
            r = rng.uniform(size=len(u))[:, None]
            mode = np.minimum((np.cumsum(p, axis=1) < r).sum(axis=1), p.shape[1] - 1)
        alpha = (u - self._means[mode]) / (4 * self._stds[mode])
        out[rows, 0] = np.clip(alpha, -0.99, 0.99)
        out[rows, 1 + n_atoms + mode] = 1.0
        return out

    def inverse(self, block, rng=None):
        block = np.asarray(block, dtype=np.float64)
        mode = np.argmax(block[:, 1:], axis=1)
        alpha = np.clip(block[:, 0], -1, 1)
        n_atoms = len(self.point_masses_)
        out = np.empty(len(block))
        at = mode < n_atoms
        out[at] = self.point_masses_[mode[at]]
        g = mode[~at] - n_atoms
        u = alpha[~at] * 4 * self._stds[g] + self._means[g]
        out[~at] = np.clip(u * self.scale_ + self.center_, self.low_, self.high_)
        return out


def _variational_gmm_1d(u, k, max_iter, concentration=1e-3, tol=1e-4):
    """Mean-field variational Gaussian mixture of a 1-D sample.

    Truncated stick-breaking (Dirichlet-process) prior with concentration
    ``concentration`` on the weights, Normal-Gamma prior on each mode's mean
    and precision (centred on the data, of unit scale as ``u`` is
    standardised). Vectorised numpy; starts from a 1-D k-means seeded at
    ``k`` quantiles and keeps the modes sorted by size, so it
    is deterministic. Returns means, standard deviations and expected weights.
    """
    n = len(u)
    m0, beta0, a0 = 0.0, 1.0, 0.5
    b0 = a0 * 1e-2 * max(np.var(u), 1e-6)  # weak: narrow modes stay narrow
    # 1-D k-means from the quantiles (a few Lloyd steps) as the start
    centers = np.quantile(u, (np.arange(k) + 0.5) / k)
    for _ in range(10):
        label = np.abs(u[:, None] - centers[None]).argmin(axis=1)
        sums = np.bincount(label, weights=u, minlength=k)
        counts = np.bincount(label, minlength=k)
        centers = np.where(counts > 0, sums / np.maximum(counts, 1), centers)
    r = np.zeros((n, k))
    r[np.arange(n), label] = 1.0
    prev = None
    for _ in range(max_iter):
        # largest modes first, so the stick-breaking prior prunes the tail
        r = r[:, np.argsort(-r.sum(axis=0), kind="stable")]
        nk = r.sum(axis=0) + 1e-10
        xbar = (r * u[:, None]).sum(axis=0) / nk
        sk = (r * (u[:, None] - xbar) ** 2).sum(axis=0) / nk
        beta = beta0 + nk
        m = (beta0 * m0 + nk * xbar) / beta
        a = a0 + nk / 2
        b = b0 + 0.5 * (nk * sk + beta0 * nk * (xbar - m0) ** 2 / beta)
        g1 = 1.0 + nk
        g2 = concentration + (np.cumsum(nk[::-1])[::-1] - nk)
        dg = digamma(g1 + g2)
        e_log_v, e_log_1mv = digamma(g1) - dg, digamma(g2) - dg
        e_log_pi = e_log_v + np.concatenate([[0.0], np.cumsum(e_log_1mv)[:-1]])
        e_log_lam = digamma(a) - np.log(b)
        log_rho = (e_log_pi + 0.5 * e_log_lam)[None] - 0.5 * (
            1.0 / beta[None] + (a / b)[None] * (u[:, None] - m[None]) ** 2
        )
        log_rho -= log_rho.max(axis=1, keepdims=True)
        r = np.exp(log_rho)
        r /= r.sum(axis=1, keepdims=True)
        if prev is not None and np.max(np.abs(nk - prev)) < tol * n:
            break
        prev = nk
    v = g1 / (g1 + g2)
    weights = v * np.concatenate([[1.0], np.cumprod(1 - v)[:-1]])
    return m, np.sqrt(b / a), weights
