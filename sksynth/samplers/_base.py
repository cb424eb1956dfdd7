"""What every sksynth sampler shares: mixed-type input and a cloned generator."""

import numpy as np
import pandas as pd
from imblearn.utils import check_target_type
from sklearn.base import clone

from ..utils._validation import validate_table

__all__ = ["GeneratorSamplerMixin"]

MAX_SEED = np.iinfo(np.int32).max


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
        """Keep DataFrames (mixed types) as they are; refuse sparse input."""
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
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
            gen.set_params(random_state=int(rng.randint(MAX_SEED)))
        return gen

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags
