"""Fidelity: how close the marginals and pairwise dependencies are."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.stats import rankdata, wasserstein_distance

from ._base import prepare

__all__ = [
    "column_pair_table",
    "column_pairs",
    "column_shape_table",
    "column_shapes",
    "correlation_ratio",
    "ks_statistic",
    "total_variation_distance",
]


def ks_statistic(a, b):
    """Two-sample Kolmogorov–Smirnov statistic, missing values included.

    NaN is treated as a value above every other one, so the statistic also
    measures the difference of missing rates (without NaN it equals
    ``scipy.stats.ks_2samp(a, b).statistic``).

    Parameters
    ----------
    a, b : array-like of shape (n,) and (m,)
        Numeric samples (NaN = missing).

    Returns
    -------
    statistic : float
        The largest distance between the two empirical CDFs, in [0, 1].

    Examples
    --------
    >>> from sksynth.metrics import ks_statistic
    >>> ks_statistic([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0])
    0.0
    >>> ks_statistic([1.0, 2.0], [3.0, 4.0])
    1.0
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if len(a) == 0 or len(b) == 0:
        raise ValueError("ks_statistic needs two non-empty samples.")
    a = np.sort(np.where(np.isnan(a), np.inf, a))
    b = np.sort(np.where(np.isnan(b), np.inf, b))
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def total_variation_distance(a, b, n_categories=None):
    """Total variation distance between two samples of category codes.

    Parameters
    ----------
    a, b : array-like of int codes (NaN = missing, one more category)
    n_categories : int, default=None
        Number of categories (inferred from the codes when None).

    Returns
    -------
    tvd : float
        Half the L1 distance between the two frequency vectors, in [0, 1].

    Examples
    --------
    >>> from sksynth.metrics import total_variation_distance
    >>> total_variation_distance([0, 0, 1, 1], [0, 1, 1, 1])
    0.25
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if n_categories is None:
        n_categories = int(np.nanmax(np.concatenate([a, b, [-1]]))) + 1
    return float(0.5 * np.abs(_freq(a, n_categories) - _freq(b, n_categories)).sum())


def _freq(codes, k):
    codes = np.where(np.isnan(codes), k, codes).astype(np.int64)
    return np.bincount(codes, minlength=k + 1) / len(codes)


def correlation_ratio(categories, values):
    """Correlation ratio (eta) of a numeric variable given a categorical one.

    Parameters
    ----------
    categories : array-like of int codes
    values : array-like of float

    Returns
    -------
    eta : float in [0, 1] (NaN when ``values`` is constant)

    Examples
    --------
    >>> from sksynth.metrics import correlation_ratio
    >>> correlation_ratio([0, 0, 1, 1], [1.0, 1.0, 5.0, 5.0])
    1.0
    """
    c = np.asarray(categories, dtype=np.float64)
    x = np.asarray(values, dtype=np.float64)
    keep = ~np.isnan(x)
    c, x = c[keep], x[keep]
    if len(x) < 2:
        return np.nan
    c = np.where(np.isnan(c), -1, c)
    _, groups = np.unique(c, return_inverse=True)
    total = np.sum((x - x.mean()) ** 2)
    if total <= 0:
        return np.nan
    n_g = np.bincount(groups)
    means = np.bincount(groups, weights=x) / n_g
    between = np.sum(n_g * (means - x.mean()) ** 2)
    return float(np.sqrt(min(between / total, 1.0)))


class _Ranks:
    """Spearman correlations with the ranks of complete columns cached."""

    def __init__(self, Z):
        self.Z = Z
        self.cache = {}

    def _ranks(self, j):
        if j not in self.cache:
            z = self.Z[:, j]
            self.cache[j] = None if np.isnan(z).any() else rankdata(z)
        return self.cache[j]

    def corr(self, i, j):
        ri, rj = self._ranks(i), self._ranks(j)
        if ri is None or rj is None:
            return _spearman(self.Z[:, i], self.Z[:, j])
        if len(ri) < 3 or ri.std() == 0 or rj.std() == 0:
            return np.nan
        return float(np.corrcoef(ri, rj)[0, 1])


def _spearman(x, y):
    keep = ~(np.isnan(x) | np.isnan(y))
    if keep.sum() < 3:
        return np.nan
    rx, ry = rankdata(x[keep]), rankdata(y[keep])
    if rx.std() == 0 or ry.std() == 0:
        return np.nan
    return float(np.corrcoef(rx, ry)[0, 1])


def _contingency_tvd(ar, br, as_, bs, ka, kb):
    def joint(a, b):
        a = np.where(np.isnan(a), ka, a).astype(np.int64)
        b = np.where(np.isnan(b), kb, b).astype(np.int64)
        return np.bincount(a * (kb + 1) + b, minlength=(ka + 1) * (kb + 1)) / len(a)

    return float(0.5 * np.abs(joint(ar, br) - joint(as_, bs)).sum())


def column_shape_table(real, synthetic):
    """Per-column comparison of the marginal distributions.

    Numeric and datetime columns are compared by the Kolmogorov–Smirnov
    statistic (missing values count as one more value, see
    :func:`ks_statistic`) and the Wasserstein distance of their observed values
    divided by the range of ``real``; categorical columns by the total
    variation distance (missing is one more category). Column types come from
    ``real`` through :class:`~sksynth.preprocessing.TableSchema`.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n, n_columns)
        Tables with the same columns.

    Returns
    -------
    table : DataFrame
        One row per column: ``column``, ``kind``, ``statistic`` ("ks" or
        "tvd"), ``distance``, ``score`` (1 - distance), ``wasserstein``
        (scaled, numeric only), ``missing_real``, ``missing_synthetic``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.metrics import column_shape_table
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("aabb")})
    >>> synth = pd.DataFrame({"x": [1.0, 2.0, 3.0, 9.0], "c": list("abbb")})
    >>> column_shape_table(real, synth)[["column", "statistic", "score"]]
      column statistic  score
    0      x        ks   0.75
    1      c       tvd   0.75
    """
    schema, (Zr, Zs) = prepare(real, synthetic, names=["real", "synthetic"])
    rows = []
    for j, col in enumerate(schema.columns):
        r, s = Zr[:, j], Zs[:, j]
        mr, ms = float(np.isnan(r).mean()), float(np.isnan(s).mean())
        if col.kind == "categorical":
            stat, dist = "tvd", total_variation_distance(r, s, col.n_categories)
            wass = np.nan
        else:
            stat, dist = "ks", ks_statistic(r, s)
            ro, so = r[~np.isnan(r)], s[~np.isnan(s)]
            if len(ro) and len(so):
                span = (col.high - col.low) or 1.0
                wass = float(wasserstein_distance(ro, so) / span)
            else:
                wass = np.nan
        rows.append(
            {
                "column": col.name,
                "kind": col.kind,
                "statistic": stat,
                "distance": dist,
                "score": 1.0 - dist,
                "wasserstein": wass,
                "missing_real": mr,
                "missing_synthetic": ms,
            }
        )
    return pd.DataFrame(rows)


def column_shapes(real, synthetic, *, random_state=None):
    """Column-shape score in [0, 1]: mean of 1 - KS (numeric) or 1 - TVD.

    1 means every marginal (including its missing rate) is identical.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n, n_columns)
        Tables with the same columns.
    random_state : None
        Unused (the score is exact); accepted for a uniform signature.

    Returns
    -------
    score : float

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.metrics import column_shapes
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("aabb")})
    >>> column_shapes(real, real)
    1.0
    """
    return float(column_shape_table(real, synthetic)["score"].mean())


def column_pair_table(real, synthetic, *, max_columns=None):
    """Per-pair comparison of the dependencies between columns.

    * numeric/numeric: Spearman rank correlation on rows where both are
      observed; score ``1 - |rho_real - rho_synthetic| / 2``;
    * categorical/categorical: total variation distance between the two
      contingency tables (missing is a category); score ``1 - tvd``;
    * numeric/categorical: correlation ratio (eta) of the numeric column given
      the categorical one; score ``1 - |eta_real - eta_synthetic|``.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n, n_columns)
        Tables with the same columns.
    max_columns : int, default=None
        Use only the first ``max_columns`` columns (the number of pairs is
        quadratic in the number of columns).

    Returns
    -------
    table : DataFrame
        One row per pair: ``column_1``, ``column_2``, ``kind``, ``statistic``,
        ``real``, ``synthetic`` (the association in each table; NaN for
        contingency tables), ``score``. Pairs involving a constant column get a
        NaN score.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.metrics import column_pair_table
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 4.0]})
    >>> synth = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [4.0, 3.0, 2.0, 1.0]})
    >>> column_pair_table(real, synth)[["statistic", "real", "synthetic", "score"]]
      statistic  real  synthetic  score
    0  spearman   1.0       -1.0    0.0
    """
    schema, (Zr, Zs) = prepare(real, synthetic, names=["real", "synthetic"])
    cols = schema.columns[: max_columns or None]
    rows = []
    ranks_r, ranks_s = _Ranks(Zr), _Ranks(Zs)
    for i, j in itertools.combinations(range(len(cols)), 2):
        ci, cj = cols[i], cols[j]
        cat_i, cat_j = ci.kind == "categorical", cj.kind == "categorical"
        if not cat_i and not cat_j:
            stat = "spearman"
            vr, vs = ranks_r.corr(i, j), ranks_s.corr(i, j)
            score = 1 - abs(vr - vs) / 2
        elif cat_i and cat_j:
            stat, vr, vs = "contingency_tvd", np.nan, np.nan
            if ci.is_constant and cj.is_constant:
                score = np.nan
            else:
                score = 1 - _contingency_tvd(
                    Zr[:, i], Zr[:, j], Zs[:, i], Zs[:, j],
                    ci.n_categories, cj.n_categories,
                )
        else:
            c, x = (i, j) if cat_i else (j, i)
            stat = "correlation_ratio"
            vr = correlation_ratio(Zr[:, c], Zr[:, x])
            vs = correlation_ratio(Zs[:, c], Zs[:, x])
            score = 1 - abs(vr - vs)
        kind = "/".join(
            "categorical" if k else "numeric" for k in (cat_i, cat_j)
        )
        rows.append(
            {
                "column_1": ci.name,
                "column_2": cj.name,
                "kind": kind,
                "statistic": stat,
                "real": vr,
                "synthetic": vs,
                "score": float(score),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["column_1", "column_2", "kind", "statistic", "real", "synthetic",
                 "score"],
    )


def column_pairs(real, synthetic, *, max_columns=None, random_state=None):
    """Column-pair score in [0, 1]: mean pair score of :func:`column_pair_table`.

    1 means every pairwise association is the same in both tables. Returns
    NaN for a table with a single column.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n, n_columns)
        Tables with the same columns.
    max_columns : int, default=None
        Use only the first ``max_columns`` columns.
    random_state : None
        Unused (the score is exact); accepted for a uniform signature.

    Returns
    -------
    score : float

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.metrics import column_pairs
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("aabb")})
    >>> column_pairs(real, real)
    1.0
    """
    table = column_pair_table(real, synthetic, max_columns=max_columns)
    if table["score"].notna().sum() == 0:
        return float("nan")
    return float(table["score"].mean())
