"""PrivBayes: differentially private synthetic data from a Bayesian network."""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np
from sklearn.utils._param_validation import Interval

from ..._conditioning import describe_conditions
from ...constraints._enforce import RULE_PARAMETERS_DOC
from ...preprocessing._cells import CellEncoder
from ...utils._docstring import fill_doc
from ...utils._progress import progress
from .._bayesian_network import DiscreteBayesianNetwork
from ._base import _DP_DOC, _DP_PARAMS_DOC, BaseMarginalGenerator, as_marginal_counts
from ._graphical_model import Measurement, estimate_total
from .accounting import exponential_mechanism, exponential_rho, gaussian_rho

__all__ = ["PrivBayesGenerator", "r_score", "R_SCORE_SENSITIVITY"]

#: L1 sensitivity of :func:`r_score` (a count-scale score) under adding or
#: removing one row, whatever the number of rows (see :func:`r_score`).
R_SCORE_SENSITIVITY = 2.0

# share of the zCDP budget (after the domain) spent on the row count that sets
# the theta-usefulness limit on table sizes
_COUNT_SHARE = 0.01


def r_score(counts):
    """PrivBayes' ``R`` score on the count scale, ``n * R(X, Pi)``.

    ``R(X, Pi) = 1/2 * ||P(X, Pi) - P(X) P(Pi)||_1`` (Zhang et al., TODS 2017)
    measures how far a child ``X`` is from independent of its parent set
    ``Pi``. On the count scale, ``n * R = 1/2 * sum |c(x, pi) - c(x) c(pi) / n|``
    changes by less than ``R_SCORE_SENSITIVITY = 2`` when one row is added or
    removed, for every ``n``: the joint count moves by 1 in one cell, and the
    product term ``c(x) c(pi) / n`` (a table of total ``n``) moves by at most
    ``(2n + 1) / (n + 1) + n / (n + 1) < 3`` in L1, so the sum moves by less
    than 4. The exponential mechanism can thus use it without knowing ``n``
    (the paper's ``3/n + 2/n**2`` is for replace-one neighbours at a known
    ``n``).

    Parameters
    ----------
    counts : ndarray of shape (n_parent_configs, n_child_states)
        Contingency table of the parent configurations and the child.

    Returns
    -------
    score : float

    Examples
    --------
    >>> import numpy as np
    >>> r_score(np.array([[5.0, 0.0], [0.0, 5.0]]))  # X = Pi: far from independent
    5.0
    >>> r_score(np.array([[2.0, 2.0], [3.0, 3.0]]))  # independent
    0.0
    """
    counts = np.asarray(counts, dtype=float)
    n = counts.sum()
    if n <= 0:
        return 0.0
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / n
    return 0.5 * float(np.abs(counts - expected).sum())


class _PrivBayesModel:
    """The fitted network in the interface the DP base expects."""

    def __init__(self, network, one_way, total):
        self.network = network
        self._one_way = one_way
        self.total = float(total)

    def marginal(self, attrs):
        (j,) = attrs
        return self._one_way[j]

    def sample(self, n, rng, evidence=None):
        S, _ = self.network.sample(n, rng, evidence=evidence)
        return S


