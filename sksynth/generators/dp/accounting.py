"""Privacy accounting: zero-concentrated DP (zCDP) and Renyi DP of DP-SGD.

All DP generators of sksynth account in rho-zCDP (Bun & Steinke, 2016) under
the *add/remove-one-record* neighbouring relation, and convert the total to an
``(epsilon, delta)`` guarantee at the end. The building blocks:

==============================  =============================================
mechanism                       cost
==============================  =============================================
Gaussian, L2 sensitivity ``s``  ``rho = s**2 / (2 * sigma**2)``
exponential, parameter ``eps``  ``rho = eps**2 / 8`` (bounded range,
                                Cesar & Rogers 2021)
thresholded Gaussian histogram  ``rho`` of its Gaussian noise plus an additive
                                failure probability ``delta`` (approximate
                                zCDP)
composition                     the ``rho`` add up, the additive ``delta`` add up
zCDP -> (eps, delta)            Canonne, Kamath & Steinke (2020), Prop. 12
==============================  =============================================

DP-SGD accounts in Renyi DP (RDP) instead: the Poisson-subsampled Gaussian
mechanism (Mironov, Talwar & Zhang 2019) at the orders :data:`RDP_ORDERS`,
composed with any zCDP step (``rho``-zCDP is ``alpha * rho``-RDP at every
order ``alpha``) and converted with Balle et al. (2020), Thm. 21; these are
the formulas of opacus's RDP accountant, computed here without it.

Examples
--------
>>> from sksynth.generators.dp.accounting import (
...     gaussian_sigma, zcdp_to_epsilon, epsilon_to_zcdp)
>>> round(gaussian_sigma(rho=0.5, sensitivity=1.0), 6)
1.0
>>> rho = epsilon_to_zcdp(1.0, 1e-6)
>>> round(zcdp_to_epsilon(rho, 1e-6), 6)
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special
from scipy.optimize import minimize_scalar
from scipy.special import log_ndtr

__all__ = [
    "RDP_ORDERS",
    "PrivacyAccountant",
    "PrivacySpent",
    "PrivacyStep",
    "calibrate_noise_multiplier",
    "epsilon_to_zcdp",
    "exponential_mechanism",
    "exponential_probabilities",
    "exponential_rho",
    "gaussian_exact_delta",
    "gaussian_rho",
    "gaussian_sigma",
    "rdp_to_epsilon",
    "subsampled_gaussian_rdp",
    "zcdp_delta",
    "zcdp_to_epsilon",
]


# ------------------------------------------------------------------ Gaussian
def gaussian_sigma(rho, sensitivity=1.0):
    """Noise scale of the Gaussian mechanism that is ``rho``-zCDP.

    ``sigma = sensitivity / sqrt(2 * rho)`` (Bun & Steinke 2016, Prop. 1.6).

    Examples
    --------
    >>> round(gaussian_sigma(0.02, sensitivity=2.0), 4)
    10.0
    """
    if rho <= 0:
        raise ValueError(f"rho must be > 0, got {rho}.")
    return float(sensitivity) / math.sqrt(2.0 * rho)


def gaussian_rho(sigma, sensitivity=1.0):
    """zCDP cost ``sensitivity**2 / (2 sigma**2)`` of the Gaussian mechanism.

    Examples
    --------
    >>> gaussian_rho(10.0, sensitivity=2.0)
    0.02
    """
    if sigma <= 0:
        raise ValueError(f"sigma must be > 0, got {sigma}.")
    return float(sensitivity) ** 2 / (2.0 * float(sigma) ** 2)


def gaussian_exact_delta(sigma, epsilon, sensitivity=1.0):
    """The exact ``delta(epsilon)`` of the Gaussian mechanism (Balle & Wang 2018).

    ``delta = Phi(s/(2 sigma) - eps sigma/s) - e^eps Phi(-s/(2 sigma) - eps sigma/s)``.
    Any valid zCDP conversion must give a ``delta`` at least this large.

    Examples
    --------
    >>> round(gaussian_exact_delta(1.0, 1.0), 4)
    0.1269
    """
    a = sensitivity / (2.0 * sigma)
    b = epsilon * sigma / sensitivity
    first = math.exp(log_ndtr(a - b))
    second = math.exp(epsilon + log_ndtr(-a - b))
    return max(first - second, 0.0)


# ------------------------------------------------------------ exponential
def exponential_rho(epsilon):
    """zCDP cost ``epsilon**2 / 8`` of the exponential mechanism.

    Examples
    --------
    >>> exponential_rho(2.0)
    0.5
    """
    return float(epsilon) ** 2 / 8.0


def exponential_probabilities(scores, epsilon, sensitivity=1.0):
    """Selection probabilities ``P(r) ~ exp(epsilon * score_r / (2 sensitivity))``.

    Examples
    --------
    >>> exponential_probabilities([0.0, 1.0], epsilon=2.0).round(4).tolist()
    [0.2689, 0.7311]
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or len(scores) == 0:
        raise ValueError("scores must be a non-empty 1-D array.")
    if sensitivity <= 0:
        raise ValueError(f"sensitivity must be > 0, got {sensitivity}.")
    logits = epsilon * scores / (2.0 * sensitivity)
    logits -= logits.max()
    p = np.exp(logits)
    return p / p.sum()


