"""Shared machinery of the marginal-based DP generators (MST, AIM)."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ...base import BaseGenerator
from ...preprocessing._cells import CellEncoder
from ...preprocessing._columns import decode_column, encode_column, infer_column
from ._domain import (
    DomainBuilder,
    _dtype_categories,
    parse_domain,
    public_schema,
)
from ._public_schema import public_kinds
from .accounting import PrivacyAccountant, epsilon_to_zcdp

__all__ = ["PrivacyBudgetWarning"]

# share of delta spent on the release of category labels (thresholded
# histograms), when some labels must be estimated under DP
_LABEL_DELTA_SHARE = 0.1


# (generator, partitions) of the partitioned fit in progress in this context
# (see BaseMarginalGenerator._partitioned_fit); not an attribute, so that the
# generator sent to the workers does not carry the partitions along
_PARTITIONS = ContextVar("sksynth_dp_partitions", default=(None, None))


class PrivacyBudgetWarning(UserWarning):
    """A DP generator was fitted again: the budgets add up."""


_DP_DOC = """
    Privacy. ``fit`` is ``(epsilon, delta)``-differentially private with respect
    to adding or removing one row of ``(X, y)``; everything it stores and
    everything ``sample`` returns is post-processing of charged steps. What is
    treated as **public** (not protected): the column names and order, the
    dtypes (so which columns are numeric or categorical), the categories of
    pandas ``category`` and ``bool`` columns, whatever ``domain=`` /
    ``bounds=`` give, and the fact that ``len(X) < 1 / delta`` (checked, see
    ``allow_large_delta``). What is **private** and paid for: every count the
    model is fitted to, the structure selection, and, when not given, each
    column's domain: category labels come from a thresholded Gaussian
    histogram (a label is released only if its noisy count clears a threshold
    set so that a label held by a single row is released with probability at
    most ``delta_labels``), numeric bounds from two Gaussian histograms on a
    fixed log-scale grid (values outside the estimated bounds are clipped to
    them; rows whose category was suppressed form an ``other`` cell, sampled
    back as a released category), and whether a column has missing values
    from a Gaussian count (when that cell is not released, missing values
    join the ``other`` cell of a categorical column, the lowest bin of a
    numeric one). Numeric bins have about equal mass in the noisy log-scale
    histogram that the bounds already paid for (point masses such as 0 keep
    a bin of their own); with public bounds they have equal widths.
    ``domain_budget`` of the zCDP budget goes to the
    domain when any of it is estimated; ``0.1 * delta`` then goes to the
    label thresholds. ``privacy_spent_`` lists every charged step.

    What is read off the **dtype** (never the values): a float column is
    numeric and not integer (its values are not rounded to the data's
    decimals); an int / uint column is numeric and integer, its DP bounds cut
    to the dtype's range (an int8 never leaves -128..127), but an integer
    *target* is categorical; bool, ``category``, ``object`` and ``str``
    columns are categorical (an ``object`` column of numbers too: give it
    ``low``/``high`` in ``domain=`` to model it as numeric); datetimes are
    datetimes. ``domain=`` overrides: ``low``/``high`` make a column numeric,
    ``categories`` make the target categorical (a float 0/1 target). A DP
    estimate that the noise makes unreliable (too few rows for its budget
    share) raises a :class:`DPDomainWarning` naming the columns, the reason
    and the fix; a condition outside the released domain is refused saying
    the privacy mechanism suppressed it.

    The domain JSON / dict format (``domain=``, also ``sksynth synthesize
    --domain domain.json``)::

        {"workclass": ["Private", "Self-emp", "Gov"],           # categories
         "age": {"low": 17, "high": 90, "integer": true},       # bounds
         "balance": {"low": 0, "high": 1e6, "missing": true},   # may be NaN
         "y": {"categories": [0, 1], "missing": false}}         # the target

    Keys of a column: ``categories`` (list), ``low`` and ``high`` (numbers),
    ``missing`` (bool: missing values are possible; default False for public
    entries), ``integer`` (bool). A list of numbers for a numeric column
    stands for its range (``low``, ``high``, ``integer``). Values in the data
    outside a public domain raise a ValueError. ``bounds={"age": (17, 90)}``
    is a shorthand.