@fill_doc(dp_doc=_DP_DOC, dp_params_doc=_DP_PARAMS_DOC)
@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class PrivBayesGenerator(BaseMarginalGenerator):
    """Differentially private synthetic data with PrivBayes.

    PrivBayes (Zhang, Cormode, Procopiuc, Srivastava & Xiao, SIGMOD 2014 /
    TODS 2017), implemented from the paper in zCDP. After the domain step (see
    below), with ``rho`` the remaining zCDP budget, ``d`` the number of
    columns and ``k = degree``:

    0. **table-size limit** (``0.01 * rho``, only when ``theta`` is set): a
       Gaussian row count ``n_hat`` gives the paper's theta-usefulness rule in
       zCDP terms: a family table may have at most
       ``n_hat / (theta * sigma)`` cells, ``sigma`` being the noise of step 2
       (the average cell count must exceed ``theta`` noise deviations), which
       trades degree against noise; the rest, ``rho`` below, is what remains;
    1. **network** (``structure_budget * rho``): the first node is the target
       ``y`` when ``fit`` is given one, else a column drawn uniformly (a
       data-independent choice); then each of the other ``d - 1`` nodes is
       added by the exponential mechanism among all pairs ``(X, Pi)`` of a
       column ``X`` not yet in the network and a set ``Pi`` of
       ``min(k, #placed)`` placed columns, scored by ``n * R(X, Pi)`` (see
       :func:`r_score`) whose sensitivity under adding or removing one row is
       2 for every ``n``, so the number of rows is never needed. Each
       selection gets an equal share, ``epsilon_t = sqrt(8 * rho_t)`` with
       ``rho_t = structure_budget * rho / n_selections``. A step that has a
       single candidate by construction (the last node, when all placed
       columns are its parents) is not a selection and costs nothing.
       Parent sets whose table would exceed ``max_cells`` cells (or the
       theta limit) are left out
       (sizes come from the released domain, so this is data-independent),
       falling back to smaller parent sets when none fits;
    2. **conditionals** (the rest): the joint counts of every family
       ``Pi + (X,)`` that is not contained in another family are measured
       with the Gaussian mechanism (L2 sensitivity 1 each, the same
       ``sigma = sqrt(m / (2 * rho_rest))`` for the ``m`` measured tables);
       each noisy table is made consistent (negative cells set to 0,
       normalised), and the conditional table of every node is read off the
       smallest measured table holding its family (a parent configuration
       with no mass falls back to the node's marginal in that table);
    3. **sampling**: forward (ancestral) sampling of the network; bins become
       values drawn uniformly inside the bin (integers rounded).

    Conditioning is native: conditioned cells are clamped as evidence. The
    draw is exact when every parent of a conditioned column is conditioned too
    (conditions on the root side, e.g. on ``y`` when it is the first node);
    otherwise each row is chosen among ``n_particles`` clamped forward samples
    in proportion to their likelihood (sampling-importance resampling).
{dp_doc}
    Parameters
    ----------
    {dp_params_doc}
    degree : int, default=2
        Number of parents ``k`` of each node (the first ``k`` nodes have
        fewer).
    structure_budget : float, default=0.3
        Share of the zCDP budget (after the domain) spent on learning the
        network (the paper's ``beta``).
    max_cells : int, default=20_000
        Largest number of cells of a family table.
    theta : float or None, default=4.0
        Usefulness threshold of step 0 (the paper's ``theta``; larger means
        smaller tables, fewer parents for wide columns); None disables the
        limit and its row count, leaving ``max_cells`` only.
    n_particles : int, default=50
        Candidates per row for likelihood-weighted conditioning.
    verbose : int, default=0
        Show a progress bar of the network construction.
    random_state : int, RandomState instance or None, default=None
        Seed of the noise, the selection and ``sample``.
    {rule_params}

    Attributes
    ----------
    privacy_spent_ : PrivacySpent
        The delivered guarantee: ``epsilon``, ``delta``, ``rho``,
        ``mechanism``, the per-step breakdown ``steps`` (and
        ``breakdown()``), ``n_fits`` and the cumulative guarantee of all fits.
    domain_ : list of ColumnDomain
        The released domain of every column.
    model_ : object
        The fitted network (``model_.network`` is a
        ``DiscreteBayesianNetwork`` over the domain cells).
    parents_ : list of tuple of str
        Parent columns of every column (schema order, target last).
    order_ : list of str
        Columns in the order they entered the network.
    measurements_ : list of tuple
        The noisy family tables ``(column names, noisy counts, sigma)``,
        parents first and the child last (DP outputs).
    n_samples_dp_ : int
        DP estimate of the number of rows (from the noisy tables).
    n_samples_theta_ : float or None
        The noisy row count of step 0 (None when ``theta=None``).
    schema_ : TableSchema
        The public schema (categories and bounds from ``domain_``).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    See Also
    --------
    MSTGenerator : noisy 2-way marginals on a spanning tree.
    AIMGenerator : adaptive selection of marginals (better utility, slower).
    BayesianNetworkGenerator : the non-private Bayesian network.

    References
    ----------
    .. [1] J. Zhang, G. Cormode, C. M. Procopiuc, D. Srivastava, X. Xiao.
       "PrivBayes: Private Data Release via Bayesian Networks". SIGMOD 2014;
       ACM TODS 42(4), 2017.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import PrivBayesGenerator
    >>> X, y = make_mixed_classification(2000, random_state=0)
    >>> public = {"churn": {"categories": [0, 1]}}  # the labels are public
    >>> gen = PrivBayesGenerator(epsilon=1.0, delta=1e-6, domain=public,
    ...                          random_state=0)
    >>> gen = gen.fit(X, y)
    >>> round(gen.privacy_spent_.epsilon, 6), gen.privacy_spent_.mechanism
    (1.0, 'PrivBayes')
    >>> gen.order_[0]  # the target is the root
    'churn'
    >>> Xs, ys = gen.sample(5, conditions={"churn": 1})
    >>> Xs.shape, ys.tolist()
    ((5, 7), [1, 1, 1, 1, 1])
    """

    _parameter_constraints: dict = {
        **BaseMarginalGenerator._parameter_constraints,
        "degree": [Interval(numbers.Integral, 1, None, closed="left")],
        "structure_budget": [Interval(numbers.Real, 0, 1, closed="neither")],
        "max_cells": [Interval(numbers.Integral, 1, None, closed="left")],
        "theta": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "n_particles": [Interval(numbers.Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    }
    _mechanism = "PrivBayes"
    _native_conditioning = True

    def __init__(
        self, *, epsilon=None, delta=1e-9, domain=None, bounds=None, n_bins=32,
        domain_budget=0.1, allow_large_delta=False, degree=2,
        structure_budget=0.3, max_cells=20_000, theta=4.0, n_particles=50,
        verbose=0,
        random_state=None, constraints=None, schema=None,
    ):
        self.epsilon = epsilon
        self.delta = delta
        self.domain = domain
        self.bounds = bounds
        self.n_bins = n_bins
        self.domain_budget = domain_budget
        self.allow_large_delta = allow_large_delta
        self.degree = degree
        self.structure_budget = structure_budget
        self.max_cells = max_cells
        self.theta = theta
        self.n_particles = n_particles
        self.verbose = verbose
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {"epsilon": 1e3, "delta": 1e-9, "n_bins": 8, "random_state": 0,
                "allow_large_delta": True, "n_particles": 10}

    # ---------------------------------------------------------------- fit
    def _candidates(self, placed, remaining, sizes):
        """Data-independent (child, parents) candidates of one step."""
        k = min(self.degree, len(placed))
        for size in range(k, -1, -1):
            cands = [
                (x, pa)
                for x in remaining
                for pa in itertools.combinations(placed, size)
                if math.prod(sizes[a] for a in pa) * sizes[x] <= self._cell_cap
            ]
            if cands:
                return cands
        return [(x, ()) for x in remaining]

    def _usefulness_cap(self, D, sizes, accountant, rng):
        """Largest family table that stays ``theta``-useful (DP row count)."""
        self.n_samples_theta_ = None
        if self.theta is None:
            return self.max_cells
        d = len(sizes)
        rho = accountant.remaining
        rho_n = _COUNT_SHARE * rho
        sigma_n = math.sqrt(1 / (2 * rho_n))
        accountant.charge("row count (table-size limit)", "gaussian",
                          gaussian_rho(sigma_n))
        n_hat = max(as_marginal_counts(D, sizes).n_rows + rng.normal(0, sigma_n), 1.0)
        self.n_samples_theta_ = n_hat
        # noise of the tables if every node after the first k is measured
        m = d - min(self.degree, d - 1)
        sigma = math.sqrt(m / (2 * (1 - self.structure_budget) * (rho - rho_n)))
        return int(min(self.max_cells, max(n_hat / (self.theta * sigma), 1)))

    def _learn_network(self, D, sizes, accountant, rng, names):
        counts = as_marginal_counts(D, sizes)  # the cells' counts (sensitive)
        d = len(sizes)
        self._cell_cap = self._usefulness_cap(counts, sizes, accountant, rng)
        rho = accountant.remaining * self.structure_budget
        # steps 1 .. d-2 choose among >= 2 children; the last step chooses a
        # parent set only when fewer than all placed columns are parents
        n_select = max(d - 2, 0) + int(d >= 2 and self.degree < d - 1)
        eps = math.sqrt(8 * rho / n_select) if n_select else 0.0
        first = (self.schema_.target_index if self.schema_.has_target
                 else int(rng.randint(d)))
        order, parents = [first], [()] * d
        remaining = [j for j in range(d) if j != first]
        bar = progress(total=d - 1, desc="PrivBayes network", verbose=self.verbose)
        for t in range(1, d):
            cands = self._candidates(order, remaining, sizes)
            if t <= d - 2 or self.degree < d - 1:
                tables = counts.many([pa + (x,) for x, pa in cands])
                scores = np.array([
                    r_score(t.reshape(-1, sizes[x]))
                    for (x, _), t in zip(cands, tables)
                ])
                accountant.charge(
                    f"network step {t}: choose child and parents", "exponential",
                    exponential_rho(eps),
                )
                x, pa = cands[exponential_mechanism(
                    scores, eps, rng, sensitivity=R_SCORE_SENSITIVITY)]
            else:  # one child left and all placed columns can be parents
                x, pa = cands[0]
            parents[x] = pa
            order.append(x)
            remaining.remove(x)
            bar.update()
        bar.close()
        return order, parents

    def _fit_model(self, D, sizes, accountant, rng):
        counts = as_marginal_counts(D, sizes)  # the cells' counts (sensitive)
        d = len(sizes)
        names = [c.name for c in self.schema_.columns]
        self.n_samples_theta_ = None
        order, parents = (
            self._learn_network(counts, sizes, accountant, rng, names) if d > 1
            else ([0], [()])
        )
        families = {j: parents[j] + (j,) for j in range(d)}
        # measure only the families not contained in another one
        measured, source = [], {}
        for j in reversed(order):
            fam = set(families[j])
            host = next((m for m in measured if fam <= set(families[m])), None)
            if host is None:
                measured.append(j)
                host = j
            source[j] = host
        rho = accountant.remaining
        sigma = math.sqrt(len(measured) / (2 * rho))
        tables, ms, described = {}, [], []
        exact = counts.many([families[m] for m in measured])
        for m, noisy in zip(measured, exact):
            attrs = families[m]
            label = ", ".join(repr(names[a]) for a in attrs)
            accountant.charge(f"noisy table ({label})", "gaussian", gaussian_rho(sigma))
            noisy = noisy + rng.normal(0, sigma, noisy.shape)
            ms.append(Measurement(attrs, noisy, sigma))
            described.append((tuple(names[a] for a in attrs), noisy, sigma))
            prob = np.clip(noisy, 0, None)
            total = prob.sum()
            uniform = np.full(prob.shape, 1 / prob.size)
            tables[m] = prob / total if total > 0 else uniform
        cpts, one_way = [None] * d, [None] * d
        for j in range(d):
            host = families[source[j]]
            fam = families[j]
            table = _reduce(tables[source[j]], host, fam)
            one_way[j] = _reduce(tables[source[j]], host, (j,))
            cpts[j] = _conditional(table.reshape(-1, sizes[j]), one_way[j])
        network = DiscreteBayesianNetwork(sizes, parents, cpts)
        self.parents_ = [tuple(names[a] for a in pa) for pa in parents]
        self.order_ = [names[j] for j in order]
        self.measurements_ = described
        return _PrivBayesModel(network, one_way, estimate_total(ms))

    # ------------------------------------------------------------- sample
    def _sample(self, n_samples, conditions, random_state):
        if conditions is None:
            return super()._sample(n_samples, None, random_state)
        C = conditions
        given = ~np.isnan(C)
        E = np.full(C.shape, np.nan)
        for j in np.flatnonzero(given.any(axis=0)):
            rows = given[:, j]
            E[rows, j] = _to_cells(C[rows, j], self.domain_[j])
        S = self.model_.network.sample_evidence(
            random_state, E, n_particles=self.n_particles,
            describe=lambda row: describe_conditions(self.schema_, C[row]),
        )
        Z = CellEncoder(self.domain_).inverse(S, random_state, self.one_way_)
        Z[given] = C[given]
        return Z


def _reduce(table, attrs, keep):
    """Marginal of ``table`` (axes ``attrs``) on ``keep``, axes in that order."""
    axes = tuple(i for i, a in enumerate(attrs) if a not in keep)
    out = table.sum(axis=axes)
    kept = [a for a in attrs if a in keep]
    return np.transpose(out, [kept.index(a) for a in keep])


def _conditional(table, marginal):
    """Rows ``P(x | parent config)``; configurations without mass -> marginal."""
    totals = table.sum(axis=1, keepdims=True)
    fallback = marginal / marginal.sum() if marginal.sum() > 0 else np.full(
        marginal.shape, 1 / marginal.size)
    safe = np.where(totals > 0, totals, 1.0)
    return np.where(totals > 0, table / safe, fallback[None, :])


def _to_cells(values, dom):
    """Codes of the public schema -> cells of ``dom`` (no missing values)."""
    if dom.kind == "categorical":
        return values.astype(np.int64)
    v = np.clip(values, dom.low, dom.high)
    return np.clip(np.searchsorted(dom.edges, v, side="right") - 1, 0,
                   dom.n_values - 1)
