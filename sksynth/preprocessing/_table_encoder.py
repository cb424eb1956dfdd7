"""The reversible table encoder every generator is built on."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils._validation import validate_table
from ._column_encoders import CATEGORICAL_ENCODERS, NUMERIC_ENCODERS
from ._mode_normalizer import ModeSpecificNormalizer  # registers "mode"
from ._schema import TableSchema

__all__ = [
    "Block",
    "ModeSpecificNormalizer",
    "OneHotEncoder",
    "OrdinalEncoder",
    "QuantileGaussianTransformer",
    "TableEncoder",
]


@dataclass
class Block:
    """A slice of encoded features that comes from one column.

    Attributes
    ----------
    column : int
        Position of the source column in the schema.
    role : {"value", "missing"}
        The column's values, or its missingness indicator (two categories:
        observed, missing). A categorical column with missing values has no
        missing block: missing is one more category of its value block.
    kind : {"numeric", "categorical"}
        How the block is modelled.
    encoding : str
        Name of the encoder (``"quantile"``, ``"onehot"``, ...).
    start, stop : int
        Feature positions ``[start, stop)`` in the encoded matrix.
    encoder : object
        The fitted per-column encoder.
    """

    column: int
    role: str
    kind: str
    encoding: str
    start: int
    stop: int
    encoder: object

    @property
    def width(self):
        """Number of encoded features."""
        return self.stop - self.start


_MIN_FREQUENCY = [
    Interval(numbers.Integral, 1, None, closed="left"),
    Interval(numbers.Real, 0, 1, closed="neither"),
    None,
]


class TableEncoder(TransformerMixin, BaseEstimator):
    """Reversible encoding of a mixed-type table into numeric features.

    Column types come from :class:`TableSchema`. Numeric and datetime columns go
    through ``numeric``; categorical columns through ``categorical``; a numeric
    column with missing values gets a missing indicator encoded like a
    two-category column, and a categorical one gets a missing category.
    Constant columns produce no feature and are restored as they were.

    Parameters
    ----------
    numeric : {"quantile", "standard", "minmax", "mode", "none"}, default="quantile"
        Encoding of numeric columns: empirical CDF to a standard normal,
        standardisation, scaling to [-1, 1], CTGAN's mode-specific
        normalisation (a one-hot mode indicator plus a scalar) or none.
    categorical : {"onehot", "ordinal", "gaussian"}, default="onehot"
        Encoding of categorical columns: one-hot, category code, or an interval
        of a standard normal latent (as in the Gaussian copula).
    min_frequency : int or float, default=None
        One-hot only: categories seen fewer times (or with a smaller share when
        a float) share one *infrequent* feature.
    max_categories : int, default=None
        One-hot only: at most this many features per column; the rarest
        categories share the infrequent feature. Bounds memory on
        high-cardinality columns.
    n_quantiles : int, default=1000
        Quantiles stored per numeric column by the ``"quantile"`` encoding.
    random_state : int, RandomState instance or None, default=None
        Used by ``inverse_transform`` to choose among infrequent categories.

    Attributes
    ----------
    schema_ : TableSchema
        The inferred column types.
    blocks_ : list of Block
        Which encoded features come from which column.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of str
        Input column names, when all are strings.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.preprocessing import TableEncoder
    >>> df = pd.DataFrame({"x": [1.0, None, 3.0, 4.0], "c": ["a", "b", "a", "a"]})
    >>> enc = TableEncoder(numeric="standard").fit(df)
    >>> enc.get_feature_names_out().tolist()
    ['x', 'x_missing', 'c_a', 'c_b']
    >>> enc.inverse_transform(enc.transform(df)).equals(df)
    True
    """

    _parameter_constraints: dict = {
        "numeric": [StrOptions(set(NUMERIC_ENCODERS))],
        "categorical": [StrOptions(set(CATEGORICAL_ENCODERS))],
        "min_frequency": _MIN_FREQUENCY,
        "max_categories": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "n_quantiles": [Interval(numbers.Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }
    _forced_kind = None

    def __init__(
        self,
        *,
        numeric="quantile",
        categorical="onehot",
        min_frequency=None,
        max_categories=None,
        n_quantiles=1000,
        random_state=None,
    ):
        self.numeric = numeric
        self.categorical = categorical
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.n_quantiles = n_quantiles
        self.random_state = random_state

    # ------------------------------------------------------- sklearn API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Infer the schema of ``X`` and fit one encoder per column.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The table.
        y : None
            Ignored.

        Returns
        -------
        self : TableEncoder
        """
        validate_table(self, X, reset=True)
        schema = TableSchema.infer(X, kind=self._forced_kind)
        return self.fit_codes(schema.encode(X), schema)

    def transform(self, X):
        """Encode ``X`` into numeric features.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            A table with the columns seen in ``fit``.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features_out)
        """
        check_is_fitted(self)
        validate_table(self, X, reset=False)
        return self.transform_codes(self.schema_.encode(X))

    def inverse_transform(self, X):
        """Decode features back into a table with the original dtypes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)
            Encoded features (one-hot blocks are decoded by argmax).

        Returns
        -------
        X_original : DataFrame or ndarray
            The container, dtypes and categories seen in ``fit``.
        """
        check_is_fitted(self)
        M = np.asarray(X, dtype=np.float64)
        if M.ndim != 2 or M.shape[1] != self.n_features_out_:
            raise ValueError(
                f"Expected {self.n_features_out_} encoded features, got shape "
                f"{M.shape}."
            )
        rng = check_random_state(self.random_state)
        return self.schema_.decode(self.inverse_codes(M, rng))

    def get_feature_names_out(self, input_features=None):
        """Names of the encoded features.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Ignored; names come from ``fit``.

        Returns
        -------
        names : ndarray of str
        """
        check_is_fitted(self)
        names = []
        for b in self.blocks_:
            col = self.schema_.columns[b.column]
            base = str(col.name)
            if b.role == "missing":
                names.append(f"{base}_missing")
            elif b.encoding == "onehot":
                enc = b.encoder
                labels = [
                    col.categories[c] if c < col.n_categories else "nan"
                    for c in enc.frequent_
                ]
                names.extend(f"{base}_{label}" for label in labels)
                if len(enc.infrequent_):
                    names.append(f"{base}_infrequent")
            else:
                names.append(base)
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags

    # ---------------------------------------------------- code-level API
    def fit_codes(self, Z, schema):
        """Fit on a code matrix ``Z`` whose columns are described by ``schema``.

        This is what generators call; ``fit`` is the same on a raw table.
        """
        self.schema_ = schema
        blocks, start = [], 0
        for j, col in enumerate(schema.columns):
            z = Z[:, j]
            missing = np.isnan(z)
            if col.kind == "categorical":
                k = col.n_categories + int(missing.any())
                if k <= 1:
                    continue
                codes = np.where(missing, col.n_categories, z)
                counts = np.bincount(codes.astype(np.int64), minlength=k)
                enc = self._categorical_encoder(k, counts).fit(codes)
                blocks.append(
                    Block(
                        j,
                        "value",
                        "categorical",
                        self.categorical,
                        start,
                        start + enc.n_outputs,
                        enc,
                    )
                )
                start += enc.n_outputs
                continue
            if not col.is_constant:
                enc = NUMERIC_ENCODERS[self.numeric]
                enc = enc(self.n_quantiles) if self.numeric == "quantile" else enc()
                enc.fit(z[~missing])
                blocks.append(
                    Block(
                        j,
                        "value",
                        "numeric",
                        self.numeric,
                        start,
                        start + enc.n_outputs,
                        enc,
                    )
                )
                start += enc.n_outputs
            if missing.any():
                counts = np.bincount(missing.astype(np.int64), minlength=2)
                enc = self._categorical_encoder(2, counts).fit(missing.astype(float))
                blocks.append(
                    Block(
                        j,
                        "missing",
                        "categorical",
                        self.categorical,
                        start,
                        start + enc.n_outputs,
                        enc,
                    )
                )
                start += enc.n_outputs
        self.blocks_ = blocks
        self.n_features_out_ = start
        return self

    def _categorical_encoder(self, k, counts):
        cls = CATEGORICAL_ENCODERS[self.categorical]
        if self.categorical == "onehot":
            return cls(k, counts, self.min_frequency, self.max_categories)
        return cls(k, counts)

    def transform_codes(self, Z, rng=None, *, blocks=None, out=None):
        """Encode a code matrix; ``rng`` randomises ties and category intervals.

        ``blocks`` restricts the work to some blocks, written into ``out`` (an
        encoded matrix to update in place) when given.
        """
        check_is_fitted(self)
        if out is None:
            out = np.zeros((Z.shape[0], self.n_features_out_))
        for b in self.blocks_ if blocks is None else blocks:
            col = self.schema_.columns[b.column]
            z = Z[:, b.column]
            missing = np.isnan(z)
            if b.role == "missing":
                x = missing.astype(np.float64)
            elif b.kind == "categorical":
                x = np.where(missing, col.n_categories, z)
            else:
                x = z[~missing]
                if missing.any():
                    out[~missing, b.start : b.stop] = b.encoder.transform(x, rng)
                    continue
            out[:, b.start : b.stop] = b.encoder.transform(x, rng)
        return out

    def inverse_codes(self, M, rng=None):
        """Decode encoded features into a code matrix."""
        check_is_fitted(self)
        n = M.shape[0]
        Z = np.empty((n, self.schema_.n_columns))
        for j, col in enumerate(self.schema_.columns):
            Z[:, j] = 0.0 if col.kind == "categorical" else col.low
        for b in self.blocks_:
            values = b.encoder.inverse(M[:, b.start : b.stop], rng)
            col = self.schema_.columns[b.column]
            if b.role == "missing":
                Z[values == 1, b.column] = np.nan
            elif b.kind == "categorical":
                Z[:, b.column] = np.where(values == col.n_categories, np.nan, values)
            else:
                missing = np.isnan(Z[:, b.column])
                Z[:, b.column] = values
                Z[missing, b.column] = np.nan
        return Z

    def blocks_of(self, column):
        """Blocks that encode the schema column at position ``column``."""
        return [b for b in self.blocks_ if b.column == column]


