"""The domain of a DP generator: public, or estimated under DP; discretisation.

Every column becomes one discrete attribute whose cells are

* categorical: the public or released categories, then an ``other`` cell
  (DP-estimated domains only: the rows whose category was suppressed), then a
  ``missing`` cell if missing values are part of the domain;
* numeric / datetime: ``n_bins`` bins on ``[low, high]`` (one per integer when an
  integer column has few values), then a ``missing`` cell.

Nothing here reads the data for free: a column's domain comes from the user
(``domain=`` / ``bounds=``), from its dtype (pandas ``category`` and ``bool``
columns), or from a Gaussian mechanism charged to the accountant.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_integer_dtype
from scipy.special import ndtri

from .accounting import gaussian_rho

__all__ = [
    "ColumnDomain", "DPDomainWarning", "DomainBuilder", "parse_domain",
]


class DPDomainWarning(UserWarning):
    """A DP-estimated domain is unreliable (too few rows for its budget share)."""


_FIX = (
    "Give the column's public bounds and categories (domain={...} / bounds={...} "
    "in Python, --domain domain.json on the command line), or raise epsilon "
    "(or domain_budget)."
)

# public grid for DP bounds: 0 and +-10**(k/8), 1e-6 .. 1e19
_GRID_POS = 10.0 ** (np.arange(-48, 153) / 8.0)
_EDGES = np.concatenate([-_GRID_POS[::-1], _GRID_POS])  # bucket edges (0 inside)
_N_REFINE = 8
# a DP domain estimate whose released counts sum to less than this many
# thresholds is reported as unreliable (too few rows for the budget share)
_RELIABLE = 4.0
# index (in searchsorted(_EDGES, x, side="right")) of the bucket [1, 10**(1/8))
_DECADE = int(np.searchsorted(_EDGES, 1.0, side="right"))


@dataclass
class ColumnDomain:
    """The discrete domain of one column.

    Attributes
    ----------
    kind : {"categorical", "numeric"}
    categories : tuple
        Categorical cells (original values), in cell order.
    has_other : bool
        An extra cell collects categories suppressed by the DP threshold.
    has_missing : bool
        A last cell holds missing values.
    low, high : float
        Numeric range; values outside are clipped to it (DP-estimated bounds).
    integer : bool
        Numeric values are integers.
    edges : ndarray
        Numeric bin edges.
    source : {"public", "dtype", "dp"}
        Where the domain came from.
    """

    kind: str
    categories: tuple = ()
    has_other: bool = False
    has_missing: bool = False
    low: float = np.nan
    high: float = np.nan
    integer: bool = False
    edges: np.ndarray = None
    source: str = "public"

    @property
    def n_values(self):
        """Number of value cells (categories + other, or bins)."""
        if self.kind == "categorical":
            return len(self.categories) + int(self.has_other)
        return len(self.edges) - 1

    @property
    def size(self):
        """Number of cells, including ``missing``."""
        return self.n_values + int(self.has_missing)

    def describe(self):
        """A JSON-able summary (the format ``domain=`` accepts)."""
        if self.kind == "categorical":
            return {
                "categories": [_plain(c) for c in self.categories],
                "missing": self.has_missing,
            }
        return {
            "low": _plain(self.low), "high": _plain(self.high),
            "missing": self.has_missing, "integer": self.integer,
        }


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _bins(low, high, integer, n_bins, hist=None):
    """Bin edges on ``[low, high]``.

    One bin per integer when an integer column has at most ``n_bins`` values;
    otherwise equal-width bins, or, when ``hist`` (the noisy log-scale
    histogram already paid for by the DP bounds: ``(edges, noisy counts)``)
    is given, bins of about equal noisy mass cut at the histogram's edges, so
    that skewed columns and point masses such as 0 keep their shape (free:
    post-processing).
    """
    if integer:
        low, high = math.floor(low), math.ceil(high)
        if high - low + 1 <= n_bins:
            return np.arange(low, high + 2, dtype=float) - 0.5, float(low), float(high)
    if high <= low:
        high = low + (1.0 if integer else max(abs(low) * 1e-6, 1e-9))
    if hist is None:
        return np.linspace(low, high, n_bins + 1), float(low), float(high)
    edges, noisy, sigma = hist
    noisy = np.where(noisy > 2 * sigma, noisy, 0.0)  # denoise (post-processing)
    # buckets clipped to [low, high]
    inner = edges[(edges > low) & (edges < high)]
    cuts = np.concatenate([[low], inner, [high]])
    mass = np.zeros(len(cuts) - 1)
    for k in range(len(cuts) - 1):
        # the histogram bucket [edges[i], edges[i + 1]) that holds this piece
        i = np.searchsorted(edges, cuts[k], side="right") - 1
        mass[k] = max(noisy[i], 0.0) if 0 <= i < len(noisy) else 0.0
    # coalesce runs of (denoised) empty buckets into one bin each
    keep = [0] + [k for k in range(1, len(mass)) if mass[k] > 0 or mass[k - 1] > 0]
    cuts = [cuts[k] for k in keep] + [cuts[-1]]
    mass = [float(np.sum(mass[a:b])) for a, b in zip(keep, keep[1:] + [len(mass)])]
    while len(mass) > n_bins:  # merge the lightest adjacent pair
        pair = np.add(mass[:-1], mass[1:])
        k = int(np.argmin(pair))
        mass[k:k + 2] = [pair[k]]
        del cuts[k + 1]
    min_width = 2.0 if integer else 1e-3 * (high - low) / n_bins
    while len(mass) < n_bins:  # split the heaviest bin (uniform inside)
        widths = np.diff(cuts)
        ok = widths >= min_width
        if not ok.any():
            break
        k = int(np.argmax(np.where(ok, mass, -np.inf)))
        mid = (cuts[k] + cuts[k + 1]) / 2
        if integer:
            mid = math.floor(mid) + 0.5
        cuts.insert(k + 1, mid)
        mass[k:k + 1] = [mass[k] / 2, mass[k] / 2]
    out = np.unique(np.asarray(cuts))
    if len(out) < 2:
        out = np.array([low, high])
    return out, float(low), float(high)


def _can_be_missing(col):
    """Whether the column's dtype can hold missing values (public)."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype) and (
        is_integer_dtype(dtype) or is_bool_dtype(dtype)
    ):
        return False
    return True


