"""Column types: :class:`ColumnSchema` and its inference from a Series.

The one place in sksynth that reads dtypes: :func:`infer_column` turns a
Series into a :class:`ColumnSchema` (kind, dtype to restore, categories,
range, point masses), and :func:`encode_column` / :func:`decode_column` map
one column to its codes in the code matrix and back, restoring the dtype.
"""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Hashable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_complex_dtype,
    is_datetime64_any_dtype,
    is_integer_dtype,
    is_numeric_dtype,
    is_object_dtype,
    is_timedelta64_dtype,
)

from ._column_encoders import point_masses

__all__ = [
    "ATOM_SHARE",
    "MAX_ATOMS",
    "ColumnSchema",
    "MAX_MAGNITUDE",
    "category_codes",
    "check_magnitude",
    "decode_column",
    "decode_values",
    "display_value",
    "encode_column",
    "infer_column",
]

# A numeric target with more distinct values than this is modelled as numeric.
_MAX_TARGET_CLASSES = 50

# A value of a numeric or datetime column held by at least this share of the
# rows is a point mass (an atom); at most this many, the most frequent, are kept.
ATOM_SHARE = 0.05
MAX_ATOMS = 3

# Finite values beyond this magnitude are refused: models compute squares and
# differences of the codes (variances, distances, mixtures), which overflow
# float64 (about 1.8e308) from about 1.3e154 on.
MAX_MAGNITUDE = 1e150

# Integers beyond this magnitude have no exact float64 code; such a column is
# modelled as categories of its exact values.
_MAX_EXACT_INT = 2**53


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
    scalar : type or None
        Python type of the cells of an ``object`` column of numbers that is
        restored on output when it is not ``int``/``float`` (``Decimal``).

    Notes
    -----
    A ``SparseDtype`` column is modelled as its dense values and restored
    sparse (``dtype`` is the sparse dtype). Integers beyond ``2**53`` in
    magnitude, which float64 codes cannot hold exactly, make the column
    categorical (its exact values are the categories). Finite values beyond
    :data:`MAX_MAGNITUDE` in magnitude are refused.
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
    scalar: type | None = None

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


def infer_column(name, s, *, target=False, kind=None):
    """Infer the ColumnSchema of a Series ``s`` (``kind`` forces the kind)."""
    dtype = s.dtype
    if isinstance(dtype, pd.SparseDtype):  # modelled dense, restored sparse
        column = infer_column(name, _dense(s), target=target, kind=kind)
        return replace(column, dtype=dtype)
    _check_supported(name, dtype)
    missing = pd.isna(s).to_numpy()
    n = len(s)
    if n and missing.all():
        raise ValueError(
            f"Column {_describe(name)} is entirely missing (all {n} values are "
            "NaN): there is nothing to learn from it; drop it first."
        )
    missing_rate = float(missing.mean()) if n else 0.0

    if kind == "numeric":
        return _numeric_column(name, s, dtype, missing_rate, exact=False)
    if isinstance(dtype, pd.CategoricalDtype):
        categories = tuple(dtype.categories)
        kind = "categorical"
    elif kind == "categorical":
        categories = _categories_of(name, s[~missing])
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
        observed = s[~missing]
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
        # object columns of numbers (ints, floats, Decimals) stay numeric;
        # strings stay strings, even when they read as numbers ("007").
        observed = s[~missing]
        values = pd.api.types.infer_dtype(observed, skipna=True)
        if values in _NUMBERS and not target:
            scalar = decimal.Decimal if values == "decimal" else None
            return _numeric_column(name, s, dtype, missing_rate, scalar=scalar)
        categories = _categories_of(name, observed)
        kind = "categorical"
    return _categorical_column(name, dtype, s[~missing], missing_rate, categories)


# What pandas' infer_dtype calls an object column of numbers only.
_NUMBERS = ("integer", "floating", "mixed-integer-float", "decimal")


def _categorical_column(name, dtype, observed, missing_rate, categories):
    codes = _codes_of(observed.to_numpy(dtype=object), categories)
    counts = tuple(np.bincount(codes, minlength=len(categories)).tolist())
    return ColumnSchema(
        name,
        "categorical",
        dtype,
        categories=categories,
        integer=True,
        missing_rate=missing_rate,
        low=0.0,
        high=float(max(len(categories) - 1, 0)),
        counts=counts,
    )


def _dense(s):
    return s.sparse.to_dense() if isinstance(s.dtype, pd.SparseDtype) else s