class OneHotEncoder(TableEncoder):
    """Reversible one-hot encoding of every column, with a rare-category guard.

    Every column is treated as categorical. Missing values get their own
    feature. Rare categories (``min_frequency``, ``max_categories``) share one
    *infrequent* feature whose inverse draws one of them by training frequency,
    so ``inverse_transform`` never invents a category.

    Parameters
    ----------
    min_frequency : int or float, default=None
        Categories seen fewer times (or with a smaller share) are grouped.
    max_categories : int, default=None
        At most this many features per column.
    random_state : int, RandomState instance or None, default=None
        Seed of the choice among infrequent categories in the inverse.

    Attributes
    ----------
    schema_ : TableSchema
        The inferred column types.
    blocks_ : list of Block
        Which features come from which column.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of str
        Input column names, when all are strings.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.preprocessing import OneHotEncoder
    >>> df = pd.DataFrame({"c": ["a", "b", "a", "c"]})
    >>> enc = OneHotEncoder(max_categories=2).fit(df)
    >>> enc.get_feature_names_out().tolist()
    ['c_a', 'c_infrequent']
    >>> enc.inverse_transform(enc.transform(df))["c"].isin(["a", "b", "c"]).all()
    np.True_
    """

    _parameter_constraints: dict = {
        "min_frequency": _MIN_FREQUENCY,
        "max_categories": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }
    _forced_kind = "categorical"

    def __init__(self, *, min_frequency=None, max_categories=None, random_state=None):
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.random_state = random_state

    numeric = "none"
    categorical = "onehot"
    n_quantiles = 2


