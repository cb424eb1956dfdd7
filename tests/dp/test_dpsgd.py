"""DP-SGD generators (DPTVAEGenerator, DPCTGANGenerator): accounting and domain."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from sksynth.datasets import make_mixed_classification
from sksynth.generators import DPCTGANGenerator, DPTVAEGenerator
from sksynth.generators.dp import PrivacyBudgetWarning
from sksynth.generators.dp.accounting import calibrate_noise_multiplier

RDPAccountant = pytest.importorskip("opacus.accountants").RDPAccountant
get_noise_multiplier = pytest.importorskip(
    "opacus.accountants.utils").get_noise_multiplier

TINY = {
    DPTVAEGenerator: {"embedding_dim": 4, "compress_dims": (16,),
                      "decompress_dims": (16,)},
    DPCTGANGenerator: {"embedding_dim": 4, "generator_dim": (16,),
                       "discriminator_dim": (16,)},
}
GENERATORS = list(TINY)
pytestmark = pytest.mark.filterwarnings("ignore:Full backward hook:UserWarning")


@pytest.fixture(scope="module")
def data():
    return make_mixed_classification(n_samples=400, random_state=0)


def public_domain(X, y):
    """A public domain covering every column (nothing estimated under DP)."""
    dom = {
        "age": {"low": 0, "high": 120, "integer": True},
        "income": {"low": 0.0, "high": 1e6, "missing": False},
        "balance": {"low": -1e5, "high": 1e5, "missing": True},
        "n_products": {"low": 0, "high": 10, "integer": True},
        "region": {"categories": ["east", "north", "south", "west", "central"],
                   "missing": True},
        "plan": {"categories": ["basic", "plus", "premium"], "missing": False},
        "active": {"categories": [False, True]},
        "y": {"categories": [0, 1]},
    }
    for col, spec in dom.items():
        if "low" in spec:
            v = (y if col == "y" else X[col]).dropna()
            assert spec["low"] <= v.min() and v.max() <= spec["high"], col
    return dom


def make(cls, **kw):
    params = dict(TINY[cls], max_epochs=2, batch_size=50, random_state=0)
    params.update(kw)
    return cls(**params)


@pytest.mark.parametrize("cls", GENERATORS)
def test_epsilon_reported_within_target(cls, data):
    X, y = data
    gen = make(cls, epsilon=2.0, delta=1e-5).fit(X, y)
    spent = gen.privacy_spent_
    assert spent.mechanism == "DP-SGD"
    assert gen.epsilon_ == spent.epsilon
    # calibrated: at most the target, and not wastefully below it
    assert 1.9 <= gen.epsilon_ <= 2.0
    assert spent.delta == 1e-5
    # Poisson sampling at q = batch_size / n, round(1 / q) steps per epoch
    assert gen.sample_rate_ == pytest.approx(50 / 400)
    assert gen.n_steps_ == 2 * 8
    sgd = [s for s in spent.steps if s.mechanism == "subsampled-gaussian"]
    assert len(sgd) == 1 and "16 steps" in sgd[0].name
    domain_steps = [s for s in spent.steps if s.name.startswith("domain of")]
    assert domain_steps, "the private domain must be charged"
    Xs, ys = gen.sample(50, random_state=0)
    assert Xs.shape == (50, X.shape[1]) and set(ys) <= {0, 1}


@pytest.mark.parametrize("cls", GENERATORS)
def test_noise_multiplier_matches_opacus(cls, data):
    X, y = data
    eps, delta = 1.5, 1e-5
    gen = make(cls, epsilon=eps, delta=delta, domain=public_domain(X, y))
    gen.fit(X, y)
    q, steps, sigma = gen.sample_rate_, gen.n_steps_, gen.noise_multiplier_
    # nothing private in the domain: all the budget goes to DP-SGD
    assert not [s for s in gen.privacy_spent_.steps if s.name.startswith("domain")]
    ref = get_noise_multiplier(target_epsilon=eps, target_delta=delta,
                               sample_rate=q, steps=steps, accountant="rdp")
    assert sigma == pytest.approx(ref, rel=0.03)
    acc = RDPAccountant()
    acc.history = [(sigma, q, steps)]
    assert acc.get_epsilon(delta) == pytest.approx(gen.epsilon_, rel=1e-9)
    assert gen.epsilon_ <= eps


def test_domain_budget_costs_noise(data):
    X, y = data
    public = make(DPTVAEGenerator, epsilon=1.0, delta=1e-5,
                  domain=public_domain(X, y)).fit(X, y)
    private = make(DPTVAEGenerator, epsilon=1.0, delta=1e-5,
                   domain_budget=0.3).fit(X, y)
    assert private.noise_multiplier_ > public.noise_multiplier_ * 1.05
    assert private.epsilon_ <= 1.0
    # the same (sigma, q, steps) without the domain is cheaper than the whole
    alone = RDPAccountant()
    alone.history = [(private.noise_multiplier_, private.sample_rate_,
                      private.n_steps_)]
    assert alone.get_epsilon(1e-5) < private.epsilon_ - 0.05


def test_calibration_monotone_and_refuses_spent_budget():
    s1 = calibrate_noise_multiplier(1.0, 1e-6, sample_rate=0.02, steps=300)
    s2 = calibrate_noise_multiplier(4.0, 1e-6, sample_rate=0.02, steps=300)
    assert s1 > s2 > 0
    with pytest.raises(ValueError, match="spent before training"):
        calibrate_noise_multiplier(0.5, 1e-6, 0.02, 300, rho_fixed=1.0)


@pytest.mark.parametrize("kw, match", [
    ({"epsilon": 0.0}, "epsilon"),
    ({"epsilon": -1.0}, "epsilon"),
    ({"epsilon": 1.0, "delta": 0.0}, "delta"),
    ({"epsilon": 1.0, "delta": 1.5}, "delta"),
    ({"epsilon": None}, "explicit privacy budget"),
    ({"epsilon": 1.0, "delta": 0.01}, "1/n_samples"),
    ({"epsilon": 1.0, "max_grad_norm": 0.0}, "max_grad_norm"),
])
@pytest.mark.parametrize("cls", GENERATORS)
def test_bad_budget_refused(cls, kw, match, data):
    X, y = data
    with pytest.raises(ValueError, match=match):
        make(cls, **kw).fit(X, y)


@pytest.mark.parametrize("cls", GENERATORS)
def test_public_domain_used_unchanged(cls, data):
    X, y = data
    dom = public_domain(X, y)
    gen = make(cls, epsilon=1.0, delta=1e-5, domain=dom).fit(X, y)
    got = gen.get_domain()
    assert got["region"]["categories"] == dom["region"]["categories"]
    assert got["plan"]["categories"] == dom["plan"]["categories"]
    for col in ("age", "income", "balance", "n_products"):
        assert (got[col]["low"], got[col]["high"]) == (
            dom[col]["low"], dom[col]["high"]), col
    assert all(d.source == "public" for d in gen.domain_)
    region = gen.schema_.columns[list(X.columns).index("region")]
    assert list(region.categories) == dom["region"]["categories"]
    Xs, _ = gen.sample(300, random_state=0)
    assert set(Xs["region"].dropna()) <= set(dom["region"]["categories"])
    assert Xs["age"].between(0, 120).all()


def test_public_domain_must_cover_data(data):
    X, y = data
    dom = public_domain(X, y)
    dom["region"] = {"categories": ["east", "north"], "missing": True}
    with pytest.raises(ValueError, match="public domain"):
        make(DPTVAEGenerator, epsilon=1.0, delta=1e-5, domain=dom).fit(X, y)


def test_refit_and_partial_fit_spend_again(data):
    X, y = data
    gen = make(DPTVAEGenerator, epsilon=1.0, delta=1e-5).fit(X, y)
    first = gen.epsilon_
    with pytest.warns(PrivacyBudgetWarning, match="fitted again") as record:
        gen.fit(X, y)
    fitted_again = [w for w in record if "fitted again" in str(w.message)]
    assert fitted_again[0].filename == __file__  # points at the user's call
    assert gen.privacy_spent_.n_fits == 2
    assert gen.privacy_spent_.cumulative_epsilon > gen.epsilon_
    steps = gen.n_steps_
    with pytest.warns(PrivacyBudgetWarning, match="more than the target"):
        gen.partial_fit(X, y, epochs=1)
    assert gen.n_steps_ == steps + 8
    assert gen.epsilon_ > first
    assert len([s for s in gen.privacy_spent_.steps
                if s.mechanism == "subsampled-gaussian"]) == 2


def test_no_real_loss_in_history(data):
    X, y = data
    gen = make(DPTVAEGenerator, epsilon=1.0, delta=1e-5).fit(X, y)
    assert np.isnan(gen.net_.history[:, "train_loss"]).all()
    ct = make(DPCTGANGenerator, epsilon=1.0, delta=1e-5,
              loss="wasserstein").fit(X, y)
    assert "discriminator_loss" not in ct.net_.history[-1, "batches"][0]
    # the Wasserstein critic respects weight clipping (the logistic one,
    # the default, needs none); no BatchNorm in DP-trained parts
    w = torch.cat([p.detach().flatten()
                   for p in ct.net_.module_.discriminator.parameters()])
    assert float(w.abs().max()) <= ct.weight_clip + 1e-7
    for m in gen.net_.dp_modules() + ct.net_.dp_modules():
        assert not any(isinstance(x, torch.nn.modules.batchnorm._BatchNorm)
                       for x in m.modules())


def test_per_sample_clipping_and_noise(data):
    X, y = data
    gen = make(DPTVAEGenerator, epsilon=1.0, delta=1e-5,
               domain=public_domain(X, y)).fit(X, y)
    net = gen.net_
    Z = gen.schema_.encode(X, y)
    M = torch.as_tensor(gen._encode(Z, np.random.RandomState(0)),
                        dtype=torch.float32)
    params = [p for m in net.dp_modules() for p in m.parameters()]
    from opacus import GradSampleModule

    gsms = [GradSampleModule(m, loss_reduction="sum") for m in net.dp_modules()]
    net.train_data_ = M
    try:
        net.set_params(noise_multiplier=0.0, max_grad_norm=1e9, sample_rate=1.0)
        torch.manual_seed(0)
        out = net._private_grads(params, net._per_sample_loss, M)
        torch.manual_seed(0)
        ref = torch.autograd.grad(net._per_sample_loss(M).sum(), params)
        # no clipping, no noise: the mean gradient
        for a, b in zip(out, ref):
            assert torch.allclose(a * len(M), b, rtol=1e-3, atol=1e-3)
        # tight clipping: the sum of clipped gradients has norm <= n * C
        net.set_params(max_grad_norm=1e-3)
        out = net._private_grads(params, net._per_sample_loss, M)
        norm = torch.sqrt(sum((g * len(M)).pow(2).sum() for g in out))
        assert float(norm) <= len(M) * 1e-3 * (1 + 1e-4)
        # noise: std sigma * C / (q n) per coordinate on an empty batch
        net.set_params(noise_multiplier=2.0, max_grad_norm=1.0)
        out = net._private_grads(params, net._per_sample_loss, M[:0])
        flat = torch.cat([g.flatten() for g in out]) * len(M)
        assert float(flat.std()) == pytest.approx(2.0, rel=0.15)
    finally:
        for g in gsms:
            g.cleanup()
        del net.train_data_


def test_dpctgan_has_no_packing_nor_pinned_class_attributes(data):
    X, y = data
    # pac, log_frequency and average_decay are neither parameters nor class
    # attributes: DP forbids them (packing re-packs rows, training-by-sampling
    # reads counts), so the net is built without them
    assert not {"pac", "log_frequency", "average_decay"} & set(
        DPCTGANGenerator().get_params())
    for name in ("pac", "log_frequency", "average_decay"):
        assert name not in vars(DPCTGANGenerator)
    gen = make(DPCTGANGenerator, epsilon=5.0, delta=1e-5,
               domain=public_domain(X, y)).fit(X, y)
    assert gen.net_.module_.discriminator.pac == 1
    assert gen.net_.module_.generator_average is None
    assert gen.net_.average_decay is None


@pytest.mark.parametrize("cls", GENERATORS)
def test_default_settings_meet_the_claim(cls):
    # the tuned defaults (batch_size="auto", max_epochs=10) on a 640-row
    # table: 20-row expected batches, 32 steps an epoch, 320 steps; the
    # delivered epsilon is recomputed here from the RDP of the subsampled
    # Gaussian composed with the zCDP domain steps
    from sksynth.generators.dp.accounting import (
        RDP_ORDERS,
        rdp_to_epsilon,
        subsampled_gaussian_rdp,
    )

    X, y = make_mixed_classification(n_samples=640, random_state=0)
    gen = cls(epsilon=3.0, delta=1e-5, verbose=0, random_state=0, **TINY[cls])
    gen.fit(X, y)
    assert gen.get_params()["batch_size"] == "auto"
    assert gen.sample_rate_ == pytest.approx(20 / 640)
    assert gen.n_steps_ == 10 * 32
    spent = gen.privacy_spent_
    rho = sum(s.rho for s in spent.steps if s.mechanism != "subsampled-gaussian")
    assert rho > 0  # the domain was paid for
    orders = np.asarray(RDP_ORDERS)

    def eps_of(sigma):
        rdp = rho * orders + subsampled_gaussian_rdp(sigma, gen.sample_rate_, 320)
        return rdp_to_epsilon(rdp, 1e-5 - spent.delta_additive)

    assert eps_of(gen.noise_multiplier_) == pytest.approx(gen.epsilon_, rel=1e-9)
    assert 2.99 <= gen.epsilon_ <= 3.0
    # calibrated tightly: 1% less noise would break the claim
    assert eps_of(gen.noise_multiplier_ * 0.99) > 3.0


@pytest.mark.parametrize("n", [300, 5_000, 32_561, 1_000_000])
def test_auto_batch_calibration_against_the_accountant(n):
    # the plan "auto" gives a table of n rows (adult's train table: 32,561)
    # at epsilon 3, delta 1e-9: calibrated by bisection, checked directly
    # against subsampled_gaussian_rdp (and opacus's accountant)
    from sksynth.generators.dp._dpsgd import _auto_batch_size
    from sksynth.generators.dp.accounting import rdp_to_epsilon, subsampled_gaussian_rdp

    b = _auto_batch_size(n)
    assert 16 <= b <= 1000
    q = min(1.0, b / n)
    steps = 10 * max(1, int(round(1 / q)))
    sigma = calibrate_noise_multiplier(3.0, 1e-9, q, steps)
    eps = rdp_to_epsilon(subsampled_gaussian_rdp(sigma, q, steps), 1e-9)
    assert 2.99 <= eps <= 3.0
    assert rdp_to_epsilon(subsampled_gaussian_rdp(sigma * 0.99, q, steps), 1e-9) > 3
    acc = RDPAccountant()
    acc.history = [(sigma, q, steps)]
    assert acc.get_epsilon(1e-9) == pytest.approx(eps, rel=1e-3)


ADULT = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "adult"


@pytest.mark.slow
@pytest.mark.parametrize("cls", GENERATORS)
def test_adult_epsilon_3_defaults_are_worth_using(cls):
    # a user's plain cls(epsilon=3) on adult's whole training table (32,561
    # rows, delta 1e-9): measured (seed 0, benchmarks/bench_dp.py) TSTR ROC
    # AUC DP-TVAE 0.858, DP-CTGAN 0.845; the former defaults gave 0.49 / 0.65
    if not (ADULT / "train.csv").exists():
        pytest.skip(f"{ADULT} is absent")
    from sksynth.metrics import tstr_score

    train = pd.read_csv(ADULT / "train.csv")
    test = pd.read_csv(ADULT / "test.csv")
    X, y = train.drop(columns="income"), train["income"]
    gen = cls(epsilon=3.0, delta=1e-9, verbose=0, random_state=0).fit(X, y)
    assert gen.epsilon_ <= 3.0
    Xs, ys = gen.sample(len(train), random_state=0)
    synth = Xs.assign(income=ys)
    assert tstr_score(train, synth, test, target="income", random_state=0) > 0.80
