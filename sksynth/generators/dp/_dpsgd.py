"""DP-SGD training of the neural generators (TVAE, CTGAN's critic) with opacus.

Both generators are trained on a *discretised* table: every column is mapped
to the cells of its domain (public, or estimated under DP by
:class:`~sksynth.generators.dp._domain.DomainBuilder` exactly as for MST/AIM),
one-hot encoded, and the net learns the joint distribution of the cells. New
cells are turned back into values by drawing uniformly inside a numeric bin.
Nothing of the encoding is read off the data for free: the mode-specific
normaliser of the non-private generators (a mixture fitted to the values) is
replaced by the DP bins.

Training uses DP-SGD (Abadi et al., 2016): each step draws a Poisson sample
of the rows (rate ``q = batch_size / n``), computes per-sample gradients with
opacus's :class:`~opacus.GradSampleModule`, clips each to ``max_grad_norm`` in
L2, sums them, adds Gaussian noise of scale ``noise_multiplier *
max_grad_norm`` and divides by the expected batch size ``q * n``. The noise
multiplier is calibrated before training with the RDP analysis of the
subsampled Gaussian, composed in Renyi DP with the zCDP cost of the domain
(rho-zCDP is ``alpha * rho``-RDP at every order ``alpha``).
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from torch.nn import functional as F

from ...constraints._enforce import RULE_PARAMETERS_DOC
from ...preprocessing import TableSchema
from ...preprocessing._cells import CellEncoder
from ...utils._dependencies import import_optional
from ...utils._docstring import fill_doc
from ...utils._random import seed_stream
from ...utils._validation import validate_table
from ..neural._base import _COMMON_DOC
from ..neural._ctgan import CTGANGenerator, CTGANNet
from ..neural._tvae import TVAEGenerator, TVAENet
from ._base import DPBudgetMixin, PrivacyBudgetWarning
from ._domain import (
    _hashable,
    public_schema,
)
from .accounting import (
    RDP_ORDERS,
    PrivacySpent,
    PrivacyStep,
    calibrate_noise_multiplier,
    rdp_to_epsilon,
    subsampled_gaussian_rdp,
)

__all__ = ["DPCTGANGenerator", "DPTVAEGenerator", "calibrate_noise_multiplier"]

# ------------------------------------------------------------------ encoding
@dataclass
class _CellBlock:
    column: int
    start: int
    stop: int
    role: str = "value"
    kind: str = "categorical"
    encoding: str = "onehot"
    encoder: object = None

    @property
    def width(self):
        return self.stop - self.start


class _CellEncoder(CellEncoder):
    """The cell layer with the one-hot blocks the neural nets read."""

    def __init__(self, domains, maps=None):
        super().__init__(domains, maps)
        self.blocks_ = [
            _CellBlock(j, int(s), int(s) + k)
            for j, (s, k) in enumerate(zip(self.starts_, self.sizes_))
        ]


# ---------------------------------------------------------------- DP steps
class _DPSteps:
    """skorch iterator of DP-SGD: ``n_steps`` ticks per epoch.

    The rows of a step are drawn by the net itself (Poisson sampling); the
    tick only carries a public batch size for skorch's bookkeeping.
    """

    def __init__(self, dataset, batch_size=1, n_steps=1, **kw):
        self.X = dataset.X
        self.batch_size = int(batch_size)
        self.n_steps = int(n_steps)

    def __len__(self):
        return self.n_steps

    def __iter__(self):
        k = max(1, min(self.batch_size, len(self.X)))
        for _ in range(self.n_steps):
            yield self.X[:k], None


class _DPSGDNetMixin:
    """Per-sample clipping and Gaussian noise of one DP-SGD step.

    ``fit_loop`` wraps the modules of :meth:`dp_modules` in opacus's
    :class:`~opacus.GradSampleModule` for the duration of the training only
    (the hooks are removed afterwards, so the net pickles and samples as a
    plain one).
    """

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        opacus = import_optional("opacus", "dp", purpose=type(self).__name__)
        gsms = [opacus.GradSampleModule(m, loss_reduction="sum")
                for m in self.dp_modules()]
        # plain attribute (skorch refuses torch modules set outside initialize)
        self.__dict__["_gsm"] = gsms[0]
        try:
            with warnings.catch_warnings():
                # opacus's hooks on a first layer whose input needs no gradient
                warnings.filterwarnings(
                    "ignore", message="Full backward hook", category=UserWarning
                )
                return super().fit_loop(X, y, epochs=epochs, **fit_params)
        finally:
            for g in gsms:
                g.cleanup()
            del self.__dict__["_gsm"]

    def _poisson_batch(self):
        X = self.train_data_
        mask = torch.rand(len(X), device=X.device) < self.sample_rate
        return X[mask]

    def _private_grads(self, params, per_sample_loss, Xb):
        """Noisy mean gradient of ``per_sample_loss`` over a Poisson batch."""
        C, sigma = float(self.max_grad_norm), float(self.noise_multiplier)
        sums = [torch.zeros_like(p) for p in params]
        for p in params:
            p.grad_sample = None
        if len(Xb):
            losses = per_sample_loss(Xb)
            grads = torch.autograd.grad(losses.sum(), params, allow_unused=True)
            del grads  # hooks filled p.grad_sample (the per-sample gradients)
            gs = [p.grad_sample for p in params]
            norms = torch.zeros(len(Xb), device=Xb.device)
            for g in gs:
                if g is not None:
                    norms = norms + g.reshape(len(Xb), -1).pow(2).sum(1)
            factor = (C / (norms.sqrt() + 1e-6)).clamp(max=1.0)
            for s, g in zip(sums, gs):
                if g is not None:
                    s += torch.einsum("i,i...->...", factor, g)
        denom = self.sample_rate * len(self.train_data_)
        out = [(s + sigma * C * torch.randn_like(s)) / denom for s in sums]
        for p in params:
            p.grad_sample = None
        self.dp_steps_ = getattr(self, "dp_steps_", 0) + 1
        return out


class DPTVAENet(_DPSGDNetMixin, TVAENet):
    """TVAE net trained by DP-SGD (encoder and decoder)."""

    def __init__(self, module, *args, noise_multiplier=1.0, max_grad_norm=1.0,
                 sample_rate=0.01, **kwargs):
        self.noise_multiplier = noise_multiplier
        self.max_grad_norm = max_grad_norm
        self.sample_rate = sample_rate
        super().__init__(module, *args, **kwargs)

    def dp_modules(self):
        return [self.module_.encoder, self.module_.decoder]

    def _per_sample_loss(self, Xb):
        module = self.module_
        recon, mu, logvar = module(Xb)
        rec = Xb.new_zeros(len(Xb))
        for start, stop, kind in module.spans:
            if kind != "softmax":  # pragma: no cover - cells are one-hot
                raise RuntimeError("DP-TVAE expects one-hot cells only.")
            target = Xb[:, start:stop].argmax(1)
            rec = rec + F.cross_entropy(recon[:, start:stop], target,
                                        reduction="none")
        kld = -0.5 * torch.sum(1 + logvar - mu**2 - logvar.exp(), dim=1)
        return self.loss_factor * rec + kld

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        params = [p for m in self.dp_modules() for p in m.parameters()]
        grads = self._private_grads(params, self._per_sample_loss,
                                    self._poisson_batch())
        for p, g in zip(params, grads):
            p.grad = g
        # the real loss is not DP: nothing data-dependent enters the history
        nan = torch.tensor(float("nan"))
        return {"loss": nan, "y_pred": batch[0]}


class DPCTGANNet(_DPSGDNetMixin, CTGANNet):
    """CTGAN net whose critic is trained by DP-SGD (WGAN with weight clipping).

    The critic's gradient is the exact gradient of its loss on generated rows
    (no privacy cost: they depend on the data only through the DP critic)
    plus the DP-SGD estimate of the gradient of ``-critic(real)``; after each
    step its weights are clipped to ``[-weight_clip, weight_clip]``.
    """

    def __init__(self, module, *args, noise_multiplier=1.0, max_grad_norm=1.0,
                 sample_rate=0.01, weight_clip=0.01, loss="logistic", **kwargs):
        self.noise_multiplier = noise_multiplier
        self.max_grad_norm = max_grad_norm
        self.sample_rate = sample_rate
        self.weight_clip = weight_clip
        self.loss = loss
        super().__init__(module, *args, **kwargs)

    def _critic_terms(self, disc):
        """Per-row critic losses on fake and real rows, and the generator's.

        ``"wasserstein"``: ``D(fake)``, ``-D(real)`` and ``-D(fake)``;
        ``"logistic"`` (the non-saturating GAN of Goodfellow et al.):
        ``softplus(D(fake))``, ``softplus(-D(real))`` and
        ``softplus(-D(fake))``.
        """
        if self.loss == "wasserstein":
            return (lambda x: disc(x).reshape(-1), lambda x: -disc(x).reshape(-1),
                    lambda x: -disc(x).reshape(-1))
        return (lambda x: F.softplus(disc(x)).reshape(-1),
                lambda x: F.softplus(-disc(x)).reshape(-1),
                lambda x: F.softplus(-disc(x)).reshape(-1))

    def dp_modules(self):
        return [self.module_.discriminator]

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        module = self.module_
        disc = module.discriminator
        params = list(disc.parameters())
        emb = module.embedding_dim
        X = self.train_data_
        n_fake = max(1, int(round(self.sample_rate * len(X))))
        device = X.device
        on_fake, on_real, of_generator = self._critic_terms(disc)
        for _ in range(self.discriminator_steps):
            noise = torch.randn(n_fake, emb, device=device)
            with torch.no_grad():
                fake, _ = module(noise, torch.zeros(n_fake, 0, device=device))
            self._gsm.disable_hooks()
            g_fake = torch.autograd.grad(on_fake(fake).mean(), params)
            self._gsm.enable_hooks()
            g_real = self._private_grads(params, on_real, self._poisson_batch())
            for p, a, b in zip(params, g_fake, g_real):
                p.grad = a + b
            self.optimizer_discriminator_.step()
            if self.loss == "wasserstein":
                with torch.no_grad():
                    for p in params:
                        p.clamp_(-self.weight_clip, self.weight_clip)
        self._gsm.disable_hooks()
        try:
            noise = torch.randn(n_fake, emb, device=device)
            fake, _ = module(noise, torch.zeros(n_fake, 0, device=device))
            loss_g = of_generator(fake).mean()
            self.optimizer_.zero_grad(set_to_none=True)
            loss_g.backward()
            for p in params:
                p.grad = None
            self.notify("on_grad_computed",
                        named_parameters=list(module.generator.named_parameters()),
                        batch=batch, training=True)
            self.optimizer_.step()
        finally:
            self._gsm.enable_hooks()
        # the generator loss is post-processing of the DP critic: safe to log
        return {"loss": loss_g.detach(), "y_pred": fake.detach()}


# --------------------------------------------------------------- generators
_OLD_COMMON = """    max_epochs : int
        Epochs of ``fit`` (and of each ``partial_fit`` call).
    batch_size : int
        Rows per optimisation step.
    lr : float
        Learning rate of the optimizer.