class OrdinalEncoder(TableEncoder):
    """Reversible ordinal encoding of every column (codes 0 .. k-1).

    Missing values get the code k. Categories keep the order of a pandas
    ``category`` dtype, or sorted order otherwise.

    Attributes
    ----------
    schema_ : TableSchema
        The inferred column types.
    blocks_ : list of Block
        Which features come from which column.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of str
        Input column names, when all are strings.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.preprocessing import OrdinalEncoder
    >>> df = pd.DataFrame({"c": ["b", "a", "b"]})
    >>> OrdinalEncoder().fit_transform(df).ravel().tolist()
    [1.0, 0.0, 1.0]
    """

    _parameter_constraints: dict = {}
    _forced_kind = "categorical"

    def __init__(self):
        pass

    numeric = "none"
    categorical = "ordinal"
    min_frequency = None
    max_categories = None
    n_quantiles = 2
    random_state = None


class QuantileGaussianTransformer(TableEncoder):
    """Map each numeric column to a standard normal through its empirical CDF.

    Ties (point masses such as a column that is 90% zeros) map to the middle
    of their probability interval and come back exactly; missing values get an
    indicator feature and are restored as missing.

    Parameters
    ----------
    n_quantiles : int, default=1000
        Number of stored quantiles per column.

    Attributes
    ----------
    schema_ : TableSchema
        The inferred column types.
    blocks_ : list of Block
        Which features come from which column.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of str
        Input column names, when all are strings.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.preprocessing import QuantileGaussianTransformer
    >>> X = np.array([[0.0], [0.0], [0.0], [5.0]])
    >>> qt = QuantileGaussianTransformer().fit(X)
    >>> qt.inverse_transform(qt.transform(X)).ravel().tolist()
    [0.0, 0.0, 0.0, 5.0]
    """

    _parameter_constraints: dict = {
        "n_quantiles": [Interval(numbers.Integral, 2, None, closed="left")],
    }
    _forced_kind = "numeric"

    def __init__(self, *, n_quantiles=1000):
        self.n_quantiles = n_quantiles

    numeric = "quantile"
    categorical = "onehot"
    min_frequency = None
    max_categories = None
    random_state = None
