"""TabDDPM: Gaussian + multinomial diffusion (Kotelnikov et al., ICML 2023)."""

from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.callbacks import LRScheduler
from torch.nn import functional as F

from ...constraints._enforce import RULE_PARAMETERS_DOC
from ...utils._docstring import fill_doc
from ._base import _COMMON_DOC, BaseNeuralGenerator, GeneratorNet, IndexBatches
from .nets import DiffusionMLP, cosine_alpha_bar

__all__ = ["TabDDPMGenerator"]


def _log_onehot(x):
    return torch.log(x.clamp(min=1e-30))


# The categorical columns of all groups are handled at once: ``seg`` gives
# each column's group, ``n_seg`` is the number of groups (no loop over groups).
def _group_max(x, seg, n_seg):
    """Per-row maximum of each column's group, broadcast back to the columns."""
    top = x.new_full((len(x), n_seg), -torch.inf)
    top = top.scatter_reduce(1, seg.expand(len(x), -1), x, "amax")
    return top.index_select(1, seg)


def _group_logsumexp(x, seg, n_seg):
    top = _group_max(x.detach(), seg, n_seg)
    total = x.new_zeros(len(x), n_seg).index_add(1, seg, torch.exp(x - top))
    return torch.log(total).index_select(1, seg) + top


def _group_log_softmax(x, seg, n_seg):
    return x - _group_logsumexp(x, seg, n_seg)


def _group_sample(log_p, seg, n_seg):
    """One-hot draws, one category per group, from (unnormalised) log-probs
    (Gumbel-max; exact ties go to the last tied column)."""
    g = -torch.log(-torch.log(torch.rand_like(log_p).clamp(1e-30, 1.0)))
    y = log_p + g
    col = torch.arange(log_p.shape[1], device=log_p.device).expand(len(y), -1)
    hit = torch.where(y == _group_max(y, seg, n_seg), col, -1)
    chosen = hit.new_full((len(y), n_seg), -1)
    chosen = chosen.scatter_reduce(1, seg.expand(len(y), -1), hit, "amax")
    return (chosen.index_select(1, seg) == col).to(log_p.dtype)


def _posterior(log_x0, log_xt, coef, log_k, seg, n_seg):
    """log q(x_s | x_t, x_0) of multinomial diffusion, all groups at once.

    ``coef`` holds per-row columns ``(log_abar_s, log_1m_abar_s, log_a,
    log_1m_a, first)`` with ``a = abar_t / abar_s`` (the signal kept from
    step s to step t, any s < t: the forward process composes), and
    ``first`` true where s is before step 0 (then q(x_s | x_0) is x_0).
    """
    log_abar_s, log_1m_abar_s, log_a, log_1m_a, first = coef
    evolved = torch.logaddexp(log_x0 + log_abar_s, log_1m_abar_s - log_k)
    evolved = torch.where(first, log_x0, evolved)
    step = torch.logaddexp(log_xt + log_a, log_1m_a - log_k)
    un = evolved + step
    return un - _group_logsumexp(un, seg, n_seg)


def _one_step_coef(mod, t):
    """Posterior coefficients of q(x_{t-1} | x_t, x_0) for 0-based steps t."""
    tm1 = (t - 1).clamp(min=0)
    return (mod.log_abar[tm1][:, None], mod.log_1m_abar[tm1][:, None],
            mod.log_alpha[t][:, None], mod.log_1m_alpha[t][:, None],
            (t == 0)[:, None])


def sampling_steps(n_timesteps, n_steps):
    """The ``n_steps`` timesteps (descending, from T-1 to 0) that strided
    sampling visits: evenly spaced, all of them when ``n_steps`` is T."""
    return np.unique(np.round(np.linspace(0, n_timesteps - 1, n_steps))
                     .astype(np.int64))[::-1].copy()