"""
assert _OLD_COMMON in _COMMON_DOC
_DPSGD_COMMON_DOC = _COMMON_DOC.replace(_OLD_COMMON, """    max_epochs : int, default=10
        Epochs of ``fit`` (and of each ``partial_fit`` call); an epoch is
        ``round(1 / q)`` DP-SGD steps. More epochs at the same ``epsilon``
        mean more noise per step.
    batch_size : int or "auto", default="auto"
        Expected rows of a DP-SGD step (Poisson sampling at rate
        ``q = batch_size / n``). ``"auto"``: ``n / 32`` rows (32 steps an
        epoch, so that the default 10 epochs are about 320 steps whatever
        the size of the table), at least 16 and at most 1,000.
    lr : float
        Learning rate of Adam; the defaults (1e-2 for DP-TVAE, 3e-3 for
        DP-CTGAN) are larger than the non-private generators' (a few hundred
        noisy steps).
""")


def _auto_batch_size(n):
    """Expected batch of ``batch_size="auto"``: ``n / 32`` rows (32 DP-SGD
    steps an epoch), at least 16 and at most 1,000."""
    return int(min(1000, max(16, round(n / 32))))


_DPSGD_CONSTRAINTS = {
    "epsilon": [Interval(numbers.Real, 0, None, closed="neither"), None],
    "delta": [Interval(numbers.Real, 0, 1, closed="neither")],
    "max_grad_norm": [Interval(numbers.Real, 0, None, closed="neither")],
    "domain": [dict, None],
    "bounds": [dict, None],
    "n_bins": [Interval(numbers.Integral, 2, None, closed="left")],
    "domain_budget": [Interval(numbers.Real, 0, 1, closed="neither")],
    "allow_large_delta": ["boolean"],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left"),
                   StrOptions({"auto"})],
}

_DPSGD_DOC = """
    Privacy. ``fit`` is ``(epsilon, delta)``-differentially private with respect
    to adding or removing one row of ``(X, y)``; the stored weights, the
    domain and everything ``sample`` returns are post-processing. What is
    treated as **public**: the column names and order, the dtypes, the
    categories of pandas ``category`` and ``bool`` columns, whatever
    ``domain=`` / ``bounds=`` give, the number of rows ``n`` (it sets the
    sampling rate ``q = batch_size / n``, as in opacus) and ``n < 1 / delta``.
    What is **private** and paid for: (1) each column's domain when not
    given: category labels from a thresholded Gaussian histogram, numeric
    bounds from Gaussian histograms on a fixed log-scale grid, the presence
    of missing values from a Gaussian count (exactly as in
    :class:`~sksynth.generators.MSTGenerator`), costing ``domain_budget`` of
    the zCDP budget and ``0.1 * delta`` for the label thresholds; (2) the
    training: DP-SGD with Poisson sampling, per-sample clipping to
    ``max_grad_norm`` and Gaussian noise, the noise multiplier calibrated by
    the RDP analysis of the subsampled Gaussian
    (:mod:`sksynth.generators.dp.accounting`, the analysis of opacus's RDP
    accountant) so that the composition of (1) and (2) (in Renyi DP) meets
    ``(epsilon, delta)``. Numeric columns are discretised into
    ``n_bins`` bins of the domain (values outside DP bounds are clipped) and
    drawn uniformly inside their bin when sampled; rows of a suppressed
    category form an ``other`` cell, sampled back as a released category
    chosen uniformly. The data-dependent encodings of the non-private
    generator (mode-specific normalisation) are not used. The training loss
    on real rows is not recorded in ``net_.history`` (it is not private).

    What matters at a fixed budget: the noise a step adds to the mean
    gradient of its batch (``noise_multiplier * max_grad_norm / batch``;
    larger batches and more rows mean less) and the number of steps the net
    needs to learn how the columns depend on each other (a few hundred; too
    few and only the marginals are learned). The defaults, ``batch_size=
    "auto"`` (``n / 32`` rows) and ``max_epochs=10`` (about 320 steps) with
    a large learning rate, were chosen on adult (32,561 rows, ``delta=1e-9``,
    ``epsilon=3``, ``income`` as ``y``): train-synthetic-test-real ROC AUC
    0.858 for DP-TVAE and 0.845 for DP-CTGAN (0.49 and 0.65 with 250-row
    batches for 30 epochs on 5,000 rows). Smaller tables get more noise per
    step at the same ``epsilon`` and less utility: that is DP, not a
    setting to tune.

    ``privacy_spent_.steps`` lists the domain steps (zCDP ``rho``) and one
    ``"subsampled-gaussian"`` entry per training run (``rho`` is NaN: it is
    accounted in Renyi DP); ``privacy_spent_.rho`` is NaN for the same
    reason. ``partial_fit`` (or ``warm_start``) trains further on the same
    data and spends more: ``epsilon_`` then reports the composition, with a
    :class:`PrivacyBudgetWarning` when it exceeds ``epsilon``; a new ``fit``
    spends a new budget (``cumulative_epsilon``).
