"""AIM: adaptive and iterative selection of marginals under zCDP."""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np
from sklearn.utils._param_validation import Interval

from ...constraints._enforce import RULE_PARAMETERS_DOC
from ...utils._docstring import fill_doc
from ...utils._progress import progress
from ._base import (
    _DP_DOC,
    _DP_PARAMS_DOC,
    BaseMarginalGenerator,
    _describe_measurements,
    as_marginal_counts,
)
from ._graphical_model import GraphicalModel, Measurement, estimate_total, model_size
from .accounting import exponential_mechanism, exponential_rho, gaussian_rho

__all__ = ["AIMGenerator"]

_ALPHA = 0.9  # share of each round's budget spent on measuring (vs selecting)


@fill_doc(dp_doc=_DP_DOC, dp_params_doc=_DP_PARAMS_DOC)
@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class AIMGenerator(BaseMarginalGenerator):
    """Differentially private synthetic data with AIM.

    AIM (McKenna, Mullins, Sheldon & Miklau, VLDB 2022), implemented from the
    paper in zCDP. After the domain step (see below), with ``rho`` the
    remaining zCDP budget and ``T = 16 * n_columns``:

    1. every 1-way marginal is measured with Gaussian noise
       ``sigma = sqrt(T / (2 * 0.9 * rho))``;
    2. each round picks one candidate marginal with the exponential mechanism
       (``epsilon_t = sqrt(8 * 0.1 * rho / T)``), scored by
       ``w_r * (||M_r(D) - M_r(model)||_1 - sqrt(2/pi) * sigma * n_cells_r)``
       (sensitivity ``max w_r``), where the candidates are the workload
       marginals (all ``degree``-way sets of columns) and their subsets whose
       addition keeps the model under ``max_model_size`` cells scaled by the
       share of budget used so far, and ``w_r`` counts the overlap with the
       workload; it then measures the pick with the Gaussian mechanism and
       refits the graphical model (warm start);
    3. when the model barely moved on the picked marginal (less than the
       expected noise), ``sigma`` is halved and ``epsilon_t`` doubled; the
       last round spends exactly what is left.

    Rows are sampled from the final junction-tree model; bins become values
    drawn uniformly inside the bin (integers rounded).
{dp_doc}
    Parameters
    ----------
    {dp_params_doc}
    degree : int, default=2
        Size of the workload marginals (2: all pairs, 3: all triples).
    max_model_size : int, default=500_000
        Largest number of cells of the junction-tree model.
    max_iter : int, default=50
        L-BFGS iterations of each round's refit (the final fit uses 4x).
    target_weight : float, default=5.0
        Weight, in the workload, of the marginals that involve the target
        ``y`` (when ``fit`` is given one); 1 is AIM's uniform workload, more
        steers the selection towards what a downstream classifier needs. The
        selection's sensitivity (the largest candidate weight) accounts for it.
    verbose : int, default=1
        0: silent; 1: the rounds as a bar in a terminal, plain lines in a log.
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
    model_ : GraphicalModel
        The fitted junction-tree model.
    cliques_ : list of tuple of str
        Column names of the marginals measured in the rounds, in order.
    n_rounds_ : int
        Number of selection rounds.
    measurements_ : list of tuple
        The noisy marginals ``(column names, noisy counts, sigma)`` the model
        was fitted to (DP outputs).
    n_samples_dp_ : int
        DP estimate of the number of rows (from the noisy marginals).
    schema_ : TableSchema
        The public schema (categories and bounds from ``domain_``).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    See Also
    --------
    MSTGenerator : a fixed spanning tree of pairs (faster).
    sksynth.samplers.SyntheticReleaseSampler : train a pipeline on a release.

    References
    ----------
    .. [1] R. McKenna, B. Mullins, D. Sheldon, G. Miklau. "AIM: An Adaptive
       and Iterative Mechanism for Differentially Private Synthetic Data".
       PVLDB 15(11), 2022.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import AIMGenerator
    >>> X, y = make_mixed_classification(500, random_state=0)
    >>> gen = AIMGenerator(epsilon=1.0, delta=1e-4, n_bins=8, max_iter=10,
    ...                    random_state=0)
    >>> gen = gen.fit(X, y)
    >>> round(gen.privacy_spent_.epsilon, 6), gen.privacy_spent_.mechanism
    (1.0, 'AIM')
    >>> gen.sample(3)[0].shape
    (3, 7)
    """

    _parameter_constraints: dict = {
        **BaseMarginalGenerator._parameter_constraints,
        "degree": [Interval(numbers.Integral, 1, 3, closed="both")],
        "max_model_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "target_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "verbose": ["verbose"],
    }
    _mechanism = "AIM"

    def __init__(
        self, *, epsilon=None, delta=1e-9, domain=None, bounds=None, n_bins=32,
        domain_budget=0.1, allow_large_delta=False, degree=2,
        max_model_size=500_000, max_iter=50, target_weight=5.0, verbose=1,
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
        self.max_model_size = max_model_size
        self.max_iter = max_iter
        self.target_weight = target_weight
        self.verbose = verbose
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {"epsilon": 1e3, "delta": 1e-9, "n_bins": 8, "max_iter": 10,
                "max_model_size": 5000, "random_state": 0,
                "allow_large_delta": True}

    def _fit_model(self, D, sizes, accountant, rng):
        counts = as_marginal_counts(D, sizes)  # the cells' counts (sensitive)
        d = len(sizes)
        names = [c.name for c in self.schema_.columns]
        rho = accountant.remaining
        T = 16 * d
        sigma = math.sqrt(T / (2 * _ALPHA * rho))
        eps = math.sqrt(8 * (1 - _ALPHA) * rho / T)
        ms = []
        for j, y in zip(range(d), counts.many([(j,) for j in range(d)])):
            accountant.charge(f"1-way marginal {names[j]!r}", "gaussian",
                              gaussian_rho(sigma))
            ms.append(Measurement((j,), y + rng.normal(0, sigma, y.shape), sigma))
        model = GraphicalModel(sizes, [])
        model.fit(ms, estimate_total(ms), max_iter=self.max_iter)
        # workload and candidates (the workload's downward closure)
        k = min(self.degree, d)
        workload = list(itertools.combinations(range(d), k))
        cands = sorted(
            {s for w in workload for r in range(1, k + 1)
             for s in itertools.combinations(w, r)}
        )
        target = d - 1 if self.schema_.has_target else None
        coef = {
            w: (self.target_weight if target in w else 1.0) for w in workload
        }
        weights = {
            r: sum(coef[w] * len(set(r) & set(w)) for w in workload) for r in cands
        }
        true = dict(zip(cands, counts.many(cands)))  # one pass when partitioned
        cliques = []
        rounds = 0
        bar = progress(desc="AIM rounds", verbose=self.verbose)
        terminate = False
        while not terminate:
            remaining = accountant.remaining
            per_round = gaussian_rho(sigma) + exponential_rho(eps)
            if remaining <= 2 * per_round:
                sigma = math.sqrt(1 / (2 * _ALPHA * remaining))
                eps = math.sqrt(8 * (1 - _ALPHA) * remaining)
                terminate = True
            used = (accountant.rho - remaining + gaussian_rho(sigma)
                    + exponential_rho(eps))
            limit = self.max_model_size * used / accountant.rho
            allowed = [
                r for r in cands
                if model_size(cliques + [r], sizes) <= limit or r in cliques
            ]
            if not allowed:  # cannot happen with 1-ways in cands; be safe
                allowed = [r for r in cands if len(r) == 1]
            probs = model.clique_marginals()
            total = model.total
            est = {r: total * model.marginal(r, probs) for r in allowed}
            scores = np.array([
                weights[r] * (np.abs(true[r] - est[r]).sum()
                              - math.sqrt(2 / math.pi) * sigma * true[r].size)
                for r in allowed
            ])
            sens = max(weights[r] for r in allowed)
            accountant.charge(f"round {rounds + 1} selection", "exponential",
                              exponential_rho(eps))
            r = allowed[exponential_mechanism(scores, eps, rng, sensitivity=sens)]
            accountant.charge(
                f"round {rounds + 1} marginal {tuple(names[a] for a in r)!r}",
                "gaussian",
                min(gaussian_rho(sigma), accountant.remaining),
            )
            y = true[r] + rng.normal(0, sigma, true[r].shape)
            ms.append(Measurement(r, y, sigma))
            if r not in cliques:
                cliques.append(r)
            before = est[r]
            model = model.rebuild(cliques)
            model.fit(ms, estimate_total(ms), max_iter=self.max_iter)
            after = model.total * model.marginal(r)
            if np.abs(after - before).sum() <= math.sqrt(2 / math.pi) * sigma * y.size:
                sigma /= 2
                eps *= 2
            rounds += 1
            bar.update(1)
        bar.close()
        model.fit(ms, estimate_total(ms), max_iter=4 * self.max_iter)
        self.measurements_ = _describe_measurements(ms, names)
        self.cliques_ = [tuple(names[a] for a in m.attrs) for m in ms[d:]]
        self.n_rounds_ = rounds
        return model