def _is_integer(col):
    """Integer valued, as far as the (public) dtype says."""
    if col.kind == "datetime":
        return True
    return bool(is_integer_dtype(col.dtype) or is_bool_dtype(col.dtype))


# ------------------------------------------------------------------- parsing
def parse_domain(domain, bounds, schema):
    """Public domain specifications, keyed by column position.

    ``domain`` maps a column name (``"y"`` or its name for the target) to a
    list of categories, or to a dict with keys ``categories`` (list),
    ``low``/``high`` (numbers), ``missing`` (bool), ``integer`` (bool).
    ``bounds`` maps a column name to ``(low, high)``.
    """
    specs = {}
    for arg, mapping in (("domain", domain), ("bounds", bounds)):
        if mapping is None:
            continue
        if not isinstance(mapping, Mapping):
            raise TypeError(
                f"{arg} must be a dict {{column: spec}}, got {type(mapping).__name__}."
            )
        for key, spec in mapping.items():
            try:
                j = schema.column_position(key)
            except ValueError as exc:
                raise ValueError(f"{arg}: {exc}") from exc
            col = schema.columns[j]
            if arg == "bounds":
                spec = _bounds_spec(key, spec)
            elif not isinstance(spec, Mapping):
                if isinstance(spec, (str, bytes)) or not hasattr(spec, "__iter__"):
                    raise TypeError(
                        f"domain[{key!r}] must be a list of categories or a dict, "
                        f"got {spec!r}."
                    )
                spec = {"categories": list(spec)}
            spec = dict(spec)
            unknown = set(spec) - {"categories", "low", "high", "missing", "integer"}
            if unknown:
                raise ValueError(
                    f"{arg}[{key!r}] has unknown keys {sorted(unknown)}; use "
                    "categories, low, high, missing, integer."
                )
            merged = specs.setdefault(j, {})
            merged.update(spec)
            if col.kind == "categorical" and ("low" in merged or "high" in merged):
                raise ValueError(
                    f"{arg}[{key!r}]: column {col.name!r} is categorical; give "
                    "its categories, not low/high."
                )
            if col.kind != "categorical" and "categories" in merged:
                # numbers listed for a numeric column: their range, as public
                cats = list(merged["categories"])
                if cats and all(
                    isinstance(v, numbers.Real) and not isinstance(v, bool)
                    for v in cats
                ):
                    del merged["categories"]
                    merged.setdefault("low", min(cats))
                    merged.setdefault("high", max(cats))
                    merged.setdefault(
                        "integer", all(float(v).is_integer() for v in cats)
                    )
            if col.kind != "categorical" and "categories" in merged:
                raise ValueError(
                    f"{arg}[{key!r}]: column {col.name!r} is numeric; give low "
                    "and high, not categories."
                )
            if ("low" in merged) != ("high" in merged) and arg == "bounds":
                raise ValueError(f"bounds[{key!r}] needs both low and high.")
    for j, spec in specs.items():
        if "low" in spec and "high" in spec:
            lo, hi = float(spec["low"]), float(spec["high"])
            if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
                raise ValueError(
                    f"Public bounds of column {schema.columns[j].name!r} must be "
                    f"finite with low <= high, got ({lo}, {hi})."
                )
        elif "low" in spec or "high" in spec:
            raise ValueError(
                f"Public bounds of column {schema.columns[j].name!r} need both "
                "low and high."
            )
    return specs


