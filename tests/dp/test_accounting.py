"""The privacy mechanisms against their formulas."""

import math
import warnings

import numpy as np
import pytest
from scipy.stats import chisquare

from sksynth.generators.dp.accounting import (
    RDP_ORDERS,
    PrivacyAccountant,
    calibrate_noise_multiplier,
    epsilon_to_zcdp,
    exponential_mechanism,
    exponential_probabilities,
    exponential_rho,
    gaussian_exact_delta,
    gaussian_rho,
    gaussian_sigma,
    rdp_to_epsilon,
    subsampled_gaussian_rdp,
    zcdp_delta,
    zcdp_to_epsilon,
)


@pytest.mark.parametrize("rho", [1e-3, 0.05, 2.0])
@pytest.mark.parametrize("sensitivity", [1.0, math.sqrt(2)])
def test_gaussian_sigma_formula(rho, sensitivity):
    sigma = gaussian_sigma(rho, sensitivity)
    assert sigma == pytest.approx(sensitivity / math.sqrt(2 * rho), rel=1e-12)
    assert gaussian_rho(sigma, sensitivity) == pytest.approx(rho, rel=1e-12)


def test_gaussian_refuses_nonpositive():
    with pytest.raises(ValueError, match="rho"):
        gaussian_sigma(0.0)
    with pytest.raises(ValueError, match="sigma"):
        gaussian_rho(-1.0)


@pytest.mark.parametrize("rho", [1e-3, 0.013, 0.1, 1.0])
@pytest.mark.parametrize("epsilon", [0.3, 1.0, 3.0])
def test_zcdp_conversion_is_valid_and_tighter_than_classic(rho, epsilon):
    # Valid: the Gaussian mechanism with this rho is rho-zCDP, so the
    # conversion must never promise a smaller delta than its exact curve.
    sigma = gaussian_sigma(rho)
    exact = gaussian_exact_delta(sigma, epsilon)
    converted = zcdp_delta(rho, epsilon)
    assert converted >= exact * (1 - 1e-9)
    # Tighter than (or equal to) the classic eps = rho + 2 sqrt(rho log 1/delta)
    classic = math.exp(-((epsilon - rho) ** 2) / (4 * rho)) if epsilon > rho else 1.0
    assert converted <= classic * (1 + 1e-9)


@pytest.mark.parametrize("epsilon,delta", [(0.3, 1e-9), (1.0, 1e-9), (3.0, 1e-6)])
def test_epsilon_rho_round_trip(epsilon, delta):
    rho = epsilon_to_zcdp(epsilon, delta)
    assert zcdp_delta(rho, epsilon) <= delta * (1 + 1e-6)
    assert zcdp_to_epsilon(rho, delta) == pytest.approx(epsilon, rel=1e-6)
    # the classic bound would give less budget at the same guarantee
    classic_rho = (math.sqrt(math.log(1 / delta) + epsilon)
                   - math.sqrt(math.log(1 / delta))) ** 2
    assert rho >= classic_rho


def test_known_values():
    # eps = 1, delta = 1e-9: the classic bound gives rho = 0.0118; CKS more
    classic = (math.sqrt(math.log(1e9) + 1) - math.sqrt(math.log(1e9))) ** 2
    assert classic == pytest.approx(0.01178, abs=1e-5)
    assert epsilon_to_zcdp(1.0, 1e-9) == pytest.approx(0.014973, abs=1e-5)
    assert gaussian_exact_delta(1.0, 1.0) == pytest.approx(0.126936, abs=1e-5)


def test_gaussian_empirical_noise_scale():
    rng = np.random.RandomState(0)
    rho = 0.01
    sigma = gaussian_sigma(rho)
    counts = np.arange(50.0)
    draws = np.array([counts + rng.normal(0, sigma, 50) for _ in range(400)])
    sd = (draws - counts).std()
    # 20000 draws: the std of the sample std is sigma / sqrt(2 * 20000) = 0.5%
    assert sd == pytest.approx(sigma, rel=0.02)


def test_exponential_probabilities_formula():
    scores = np.array([0.0, 1.0, 3.0, -2.0])
    p = exponential_probabilities(scores, epsilon=0.8, sensitivity=2.0)
    assert p.sum() == pytest.approx(1.0)
    for i in range(4):
        for j in range(4):
            assert p[i] / p[j] == pytest.approx(
                math.exp(0.8 * (scores[i] - scores[j]) / (2 * 2.0)), rel=1e-12
            )
    assert exponential_rho(0.8) == pytest.approx(0.08)


def test_exponential_mechanism_selection_frequencies():
    rng = np.random.RandomState(0)
    scores = np.array([0.0, 1.0, 2.0, 4.0])
    eps = 1.0
    p = exponential_probabilities(scores, eps)
    n = 20000
    picks = np.bincount(
        [exponential_mechanism(scores, eps, rng) for _ in range(n)], minlength=4
    )
    assert chisquare(picks, n * p).pvalue > 1e-3
    assert np.abs(picks / n - p).max() < 0.015