def _strided_schedule(mod, steps):
    """Per visited step t (with s the next one visited, -1 after the last):
    the Gaussian posterior coefficients of q(x_s | x_t, x_0) and the
    multinomial ones, from the float64 schedule."""
    abar_all = cosine_alpha_bar(mod.n_timesteps)
    prev = np.append(steps[1:], -1)
    abar_t = abar_all[torch.as_tensor(steps)]
    abar_s = torch.where(torch.as_tensor(prev) >= 0,
                         abar_all[torch.as_tensor(prev).clamp(min=0)], 1.0)
    a = abar_t / abar_s
    beta = 1 - a
    return {
        "sqrt_abar": abar_t.sqrt(), "sqrt_1m_abar": (1 - abar_t).sqrt(),
        "c0": abar_s.sqrt() * beta / (1 - abar_t),
        "ct": a.sqrt() * (1 - abar_s) / (1 - abar_t),
        # the paper's "large" variance beta (exact for N(0, 1) data at any
        # stride; the posterior's beta (1 - abar_s) / (1 - abar_t) shrinks
        # the spread of strided samples)
        "std": beta.sqrt(),
        "log_abar_s": torch.log(abar_s),
        "log_1m_abar_s": torch.log1p(-abar_s.clamp(max=1 - 1e-12)),
        "log_a": torch.log(a),
        "log_1m_a": torch.log1p(-a.clamp(max=1 - 1e-12)),
        "first": torch.as_tensor(prev) < 0,
    }


class TabDDPMNet(GeneratorNet):
    """skorch net of TabDDPM: epsilon MSE plus multinomial KL, per batch.

    Rows hold the quantile-normal numeric features, the one-hot groups and,
    when class-conditional, the class index as a last column. While
    ``lr_decay_`` is ``[done, total]`` (set by the generator for one fit or
    ``partial_fit`` call), step ``k`` of ``total`` runs at ``lr * (1 -
    k / total)``, the paper's linear annealing.
    """

    def train_step(self, batch, **fit_params):
        decay = getattr(self, "lr_decay_", None)
        if decay is not None:
            factor = max(0.0, 1.0 - decay[0] / decay[1])
            for group in self.optimizer_.param_groups:
                group["lr"] = self.lr * factor
            decay[0] += 1
        return super().train_step(batch, **fit_params)

    def batch_loss(self, Xb, training):
        mod = self.module_
        if mod.n_classes:
            label, x0 = Xb[:, -1].long(), Xb[:, :-1]
        else:
            label, x0 = None, Xb
        n, dn = len(x0), mod.n_numeric
        t = torch.randint(mod.n_timesteps, (n,), device=x0.device)
        xn = x0[:, :dn]
        eps = torch.randn_like(xn)
        abar = mod.abar[t][:, None]
        parts = [abar.sqrt() * xn + (1 - abar).sqrt() * eps]
        n_seg = len(mod.spans)
        if n_seg:
            seg, log_k = mod.cat_seg, mod.cat_log_k
            xc = x0[:, dn:]
            log_x0 = _log_onehot(xc)
            log_q = torch.logaddexp(log_x0 + mod.log_abar[t][:, None],
                                    mod.log_1m_abar[t][:, None] - log_k)
            xt = _group_sample(log_q, seg, n_seg)
            parts.append(xt)
        out = mod(torch.cat(parts, 1), t, label)
        loss = F.mse_loss(out[:, :dn], eps) if dn else out.new_zeros(())
        if n_seg:
            coef = _one_step_coef(mod, t)
            log_xt = _log_onehot(xt)
            log_pred = _group_log_softmax(out[:, dn:], seg, n_seg)
            true = _posterior(log_x0, log_xt, coef, log_k, seg, n_seg)
            model = _posterior(log_pred, log_xt, coef, log_k, seg, n_seg)
            kl = (true.exp() * (true - model)).sum(1)
            nll = -(xc * log_pred).sum(1)
            loss = loss + torch.where(t == 0, nll, kl).mean() / n_seg
        return loss