"""

_DP_BUDGET_DOC = """epsilon : float
        Privacy budget (> 0). Required: there is no default budget.
    delta : float, default=1e-9
        Failure probability of the guarantee, in (0, 1); must be below
        ``1 / n_samples`` unless ``allow_large_delta=True``."""


def dp_domain_doc(n_bins):
    """Docstring entries of the DP domain parameters (``n_bins``' default)."""
    return f"""domain : dict, default=None
        Public domain of some or all columns (format of
        :class:`~sksynth.generators.MSTGenerator`); the others are estimated
        under DP.
    bounds : dict, default=None
        Public numeric bounds, ``{{column: (low, high)}}``.
    n_bins : int, default={n_bins}
        Bins of a numeric column (an integer column with fewer values gets one
        per value).
    domain_budget : float, default=0.1
        Share of the zCDP budget spent on the domain of columns without a
        public one.
    allow_large_delta : bool, default=False
        Accept ``delta >= 1 / n_samples``."""


_DPSGD_PARAMS_DOC = f"""{_DP_BUDGET_DOC}
    max_grad_norm : float, default=1.0
        L2 bound of each row's gradient (per-sample clipping).
    {dp_domain_doc(32)}"""

_DPSGD_ATTRS_DOC = """privacy_spent_ : PrivacySpent
        The delivered guarantee (mechanism ``"DP-SGD"``) with its steps.
    epsilon_ : float
        ``privacy_spent_.epsilon``.
    noise_multiplier_ : float
        The calibrated noise multiplier (noise std / ``max_grad_norm``).
    sample_rate_ : float
        Poisson sampling rate ``q``.
    n_steps_ : int
        DP-SGD steps taken (all runs since the last ``fit``).
    domain_ : list of ColumnDomain
        The released domain of every column.
    net_ : skorch net
        The trained net (``net_.history`` without real-data losses).
    schema_ : TableSchema
        The public schema (categories and bounds from ``domain_``).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings."""


def unconditional_layout(gen, M):
    """CTGAN's training layout without training-by-sampling (DP CTGANs).

    Training-by-sampling draws conditional vectors from the category counts
    of the data, which a DP generator may not read for free: its critic gets
    no conditional input. Sets the (empty) sampling tables on ``gen`` and
    returns the net's dimensions for CTGAN's ``_prepare`` hook.
    """
    gen._cond_blocks = []
    gen._cond_starts = np.zeros(0, dtype=np.int64)
    gen._train_tables = {
        "rows_by_g": np.zeros(0, np.int64), "g_count": np.zeros(0),
        "g_start": np.zeros(0, np.int64),
    }
    gen._cond_freq = np.zeros(0)
    return {"d_data": M.shape[1], "d_cond": 0, "spans": gen._spans()}


class _DPSGDMixin(DPBudgetMixin):
    """DP domain, cell encoding, noise calibration and accounting."""

    # ------------------------------------------------------------- fit
    def _fit(self, Z, random_state):
        import_optional("opacus", "dp", purpose=type(self).__name__)
        n = Z.shape[0]
        self._check_budget(n)
        self._previous_spent = getattr(self, "privacy_spent_", None)
        self._previous_rdp = getattr(self, "_cumulative_rdp", None)
        if hasattr(self, "privacy_spent_"):
            del self.privacy_spent_
        domains, maps, accountant, self._delta_labels, Z = self._release_domain(
            Z, random_state, charge_domain_only=True
        )
        schema = self.schema_
        self.domain_ = domains
        self._maps = maps
        self._domain_steps = tuple(accountant.steps)
        self._rho_domain = accountant.spent
        self._runs = []
        self._n_rows = n
        super()._fit(Z, random_state)
        # from now on codes are in the public schema: cells are the codes
        self._maps = [
            None if dom.kind != "categorical"
            else np.arange(len(dom.categories), dtype=np.int64)
            for dom in domains
        ]
        self.schema_ = public_schema(schema, domains)
        if self._previous_spent is not None:
            self._warn_fitted_again(self.privacy_spent_, stacklevel=4)
        return self

    def _fit_encoder(self, Z):
        self.encoder_ = _CellEncoder(self.domain_)

    def _encode(self, Z, rng):
        enc = self.encoder_
        return enc.one_hot(CellEncoder(self.domain_, self._maps).transform(Z))

    def _decode(self, M, rng):
        enc = self.encoder_
        return enc.inverse(enc.from_one_hot(M), rng)

    def _build_net(self, data_params):
        net = super()._build_net(data_params)
        n = self._n_rows
        if isinstance(net.batch_size, str):  # "auto": a public function of n
            net.set_params(batch_size=_auto_batch_size(n))
        q = min(1.0, net.batch_size / n)
        steps_per_epoch = max(1, int(round(1.0 / q)))
        sigma = calibrate_noise_multiplier(
            self.epsilon, self.delta - self._delta_labels, q,
            net.max_epochs * steps_per_epoch, rho_fixed=self._rho_domain,
        )
        self.noise_multiplier_ = sigma
        self.sample_rate_ = q
        return net.set_params(
            noise_multiplier=sigma, max_grad_norm=self.max_grad_norm,
            sample_rate=q, train_split=None, iterator_train=_DPSteps,
            iterator_train__n_steps=steps_per_epoch,
        )

    def _train(self, M, rng, initialize, epochs=None):
        net = self.net_
        before = 0 if initialize else getattr(net, "dp_steps_", 0)
        net.dp_steps_ = before
        super()._train(M, rng, initialize, epochs)
        steps = net.dp_steps_ - before
        self._runs.append((self.noise_multiplier_, self.sample_rate_, steps))
        self._account()

    def _account(self):
        orders = np.asarray(RDP_ORDERS)
        rdp = self._rho_domain * orders
        for sigma, q, steps in self._runs:
            rdp = rdp + subsampled_gaussian_rdp(sigma, q, steps)
        delta = float(self.delta)
        d_add = self._delta_labels
        eps = rdp_to_epsilon(rdp, delta - d_add)
        self.n_steps_ = int(sum(r[2] for r in self._runs))
        sgd_steps = tuple(
            PrivacyStep(
                f"DP-SGD run {i + 1}: {steps} steps, sample rate {q:.4g}, noise "
                f"multiplier {sigma:.4g}, max_grad_norm {self.max_grad_norm:g}",
                "subsampled-gaussian", float("nan"), 0.0,
            )
            for i, (sigma, q, steps) in enumerate(self._runs)
        )
        prev = self._previous_spent
        n_fits, c_rdp, c_add, c_delta = 1, rdp, d_add, delta
        if prev is not None and hasattr(self, "_previous_rdp"):
            n_fits = prev.n_fits + 1
            c_rdp = rdp + self._previous_rdp
            c_add += prev.cumulative_delta_additive
            c_delta += prev.cumulative_delta
        self._rdp = rdp
        self.privacy_spent_ = PrivacySpent(
            epsilon=eps, delta=delta, rho=float("nan"), delta_additive=d_add,
            mechanism="DP-SGD", steps=self._domain_steps + sgd_steps,
            n_fits=n_fits, cumulative_epsilon=rdp_to_epsilon(c_rdp, c_delta - c_add),
            cumulative_delta=c_delta, cumulative_rho=float("nan"),
            cumulative_delta_additive=c_add,
        )
        self._cumulative_rdp = c_rdp
        self.epsilon_ = eps
        if eps > self.epsilon * (1 + 1e-6):
            warnings.warn(
                f"{type(self).__name__} trained further on the same data: the "
                f"training so far is (epsilon={eps:.4g}, delta={delta:g})-DP, "
                f"more than the target epsilon={self.epsilon:g}.",
                PrivacyBudgetWarning, stacklevel=4,
            )

    def partial_fit(self, X, y=None, *, epochs=None):
        """Train further (more DP-SGD steps, more budget spent) on ``X``.

        The released domain of the first fit is kept: categories outside it
        join the ``other`` cell of a DP-estimated categorical domain (a
        ValueError for a public one), numeric values are clipped to the
        bounds. ``privacy_spent_`` then reports the composition of all the
        training since the last ``fit`` (see the class docstring).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the columns of the first fit.
        y : array-like of shape (n_samples,), default=None
            Target, required when the first fit had one.
        epochs : int, default=None
            Number of epochs (default: the net's ``max_epochs``).

        Returns
        -------
        self : object
            The generator, trained further.
        """
        if not hasattr(self, "net_"):
            return self.fit(X, y)
        self._validate_params()
        validate_table(self, X, y, reset=False, ensure_min_samples=2)
        schema = TableSchema.infer(X, y)  # this data's own codes (not stored)
        maps = []
        for col, dom in zip(schema.columns, self.domain_):
            if (col.kind == "categorical") != (dom.kind == "categorical"):
                raise ValueError(
                    f"Column {col.name!r} is {col.kind} here but "
                    f"{dom.kind} in the first fit."
                )
            if dom.kind != "categorical":
                maps.append(None)
                continue
            lookup = {}
            for i, c in enumerate(dom.categories):
                lookup.setdefault(("v", _hashable(c)), i)
                lookup.setdefault(("s", str(c)), i)
            mapping = np.empty(col.n_categories, dtype=np.int64)
            for k, c in enumerate(col.categories):
                i = lookup.get(("v", _hashable(c)), lookup.get(("s", str(c))))
                if i is None:
                    if not dom.has_other:
                        raise ValueError(
                            f"Column {col.name!r} holds {c!r}, outside the "
                            "public domain of the first fit."
                        )
                    i = len(dom.categories)
                mapping[k] = i
            maps.append(mapping)
        Z = schema.encode(X, y)
        rng = seed_stream(self._sample_seeds_)
        M = self.encoder_.one_hot(_CellEncoder(self.domain_, maps).transform(Z))
        self._prepare(Z, M, update=True)
        self._train(M, rng, initialize=False, epochs=epochs)
        return self



@fill_doc(dpsgd_doc=_DPSGD_DOC, dpsgd_params_doc=_DPSGD_PARAMS_DOC,
          common_params=_DPSGD_COMMON_DOC.strip(), dpsgd_attrs_doc=_DPSGD_ATTRS_DOC)
@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class DPTVAEGenerator(_DPSGDMixin, TVAEGenerator):
    """TVAE trained with differentially private SGD (opacus).

    The encoder and the decoder of :class:`~sksynth.generators.TVAEGenerator`
    (plain MLPs: no batch normalisation, whose statistics would mix rows) are
    trained by DP-SGD on the one-hot cells of a public or DP-estimated domain;
    see the privacy notes below. Sampling decodes latent codes from N(0, I)
    and draws each column's cell from the decoder's softmax. Conditioning is
    by the base class's bounded rejection.
{dpsgd_doc}
    Parameters
    ----------
    {dpsgd_params_doc}
    embedding_dim : int, default=32
        Size of the latent code.
    compress_dims, decompress_dims : tuple of int, default=(64, 64)
        Hidden layer sizes of the encoder and the decoder.
    loss_factor : float, default=2.0
        Weight of the reconstruction term against the KL term.
    {common_params}
    {rule_params}

    Attributes
    ----------
    {dpsgd_attrs_doc}

    See Also
    --------
    DPCTGANGenerator, MSTGenerator, AIMGenerator

    References
    ----------
    M. Abadi et al. "Deep Learning with Differential Privacy", CCS 2016.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import DPTVAEGenerator
    >>> X, y = make_mixed_classification(n_samples=300, random_state=0)
    >>> gen = DPTVAEGenerator(epsilon=3.0, delta=1e-5, max_epochs=2,
    ...                       batch_size=100, random_state=0).fit(X, y)
    >>> gen.epsilon_ <= 3.0
    True
    >>> gen.privacy_spent_.mechanism
    'DP-SGD'
    >>> Xs, ys = gen.sample(4, random_state=0)
    >>> Xs.shape
    (4, 7)
    """

    _parameter_constraints: dict = {
        **TVAEGenerator._parameter_constraints, **_DPSGD_CONSTRAINTS,
    }
    _net_class = DPTVAENet

    def __init__(
        self, *, epsilon=None, delta=1e-9, max_grad_norm=1.0, domain=None,
        bounds=None, n_bins=32, domain_budget=0.1, allow_large_delta=False,
        embedding_dim=32, compress_dims=(64, 64), decompress_dims=(64, 64),
        loss_factor=2.0, net=None, device="cpu", max_epochs=10, batch_size="auto",
        lr=1e-2, callbacks=None, verbose=1, warm_start=False, random_state=None,
        constraints=None, schema=None,
    ):
        self.epsilon = epsilon
        self.delta = delta
        self.max_grad_norm = max_grad_norm
        self.domain = domain
        self.bounds = bounds
        self.n_bins = n_bins
        self.domain_budget = domain_budget
        self.allow_large_delta = allow_large_delta
        super().__init__(
            embedding_dim=embedding_dim, compress_dims=compress_dims,
            decompress_dims=decompress_dims, loss_factor=loss_factor, net=net,
            device=device, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            callbacks=callbacks, verbose=verbose, warm_start=warm_start,
            random_state=random_state, constraints=constraints, schema=schema,
        )

    @classmethod
    def _test_params(cls):
        return {
            "epsilon": 1e3, "delta": 1e-9, "allow_large_delta": True,
            "n_bins": 4, "embedding_dim": 4, "compress_dims": (8,),
            "decompress_dims": (8,), "max_epochs": 1, "batch_size": 20,
            "random_state": 0,
        }


@fill_doc(dpsgd_doc=_DPSGD_DOC, dpsgd_params_doc=_DPSGD_PARAMS_DOC,
          common_params=_DPSGD_COMMON_DOC.strip(), dpsgd_attrs_doc=_DPSGD_ATTRS_DOC)
@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class DPCTGANGenerator(_DPSGDMixin, CTGANGenerator):
    """CTGAN whose critic is trained with differentially private SGD.

    Only the critic sees real rows, so only its updates need privacy: each
    critic step's gradient on real rows is computed by DP-SGD (opacus
    per-sample gradients, clipping, Gaussian noise); the gradient on generated
    rows and the generator's updates are post-processing. Two departures from
    :class:`~sksynth.generators.CTGANGenerator`, both forced by DP:

    * no gradient penalty: WGAN-GP differentiates the critic's input
      gradient (a double backward that per-sample gradient computation
      cannot clip). The default ``loss="logistic"`` trains a plain
      (non-saturating) GAN, which needs no Lipschitz critic;
      ``loss="wasserstein"`` keeps the Wasserstein loss and makes the critic
      Lipschitz by *weight clipping* (original WGAN) to
      ``[-weight_clip, weight_clip]``;
    * no PacGAN packing (``pac=1``: removing a row would re-pack all later
      rows) and no training-by-sampling (it draws real rows by category,
      which reads the category counts and breaks Poisson sampling):
      the generator is unconditional, and ``sample(conditions=...)`` works
      by bounded rejection.

    The generator keeps its batch normalisation (it never sees real rows).
{dpsgd_doc}
    Parameters
    ----------
    {dpsgd_params_doc}
    loss : {"logistic", "wasserstein"}, default="logistic"
        GAN loss. ``"logistic"``: the critic is a classifier of real against
        generated rows (``softplus(-D(real)) + softplus(D(fake))``) and the
        generator minimises ``softplus(-D(fake))``. ``"wasserstein"``: WGAN
        with weight clipping (slower to train under DP: on adult at
        ``epsilon=3`` its TSTR stayed near 0.5 where the logistic loss
        reaches the figure given in the notes below).
    weight_clip : float, default=0.01
        With ``loss="wasserstein"``, critic weights are clipped to
        ``[-weight_clip, weight_clip]`` after each step (post-processing).
    embedding_dim : int, default=64
        Size of the noise vector.
    generator_dim, discriminator_dim : tuple of int, default=(128, 128)
        Hidden layer sizes of the generator and the critic.
    discriminator_steps : int, default=1
        Critic updates (each a DP-SGD step) per generator update.
    {common_params}
    {rule_params}

    Attributes
    ----------
    {dpsgd_attrs_doc}

    See Also
    --------
    DPTVAEGenerator, MSTGenerator, AIMGenerator

    References
    ----------
    M. Arjovsky, S. Chintala, L. Bottou. "Wasserstein GAN", ICML 2017.
    L. Xie et al. "Differentially Private Generative Adversarial Network",
    2018.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import DPCTGANGenerator
    >>> X, y = make_mixed_classification(n_samples=300, random_state=0)
    >>> gen = DPCTGANGenerator(epsilon=3.0, delta=1e-5, max_epochs=2,
    ...                        batch_size=100, random_state=0).fit(X, y)
    >>> gen.epsilon_ <= 3.0
    True
    >>> Xs, ys = gen.sample(4, random_state=0)
    >>> Xs.shape
    (4, 7)
    """

    _parameter_constraints: dict = {
        **{k: v for k, v in CTGANGenerator._parameter_constraints.items()
           if k not in ("pac", "log_frequency", "average_decay")},
        **_DPSGD_CONSTRAINTS,
        "loss": [StrOptions({"logistic", "wasserstein"})],
        "weight_clip": [Interval(numbers.Real, 0, None, closed="neither")],
    }
    _net_class = DPCTGANNet

    def __init__(
        self, *, epsilon=None, delta=1e-9, max_grad_norm=1.0, domain=None,
        bounds=None, n_bins=32, domain_budget=0.1, allow_large_delta=False,
        loss="logistic", weight_clip=0.01, embedding_dim=64, generator_dim=(128, 128),
        discriminator_dim=(128, 128), discriminator_steps=1, net=None,
        device="cpu", max_epochs=10, batch_size="auto", lr=3e-3, callbacks=None,
        verbose=1, warm_start=False, random_state=None, constraints=None, schema=None,
    ):
        self.epsilon = epsilon
        self.delta = delta
        self.max_grad_norm = max_grad_norm
        self.domain = domain
        self.bounds = bounds
        self.n_bins = n_bins
        self.domain_budget = domain_budget
        self.allow_large_delta = allow_large_delta
        self.loss = loss
        self.weight_clip = weight_clip
        self.embedding_dim = embedding_dim
        self.generator_dim = generator_dim
        self.discriminator_dim = discriminator_dim
        self.discriminator_steps = discriminator_steps
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
            "epsilon": 1e3, "delta": 1e-9, "allow_large_delta": True,
            "n_bins": 4, "embedding_dim": 4, "generator_dim": (8,),
            "discriminator_dim": (8,), "max_epochs": 1, "batch_size": 20,
            "random_state": 0,
        }

    def _module_params(self):
        # no packing (pac=1: removing a row would re-pack all later rows) and
        # no weight average: the generator samples from the last weights
        return {
            "embedding_dim": self.embedding_dim,
            "generator_dim": tuple(self.generator_dim),
            "discriminator_dim": tuple(self.discriminator_dim),
            "pac": 1,
            "average": False,
        }

    def _net_params(self):
        return {
            "optimizer__betas": (0.5, 0.9),
            "optimizer__weight_decay": 1e-6,
            "discriminator_steps": self.discriminator_steps,
            "average_decay": None,
            "weight_clip": self.weight_clip,
            "loss": self.loss,
        }

    def _prepare(self, Z, M, update=False):
        return unconditional_layout(self, M)

    def _native(self, cond):
        return None

    def _native_description(self):
        return "no column (the DP generator is unconditional)"
