"""The torch step model: a GRU over whole sequences, trained through skorch.

At every step the GRU reads the entity's static codes (numeric ones
standardised, categorical ones one-hot), the previous step (numeric values
standardised with a missing flag, categorical ones one-hot with a missing
class) and the previous log gap; from its state it predicts the log gap of
the step (irregular series: a normal) and then, given that gap, every
temporal column in turn, each head reading the columns already drawn at this
step (a chain: the columns of a step are not independent given the state).
A numeric value is a mixture of normals for its change since the previous
step where its changes vary much less than its level (its level otherwise,
and at an entity's first step or after a missing value), with a Bernoulli
for its missingness; a category a softmax. Training maximises the
likelihood of the observed steps (teacher forcing) on padded sequences;
sampling runs the GRU step by step. The net is a
:class:`~sksynth.generators.neural._base.GeneratorNet` (skorch: device,
callbacks, history, ``partial_fit``).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ...utils._random import draw_seed
from ..neural._base import GeneratorNet, _torch_device_index

__all__ = ["RNNSteps", "SequenceModule", "SequenceNet"]

_N_MIX = 3  # normal components of a numeric column's output
_CHANGE_RATIO = 0.5  # changes' std below this x the level's: model changes


class SequenceModule(nn.Module):
    """GRU and output heads (see the module docstring).

    One head per temporal column, reading the GRU state, the step's gap and
    the encodings of the columns before it at the same step
    (``enc_widths``): the columns of a step form a chain, so their joint
    distribution given the state is not forced to be independent.
    """

    def __init__(
        self, d_in=1, d_out=1, d_gap=0, hidden_size=64, enc_widths=(), out_widths=()
    ):
        super().__init__()
        self.gru = nn.GRU(d_in, hidden_size, batch_first=True)
        self.gap_head = nn.Linear(hidden_size, 2) if d_gap else None
        enc_widths = list(enc_widths) or [0]
        out_widths = list(out_widths) or [d_out]
        self.enc_ends = np.cumsum([0, *enc_widths[:-1]]).tolist()
        self.heads = nn.ModuleList(
            nn.Sequential(
                nn.Linear(hidden_size + d_gap + end, hidden_size),
                nn.ReLU(),
                nn.Linear(hidden_size, w),
            )
            for end, w in zip(self.enc_ends, out_widths)
        )

    def forward(self, inp, h0=None):
        out, h = self.gru(inp, h0)
        return out, h

    def head_input(self, state, gap):
        return state if gap is None else torch.cat([state, gap], dim=-1)

    def column_output(self, c, base, current):
        """Outputs of column ``c`` given ``base`` (state, gap) and the
        ``current`` step's encoding (only the columns before ``c`` are read)."""
        end = self.enc_ends[c]
        x = base if not end else torch.cat([base, current[..., :end]], dim=-1)
        return self.heads[c](x)


class SequenceNet(GeneratorNet):
    """skorch net of the GRU; a batch is a slice of the packed tensor."""

    def batch_loss(self, Xb, training):
        return self.layout_.loss(self.module_, Xb)


