"""TabDDPM: Gaussian + multinomial diffusion (Kotelnikov et al., ICML 2023)."""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from torch.nn import functional as F

from ._base import _COMMON_DOC, BaseNeuralGenerator, GeneratorNet
from .nets import DiffusionMLP

__all__ = ["TabDDPMGenerator"]


def _log_onehot(x):
    return torch.log(x.clamp(min=1e-30))


def _sample_onehot(log_p):
    g = -torch.log(-torch.log(torch.rand_like(log_p).clamp(1e-30, 1.0)))
    return F.one_hot((log_p + g).argmax(1), log_p.shape[1]).to(log_p.dtype)


def _posterior(mod, log_x0, log_xt, t, k):
    """log q(x_{t-1} | x_t, x_0) of multinomial diffusion (t is 0-based)."""
    log_k = math.log(k)
    tm1 = (t - 1).clamp(min=0)
    evolved = torch.logaddexp(
        log_x0 + mod.log_abar[tm1][:, None], mod.log_1m_abar[tm1][:, None] - log_k
    )
    evolved = torch.where((t == 0)[:, None], log_x0, evolved)
    step = torch.logaddexp(
        log_xt + mod.log_alpha[t][:, None], mod.log_1m_alpha[t][:, None] - log_k
    )
    un = evolved + step
    return un - torch.logsumexp(un, dim=1, keepdim=True)


class TabDDPMNet(GeneratorNet):
    """skorch net of TabDDPM: epsilon MSE plus multinomial KL, per batch.

    Rows hold the quantile-normal numeric features, the one-hot groups and,
    when class-conditional, the class index as a last column.
    """

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
        logs = []
        for start, stop, _ in mod.spans:
            log_x0 = _log_onehot(x0[:, start:stop])
            log_q = torch.logaddexp(
                log_x0 + mod.log_abar[t][:, None],
                mod.log_1m_abar[t][:, None] - math.log(stop - start),
            )
            xt = _sample_onehot(log_q)
            parts.append(xt)
            logs.append((log_x0, _log_onehot(xt)))
        out = mod(torch.cat(parts, 1), t, label)
        loss = F.mse_loss(out[:, :dn], eps) if dn else out.new_zeros(())
        if mod.spans:
            loss_c = out.new_zeros(n)
            for (start, stop, _), (log_x0, log_xt) in zip(mod.spans, logs):
                k = stop - start
                log_pred = F.log_softmax(out[:, start:stop], dim=1)
                true = _posterior(mod, log_x0, log_xt, t, k)
                model = _posterior(mod, log_pred, log_xt, t, k)
                kl = (true.exp() * (true - model)).sum(1)
                nll = -(x0[:, start:stop] * log_pred).sum(1)
                loss_c = loss_c + torch.where(t == 0, nll, kl)
            loss = loss + loss_c.mean() / len(mod.spans)
        return loss


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

    Parameters
    ----------
    n_timesteps : int, default=1000
        Number of diffusion steps (sampling runs all of them).
    d_embedding : int, default=128
        Width of the input projection and of the time / class embeddings.
    dims : tuple of int, default=(256, 256, 256)
        Hidden layer sizes of the denoiser.
    dropout : float, default=0.0
        Dropout of the denoiser.
    {common_params}

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
        "d_embedding": [Interval(numbers.Integral, 2, None, closed="left")],
        "dims": [tuple, list],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    }
    _native_conditioning = True
    _net_class = TabDDPMNet
    _numeric_encoding = "quantile"

    def __init__(
        self, *, n_timesteps=1000, d_embedding=128, dims=(256, 256, 256),
        dropout=0.0, net=None, device="cpu", max_epochs=200, batch_size=1024,
        lr=1e-3, callbacks=None, verbose=0, warm_start=False, random_state=None,
    ):
        self.n_timesteps = n_timesteps
        self.d_embedding = d_embedding
        self.dims = dims
        self.dropout = dropout
        self.net = net
        self.device = device
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.callbacks = callbacks
        self.verbose = verbose
        self.warm_start = warm_start
        self.random_state = random_state

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

    def _reverse(self, n, label):
        mod = self.net_.module_
        device = torch.device(self.net_.device or "cpu")
        dn = mod.n_numeric
        x_num = torch.randn(n, dn, device=device)
        cats = [
            _sample_onehot(torch.zeros(n, stop - start, device=device))
            for start, stop, _ in mod.spans
        ]
        for step in reversed(range(mod.n_timesteps)):
            t = torch.full((n,), step, device=device, dtype=torch.long)
            out = mod(torch.cat([x_num] + cats, 1), t, label)
            abar, abar_prev = mod.abar[step], mod.abar_prev[step]
            beta = mod.betas[step]
            x0 = (x_num - (1 - abar).sqrt() * out[:, :dn]) / abar.sqrt()
            x0 = x0.clamp(-6.0, 6.0)
            mean = (abar_prev.sqrt() * beta / (1 - abar)) * x0 + (
                (1 - beta).sqrt() * (1 - abar_prev) / (1 - abar)
            ) * x_num
            if step > 0:
                var = beta * (1 - abar_prev) / (1 - abar)
                x_num = mean + var.sqrt() * torch.randn_like(x_num)
            else:
                x_num = mean
            new = []
            for (start, stop, _), xt in zip(mod.spans, cats):
                log_pred = F.log_softmax(out[:, start:stop], dim=1)
                post = _posterior(mod, log_pred, _log_onehot(xt), t, stop - start)
                new.append(_sample_onehot(post))
            cats = new
        return torch.cat([x_num] + cats, 1)

    def _draw(self, n, primary, rng):
        device = torch.device(self.net_.device or "cpu")
        lb = self._label_block
        M = np.zeros((n, self.encoder_.n_features_out_))
        for lo in range(0, n, self._sample_batch):
            m = min(self._sample_batch, n - lo)
            label = None
            if lb is not None:
                if primary is not None:
                    lab = np.full(m, primary[2])
                else:
                    lab = rng.choice(lb.width, size=m, p=self._class_freq)
                label = torch.as_tensor(lab, dtype=torch.long, device=device)
                M[lo + np.arange(m), lb.start + lab] = 1.0
            x = self._reverse(m, label).double().cpu().numpy()
            M[lo:lo + m, self._perm] = x
        return self._decode(M, rng)

    def _sample(self, n_samples, conditions, random_state):
        def draw(n, primary, rng):
            return self._in_torch_rng(rng, self._draw, n, primary, rng)

        return self._conditional_draw(
            n_samples, conditions, random_state, draw, self._native
        )


TabDDPMGenerator.__doc__ = TabDDPMGenerator.__doc__.replace(
    "{common_params}", _COMMON_DOC.strip()
)