def _check_supported(name, dtype):
    """Refuse dtypes sksynth does not model, rather than change them silently."""
    if is_complex_dtype(dtype):
        raise TypeError(
            f"Column {_describe(name)} has dtype {dtype} (complex numbers), which "
            "sksynth does not model; split it into real and imaginary columns."
        )
    if is_timedelta64_dtype(dtype):
        raise TypeError(
            f"Column {_describe(name)} has dtype {dtype} (durations), which "
            "sksynth does not model; convert it to a number, e.g. "
            "s.dt.total_seconds()."
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


def _numeric_column(name, s, dtype, missing_rate, *, exact=True, scalar=None):
    """A numeric column, or a categorical one of integers float64 cannot hold."""
    observed = None
    if is_integer_dtype(dtype) or is_object_dtype(dtype) or scalar is not None:
        observed = s[~pd.isna(s).to_numpy()]  # (not needed for floats)
    if observed is not None and _beyond_float(observed, dtype):
        if not exact:
            raise ValueError(
                f"Column {_describe(name)} holds integers beyond 2**53 in "
                "magnitude, which float64 codes cannot hold exactly; it cannot "
                "be modelled as numeric (model it as categorical, or convert it)."
            )
        return _categorical_column(
            name, dtype, observed, missing_rate, _categories_of(name, observed)
        )
    values = _to_float(name, s)
    finite = values[~np.isnan(values)]
    big = np.abs(finite) > MAX_MAGNITUDE
    if big.any():
        raise ValueError(
            f"Column {_describe(name)} holds values as large as "
            f"{finite[big][np.argmax(np.abs(finite[big]))]:g}: sksynth models "
            f"numbers up to {MAX_MAGNITUDE:g} in magnitude (their squares must "
            "stay finite in float64); rescale the column first (e.g. divide it "
            "by a power of ten)."
        )
    integer = bool(np.all(finite == np.round(finite)))
    if scalar is decimal.Decimal:
        decimals = _decimal_places(name, observed)
    else:
        decimals = 0 if integer else _decimals(finite)
    return ColumnSchema(
        name,
        "numeric",
        dtype,
        integer=integer,
        missing_rate=missing_rate,
        low=float(finite.min()),
        high=float(finite.max()),
        decimals=decimals,
        atoms=_atoms(finite, len(values)),
        scalar=scalar,
    )


def _beyond_float(observed, dtype):
    """Whether the (integer) values need more than float64's 53 bits."""
    if is_integer_dtype(dtype):
        numpy_dtype = getattr(dtype, "numpy_dtype", dtype)
        if np.dtype(numpy_dtype).itemsize < 8:
            return False
        v = observed.to_numpy(dtype=numpy_dtype)
        if np.dtype(numpy_dtype).kind == "u":
            return bool((v > _MAX_EXACT_INT).any())
        return bool(((v > _MAX_EXACT_INT) | (v < -_MAX_EXACT_INT)).any())
    if is_object_dtype(dtype):
        return any(
            isinstance(v, numbers.Integral)
            and not isinstance(v, (bool, np.bool_))
            and abs(int(v)) > _MAX_EXACT_INT
            for v in observed.to_numpy()
        )
    return False


# float64 holds every decimal number of up to 15 significant digits exactly
# enough to print it back.
_DECIMAL_DIGITS = 15


def _decimal_places(name, observed):
    """Decimal places of a column of ``decimal.Decimal`` (its exponents)."""
    places = 0
    for v in observed.to_numpy():
        _, digits, exponent = v.as_tuple()
        if len(digits) > _DECIMAL_DIGITS:
            raise ValueError(
                f"Column {_describe(name)} holds Decimal values with more than "
                f"{_DECIMAL_DIGITS} significant digits (such as {v}), which "
                "sksynth's float64 codes cannot hold exactly; round them or "
                "convert the column to float first."
            )
        places = max(places, -int(exponent))
    return places


def _decimals(values, max_decimals=6):
    """Fewest decimals (<= max_decimals) that represent every value, or None.

    The tolerance is relative to each value (significant digits), so that
    tiny values such as 1e-12 are not rounded away.
    """
    sample = values[:: max(1, len(values) // 10000)]
    # the first rows veto most places at once (all of them for most
    # continuous columns); only the places they pass are checked on all
    powers = 10.0 ** np.arange(1, max_decimals + 1)  # exact, as 10.0**d
    head = sample[None, :8] * powers[:, None]
    passed = np.all(np.abs(head - np.round(head)) <= 1e-9 * np.abs(head), axis=1)
    for d in np.flatnonzero(passed) + 1:
        scaled = sample * 10.0 ** int(d)
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.abs(scaled)):
            return int(d)
    return None


def _to_float(name, s):
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "fiu":
        # numpy numbers (most columns): what pandas' conversion gives
        return float_codes(name, s.to_numpy())
    try:
        values = pd.to_numeric(s, errors="raise")
        values = pd.Series(values).to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Column {_describe(name)} should be numeric but holds non-numeric "
            f"values: {exc}"
        ) from exc
    return _refuse_inf(name, values)


def float_codes(name, values):
    """Codes of a numeric column given as an ndarray of numpy numbers."""
    return _refuse_inf(name, np.array(values, dtype=np.float64))


def _refuse_inf(name, values):
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


def encode_column(col, s):
    """Codes of the Series ``s`` in column ``col`` (a ValueError names the column)."""
    s = _dense(s)
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


def decode_column(col, z):
    """The Series of column ``col`` for its codes ``z``, in the dtype seen in fit.

    Integers are clipped to the range their dtype can hold (a model's value
    beyond it cannot be returned in that dtype; it would wrap around).
    """
    if isinstance(col.dtype, pd.SparseDtype):
        dense = decode_column(replace(col, dtype=col.dtype.subtype), z)
        return dense.astype(col.dtype)
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
            if isinstance(col.dtype, np.dtype):  # numpy bool cannot hold NA
                return pd.Series(values, dtype=object)
        return pd.Series(values).astype(col.dtype)
    if col.kind == "datetime":
        ticks = np.where(missing, np.iinfo(np.int64).min, z).astype(np.int64)
        s = pd.Series(ticks.view(f"datetime64[{col.unit}]"))
        if col.tz is not None:
            s = s.dt.tz_localize("UTC").dt.tz_convert(col.tz)
        return s.astype(col.dtype)
    z = _rounded_numeric(col, z)
    s = pd.Series(z)
    if is_object_dtype(col.dtype):
        values = z.astype(object)
        if col.scalar is decimal.Decimal:  # as many places as seen in fit
            form = "{!r}" if col.decimals is None else f"{{:.{col.decimals}f}}"
            values[~missing] = [
                decimal.Decimal(form.format(v)) for v in z[~missing].tolist()
            ]
        elif col.integer:
            values[~missing] = z[~missing].astype(np.int64)
        values[missing] = np.nan
        return pd.Series(values, dtype=object)
    if np.dtype("float64") != col.dtype and is_numeric_dtype(col.dtype):
        if missing.any() and isinstance(col.dtype, np.dtype):
            if col.dtype.kind in "iub":  # cannot hold NaN: keep float
                return s
        return s.astype(col.dtype)
    return s


def decode_values(col, z):
    """:func:`decode_column`, as an ndarray for a column of numpy numbers.

    The values a DataFrame or array column is built from, without a Series
    per column on the way (other columns: :func:`decode_column`'s Series).
    """
    dtype = col.dtype
    if col.kind != "numeric" or not isinstance(dtype, np.dtype) or (
        dtype.kind not in "fiu"
    ):
        return decode_column(col, z)
    z = _rounded_numeric(col, z)
    if dtype.kind in "iu" and np.isnan(z).any():  # cannot hold NaN: keep float
        return z
    return z if dtype == np.float64 else z.astype(dtype)


def _rounded_numeric(col, z):
    """Numeric codes at the decimals seen in fit, clipped to an integer dtype."""
    if col.decimals and not col.integer:
        z = np.round(z, col.decimals)
    if is_integer_dtype(col.dtype):
        z = np.clip(z, *_integer_range(col.dtype))
    return z


def _integer_range(dtype):
    """The float range an integer dtype holds (exactly castable back)."""
    info = np.iinfo(np.dtype(getattr(dtype, "numpy_dtype", dtype)))
    high = float(info.max)
    if high > info.max:  # 64 bits: 2**63 - 1 rounds up to 2**63
        high = float(np.nextafter(high, 0))
    return float(info.min), high


def display_value(col, code):
    """The value a code of column ``col`` stands for, for a message.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.preprocessing._columns import display_value, infer_column
    >>> col = infer_column("t", pd.Series(pd.to_datetime(["2020-01-12"])))
    >>> display_value(col, col.low)
    Timestamp('2020-01-12 00:00:00')
    """
    if np.isnan(code):
        return code
    if col.kind == "categorical":
        return col.categories[int(code)]
    if col.kind == "datetime":
        stamp = pd.Timestamp(int(code), unit=col.unit)
        return stamp.tz_localize("UTC").tz_convert(col.tz) if col.tz else stamp
    return int(code) if col.integer and abs(code) <= _MAX_EXACT_INT else float(code)


def check_magnitude(columns, limit, reason):
    """Raise a ValueError naming the first column with values beyond ``limit``.

    For models with a narrower range than float64 (such as scikit-learn's
    trees, which split on float32 copies of the features): ``reason`` says
    why, e.g. ``"ARFGenerator's trees split on float32 values"``.
    """
    for col in columns:
        if col.kind == "categorical":
            continue
        peak = max(abs(col.low), abs(col.high))
        if peak > limit:
            raise ValueError(
                f"Column {_describe(col.name)} holds values as large as "
                f"{peak:g} in magnitude, beyond {limit:g}: {reason}. Rescale "
                "the column first (e.g. divide it by a power of ten)."
            )