def _bounds_spec(key, spec):
    if isinstance(spec, Mapping):
        return dict(spec)
    try:
        lo, hi = spec
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"bounds[{key!r}] must be a pair (low, high), got {spec!r}."
        ) from exc
    return {"low": lo, "high": hi}


def _match_categories(col, public):
    """Map the column's (data) categories to positions in the public list."""
    public = list(public)
    if len(set(map(repr, public))) != len(public):
        raise ValueError(f"The public categories of {col.name!r} have duplicates.")
    lookup = {}
    for i, u in enumerate(public):
        lookup.setdefault(("v", _hashable(u)), i)
        lookup.setdefault(("s", str(u)), i)
    mapping = np.empty(col.n_categories, dtype=np.int64)
    values = list(public)
    for k, c in enumerate(col.categories):
        i = lookup.get(("v", _hashable(c)), lookup.get(("s", str(c))))
        if i is None:
            raise ValueError(
                f"Column {col.name!r} holds the value {c!r}, which is not in the "
                f"public domain you gave ({public[:10]}...). A public domain must "
                "cover the data."
            )
        mapping[k] = i
        values[i] = c  # keep the data's representation (e.g. int, not "1")
    return mapping, tuple(_coerce(values, col))


def _hashable(v):
    try:
        hash(v)
        return v
    except TypeError:
        return repr(v)