def exponential_mechanism(scores, epsilon, rng, sensitivity=1.0):
    """Index chosen by the exponential mechanism (``epsilon**2/8``-zCDP).

    Sampled with the Gumbel-max trick, which draws exactly from
    :func:`exponential_probabilities`.
    """
    scores = np.asarray(scores, dtype=float)
    logits = epsilon * scores / (2.0 * sensitivity)
    return int(np.argmax(logits + rng.gumbel(size=len(scores))))


# -------------------------------------------------------------- conversion
def zcdp_delta(rho, epsilon):
    """Smallest ``delta`` such that ``rho``-zCDP implies ``(epsilon, delta)``-DP.

    Uses the conversion of Canonne, Kamath & Steinke (2020, Prop. 12)::

        delta = inf_{a > 1} exp((a-1)(a rho - eps)) / (a-1) * (1 - 1/a)**a

    which is tighter than the classic ``eps = rho + 2 sqrt(rho log(1/delta))``.
    """
    if rho < 0 or epsilon < 0:
        raise ValueError("rho and epsilon must be >= 0.")
    if rho == 0:
        return 0.0

    def log_delta(a):
        return (a - 1) * (a * rho - epsilon) + a * math.log1p(-1 / a) - math.log(a - 1)

    hi = max(4.0, 4 * (epsilon + 1) / rho)
    res = minimize_scalar(
        log_delta, bounds=(1 + 1e-9, hi), method="bounded",
        options={"xatol": 1e-10 * hi},
    )
    # guard the optimiser with the analytic optimum of the leading term
    a0 = (epsilon + rho) / (2 * rho)
    best = res.fun
    if a0 > 1 + 1e-9:
        best = min(best, log_delta(a0))
    return float(min(math.exp(best), 1.0))


def zcdp_to_epsilon(rho, delta):
    """Smallest ``epsilon`` with ``rho``-zCDP => ``(epsilon, delta)``-DP.

    Examples
    --------
    >>> round(zcdp_to_epsilon(0.5, 1e-5), 3)
    4.728
    """
    _check_delta(delta)
    if rho == 0:
        return 0.0
    lo, hi = 0.0, rho + 2 * math.sqrt(rho * math.log(1 / delta)) + 1e-12
    for _ in range(200):
        mid = (lo + hi) / 2
        if zcdp_delta(rho, mid) <= delta:
            hi = mid
        else:
            lo = mid
    return hi


def epsilon_to_zcdp(epsilon, delta):
    """Largest ``rho`` whose zCDP guarantee implies ``(epsilon, delta)``-DP.

    Examples
    --------
    >>> round(epsilon_to_zcdp(1.0, 1e-9), 5)
    0.01497
    """
    if epsilon <= 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon}.")
    _check_delta(delta)
    lo, hi = 0.0, epsilon + 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if zcdp_delta(mid, epsilon) <= delta:
            lo = mid
        else:
            hi = mid
    return lo


def _check_delta(delta):
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}.")


# ------------------------------------------------------------- Renyi DP
# The orders of opacus's RDPAccountant (1.1, 1.2, ..., 10.9, 12, ..., 63).
RDP_ORDERS = tuple([1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)))