"""

_DP_PARAMS_DOC = """epsilon : float
        Privacy budget (> 0). Required: there is no default budget.
    delta : float, default=1e-9
        Failure probability of the guarantee, in (0, 1); must be below
        ``1 / n_samples`` unless ``allow_large_delta=True``.
    domain : dict, default=None
        Public domain of some or all columns (format above). Columns left
        out get a DP-estimated domain.
    bounds : dict, default=None
        Public numeric bounds, ``{column: (low, high)}``.
    n_bins : int, default=32
        Bins of a numeric column (an integer column with fewer values gets
        one per value).
    domain_budget : float, default=0.1
        Share of the zCDP budget spent on estimating the domain of columns
        without a public one (unused when everything is public).
    allow_large_delta : bool, default=False
        Accept ``delta >= 1 / n_samples`` (a guarantee that allows leaking a
        whole row is refused by default)."""


class DPBudgetMixin:
    """Tags and budget validation shared by every DP generator.

    Needs the parameters ``epsilon``, ``delta`` and ``allow_large_delta``; put
    it before the generator base class.
    """

    # finding columns that determine each other, or pairs of categories that
    # never occur together, reads the data outside the privacy accounting
    _learn_constraints = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.generator_tags.differentially_private = True
        return tags

    def _check_budget(self, n):
        if self.epsilon is None:
            raise ValueError(
                f"{type(self).__name__} needs an explicit privacy budget: pass "
                "epsilon (e.g. epsilon=1.0). There is no default budget."
            )
        if self.delta >= 1.0 / n and not self.allow_large_delta:
            raise ValueError(
                f"delta={self.delta:g} is not smaller than 1/n_samples="
                f"{1.0 / n:.3g}: such a guarantee allows releasing a whole "
                "row. Use a smaller delta (e.g. 1e-9), or pass "
                "allow_large_delta=True if you really mean it."
            )

    def _release_domain(self, Z, random_state, *, charge_domain_only=False):
        """The DP fit's first steps, shared by every DP generator.

        Checks the budget, parses the public ``domain=``/``bounds=``, splits
        ``delta`` (label release) and the zCDP budget, and releases the
        domain of every column (public, or estimated under DP). Returns
        ``(domains, maps, accountant, delta_labels)``; the accountant holds
        the whole zCDP budget, or only the domain's share when
        ``charge_domain_only`` (DP-SGD accounts its training in Renyi DP).
        Also returns ``Z`` and sets ``schema_`` in the public kinds (each
        column's kind from its dtype or the public domain, never from the
        values: see ``_public_schema``).
        """
        self._check_budget(Z.shape[0])
        schema, Z = public_kinds(self.schema_, Z, self.domain, self.bounds)
        self.schema_ = schema
        specs = parse_domain(self.domain, self.bounds, schema)
        builder = DomainBuilder(schema, specs, self.n_bins, None, random_state)
        private = builder.needs_budget()
        has_labels = any("categories" in builder.private_parts(j) for j in private)
        delta_labels = self.delta * _LABEL_DELTA_SHARE if has_labels else 0.0
        rho = epsilon_to_zcdp(self.epsilon, self.delta - delta_labels)
        rho_domain = self.domain_budget * rho if private else 0.0
        accountant = PrivacyAccountant(
            max(rho_domain, 1e-300) if charge_domain_only else rho
        )
        builder.accountant = accountant
        domains, maps = builder.build(Z, rho_domain, delta_labels)
        for col, dom in zip(schema.columns, domains):
            if dom.kind == "categorical" and not dom.categories and dom.has_other:
                # post-processing of the release: says nothing more of the data
                raise ValueError(
                    f"The DP release of the categories of column {col.name!r} kept no "
                    f"category at epsilon={self.epsilon:g} (every count fell "
                    "below the noise threshold), so no value of it could be "
                    "generated. Give its categories as public knowledge "
                    "(domain={...: {'categories': [...]}}), a larger epsilon, "
                    "or more rows."
                )
        return domains, maps, accountant, delta_labels, Z

    def _draw_codes(self, n_samples, conditions, rng):
        if conditions is not None:
            self._check_released(conditions)
        return super()._draw_codes(n_samples, conditions, rng)

    def _check_released(self, conditions):
        """Refuse a condition outside a DP-released domain, saying so.

        The message must not tell whether the value occurs in the data (that
        would leak it): only that the release did not keep it.
        """
        if isinstance(conditions, Mapping):
            items = [(k, [v]) for k, v in conditions.items()]
        elif isinstance(conditions, pd.DataFrame):
            items = [(k, conditions[k]) for k in conditions.columns]
        else:
            return  # the base class raises the clear error
        schema = self.schema_
        for key, values in items:
            try:
                j = schema.column_position(key)
            except ValueError:
                return
            col, dom = schema.columns[j], self.domain_[j]
            if dom.source != "dp":
                continue
            s = pd.Series(values, dtype=object if col.kind == "categorical" else None)
            s = s[~pd.isna(s).to_numpy()]
            try:
                codes = encode_column(col, s)
            except ValueError as exc:
                if col.kind != "categorical":
                    return  # not a number: the base class's message
                bad = [v for v in pd.unique(s.to_numpy(dtype=object))
                       if v not in set(col.categories)][:5]
                raise ValueError(
                    f"Impossible condition on {key!r}: {bad} not among the "
                    f"categories of {col.name!r} that the privacy mechanism "
                    f"released ({list(col.categories)[:10]}). A DP release keeps "
                    "a category only if its noisy count clears a threshold, so a "
                    "rare category is suppressed (whether a value occurs in the "
                    "data is not revealed). To condition on it, give the column's "
                    "categories as public knowledge (domain=, --domain) or raise "
                    "epsilon."
                ) from exc
            if col.kind != "categorical" and len(codes) and (
                codes.min() < dom.low or codes.max() > dom.high
            ):
                raise ValueError(
                    f"Impossible condition on {key!r}: outside the bounds "
                    f"[{dom.low:g}, {dom.high:g}] that the privacy mechanism "
                    f"released for {col.name!r} (generated values stay within "
                    "them). Give public bounds (bounds=, domain=, --domain) to "
                    "condition beyond them."
                )

    def _warn_fitted_again(self, spent, stacklevel):
        warnings.warn(
            f"{type(self).__name__} was fitted again: this fit spent another "
            f"(epsilon={self.epsilon:g}, delta={self.delta:g}). If the data "
            f"overlap, the {spent.n_fits} fits together are "
            f"(epsilon={spent.cumulative_epsilon:.4g}, "
            f"delta={spent.cumulative_delta:.3g})-DP; see privacy_spent_.",
            PrivacyBudgetWarning, stacklevel=stacklevel + 1,
        )

    def get_domain(self):
        """The released domain in the ``domain=`` format (a JSON-able dict).

        Post-processing of the fit: safe to publish with the synthetic data.
        """
        check_is_fitted(self)
        return {
            col.name: dom.describe()
            for col, dom in zip(self.schema_.columns, self.domain_)
        }


class BaseMarginalGenerator(DPBudgetMixin, BaseGenerator):
    """Base of DP generators that fit a graphical model to noisy marginals."""

    _parameter_constraints: dict = {
        "epsilon": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "delta": [Interval(numbers.Real, 0, 1, closed="neither")],
        "domain": [dict, None],
        "bounds": [dict, None],
        "n_bins": [Interval(numbers.Integral, 2, None, closed="left")],
        "domain_budget": [Interval(numbers.Real, 0, 1, closed="neither")],
        "allow_large_delta": ["boolean"],
        "random_state": ["random_state"],
    }
    _mechanism = None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags

    def _fit(self, Z, random_state):
        previous = getattr(self, "privacy_spent_", None)
        owner, source = _PARTITIONS.get()  # see _partitioned_fit
        if owner is not self:
            domains, maps, accountant, _, Z = self._release_domain(Z, random_state)
            D = CellEncoder(domains, maps).transform(Z)
        else:
            domains, maps, accountant, D = self._release_partitioned(
                Z, random_state, source
            )
        schema = self.schema_
        del Z, maps
        sizes = [dom.size for dom in domains]
        self.domain_ = domains
        self.model_ = self._fit_model(D, sizes, accountant, random_state)
        self.n_samples_dp_ = max(int(round(self.model_.total)), 1)
        self.privacy_spent_ = accountant.report(
            self.delta, self._mechanism, previous=previous
        )
        if previous is not None:
            self._warn_fitted_again(self.privacy_spent_, stacklevel=4)
        # replace every data-derived part of the schema by the DP/public domain
        pub = public_schema(schema, domains)
        self.one_way_ = [self.model_.marginal((j,)) for j in range(len(sizes))]
        cols = []
        for j, col in enumerate(pub.columns):
            rate = float(self.one_way_[j][-1]) if domains[j].has_missing else 0.0
            cols.append(type(col)(**{**col.__dict__, "missing_rate": rate}))
        self.schema_ = pub.with_columns(cols)
        return self

    def _sample(self, n_samples, conditions, random_state):
        D = self.model_.sample(n_samples, random_state)
        return CellEncoder(self.domain_).inverse(D, random_state, self.one_way_)

    # ----------------------------------------------------- partitioned fit
    @contextmanager
    def _partitioned_fit(self, source):
        """Hook of :func:`sksynth.dask.fit`: ``fit`` inside it uses every row.

        ``fit`` is called on a seeded sample of the table inside this
        context: the sample gives the column layout only (its kinds are
        replaced by the public ones, as in memory). Every data-dependent step
        reads all rows from ``source`` (``source.map(func)``: ``func(chunk,
        index)`` of every pandas partition, in order; ``source.sum(func)``:
        their element-wise sum; ``source.n_rows``): the categories (a union
        over the partitions), the DP domain (the in-memory code, on one column
        at a time gathered from the partitions) and every marginal the model
        measures (counts summed exactly over the partitions, see
        :class:`PartitionedCounts`). The noise is drawn once, on the merged
        counts, from the same stream and in the same order as in memory: the
        charged steps, the released marginals and the rows equal those of the
        in-memory fit on the concatenated partitions.
        """
        token = _PARTITIONS.set((self, source))
        try:
            yield self
        finally:
            _PARTITIONS.reset(token)

    def _release_partitioned(self, Z_sample, random_state, source):
        """:meth:`_release_domain` on every row of ``source``.

        Returns ``(domains, maps, accountant, counts)``, ``counts`` a
        :class:`PartitionedCounts` of the cells of every partition.
        """
        sample_schema = self.schema_
        if sample_schema.personal or sample_schema.derived or sample_schema.has_target:
            raise ValueError(
                f"The partitioned fit of {type(self).__name__} does not support "
                "personal-data columns or a separate target; drop them or fit "
                "in memory."
            )
        schema, _ = public_kinds(sample_schema, Z_sample, self.domain, self.bounds)
        schema = self._merged_categories(schema, sample_schema, source)
        self.schema_ = schema

        def encode(chunk, columns):
            frame = self._rules_frame(chunk, "transform")
            Z = np.empty((len(frame), len(columns)))
            for k, j in enumerate(columns):
                col, old = schema.columns[j], sample_schema.columns[j]
                s = frame.iloc[:, j]
                if old.kind != col.kind and old.kind != "categorical":
                    # re-encoded in the public kind as in memory (public_kinds)
                    s = decode_column(old, encode_column(old, s))
                Z[:, k] = encode_column(col, s)
            return Z

        n_columns = schema.n_columns
        Z = _PartitionColumns(source, encode, (source.n_rows, n_columns))
        domains, maps, accountant, _, _ = self._release_domain(Z, random_state)
        cells = CellEncoder(domains, maps)
        every = list(range(n_columns))

        def cell_matrix(chunk, index):
            return cells.transform(encode(chunk, every))

        sizes = [dom.size for dom in domains]
        return domains, maps, accountant, PartitionedCounts(
            source, cell_matrix, sizes, source.n_rows
        )

    def _merged_categories(self, schema, sample_schema, source):
        """``schema`` with the categories of every row (a union over partitions).

        The categories of a column whose dtype does not declare them are the
        data's values (sorted), as :class:`TableSchema` infers them from all
        rows; a sample may miss some.
        """
        todo = [
            j for j, col in enumerate(schema.columns)
            if col.kind == "categorical" and _dtype_categories(col) is None
        ]
        if not todo:
            return schema

        def values(chunk, index):
            frame = self._rules_frame(chunk, "transform")
            out = []
            for j in todo:
                s, old = frame.iloc[:, j], sample_schema.columns[j]
                if old.kind != "categorical":
                    s = decode_column(old, encode_column(old, s))
                s = s[s.notna().to_numpy()]
                out.append(pd.unique(s.to_numpy(dtype=object)))
            return out

        parts = source.map(values)
        cols = list(schema.columns)
        for k, j in enumerate(todo):
            # first appearance over the partitions in order = in the table
            seen = pd.unique(np.concatenate([p[k] for p in parts]))
            col = cols[j]
            new = infer_column(col.name, pd.Series(seen, dtype=object),
                               kind="categorical")
            cols[j] = replace(col, categories=new.categories, counts=(),
                              high=new.high)
        return schema.with_columns(cols)



def _marginal_counts(D, attrs, sizes):
    """Exact counts of the data on ``attrs`` (a sensitive quantity)."""
    shape = [sizes[a] for a in attrs]
    idx = np.ravel_multi_index(tuple(D[:, a] for a in attrs), shape)
    return np.bincount(idx, minlength=int(np.prod(shape))).reshape(shape).astype(float)


class MarginalCounts:
    """The exact counts of a cell matrix ``D`` on sets of attributes.

    The marginal-based DP fits read the cells only through this object:
    ``counts(attrs)`` the counts on one attribute set (axes in the given
    order), ``counts.many(sets)`` those of several sets, in order (lazily),
    and ``n_rows``. Everything it returns is sensitive: the fits use it only
    in charged steps. :class:`PartitionedCounts` sums them over partitions.
    """

    def __init__(self, D, sizes):
        self.D = D
        self.sizes = [int(s) for s in sizes]
        self.n_rows = int(D.shape[0])

    def __call__(self, attrs):
        return _marginal_counts(self.D, attrs, self.sizes)

    def many(self, attr_sets):
        return (self(attrs) for attrs in attr_sets)


def as_marginal_counts(D, sizes):
    """``D`` itself when it is a :class:`MarginalCounts`, else its counts."""
    return D if isinstance(D, MarginalCounts) else MarginalCounts(D, sizes)


class PartitionedCounts(MarginalCounts):
    """Counts summed exactly over the partitions of a table.

    ``source.sum(func)`` sums ``func(chunk, index)`` (a list of arrays) over
    the partitions; ``cells(chunk, index)`` is the cell matrix of one. Each
    batch of attribute sets of :meth:`many` (at most ``max_cells`` cells
    together) is one pass over the partitions. Counts are integers held in
    float64: the sums are exact (below 2**53 rows), whatever the
    partitioning and the order of the sums.
    """

    def __init__(self, source, cells, sizes, n_rows, max_cells=2**22):
        self.source = source
        self.cells = cells
        self.sizes = [int(s) for s in sizes]
        self.n_rows = int(n_rows)
        self.max_cells = max_cells

    def __call__(self, attrs):
        (out,) = self.many([attrs])
        return out

    def many(self, attr_sets):
        batch, n_cells = [], 0
        for attrs in attr_sets:
            attrs = tuple(attrs)
            size = math.prod(self.sizes[a] for a in attrs)
            if batch and n_cells + size > self.max_cells:
                yield from self._count(batch)
                batch, n_cells = [], 0
            batch.append(attrs)
            n_cells += size
        if batch:
            yield from self._count(batch)

    def _count(self, batch):
        cells, sizes = self.cells, self.sizes

        def counts(chunk, index):
            D = cells(chunk, index)
            return [_marginal_counts(D, attrs, sizes) for attrs in batch]

        return self.source.sum(counts)


class _PartitionColumns:
    """The code matrix of a partitioned table, read one column at a time.

    ``Z[:, j]`` gathers column ``j`` from every partition (8 bytes a row):
    what the domain step of the DP fits reads, a column at a time.
    """

    def __init__(self, source, encode, shape):
        self.source = source
        self.encode = encode
        self.shape = shape

    def __getitem__(self, key):
        rows, j = key
        if rows != slice(None) or not isinstance(j, numbers.Integral):
            raise IndexError("Only whole columns Z[:, j] can be read.")
        encode = self.encode
        parts = self.source.map(lambda chunk, index: encode(chunk, [j])[:, 0])
        return np.concatenate(parts)


def _describe_measurements(ms, names):
    """The noisy marginals (DP outputs) as (column names, counts, sigma)."""
    return [(tuple(names[a] for a in m.attrs), m.values, m.sigma) for m in ms]
