"""The Bayesian network generator."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..._conditioning import describe_conditions
from ...base import BaseGenerator
from ...constraints._enforce import RULE_PARAMETERS_DOC
from ...preprocessing._align import encode_prior
from ...preprocessing._cells import CellEncoder, data_domains
from ...utils._docstring import fill_doc
from ._inference import DiscreteBayesianNetwork
from ._structure import (
    chow_liu_tree,
    family_counts,
    greedy_network,
    mutual_info_from_counts,
    pairwise_mutual_info,
)
from ._tables import estimate_cpts

__all__ = ["BayesianNetworkGenerator"]


@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class BayesianNetworkGenerator(BaseGenerator):
    """Bayesian network over a discretised table, with native conditioning.

    Numeric (and datetime) columns are discretised into at most ``n_bins``
    states (frequent values such as the zeros of a capital-gain column keep a
    state of their own and come back exactly; other values are drawn inside
    their bin), categorical columns keep their categories and missing values
    are one more state. A structure is learned on the states — a Chow–Liu
    tree rooted at the target (or at the best-connected column), or a greedy
    BIC search with at most ``max_parents`` parents per node — and
    Laplace-smoothed conditional probability tables are estimated. Rows are
    drawn by forward sampling.

    Conditioning is native: conditioned cells are clamped as evidence. With a
    tree structure (the default) the free columns are drawn from their exact
    conditional distribution given the evidence, wherever it sits in the tree
    (message passing, then top-down sampling). With the greedy structure the
    draw is exact when every parent of an evidence node is evidence too
    (conditions on the root side); otherwise each row is chosen among
    ``n_particles`` clamped forward samples in proportion to their likelihood
    weights (sampling-importance resampling). Every returned row meets its
    conditions; no rejection is involved.

    Parameters
    ----------
    structure : {"chow_liu", "greedy"}, default="chow_liu"
        Structure learning.
    max_parents : int, default=2
        Maximum number of parents per node of the greedy search.
    n_bins : int, default=20
        Maximum number of states of a numeric column.
    alpha : float, default=0.1
        Laplace pseudo-count added to every cell of every table (1.0 is
        classic add-one smoothing; smaller values invent fewer impossible
        combinations, such as an education level with the wrong number of
        years, while every combination keeps a non-zero probability).
    within_bin : {"empirical", "uniform"}, default="empirical"
        How values are drawn inside a numeric bin.
    n_particles : int, default=50
        Candidates per row for likelihood-weighted conditioning.
    prior : DataFrame, array-like or tuple ``(X_related, y_related)``, \
            default=None
        A related table whose counts are a Dirichlet prior of the tables
        (transfer from related data): every count of the fitted table (the
        pairs that choose a Chow–Liu tree and the families of every
        conditional table) gets the related table's count, rescaled so that
        the related table weighs as ``prior_weight`` times the fitted one.
        The Chow–Liu tree is chosen on the pooled pair counts with each
        pair's mutual information corrected for the rows behind it (its
        chi-squared bias ``(k_i - 1)(k_j - 1) / 2n``, ``n`` the pair's
        effective pooled rows), so that a many-state column the related
        table cannot inform does not become a hub. Its columns are matched
        to the fitted table's by name (by position for arrays; see
        :func:`~sksynth.preprocessing.encode_related`): a related cell
        outside the fitted table's domain (a column or category the fitted
        table lacks) adds nothing to the counts that involve it; numeric
        values fall into the fitted table's bins.
        ``None``: no prior.
    prior_weight : float, default=1.0
        Weight of the whole related table, in multiples of the fitted
        table's rows (0: no prior).
    random_state : int, RandomState instance or None, default=None
        Seed for ``sample``.
    {rule_params}

    Attributes
    ----------
    schema_ : TableSchema
        Column types seen in ``fit``.
    cells_ : CellEncoder
        Column states: the one cell layer
        (:func:`~sksynth.preprocessing._cells.data_domains`).
    network_ : DiscreteBayesianNetwork
        Structure and conditional probability tables.
    parents_ : list of tuple
        Parent columns of every column (schema order, target last).
    prior_rows_ : int
        Rows of the related table used as prior (0 without ``prior``).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    References
    ----------
    C. Chow and C. Liu, "Approximating discrete probability distributions with
    dependence trees", IEEE Trans. Inf. Theory, 1968.

    Examples
    --------
    >>> from sksynth.generators import BayesianNetworkGenerator
    >>> import pandas as pd
    >>> df = pd.DataFrame({"age": [23, 35, 47, 51, 62, 29] * 5,
    ...                    "plan": ["a", "b", "b", "a", "b", "a"] * 5})
    >>> gen = BayesianNetworkGenerator(random_state=0).fit(df)
    >>> synth = gen.sample(4, conditions={"plan": "b"}, random_state=0)
    >>> synth["plan"].tolist()
    ['b', 'b', 'b', 'b']
    >>> bool(synth["age"].isin([35, 47, 62]).all())
    True

    A small table borrowing strength from a related one:

    >>> related = pd.DataFrame({"age": [25, 40, 61, 33] * 50,
    ...                         "plan": ["a", "b", "b", "c"] * 50})
    >>> gen = BayesianNetworkGenerator(prior=related, prior_weight=2.0,
    ...                                random_state=0).fit(df)
    >>> gen.prior_rows_
    200
    """

    _parameter_constraints: dict = {
        "structure": [StrOptions({"chow_liu", "greedy"})],
        "max_parents": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_bins": [Interval(numbers.Integral, 2, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "within_bin": [StrOptions({"empirical", "uniform"})],
        "n_particles": [Interval(numbers.Integral, 1, None, closed="left")],
        "prior": ["array-like", None],
        "prior_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }
    _native_conditioning = True

    def __init__(
        self, *, structure="chow_liu", max_parents=2, n_bins=20, alpha=0.1,
        within_bin="empirical", n_particles=50, prior=None, prior_weight=1.0,
        random_state=None, constraints=None, schema=None,
    ):
        self.structure = structure
        self.max_parents = max_parents
        self.n_bins = n_bins
        self.alpha = alpha
        self.within_bin = within_bin
        self.n_particles = n_particles
        self.prior = prior
        self.prior_weight = prior_weight
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {"n_bins": 5, "random_state": 0}

    def _fit(self, Z, random_state):
        cells = CellEncoder(data_domains(
            Z, self.schema_, self.n_bins, within_bin=self.within_bin))
        D = cells.transform(Z)
        cards = np.asarray(cells.sizes_, dtype=np.int64)
        prior = self._prior_cells(cells, len(Z))
        if self.structure == "chow_liu":
            if prior is None:
                mi = pairwise_mutual_info(D, cards)
            else:
                mi = _pooled_mutual_info(D, cards, prior)
            if self.schema_.has_target:
                root = self.schema_.target_index
            else:
                root = int(np.argmax(mi.sum(axis=1))) if len(mi) else 0
            parents = chow_liu_tree(D, cards, root=root, mutual_info=mi)
        else:
            parents = greedy_network(D, cards, max_parents=self.max_parents)
        counts = None
        if prior is not None:
            counts = [_pooled_family(D, cards, j, pa, prior)
                      for j, pa in enumerate(parents)]
        cpts = estimate_cpts(D, cards, parents, alpha=self.alpha, counts=counts)
        self.cells_ = cells
        self.parents_ = parents
        self.network_ = DiscreteBayesianNetwork(cards, parents, cpts)
        return self

    def _prior_cells(self, cells, n_rows):
        """``(cells, in-domain mask, weight per row)`` of the related table."""
        self.prior_rows_ = 0
        if self.prior is None or self.prior_weight == 0:
            return None
        Zp, inside = encode_prior(self.schema_, self.prior, "tables")
        # cells outside the domain hold any valid code: they are masked out
        valid = np.array([0.0 if c.kind == "categorical" else c.low
                          for c in self.schema_.columns])
        Dp = cells.transform(np.where(inside, Zp, valid))
        self.prior_rows_ = len(Zp)
        return Dp, inside, self.prior_weight * n_rows / len(Zp)

    def _fit_partitioned(self, Z_sample, map_codes, seed):
        """Hook of :func:`sksynth.dask.fit`: the counts of every partition.

        Called after ``fit`` on a sample (``Z_sample``, whose cells are kept):
        ``map_codes(func)`` returns ``func(Z, index)`` for the code matrix of
        every partition. The per-partition counts are summed exactly: the
        column and pair counts give the mutual information of the Chow–Liu
        tree, and the family counts the tables, as the in-memory fit on all
        rows counts them with these cells. The greedy structure is kept from
        the sample (its search needs many passes); its tables are counted on
        every row.
        """
        cells, cards = self.cells_, np.asarray(self.cells_.sizes_, dtype=np.int64)
        p = len(cards)
        chow_liu = self.structure == "chow_liu"
        families = None if chow_liu else list(self.parents_)

        def counts(Z, index):
            D = cells.transform(Z)
            if not chow_liu:
                return [family_counts(D, cards, j, pa)
                        for j, pa in enumerate(families)]
            single = [np.bincount(D[:, j], minlength=cards[j]) for j in range(p)]
            pairs = {(i, j): family_counts(D, cards, j, (i,))
                     for i in range(p) for j in range(i + 1, p)}
            return single, pairs

        parts = map_codes(counts)
        if chow_liu:
            single = [sum(part[0][j] for part in parts) for j in range(p)]
            pairs = {key: sum(part[1][key] for part in parts) for key in parts[0][1]}
            mi = mutual_info_from_counts(single, pairs)
            if self.schema_.has_target:
                root = self.schema_.target_index
            else:
                root = int(np.argmax(mi.sum(axis=1))) if len(mi) else 0
            parents = chow_liu_tree(np.empty((0, p)), cards, root=root,
                                    mutual_info=mi)
            fam = []
            for j, pa in enumerate(parents):
                if not pa:
                    fam.append(single[j].reshape(1, -1).astype(np.float64))
                elif pa[0] < j:
                    fam.append(pairs[(pa[0], j)])
                else:  # the pair table of (j, parent), transposed
                    fam.append(np.ascontiguousarray(pairs[(j, pa[0])].T))
        else:
            parents = families
            fam = [sum(part[j] for part in parts) for j in range(p)]
        cpts = estimate_cpts(None, cards, parents, alpha=self.alpha, counts=fam)
        self.parents_ = parents
        self.network_ = DiscreteBayesianNetwork(cards, parents, cpts)
        return self

    def _sample(self, n_samples, conditions, random_state):
        if conditions is None:
            S, _ = self.network_.sample(n_samples, random_state)
            return self.cells_.inverse(S, random_state)
        C = conditions
        given = ~np.isnan(C)
        E = np.full(C.shape, np.nan)
        for j in np.flatnonzero(given.any(axis=0)):
            rows = given[:, j]
            E[rows, j] = self.cells_.transform_column(C[rows, j], j)

        def describe(row):
            return describe_conditions(self.schema_, C[row])

        if self.network_.is_forest:
            S = self.network_.sample_posterior(
                len(C), random_state, E, describe=describe)
        else:
            S = self.network_.sample_evidence(
                random_state, E, n_particles=self.n_particles, describe=describe)
        Zs = self.cells_.inverse(S, random_state)
        Zs[given] = C[given]
        return Zs


def _pooled_family(D, cards, node, parents, prior):
    """Counts of a family in ``D`` plus the related rows' (weighted), on the
    related rows whose cells of the family are all in the domain."""
    Dp, inside, w = prior
    counts = family_counts(D, cards, node, parents)
    rows = inside[:, [node, *parents]].all(axis=1)
    if rows.any():
        counts += w * family_counts(Dp[rows], cards, node, parents)
    return counts


def _pooled_mutual_info(D, cards, prior):
    """Mutual information of every pair from its pooled counts, bias-corrected.

    Each pair's information is read off its own pooled table (its margins
    too: the related rows in the domain differ from pair to pair, so the
    single-column counts would mix populations), less what the plug-in
    estimate reaches between independent columns: ``2 n MI`` is about
    chi-squared with ``(k_i - 1)(k_j - 1)`` degrees of freedom (``k`` the
    states seen), so ``(k_i - 1)(k_j - 1) / 2n`` is subtracted. Without it
    a many-state column that the related table cannot inform (its pairs
    rest on the few fitted rows: a large bias) becomes the hub of the
    Chow-Liu tree. ``n`` is the pooled table's effective number of rows
    (Kish: the fitted rows weigh 1, the related ones ``w``).
    """
    Dp, inside, w = prior
    p = len(cards)
    mi = np.zeros((p, p))
    n = len(D)
    for i in range(p):
        for j in range(i + 1, p):
            joint = _pooled_family(D, cards, j, (i,), prior)
            r = int(inside[:, [i, j]].all(axis=1).sum())
            n_eff = (n + w * r) ** 2 / max(n + w * w * r, 1e-12)
            mi[i, j] = mi[j, i] = _corrected_mi(joint, n_eff)
    return mi


def _corrected_mi(joint, n_eff):
    """Plug-in mutual information of a count table less its expectation
    between independent columns (at ``n_eff`` rows), floored at 0."""
    total = joint.sum()
    if total <= 0 or n_eff <= 0:
        return 0.0
    pij = joint / total
    pi, pj = pij.sum(axis=1), pij.sum(axis=0)
    nz = pij > 0
    mi = float((pij[nz] * np.log(pij[nz] / np.outer(pi, pj)[nz])).sum())
    bias = ((pi > 0).sum() - 1) * ((pj > 0).sum() - 1) / (2 * n_eff)
    return max(mi - bias, 0.0)