def _log_add(logx, logy):
    a, b = min(logx, logy), max(logx, logy)
    if a == -np.inf:
        return b
    return math.log1p(math.exp(a - b)) + b


def _log_sub(logx, logy):
    if logx < logy:
        raise ValueError("The result of subtraction must be non-negative.")
    if logy == -np.inf:
        return logx
    if logx == logy:
        return -np.inf
    try:
        return math.log(math.expm1(logx - logy)) + logy
    except OverflowError:
        return logx


def _log_erfc(x):
    return math.log(2) + special.log_ndtr(-x * 2**0.5)


def _log_a_int(q, sigma, alpha):
    # Mironov, Talwar & Zhang (2019), Sec. 3.3: A_alpha for an integer order
    log_a = -np.inf
    for i in range(alpha + 1):
        log_coef = (math.log(special.binom(alpha, i)) + i * math.log(q)
                    + (alpha - i) * math.log(1 - q))
        log_a = _log_add(log_a, log_coef + (i * i - i) / (2 * sigma**2))
    return float(log_a)


def _log_a_frac(q, sigma, alpha):
    # Mironov, Talwar & Zhang (2019), Sec. 3.3: the two series of a
    # fractional order, summed until their terms fall below e^-30
    log_a0, log_a1 = -np.inf, -np.inf
    z0 = sigma**2 * math.log(1 / q - 1) + 0.5
    i = 0
    while True:
        coef = special.binom(alpha, i)
        log_coef = math.log(abs(coef))
        j = alpha - i
        log_t0 = log_coef + i * math.log(q) + j * math.log(1 - q)
        log_t1 = log_coef + j * math.log(q) + i * math.log(1 - q)
        log_e0 = math.log(0.5) + _log_erfc((i - z0) / (math.sqrt(2) * sigma))
        log_e1 = math.log(0.5) + _log_erfc((z0 - j) / (math.sqrt(2) * sigma))
        log_s0 = log_t0 + (i * i - i) / (2 * sigma**2) + log_e0
        log_s1 = log_t1 + (j * j - j) / (2 * sigma**2) + log_e1
        if coef > 0:
            log_a0 = _log_add(log_a0, log_s0)
            log_a1 = _log_add(log_a1, log_s1)
        else:
            log_a0 = _log_sub(log_a0, log_s0)
            log_a1 = _log_sub(log_a1, log_s1)
        i += 1
        if max(log_s0, log_s1) < -30:
            break
    return _log_add(log_a0, log_a1)


def _sgm_rdp(q, sigma, alpha):
    if q == 0:
        return 0.0
    if sigma == 0:
        return np.inf
    if q == 1.0:
        return alpha / (2 * sigma**2)
    if np.isinf(alpha):
        return np.inf
    if float(alpha).is_integer():
        log_a = _log_a_int(q, sigma, int(alpha))
    else:
        log_a = _log_a_frac(q, sigma, alpha)
    return log_a / (alpha - 1)


def subsampled_gaussian_rdp(noise_multiplier, sample_rate, steps, orders=RDP_ORDERS):
    """RDP of ``steps`` steps of the Poisson-subsampled Gaussian mechanism.

    One step adds Gaussian noise of scale ``noise_multiplier`` (times the L2
    sensitivity) to a sum over a Poisson sample of rate ``sample_rate``; its
    Renyi DP at order ``alpha`` is ``log(A_alpha) / (alpha - 1)`` (Mironov,
    Talwar & Zhang 2019, integer and fractional orders), and ``steps`` steps
    compose to ``steps`` times that.

    Returns
    -------
    rdp : ndarray of shape (len(orders),)

    Examples
    --------
    >>> from sksynth.generators.dp.accounting import subsampled_gaussian_rdp
    >>> # without subsampling it is the Gaussian mechanism: alpha / (2 sigma^2)
    >>> subsampled_gaussian_rdp(2.0, 1.0, 1, orders=[2.0, 8.0]).tolist()
    [0.25, 1.0]
    >>> round(float(subsampled_gaussian_rdp(1.0, 0.01, 100, orders=[4.0])[0]), 6)
    0.036315
    """
    orders = np.atleast_1d(np.asarray(orders, dtype=float))
    if steps == 0:
        return np.zeros(len(orders))
    return np.array(
        [_sgm_rdp(sample_rate, noise_multiplier, a) for a in orders], dtype=float
    ) * steps


