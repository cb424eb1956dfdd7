"""The vectorised pieces of the neural modules compute what the plain
(per-span, autograd) versions compute."""

import pytest
import torch
from torch.nn import functional as F

from sksynth.generators.neural.nets import (
    CTGANModule,
    PacDiscriminator,
    SpanActivation,
)

SPANS = ((0, 1, "tanh"), (1, 5, "softmax"), (5, 7, "softmax"), (7, 8, "linear"),
         (8, 9, "tanh"), (9, 12, "softmax"))


def activate(raw, spans):
    """The plain version, without Gumbel noise: a loop over the spans."""
    parts = []
    for start, stop, kind in spans:
        x = raw[:, start:stop]
        if kind == "tanh":
            parts.append(torch.tanh(x))
        elif kind == "linear":
            parts.append(x)
        else:
            parts.append(torch.softmax(x, dim=1))
    return torch.cat(parts, dim=1)


# CTGAN's layouts have no linear column (another code path)
NO_LINEAR = ((0, 1, "tanh"), (1, 5, "softmax"), (5, 7, "softmax"),
             (7, 8, "tanh"), (8, 9, "tanh"), (9, 12, "softmax"))


@pytest.mark.parametrize("spans", [SPANS, NO_LINEAR], ids=["linear", "no_linear"])
def test_span_activation_matches_the_per_span_loop(spans):
    torch.manual_seed(0)
    raw = (3 * torch.randn(6, 12)).requires_grad_(True)
    act = SpanActivation(spans, 12)
    ours = act(raw, gumbel=False)
    ref = activate(raw, spans)
    torch.testing.assert_close(ours, ref)
    w = torch.randn(6, 12)
    g1 = torch.autograd.grad((ours * w).sum(), raw)[0]
    g2 = torch.autograd.grad((ref * w).sum(), raw)[0]
    torch.testing.assert_close(g1, g2)
    # each softmax span of the Gumbel version is a distribution
    out = act(raw)
    for start, stop, kind in spans:
        if kind == "softmax":
            torch.testing.assert_close(out[:, start:stop].sum(1), torch.ones(6))
    # hard: one-hot spans; large values do not overflow
    hard = act(1e4 * raw.detach(), hard=True)
    assert torch.isfinite(hard).all()
    assert set(hard[:, 1:5].sum(1).tolist()) == {1.0}


def test_span_activation_gumbel_frequencies_follow_the_softmax():
    torch.manual_seed(0)
    logits = torch.tensor([[0.0, 1.0, -1.0, 2.0]])
    act = SpanActivation(((0, 4, "softmax"),), 4)
    draws = act(logits.expand(40_000, -1), hard=True).mean(0)
    torch.testing.assert_close(draws, torch.softmax(logits, 1)[0], atol=0.01,
                               rtol=0)


@pytest.mark.parametrize("dims", [(16, 8), (16,)])
def test_generator_cond_index_path_is_the_dense_generator(dims):
    torch.manual_seed(0)
    module = CTGANModule(d_data=12, d_cond=5, spans=SPANS, embedding_dim=6,
                         generator_dim=dims).eval()
    noise = torch.randn(9, 6)
    g = torch.randint(5, (9,))
    cond = F.one_hot(g, 5).float()
    dense = module.generator.dense(torch.cat([noise, cond], 1))
    torch.testing.assert_close(module.generator(torch.cat([noise, cond], 1)),
                               dense)
    ours = module.generator(noise, cond_index=g)
    torch.testing.assert_close(ours, dense)
    params = list(module.generator.parameters())
    v = torch.randn_like(dense)
    for a, b in zip(torch.autograd.grad((ours * v).sum(), params),
                    torch.autograd.grad((dense * v).sum(), params)):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize("training", [False, True])
def test_critic_input_gradient_is_autograds(training):
    torch.manual_seed(0)
    disc = PacDiscriminator(7, (16, 8), pac=3).train(training)
    x = torch.randn(12, 7)
    torch.manual_seed(1)  # same dropout masks in both
    xr = x.clone().requires_grad_(True)
    (ref,) = torch.autograd.grad(disc(xr).sum(), xr, create_graph=True)
    gp_ref = ((ref.reshape(-1, 21).norm(dim=1) - 1) ** 2).mean()
    torch.manual_seed(1)
    ours = disc.input_gradient(x)
    gp = ((ours.reshape(-1, 21).norm(dim=1) - 1) ** 2).mean()
    torch.testing.assert_close(ours, ref)
    params = list(disc.parameters())
    ours_g = torch.autograd.grad(gp, params, allow_unused=True)
    ref_g = torch.autograd.grad(gp_ref, params, allow_unused=True)
    for p, a, b in zip(params, ours_g, ref_g):
        # biases do not move the gradient of a piecewise linear critic
        a = torch.zeros_like(p) if a is None else a
        b = torch.zeros_like(p) if b is None else b
        torch.testing.assert_close(a, b)


def _dense_and_indexed(disc, x, g, w, seed):
    """Critic outputs on the concatenated rows and through the look-up
    path, with the same dropout masks."""
    d_cond = disc.d_cond
    cond = (F.one_hot(g, d_cond).float() * w[..., None]).sum(1)
    torch.manual_seed(seed)
    dense = disc(torch.cat([x, cond], 1))
    torch.manual_seed(seed)
    ours = disc(x, cond_index=g, cond_weight=None if (w == 1).all() else w)
    return dense, ours, cond


