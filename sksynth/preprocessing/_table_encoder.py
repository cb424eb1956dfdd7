"""The reversible table encoder every generator is built on."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ..utils._validation import validate_table
from ._column_encoders import (
    GaussianInterval,
    Identity,
    MinMaxScaler,
    OneHot,
    Ordinal,
    QuantileGaussian,
    Standardizer,
)
from ._mode_normalizer import ModeSpecificNormalizer
from ._schema import TableSchema

__all__ = [
    "CATEGORICAL_ENCODERS",
    "NUMERIC_ENCODERS",
    "Block",
    "OneHotTableEncoder",
    "OrdinalTableEncoder",
    "QuantileGaussianTransformer",
    "TableEncoder",
]

# The per-column encoders by name: the one registry (a new encoding is one
# more entry here; see ``_column_encoders.py`` for the protocol).
NUMERIC_ENCODERS = {
    "quantile": QuantileGaussian,
    "standard": Standardizer,
    "minmax": MinMaxScaler,
    "mode": ModeSpecificNormalizer,
    "none": Identity,
}
CATEGORICAL_ENCODERS = {
    "onehot": OneHot,
    "ordinal": Ordinal,
    "gaussian": GaussianInterval,
}


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
    Interval(RealNotInt, 0, 1, closed="neither"),
    None,
]


@dataclass(frozen=True)
class _Encoding:
    """What a table encoder does to each kind of column (from its parameters)."""

    kind: str | None  # forced on every column, or None to infer each
    numeric: str
    categorical: str
    min_frequency: object = None
    max_categories: object = None
    n_quantiles: int = 1000
    random_state: object = None


_MISSING_LABELS = ("observed", "missing")


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
    ['x', 'x_observed', 'x_missing', 'c_a', 'c_b']
    >>> enc.transform(df).shape
    (4, 5)
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

    def _encoding(self):
        """The encoding of each kind of column; subclasses fix some of it."""
        return _Encoding(
            kind=None,
            numeric=self.numeric,
            categorical=self.categorical,
            min_frequency=self.min_frequency,
            max_categories=self.max_categories,
            n_quantiles=self.n_quantiles,
            random_state=self.random_state,
        )

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
        schema = TableSchema.infer(X, kind=self._encoding().kind)
        return self.fit_codes(schema.encode(X), schema)

    def transform(self, X):
        """Encode ``X`` into numeric features.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            A table with the columns seen in ``fit``. After a fit on a
            DataFrame, an array is taken column by column in the fitted order
            (with scikit-learn's warning that it has no feature names).

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features_out)
        """
        check_is_fitted(self)
        validate_table(self, X, reset=False)
        if self.schema_.container == "dataframe" and not isinstance(X, pd.DataFrame):
            X = np.asarray(X)
            if X.ndim == 2 and X.shape[1] == self.schema_.n_input_features:
                X = pd.DataFrame(X, columns=self.schema_.column_index)
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
        rng = check_random_state(self._encoding().random_state)
        return self.schema_.decode(self.inverse_codes(M, rng))

    def get_feature_names_out(self, input_features=None):
        """Names of the encoded features.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input column names; by default those seen in ``fit`` (the
            column labels as strings). When given, they must match
            ``feature_names_in_`` (or number ``n_features_in_``).

        Returns
        -------
        names : ndarray of str
            One per encoded feature: ``col`` for a scalar, ``col_<category>``
            and ``col_infrequent`` for one-hot categories,
            ``col_observed`` / ``col_missing`` for a one-hot missing indicator
            (``col_missing`` alone for a one-feature one), ``col_mode<k>``
            for the mode indicators of ``numeric="mode"``.
        """
        check_is_fitted(self)
        if input_features is None:
            bases = [str(col.name) for col in self.schema_.columns]
        else:
            bases = [str(n) for n in _check_feature_names_in(self, input_features)]
        names = []
        for b in self.blocks_:
            col = self.schema_.columns[b.column]
            base = bases[b.column]
            if b.kind == "categorical" and b.encoding == "onehot":
                names.extend(f"{base}_{label}" for label in _onehot_labels(b, col))
            elif b.role == "missing":
                names.append(f"{base}_missing")
            else:  # a scalar, then any mode indicators
                names.append(base)
                names.extend(f"{base}_mode{k}" for k in range(b.width - 1))
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
        setting = self._encoding()
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
                enc = _categorical_encoder(setting, k, counts).fit(codes)
                blocks.append(
                    Block(
                        j,
                        "value",
                        "categorical",
                        setting.categorical,
                        start,
                        start + enc.n_outputs,
                        enc,
                    )
                )
                start += enc.n_outputs
                continue
            if not col.is_constant:
                enc = NUMERIC_ENCODERS[setting.numeric]
                if setting.numeric == "quantile":
                    enc = enc(setting.n_quantiles)
                else:
                    enc = enc()
                enc.fit(z[~missing])
                blocks.append(
                    Block(
                        j,
                        "value",
                        "numeric",
                        setting.numeric,
                        start,
                        start + enc.n_outputs,
                        enc,
                    )
                )
                start += enc.n_outputs
            if missing.any():
                counts = np.bincount(missing.astype(np.int64), minlength=2)
                enc = _categorical_encoder(setting, 2, counts)
                enc.fit(missing.astype(float))
                blocks.append(
                    Block(
                        j,
                        "missing",
                        "categorical",
                        setting.categorical,
                        start,
                        start + enc.n_outputs,
                        enc,
                    )
                )
                start += enc.n_outputs
        self.blocks_ = blocks
        self.n_features_out_ = start
        return self

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


def _categorical_encoder(setting, k, counts):
    cls = CATEGORICAL_ENCODERS[setting.categorical]
    if setting.categorical == "onehot":
        return cls(k, counts, setting.min_frequency, setting.max_categories)
    return cls(k, counts)


def _onehot_labels(block, col):
    """Labels of a one-hot block's features, in order."""
    enc = block.encoder
    if block.role == "missing":
        labels = [_MISSING_LABELS[c] for c in enc.frequent_]
        if len(enc.infrequent_):  # one column for the other indicator value
            labels.append(_MISSING_LABELS[enc.infrequent_[0]])
        return labels
    labels = [
        col.categories[c] if c < col.n_categories else "nan" for c in enc.frequent_
    ]
    if len(enc.infrequent_):
        labels.append("infrequent")
    return labels