def rdp_to_epsilon(rdp, delta, orders=RDP_ORDERS):
    """The ``epsilon`` at ``delta`` of an RDP curve (Balle et al. 2020, Thm. 21).

    ``epsilon = min_alpha rdp(alpha) - (log(delta) + log(alpha)) / (alpha - 1)
    + log((alpha - 1) / alpha)``.

    Examples
    --------
    >>> from sksynth.generators.dp.accounting import rdp_to_epsilon
    >>> round(rdp_to_epsilon([0.5, 1.0], 1e-5, orders=[2.0, 4.0]), 4)
    4.0879
    """
    orders = np.atleast_1d(np.asarray(orders, dtype=float))
    rdp = np.atleast_1d(np.asarray(rdp, dtype=float))
    if len(orders) != len(rdp):
        raise ValueError(
            f"rdp has {len(rdp)} values for {len(orders)} orders."
        )
    eps = (rdp - (np.log(delta) + np.log(orders)) / (orders - 1)
           + np.log((orders - 1) / orders))
    if np.isnan(eps).all():
        return float("inf")
    return float(eps[np.nanargmin(eps)])


def calibrate_noise_multiplier(epsilon, delta, sample_rate, steps, rho_fixed=0.0,
                               tol=1e-4):
    """Smallest noise multiplier of DP-SGD meeting ``(epsilon, delta)``.

    The DP-SGD run (``steps`` steps of the Poisson-subsampled Gaussian at
    ``sample_rate``) is composed in Renyi DP with a ``rho_fixed``-zCDP
    mechanism (``alpha * rho_fixed`` at order ``alpha``) and converted with
    :func:`rdp_to_epsilon`; bisection to relative tolerance ``tol``.

    Examples
    --------
    >>> from sksynth.generators.dp.accounting import calibrate_noise_multiplier
    >>> sigma = calibrate_noise_multiplier(1.0, 1e-5, sample_rate=0.01, steps=500)
    >>> round(sigma, 2)
    1.26
    """
    if epsilon <= 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon}.")
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}.")
    fixed = rho_fixed * np.asarray(RDP_ORDERS)

    def eps_of(sigma):
        return rdp_to_epsilon(
            fixed + subsampled_gaussian_rdp(sigma, sample_rate, steps), delta
        )

    if rdp_to_epsilon(fixed, delta) >= epsilon:
        raise ValueError(
            f"The budget epsilon={epsilon:g} is spent before training "
            "(domain estimation); give a public domain or a larger epsilon."
        )
    lo, hi = 1e-2, 1.0
    while eps_of(hi) > epsilon:
        lo, hi = hi, hi * 2
        if hi > 1e6:
            raise ValueError(f"epsilon={epsilon:g} is too small to train at all.")
    while (hi - lo) > tol * hi:
        mid = (lo + hi) / 2
        if eps_of(mid) > epsilon:
            lo = mid
        else:
            hi = mid
    return float(hi)


# ---------------------------------------------------------------- ledger
@dataclass(frozen=True)
class PrivacyStep:
    """One charged, data-dependent step.

    Attributes
    ----------
    name : str
        What was released (e.g. ``"1-way marginal 'age'"``).
    mechanism : str
        ``"gaussian"``, ``"exponential"`` or ``"thresholded-gaussian"``.
    rho : float
        Its zCDP cost.
    delta : float
        Its additive failure probability (approximate zCDP), 0 for pure zCDP.
    """

    name: str
    mechanism: str
    rho: float
    delta: float = 0.0