class _Layout:
    """Channels of the packed training tensor and the likelihood."""

    def __init__(
        self, kinds, n_categories, has_missing, d_static, model_gaps, n_mix=_N_MIX
    ):
        self.kinds = kinds
        self.n_categories = n_categories
        self.has_missing = has_missing
        self.model_gaps = model_gaps
        self.n_mix = n_mix
        # step encoding: numeric (value, missing flag), categorical one-hot;
        # outputs: numeric (n_mix weights, means, log scales of the level at
        # an entity's first step, then of the change since the previous
        # step; missing logit), categorical logits
        self.enc = []
        self.out = []
        e = o = 0
        for c, kind in enumerate(kinds):
            if kind == "numeric":
                w = 1 + int(has_missing[c])
                self.enc.append((e, e + w))
                self.out.append((o, o + 6 * n_mix + int(has_missing[c])))
            else:
                w = n_categories[c] + 1
                self.enc.append((e, e + w))
                self.out.append((o, o + w))
            e += w
            o = self.out[-1][1]
        self.d_step = e
        self.d_out = o
        self.d_static = d_static
        self.d_in = d_static + e + 2  # + previous log gap + first-step flag
        C = len(kinds)
        # packed tensor: inputs | targets (C values) | target gap | mask |
        # the step's own encoding (the within-step chain)
        self.t_start = self.d_in
        self.g_col = self.t_start + C
        self.m_col = self.g_col + 1
        self.c_start = self.m_col + 1
        self.dt_start = self.c_start + e  # changes since the previous step
        self.width = self.dt_start + C

    def enc_widths(self):
        return [b - a for a, b in self.enc]

    def out_widths(self):
        return [b - a for a, b in self.out]

    def mixture(self, o, change=False):
        """Weights (log), means and log scales of a numeric column's level
        (or, ``change``, its change since the previous step)."""
        k = self.n_mix
        o = o[..., 3 * k :] if change else o
        logw = torch.log_softmax(o[..., :k], dim=-1)
        return logw, o[..., k : 2 * k], o[..., 2 * k : 3 * k].clamp(-7, 5)

    def nll(self, o, y, change):
        logw, mu, log_s = self.mixture(o, change)
        y = y[..., None]
        comp = logw - 0.5 * ((y - mu) / log_s.exp()) ** 2 - log_s
        return -torch.logsumexp(comp, dim=-1) + 0.5 * math.log(2 * math.pi)

    def loss(self, module, Xb):
        inp = Xb[:, :, : self.d_in]
        target = Xb[:, :, self.t_start : self.g_col]
        gap = Xb[:, :, self.g_col : self.g_col + 1]
        mask = Xb[:, :, self.m_col]
        state, _ = module(inp)
        total = torch.zeros((), device=Xb.device)
        gap_in = None
        if self.model_gaps:
            has_gap = mask * (inp[:, :, -1] == 0).float()  # not a first step
            mu, log_s = module.gap_head(state).unbind(-1)
            nll = 0.5 * ((gap[:, :, 0] - mu) / log_s.exp()) ** 2 + log_s
            total = total + (nll * has_gap).sum() / has_gap.sum().clamp(min=1)
            gap_in = torch.where(has_gap[..., None] > 0, gap, torch.zeros_like(gap))
        base = module.head_input(state, gap_in)
        current = Xb[:, :, self.c_start :]
        n = mask.sum().clamp(min=1)
        for c, kind in enumerate(self.kinds):
            a, b = self.out[c]
            o = module.column_output(c, base, current)
            y = target[:, :, c]
            if kind == "numeric":
                miss = torch.isnan(y)
                obs = mask * (~miss).float()
                dy = Xb[:, :, self.dt_start + c]
                has_d = ~torch.isnan(dy)
                zero = torch.zeros_like(y)
                nll = torch.where(
                    has_d,
                    self.nll(o, torch.where(has_d, dy, zero), True),
                    self.nll(o, torch.where(miss, zero, y), False),
                )
                total = total + (nll * obs).sum() / n
                if self.has_missing[c]:
                    bce = nn.functional.binary_cross_entropy_with_logits(
                        o[..., -1], miss.float(), reduction="none"
                    )
                    total = total + (bce * mask).sum() / n
            else:
                cls = torch.where(torch.isnan(y), torch.full_like(y, b - a - 1), y)
                ce = nn.functional.cross_entropy(
                    o.reshape(-1, b - a), cls.reshape(-1).long(), reduction="none"
                ).reshape(cls.shape)
                total = total + (ce * mask).sum() / n
        return total


def _draw_rows(p, rng):
    """One category per row of the probabilities ``p``."""
    u = rng.uniform(size=(len(p), 1))
    return np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), p.shape[1] - 1)