def _coerce(values, col):
    """Public categories in the column's dtype where possible."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iufb":
        out = []
        for v in values:
            try:
                out.append(dtype.type(v).item())
            except (TypeError, ValueError):
                out.append(v)
        return out
    return values


# ---------------------------------------------------------------- estimation
class DomainBuilder:
    """Build every column's domain, charging DP steps to ``accountant``."""

    def __init__(self, schema, specs, n_bins, accountant, rng):
        self.schema = schema
        self.specs = specs
        self.n_bins = n_bins
        self.accountant = accountant
        self.rng = rng
        self.unreliable = []  # (column, reason): post-processing of the release

    def needs_budget(self):
        """Columns whose domain must be estimated under DP."""
        return [j for j in range(self.schema.n_columns) if self.private_parts(j)]

    def private_parts(self, j):
        """What of column ``j``'s domain is private (paid for): a subset of
        ``["categories", "missing", "bounds"]``."""
        col, spec = self.schema.columns[j], self.specs.get(j, {})
        parts = []
        if col.kind == "categorical":
            if "categories" not in spec and not _dtype_categories(col):
                parts.append("categories")
            elif "missing" not in spec and _can_be_missing(col):
                parts.append("missing")
        else:
            if "low" not in spec:
                parts.append("bounds")
            elif "missing" not in spec and _can_be_missing(col):
                parts.append("missing")
        return parts

    def build(self, Z, rho_domain, delta_labels):
        """Return (domains, codes mapping) for all columns."""
        private = self.needs_budget()
        n_label = sum(
            "categories" in self.private_parts(j) for j in private
        )
        rho_col = rho_domain / max(len(private), 1)
        delta_col = delta_labels / max(n_label, 1)
        domains, maps = [], []
        for j, col in enumerate(self.schema.columns):
            parts = self.private_parts(j)
            spec = self.specs.get(j, {})
            z = Z[:, j]
            if col.kind == "categorical":
                dom, mapping = self._categorical(j, col, spec, z, parts, rho_col,
                                                 delta_col)
            else:
                dom, mapping = self._numeric(j, col, spec, z, parts, rho_col), None
            domains.append(dom)
            maps.append(mapping)
        self._warn_unreliable()
        return domains, maps

    def _warn_unreliable(self):
        """One warning for every column whose DP domain estimate is unreliable."""
        if not self.unreliable:
            return
        k = len(self.unreliable)
        groups = {}
        for name, why, detail in self.unreliable:
            groups.setdefault(why, []).append(f"{name!r} ({detail})")
        what = "; ".join(f"{why}: {', '.join(cols)}" for why, cols in groups.items())
        warnings.warn(
            f"The DP estimate of the domain of {k} column{'s' * (k > 1)} is "
            "unreliable, too few rows for the share of the budget it gets. "
            f"{what}. Generated values stay within the released domain. "
            + _FIX,
            DPDomainWarning, stacklevel=7,
        )

    def _noisy(self, counts, rho, name, mechanism="gaussian", delta=0.0):
        sigma = math.sqrt(1.0 / (2.0 * rho))
        self.accountant.charge(name, mechanism, gaussian_rho(sigma), delta)
        return counts + self.rng.normal(0.0, sigma, size=np.shape(counts)), sigma

    def _categorical(self, j, col, spec, z, parts, rho, delta):
        missing = np.isnan(z)
        name = repr(col.name)
        if "categories" in parts:
            # thresholded Gaussian histogram over the data's categories + missing
            codes = np.where(missing, col.n_categories, z).astype(np.int64)
            counts = np.bincount(codes, minlength=col.n_categories + 1)
            noisy, sigma = self._noisy(
                counts.astype(float), rho, f"domain of {name} (categories)",
                "thresholded-gaussian", delta,
            )
            # a category present in one neighbour only has count 1: released
            # with probability <= delta
            tau = 1.0 + sigma * ndtri(1.0 - delta)
            keep = np.flatnonzero(noisy[:-1] > tau)
            has_missing = bool(
                _can_be_missing(col) and noisy[-1] > sigma * _missing_z()
            )
            if "missing" in spec:
                has_missing = bool(spec["missing"])
            cats = tuple(col.categories[k] for k in keep)
            if len(keep) and noisy[keep].sum() < _RELIABLE * tau:
                self.unreliable.append((
                    col.name,
                    f"a category needs about {tau:.0f} rows to be released (noise "
                    f"sd {sigma:.3g}), so rarer categories are suppressed (their "
                    "rows are sampled back as released ones)",
                    f"released categories hold about {noisy[keep].sum():.0f} rows",
                ))
            mapping = np.full(col.n_categories, len(cats), dtype=np.int64)
            mapping[keep] = np.arange(len(keep))
            dom = ColumnDomain("categorical", cats, has_other=True,
                               has_missing=has_missing, source="dp")
            return dom, mapping
        if "categories" in spec:
            mapping, cats = _match_categories(col, spec["categories"])
            source = "public"
        else:
            cats = _dtype_categories(col)
            mapping, cats = _match_categories(col, cats)
            source = "dtype"
        has_missing = self._has_missing(col, spec, missing, parts, rho, name)
        dom = ColumnDomain("categorical", tuple(cats), has_other=False,
                           has_missing=has_missing, source=source)
        return dom, mapping

    def _has_missing(self, col, spec, missing, parts, rho, name):
        """Whether the column can be missing: a noisy count, or public."""
        if "missing" in parts:
            noisy, sigma = self._noisy(
                float(missing.sum()), rho, f"domain of {name} (missing)"
            )
            return bool(noisy > sigma * _missing_z())
        has_missing = bool(spec.get("missing", False))
        if missing.any() and not has_missing:
            raise ValueError(
                f"Column {col.name!r} has missing values but its public domain "
                "says missing=False (or leaves it out); set missing=True."
            )
        return has_missing

    def _numeric(self, j, col, spec, z, parts, rho):
        name = repr(col.name)
        missing = np.isnan(z)
        x = z[~missing]
        integer = bool(spec.get("integer", _is_integer(col)))
        if "bounds" in parts:
            has_missing, low, high, hist = self._dp_bounds(
                col, x, missing, rho, name
            )
            low, high = _within_dtype(col, low, high)
            if "missing" in spec:
                has_missing = bool(spec["missing"])
            source = "dp"
        else:
            low, high = float(spec["low"]), float(spec["high"])
            if len(x) and (x.min() < low or x.max() > high):
                raise ValueError(
                    f"Column {col.name!r} has values outside its public bounds "
                    f"[{low}, {high}]. Public bounds must cover the data."
                )
            has_missing = self._has_missing(col, spec, missing, parts, rho, name)
            source = "public"
            hist = None
        edges, low, high = _bins(low, high, integer, self.n_bins, hist)
        return ColumnDomain("numeric", has_missing=has_missing, low=low, high=high,
                            integer=integer, edges=edges, source=source)

    def _dp_bounds(self, col, x, missing, rho, name):
        """Bounds from two Gaussian histograms on a public log-scale grid."""
        can_miss = _can_be_missing(col)
        # stage 1: log-scale buckets (+ missing cell); sensitivity 1
        idx = np.searchsorted(_EDGES, x, side="right")  # 0 .. len(_EDGES)
        nb = len(_EDGES) + 1
        counts = np.bincount(idx, minlength=nb).astype(float)
        if can_miss:
            counts = np.append(counts, missing.sum())
        noisy, sigma = self._noisy(counts, rho / 2, f"domain of {name} (range)")
        has_missing = bool(can_miss and noisy[-1] > sigma * _missing_z())
        noisy = noisy[:nb]
        thr = sigma * ndtri(1 - 0.01 / nb)
        hit = np.flatnonzero(noisy > thr)
        guess = None
        if len(hit) == 0:
            hit, guess = _coarse_hit(noisy, sigma)
        elif noisy[hit[0]:hit[-1] + 1].sum() < _RELIABLE * thr:
            guess = "thin"
        lo_b, hi_b = hit[0], hit[-1]
        edges_ext = np.concatenate([[-1e20], _EDGES, [1e20]])
        # stage 2: refine the lowest and highest buckets (disjoint sets of rows
        # unless they are the same bucket: then one refinement serves both)
        a, b = edges_ext[lo_b], edges_ext[lo_b + 1]
        c, d = edges_ext[hi_b], edges_ext[hi_b + 1]
        sub_lo = np.linspace(a, b, _N_REFINE + 1)
        sub_hi = np.linspace(c, d, _N_REFINE + 1)
        in_lo = (idx == lo_b)
        in_hi = (idx == hi_b) & (lo_b != hi_b)
        k_lo = np.clip(np.searchsorted(sub_lo, x[in_lo], side="right") - 1, 0,
                       _N_REFINE - 1)
        k_hi = np.clip(np.searchsorted(sub_hi, x[in_hi], side="right") - 1, 0,
                       _N_REFINE - 1)
        counts2 = np.concatenate([
            np.bincount(k_lo, minlength=_N_REFINE),
            np.bincount(k_hi, minlength=_N_REFINE),
        ]).astype(float)
        noisy2, sigma2 = self._noisy(counts2, rho / 2,
                                     f"domain of {name} (range refinement)")
        thr2 = sigma2 * ndtri(1 - 0.01 / (2 * _N_REFINE))
        lo_hits = np.flatnonzero(noisy2[:_N_REFINE] > thr2)
        low = sub_lo[lo_hits[0]] if len(lo_hits) else a
        if lo_b != hi_b:
            hi_hits = np.flatnonzero(noisy2[_N_REFINE:] > thr2)
            high = sub_hi[hi_hits[-1] + 1] if len(hi_hits) else d
        else:
            high = sub_lo[lo_hits[-1] + 1] if len(lo_hits) else b
        low, high = float(max(low, -1e19)), float(min(high, 1e19))
        hist = (edges_ext, noisy, sigma)
        if guess:
            rng = _dtype_range(col)
            if rng is not None and rng[1] - rng[0] < 2.0**17:
                low, high, hist = rng[0], rng[1], None
                where = f"its dtype's range [{low:g}, {high:g}] is used"
            elif guess == "thin":
                where = (f"[{low:.4g}, {high:.4g}] may cut off data (clipped "
                         "to it) or hold a spurious bucket")
            elif guess == "coarse":
                where = (f"[{low:.4g}, {high:.4g}] from a coarser view, may be "
                         "far wider than the data")
            else:
                where = f"[{low:.4g}, {high:.4g}] is a guess, not an estimate"
            self.unreliable.append((
                col.name,
                ("few buckets of the range histogram cleared the noise"
                 if guess == "thin" else
                 "no bucket of the range histogram cleared the noise")
                + f" (noise sd {sigma:.3g} rows per bucket, a bucket needs about "
                f"{thr:.0f} rows)",
                where,
            ))
        return has_missing, low, high, hist