class OneHotTableEncoder(TableEncoder):
    """Reversible one-hot encoding of every column, with a rare-category guard.

    Every column is treated as categorical (numbers included: each distinct
    value is a category). Missing values get their own feature. Rare
    categories (``min_frequency``, ``max_categories``) share one *infrequent*
    feature whose inverse draws one of them by training frequency, so
    ``inverse_transform`` never invents a category. Unlike scikit-learn's
    ``OneHotEncoder``, it is reversible on a whole mixed-type table and keeps
    its dtypes.

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
    >>> from sksynth.preprocessing import OneHotTableEncoder
    >>> df = pd.DataFrame({"c": ["a", "b", "a", "c"]})
    >>> enc = OneHotTableEncoder(max_categories=2).fit(df)
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

    def __init__(self, *, min_frequency=None, max_categories=None, random_state=None):
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.random_state = random_state

    def _encoding(self):
        return _Encoding(
            kind="categorical",
            numeric="none",
            categorical="onehot",
            min_frequency=self.min_frequency,
            max_categories=self.max_categories,
            random_state=self.random_state,
        )


class OrdinalTableEncoder(TableEncoder):
    """Reversible ordinal encoding of every column (codes 0 .. k-1).

    Every column is treated as categorical. Missing values get the code k.
    Categories keep the order of a pandas ``category`` dtype, or sorted order
    otherwise. Unlike scikit-learn's ``OrdinalEncoder``, ``inverse_transform``
    restores the table's container and dtypes.

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
    >>> from sksynth.preprocessing import OrdinalTableEncoder
    >>> df = pd.DataFrame({"c": ["b", "a", "b"]})
    >>> OrdinalTableEncoder().fit_transform(df).ravel().tolist()
    [1.0, 0.0, 1.0]
    """

    _parameter_constraints: dict = {}

    def __init__(self):
        pass

    def _encoding(self):
        return _Encoding(kind="categorical", numeric="none", categorical="ordinal")


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

    def __init__(self, *, n_quantiles=1000):
        self.n_quantiles = n_quantiles

    def _encoding(self):
        return _Encoding(
            kind="numeric",
            numeric="quantile",
            categorical="onehot",
            n_quantiles=self.n_quantiles,
        )
