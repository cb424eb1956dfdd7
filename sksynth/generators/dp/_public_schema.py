"""The kind of every column of a DP generator, from its dtype or the public domain.

The schema that :class:`~sksynth.base.BaseGenerator` infers reads the values:
an ``object`` column of numbers is numeric unless one row holds a string, a
float ``0``/``1`` target is categorical unless one row holds ``0.5``. For a
DP generator such a switch is a side channel outside the accounting (one row
changes the output deterministically), so its kinds are decided here from
what is public only:

===========================================  ==================================
dtype                                        kind
===========================================  ==================================
float (numpy, nullable ``Float64``)          numeric, not integer
int / uint (numpy, nullable ``Int64`` ...)   numeric, integer; the **target**:
                                             categorical
bool, ``category``, ``object``, ``str``      categorical
datetime                                     datetime
===========================================  ==================================

A public ``domain=`` entry overrides the dtype: ``low``/``high`` make a
column numeric (e.g. an ``object`` column of numbers, or an integer target
to regress), ``categories`` make the target categorical (e.g. a float
``0``/``1`` target). Whether a numeric column holds integers comes from the
dtype or the domain's ``integer`` key, never from the values; decimals are
never inferred (see :func:`~sksynth.generators.dp._domain.public_schema`).
Columns whose data-read kind differs are decoded and re-encoded with the
schema layer's public functions.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_float_dtype,
    is_integer_dtype,
)

from ...preprocessing._columns import decode_column, encode_column, infer_column

__all__ = ["dtype_kind", "public_kinds"]


def _base_dtype(dtype):
    if isinstance(dtype, pd.SparseDtype):
        return dtype.subtype
    return dtype


def dtype_kind(dtype, *, target=False):
    """The kind a DP generator gives a column of this dtype (no public domain)."""
    dtype = _base_dtype(dtype)
    if isinstance(dtype, pd.CategoricalDtype) or is_bool_dtype(dtype):
        return "categorical"
    if is_datetime64_any_dtype(dtype):
        return "datetime"
    if is_float_dtype(dtype):
        return "numeric"
    if is_integer_dtype(dtype):
        return "categorical" if target else "numeric"
    return "categorical"  # object, str: text or anything; public low/high: numeric


def _spec_kinds(schema, domain, bounds):
    """Kinds that the public ``domain=`` / ``bounds=`` impose, by position."""
    kinds = {}
    for arg, mapping in (("domain", domain), ("bounds", bounds)):
        if not isinstance(mapping, Mapping):
            continue  # parse_domain raises the clear error later
        for key, spec in mapping.items():
            try:
                j = schema.column_position(key)
            except ValueError:
                continue  # idem
            if arg == "bounds":
                kinds[j] = "numeric"
                continue
            is_target = schema.has_target and j == schema.target_index
            if isinstance(spec, Mapping):
                if "low" in spec or "high" in spec:
                    kinds[j] = "numeric"
                elif "categories" in spec and is_target:
                    kinds[j] = "categorical"
            elif is_target and not isinstance(spec, (str, bytes)):
                kinds[j] = "categorical"
    return kinds


def public_kinds(schema, Z, domain=None, bounds=None):
    """The schema and code matrix with every column's kind decided publicly.

    Parameters
    ----------
    schema : TableSchema
        The schema inferred from the data (its kinds may be data-dependent).
    Z : ndarray of shape (n_samples, n_columns)
        The code matrix in ``schema``.
    domain, bounds : dict or None
        The generator's public domain parameters.

    Returns
    -------
    schema : TableSchema
        Same columns, each of the kind its dtype (or the public domain) gives.
    Z : ndarray
        The code matrix in the returned schema (a copy where a column changed).
    """
    forced = _spec_kinds(schema, domain, bounds)
    cols, out = list(schema.columns), Z
    for j, col in enumerate(schema.columns):
        target = schema.has_target and j == schema.target_index
        kind = forced.get(j, dtype_kind(col.dtype, target=target))
        if kind == "datetime" or col.kind == kind:
            continue
        if kind == "numeric" and col.kind == "datetime":
            continue  # a datetime stays a datetime
        values = decode_column(col, Z[:, j])
        new = infer_column(col.name, values, target=target, kind=kind)
        if out is Z:
            out = np.array(Z, dtype=float, copy=True)
        out[:, j] = encode_column(new, values)
        cols[j] = new
    return schema.with_columns(cols), out