def _coarse_hit(noisy, sigma):
    """Buckets of a coarser view of a noisy histogram where nothing cleared.

    Groups of 8, 16, 32 adjacent buckets (one to four decades): the first
    group size whose largest noisy sum clears its own threshold, else the
    largest sum of 8 (a guess). Post-processing of the released histogram.
    """
    def groups(width):
        # aligned on decades: bucket _DECADE holds [1, 10**(1/8))
        start = _DECADE % width
        m = (len(noisy) - start) // width * width
        return start, noisy[start:start + m].reshape(-1, width).sum(axis=1)

    for width in (8, 16, 32):
        start, sums = groups(width)
        thr = sigma * math.sqrt(width) * ndtri(1 - 0.01 / len(sums))
        if sums.max() > thr:
            g = start + int(np.argmax(sums)) * width
            return np.arange(g, g + width), "coarse"
    start, sums = groups(8)
    g = start + int(np.argmax(sums)) * 8
    return np.arange(g, g + 8), "guess"


def _dtype_range(col):
    """The range of a bounded integer dtype (public), or None."""
    dtype = col.dtype
    if isinstance(dtype, pd.SparseDtype):
        dtype = dtype.subtype
    if col.kind == "numeric" and is_integer_dtype(dtype):
        info = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
        return float(info.min), float(info.max)
    return None


