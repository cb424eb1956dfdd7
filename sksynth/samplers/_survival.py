"""Oversampling of rare (event, time) cells for survival models in a pipeline."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval

from ..generators._survival import _SKLEARN_Y_CHECKS
from ..metrics._survival import check_survival_target
from ..utils._random import draw_seed
from ..utils._validation import validate_table

__all__ = ["SurvivalOverSampler"]


class SurvivalOverSampler(BaseOverSampler):
    """Over-sample rare (event, time bin) cells of a censored survival target.

    For a scikit-survival estimator in an imblearn ``Pipeline``: ``y`` is a
    structured array (``Surv.from_arrays(event, time)``). The rows are split
    into cells: censored or event, times cut into ``n_time_bins`` quantile
    bins. ``sampling_strategy`` has imbalanced-learn's semantics over these
    cells (their labels are ``"event:<k>"`` and ``"censored:<k>"``, ``k``
    the bin, 0 the earliest; ``cells_`` gives each label's time range), and
    the missing rows of each cell are drawn by a
    :class:`~sksynth.generators.SurvivalGenerator` conditioned on the cell's
    event value and time range. Synthcity's survival plugins oversample such
    cells while they train; this puts that in front of any survival model.

    Parameters
    ----------
    generator : generator estimator, default=None
        A :class:`~sksynth.generators.SurvivalGenerator` (cloned as it is),
        or a base generator it wraps (default strategy); ``None`` wraps
        :class:`~sksynth.generators.ARFGenerator`.
    sampling_strategy : float, str, dict or callable, default="auto"
        Over the cells, as imbalanced-learn's over-samplers read it over
        classes: ``"auto"`` (= ``"not majority"``: every cell up to the
        largest one), ``"minority"``, ``"not minority"``, ``"all"``, a dict
        ``{cell label: target count}`` or a callable ``f(labels) -> dict``.
        A float (binary targets only) cannot apply to more than two cells.
    n_time_bins : int, default=4
        Quantile bins of the observed times (of all rows) that make the cells.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator (when its own ``random_state`` is None) and the
        draws.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of rows generated per cell.
    cells_ : DataFrame
        One row per cell label: ``event``, ``time_low``, ``time_high`` (the
        bin's range of observed times) and ``count`` (rows in ``y``).
    generator_ : SurvivalGenerator
        The fitted generator.
    n_features_in_ : int
        Number of features of ``X``.
    feature_names_in_ : ndarray of str
        Feature names, when all are strings.

    See Also
    --------
    sksynth.generators.SurvivalGenerator : the generator it draws from.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> from sksynth.samplers import SurvivalOverSampler
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"age": rng.normal(60, 10, 300)})
    >>> event = rng.uniform(size=300) < 0.2
    >>> y = np.array(list(zip(event, rng.exponential(50, 300))),
    ...              dtype=[("event", "?"), ("time", "<f8")])
    >>> sampler = SurvivalOverSampler(GaussianCopulaGenerator(), n_time_bins=2,
    ...                               random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sampler.cells_["count"].to_dict()
    {'censored:0': 124, 'censored:1': 118, 'event:0': 26, 'event:1': 32}
    >>> int(y_res["event"].sum()), len(y_res)
    (248, 496)
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "generator": [HasMethods(["fit", "sample"]), None],
        "n_time_bins": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, generator=None, *, sampling_strategy="auto", n_time_bins=4,
                 random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.generator = generator
        self.n_time_bins = n_time_bins
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        from ..generators import GaussianCopulaGenerator

        return {"generator": GaussianCopulaGenerator(random_state=0), "random_state": 0}

    @classmethod
    def _xfail_checks(cls):
        reason = (
            "the check passes class labels as y; SurvivalOverSampler needs a "
            "structured survival y (event, time)"
        )
        return dict.fromkeys(_CLASS_Y_CHECKS, reason)

    def fit_resample(self, X, y, **params):
        # imblearn's template reads y as class labels first: a structured
        # survival y has many distinct rows, for which scikit-learn warns
        # that y "could represent a regression problem"; it is not one
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="The number of unique classes is greater",
                category=UserWarning)
            return super().fit_resample(X, y, **params)

    fit_resample.__doc__ = BaseOverSampler.fit_resample.__doc__

    def _check_X_y(self, X, y):
        """Read the survival target; return the cell labels as imblearn's y."""
        if not (isinstance(y, np.ndarray) and y.dtype.names is not None):
            raise TypeError(
                "y must be a structured survival array (event, time), such as "
                f"sksurv.util.Surv.from_arrays(event, time), got {type(y).__name__}"
                + (f" of dtype {y.dtype}" if hasattr(y, "dtype") else "") + ".")
        event, time = check_survival_target(y)
        validate_table(self, X, y, reset=True)
        if not isinstance(X, pd.DataFrame):
            X = np.asarray(X)
        values = np.unique(time)
        q = np.quantile(time, np.linspace(0, 1, self.n_time_bins + 1)[1:-1])
        edges = np.unique(values[np.clip(np.searchsorted(values, q, side="right"),
                                         0, len(values) - 1)])
        bins = np.searchsorted(edges, time, side="right")
        labels = np.array(
            [f"{'event' if e else 'censored'}:{b}" for e, b in zip(event, bins)],
            dtype=object)
        rows = {}
        for lab in sorted(set(labels)):
            inside = labels == lab
            rows[lab] = {"event": lab.startswith("event"),
                         "time_low": float(time[inside].min()),
                         "time_high": float(time[inside].max()),
                         "count": int(inside.sum())}
        self.cells_ = pd.DataFrame.from_dict(rows, orient="index")
        self._survival_y = y
        return X, labels, False

    def _fit_resample(self, X, y):
        from ..generators import SurvivalGenerator

        rng = check_random_state(self.random_state)
        y_surv = self._survival_y
        del self._survival_y
        if isinstance(self.generator, SurvivalGenerator):
            gen = clone(self.generator)
        else:
            gen = SurvivalGenerator(self.generator)
        if gen.get_params()["random_state"] is None:
            gen.set_params(random_state=draw_seed(rng))
        self.generator_ = gen.fit(X, y_surv)
        e_key, t_key = y_surv.dtype.names
        X_parts, y_parts = [X], [y_surv]
        for label, n in self.sampling_strategy_.items():
            if n <= 0:
                continue
            cell = self.cells_.loc[label]
            Xs, ys = gen.sample(
                int(n),
                conditions={e_key: bool(cell["event"]),
                            t_key: (cell["time_low"], cell["time_high"])},
                random_state=draw_seed(rng))
            X_parts.append(Xs)
            y_parts.append(ys)
        if isinstance(X, pd.DataFrame):
            X_res = pd.concat(X_parts, ignore_index=True)
        else:
            X_res = np.concatenate([np.asarray(p, dtype=X.dtype) for p in X_parts])
        return X_res, np.concatenate(y_parts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags


# scikit-learn's checks that fit on a plain y (the generator's list) and
# imbalanced-learn's that fit on class labels,
# which the sampler refuses; tested on survival data in
# tests/survival/test_survival_sampler.py instead
_CLASS_Y_CHECKS = _SKLEARN_Y_CHECKS + (
    "check_fit1d",
    "check_requires_y_none",
    "check_sampler_get_feature_names_out",
    "check_sampler_get_feature_names_out_pandas",
    "check_samplers_2d_target",
    "check_samplers_fit",
    "check_samplers_fit_resample",
    "check_samplers_list",
    "check_samplers_multiclass_ova",
    "check_samplers_nan",
    "check_samplers_one_label",
    "check_samplers_pandas",
    "check_samplers_pandas_sparse",
    "check_samplers_preserve_dtype",
    "check_samplers_sample_indices",
    "check_samplers_sampling_strategy_fit_resample",
    "check_samplers_string",
    "check_target_type",
)
