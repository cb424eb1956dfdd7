"""What every sksynth sampler shares: mixed-type input and a cloned generator."""

import numpy as np
import pandas as pd
from imblearn.utils import check_target_type
from sklearn.base import clone

from ..utils._random import draw_seed
from ..utils._validation import validate_table

__all__ = ["BypassSamplerMixin", "GeneratorSamplerMixin"]


class GeneratorSamplerMixin:
    """Mixin for imblearn samplers built on a sksynth ``generator`` parameter.

    Keeps DataFrames (mixed types, missing values) as they are instead of
    converting them to one numeric array, refuses sparse input, and clones the
    generator (default :class:`~sksynth.generators.ARFGenerator`; a sampler
    may override ``_default_generator`` for another), seeding
    it from the sampler's ``random_state`` when its own is None.
    Put it before the imblearn base class.
    """

    def _check_X_y(self, X, y):
        """Keep DataFrames (mixed types) as they are; refuse sparse input.

        A named ``y`` stays a Series of that name (a generator's
        ``domain={name: ...}`` addresses it).
        """
        name = getattr(y, "name", None)
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if name is not None and not binarize_y:
            y = pd.Series(np.asarray(y), name=name)
        if isinstance(X, pd.DataFrame):
            sparse = [c for c, t in X.dtypes.items() if isinstance(t, pd.SparseDtype)]
            if sparse:  # pandas sparse columns: densify (restored on output)
                X = X.astype({c: X[c].dtype.subtype for c in sparse})
        validate_table(self, X, y, reset=True)
        if not isinstance(X, pd.DataFrame):
            X = np.asarray(X)
        return X, y, binarize_y

    def _default_generator(self):
        """The generator used when ``generator`` is None."""
        from ..generators import ARFGenerator

        return ARFGenerator()

    def _clone_generator(self, rng):
        """An unfitted copy of ``generator``, seeded from ``rng`` if unseeded."""
        gen = self._default_generator() if self.generator is None else clone(
            self.generator)
        params = gen.get_params()
        if "random_state" in params and params["random_state"] is None:
            gen.set_params(random_state=draw_seed(rng))
        return gen

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags


class BypassSamplerMixin:
    """Mixin for samplers that plan their own resampling under imblearn's template.

    imblearn's ``fit`` and ``fit_resample`` read ``sampling_strategy`` and,
    for a ``"bypass"`` sampler, store it unchanged as ``sampling_strategy_``;
    the sampler's ``_fit_resample`` then sets the real plan. These samplers
    take no ``sampling_strategy`` parameter (their plan comes from their own
    parameters), so the template reads an empty plan here. A target with a
    single class is refused by ``_check_X_y`` (before the template's own
    check). Put it before
    :class:`GeneratorSamplerMixin`.
    """

    _sampling_type = "bypass"

    @property
    def sampling_strategy(self):
        """Not a parameter: the empty plan imblearn's template starts from."""
        return {}

    def _check_X_y(self, X, y):
        X, y, binarize_y = super()._check_X_y(X, y)
        n_classes = len(np.unique(np.asarray(y)))
        if n_classes < 2:
            raise ValueError(
                f"y has a single class ({n_classes} class): "
                f"{type(self).__name__} needs at least 2 classes."
            )
        return X, y, binarize_y
