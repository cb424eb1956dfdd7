"""Column types and the code matrix: the one place in sksynth that reads dtypes.

Every generator works on the *code matrix* ``Z`` built here: a float64 array of
shape ``(n_samples, n_columns)`` (the target, when fitted, is the last column)
where

* a **numeric** column holds its values (integers as floats), ``NaN`` = missing;
* a **datetime** column holds integer ticks of its own unit, ``NaN`` = missing;
* a **categorical** column holds the index of its value in
  :attr:`ColumnSchema.categories`, ``NaN`` = missing.

:class:`TableSchema` infers the column types of a DataFrame or an array, encodes
tables (and conditions) into code matrices, and decodes code matrices back into
the caller's container with the exact dtypes, category sets and column order.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_numeric_dtype,
    is_object_dtype,
)

from ._column_encoders import point_masses

__all__ = ["ColumnSchema", "DerivedColumn", "TableSchema"]

# A numeric target with more distinct values than this is modelled as numeric.
_MAX_TARGET_CLASSES = 50

# A value of a numeric or datetime column held by at least this share of the
# rows is a point mass (an atom); at most this many, the most frequent, are kept.
ATOM_SHARE = 0.05
MAX_ATOMS = 3


def _atoms(codes, n_rows):
    """The point masses of one column's non-missing codes, as a tuple of floats."""
    values, _ = point_masses(codes, ATOM_SHARE * n_rows, MAX_ATOMS)
    return tuple(float(v) for v in values)


@dataclass(frozen=True)
class ColumnSchema:
    """What sksynth knows about one column.

    Parameters
    ----------
    name : hashable
        The column label (the position for arrays).
    kind : {"numeric", "categorical", "datetime"}
        How the column is modelled.
    dtype : dtype
        The dtype to restore on output.
    categories : tuple
        Categorical values in code order (empty for other kinds); for a pandas
        ``category`` column this includes unused categories.
    integer : bool
        Numeric column whose values are all integers (restored rounded).
    decimals : int or None
        Numeric column whose values all have at most this many decimals (up
        to 6); generated values are rounded to as many.
    missing_rate : float
        Share of missing values seen in ``fit``.
    low, high : float
        Range of the non-missing codes seen in ``fit``.
    counts : tuple
        For categorical columns, the number of rows of each category.
    unit, tz : str or None
        Tick unit and time zone of a datetime column.
    atoms : tuple of float
        Codes of a numeric or datetime column that carry a point mass: each
        held by at least ``ATOM_SHARE`` of the rows seen in ``fit`` (missing
        ones included), the ``MAX_ATOMS`` most frequent in increasing order
        (such as the zeros of a balance). Empty for categorical columns and by
        default: a schema built without the data (a public schema of a DP
        generator) must leave it empty, as it is read off the data. Bounded
        rejection can meet a condition on such a value of a continuous column
        (see :meth:`TableSchema.check_rejectable`).
    """

    name: Hashable
    kind: str
    dtype: object
    categories: tuple = ()
    integer: bool = False
    missing_rate: float = 0.0
    low: float = np.nan
    high: float = np.nan
    counts: tuple = ()
    unit: str | None = None
    tz: object = None
    decimals: int | None = None
    atoms: tuple = ()

    @property
    def has_missing(self):
        """Whether the column had missing values in ``fit``."""
        return self.missing_rate > 0

    @property
    def n_categories(self):
        """Number of categories (0 for non-categorical columns)."""
        return len(self.categories)

    @property
    def is_constant(self):
        """Whether the column has at most one distinct non-missing value."""
        if self.kind == "categorical":
            return self.n_categories <= 1
        return not bool(self.low < self.high)  # NaN range: nothing observed

    @property
    def is_discrete(self):
        """Whether the codes are integers (categorical, integer or datetime)."""
        return self.kind != "numeric" or self.integer


def _describe(name):
    return repr(name)


def _unique_sorted(values):
    uniques = pd.unique(values)
    try:
        return tuple(sorted(uniques))
    except TypeError:  # mixed, unorderable types: keep order of appearance
        return tuple(uniques)


