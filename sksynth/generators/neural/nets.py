"""Pure torch modules of the neural generators (no data handling, no training).

The modules take their layout (``spans``) as plain tuples so that they can be
built by skorch from ``module__*`` keyword arguments:

* a *span* is ``(start, stop, kind)`` with ``kind`` ``"tanh"`` (one scalar in
  [-1, 1], the within-mode value of a mode-specific normalised column) or
  ``"softmax"`` (a one-hot group: a category, a mode, a missing indicator).
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "CTGANModule",
    "DiffusionMLP",
    "SpanActivation",
    "TVAEModule",
]


class SpanActivation(nn.Module):
    """Output activation of all spans at once (no Python loop over spans).

    Every column belongs to a segment (a softmax span, or a column of its
    own); the (Gumbel-)softmax is computed per segment with scatter / gather
    over the segment ids, then ``tanh`` and ``linear`` columns are selected
    with ``torch.where``. Gumbel noise is ``-log(-log(U))`` for one uniform
    draw over the whole batch: the same distribution as applying tanh or
    ``F.gumbel_softmax`` span by span.
    """

    def __init__(self, spans, d_data):
        super().__init__()
        seg = torch.arange(d_data)
        kind = torch.zeros(d_data, dtype=torch.long)  # 0 linear, 1 tanh, 2 soft
        n_seg = d_data
        for start, stop, k in spans:
            if k == "softmax":
                seg[start:stop] = n_seg
                n_seg += 1
                kind[start:stop] = 2
            elif k == "tanh":
                kind[start:stop] = 1
        # renumber the segments 0..S-1
        _, seg = torch.unique(seg, return_inverse=True)
        self.n_segments = int(seg.max()) + 1 if d_data else 0
        self.register_buffer("seg", seg, persistent=False)
        self.register_buffer("tanh_mask", kind == 1, persistent=False)
        self.register_buffer("tanh_cols", torch.nonzero(kind == 1).flatten(),
                             persistent=False)
        self.register_buffer("soft_mask", kind == 2, persistent=False)
        self.any_soft = bool((kind == 2).any())
        self.any_tanh = bool((kind == 1).any())
        self.all_soft = bool((kind == 2).all())
        self.no_linear = bool((kind != 0).all())

    def forward(self, raw, tau=0.2, hard=False, gumbel=True):
        if raw.shape[1] == 0:
            return raw
        out = raw
        if self.any_soft:
            if gumbel:  # in place: -log(-log(u)), then (raw + g) / tau
                g = torch.rand_like(raw).clamp_(min=1e-20).log_().neg_().log_()
                y = torch.sub(raw, g).div_(tau)
            else:
                y = raw
            n, seg = len(raw), self.seg
            idx = seg.expand(n, -1)
            top = torch.full((n, self.n_segments), -torch.inf, dtype=raw.dtype,
                             device=raw.device)
            top = top.scatter_reduce(1, idx, y.detach(), "amax")
            top = top.index_select(1, seg)
            e = torch.sub(y, top).exp_()
            total = raw.new_zeros(n, self.n_segments).index_add(1, seg, e)
            soft = e / total.index_select(1, seg)
            if hard:
                one = (y == top).to(raw.dtype)
                soft = one - soft.detach() + soft
            # (a tanh column is a segment of its own, replaced below)
            out = soft if self.no_linear else torch.where(self.soft_mask, soft, out)
        if self.any_tanh:  # tanh of the tanh columns only
            cols = self.tanh_cols
            out = out.index_copy(1, cols, torch.tanh(raw.index_select(1, cols)))
        return out


class ResidualGenerator(nn.Module):
    """CTGAN's residual generator: noise + conditional vector -> raw outputs.

    Layer ``i`` (Linear -> BatchNorm -> ReLU, the last one a plain Linear)
    sees ``[h_{i-1}, ..., h_0, noise, cond]``. The weights are held by input:
    ``w_noise`` (d_noise, sum of the layer widths) and ``w_cond`` (d_cond,
    ...) for the columns every layer sees, ``w_h[i - 1]`` for layer ``i``'s
    hidden columns. :meth:`forward` computes the noise products of all layers
    in one matrix product and, given ``cond_index`` (one-hot conditional
    vectors), adds the conditional products as row look-ups of ``w_cond``;
    no weight is split or copied per call. Initialised and computing as
    :meth:`dense`, the concatenated-input layers of the paper.

    With ``d_cond_embedding > 0`` the conditional vector first goes through
    a learned embedding (``cond_embedding``, ``d_cond`` rows of that width)
    and the layers see the embedding instead of the one-hot vector: the
    weights grow linearly with the number of categories instead of as the
    product ``d_cond * d_data`` (quadratically in the levels of a
    high-cardinality column).
    """

    def __init__(self, d_noise, d_cond, d_data, dims, d_cond_embedding=0):
        super().__init__()
        self.d_noise = int(d_noise)
        self.d_cond = int(d_cond)
        self.d_cond_embedding = int(d_cond_embedding) if self.d_cond else 0
        self.cond_embedding = None
        if self.d_cond_embedding:
            self.cond_embedding = nn.Embedding(self.d_cond, self.d_cond_embedding)
        self.widths = tuple(int(h) for h in dims) + (int(d_data),)
        d_x = self.d_noise + (self.d_cond_embedding or self.d_cond)
        w_x, w_h, biases, d_h = [], [], [], 0
        for width in self.widths:
            full = nn.Linear(d_h + d_x, width)  # the dense layer's init
            w = full.weight.detach()
            if d_h:
                w_h.append(nn.Parameter(w[:, :d_h].clone()))
            w_x.append(w[:, d_h:])
            biases.append(full.bias.detach())
            d_h += width
        w_x = torch.cat(w_x).t()
        self.w_noise = nn.Parameter(w_x[:self.d_noise].clone())
        self.w_cond = nn.Parameter(w_x[self.d_noise:].clone())
        self.bias = nn.Parameter(torch.cat(biases))
        self.w_h = nn.ParameterList(w_h)
        self.bn = nn.ModuleList(nn.BatchNorm1d(h) for h in self.widths[:-1])

    def _layers(self, xa):
        xa = torch.split(xa, self.widths, dim=1)
        h = None
        for i, z in enumerate(xa):
            if h is not None:
                z = torch.addmm(z, h, self.w_h[i - 1].t())
            if i == len(self.bn):
                return z
            a = F.relu(self.bn[i](z))
            h = a if h is None else torch.cat([a, h], dim=1)

    def forward(self, x, cond_index=None):
        """Raw outputs for ``x = [noise, cond]``, or, with ``cond_index``, for
        ``x = noise`` and one-hot conditional vectors (a 1 at ``cond_index``)."""
        if cond_index is not None and self.cond_embedding is not None:
            e = self.cond_embedding(cond_index)
            e = e.sum(1) if e.dim() == 3 else e
            xa = torch.addmm(self.bias, x, self.w_noise).addmm(e, self.w_cond)
            return self._layers(xa)
        if cond_index is not None and self.d_cond:
            # the bias is added to the (small) table, not to the batch
            looked_up = F.embedding(cond_index, self.w_cond + self.bias)
            return self._layers(torch.addmm(looked_up, x, self.w_noise))
        noise, cond = torch.split(x, [self.d_noise, self.d_cond], dim=1)
        xa = torch.addmm(self.bias, noise, self.w_noise)
        if self.d_cond:
            xa = xa.addmm(self._cond_input(cond), self.w_cond)
        return self._layers(xa)

    def _cond_input(self, cond):
        """What the layers see of dense conditional vectors."""
        if self.cond_embedding is None:
            return cond
        return cond @ self.cond_embedding.weight

    def dense(self, x):
        """The same function computed as in the paper: each layer a Linear
        on its concatenated input ``[h_{i-1}, ..., h_0, noise, cond]``."""
        rows = torch.split(torch.cat([self.w_noise, self.w_cond]).t(),
                           self.widths)
        biases = torch.split(self.bias, self.widths)
        noise, cond = torch.split(x, [self.d_noise, self.d_cond], dim=1)
        h = torch.cat([noise, self._cond_input(cond)], 1) if self.d_cond else x
        for i, (w_x, b) in enumerate(zip(rows, biases)):
            w = torch.cat([self.w_h[i - 1], w_x], 1) if i else w_x
            z = F.linear(h, w, b)
            if i == len(self.bn):
                return z
            h = torch.cat([F.relu(self.bn[i](z)), h], dim=1)


class _Dropout(nn.Dropout):
    """Inverted dropout with its mask drawn by one uniform draw (``u >= p``):
    the distribution of :class:`torch.nn.Dropout`, with a cheaper random draw
    on CPU than ``bernoulli_``."""

    def mask(self, x):
        """The scaled keep mask of one forward pass (None: identity)."""
        if not self.training or self.p == 0.0:
            return None
        if self.p >= 1.0:
            return torch.zeros_like(x)
        return torch.rand_like(x).ge_(self.p).mul_(1.0 / (1.0 - self.p))

    def forward(self, x):
        m = self.mask(x)
        return x if m is None else x * m


class _PackInput(nn.Module):
    """First layer of the PacGAN critic: a Linear on packs of ``pac`` rows
    ``[data, cond]``, its weight held by input (transposed): the data
    columns' ``weight`` (pac * d_data, h) and the conditional columns'
    ``cond_weight`` (pac * d_cond, h, one row per pack slot and conditional
    column), so that conditional vectors given by index are row look-ups of
    a contiguous table, and the weight gradient is one ``x.T @ grad``
    product (faster than ``grad.T @ x`` for these thin batches of packs).
    Initialised as ``nn.Linear(pac * (d_data + d_cond), h)``."""

    def __init__(self, d_data, d_cond, pac, d_out):
        super().__init__()
        self.d_data, self.d_cond, self.pac = int(d_data), int(d_cond), int(pac)
        full = nn.Linear(self.pac * (self.d_data + self.d_cond), d_out)
        w = full.weight.detach().view(d_out, self.pac, -1)
        self.weight = nn.Parameter(
            w[:, :, :self.d_data].reshape(d_out, -1).t().contiguous())
        self.cond_weight = nn.Parameter(
            w[:, :, self.d_data:].permute(1, 2, 0).reshape(-1, d_out).clone())
        self.bias = nn.Parameter(full.bias.detach().clone())

    def forward(self, x, cond_index=None, cond_weight=None):
        """Pre-activations of the packs of rows ``x``: rows ``[data, cond]``,
        or, given ``cond_index`` (n, m), rows ``data`` whose conditional
        vector has ``cond_weight[i, j]`` (default 1) at ``cond_index[i, j]``."""
        pac, dx, dc = self.pac, self.d_data, self.d_cond
        n = len(x)
        if cond_index is None:
            out = torch.addmm(self.bias, x[:, :dx].reshape(-1, pac * dx),
                              self.weight)
            if dc:
                out = out.addmm(x[:, dx:].reshape(-1, pac * dc), self.cond_weight)
            return out
        slot = torch.arange(n, device=x.device).remainder(pac)  # row in pack
        idx = (slot[:, None] * dc + cond_index).reshape(n // pac, -1)
        if cond_weight is not None:
            cond_weight = cond_weight.reshape(n // pac, -1)
        cond = F.embedding_bag(idx, self.cond_weight, mode="sum",
                               per_sample_weights=cond_weight)
        return torch.addmm(cond + self.bias, x.reshape(-1, pac * dx),
                           self.weight)

    def input_gradient(self, u):
        """Gradient with respect to the rows ``[data, cond]`` of
        ``(forward(rows) * u).sum()``."""
        gx = (u @ self.weight.t()).reshape(-1, self.d_data)
        if not self.d_cond:
            return gx
        gc = (u @ self.cond_weight.t()).reshape(-1, self.d_cond)
        return torch.cat([gx, gc], 1)


class PacDiscriminator(nn.Module):
    """PacGAN critic: ``pac`` rows (with their conditions) are judged together.

    Its rows are ``[data, cond]`` with ``d_cond`` conditional columns last.
    Given ``cond_index`` (and ``cond_weight``), :meth:`forward` takes only the
    data columns and adds the first-layer products of the (one- or two-hot)
    conditional vectors as weighted row look-ups (``embedding_bag``): the
    same function as on the concatenated rows, without multiplying the zeros
    of the conditional vectors (forward, weight and input gradients).
    """

    def __init__(self, d_in, dims, pac=10, dropout=0.5, d_cond=0):
        super().__init__()
        self.pac = int(pac)
        self.d_cond = int(d_cond)
        dims = tuple(dims)
        d_first = dims[0] if dims else 1
        if self.d_cond:
            self.inp = _PackInput(d_in - self.d_cond, self.d_cond, self.pac,
                                  d_first)
        else:  # a plain Linear (opacus computes its per-sample gradients)
            self.inp = nn.Linear(d_in * self.pac, d_first)
        layers, d = [], dims[0] if dims else 1
        for i, h in enumerate(dims):
            if i:
                layers.append(nn.Linear(d, h))
            layers += [nn.LeakyReLU(0.2), _Dropout(dropout)]
            d = h
        if dims:
            layers.append(nn.Linear(d, 1))
        self.seq = nn.Sequential(*layers)

    def _first(self, x, cond_index=None, cond_weight=None):
        if not self.d_cond:
            return self.inp(x.reshape(-1, x.shape[1] * self.pac))
        return self.inp(x, cond_index, cond_weight)

    def forward(self, x, cond_index=None, cond_weight=None):
        return self.seq(self._first(x, cond_index, cond_weight))

    def input_gradient(self, x, cond_index=None, cond_weight=None):
        """Gradient of ``self(x).sum()`` with respect to the rows ``x``
        (with ``cond_index``: to the rows ``[x, cond]``, cond columns last).

        Written out for this Linear / LeakyReLU / Dropout stack: the critic
        is piecewise linear, so the gradient is the chain of its weights
        times the (locally constant) activation slopes and dropout masks of
        one forward pass. Differentiable in the weights (for the gradient
        penalty) without the double backward of ``create_graph=True``, which
        would also differentiate the zero second derivative of LeakyReLU.
        Same value as ``torch.autograd.grad`` with the same dropout masks.
        """
        layers = list(self.seq)
        scales, linears = [], [self.inp]
        with torch.no_grad():
            z = self._first(x, cond_index, cond_weight)
            for i in range(0, len(layers) - 1, 3):
                act, drop = layers[i:i + 2]
                slope = torch.where(z > 0, 1.0, act.negative_slope)
                m = drop.mask(z)
                scales.append(slope if m is None else slope * m)
                h = F.leaky_relu(z, act.negative_slope)
                h = h if m is None else h * m
                z = layers[i + 2](h)
                linears.append(layers[i + 2])
        if layers:
            grad = layers[-1].weight.expand(len(x) // self.pac, -1)
        else:
            grad = x.new_ones(len(x) // self.pac, 1)
        for i in reversed(range(len(scales))):
            grad = grad * scales[i]
            if i:
                grad = grad @ linears[i].weight
        if self.d_cond:
            return self.inp.input_gradient(grad)
        return (grad @ self.inp.weight).reshape(len(x), -1)


class CTGANModule(nn.Module):
    """Generator and PacGAN critic of CTGAN held together (one skorch module).

    Parameters
    ----------
    d_data : int
        Width of the encoded rows.
    d_cond : int
        Width of the conditional vector.
    spans : tuple of (start, stop, kind)
        Output layout (see the module docstring).
    embedding_dim : int, default=128
        Size of the noise vector.
    generator_dim, discriminator_dim : tuple of int, default=(256, 256)
        Hidden layer sizes.
    pac : int, default=10
        Rows per PacGAN pack.
    average : bool, default=False
        Also hold ``generator_average``, a copy of the generator whose
        weights and batch-norm statistics the net keeps as a moving average
        of the trained generator's (not trained itself).
    d_cond_embedding : int, default=0
        Width of the generator's embedding of the conditional vector (0:
        the one-hot vector itself, as in the paper; see
        :class:`ResidualGenerator`).
    """

    def __init__(
        self, d_data=1, d_cond=0, spans=(), embedding_dim=128,
        generator_dim=(256, 256), discriminator_dim=(256, 256), pac=10,
        average=False, d_cond_embedding=0,
    ):
        super().__init__()
        self.spans = tuple(tuple(s) for s in spans)
        self.embedding_dim = int(embedding_dim)
        self.generator = ResidualGenerator(
            self.embedding_dim, d_cond, d_data, tuple(generator_dim),
            d_cond_embedding=d_cond_embedding,
        )
        self.discriminator = PacDiscriminator(
            d_data + d_cond, tuple(discriminator_dim), pac, d_cond=d_cond
        )
        self.activation = SpanActivation(self.spans, d_data)
        self.generator_average = None
        if average:
            self.generator_average = copy.deepcopy(self.generator)
            self.generator_average.requires_grad_(False)

    @torch.no_grad()
    def update_average(self, weight):
        """Move ``generator_average`` towards the generator: ``avg += weight
        * (current - avg)`` for every weight and batch-norm statistic."""
        pairs = zip(
            list(self.generator_average.parameters())
            + list(self.generator_average.buffers()),
            list(self.generator.parameters()) + list(self.generator.buffers()),
        )
        for avg, cur in pairs:
            if avg.is_floating_point():
                avg.lerp_(cur, weight)
            else:  # batch counters
                avg.copy_(cur)

    def forward(self, noise, cond=None, hard=False, cond_index=None,
                average=False):
        """Activated and raw synthetic rows for ``noise`` and conditional
        vectors ``cond``, or one-hot ones given as ``cond_index`` (the
        position of the 1 in each row; their products are look-ups).
        Without either the conditional vectors are zero. ``average`` uses
        ``generator_average`` when there is one."""
        gen = self.generator
        if average and self.generator_average is not None:
            gen = self.generator_average
        if cond_index is not None:
            raw = gen(noise, cond_index=cond_index)
        else:
            if cond is None:
                cond = noise.new_zeros(len(noise), gen.d_cond)
            raw = gen(torch.cat([noise, cond], dim=1))
        return self.activation(raw, hard=hard), raw


def _mlp(d_in, dims, d_out, act=nn.ReLU, dropout=0.0):
    layers, d = [], d_in
    for h in dims:
        layers += [nn.Linear(d, h), act()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        d = h
    layers.append(nn.Linear(d, d_out))
    return nn.Sequential(*layers)


class TVAEModule(nn.Module):
    """Encoder and decoder of TVAE (Xu et al., 2019).

    Parameters
    ----------
    d_data : int
        Width of the encoded rows.
    spans : tuple of (start, stop, kind)
        Output layout (see the module docstring).
    embedding_dim : int, default=128
        Size of the latent code.
    compress_dims, decompress_dims : tuple of int, default=(128, 128)
        Hidden layer sizes of the encoder and the decoder.
    """

    def __init__(
        self, d_data=1, spans=(), embedding_dim=128, compress_dims=(128, 128),
        decompress_dims=(128, 128),
    ):
        super().__init__()
        self.spans = tuple(tuple(s) for s in spans)
        self.embedding_dim = int(embedding_dim)
        self.encoder = _mlp(d_data, tuple(compress_dims), 2 * self.embedding_dim)
        self.decoder = _mlp(self.embedding_dim, tuple(decompress_dims), d_data)
        self.log_sigma = nn.Parameter(torch.full((d_data,), math.log(0.1)))

    def encode(self, x):
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decoder(z), mu, logvar


class _TimeEmbedding(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim
        self.proj = nn.Sequential(nn.Linear(dim, dim), nn.SiLU(), nn.Linear(dim, dim))

    def forward(self, t):
        half = self.dim // 2
        freqs = torch.exp(
            -math.log(10000.0) * torch.arange(half, device=t.device) / max(half, 1)
        )
        args = t.float()[:, None] * freqs[None]
        emb = torch.cat([torch.cos(args), torch.sin(args)], dim=1)
        if self.dim % 2:
            emb = F.pad(emb, (0, 1))
        return self.proj(emb)


def cosine_alpha_bar(n_timesteps):
    """Cumulative signal rates ``alpha_bar_t`` (t = 0..T-1, float64) of the
    cosine schedule (Nichol & Dhariwal, 2021), each step's ``beta`` capped at
    0.999."""
    steps = torch.arange(n_timesteps + 1, dtype=torch.float64)
    f = torch.cos((steps / n_timesteps + 0.008) / 1.008 * math.pi / 2) ** 2
    alpha_bar = (f / f[0]).clamp(min=1e-12)
    betas = (1 - alpha_bar[1:] / alpha_bar[:-1]).clamp(max=0.999)
    return torch.cumprod(1 - betas, 0)


class DiffusionMLP(nn.Module):
    """TabDDPM's MLP denoiser with timestep and (optional) class embeddings.

    Parameters
    ----------
    d_data : int
        Width of the diffused rows (numeric values, then one-hot groups).
    n_classes : int, default=0
        Number of classes of the conditioning label (0: unconditional).
    d_embedding : int, default=128
        Width of the input projection and of the time / class embeddings.
    dims : tuple of int, default=(256, 256, 256, 256)
        Hidden layer sizes.
    dropout : float, default=0.0
        Dropout after each hidden layer.
    n_timesteps : int, default=1000
        Number of diffusion steps (the schedule is stored as buffers).
    spans : tuple
        Layout of the categorical groups, ``(start, stop, "softmax")``.
    n_numeric : int
        Number of Gaussian (numeric) features, placed first.
    """

    def __init__(
        self, d_data=1, n_classes=0, d_embedding=128, dims=(256, 256, 256, 256),
        dropout=0.0, n_timesteps=1000, spans=(), n_numeric=0,
    ):
        super().__init__()
        self.spans = tuple(tuple(s) for s in spans)
        self.n_numeric = int(n_numeric)
        self.n_classes = int(n_classes)
        self.n_timesteps = int(n_timesteps)
        self.inp = nn.Linear(d_data, d_embedding)
        self.time = _TimeEmbedding(d_embedding)
        self.label = nn.Embedding(n_classes, d_embedding) if n_classes else None
        self.mlp = _mlp(d_embedding, tuple(dims), d_data, dropout=dropout)
        # cosine schedule (Nichol & Dhariwal, 2021), shared by both diffusions
        abar = cosine_alpha_bar(self.n_timesteps)
        alphas = abar / torch.cat([torch.ones(1, dtype=torch.float64), abar[:-1]])
        betas = 1 - alphas
        abar_prev = torch.cat([torch.ones(1, dtype=torch.float64), abar[:-1]])
        for name, value in {
            "betas": betas, "log_alpha": torch.log(alphas),
            "log_1m_alpha": torch.log1p(-alphas.clamp(max=1 - 1e-12)),
            "abar": abar, "abar_prev": abar_prev,
            "log_abar": torch.log(abar),
            "log_1m_abar": torch.log1p(-abar.clamp(max=1 - 1e-12)),
        }.items():
            self.register_buffer(name, value.float())
        # the categorical columns (after the numeric ones): group id and
        # log(number of categories) of each, for group-wise softmax / sampling
        seg = torch.zeros(d_data - self.n_numeric, dtype=torch.long)
        log_k = torch.zeros(d_data - self.n_numeric)
        for i, (start, stop, _) in enumerate(self.spans):
            seg[start - self.n_numeric:stop - self.n_numeric] = i
            log_k[start - self.n_numeric:stop - self.n_numeric] = math.log(
                stop - start)
        self.register_buffer("cat_seg", seg, persistent=False)
        self.register_buffer("cat_log_k", log_k, persistent=False)

    def forward(self, x, t, label=None):
        h = self.inp(x) + self.time(t)
        if self.label is not None and label is not None:
            h = h + self.label(label)
        return self.mlp(F.silu(h))
