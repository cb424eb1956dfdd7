"""The code matrix and :class:`TableSchema`, the facade of the data layer.

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
The work is done by one module per job: ``_columns`` (column types, inference
and per-column codes), ``_derived`` (columns determined by a categorical one),
``_conditions`` (sampling conditions and what rejection can meet) and
``_containers`` (DataFrame, array and Series adapters).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from pandas.api.types import is_object_dtype

from . import _conditions
from ._columns import (  # noqa: F401 (ATOM_SHARE, MAX_ATOMS: re-exported)
    ATOM_SHARE,
    MAX_ATOMS,
    ColumnSchema,
    category_codes,
    decode_column,
    encode_column,
    infer_column,
)
from ._containers import as_frame, as_series, same_index, same_key
from ._derived import DerivedColumn, agrees, find_derived

__all__ = ["ColumnSchema", "DerivedColumn", "TableSchema", "category_codes"]


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
        frame, container, index, array_dtype = as_frame(X)
        if frame.shape[0] == 0:
            raise ValueError("X is empty: it has 0 rows.")
        if frame.shape[1] == 0:
            raise ValueError("X has 0 columns.")
        columns = [
            infer_column(name, frame.iloc[:, j], kind=kind)
            for j, name in enumerate(index)
        ]
        schema = cls(columns, container, index, array_dtype)
        if derive:
            found = find_derived(schema.encode(X), columns)
            kept = [j for j in range(len(columns)) if j not in found]
            new_position = {j: p for p, j in enumerate(kept)}
            schema.columns = [columns[j] for j in kept]
            schema.derived = [
                DerivedColumn(columns[j], j, new_position[i], table)
                for j, (i, table) in sorted(found.items())
            ]
        if y is not None:
            ys, target_container = as_series(y, len(frame))
            name = ys.name
            if name is None or name in set(index):
                name = "y" if "y" not in set(index) else "__target__"
            column = infer_column(name, ys.rename(name), target=True)
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
            if same_key(name, key):
                return j
        if self.has_target and (
            same_key(key, "y") or same_key(key, self.target_name)
        ):
            return self.target_index
        derived = self.derived_column(key)
        if derived is not None:
            source = self.columns[derived.source].name
            raise ValueError(
                f"Column {key!r} is determined by column {source!r} (each "
                f"{source!r} category comes with one {key!r} value) and is not "
                f"modelled on its own; address {source!r} instead."
            )
        known = ", ".join(repr(n) for n in names)
        raise ValueError(f"Unknown column {key!r}; the columns are: {known}.")

    def derived_column(self, key):
        """The DerivedColumn of a column given its name, or None."""
        for d in self.derived:
            if same_key(d.column.name, key):
                return d
        return None

    def column(self, key):
        """The ColumnSchema of a column given its name, derived ones included."""
        derived = self.derived_column(key)
        if derived is not None:
            return derived.column
        return self.columns[self.column_position(key)]

    # ---------------------------------------------------------------- encode
    def encode(self, X, y=None):
        """Encode a table into the code matrix.

        Raises a ValueError naming the column for unseen categories, inf values,
        non-numeric values in numeric columns, and a wrong number of columns.
        """
        frame, _, index, _ = as_frame(X)
        if frame.shape[1] != self.n_input_features:
            raise ValueError(
                f"X has {frame.shape[1]} columns, but the schema was fitted with "
                f"{self.n_input_features}."
            )
        if self.container == "dataframe" and not same_index(index, self.column_index):
            raise ValueError(
                "The columns of X differ from the columns seen in fit: "
                f"{list(index)} instead of {list(self.column_index)}."
            )
        n = len(frame)
        Z = np.empty((n, self.n_columns), dtype=np.float64)
        for j, p in enumerate(self._feature_positions()):
            Z[:, j] = encode_column(self.columns[j], frame.iloc[:, p])
        for d in self.derived:
            z = encode_column(d.column, frame.iloc[:, d.position])
            if not agrees(d.codes(Z[:, d.source]), z):
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
            ys, _ = as_series(y, n)
            Z[:, -1] = encode_column(self.columns[-1], ys)
        elif y is not None:
            raise ValueError("The schema was fitted without y.")
        return Z

    def check_rejectable(self, cond, skip=(), generator="This generator"):
        """Raise if bounded rejection cannot meet a condition of ``cond``.

        See :func:`sksynth.preprocessing._conditions.check_rejectable`.
        """
        return _conditions.check_rejectable(self, cond, skip, generator)

    def encode_conditions(self, conditions, n_samples):
        """Encode sampling conditions into an ``(n_samples, n_columns)`` matrix.

        ``conditions`` is a dict ``{column: value}`` applied to every row, or a
        DataFrame with one row per sample (NaN cells leave that cell free).
        Free cells are NaN in the result. Unknown columns, unseen categories and
        values outside the range seen in ``fit`` raise a ValueError.
        """
        return _conditions.encode_conditions(self, conditions, n_samples)

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
                X[:, p] = decode_column(col, z)
        else:
            data = {p: decode_column(col, z) for p, col, z in parts}
            X = pd.DataFrame(data)
            if self.container == "dataframe":
                X.columns = self.column_index
            else:
                X = X.to_numpy(dtype=self.array_dtype)
        if not self.has_target:
            return X
        y = decode_column(self.columns[-1], Z[:, -1])
        if self.target_container == "series":
            y = y.astype(self.target_dtype).rename(self.target_name)
        else:
            y = y.to_numpy(dtype=self.target_dtype)
        return X, y

    def with_columns(self, columns):
        """Copy of the schema with other ColumnSchema entries."""
        return replace(self, columns=list(columns))
