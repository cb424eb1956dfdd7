"""TVAE: the tabular variational autoencoder of Xu et al. (NeurIPS 2019)."""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from torch.nn import functional as F

from ...constraints._enforce import RULE_PARAMETERS_DOC
from ...utils._docstring import fill_doc
from ._base import _COMMON_DOC, BaseNeuralGenerator, GeneratorNet
from .nets import TVAEModule

__all__ = ["TVAEGenerator"]


class TVAENet(GeneratorNet):
    """skorch net of TVAE: the loss is the negative ELBO of a batch."""

    def __init__(self, module, *args, loss_factor=2.0, **kwargs):
        self.loss_factor = loss_factor
        super().__init__(module, *args, **kwargs)

    def batch_loss(self, Xb, training):
        module = self.module_
        if training:
            with torch.no_grad():
                module.log_sigma.clamp_(math.log(0.01), 0.0)
        recon, mu, logvar = module(Xb)
        n = len(Xb)
        rec = Xb.new_zeros(())
        for start, stop, kind in module.spans:
            if kind == "tanh":
                sigma = torch.exp(module.log_sigma[start])
                err = Xb[:, start] - torch.tanh(recon[:, start])
                rec = rec + (err**2).sum() / (2 * sigma**2) + n * torch.log(sigma)
            else:
                target = Xb[:, start:stop].argmax(1)
                logits = recon[:, start:stop]
                rec = rec + F.cross_entropy(logits, target, reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu**2 - logvar.exp())
        return (self.loss_factor * rec + kld) / n


@fill_doc(common_params=_COMMON_DOC.strip())
@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class TVAEGenerator(BaseNeuralGenerator):
    """Tabular variational autoencoder (TVAE) trained through skorch.

    Uses CTGAN's encoding (mode-specific normalisation of numeric columns,
    one-hot categories and missing indicators). The encoder maps a row to a
    Gaussian latent code; the decoder outputs, per numeric column, the
    within-mode value (Gaussian likelihood with a learned scale) and the mode,
    and per categorical column its category logits. New rows decode latent
    codes drawn from N(0, I) and draw each cell from the decoder's likelihood
    (within-mode values with the learned noise scale, categories and modes
    from their softmax), so that short trainings still give the right
    marginals.

    Conditioning is by the base class's bounded rejection (the model has no
    conditional input).

    Parameters
    ----------
    embedding_dim : int, default=128
        Size of the latent code.
    compress_dims : tuple of int, default=(128, 128)
        Hidden layer sizes of the encoder.
    decompress_dims : tuple of int, default=(128, 128)
        Hidden layer sizes of the decoder.
    loss_factor : float, default=2.0
        Weight of the reconstruction term against the KL term.
    {common_params}
    {rule_params}

    Attributes
    ----------
    net_ : TVAENet
        The trained skorch net; ``net_.history`` holds the losses.
    encoder_ : TableEncoder
        Mode-specific / one-hot encoding of the columns.
    schema_ : TableSchema
        Column types, categories and dtypes seen in ``fit``.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    References
    ----------
    L. Xu, M. Skoularidou, A. Cuesta-Infante, K. Veeramachaneni. "Modeling
    Tabular Data using Conditional GAN", NeurIPS 2019.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import TVAEGenerator
    >>> X, y = make_mixed_classification(n_samples=200, random_state=0)
    >>> gen = TVAEGenerator(max_epochs=2, batch_size=100, random_state=0)
    >>> Xs = gen.fit(X).sample(3, random_state=0)
    >>> Xs.shape
    (3, 7)
    >>> len(gen.net_.history)
    2
    """

    _parameter_constraints: dict = {
        **BaseNeuralGenerator._parameter_constraints,
        "embedding_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "compress_dims": [tuple, list],
        "decompress_dims": [tuple, list],
        "loss_factor": [Interval(numbers.Real, 0, None, closed="neither")],
    }
    _net_class = TVAENet

    def __init__(
        self, *, embedding_dim=128, compress_dims=(128, 128),
        decompress_dims=(128, 128), loss_factor=2.0, net=None, device="cpu",
        max_epochs=300, batch_size=500, lr=1e-3, callbacks=None, verbose=1,
        warm_start=False, random_state=None, constraints=None, schema=None,
    ):
        self.embedding_dim = embedding_dim
        self.compress_dims = compress_dims
        self.decompress_dims = decompress_dims
        self.loss_factor = loss_factor
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
            "embedding_dim": 4, "compress_dims": (16,), "decompress_dims": (16,),
            "max_epochs": 2, "batch_size": 50, "random_state": 0,
        }

    def _module_class(self):
        return TVAEModule

    def _module_params(self):
        return {
            "embedding_dim": self.embedding_dim,
            "compress_dims": tuple(self.compress_dims),
            "decompress_dims": tuple(self.decompress_dims),
        }

    def _net_params(self):
        return {"optimizer__weight_decay": 1e-5, "loss_factor": self.loss_factor}

    def _prepare(self, Z, M, update=False):
        return {"d_data": M.shape[1], "spans": self._spans()}

    def _draw(self, n, rng):
        if not self.encoder_.n_features_out_:
            return self._constant_rows(n, rng)
        module = self.net_.module_
        device = torch.device(self.net_.device or "cpu")
        out = []
        for _, m in self._chunks(n):
            z = torch.randn(m, module.embedding_dim, device=device)
            raw = module.decoder(z)
            parts = []
            for start, stop, kind in module.spans:
                x = raw[:, start:stop]
                if kind == "tanh":  # the decoder's Gaussian likelihood
                    sigma = torch.exp(module.log_sigma[start:stop])
                    x = torch.tanh(x) + sigma * torch.randn_like(x)
                    parts.append(x.clamp(-1.0, 1.0))
                else:  # a draw from the decoder's categorical likelihood
                    pick = torch.multinomial(torch.softmax(x, dim=1), 1)
                    parts.append(torch.zeros_like(x).scatter_(1, pick, 1.0))
            M = (torch.cat(parts, 1) if parts else raw).double().cpu().numpy()
            out.append(self._decode(M, rng))  # codes: bounded memory
        return np.concatenate(out)

    def _sample(self, n_samples, conditions, random_state):
        return self._in_torch_rng(random_state, self._draw, n_samples, random_state)

