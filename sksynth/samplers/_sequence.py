"""Over-sampling whole sequences for imbalanced sequence classification."""

from __future__ import annotations

import numpy as np
import pandas as pd
from imblearn.base import BaseSampler
from imblearn.utils import check_sampling_strategy
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods

from ..utils._random import draw_seed
from ._base import GeneratorSamplerMixin

__all__ = ["SequenceOverSampler"]

_ROW_ID = "__row__"


class SequenceOverSampler(GeneratorSamplerMixin, BaseSampler):
    """Over-sample minority-class entities with whole generated sequences.

    For imbalanced sequence classification in a pipeline: ``X`` is a long
    table (one row per step, with an id column) and ``y`` the class of every
    row, constant within each entity. ``sampling_strategy`` has
    imbalanced-learn's semantics, counted over **entities** (sequences), not
    rows; the missing sequences of each class are drawn by a
    :class:`~sksynth.generators.SequenceGenerator` fitted on ``(X, y)``,
    conditioned on their class (a static column of the sequence). New
    sequences get ids that do not occur in ``X``; ``y`` comes back per row.

    Parameters
    ----------
    generator : SequenceGenerator, default=None
        Template of the sequence generator (step model, static generator,
        ...), cloned; its ``id_column`` and ``time_column`` are set to the
        sampler's. ``None`` uses ``SequenceGenerator()``.
    id_column : hashable, default=None
        The entity column of ``X``. ``None``: every row is an entity (a plain
        table; each generated "sequence" is one row).
    time_column : hashable, default=None
        The time column of ``X`` (``None``: unordered rows per entity).
    sampling_strategy : float, str, dict or callable, default="auto"
        imbalanced-learn's semantics over entities: a float (minority /
        majority ratio of entities, binary), ``"minority"``,
        ``"not minority"``, ``"not majority"``, ``"all"``, ``"auto"``, a dict
        ``{class: n_entities}`` or a callable ``f(y_entities) -> dict``.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator (when its own is None) and the draws.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of entities generated per class.
    generator_ : SequenceGenerator
        The fitted generator.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    See Also
    --------
    sksynth.samplers.GenerativeOverSampler : the same for plain tables.

    Examples
    --------
    >>> from collections import Counter
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.generators import SequenceGenerator
    >>> from sksynth.samplers import SequenceOverSampler
    >>> X = make_sines(60, n_features=2, random_state=0)
    >>> y = (X["id"] < 10).map({True: "rare", False: "common"}).rename("label")
    >>> sampler = SequenceOverSampler(SequenceGenerator(max_iter=20),
    ...                               id_column="id", time_column="time",
    ...                               random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.groupby(X_res["id"]).first()).items())
    [('common', 50), ('rare', 50)]
    """

    _sampling_type = "bypass"  # resolved over entities in _fit_resample

    _parameter_constraints: dict = {
        "generator": [HasMethods(["fit", "sample"]), None],
        "id_column": "no_validation",
        "time_column": "no_validation",
        "sampling_strategy": "no_validation",
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        generator=None,
        *,
        id_column=None,
        time_column=None,
        sampling_strategy="auto",
        random_state=None,
    ):
        self.generator = generator
        self.id_column = id_column
        self.time_column = time_column
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        from ..generators import GaussianCopulaGenerator, SequenceGenerator

        gen = SequenceGenerator(generator=GaussianCopulaGenerator(), max_iter=5)
        return {"generator": gen, "random_state": 0}

    def _default_generator(self):
        from ..generators import SequenceGenerator

        return SequenceGenerator()

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        gen = self._clone_generator(rng)
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
        yv = np.asarray(y)
        if self.id_column is None:
            frame = frame.assign(**{_ROW_ID: np.arange(len(frame))})
            id_col = _ROW_ID
        else:
            if self.id_column not in frame.columns:
                raise ValueError(f"id_column={self.id_column!r} is not a column of X.")
            id_col = self.id_column
        ids = frame[id_col]
        per_entity = pd.Series(yv).groupby(ids.to_numpy(), sort=False)
        varying = per_entity.nunique(dropna=False) > 1
        if varying.any():
            shown = varying[varying].index[:5].tolist()
            raise ValueError(
                f"y varies within {int(varying.sum())} entit"
                f"{'y' if varying.sum() == 1 else 'ies'} of {id_col!r} ({shown}); "
                "a sequence has one class."
            )
        y_ent = per_entity.first().to_numpy()
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y_ent, "over-sampling"
        )
        gen.set_params(id_column=id_col, time_column=self.time_column)
        y_named = pd.Series(yv, name="__class__")
        self.generator_ = gen.fit(frame, y_named)
        X_parts, y_parts = [], []
        offset = 0
        for cls, n in self.sampling_strategy_.items():
            if n <= 0:
                continue
            Xs, ys = gen.sample(
                int(n), conditions={"y": cls}, random_state=draw_seed(rng)
            )
            Xs = Xs.copy()
            Xs[id_col] = self._new_ids(ids, Xs[id_col], offset)
            offset += int(n)
            X_parts.append(Xs)
            y_parts.append(np.asarray(ys, dtype=yv.dtype))
        if not X_parts:
            return X, yv
        X_new = pd.concat(X_parts, ignore_index=True)
        if self.id_column is None:
            X_new = X_new.drop(columns=_ROW_ID)
        if isinstance(X, pd.DataFrame):
            dtypes = X.dtypes.to_dict()
            if isinstance(dtypes.get(id_col), pd.CategoricalDtype):
                del dtypes[id_col]  # new ids: new categories
            X_new = X_new.astype(dtypes)
            X_res = pd.concat([X, X_new], ignore_index=True)
        else:
            X_res = np.concatenate([np.asarray(X), X_new.to_numpy(dtype=X.dtype)])
        return X_res, np.concatenate([yv, *y_parts])

    @staticmethod
    def _new_ids(ids, fresh, offset):
        """Ids for generated entities that do not occur among ``ids``."""
        codes = pd.factorize(fresh)[0] + offset
        if pd.api.types.is_numeric_dtype(ids.dtype) and not pd.api.types.is_bool_dtype(
            ids.dtype
        ):
            start = int(np.nanmax(ids.to_numpy(dtype=float))) + 1
            return (start + codes).astype(ids.dtype)
        taken = set(ids.astype(str))
        prefix = "synth_"
        while any(str(v).startswith(prefix) for v in taken):
            prefix = "_" + prefix
        return pd.array(
            [f"{prefix}{c}" for c in codes],
            dtype=ids.dtype
            if not isinstance(ids.dtype, pd.CategoricalDtype)
            else "str",
        )