@dataclass(frozen=True)
class PrivacySpent:
    """The guarantee a DP generator actually delivered in ``fit``.

    Attributes
    ----------
    epsilon, delta : float
        The ``(epsilon, delta)``-DP guarantee of this fit (add/remove-one-record
        neighbours), obtained from ``rho`` and ``delta_additive``.
    rho : float
        Total zCDP cost of the steps of this fit.
    delta_additive : float
        Sum of the additive failure probabilities (thresholded histograms);
        ``delta`` includes it.
    mechanism : str
        The algorithm (``"MST"``, ``"AIM"``).
    steps : tuple of PrivacyStep
        Per-step breakdown; ``sum(s.rho for s in steps) == rho``.
    n_fits : int
        How many times this estimator object has been fitted (each fit spends
        a new budget on the data it is given).
    cumulative_epsilon, cumulative_delta : float
        Guarantee of all ``n_fits`` fits together, if they saw the same data
        (zCDP composition of the fits).
    """

    epsilon: float
    delta: float
    rho: float
    delta_additive: float
    mechanism: str
    steps: tuple = field(default=(), repr=False)
    n_fits: int = 1
    cumulative_epsilon: float = float("nan")
    cumulative_delta: float = float("nan")
    cumulative_rho: float = float("nan")
    cumulative_delta_additive: float = float("nan")

    def breakdown(self):
        """Per-step costs as a DataFrame (name, mechanism, rho, delta, share)."""
        import pandas as pd

        frame = pd.DataFrame([vars(s) for s in self.steps])
        if len(frame):
            frame["share"] = frame["rho"] / max(self.rho, 1e-300)
        return frame


class PrivacyAccountant:
    """A zCDP budget that steps are charged against; refuses overspending.

    Parameters
    ----------
    rho : float
        The total zCDP budget.

    Examples
    --------
    >>> acc = PrivacyAccountant(rho=1.0)
    >>> acc.charge("a", "gaussian", 0.25)
    >>> acc.charge("b", "exponential", 0.5)
    >>> acc.spent, round(acc.remaining, 2)
    (0.75, 0.25)
    """

    def __init__(self, rho):
        if rho <= 0:
            raise ValueError(f"rho must be > 0, got {rho}.")
        self.rho = float(rho)
        self.steps = []

    @property
    def spent(self):
        """The zCDP spent so far (composition: the sum of the steps' rho)."""
        return float(math.fsum(s.rho for s in self.steps))

    @property
    def delta_additive(self):
        """Sum of the steps' additive failure probabilities."""
        return float(math.fsum(s.delta for s in self.steps))

    @property
    def remaining(self):
        """The zCDP budget still available."""
        return max(self.rho - self.spent, 0.0)

    def charge(self, name, mechanism, rho, delta=0.0):
        """Record a step; raise RuntimeError if it would exceed the budget."""
        if rho < 0 or delta < 0:
            raise ValueError("rho and delta of a step must be >= 0.")
        if self.spent + rho > self.rho * (1 + 1e-9):
            raise RuntimeError(
                f"Privacy budget exceeded by step {name!r}: spent {self.spent:.6g}"
                f" + {rho:.6g} > rho={self.rho:.6g}."
            )
        self.steps.append(PrivacyStep(name, mechanism, float(rho), float(delta)))

    def report(self, delta, mechanism, previous=None):
        """The :class:`PrivacySpent` of the charged steps at total ``delta``.

        ``delta`` is the total (additive failure plus conversion) delta; the
        conversion uses ``delta - delta_additive``. ``previous`` is the
        :class:`PrivacySpent` of an earlier fit of the same object, if any.
        """
        rho = self.spent
        d_add = self.delta_additive
        eps = zcdp_to_epsilon(rho, delta - d_add) if rho > 0 else 0.0
        n_fits, c_rho, c_add, c_delta = 1, rho, d_add, float(delta)
        if previous is not None:
            n_fits = previous.n_fits + 1
            c_rho += previous.cumulative_rho
            c_add += previous.cumulative_delta_additive
            c_delta += previous.cumulative_delta
        c_eps = zcdp_to_epsilon(c_rho, c_delta - c_add) if c_rho > 0 else 0.0
        return PrivacySpent(
            epsilon=eps,
            delta=float(delta),
            rho=rho,
            delta_additive=d_add,
            mechanism=mechanism,
            steps=tuple(self.steps),
            n_fits=n_fits,
            cumulative_epsilon=c_eps,
            cumulative_delta=c_delta,
            cumulative_rho=c_rho,
            cumulative_delta_additive=c_add,
        )