def test_accountant_composition_and_refusal():
    acc = PrivacyAccountant(rho=0.1)
    for k in range(10):
        acc.charge(f"step {k}", "gaussian", 0.01, delta=1e-12)
    assert acc.spent == pytest.approx(0.1)
    assert acc.delta_additive == pytest.approx(1e-11)
    with pytest.raises(RuntimeError, match="budget exceeded"):
        acc.charge("one too many", "gaussian", 0.01)
    report = acc.report(1e-6, "test")
    assert report.rho == pytest.approx(sum(s.rho for s in report.steps))
    assert report.epsilon == pytest.approx(zcdp_to_epsilon(0.1, 1e-6 - 1e-11))
    # a second "fit" composes: the cumulative rho doubles
    again = PrivacyAccountant(rho=0.1)
    again.charge("x", "gaussian", 0.1)
    second = again.report(1e-6, "test", previous=report)
    assert second.n_fits == 2
    assert second.cumulative_rho == pytest.approx(0.2)
    assert second.cumulative_delta == pytest.approx(2e-6)
    assert second.cumulative_epsilon > second.epsilon


# ------------------------------------------------------------- Renyi DP

RDP_CASES = [(0.5, 0.001, 1), (0.8, 0.01, 100), (1.0, 0.02, 1000), (1.26, 0.01, 500),
             (2.0, 0.1, 50), (4.0, 0.25, 10), (10.0, 0.5, 3), (1.1, 0.004, 12345)]


def test_rdp_orders_are_opacus_defaults():
    accountants = pytest.importorskip("opacus.accountants")
    assert list(RDP_ORDERS) == list(accountants.RDPAccountant.DEFAULT_ALPHAS)


@pytest.mark.parametrize("sigma, q, steps", RDP_CASES)
def test_subsampled_gaussian_rdp_matches_opacus(sigma, q, steps):
    rdp_mod = pytest.importorskip("opacus.accountants.analysis.rdp")
    ours = subsampled_gaussian_rdp(sigma, q, steps)
    ref = np.asarray(rdp_mod.compute_rdp(q=q, noise_multiplier=sigma, steps=steps,
                                         orders=list(RDP_ORDERS)), dtype=float)
    np.testing.assert_allclose(ours, ref, rtol=1e-6)
    for delta in (1e-5, 1e-9):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # opacus: "optimal order is ..."
            ref_eps, _ = rdp_mod.get_privacy_spent(orders=list(RDP_ORDERS),
                                                   rdp=list(ref), delta=delta)
        assert rdp_to_epsilon(ours, delta) == pytest.approx(ref_eps, rel=1e-6)


def test_subsampled_gaussian_rdp_formulas():
    # no subsampling: the Gaussian mechanism, alpha / (2 sigma^2) per step
    orders = np.array([1.5, 2.0, 7.3, 32.0])
    np.testing.assert_allclose(subsampled_gaussian_rdp(3.0, 1.0, 4, orders),
                               4 * orders / 18.0, rtol=1e-12)
    # subsampling amplifies: strictly below the full Gaussian at every order
    sub = subsampled_gaussian_rdp(1.0, 0.05, 1)
    assert np.all(sub < np.asarray(RDP_ORDERS) / 2.0)
    # nothing sampled, no step: no cost; composition is linear in the steps
    assert not subsampled_gaussian_rdp(1.0, 0.0, 10).any()
    assert not subsampled_gaussian_rdp(1.0, 0.1, 0).any()
    np.testing.assert_allclose(subsampled_gaussian_rdp(1.5, 0.1, 30),
                               30 * subsampled_gaussian_rdp(1.5, 0.1, 1), rtol=1e-12)
    # the RDP curve grows with the order (RDP is monotone in alpha)
    assert np.all(np.diff(sub) > 0)


def test_rdp_to_epsilon_formula_and_lengths():
    eps = rdp_to_epsilon([0.5, 1.0], 1e-5, orders=[2.0, 4.0])
    by_hand = min(0.5 - (math.log(1e-5) + math.log(2)) + math.log(1 / 2),
                  1.0 - (math.log(1e-5) + math.log(4)) / 3 + math.log(3 / 4))
    assert eps == pytest.approx(by_hand, rel=1e-12)
    with pytest.raises(ValueError, match="orders"):
        rdp_to_epsilon([0.5], 1e-5, orders=[2.0, 4.0])


def test_calibrate_noise_multiplier_known_value_and_opacus():
    sigma = calibrate_noise_multiplier(1.0, 1e-5, sample_rate=0.01, steps=500)
    assert round(sigma, 2) == 1.26
    eps = rdp_to_epsilon(subsampled_gaussian_rdp(sigma, 0.01, 500), 1e-5)
    assert eps <= 1.0 and eps > 0.999  # the smallest sigma, to tol=1e-4
    accountants = pytest.importorskip("opacus.accountants")
    acc = accountants.RDPAccountant()
    acc.history = [(sigma, 0.01, 500)]
    assert acc.get_epsilon(1e-5) == pytest.approx(eps, rel=1e-6)