def _within_dtype(col, low, high):
    """DP bounds cut to what the dtype can hold (an int8 never leaves -128..127).

    When nothing of the estimate lies in the dtype's range, the whole range.
    """
    rng = _dtype_range(col)
    if rng is None:
        return low, high
    lo, hi = max(low, rng[0]), min(high, rng[1])
    if lo > hi:
        return rng
    return lo, hi


def _missing_z():
    """Noisy missing counts above this many sigmas open a missing cell."""
    return 3.0


def _dtype_categories(col):
    """Categories that the dtype itself declares (public), or None."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return tuple(col.dtype.categories)
    if is_bool_dtype(col.dtype):
        return (False, True)
    return None


def public_schema(schema, domains):
    """The fit schema with everything data-derived replaced by the domain."""
    cols = []
    for col, dom in zip(schema.columns, domains):
        if dom.kind == "categorical":
            k = len(dom.categories)
            cols.append(replace(
                col, categories=tuple(dom.categories), counts=(), low=0.0,
                high=float(max(k - 1, 0)), missing_rate=float(dom.has_missing),
                integer=True, atoms=(),
            ))
        else:
            cols.append(replace(
                col, low=dom.low, high=dom.high, integer=dom.integer,
                missing_rate=float(dom.has_missing), atoms=(),
                # the number of decimals seen in the data is data-dependent too
                decimals=0 if dom.integer else None,
            ))
    return schema.with_columns(cols)


def check_n_bins(n_bins):
    if not isinstance(n_bins, numbers.Integral) or n_bins < 2:
        raise ValueError(f"n_bins must be an integer >= 2, got {n_bins!r}.")

