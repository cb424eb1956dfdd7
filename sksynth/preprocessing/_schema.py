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
    decode_values,
    encode_column,
    float_codes,
    infer_column,
)
from ._containers import as_frame, as_series, same_index, same_key
from ._derived import DerivedColumn, agrees, find_derived
from ._pii import PII_KINDS, PersonalColumn, detect_pii

__all__ = [
    "ColumnSchema",
    "DerivedColumn",
    "TableSchema",
    "category_codes",
    "parse_schema_param",
]

# The one value of a personal column in the code matrix (missing aside).
PLACEHOLDER = "<personal>"
_OVERRIDE_KINDS = ("numeric", "integer", "categorical", "datetime", "identifier",
                   "personal", *PII_KINDS)
_RESERVED = {"columns", "rules", "pii", "version"}


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
    personal: dict = field(default_factory=dict)
    rules: object = None
    gaps: list = field(default_factory=list)
    originals: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ infer
    @classmethod
    def infer(cls, X, y=None, *, kind=None, derive=False, overrides=None,
              no_derive=(), detect_pii=False, pii=None):
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
        overrides : dict, default=None
            ``{column: kind}`` or ``{column: {"kind": kind, "method": ...}}``:
            the kind of chosen columns instead of inferring it, one of
            ``"numeric"``, ``"integer"``, ``"categorical"``, ``"datetime"``,
            ``"identifier"``, ``"personal"`` or a kind of personal data
            (``"email"``, ``"person_name"``, ... see
            :func:`~sksynth.preprocessing.detect_pii`).
        no_derive : collection, default=()
            Columns (or names of derived-column rules) never derived.
        detect_pii : bool, default=False
            Find personal data with :func:`detect_pii` (overrides win).
        pii : dict, default=None
            Options of personal columns: ``method`` (``"fake"``: fresh values,
            or ``"hash"``: keyed pseudonyms), ``key`` (for ``"hash"``),
            ``locale`` (Faker locale) and ``detect`` (False: declared only).

        Returns
        -------
        schema : TableSchema
        """
        frame, container, index, array_dtype = as_frame(X)
        if frame.shape[0] == 0:
            raise ValueError("X is empty: it has 0 rows.")
        if frame.shape[1] == 0:
            raise ValueError("X has 0 columns.")
        overrides = _match_overrides(overrides or {}, index)
        pii = dict(pii or {})
        found_pii = {}
        if detect_pii and pii.get("detect", True) and container == "dataframe":
            named = frame.set_axis(list(index), axis=1)
            found_pii = _positions(detect_pii_of(named), index)
        columns, personal = [], {}
        for j, name in enumerate(index):
            s = frame.iloc[:, j]
            spec = overrides.get(j, {})
            col, person = _infer_one(name, s, spec, found_pii.get(j), pii, kind)
            columns.append(col)
            if person is not None:
                personal[j] = person
        schema = cls(columns, container, index, array_dtype, personal=personal)
        if derive:
            found = find_derived(schema.encode(X), columns)
            no_derive = set(no_derive)
            found = {
                j: (i, t) for j, (i, t) in found.items()
                if j not in personal and i not in personal
                and columns[j].name not in no_derive
                and _derived_name(columns[j].name, columns[i].name) not in no_derive
            }
            kept = [j for j in range(len(columns)) if j not in found]
            new_position = {j: p for p, j in enumerate(kept)}
            schema.columns = [columns[j] for j in kept]
            schema.derived = [
                DerivedColumn(columns[j], j, new_position[i], table)
                for j, (i, table) in sorted(found.items())
            ]
            schema.personal = {new_position[j]: p for j, p in personal.items()}
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
        # an array of numpy numbers: its numeric columns read straight off it
        numbers = X if type(X) is np.ndarray and X.dtype.kind in "fiu" else None
        for j, p in enumerate(self._feature_positions()):
            person = self.personal.get(j)
            if person is None and numbers is not None and (
                self.columns[j].kind == "numeric"
            ):
                Z[:, j] = float_codes(self.columns[j].name, numbers[:, p])
            elif person is None:
                Z[:, j] = encode_column(self.columns[j], frame.iloc[:, p])
            elif person.method == "hash":
                Z[:, j] = encode_column(
                    self.columns[j], person.pseudonyms(frame.iloc[:, p])
                )
            else:
                Z[:, j] = np.where(frame.iloc[:, p].notna(), 0.0, np.nan)
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
        return self.to_model(Z, copy=False) if self.gaps else Z

    def encode_related(self, X, y=None):
        """Codes of a related table in this schema, and its in-domain mask.

        See :func:`sksynth.preprocessing.encode_related` (for priors drawn
        from a related table: only the cells this schema can hold count).
        """
        from ._align import encode_related

        return encode_related(self, X, y)

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
        keys = conditions.columns if isinstance(conditions, pd.DataFrame) else (
            conditions.keys() if hasattr(conditions, "keys") else ()
        )
        for j, person in self.personal.items():
            if person.method != "hash" and any(
                same_key(k, self.columns[j].name) for k in keys
            ):
                raise ValueError(
                    f"Column {self.columns[j].name!r} is personal data "
                    f"({person.kind}): it is not modelled but generated fresh on "
                    "output, so it cannot be conditioned on."
                )
        if not self.gaps:
            return _conditions.encode_conditions(self, conditions, n_samples)
        C = _conditions.encode_conditions(self.data_view(), conditions, n_samples)
        for g in self.gaps:
            alone = ~np.isnan(C[:, g.high]) & np.isnan(C[:, g.low])
            if alone.any():
                raise ValueError(
                    f"Cannot condition on {self.columns[g.high].name!r} alone: the "
                    f"rule {g.name} is modelled as the gap from "
                    f"{self.columns[g.low].name!r}; give both columns, or switch "
                    "the rule off (schema={'rules': {rule: False}}) to condition "
                    "on it alone."
                )
        return self.to_model(C, copy=False)

    # ------------------------------------------------------------------ gaps
    def to_model(self, Z, *, copy=True):
        """Data codes to model codes: each gap column holds ``high - low``."""
        Z = Z.copy() if copy else Z
        for g in reversed(self.gaps):
            gap = Z[:, g.high] - Z[:, g.low] * g.ratio
            Z[:, g.high] = np.where(np.isnan(Z[:, g.low]), g.fill, gap)
        return Z

    def to_data(self, Z, *, copy=True):
        """Model codes back to data codes (``high = low + gap``)."""
        Z = Z.copy() if copy else Z
        for g in self.gaps:
            Z[:, g.high] = Z[:, g.low] * g.ratio + Z[:, g.high]
            if self.originals[g.high].is_discrete:
                np.round(Z[:, g.high], out=Z[:, g.high])
        return Z

    def data_view(self):
        """The schema of the data codes (without gap transforms)."""
        if not self.gaps:
            return self
        cols = [self.originals.get(j, c) for j, c in enumerate(self.columns)]
        return replace(self, columns=cols, gaps=[], originals={})

    def with_gaps(self, gaps, Z):
        """Copy modelling ``high - low`` for each gap (Z: the data codes).

        ``gaps`` come parents first (a low that is another gap's high after
        that gap). The gap columns get the range, point masses and missing
        share of the gaps.
        """
        from ._columns import _atoms

        schema = replace(self, gaps=list(gaps), originals={})
        M = schema.to_model(Z)
        cols = list(self.columns)
        for g in gaps:
            orig, low = self.columns[g.high], self.columns[g.low]
            z = M[:, g.high]
            obs = z[~np.isnan(z)]
            integer = bool(orig.integer and low.integer)
            decimals = orig.decimals
            if orig.kind == "numeric" and not integer:
                decimals = max(orig.decimals or 0, low.decimals or 0) or None
            cols[g.high] = replace(
                orig, low=float(obs.min()), high=float(obs.max()),
                missing_rate=float(np.isnan(z).mean()), atoms=_atoms(obs, len(z)),
                integer=integer if orig.kind == "numeric" else orig.integer,
                decimals=decimals,
            )
            schema.originals[g.high] = orig
        schema.columns = cols
        return schema

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
        if self.gaps:  # model codes: back to the data's
            return self.data_view().decode(self.to_data(Z, copy=False), copy=False)
        positions = self._feature_positions()
        parts = [(p, self.columns[j], Z[:, j]) for j, p in enumerate(positions)]
        parts += [(d.position, d.column, d.codes(Z[:, d.source])) for d in self.derived]
        parts.sort(key=lambda part: part[0])
        if self.container == "array" and not is_object_dtype(self.array_dtype):
            X = np.empty((len(Z), self.n_input_features), dtype=self.array_dtype)
            for p, col, z in parts:
                X[:, p] = decode_values(col, z)
        else:
            data = {p: decode_values(col, z) for p, col, z in parts}
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

    def personal_columns(self):
        """Names of the personal columns (generated fresh or pseudonymised)."""
        return [self.columns[j].name for j in sorted(self.personal)]

    def fill_personal(self, X, rng):
        """Replace the placeholders of personal columns in ``X`` by fresh values.

        ``X`` is a decoded table; each personal column draws from its own
        seed taken from ``rng`` (nothing is drawn without personal columns).
        """
        fresh = [(j, p) for j, p in sorted(self.personal.items())
                 if p.method != "hash"]
        if not fresh:
            return X
        from sklearn.utils import check_random_state

        from ..utils._random import draw_seed

        positions = self._feature_positions()
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        if frame is X:
            frame = X.copy()
        for j, person in fresh:
            p = positions[j]
            col_rng = check_random_state(draw_seed(rng))
            frame.isetitem(p, person.fill(frame.iloc[:, p], col_rng).to_numpy())
        if isinstance(X, pd.DataFrame):
            return frame
        return frame.to_numpy(dtype=object)

    # ------------------------------------------------------------- metadata
    def describe(self):
        """One dict per column: name, kind, dtype, missing share, rules."""
        rules = list(self.rules) if self.rules is not None else []
        rows = []
        positions = self._feature_positions()
        entries = [(p, self.originals.get(j, self.columns[j]), self.personal.get(j),
                    None) for j, p in enumerate(positions)]
        entries += [(d.position, d.column, None, self.columns[d.source].name)
                    for d in self.derived]
        entries.sort(key=lambda e: e[0])
        if self.has_target:
            entries.append((None, self.originals.get(self.n_columns - 1,
                                                     self.columns[-1]), None, None))
        for _, col, person, source in entries:
            kind = col.kind
            if kind == "numeric" and col.integer:
                kind = "integer"
            if person is not None:
                kind = "personal"
            row = {
                "name": col.name,
                "kind": kind,
                "dtype": str(col.dtype) if person is None else str(person.dtype),
                "missing_share": round(float(col.missing_rate), 4),
            }
            if person is not None:
                row["pii"] = person.kind
                row["method"] = person.method
            elif col.kind == "categorical":
                row["n_categories"] = col.n_categories
            elif not col.is_constant or col.low == col.low:
                row["min"], row["max"] = _bound_value(col, col.low), _bound_value(
                    col, col.high)
            if source is not None:
                row["derived_from"] = source
            names = [r.name for r in rules if _mentions(r.name, col.name)]
            row["rules"] = names
            if self.has_target and col.name == self.columns[-1].name:
                row["target"] = True
            rows.append(row)
        return rows

    def __repr__(self):
        rows = self.describe()
        head = ["column", "kind", "dtype", "missing", "rules"]
        table = [head]
        for r in rows:
            kind = r["kind"] + (f" ({r['pii']}, {r['method']})" if "pii" in r else "")
            if "derived_from" in r:
                kind += f" <- {r['derived_from']}"
            table.append([str(r["name"]), kind, r["dtype"],
                          f"{r['missing_share']:.1%}", str(len(r["rules"]))])
        widths = [max(len(row[i]) for row in table) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
                 for row in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if self.rules is not None and len(self.rules):
            lines.append("")
            lines.append("rules:")
            lines += [f"  {line}" for line in repr(self.rules).splitlines()]
        return "\n".join(lines)

    def to_dict(self):
        """The schema as a JSON-able dict (columns and rules; no data values
        beyond what the schema holds: kinds, dtypes, ranges, category counts)."""
        out = {"version": 1, "columns": self.describe()}
        if self.rules is not None:
            out["rules"] = [
                {**r, "enabled": True} for r in self.rules.describe()
            ]
        return out

    def to_json(self, path=None, **kwargs):
        """The schema as JSON text (also written to ``path`` when given).

        Edit it (a column's ``kind``, a rule's ``enabled``) and give it back
        to a generator as ``schema=`` (or to the CLI as ``--metadata``).
        """
        import json

        text = json.dumps(self.to_dict(), indent=2, default=str, **kwargs)
        if path is not None:
            with open(path, "w") as fh:
                fh.write(text + "\n")
        return text

    @staticmethod
    def from_json(text_or_path):
        """Read a schema JSON written by :meth:`to_json` into the overrides
        dict accepted as ``schema=`` by every generator."""
        return parse_json(text_or_path)

    def with_columns(self, columns):
        """Copy of the schema with other ColumnSchema entries."""
        return replace(self, columns=list(columns))


# ---------------------------------------------------------------- overrides
def detect_pii_of(frame):
    return detect_pii(frame)


def _positions(found, index):
    out = {}
    for name, kind in found.items():
        for j, label in enumerate(index):
            if same_key(label, name):
                out[j] = kind
    return out


def _derived_name(name, source):
    return f"{name!r} is determined by {source!r}"


def _mentions(rule_name, column):
    return repr(column) in rule_name


def _bound_value(col, code):
    if code != code:
        return None
    if col.kind == "datetime":
        return str(np.datetime64(int(code), col.unit))
    return int(code) if col.integer else float(code)


def _match_overrides(overrides, index):
    """``{position: spec dict}`` from ``{column: kind or spec}``."""
    out = {}
    for name, spec in overrides.items():
        if isinstance(spec, str):
            spec = {"kind": spec}
        if not isinstance(spec, dict):
            raise TypeError(
                f"schema override of column {name!r} must be a kind or a dict, "
                f"got {spec!r}."
            )
        kind = spec.get("kind")
        if kind is not None and kind not in _OVERRIDE_KINDS:
            raise ValueError(
                f"schema override of column {name!r}: unknown kind {kind!r}; "
                f"choose among {list(_OVERRIDE_KINDS)}."
            )
        matches = [j for j, label in enumerate(index) if same_key(label, name)]
        if not matches:
            raise ValueError(
                f"schema overrides column {name!r}, which is not in X; the "
                f"columns are: {list(index)}."
            )
        out[matches[0]] = spec
    return out


def _infer_one(name, s, spec, detected, pii, kind):
    """ColumnSchema of one column under an override (and personal spec)."""
    want = spec.get("kind")
    pkind = None
    if want in PII_KINDS or want in ("identifier", "personal"):
        pkind = spec.get("pii") or ("identifier" if want == "personal" else want)
    elif want is None and detected is not None:
        pkind = detected
    if pkind is not None:
        method = spec.get("method") or pii.get("method", "fake")
        if method not in ("fake", "hash"):
            raise ValueError(
                f"Personal column {name!r}: method must be 'fake' or 'hash', got "
                f"{method!r}."
            )
        person = PersonalColumn.learn(
            name, s, pkind, method, pii.get("locale", "en_US"), pii.get("key")
        )
        if method == "hash":
            col = infer_column(name, person.pseudonyms(s), kind="categorical")
            return col, person
        n_obs = int(s.notna().sum())
        col = ColumnSchema(
            name, "categorical", np.dtype(object), categories=(PLACEHOLDER,),
            integer=True, missing_rate=float(1 - n_obs / max(len(s), 1)),
            low=0.0, high=0.0, counts=(n_obs,),
        )
        return col, person
    if want == "datetime":
        if not pd.api.types.is_datetime64_any_dtype(s.dtype):
            try:
                s = pd.to_datetime(s, errors="raise")
            except (ValueError, TypeError) as exc:
                raise ValueError(
                    f"Column {name!r} is declared a datetime but holds values "
                    f"that are not dates: {exc}"
                ) from exc
        return infer_column(name, s), None
    if want == "integer":
        col = infer_column(name, s, kind="numeric")
        if not col.integer:
            raise ValueError(
                f"Column {name!r} is declared integer but holds non-integer values."
            )
        return col, None
    if want in ("numeric", "categorical"):
        return infer_column(name, s, kind=want), None
    return infer_column(name, s, kind=kind), None


def parse_json(text_or_path):
    import json
    import os

    text = text_or_path
    if isinstance(text, str) and not text.lstrip().startswith("{"):
        if not os.path.exists(text):
            raise FileNotFoundError(f"No schema file {text!r}.")
        with open(text) as fh:
            text = fh.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"The schema is not valid JSON: {exc}") from exc


def parse_schema_param(param):
    """``(column overrides, rules switched off, personal-data options)``.

    ``param`` is None, a dict ``{column: kind}``, a dict with the keys of
    :meth:`TableSchema.to_dict` (``columns``: a list of column dicts or a
    ``{column: kind}`` dict; ``rules``: a list of rule dicts with
    ``enabled``, a ``{rule name: bool}`` dict, or False for none; ``pii``:
    ``method``, ``key``, ``locale``, ``detect``), a TableSchema, or the path
    or text of such a JSON document.
    """
    if param is None:
        return {}, set(), {}
    if isinstance(param, TableSchema):
        param = param.to_dict()
    if isinstance(param, str):
        param = parse_json(param)
    if not isinstance(param, dict):
        raise TypeError(
            f"schema must be a dict, a TableSchema or a JSON file, got "
            f"{type(param).__name__}."
        )
    keys = set(param)
    if keys and not keys & _RESERVED:
        return dict(param), set(), {}
    unknown = keys - _RESERVED
    if unknown:
        raise ValueError(
            f"schema has unknown keys {sorted(map(str, unknown))}; use "
            "{'columns': {...}, 'rules': {...}, 'pii': {...}} or a plain "
            "{column: kind} dict."
        )
    columns = param.get("columns") or {}
    if isinstance(columns, list):
        parsed = {}
        for entry in columns:
            if not isinstance(entry, dict) or "name" not in entry:
                raise ValueError(f"schema column entry {entry!r} has no name.")
            kind = entry.get("kind")
            spec = {"kind": kind} if kind is not None else {}
            if kind == "personal" and entry.get("pii"):
                spec = {"kind": entry["pii"]}
            if entry.get("method"):
                spec["method"] = entry["method"]
            if entry.get("derived_from") or entry.get("target"):
                continue  # filled in from its source / the target: not overridden
            if spec:
                parsed[entry["name"]] = spec
        columns = parsed
    rules = param.get("rules")
    off = set()
    if rules is False:
        off = "all"
    elif isinstance(rules, dict):
        off = {name for name, on in rules.items() if not on}
    elif isinstance(rules, list):
        off = {r["name"] for r in rules if isinstance(r, dict) and not r.get(
            "enabled", True)}
    elif rules not in (None, True):
        raise TypeError(f"schema['rules'] must be a dict, a list or False: {rules!r}.")
    pii = param.get("pii") or {}
    return dict(columns), off, dict(pii)