def _infer_column(name, s, *, target=False, kind=None):
    """Infer the ColumnSchema of a Series ``s`` (``kind`` forces the kind)."""
    dtype = s.dtype
    missing = pd.isna(s).to_numpy()
    n = len(s)
    if n and missing.all():
        raise ValueError(
            f"Column {_describe(name)} is entirely missing (all {n} values are "
            "NaN): there is nothing to learn from it; drop it first."
        )
    missing_rate = float(missing.mean()) if n else 0.0
    observed = s[~missing]

    if kind == "numeric":
        return _numeric_column(name, s, dtype, missing_rate)
    if isinstance(dtype, pd.CategoricalDtype):
        categories = tuple(dtype.categories)
        kind = "categorical"
    elif kind == "categorical":
        categories = _categories_of(name, observed)
    elif is_bool_dtype(dtype):
        categories = (False, True)
        kind = "categorical"
    elif is_datetime64_any_dtype(dtype):
        unit = np.datetime_data(_naive(s).dtype)[0]
        ticks = _datetime_ticks(s)
        return ColumnSchema(
            name,
            "datetime",
            dtype,
            integer=True,
            missing_rate=missing_rate,
            low=float(np.nanmin(ticks)),
            high=float(np.nanmax(ticks)),
            unit=unit,
            tz=getattr(dtype, "tz", None),
            atoms=_atoms(ticks[~np.isnan(ticks)], n),
        )
    elif is_numeric_dtype(dtype) and not target:
        return _numeric_column(name, s, dtype, missing_rate)
    elif is_numeric_dtype(dtype):
        values = observed.to_numpy(dtype=float)
        uniques = np.unique(values)
        integral = np.all(values == np.round(values))
        if integral and len(uniques) <= _MAX_TARGET_CLASSES:
            categories = tuple(observed.unique().tolist())
            categories = tuple(sorted(categories))
            kind = "categorical"
        else:
            return _numeric_column(name, s, dtype, missing_rate)
    else:
        # object / string columns: numbers stored as objects stay numeric.
        numeric = None
        if is_object_dtype(dtype) and len(observed):
            values = observed.to_numpy()
            if not any(isinstance(v, (bool, np.bool_)) for v in values):
                numeric = pd.to_numeric(observed, errors="coerce")
                if numeric.isna().any():
                    numeric = None
        if numeric is not None and not target:
            return _numeric_column(name, s, dtype, missing_rate, values=s)
        categories = _categories_of(name, observed)
        kind = "categorical"

    codes = _codes_of(observed.to_numpy(dtype=object), categories)
    counts = tuple(np.bincount(codes, minlength=len(categories)).tolist())
    return ColumnSchema(
        name,
        kind,
        dtype,
        categories=categories,
        integer=True,
        missing_rate=missing_rate,
        low=0.0,
        high=float(max(len(categories) - 1, 0)),
        counts=counts,
    )


def _codes_of(values, categories):
    """Index of each value in ``categories`` (-1 when absent or missing)."""
    index = pd.Index(list(categories), dtype=object)
    return index.get_indexer(pd.Index(values, dtype=object))


def _categories_of(name, observed):
    try:
        return _unique_sorted(observed.to_numpy())
    except TypeError as exc:
        raise TypeError(
            f"Column {_describe(name)} holds unhashable values "
            f"({type(observed.iloc[0]).__name__}): cells must be numbers, "
            "strings, booleans, categories or datetimes."
        ) from exc


def _numeric_column(name, s, dtype, missing_rate, values=None):
    values = _to_float(name, s if values is None else values)
    observed = values[~np.isnan(values)]
    integer = bool(np.all(observed == np.round(observed)))
    return ColumnSchema(
        name,
        "numeric",
        dtype,
        integer=integer,
        missing_rate=missing_rate,
        low=float(observed.min()),
        high=float(observed.max()),
        decimals=0 if integer else _decimals(observed),
        atoms=_atoms(observed, len(values)),
    )


