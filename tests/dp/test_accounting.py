"""The privacy mechanisms against their formulas."""

import math

import numpy as np
import pytest
from scipy.stats import chisquare

from sksynth.generators.dp.accounting import (
    PrivacyAccountant,
    epsilon_to_zcdp,
    exponential_mechanism,
    exponential_probabilities,
    exponential_rho,
    gaussian_exact_delta,
    gaussian_rho,
    gaussian_sigma,
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