@fill_doc(common_params=_COMMON_DOC.strip())
@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class TabDDPMGenerator(BaseNeuralGenerator):
    """Tabular denoising diffusion (TabDDPM) trained through skorch.

    Numeric columns are mapped to standard normals by their empirical CDF
    (:class:`~sksynth.preprocessing.QuantileGaussianTransformer`'s encoding)
    and diffused by Gaussian diffusion; categorical columns and missing
    indicators, one-hot, by multinomial diffusion. One MLP denoiser with a
    timestep embedding predicts the Gaussian noise and the clean categories
    (cosine schedule for both). When ``y`` is categorical, the model is
    class-conditional: ``y`` is a label embedding, drawn from its training
    frequencies at sampling time, and ``sample(conditions={"y": c})`` is
    native; other conditions are met by bounded rejection among rows of the
    conditioned class. A numeric ``y`` is diffused as one more column.

    The defaults follow the paper's tuned configuration for adult (100
    diffusion steps, learning rate 2e-3 annealed linearly to 0) with a
    smaller denoiser and fewer steps for a CPU: 300 epochs of batches of
    1024 rows take about 6 minutes on adult on one core, for a TSTR ROC AUC
    of 0.906 (real data: 0.927; ``benchmarks/bench_neural.py``). The
    common parameters' defaults here: ``max_epochs=300``,
    ``batch_size=1024``, ``lr=2e-3``.

    Parameters
    ----------
    n_timesteps : int, default=100
        Number of diffusion steps (the paper's tuned configuration for adult
        uses 100; 1000 is its other common choice).
    n_sample_steps : int or None, default=100
        Number of reverse steps of sampling: ``min(n_sample_steps,
        n_timesteps)`` timesteps evenly spaced from the last to the first,
        each sampled step going straight to the next visited one (the
        Gaussian and the multinomial posteriors q(x_s | x_t, x_0) are exact
        for any s < t), so sampling costs ``n_sample_steps`` network passes.
        ``None`` runs all ``n_timesteps`` (the paper's sampler; the same at
        the defaults, 10 times slower with ``n_timesteps=1000``). Read at
        sampling time: it can be changed with ``set_params`` after ``fit``.
    d_embedding : int, default=128
        Width of the input projection and of the time / class embeddings.
    dims : tuple of int, default=(256, 256, 256)
        Hidden layer sizes of the denoiser.
    dropout : float, default=0.0
        Dropout of the denoiser.
    lr_schedule : {"linear", "constant"}, default="linear"
        ``"linear"`` anneals the learning rate from ``lr`` to 0 over the
        steps of each ``fit`` / ``partial_fit`` call (as in the paper);
        ``"constant"`` keeps ``lr``, e.g. to pass your own skorch
        ``LRScheduler`` in ``callbacks`` (a ValueError says so when both are
        given).
    {common_params}
    {rule_params}

    Attributes
    ----------
    net_ : TabDDPMNet
        The trained skorch net; ``net_.history`` holds the losses.
    encoder_ : TableEncoder
        Quantile-normal / one-hot encoding of the columns.
    schema_ : TableSchema
        Column types, categories and dtypes seen in ``fit``.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    References
    ----------
    A. Kotelnikov, D. Baranchuk, I. Rubachev, A. Babenko. "TabDDPM: Modelling
    Tabular Data with Diffusion Models", ICML 2023.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import TabDDPMGenerator
    >>> X, y = make_mixed_classification(n_samples=200, random_state=0)
    >>> gen = TabDDPMGenerator(n_timesteps=20, max_epochs=2, random_state=0)
    >>> Xs, ys = gen.fit(X, y).sample(4, conditions={"y": 1}, random_state=0)
    >>> ys.tolist()
    [1, 1, 1, 1]
    """

    _parameter_constraints: dict = {
        **BaseNeuralGenerator._parameter_constraints,
        "n_timesteps": [Interval(numbers.Integral, 2, None, closed="left")],
        "n_sample_steps": [Interval(numbers.Integral, 1, None, closed="left"),
                           None],
        "d_embedding": [Interval(numbers.Integral, 2, None, closed="left")],
        "dims": [tuple, list],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "lr_schedule": [StrOptions({"linear", "constant"})],
    }
    _native_conditioning = True
    _net_class = TabDDPMNet
    _numeric_encoding = "quantile"

    def __init__(
        self, *, n_timesteps=100, n_sample_steps=100, d_embedding=128,
        dims=(256, 256, 256), dropout=0.0, lr_schedule="linear", net=None,
        device="cpu", max_epochs=300, batch_size=1024, lr=2e-3, callbacks=None,
        verbose=1, warm_start=False, random_state=None, constraints=None, schema=None,
    ):
        self.n_timesteps = n_timesteps
        self.n_sample_steps = n_sample_steps
        self.d_embedding = d_embedding
        self.dims = dims
        self.dropout = dropout
        self.lr_schedule = lr_schedule
        self.net = net
        self.device = device
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.callbacks = callbacks
        self.verbose = verbose
        self.warm_start = warm_start
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {
            "n_timesteps": 10, "d_embedding": 8, "dims": (16,), "max_epochs": 2,
            "batch_size": 64, "random_state": 0,
        }

    def _module_class(self):
        return DiffusionMLP

    def _module_params(self):
        return {
            "n_timesteps": self.n_timesteps,
            "d_embedding": self.d_embedding,
            "dims": tuple(self.dims),
            "dropout": self.dropout,
        }

    # ------------------------------------------------------------ prepare
    def _prepare(self, Z, M, update=False):
        schema = self.schema_
        label_block = None
        if schema.target_index is not None:
            col = schema.columns[schema.target_index]
            if col.kind == "categorical":
                for b in self.encoder_.blocks_:
                    if b.column == schema.target_index and b.role == "value":
                        label_block = b
        self._label_block = label_block
        numeric = [b for b in self.encoder_.blocks_ if b.kind == "numeric"]
        cats = [b for b in self.encoder_.blocks_
                if b.kind == "categorical" and b is not label_block]
        perm = [b.start for b in numeric]
        spans, pos = [], len(perm)
        for b in cats:
            perm.extend(range(b.start, b.stop))
            spans.append((pos, pos + b.width, "softmax"))
            pos += b.width
        self._perm = np.asarray(perm, dtype=np.int64)
        if label_block is not None:
            labels = np.argmax(M[:, label_block.start:label_block.stop], axis=1)
            counts = np.bincount(labels, minlength=label_block.width)
            self._class_freq = counts / counts.sum()
            self._labels = labels
        return {
            "d_data": len(perm),
            "n_classes": label_block.width if label_block is not None else 0,
            "spans": tuple(spans),
            "n_numeric": len(numeric),
        }

    def _train(self, M, rng, initialize, epochs=None):
        net = self.net_
        if self.lr_schedule == "linear":
            given = [cb for cb in net.callbacks or ()
                     if isinstance(cb[1] if isinstance(cb, tuple) else cb,
                                   LRScheduler)]
            if given:
                raise ValueError(
                    "callbacks include an LRScheduler while lr_schedule="
                    "'linear' anneals the learning rate itself; pass "
                    "lr_schedule='constant' to use your own schedule."
                )
            epochs = net.max_epochs if epochs is None else epochs
            kw = net.get_params_for("iterator_train")
            batches = IndexBatches.count(len(M), kw.get("batch_size", net.batch_size),
                                         kw.get("drop_last", False))
            net.lr_decay_ = [0, max(1, epochs * batches)]
        try:
            super()._train(M, rng, initialize, epochs)
        finally:
            if (net.__dict__.pop("lr_decay_", None) is not None
                    and hasattr(net, "optimizer_")):
                # the schedule lives within a call: show the base lr again
                for group in net.optimizer_.param_groups:
                    group["lr"] = net.lr

    def _train_tensor(self, M):
        X = M[:, self._perm]
        if self._label_block is not None:
            X = np.column_stack([X, self._labels])
        return torch.as_tensor(X, dtype=torch.float32)

    # ------------------------------------------------------------ sampling
    def _native(self, cond):
        b = self._label_block
        if b is None or np.isnan(cond[b.column]):
            return None
        code = cond[b.column]
        return (b.column, code, int(b.encoder.column_of_[int(code)]))

    def _reverse(self, n, label, steps):
        """Reverse process from pure noise through the timesteps ``steps``
        (descending; ``sampling_steps``): ancestral steps of both diffusions
        from step t straight to the next visited step s, the Gaussian one
        with variance ``1 - abar_t / abar_s`` (TabDDPM's choice)."""
        mod = self.net_.module_
        device = torch.device(self.net_.device or "cpu")
        dn, n_seg = mod.n_numeric, len(mod.spans)
        seg, log_k = mod.cat_seg, mod.cat_log_k
        sch = {k: v.to(device=device, dtype=v.dtype if k == "first"
                       else torch.float32)
               for k, v in _strided_schedule(mod, steps).items()}
        x_num = torch.randn(n, dn, device=device)
        x_cat = torch.zeros(n, len(seg), device=device)
        if n_seg:
            x_cat = _group_sample(x_cat, seg, n_seg)
        for i, step in enumerate(steps.tolist()):
            t = torch.full((n,), step, device=device, dtype=torch.long)
            out = mod(torch.cat([x_num, x_cat], 1), t, label)
            x0 = (x_num - sch["sqrt_1m_abar"][i] * out[:, :dn]) / sch["sqrt_abar"][i]
            x0 = x0.clamp(-6.0, 6.0)
            x_num = sch["c0"][i] * x0 + sch["ct"][i] * x_num
            if not sch["first"][i]:
                x_num = x_num + sch["std"][i] * torch.randn_like(x_num)
            if n_seg:
                log_pred = _group_log_softmax(out[:, dn:], seg, n_seg)
                coef = tuple(sch[k][i] for k in (
                    "log_abar_s", "log_1m_abar_s", "log_a", "log_1m_a", "first"))
                post = _posterior(log_pred, _log_onehot(x_cat), coef, log_k,
                                  seg, n_seg)
                x_cat = _group_sample(post, seg, n_seg)
        return torch.cat([x_num, x_cat], 1)

    def _sampling_steps(self):
        T = self.net_.module_.n_timesteps
        k = T if self.n_sample_steps is None else min(self.n_sample_steps, T)
        return sampling_steps(T, k)

    def _draw(self, n, primary, rng):
        if not self.encoder_.n_features_out_:
            return self._constant_rows(n, rng)
        device = torch.device(self.net_.device or "cpu")
        lb = self._label_block
        steps = self._sampling_steps()
        out = []
        for _, m in self._chunks(n):
            M = np.zeros((m, self.encoder_.n_features_out_))
            label = None
            if lb is not None:
                if primary is not None:
                    lab = np.full(m, primary[2])
                else:
                    lab = rng.choice(lb.width, size=m, p=self._class_freq)
                label = torch.as_tensor(lab, dtype=torch.long, device=device)
                M[np.arange(m), lb.start + lab] = 1.0
            M[:, self._perm] = self._reverse(m, label, steps).double().cpu().numpy()
            out.append(self._decode(M, rng))  # codes: bounded memory
        return np.concatenate(out)

    def _sample(self, n_samples, conditions, random_state):
        def draw(n, primary, rng):
            return self._in_torch_rng(rng, self._draw, n, primary, rng)

        return self._conditional_draw(
            n_samples, conditions, random_state, draw, self._native
        )