def _decimals(values, max_decimals=6):
    """Fewest decimals (<= max_decimals) that represent every value, or None."""
    sample = values[:: max(1, len(values) // 10000)]
    for d in range(1, max_decimals + 1):
        scaled = sample * 10.0**d
        if np.all(
            np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1, np.abs(scaled))
        ):
            return d
    return None


def _to_float(name, s):
    try:
        values = pd.to_numeric(s, errors="raise")
        values = pd.Series(values).to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Column {_describe(name)} should be numeric but holds non-numeric "
            f"values: {exc}"
        ) from exc
    if np.isinf(values).any():
        raise ValueError(
            f"Column {_describe(name)} contains infinity; sksynth accepts NaN "
            "(missing) but not inf values."
        )
    return values


def _naive(s):
    if getattr(s.dtype, "tz", None) is not None:
        return s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s


def _datetime_ticks(s):
    naive = _naive(s)
    ticks = naive.to_numpy().view("int64").astype(np.float64)
    ticks[pd.isna(naive).to_numpy()] = np.nan
    return ticks


def category_codes(z, n_categories):
    """Integer codes of a categorical column of ``Z``, missing as ``n_categories``."""
    return np.where(np.isnan(z), n_categories, z).astype(np.int64)


# A categorical column determines others only where its categories hold this
# many rows on average (a column of near-unique labels "determines" anything).
_MIN_ROWS_PER_SOURCE_CATEGORY = 10


@dataclass(frozen=True)
class DerivedColumn:
    """A column of ``X`` that is a function of one categorical column.

    Such a column (a code and its label, a category and its group) is not
    modelled: generators never see it, and :meth:`TableSchema.decode` fills
    it in from its source, so generated rows never pair a code with the
    wrong label.

    Parameters
    ----------
    column : ColumnSchema
        The derived column's own type (restored on output).
    position : int
        Its position among the columns of ``X``.
    source : int
        Position of the determining categorical column in
        :attr:`TableSchema.columns`.
    table : ndarray
        Its code for each code of the source, then for a missing source
        (NaN where unseen or missing).
    """

    column: ColumnSchema
    position: int
    source: int
    table: np.ndarray = field(repr=False)

    def codes(self, source_codes):
        """The derived column's codes given its source's codes."""
        return self.table[category_codes(source_codes, len(self.table) - 1)]


def _find_derived(Z, columns):
    """Feature columns of ``Z`` that a categorical feature column determines.

    Returns ``{derived j: (source i, table)}``. A source is a categorical
    column with at least 2 categories and on average
    ``_MIN_ROWS_PER_SOURCE_CATEGORY`` rows per category; the derived column
    takes one value (or is missing) for every source category. Among several
    sources the one with the fewest categories wins; a source is never
    derived itself and a derived column is never a source.
    """
    n = len(Z)
    sources = [
        i
        for i, c in enumerate(columns)
        if c.kind == "categorical"
        and c.n_categories >= 2
        and n >= _MIN_ROWS_PER_SOURCE_CATEGORY * (c.n_categories + c.has_missing)
    ]
    sources.sort(key=lambda i: columns[i].n_categories)
    source_codes = {}
    for i in sources:
        codes = category_codes(Z[:, i], columns[i].n_categories)
        seen, first = np.unique(codes, return_index=True)
        source_codes[i] = (codes, seen, first)
    head = min(n, 1000)  # most pairs fail on the first rows: check them first
    found, used = {}, set()
    for j, col in enumerate(columns):
        if col.is_constant or j in used:
            continue
        z = Z[:, j]
        for i in sources:
            if i == j or i in found:
                continue
            codes, seen, first = source_codes[i]
            table = np.full(columns[i].n_categories + 1, np.nan)
            table[seen] = z[first]
            if _agrees(table[codes[:head]], z[:head]) and _agrees(table[codes], z):
                found[j] = (i, table)
                used.add(i)
                break
    return found


def _agrees(a, b):
    return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


