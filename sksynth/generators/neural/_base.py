"""Shared skorch plumbing of the neural generators.

A public neural generator is a :class:`~sksynth.base.BaseGenerator`, never a
skorch ``NeuralNet``: it builds a private net (``net_``) inside ``fit`` from
its own parameters, or from a *template* net passed as ``net``, so that
``set_params(net__lr=..., net__module__...)`` reaches the optimizer and module
sizes (for ``GridSearchCV``) while scikit-learn's checks see a plain estimator.

Training data never goes through a ``DataLoader``: the encoded table is one
tensor on the net's device and :class:`IndexBatches` (the ``iterator_train``)
yields shuffled slices of it, so an epoch costs no per-row Python work.
"""

from __future__ import annotations

import numbers
import re
import sys

import numpy as np
import torch
from sklearn.base import _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval
from skorch import NeuralNet
from skorch.callbacks import PrintLog
from torch import nn

from ...base import BaseGenerator
from ...preprocessing import TableEncoder
from ...utils._progress import is_interactive, progress
from ...utils._random import draw_seed, seed_stream
from ...utils._validation import validate_table

__all__ = ["BaseNeuralGenerator", "EpochLog", "GeneratorNet", "IndexBatches"]


class IndexBatches:
    """Mini-batches of a tensor dataset by slicing a random permutation.

    Used as skorch's ``iterator_train`` / ``iterator_valid``; yields
    ``(X[idx], idx)``. The permutation comes from torch's global generator,
    which the generators seed, so epochs are reproducible.
    """

    def __init__(self, dataset, batch_size=500, shuffle=True, drop_last=False, **kw):
        if hasattr(dataset, "X"):
            self.X = dataset.X
        elif hasattr(dataset, "dataset") and hasattr(dataset, "indices"):
            self.X = dataset.dataset.X[torch.as_tensor(dataset.indices)]
        else:
            raise TypeError("IndexBatches needs a skorch Dataset of a tensor.")
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last

    @staticmethod
    def count(n, batch_size, drop_last=False):
        """Number of batches of ``n`` rows (``drop_last`` drops the last
        incomplete batch, unless it is the only one)."""
        if drop_last:
            return max(1, n // batch_size) if n else 0
        return -(-n // batch_size)

    def __len__(self):
        return self.count(len(self.X), self.batch_size, self.drop_last)

    def __iter__(self):
        n = len(self.X)
        if self.shuffle:
            order = torch.randperm(n).to(self.X.device)
        else:
            order = torch.arange(n, device=self.X.device)
        for i in range(len(self)):
            idx = order[i * self.batch_size:(i + 1) * self.batch_size]
            yield self.X[idx], idx


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class EpochLog(PrintLog):
    """The ``print_log`` of the generator nets: progress a person can watch.

    * ``verbose=0``: silent;
    * ``verbose=1``: one progress line over the epochs with the last
      ``train_loss`` (a tqdm bar on an interactive stderr, about ten plain
      lines in a log: :func:`sksynth.utils._progress.progress`);
    * ``verbose>=2``: skorch's per-epoch table on stdout (as ``PrintLog``),
      coloured only when stdout is an interactive terminal.

    A ``sink`` other than ``print`` gets the table, uncoloured, whatever
    ``verbose`` is (as with skorch's ``PrintLog``). The parameters are
    skorch's ``PrintLog``'s; set them through the net as
    ``callbacks__print_log__keys_ignored=...``.
    """

    def initialize(self):
        super().initialize()
        self.bar_ = None
        return self

    def table(self, row):
        text = super().table(row)
        if self.sink is print and is_interactive(sys.stdout):
            return text
        return _ANSI.sub("", text)

    def _close(self):
        if getattr(self, "bar_", None) is not None:
            self.bar_.close()
        self.bar_ = None

    def on_train_begin(self, net, **kwargs):
        self._close()

    def on_epoch_begin(self, net, **kwargs):
        if net.verbose == 1 and self.sink is print and self.bar_ is None:
            name = type(net).__name__
            name = name[:-3] if name.endswith("Net") else name
            self.bar_ = progress(
                total=net.epochs_planned_, desc=f"{name} epochs", verbose=1
            )

    def on_epoch_end(self, net, **kwargs):
        if self.bar_ is None:
            super().on_epoch_end(net, **kwargs)
            return
        loss = net.history[-1].get("train_loss")
        if loss is not None:
            self.bar_.set_postfix_str(f"train_loss {loss:.4f}", refresh=False)
        self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        self._close()

    def __getstate__(self):
        state = self.__dict__.copy()
        state["bar_"] = None  # a live tqdm bar does not pickle
        return state


class GeneratorNet(NeuralNet):
    """skorch net of a generator: no train/valid split, tensor batches.

    Subclasses implement :meth:`batch_loss` (a scalar loss of one batch of
    encoded rows); :meth:`train_step_single` and :meth:`validation_step` use
    it, so skorch's optimizer handling, callbacks and history apply. Its
    ``print_log`` is an :class:`EpochLog` (progress over the epochs at
    ``verbose=1``, skorch's table at ``verbose>=2``).
    """

    def __init__(self, module, *args, criterion=nn.MSELoss, **kwargs):
        kwargs.setdefault("train_split", None)
        kwargs.setdefault("iterator_train", IndexBatches)
        kwargs.setdefault("iterator_valid", IndexBatches)
        kwargs.setdefault("iterator_valid__shuffle", False)
        super().__init__(module, *args, criterion=criterion, **kwargs)

    @property
    def _default_callbacks(self):
        return [
            (name, EpochLog() if name == "print_log" else cb)
            for name, cb in super()._default_callbacks
        ]

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # the number of epochs of this call, for the progress of EpochLog
        self.epochs_planned_ = self.max_epochs if epochs is None else epochs
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        finally:
            del self.epochs_planned_

    def batch_loss(self, Xb, training):
        raise NotImplementedError

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        loss = self.batch_loss(batch[0], training=True)
        loss.backward()
        return {"loss": loss, "y_pred": batch[0]}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        with torch.no_grad():
            loss = self.batch_loss(batch[0], training=False)
        return {"loss": loss, "y_pred": batch[0]}


_COMMON_CONSTRAINTS = {
    "net": [None, HasMethods(["initialize", "partial_fit", "set_params"])],
    "device": [str, torch.device, None],
    "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "lr": [Interval(numbers.Real, 0, None, closed="neither")],
    "callbacks": [list, None],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "random_state": ["random_state"],
}

_COMMON_DOC = """
    net : GeneratorNet or None, default=None
        Template skorch net. ``None`` builds one from the parameters below;
        a template (e.g. from :meth:`default_net`, or created by
        ``set_params(net__lr=...)``) is cloned in ``fit`` and its settings
        (optimizer, ``lr``, ``max_epochs``, ``batch_size``, ``device``,
        ``callbacks``, ``module__*`` sizes) take precedence over this
        generator's own ones; the data-dependent module sizes are set in
        ``fit``.
    device : str or torch.device, default="cpu"
        Where to train and sample (``"cpu"``, ``"cuda"``, ``"cuda:1"``).
    max_epochs : int
        Epochs of ``fit`` (and of each ``partial_fit`` call).
    batch_size : int
        Rows per optimisation step.
    lr : float
        Learning rate of the optimizer.
    callbacks : list of skorch callbacks, default=None
        E.g. ``EarlyStopping(monitor="train_loss")``,
        ``Checkpoint(monitor="train_loss_best")``, ``LRScheduler(...)``,
        ``ProgressBar()`` (a bar over the batches of each epoch).
    verbose : int, default=1
        1: progress over the epochs with the last loss (a bar in an
        interactive terminal, about ten plain lines without escape codes in
        a log or a pipe); 2: skorch's per-epoch table (coloured only in a
        terminal); 0: silent.
    warm_start : bool, default=False
        When True, ``fit`` on a fitted generator continues training from the
        current weights (with the schema and encoding of the first fit), like
        :meth:`partial_fit`.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the mini-batches and the sampling noise (torch's
        global generator is forked, not disturbed). Same seed, same model on
        CPU."""


def _optimizers(net):
    """The torch optimizers of a skorch net (``optimizer_`` and any others)."""
    return [v for k, v in vars(net).items()
            if k.endswith("_") and isinstance(v, torch.optim.Optimizer)]


def _torch_device_index(device):
    device = torch.device(device)
    if device.type == "cuda":
        return [device.index or 0]
    return []


class BaseNeuralGenerator(BaseGenerator):
    """Base of the skorch-trained generators (see the module docstring)."""

    _net_class = GeneratorNet
    _numeric_encoding = "mode"
    _parameter_constraints: dict = dict(_COMMON_CONSTRAINTS)
    _sample_batch = 20_000
    # Most cells (rows x encoded features) of one sampling chunk: bounds the
    # memory of a draw (the rejection fallback's batches too) whatever the
    # width of the encoding, e.g. a column of 10,000 categories.
    _sample_cells = 2**24

    # ------------------------------------------------------------ the net
    def _module_class(self):
        raise NotImplementedError

    def _module_params(self):
        """Architecture parameters given to the module (own params)."""
        return {}

    def _net_params(self):
        """Extra parameters of the default template net."""
        return {}

    def default_net(self):
        """The template net built from this generator's parameters.

        Returns
        -------
        net : GeneratorNet
            An uninitialised skorch net; pass it (changed as you like) as
            ``net`` to another generator, or route through
            ``set_params(net__...)``.
        """
        params = {
            "module": self._module_class(),
            "optimizer": torch.optim.Adam,
            "lr": self.lr,
            "max_epochs": self.max_epochs,
            "batch_size": self.batch_size,
            "device": self.device,
            "callbacks": self.callbacks,
            "verbose": self.verbose,
        }
        params.update(self._net_params())
        params.update({f"module__{k}": v for k, v in self._module_params().items()})
        return self._net_class(**params)

    def set_params(self, **params):
        """Set parameters; ``net__*`` keys materialise the template net first.

        With ``net=None``, ``set_params(net__lr=1e-3)`` first replaces ``net``
        by :meth:`default_net` and then routes the key to it, so that
        ``GridSearchCV`` can tune net settings directly.
        """
        if any(k.startswith("net__") for k in params) and (
            params.get("net", self.net) is None
        ):
            own = {
                k: v for k, v in params.items()
                if not k.startswith("net__") and k != "net"
            }
            if own:
                super().set_params(**own)
            super().set_params(net=self.default_net())
            params = {k: v for k, v in params.items() if k.startswith("net__")}
        return super().set_params(**params)

    def _build_net(self, data_params):
        template = self.net if self.net is not None else self.default_net()
        if not isinstance(template, self._net_class):
            raise TypeError(
                f"net must be a {self._net_class.__name__} (see "
                f"{type(self).__name__}.default_net()), got "
                f"{type(template).__name__}."
            )
        net = clone(template)
        given = net.get_params(deep=False)
        updates = {
            f"module__{k}": v for k, v in self._module_params().items()
            if f"module__{k}" not in given
        }
        updates.update({f"module__{k}": v for k, v in data_params.items()})
        return net.set_params(**updates)

    # ----------------------------------------------------------- encoding
    def _fit_encoder(self, Z):
        self.encoder_ = TableEncoder(
            numeric=self._numeric_encoding, categorical="onehot"
        ).fit_codes(Z, self.schema_)

    def _encode(self, Z, rng):
        """Encoded rows; missing numeric cells get the encoding of a random
        observed value (they are masked again by the missing indicator)."""
        M = self.encoder_.transform_codes(Z, rng)
        for b in self.encoder_.blocks_:
            if b.role != "value" or b.kind != "numeric":
                continue
            z = Z[:, b.column]
            miss = np.isnan(z)
            if miss.any():
                observed = z[~miss]
                if len(observed) == 0:
                    continue
                fill = observed[rng.randint(len(observed), size=miss.sum())]
                M[miss, b.start:b.stop] = b.encoder.transform(fill, rng)
        return M

    def _spans(self, blocks=None):
        """``(start, stop, kind)`` output spans of the encoded rows."""
        spans = []
        for b in blocks if blocks is not None else self.encoder_.blocks_:
            if b.kind == "numeric" and b.encoding == "mode":
                spans.append((b.start, b.start + 1, "tanh"))
                spans.append((b.start + 1, b.stop, "softmax"))
            elif b.kind == "numeric":
                spans.append((b.start, b.stop, "linear"))
            else:
                spans.append((b.start, b.stop, "softmax"))
        return tuple(spans)

    # ------------------------------------------------------------ training
    def _fit(self, Z, random_state):
        self._fit_encoder(Z)
        M = self._encode(Z, random_state)
        data_params = self._prepare(Z, M)
        self.net_ = self._build_net(data_params)
        self._train(M, random_state, initialize=True)
        return self

    def _prepare(self, Z, M, update=False):
        """Set data-dependent state (training-by-sampling tables, labels);
        return the data-dependent module params (ignored when ``update``)."""
        raise NotImplementedError

    def _train_tensor(self, M):
        return torch.as_tensor(M, dtype=torch.float32)

    def _train(self, M, rng, initialize, epochs=None):
        seed = draw_seed(rng)
        net = self.net_
        if M.shape[1] == 0:  # only constant columns: nothing to learn
            if not net.initialized_:
                net.initialize()
            return
        with torch.random.fork_rng(devices=_torch_device_index(net.device or "cpu")):
            torch.manual_seed(seed)
            X = self._train_tensor(M).to(net.device or "cpu")
            net.train_data_ = X
            try:
                if initialize:
                    net.fit(X)
                else:
                    if not net.initialized_:
                        net.initialize()
                    net.partial_fit(X, epochs=epochs)
            finally:
                del net.train_data_

    def _warm_started(self):
        # fit on a fitted generator with warm_start continues training
        return bool(self.warm_start) and hasattr(self, "net_")

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, *, epochs=None):
        """Continue training from the current weights on ``X`` (and ``y``).

        The first call on an unfitted generator is :meth:`fit`. Later calls
        keep the schema and the encoding (categories, modes, quantiles) of
        the first fit, so ``X`` must have the same columns and only known
        categories: this is transfer by fine-tuning, e.g. pre-train on a
        large related table and fine-tune on a small one.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the schema of the first fit.
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
            return BaseGenerator.fit(self, X, y)
        validate_table(self, X, y, reset=False, ensure_min_samples=2)
        Z = self.schema_.encode(X, y)
        rng = seed_stream(self._sample_seeds_)
        M = self._encode(Z, rng)
        self._prepare(Z, M, update=True)
        self._train(M, rng, initialize=False, epochs=epochs)
        return self

    def fine_tune(self, X, y=None, *, epochs=None, lr=None, freeze=None):
        """Fine-tune a fitted generator on a small table (transfer learning).

        Continues training from the current weights (typically pre-trained
        on a large related table, see
        :func:`~sksynth.preprocessing.align_tables` to put both tables in
        one schema) with its own learning rate and, optionally, some layers
        frozen. The schema and encoding stay those of the first fit, as in
        :meth:`partial_fit`; the optimizer state is kept.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the schema of the first fit.
        y : array-like of shape (n_samples,), default=None
            Target, required when the first fit had one.
        epochs : int, default=None
            Number of epochs (default: the net's ``max_epochs``).
        lr : float, default=None
            Learning rate of the fine-tuning epochs, for every optimizer of
            the net (default: unchanged). It stays set afterwards.
        freeze : str or list of str, default=None
            Parameters not trained during these epochs, by name or name
            prefix in the net's module (``net_.module_.named_parameters()``),
            e.g. ``"encoder"`` for TVAE or ``"generator.body.0"``. They
            train again in later calls.

        Returns
        -------
        self : object
            The fine-tuned generator.

        Examples
        --------
        >>> from sksynth.datasets import make_mixed_classification
        >>> from sksynth.generators import TVAEGenerator
        >>> X, _ = make_mixed_classification(n_samples=300, random_state=0)
        >>> gen = TVAEGenerator(max_epochs=2, batch_size=100, verbose=0,
        ...                     random_state=0).fit(X[100:])
        >>> gen = gen.fine_tune(X[:100], epochs=3, lr=1e-4, freeze="encoder")
        >>> len(gen.net_.history)
        5
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        if epochs is not None and (
            isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral)
            or epochs < 1
        ):
            raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}.")
        if lr is not None and (
            isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0
        ):
            raise ValueError(f"lr must be a float > 0, got {lr!r}.")
        frozen = self._frozen_parameters(freeze)
        net = self.net_
        if lr is not None:
            net.set_params(lr=lr)
            for opt in _optimizers(net):
                for group in opt.param_groups:
                    group["lr"] = lr
        states = [p.requires_grad for p in frozen]
        for p in frozen:
            p.requires_grad_(False)
        try:
            self.partial_fit(X, y, epochs=epochs)
        finally:
            for p, state in zip(frozen, states):
                p.requires_grad_(state)
        return self

    def _frozen_parameters(self, freeze):
        if freeze is None:
            return []
        names = [freeze] if isinstance(freeze, str) else list(freeze)
        params = dict(self.net_.module_.named_parameters())
        out = []
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"freeze must name parameters (str), got {name!r}.")
            hits = [p for key, p in params.items()
                    if key == name or key.startswith(name + ".")]
            if not hits:
                tops = sorted({key.split(".")[0] for key in params})
                raise ValueError(
                    f"freeze={name!r} names no parameter of the "
                    f"{type(self.net_.module_).__name__} module; its top-level "
                    f"parts are {tops} (see net_.module_.named_parameters())."
                )
            out += hits
        return out

    # ------------------------------------------------------------ sampling
    def _in_torch_rng(self, rng, fn, *args):
        seed = draw_seed(rng)
        device = self.net_.device or "cpu"
        with torch.random.fork_rng(devices=_torch_device_index(device)):
            torch.manual_seed(seed)
            self.net_.module_.eval()
            with torch.no_grad():
                return fn(*args)

    def _decode(self, M, rng):
        return self.encoder_.inverse_codes(M, rng)

    def _chunks(self, n):
        """``(start, size)`` of the sampling chunks of ``n`` rows: at most
        ``_sample_batch`` rows and ``_sample_cells`` encoded cells each."""
        width = max(self.encoder_.n_features_out_, 1)
        step = int(max(1, min(self._sample_batch, self._sample_cells // width)))
        for lo in range(0, n, step):
            yield lo, min(step, n - lo)

    def _constant_rows(self, n, rng):
        """Rows of a table whose columns are all constant (no features)."""
        return self._decode(np.zeros((n, 0)), rng)

    def _conditional_draw(self, n_samples, C, rng, draw, native):
        """Rows satisfying conditions ``C``.

        ``native(cond)`` picks the condition the model honours itself as
        ``(column, code)`` (or None); ``draw(n, primary, rng)`` draws code
        rows under it. Further conditions of a row are met by bounded
        rejection among natively conditioned draws.
        """
        if C is None:
            return draw(n_samples, None, rng)
        return self._rejection_sample(C, rng, draw=draw, native=native)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.generator_tags.requires_torch = True
        tags.non_deterministic = False
        return tags

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")
