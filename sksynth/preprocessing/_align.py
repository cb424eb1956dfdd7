"""A related table aligned to a (small) table: one schema for both.

Transfer from related data (pre-train on a large related table, fine-tune on
a small one; or use the related table's counts as a prior) needs the two
tables in one encoding. :func:`align_tables` builds it from the small table's
:class:`~sksynth.preprocessing.TableSchema`:

* columns of the related table that the small one lacks are left out (and
  listed); columns only in the small table are filled in the related rows
  (by draws from the small table's values, or as missing);
* categories are the union (the small table's first, so its codes do not
  change); numeric and datetime ranges are the union;
* a column whose kind differs between the tables (numbers in one, labels in
  the other), or whose new categories the small table's dtype cannot hold,
  is refused with a ValueError naming it.

:func:`encode_related` (also :meth:`TableSchema.encode_related`) encodes a
related table into a fitted schema's code matrix *without* widening it, with
a mask of the cells that lie in the schema's domain: what a model fitted on
the small table can take as a prior.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ._columns import encode_column
from ._containers import as_frame, as_series, same_key

__all__ = ["TableAlignment", "align_tables", "encode_related"]

_FILLS = ("marginal", "missing")


@dataclass
class TableAlignment:
    """Two tables in one schema (the result of :func:`align_tables`).

    Attributes
    ----------
    schema : TableSchema
        The small table's schema with each column's categories and range
        widened by the related table's (the small table's categories keep
        their codes; the related table's new ones come after them).
    X, y : DataFrame, Series or None
        The small table in the common form: a DataFrame with the small
        table's columns (positions for an array), categorical columns as
        pandas ``category`` of the union categories, numeric columns as
        float64. Fit any generator on them.
    related_X, related_y : DataFrame, Series or None
        The related table in the same form and columns.
    dropped : list
        Columns of the related table that the small table lacks (left out).
    added : list
        Columns of the small table that the related table lacks (filled in
        its rows, see ``fill``).
    new_categories : dict
        ``{column: categories of the small table the related one lacks}``.
    related_categories : dict
        ``{column: categories of the related table the small one lacks}``.
    """

    schema: object
    X: object
    y: object
    related_X: object
    related_y: object
    dropped: list = field(default_factory=list)
    added: list = field(default_factory=list)
    new_categories: dict = field(default_factory=dict)
    related_categories: dict = field(default_factory=dict)
    model_schema: object = None

    def encode(self, X, y=None):
        """Code matrix (of :attr:`schema`) of a table in the common form."""
        return self.model_schema.encode(X, y)

    def restore(self, X, y=None):
        """A table in the common form back in the small table's container,
        column order and dtypes (a DataFrame, or an array; ``(X, y)`` with a
        target)."""
        return self.schema.decode(self.encode(X, y), copy=False)

    def outside_small(self, Z):
        """Rows of a code matrix holding a category the small table lacks."""
        bad = np.zeros(len(Z), dtype=bool)
        for j, col in enumerate(self.schema.columns):
            if col.kind == "categorical" and col.name in self._n_small:
                z = Z[:, j]
                bad |= ~np.isnan(z) & (z >= self._n_small[col.name])
        return bad

    @property
    def _n_small(self):
        return {
            c: len(self.schema.column(c).categories) - len(extra)
            for c, extra in self.related_categories.items()
        }


def _split_related(related, related_y):
    if isinstance(related, tuple):
        if len(related) != 2:
            raise ValueError(
                "related must be a table or a pair (X_related, y_related), got a "
                f"tuple of {len(related)} items."
            )
        if related_y is not None:
            raise ValueError("Give y of the related table once: related=(X, y).")
        return related
    return related, related_y


def _matched_columns(X, related):
    """``(small frame, related frame with the small's columns, dropped, added)``
    (frames positional; DataFrames matched by name, arrays by position)."""
    frame, container, index, _ = as_frame(X)
    rframe, rcontainer, rindex, _ = as_frame(related)
    if container != rcontainer:
        raise TypeError(
            f"X is {'a DataFrame' if container == 'dataframe' else 'an array'} "
            f"but the related table is "
            f"{'a DataFrame' if rcontainer == 'dataframe' else 'an array'}: "
            "columns are matched by name between DataFrames, by position between "
            "arrays; give both in the same container."
        )
    if container == "array" and frame.shape[1] != rframe.shape[1]:
        raise ValueError(
            f"X has {frame.shape[1]} columns and the related table "
            f"{rframe.shape[1]}: arrays are matched by position and need as many "
            "columns; use DataFrames to match columns by name."
        )
    position = {}
    for j, name in enumerate(index):
        for k, rname in enumerate(rindex):
            if same_key(name, rname):
                position[j] = k
                break
    if not position:
        raise ValueError(
            "The related table has no column of X: nothing to align (the "
            f"columns of X are {list(index)}, those of the related table "
            f"{list(rindex)})."
        )
    used = set(position.values())
    dropped = [rindex[k] for k in range(len(rindex)) if k not in used]
    added = [index[j] for j in range(len(index)) if j not in position]
    return frame, rframe, index, position, dropped, added


def _check_kinds(small, related, names):
    for name in names:
        a, b = small.column(name), related.column(name)
        if a.kind != b.kind:
            raise ValueError(
                f"Column {name!r} is {a.kind} in X but {b.kind} in the related "
                "table: the tables cannot share its encoding. Convert one of "
                "them (e.g. astype) or drop the column from the related table."
            )


def _union(categories, extra):
    index = pd.Index(list(categories), dtype=object)
    new = [v for v in extra if index.get_indexer(pd.Index([v], dtype=object))[0] < 0]
    return tuple(categories) + tuple(new), new


def _check_holds(col, new):
    """The small column's dtype must hold the related table's new categories."""
    if not new or isinstance(col.dtype, pd.CategoricalDtype):
        return
    values = pd.Series(list(new), dtype=object)
    try:
        cast = values.astype(col.dtype)
        ok = bool((cast.astype(object) == values).all())
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"Column {col.name!r}: the related table holds categories "
            f"{list(new)[:5]} that X's dtype {col.dtype} cannot hold; convert the "
            "column of one table so that both hold the same kind of values."
        )


def align_tables(X, related, *, y=None, related_y=None, fill="marginal",
                 random_state=None):
    """Align a related table to ``X``: one schema and encoding for both.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The (small) table whose columns, order and dtypes are kept.
    related : DataFrame, array-like or tuple ``(X_related, y_related)``
        The related table. DataFrames are matched by column name (columns
        of ``related`` that ``X`` lacks are left out), arrays by position.
    y : array-like of shape (n_samples,), default=None
        Target of ``X``; the related table then needs one too.
    related_y : array-like, default=None
        Target of the related table (or pass ``related=(X_related, y)``).
    fill : {"marginal", "missing"}, default="marginal"
        How the related rows get the columns only ``X`` has: values drawn
        from ``X``'s column (missing ones included, in their share), or
        missing values.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws of ``fill="marginal"``.

    Returns
    -------
    alignment : TableAlignment

    Raises
    ------
    ValueError
        When a shared column has another kind in each table, when the
        related table's new categories do not fit ``X``'s dtype, when the
        tables share no column, or when only one of them has a target.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.preprocessing import align_tables
    >>> small = pd.DataFrame({"age": [30, 41], "city": ["Oslo", "Rome"]})
    >>> big = pd.DataFrame({"age": [25, 67, 52], "city": ["Oslo", "Bern", "Oslo"],
    ...                     "id": [1, 2, 3]})
    >>> a = align_tables(small, big)
    >>> a.schema.column("city").categories
    ('Oslo', 'Rome', 'Bern')
    >>> a.dropped, a.new_categories, a.related_categories
    (['id'], {'city': ['Rome']}, {'city': ['Bern']})
    >>> a.restore(a.related_X).dtypes.astype(str).tolist()
    ['int64', 'str']
    """
    from sklearn.utils import check_random_state

    from ._schema import TableSchema

    if fill not in _FILLS:
        raise ValueError(f"fill must be one of {list(_FILLS)}, got {fill!r}.")
    related, related_y = _split_related(related, related_y)
    if (y is None) != (related_y is None):
        which = "X has a target but the related table has none" if related_y is None \
            else "the related table has a target but X has none"
        raise ValueError(
            f"{which}: give both tables a target (related=(X_related, y_related)) "
            "or neither."
        )
    frame, rframe, index, position, dropped, added = _matched_columns(X, related)
    small = TableSchema.infer(X, y)
    shared = sorted(position)
    rshared = rframe.iloc[:, [position[j] for j in shared]]
    rshared.columns = [index[j] for j in shared]
    rschema = TableSchema.infer(rshared, related_y)
    _check_kinds(small, rschema, [index[j] for j in shared])
    if small.has_target:
        t_small, t_rel = small.columns[-1], rschema.columns[-1]
        if t_small.kind != t_rel.kind:
            raise ValueError(
                f"The target is {t_small.kind} in X but {t_rel.kind} in the "
                "related table."
            )
    rys = as_series(related_y, len(rframe))[0] if related_y is not None else None

    # the widened schema: union categories, union ranges
    rng = check_random_state(random_state)
    n_rel = len(rframe)
    Zs = small.encode(X, y)
    columns, new_cats, rel_cats = [], {}, {}
    rel_series = {}
    for j, col in enumerate(small.columns):
        if small.has_target and j == small.target_index:
            s = rys
        elif j in position:
            s = rframe.iloc[:, position[j]]
        else:
            s = None
        rel_series[j] = s
        if s is None:
            columns.append(col)
            continue
        if col.kind == "categorical":
            rcol = rschema.columns[-1] if s is rys else rschema.column(col.name)
            cats, extra = _union(col.categories, rcol.categories)
            _, missing_here = _union(rcol.categories, col.categories)
            _check_holds(col, extra)
            if extra:
                rel_cats[col.name] = list(extra)
            if missing_here:
                new_cats[col.name] = list(missing_here)
            dtype = col.dtype
            if isinstance(dtype, pd.CategoricalDtype):
                dtype = pd.CategoricalDtype(list(cats), ordered=dtype.ordered)
            col = replace(col, categories=cats, high=float(len(cats) - 1),
                          counts=tuple(col.counts) + (0,) * len(extra), dtype=dtype)
        else:
            z = encode_column(col, s)
            obs = z[~np.isnan(z)]
            if len(obs):
                col = replace(col, low=float(min(col.low, obs.min())),
                              high=float(max(col.high, obs.max())))
        columns.append(col)
    schema = replace(small, columns=columns, derived=[], gaps=[], originals={})
    model = _model_schema(schema)

    # the related table's code matrix in the widened schema
    Zr = np.full((n_rel, schema.n_columns), np.nan)
    for j, col in enumerate(columns):
        s = rel_series[j]
        if s is not None:
            Zr[:, j] = encode_column(col, s)
        elif fill == "marginal":
            Zr[:, j] = Zs[rng.randint(len(Zs), size=n_rel), j]
    small_model = model.decode(Zs)
    rel_model = model.decode(Zr)
    Xs, ys_m = small_model if schema.has_target else (small_model, None)
    Xr, yr_m = rel_model if schema.has_target else (rel_model, None)
    return TableAlignment(
        schema=schema, X=Xs, y=ys_m, related_X=Xr, related_y=yr_m,
        dropped=dropped, added=added, new_categories=new_cats,
        related_categories=rel_cats, model_schema=model,
    )


def _model_schema(schema):
    """The widened schema decoding into the common form (see TableAlignment)."""
    cols = []
    for col in schema.columns:
        if col.kind == "categorical":
            dtype = pd.CategoricalDtype(
                pd.Index(list(col.categories), dtype=object),
                ordered=getattr(col.dtype, "ordered", False) or False,
            )
            col = replace(col, dtype=dtype)
        elif col.kind == "numeric":
            # exact values: no rounding to the small table's integers/decimals
            col = replace(col, dtype=np.dtype("float64"), scalar=None,
                          integer=False, decimals=None)
        cols.append(col)
    names = [c.name for c in schema.columns[:schema.n_features]]
    return replace(
        schema, columns=cols, container="dataframe",
        column_index=pd.Index(names, dtype=object) if schema.container == "array"
        else schema.column_index,
        array_dtype=None, target_container="series" if schema.has_target else None,
        target_dtype=cols[-1].dtype if schema.has_target else None,
        personal={}, rules=None,
    )


def encode_related(schema, X, y=None):
    """Encode a related table into a fitted schema, with its in-domain mask.

    Parameters
    ----------
    schema : TableSchema
        The schema of the table a model was fitted on.
    X : DataFrame or array-like
        The related table: DataFrame columns are matched by name (others are
        ignored), array columns by position (as many as the schema's).
    y : array-like, default=None
        Its target, when the schema has one (without it the target column is
        outside the domain for every row).

    Returns
    -------
    Z : ndarray of shape (n_related, schema.n_columns)
        Codes of the related rows (NaN where outside the domain).
    inside : ndarray of bool, same shape
        Whether each cell lies in the schema's domain: False for a column
        the related table lacks, a category the schema does not know, a
        missing value in a column that had none, and personal columns.
        Numeric values outside the schema's range are inside (a model
        clips them to its range).

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.preprocessing import TableSchema
    >>> schema = TableSchema.infer(pd.DataFrame({"a": [1.0, 2.0], "c": ["x", "y"]}))
    >>> Z, inside = schema.encode_related(pd.DataFrame({"c": ["y", "z"]}))
    >>> inside.tolist()
    [[False, True], [False, False]]
    """
    frame, container, index, _ = as_frame(X)
    n = len(frame)
    if container == "array" and frame.shape[1] != schema.n_input_features:
        raise ValueError(
            f"The related array has {frame.shape[1]} columns, the schema "
            f"{schema.n_input_features}: arrays are matched by position."
        )
    data = schema.data_view()
    Z = np.full((n, data.n_columns), np.nan)
    inside = np.zeros((n, data.n_columns), dtype=bool)
    targets = {data.target_index} if data.has_target else set()
    for j, col in enumerate(data.columns):
        if j in targets:
            if y is None:
                continue
            s = as_series(y, n)[0]
        elif j in schema.personal:
            continue
        else:
            s = None
            if container == "dataframe":
                for k, name in enumerate(index):
                    if same_key(name, col.name):
                        s = frame.iloc[:, k]
                        break
            else:
                s = frame.iloc[:, schema._feature_positions()[j]]
            if s is None:
                continue
        missing = pd.isna(s).to_numpy()
        if col.kind == "categorical":
            values = s.to_numpy(dtype=object)
            codes = pd.Index(list(col.categories), dtype=object).get_indexer(
                pd.Index(values, dtype=object))
            known = (codes >= 0) & ~missing
            Z[known, j] = codes[known]
        else:
            known = ~missing
            Z[known, j] = encode_column(col, s[known])
        inside[:, j] = known | (missing & col.has_missing)
    if schema.gaps:
        Z = schema.to_model(Z, copy=False)
        for g in schema.gaps:
            inside[:, g.high] &= inside[:, g.low]
    return Z, inside


def encode_prior(schema, prior, informs):
    """Codes and in-domain mask of a ``prior=`` parameter (a table or ``(X, y)``).

    The one reading of a generator's ``prior`` parameter: the related table
    is encoded into the fitted ``schema`` by :func:`encode_related`. An empty
    table, a tuple that is not a pair, and a table that shares no cell with
    the fitted one are refused; ``informs`` names what the prior would
    inform, for that message.
    """
    if isinstance(prior, tuple):
        if len(prior) != 2:
            raise ValueError(
                "prior must be a table or a pair (X_related, y_related), "
                f"got a tuple of {len(prior)} items."
            )
        Xp, yp = prior
    else:
        Xp, yp = prior, None
    Zp, inside = encode_related(schema, Xp, yp)
    if not len(Zp):
        raise ValueError("prior is an empty table.")
    if not inside.any():
        raise ValueError(
            "prior shares no cell with the fitted table (no common column "
            f"or category): it cannot inform the {informs}."
        )
    return Zp, inside