@dataclass
class TableSchema:
    """Column types of a table, with the encoding to and from the code matrix.

    Build it with :meth:`infer`; it is the only object in sksynth that reads
    dtypes. Generators learn on :meth:`encode` and return through
    :meth:`decode`.

    Attributes
    ----------
    columns : list of ColumnSchema
        One entry per feature column, then one for the target if any.
    container : {"dataframe", "array"}
        Type of ``X`` seen in ``infer``; :meth:`decode` returns the same.
    target_name : hashable or None
        Name of the target Series, if any.
    has_target : bool
        Whether a target ``y`` was given.
    derived : list of DerivedColumn
        Columns of ``X`` determined by a categorical column (only with
        ``infer(..., derive=True)``): not in ``columns``, not in the code
        matrix, filled in by :meth:`decode`.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.preprocessing import TableSchema
    >>> df = pd.DataFrame({"age": [31, 45, 27], "city": ["Oslo", "Rome", "Oslo"]})
    >>> schema = TableSchema.infer(df)
    >>> [(c.name, c.kind) for c in schema.columns]
    [('age', 'numeric'), ('city', 'categorical')]
    >>> Z = schema.encode(df)
    >>> Z.tolist()
    [[31.0, 0.0], [45.0, 1.0], [27.0, 0.0]]
    >>> schema.decode(Z).equals(df)
    True
    """

    columns: list
    container: str
    column_index: object = None
    array_dtype: object = None
    has_target: bool = False
    target_name: Hashable = None
    target_container: str | None = None
    target_dtype: object = None
    derived: list = field(default_factory=list)

    # ------------------------------------------------------------------ infer
    @classmethod
    def infer(cls, X, y=None, *, kind=None, derive=False):
        """Infer the schema of ``X`` (and ``y``).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The table. Column names may be any hashable; duplicates are refused.
        y : array-like of shape (n_samples,), default=None
            Optional target, modelled as one more column (categorical when it
            looks like class labels, numeric otherwise).
        kind : {"numeric", "categorical"}, default=None
            Force every feature column to one kind (``None`` infers each).
        derive : bool, default=False
            Find feature columns that are a function of a categorical feature
            column (such as a code and its label: each category of the
            source always comes with the same value) and leave them out of
            ``columns``, to be filled in by :meth:`decode`. Generators use
            this; the target is never derived nor a source.

        Returns
        -------
        schema : TableSchema
        """
        frame, container, index, array_dtype = _as_frame(X)
        if frame.shape[0] == 0:
            raise ValueError("X is empty: it has 0 rows.")
        if frame.shape[1] == 0:
            raise ValueError("X has 0 columns.")
        columns = [
            _infer_column(name, frame.iloc[:, j], kind=kind)
            for j, name in enumerate(index)
        ]
        schema = cls(columns, container, index, array_dtype)
        if derive:
            found = _find_derived(schema.encode(X), columns)
            kept = [j for j in range(len(columns)) if j not in found]
            new_position = {j: p for p, j in enumerate(kept)}
            schema.columns = [columns[j] for j in kept]
            schema.derived = [
                DerivedColumn(columns[j], j, new_position[i], table)
                for j, (i, table) in sorted(found.items())
            ]
        if y is not None:
            ys, target_container = _as_series(y, len(frame))
            name = ys.name
            if name is None or name in set(index):
                name = "y" if "y" not in set(index) else "__target__"
            column = _infer_column(name, ys.rename(name), target=True)
            if column.has_missing:
                raise ValueError("y contains missing values (NaN).")
            schema.columns.append(column)
            schema.has_target = True
            schema.target_name = ys.name
            schema.target_container = target_container
            schema.target_dtype = ys.dtype
        return schema

    # ------------------------------------------------------------ properties
    @property
    def n_columns(self):
        """Number of modelled columns (features plus target)."""
        return len(self.columns)

    @property
    def n_features(self):
        """Number of modelled feature columns (``X``'s, less derived ones)."""
        return self.n_columns - int(self.has_target)

    @property
    def n_input_features(self):
        """Number of columns of ``X``, derived ones included."""
        return self.n_features + len(self.derived)

    def _feature_positions(self):
        """Position in ``X`` of each modelled feature column."""
        if not self.derived:
            return list(range(self.n_features))
        taken = {d.position for d in self.derived}
        return [p for p in range(self.n_input_features) if p not in taken]

    @property
    def names(self):
        """Names of the modelled columns (the target last, as ``y`` or its name)."""
        return [c.name for c in self.columns]

    def indices(self, kind):
        """Positions of the columns of one kind (``"numeric"``, ...)."""
        return [j for j, c in enumerate(self.columns) if c.kind == kind]

    @property
    def categorical_mask(self):
        """Boolean mask of categorical columns."""
        return np.array([c.kind == "categorical" for c in self.columns])

    @property
    def target_index(self):
        """Position of the target column, or None."""
        return self.n_columns - 1 if self.has_target else None

    def column_position(self, key):
        """Position of a column given its name (``"y"`` addresses the target)."""
        names = self.names
        for j, name in enumerate(names):
            if _same_key(name, key):
                return j
        if self.has_target and (
            _same_key(key, "y") or _same_key(key, self.target_name)
        ):
            return self.target_index
        derived = self._derived_named(key)
        if derived is not None:
            source = self.columns[derived.source].name
            raise ValueError(
                f"Column {key!r} is determined by column {source!r} (each "
                f"{source!r} category comes with one {key!r} value) and is not "
                f"modelled on its own; address {source!r} instead."
            )
        known = ", ".join(repr(n) for n in names)
        raise ValueError(f"Unknown column {key!r}; the columns are: {known}.")

    def _derived_named(self, key):
        for d in self.derived:
            if _same_key(d.column.name, key):
                return d
        return None

    def column(self, key):
        """The ColumnSchema of a column given its name, derived ones included."""
        derived = self._derived_named(key)
        if derived is not None:
            return derived.column
        return self.columns[self.column_position(key)]

    # ---------------------------------------------------------------- encode
    def encode(self, X, y=None):
        """Encode a table into the code matrix.

        Raises a ValueError naming the column for unseen categories, inf values,
        non-numeric values in numeric columns, and a wrong number of columns.
        """
        frame, _, index, _ = _as_frame(X)
        if frame.shape[1] != self.n_input_features:
            raise ValueError(
                f"X has {frame.shape[1]} columns, but the schema was fitted with "
                f"{self.n_input_features}."
            )
        if self.container == "dataframe" and not _same_index(index, self.column_index):
            raise ValueError(
                "The columns of X differ from the columns seen in fit: "
                f"{list(index)} instead of {list(self.column_index)}."
            )
        n = len(frame)
        Z = np.empty((n, self.n_columns), dtype=np.float64)
        for j, p in enumerate(self._feature_positions()):
            Z[:, j] = self._encode_column(self.columns[j], frame.iloc[:, p])
        for d in self.derived:
            z = self._encode_column(d.column, frame.iloc[:, d.position])
            if not _agrees(d.codes(Z[:, d.source]), z):
                source = self.columns[d.source].name
                raise ValueError(
                    f"Column {d.column.name!r} was a function of column "
                    f"{source!r} in the data seen in fit (one value per "
                    f"category), but not in this data; fit on data where "
                    "the two disagree to model them separately."
                )
        if self.has_target:
            if y is None:
                raise ValueError("The schema was fitted with y; pass y to encode.")
            ys, _ = _as_series(y, n)
            Z[:, -1] = self._encode_column(self.columns[-1], ys)
        elif y is not None:
            raise ValueError("The schema was fitted without y.")
        return Z

    def _encode_column(self, col, s):
        if col.kind == "categorical":
            missing = pd.isna(s).to_numpy()
            values = s.to_numpy(dtype=object)
            codes = _codes_of(values, col.categories)
            unseen = (codes < 0) & ~missing
            if unseen.any():
                bad = pd.unique(values[unseen])[:5].tolist()
                raise ValueError(
                    f"Column {_describe(col.name)} has categories not seen in fit: "
                    f"{bad}."
                )
            out = codes.astype(np.float64)
            out[missing] = np.nan
            return out
        if col.kind == "datetime":
            if not is_datetime64_any_dtype(s.dtype):
                s = pd.to_datetime(s)
                if col.tz is not None and s.dt.tz is None:
                    s = s.dt.tz_localize(col.tz)
            s = _naive(s)
            if s.dtype != np.dtype(f"datetime64[{col.unit}]"):
                s = s.astype(f"datetime64[{col.unit}]")
            return _datetime_ticks(s)
        return _to_float(col.name, s)

    def check_rejectable(self, cond, skip=(), generator="This generator"):
        """Raise if bounded rejection cannot meet a condition of ``cond``.

        ``cond`` is a code row (or a matrix of rows) of :meth:`encode_conditions`,
        NaN = free. Rejection meets a condition on a categorical, integer or
        datetime column, and on a continuous column only at one of its
        :attr:`ColumnSchema.atoms` (a value with a point mass); any other value
        of a continuous column has probability zero. Columns whose positions
        are in ``skip`` are met natively by the model and not checked.
        ``generator`` names the caller in the message.

        Raises
        ------
        ValueError
            Naming the first column whose condition cannot be met, and why.
        """
        C = np.atleast_2d(np.asarray(cond, dtype=np.float64))
        skip = {int(j) for j in skip}
        given = ~np.isnan(C)
        for j in np.flatnonzero(given.any(axis=0)):
            col = self.columns[j]
            if j in skip or col.is_discrete:
                continue
            values = C[given[:, j], j]
            bad = values[~np.isin(values, col.atoms)]
            if len(bad) == 0:
                continue
            if col.atoms:
                masses = (
                    f"only its point masses {list(col.atoms)} can be met that "
                    f"way, not {bad[0]!r}"
                )
            else:
                masses = "it has no value with a point mass"
            raise ValueError(
                f"{generator} meets this condition by bounded rejection, and a "
                f"condition on the continuous column {col.name!r} is too rare to "
                f"meet that way (a continuous value has probability zero; "
                f"{masses}). Use a generator with native conditioning (e.g. "
                "GaussianCopulaGenerator) or condition on a categorical or "
                "integer column."
            )

    def encode_conditions(self, conditions, n_samples):
        """Encode sampling conditions into an ``(n_samples, n_columns)`` matrix.

        ``conditions`` is a dict ``{column: value}`` applied to every row, or a
        DataFrame with one row per sample (NaN cells leave that cell free).
        Free cells are NaN in the result. Unknown columns, unseen categories and
        values outside the range seen in ``fit`` raise a ValueError.
        """
        C = np.full((n_samples, self.n_columns), np.nan)
        if isinstance(conditions, Mapping):
            items = [(k, [v]) for k, v in conditions.items()]
            per_row = False
        elif isinstance(conditions, pd.DataFrame):
            if len(conditions) != n_samples:
                raise ValueError(
                    f"conditions has {len(conditions)} rows but n_samples="
                    f"{n_samples}; pass one row of conditions per sample."
                )
            items = [(k, conditions[k]) for k in conditions.columns]
            per_row = True
        else:
            raise TypeError(
                "conditions must be a dict {column: value} or a DataFrame with one "
                f"row per sample, got {type(conditions).__name__}."
            )
        if not items:
            raise ValueError("conditions is empty.")
        deferred = []
        for key, values in items:
            if self._derived_named(key) is not None:
                deferred.append((key, values))
                continue
            j = self.column_position(key)
            codes = self._condition_codes(self.columns[j], key, values, per_row)
            C[:, j] = codes if per_row else codes[0]
        for key, values in deferred:
            self._condition_on_derived(C, key, values, per_row)
        return C

    def _condition_codes(self, col, key, values, per_row):
        """Codes of the condition values on one column (NaN = free cell)."""
        s = pd.Series(values, dtype=object if col.kind == "categorical" else None)
        given = ~pd.isna(s).to_numpy()
        if not per_row and not given.all():
            raise ValueError(
                f"Condition on {key!r} is missing (NaN); conditioning on a "
                "missing value is not supported."
            )
        try:
            codes = np.full(len(s), np.nan)
            codes[given] = self._encode_column(col, s[given])
        except ValueError as exc:
            raise ValueError(f"Impossible condition on {key!r}: {exc}") from exc
        obs = codes[given]
        if col.kind != "categorical" and len(obs):
            if np.any(obs < col.low) or np.any(obs > col.high):
                raise ValueError(
                    f"Impossible condition on {key!r}: value outside the "
                    f"range seen in fit [{col.low}, {col.high}]."
                )
            if col.integer and np.any(obs != np.round(obs)):
                raise ValueError(
                    f"Impossible condition on {key!r}: the column holds "
                    "integers only."
                )
        return codes

    def _condition_on_derived(self, C, key, values, per_row):
        """Turn a condition on a derived column into one on its source."""
        d = self._derived_named(key)
        source = self.columns[d.source]
        codes = self._condition_codes(d.column, key, values, per_row)
        if not per_row:
            codes = np.repeat(codes, len(C))
        rows = np.flatnonzero(~np.isnan(codes))
        codes = codes[rows]
        table = d.table[: source.n_categories]  # a missing source is not asked
        for value in np.unique(codes):
            matches = np.flatnonzero(table == value)
            if len(matches) == 0:
                raise ValueError(
                    f"Impossible condition on {key!r}: no category of "
                    f"{source.name!r}, which determines it, comes with that value."
                )
            if len(matches) > 1:
                labels = [source.categories[m] for m in matches[:5]]
                raise ValueError(
                    f"Condition on {key!r}: that value comes with several "
                    f"categories of {source.name!r} ({labels}), which "
                    f"determines it; condition on {source.name!r} instead."
                )
            at = rows[codes == value]
            current = C[at, d.source]
            clash = ~np.isnan(current) & (current != matches[0])
            if clash.any():
                raise ValueError(
                    f"Impossible condition: {key!r} and {source.name!r} are "
                    f"given values that never occur together."
                )
            C[at, d.source] = matches[0]

    # ---------------------------------------------------------------- decode
    def round_codes(self, Z):
        """Round discrete columns in place and check categorical codes."""
        for j, col in enumerate(self.columns):
            if col.is_discrete:
                np.round(Z[:, j], out=Z[:, j])
            if col.kind == "categorical":
                z = Z[:, j]
                bad = ~np.isnan(z) & ((z < 0) | (z >= col.n_categories))
                if bad.any():
                    raise RuntimeError(
                        f"Generator produced invalid codes for column {col.name!r}"
                    )
        return Z

    def decode(self, Z, *, copy=True):
        """Turn a code matrix back into the container seen in ``infer``.

        Returns ``X`` (DataFrame or array), or ``(X, y)`` when fitted with a
        target. With ``copy=False`` the discrete columns of ``Z`` are rounded in
        place (saves one copy of the table).
        """
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim != 2 or Z.shape[1] != self.n_columns:
            raise ValueError(
                f"Expected a code matrix with {self.n_columns} columns, got shape "
                f"{Z.shape}."
            )
        Z = self.round_codes(Z.copy() if copy else Z)
        positions = self._feature_positions()
        parts = [(p, self.columns[j], Z[:, j]) for j, p in enumerate(positions)]
        parts += [(d.position, d.column, d.codes(Z[:, d.source])) for d in self.derived]
        parts.sort(key=lambda part: part[0])
        if self.container == "array" and not is_object_dtype(self.array_dtype):
            X = np.empty((len(Z), self.n_input_features), dtype=self.array_dtype)
            for p, col, z in parts:
                X[:, p] = self._decode_column(col, z)
        else:
            data = {p: self._decode_column(col, z) for p, col, z in parts}
            X = pd.DataFrame(data)
            if self.container == "dataframe":
                X.columns = self.column_index
            else:
                X = X.to_numpy(dtype=self.array_dtype)
        if not self.has_target:
            return X
        y = self._decode_column(self.columns[-1], Z[:, -1])
        if self.target_container == "series":
            y = y.astype(self.target_dtype).rename(self.target_name)
        else:
            y = y.to_numpy(dtype=self.target_dtype)
        return X, y

    def _decode_column(self, col, z):
        missing = np.isnan(z)
        if col.kind == "categorical":
            codes = np.where(missing, -1, z).astype(np.int64)
            if isinstance(col.dtype, pd.CategoricalDtype):
                return pd.Series(pd.Categorical.from_codes(codes, dtype=col.dtype))
            values = np.empty(len(z), dtype=object)
            cats = np.empty(len(col.categories), dtype=object)
            cats[:] = list(col.categories)
            values[~missing] = cats[codes[~missing]]
            values[missing] = np.nan
            if is_bool_dtype(col.dtype) and missing.any():
                return pd.Series(values, dtype=object)
            return pd.Series(values).astype(col.dtype)
        if col.kind == "datetime":
            ticks = np.where(missing, np.iinfo(np.int64).min, z).astype(np.int64)
            s = pd.Series(ticks.view(f"datetime64[{col.unit}]"))
            if col.tz is not None:
                s = s.dt.tz_localize("UTC").dt.tz_convert(col.tz)
            return s.astype(col.dtype)
        if col.decimals and not col.integer:
            z = np.round(z, col.decimals)
        s = pd.Series(z)
        if is_object_dtype(col.dtype):
            values = z.astype(object)
            if col.integer:
                values[~missing] = z[~missing].astype(np.int64)
            values[missing] = np.nan
            return pd.Series(values, dtype=object)
        if np.dtype("float64") != col.dtype and is_numeric_dtype(col.dtype):
            if missing.any() and isinstance(col.dtype, np.dtype):
                if col.dtype.kind in "iub":  # cannot hold NaN: keep float
                    return s
            return s.astype(col.dtype)
        return s

    def with_columns(self, columns):
        """Copy of the schema with other ColumnSchema entries."""
        return replace(self, columns=list(columns))