class RNNSteps:
    """Step model of :class:`SequenceGenerator` with ``model="gru"``."""

    def __init__(
        self,
        *,
        kinds,
        n_categories,
        static_categories,
        model_gaps,
        ordered,
        hidden_size,
        max_epochs,
        batch_size,
        lr,
        device,
        callbacks,
        verbose,
    ):
        self.kinds = kinds
        self.static_categories = static_categories
        self.n_categories = n_categories
        self.model_gaps = model_gaps
        self.ordered = ordered
        self.hidden_size = hidden_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.device = device
        self.callbacks = callbacks
        self.verbose = verbose

    # ---------------------------------------------------------- encoding
    def _static_enc(self, static):
        parts = []
        for k, (kind, mean, std, n_cat) in enumerate(self.static_info_):
            z = static[:, k]
            if kind == "numeric":
                parts.append(np.nan_to_num((z - mean) / std)[:, None])
                parts.append(np.isnan(z)[:, None].astype(float))
            else:
                hot = np.zeros((len(z), n_cat + 1))
                hot[np.arange(len(z)), np.where(np.isnan(z), n_cat, z).astype(int)] = 1
                parts.append(hot)
        return np.hstack(parts) if parts else np.zeros((len(static), 0))

    def _step_enc(self, values):
        """``(..., C)`` codes -> ``(..., d_step)`` encoding."""
        lay = self.layout_
        out = np.zeros(values.shape[:-1] + (lay.d_step,), dtype=np.float32)
        for c, kind in enumerate(self.kinds):
            a, b = lay.enc[c]
            z = values[..., c]
            miss = np.isnan(z)
            if kind == "numeric":
                out[..., a] = np.where(miss, 0, (z - self.mean_[c]) / self.std_[c])
                if lay.has_missing[c]:
                    out[..., a + 1] = miss
            else:
                idx = np.where(miss, b - a - 1, z).astype(int)
                np.put_along_axis(out[..., a:b], idx[..., None], 1.0, axis=-1)
        return out

    def _targets(self, values):
        t = values.copy()
        for c, kind in enumerate(self.kinds):
            if kind == "numeric":
                t[..., c] = (values[..., c] - self.mean_[c]) / self.std_[c]
        return t

    def _pack(self, panel, log_gaps):
        lay = self.layout_
        E, T = panel.n_entities, int(panel.lengths.max())
        X = np.zeros((E, T, lay.width), dtype=np.float32)
        vals = np.full((E, T, len(self.kinds)), np.nan)
        vals[panel.entity, panel.step] = panel.values
        g = np.zeros((E, T))
        if log_gaps is not None:
            g[panel.entity, panel.step] = np.nan_to_num(
                (log_gaps - self.gap_mean_) / self.gap_std_
            )
        mask = np.zeros((E, T))
        mask[panel.entity, panel.step] = 1
        s = self._static_enc(panel.static)
        X[:, :, : lay.d_static] = s[:, None, :]
        enc = self._step_enc(vals)
        X[:, 1:, lay.d_static : lay.d_static + lay.d_step] = enc[:, :-1]
        X[:, 1:, lay.d_in - 2] = g[:, :-1]
        X[:, 0, lay.d_in - 1] = 1.0  # first step
        X[:, :, lay.t_start : lay.g_col] = self._targets(vals)
        X[:, :, lay.g_col] = g
        X[:, :, lay.m_col] = mask
        X[:, :, lay.c_start : lay.dt_start] = enc
        X[:, :, lay.dt_start :] = np.nan
        change = (vals[:, 1:] - vals[:, :-1]) / self.dstd_
        X[:, 1:, lay.dt_start :] = np.where(self.use_change_, change, np.nan)
        return X

    # --------------------------------------------------------------- fit
    def fit(self, panel, log_gaps, rng, bar=None):
        vals = panel.values
        self.mean_ = np.zeros(len(self.kinds))
        self.std_ = np.ones(len(self.kinds))
        has_missing = []
        for c, kind in enumerate(self.kinds):
            z = vals[:, c]
            has_missing.append(bool(np.isnan(z).any()) and kind == "numeric")
            if kind == "numeric" and (~np.isnan(z)).any():
                self.mean_[c] = np.nanmean(z)
                self.std_[c] = np.nanstd(z) or 1.0
        # std of the changes within entities (numeric columns)
        same = np.r_[False, panel.entity[1:] == panel.entity[:-1]]
        change = np.where(same[:, None], vals - np.roll(vals, 1, axis=0), np.nan)
        self.dstd_ = np.ones(len(self.kinds))
        # a column is modelled by its changes where they vary much less than
        # its level (a smooth, persistent series); a noisy, mean-reverting
        # one by its level (changes would drift while the net is learning)
        self.use_change_ = np.zeros(len(self.kinds), bool)
        for c, kind in enumerate(self.kinds):
            ok = ~np.isnan(change[:, c])
            if kind == "numeric" and ok.any():
                self.dstd_[c] = np.std(change[ok, c]) or 1.0
                self.use_change_[c] = self.dstd_[c] < _CHANGE_RATIO * self.std_[c]
        self.gap_mean_, self.gap_std_ = 0.0, 1.0
        if log_gaps is not None and (~np.isnan(log_gaps)).any():
            self.gap_mean_ = float(np.nanmean(log_gaps))
            self.gap_std_ = float(np.nanstd(log_gaps)) or 1.0
        info = []
        for k in range(panel.static.shape[1]):
            z = panel.static[:, k]
            n_cat = self.static_categories[k]
            if n_cat:
                info.append(("categorical", 0.0, 1.0, n_cat))
            else:
                std = np.nanstd(z) if (~np.isnan(z)).any() else 1.0
                info.append(
                    (
                        "numeric",
                        np.nanmean(z) if (~np.isnan(z)).any() else 0.0,
                        std or 1.0,
                        0,
                    )
                )
        self.static_info_ = info
        d_static = self._static_enc(panel.static[:1]).shape[1]
        self.layout_ = _Layout(
            self.kinds, self.n_categories, has_missing, d_static, self.model_gaps
        )
        lay = self.layout_
        self.net_ = SequenceNet(
            SequenceModule,
            module__d_in=lay.d_in,
            module__d_out=lay.d_out,
            module__d_gap=int(self.model_gaps),
            module__hidden_size=self.hidden_size,
            module__enc_widths=lay.enc_widths(),
            module__out_widths=lay.out_widths(),
            optimizer=torch.optim.Adam,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            device=self.device or "cpu",
            callbacks=self.callbacks,
            verbose=self.verbose,
        )
        self.net_.layout_ = lay
        self._train(self._pack(panel, log_gaps), rng, initialize=True)
        return self

    def partial_fit(self, panel, log_gaps, rng, epochs=None):
        self._train(self._pack(panel, log_gaps), rng, initialize=False, epochs=epochs)
        return self

    def _train(self, X, rng, initialize, epochs=None):
        net = self.net_
        with torch.random.fork_rng(devices=_torch_device_index(net.device)):
            torch.manual_seed(draw_seed(rng))
            Xt = torch.as_tensor(X).to(net.device)
            if initialize:
                net.fit(Xt)
            else:
                net.partial_fit(Xt, epochs=epochs)

    def n_chain(self):
        return self.max_epochs

    # ------------------------------------------------------------ sample
    def generate(self, static, lengths, fixed, rng, history=None):
        lay = self.layout_
        n, C = len(lengths), len(self.kinds)
        T = int(lengths.max()) if n else 0
        module = self.net_.module_
        dev = self.net_.device
        module.eval()
        s = torch.as_tensor(self._static_enc(static), dtype=torch.float32, device=dev)
        prev = np.zeros((n, lay.d_step), dtype=np.float32)
        prev_gap = np.zeros(n, dtype=np.float32)
        first = np.ones(n, dtype=np.float32)
        prev_raw = np.full((n, C), np.nan)  # previous values (their changes)
        h = None
        with torch.random.fork_rng(devices=_torch_device_index(dev)), torch.no_grad():
            torch.manual_seed(draw_seed(rng))
            if history is not None:  # run the GRU over the observed steps
                h_vals, h_gaps, h_len = history
                Th = h_vals.shape[1]
                enc = self._step_enc(h_vals)
                g = np.nan_to_num((h_gaps - self.gap_mean_) / self.gap_std_)
                inp = np.zeros((n, Th, lay.d_in), dtype=np.float32)
                inp[:, :, : lay.d_static] = s.cpu().numpy()[:, None]
                inp[:, 1:, lay.d_static : lay.d_static + lay.d_step] = enc[:, :-1]
                inp[:, 1:, lay.d_in - 2] = g[:, :-1]
                inp[:, 0, lay.d_in - 1] = 1
                packed = nn.utils.rnn.pack_padded_sequence(
                    torch.as_tensor(inp, device=dev),
                    torch.as_tensor(h_len),
                    batch_first=True,
                    enforce_sorted=False,
                )
                _, h = module(packed)
                last = h_len - 1
                prev = enc[np.arange(n), last]
                prev_raw = h_vals[np.arange(n), last].astype(float)
                prev_gap = g[np.arange(n), last].astype(np.float32)
                first[:] = 0
            out = np.full((n, T, C), np.nan)
            out_gaps = np.full((n, T), np.nan)
            for t in range(T):
                inp = torch.cat(
                    [
                        s,
                        torch.as_tensor(prev, device=dev),
                        torch.as_tensor(prev_gap[:, None], device=dev),
                        torch.as_tensor(first[:, None], device=dev),
                    ],
                    dim=1,
                )
                state, h = module(inp[:, None, :], h)
                state = state[:, 0]
                gap_in = None
                gap_std = np.zeros(n, dtype=np.float32)
                if self.model_gaps:
                    mu, log_s = module.gap_head(state).unbind(-1)
                    gz = mu + log_s.exp() * torch.randn_like(mu)
                    gz = torch.where(
                        torch.as_tensor(first, device=dev) > 0, torch.zeros_like(gz), gz
                    )
                    gap_in = gz[:, None]
                    gap_std = gz.cpu().numpy()
                    g = gap_std * self.gap_std_ + self.gap_mean_
                    out_gaps[:, t] = np.where(first > 0, np.nan, g)
                base = module.head_input(state, gap_in)
                vals = np.full((n, C), np.nan)
                current = torch.zeros((n, lay.d_step), device=dev)
                for c, kind in enumerate(self.kinds):
                    a, b = lay.out[c]
                    o_t = module.column_output(c, base, current)
                    if kind == "numeric":
                        has = ~np.isnan(prev_raw[:, c]) & self.use_change_[c]
                        v = np.empty(n)
                        for change in (False, True):
                            rows = np.flatnonzero(has == change)
                            if not len(rows):
                                continue
                            logw, mu, log_s = (
                                x.cpu().numpy()
                                for x in lay.mixture(o_t[torch.as_tensor(rows)], change)
                            )
                            k = _draw_rows(np.exp(logw), rng)
                            i = np.arange(len(rows))
                            z = mu[i, k] + np.exp(log_s[i, k]) * rng.normal(size=len(i))
                            if change:
                                v[rows] = prev_raw[rows, c] + z * self.dstd_[c]
                            else:
                                v[rows] = z * self.std_[c] + self.mean_[c]
                        if lay.has_missing[c]:
                            p = 1 / (1 + np.exp(-o_t[:, -1].cpu().numpy()))
                            v[rng.uniform(size=n) < p] = np.nan
                    else:
                        logits = o_t.cpu().numpy()
                        p = np.exp(logits - logits.max(axis=1, keepdims=True))
                        p /= p.sum(axis=1, keepdims=True)
                        k = _draw_rows(p, rng)
                        v = np.where(k == b - a - 1, np.nan, k).astype(float)
                    f = fixed[:, min(t, fixed.shape[1] - 1), c]
                    vals[:, c] = np.where(np.isnan(f), v, f)
                    lo, hi = lay.enc[c]
                    current[:, lo:hi] = torch.as_tensor(
                        self._step_enc(vals)[:, lo:hi], device=dev
                    )
                out[:, t] = vals
                prev_raw = vals.copy()
                prev = self._step_enc(vals)
                prev_gap = gap_std
                first[:] = 0
        active = np.arange(T)[None, :] < lengths[:, None]
        out[~active] = np.nan
        out_gaps[~active] = np.nan
        return out, out_gaps