@pytest.mark.parametrize("two_hot", [False, True])
@pytest.mark.parametrize("training", [False, True])
def test_critic_cond_index_path_is_the_dense_critic(two_hot, training):
    """Values and gradients (weights and data rows) of the look-up path
    equal the dense critic's on [x, cond] (one-hot, or the two-hot mixed
    vectors of the gradient penalty)."""
    torch.manual_seed(0)
    disc = PacDiscriminator(7 + 5, (16, 8), pac=3, d_cond=5).train(training)
    x = torch.randn(12, 7, requires_grad=True)
    if two_hot:
        g = torch.randint(5, (12, 2))
        a = torch.rand(12, 1)
        w = torch.cat([a, 1 - a], 1)
    else:
        g = torch.randint(5, (12, 1))
        w = torch.ones(12, 1)
    dense, ours, cond = _dense_and_indexed(disc, x, g, w, seed=1)
    torch.testing.assert_close(ours, dense)
    params = [x] + list(disc.parameters())
    v = torch.randn_like(dense)
    for a, b in zip(torch.autograd.grad((ours * v).sum(), params),
                    torch.autograd.grad((dense * v).sum(), params)):
        torch.testing.assert_close(a, b)
    # the explicit input gradient (rows [x, cond]) and its weight gradients
    torch.manual_seed(2)
    ref = disc.input_gradient(torch.cat([x, cond], 1))
    torch.manual_seed(2)
    got = disc.input_gradient(x, cond_index=g,
                              cond_weight=w if two_hot else None)
    torch.testing.assert_close(got, ref)
    params = list(disc.parameters())
    ga = torch.autograd.grad((got ** 2).sum(), params, allow_unused=True)
    gb = torch.autograd.grad((ref ** 2).sum(), params, allow_unused=True)
    for p, a, b in zip(params, ga, gb):
        a = torch.zeros_like(p) if a is None else a
        b = torch.zeros_like(p) if b is None else b
        torch.testing.assert_close(a, b)


def test_ctgan_critic_losses_are_the_plain_wgan_gp():
    """CTGAN's critic step (look-up conditional vectors, explicit input
    gradient) gives the loss, gradient penalty and weight gradients of the
    plain WGAN-GP on concatenated rows with autograd's double backward."""
    from types import SimpleNamespace

    from sksynth.generators.neural._ctgan import CTGANNet

    torch.manual_seed(0)
    module = CTGANModule(d_data=12, d_cond=5, spans=SPANS, embedding_dim=6,
                         discriminator_dim=(16, 8), pac=3).train()
    disc = module.discriminator
    net = SimpleNamespace(module_=module, gp_weight=10.0)
    real, fake = torch.randn(12, 12), torch.randn(12, 12)
    g_real, g_fake = torch.randint(5, (12,)), torch.randint(5, (12,))
    torch.manual_seed(1)
    loss, gp = CTGANNet._critic_losses(net, real, fake, g_real, g_fake)
    params = list(disc.parameters())
    ours = torch.autograd.grad(loss + gp, params)

    torch.manual_seed(1)
    real_c = torch.cat([real, F.one_hot(g_real, 5).float()], 1)
    fake_c = torch.cat([fake, F.one_hot(g_fake, 5).float()], 1)
    out = disc(torch.cat([fake_c, real_c]))
    ref_loss = out[:4].mean() - out[4:].mean()
    alpha = torch.rand(4, 1, 1).expand(-1, 3, 17).reshape(-1, 17)
    mix = (alpha * real_c + (1 - alpha) * fake_c).requires_grad_(True)
    (grad,) = torch.autograd.grad(disc(mix).sum(), mix, create_graph=True)
    ref_gp = 10.0 * ((grad.reshape(4, -1).norm(dim=1) - 1) ** 2).mean()
    ref = torch.autograd.grad(ref_loss + ref_gp, params, allow_unused=True)
    torch.testing.assert_close(loss, ref_loss)
    torch.testing.assert_close(gp, ref_gp)
    for p, a, b in zip(params, ours, ref):
        torch.testing.assert_close(a, torch.zeros_like(p) if b is None else b)


def test_pack_input_is_a_linear_on_packed_rows():
    """The critic's first layer is nn.Linear on packs of rows [data, cond]
    (its weight assembled from the data and conditional parts), with
    nn.Linear's initial scale."""
    torch.manual_seed(0)
    disc = PacDiscriminator(7 + 5, (16,), pac=3, d_cond=5)
    inp = disc.inp
    w = torch.cat([inp.weight.t().reshape(16, 3, 7),
                   inp.cond_weight.view(3, 5, 16).permute(2, 0, 1)], 2)
    rows = torch.randn(12, 12)
    torch.testing.assert_close(inp(rows), F.linear(rows.reshape(4, 36),
                                                   w.reshape(16, 36), inp.bias))
    bound = 1 / 36 ** 0.5
    assert w.abs().max() <= bound and w.abs().max() > 0.8 * bound
    assert inp.bias.abs().max() <= bound


def test_span_activation_gumbel_path_values_and_gradients():
    """With the same uniform draws, the (in-place) Gumbel-softmax path equals
    softmax((raw - log(-log(u))) / tau) per span, values and gradients."""
    act = SpanActivation(NO_LINEAR, 12)
    raw = torch.randn(6, 12, requires_grad=True)
    w = torch.randn(6, 12)
    torch.manual_seed(0)
    out = act(raw, tau=0.3)
    torch.manual_seed(0)
    u = torch.rand(6, 12).clamp(min=1e-20)
    y = (raw - torch.log(-torch.log(u))) / 0.3
    parts = [torch.tanh(raw[:, a:b]) if k == "tanh" else torch.softmax(y[:, a:b], 1)
             for a, b, k in NO_LINEAR]
    ref = torch.cat(parts, 1)
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(torch.autograd.grad((out * w).sum(), raw)[0],
                               torch.autograd.grad((ref * w).sum(), raw)[0])
