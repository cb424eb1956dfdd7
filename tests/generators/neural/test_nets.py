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


def test_span_activation_matches_the_per_span_loop():
    torch.manual_seed(0)
    raw = (3 * torch.randn(6, 12)).requires_grad_(True)
    act = SpanActivation(SPANS, 12)
    ours = act(raw, gumbel=False)
    ref = activate(raw, SPANS)
    torch.testing.assert_close(ours, ref)
    w = torch.randn(6, 12)
    g1 = torch.autograd.grad((ours * w).sum(), raw)[0]
    g2 = torch.autograd.grad((ref * w).sum(), raw)[0]
    torch.testing.assert_close(g1, g2)
    # each softmax span of the Gumbel version is a distribution
    out = act(raw)
    for start, stop, kind in SPANS:
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
    dense = module.generator.seq(torch.cat([noise, cond], 1))
    torch.testing.assert_close(module.generator(torch.cat([noise, cond], 1)),
                               dense)
    torch.testing.assert_close(module.generator(noise, cond_index=g), dense)


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