def _same_key(a, b):
    if a is b:
        return True
    try:
        equal = a == b
    except (TypeError, ValueError):
        return False
    return isinstance(equal, (bool, np.bool_)) and bool(equal)


def _same_index(a, b):
    return len(a) == len(b) and all(_same_key(x, y) for x, y in zip(a, b))


def _as_frame(X):
    """Return (frame with positional columns, container, column index, dtype)."""
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            "Sparse input is not supported: sksynth models dense tables; call "
            ".toarray() first."
        )
    if isinstance(X, pd.DataFrame):
        if X.columns.has_duplicates:
            dup = X.columns[X.columns.duplicated()].unique().tolist()
            raise ValueError(f"X has duplicate column names: {dup}.")
        frame = X.set_axis(range(X.shape[1]), axis=1).reset_index(drop=True)
        for j in range(frame.shape[1]):
            if isinstance(frame.dtypes.iloc[j], pd.SparseDtype):
                frame[j] = frame[j].sparse.to_dense()
        return frame, "dataframe", X.columns, None
    if isinstance(X, pd.Series):
        raise ValueError(
            "X is a Series (1-D); pass a DataFrame or a 2-D array, e.g. X.to_frame()."
        )
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(
            f"X must be 2-D (n_samples, n_features), got an array of shape {arr.shape}."
        )
    if np.iscomplexobj(arr):
        raise ValueError("Complex data not supported.")
    frame = pd.DataFrame(arr, copy=False)
    return frame, "array", pd.RangeIndex(arr.shape[1]), arr.dtype


def _as_series(y, n):
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(f"y must be 1-D, got a DataFrame of shape {y.shape}.")
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series):
        ys, container = y.reset_index(drop=True), "series"
    else:
        arr = np.asarray(y)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr.ravel()
        if arr.ndim != 1:
            raise ValueError(f"y must be 1-D, got shape {arr.shape}.")
        ys, container = pd.Series(arr), "array"
    if len(ys) != n:
        raise ValueError(f"X has {n} rows but y has {len(ys)}.")
    if isinstance(ys.dtype, np.dtype) and ys.dtype.kind == "f":
        if np.isinf(ys.to_numpy()).any():
            raise ValueError("y contains infinity.")
    return ys, container
