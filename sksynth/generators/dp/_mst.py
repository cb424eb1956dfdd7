"""MST: differentially private synthetic data from a maximum spanning tree."""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np
from sklearn.utils._param_validation import Interval

from ...constraints._enforce import RULE_PARAMETERS_DOC
from ...utils._docstring import fill_doc
from ._base import (
    _DP_DOC,
    _DP_PARAMS_DOC,
    BaseMarginalGenerator,
    _describe_measurements,
    as_marginal_counts,
)
from ._graphical_model import GraphicalModel, Measurement, estimate_total
from .accounting import exponential_mechanism, exponential_rho, gaussian_rho

__all__ = ["MSTGenerator"]


@fill_doc(dp_doc=_DP_DOC, dp_params_doc=_DP_PARAMS_DOC)
@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class MSTGenerator(BaseMarginalGenerator):
    """Differentially private synthetic data with MST.

    MST (McKenna, Miklau & Sheldon, 2021; winner of the 2018 NIST DP synthetic
    data challenge), implemented from the paper in zCDP:

    1. the domain of each column (public, or estimated under DP, see below)
       turns every column into a discrete attribute;
    2. a third of the remaining budget measures every 1-way marginal with
       the Gaussian mechanism;
    3. a third selects ``n_columns - 1`` pairs forming a spanning tree: in
       Kruskal's order, the exponential mechanism picks among pairs joining
       two components, scored by the L1 distance between the pair's true
       marginal and the one of the independent model fitted in step 2
       (sensitivity 1);
    4. the last third measures the selected 2-way marginals (Gaussian);
    5. a graphical model (a tree) is fitted to all noisy marginals, and rows
       are sampled from it; bins become values drawn uniformly inside the
       bin (integers rounded).
{dp_doc}
    Parameters
    ----------
    {dp_params_doc}
    max_iter : int, default=100
        L-BFGS iterations of the graphical-model fit.
    verbose : int, default=0
        Print the steps (MST is a handful of steps; no progress bar needed).
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
        Column names of the selected pairs.
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
    AIMGenerator : adaptive selection of marginals (better utility, slower).
    sksynth.samplers.SyntheticReleaseSampler : train a pipeline on a release.

    References
    ----------
    .. [1] R. McKenna, G. Miklau, D. Sheldon. "Winning the NIST Contest: A
       scalable and general approach to differentially private synthetic
       data". Journal of Privacy and Confidentiality 11(3), 2021.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import MSTGenerator
    >>> X, y = make_mixed_classification(2000, random_state=0)
    >>> gen = MSTGenerator(epsilon=1.0, delta=1e-6, random_state=0).fit(X, y)
    >>> round(gen.privacy_spent_.epsilon, 6), gen.privacy_spent_.delta
    (1.0, 1e-06)
    >>> Xs, ys = gen.sample(5)
    >>> Xs.shape
    (5, 7)
    """

    _parameter_constraints: dict = {
        **BaseMarginalGenerator._parameter_constraints,
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    }
    _mechanism = "MST"

    def __init__(
        self, *, epsilon=None, delta=1e-9, domain=None, bounds=None, n_bins=32,
        domain_budget=0.1, allow_large_delta=False, max_iter=100, verbose=0,
        random_state=None, constraints=None, schema=None,
    ):
        self.epsilon = epsilon
        self.delta = delta
        self.domain = domain
        self.bounds = bounds
        self.n_bins = n_bins
        self.domain_budget = domain_budget
        self.allow_large_delta = allow_large_delta
        self.max_iter = max_iter
        self.verbose = verbose
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {"epsilon": 1e3, "delta": 1e-9, "n_bins": 8, "max_iter": 30,
                "random_state": 0, "allow_large_delta": True}

    def _fit_model(self, D, sizes, accountant, rng):
        counts = as_marginal_counts(D, sizes)  # the cells' counts (sensitive)
        d = len(sizes)
        names = [c.name for c in self.schema_.columns]
        rho = accountant.remaining
        pairs = list(itertools.combinations(range(d), 2))
        select = d > 2  # with one pair (or none) there is nothing to select
        parts = 1 + (d > 1) + select
        rho1 = rho / parts
        sigma1 = math.sqrt(d / (2 * rho1))
        ms = []
        for j, y in zip(range(d), counts.many([(j,) for j in range(d)])):
            accountant.charge(f"1-way marginal {names[j]!r}", "gaussian",
                              gaussian_rho(sigma1))
            ms.append(Measurement((j,), y + rng.normal(0, sigma1, y.shape), sigma1))
        if d == 1:
            model = GraphicalModel(sizes, [])
            model.fit(ms, estimate_total(ms), max_iter=self.max_iter)
            self.measurements_ = _describe_measurements(ms, names)
            self.cliques_ = []
            return model
        total = estimate_total(ms)
        if select:
            # the independent model of the noisy 1-ways (post-processing)
            one = [np.clip(m.values, 0, None) + 1e-9 for m in ms]
            one = [v / v.sum() for v in one]
            scores = np.array([
                np.abs(y - total * np.outer(one[a], one[b])).sum()
                for (a, b), y in zip(pairs, counts.many(pairs))
            ])
            eps = math.sqrt(8 * rho1 / (d - 1))
            comp = list(range(d))

            def find(i):
                while comp[i] != i:
                    comp[i] = comp[comp[i]]
                    i = comp[i]
                return i

            chosen = []
            for step in range(d - 1):
                cand = [k for k, (a, b) in enumerate(pairs) if find(a) != find(b)]
                accountant.charge(f"tree edge {step + 1} selection", "exponential",
                                  exponential_rho(eps))
                k = cand[exponential_mechanism(scores[cand], eps, rng)]
                a, b = pairs[k]
                comp[find(a)] = find(b)
                chosen.append(pairs[k])
        else:
            chosen = pairs
        sigma2 = math.sqrt(len(chosen) / (2 * rho1))
        for p, y in zip(chosen, counts.many(chosen)):
            accountant.charge(
                f"2-way marginal ({names[p[0]]!r}, {names[p[1]]!r})", "gaussian",
                gaussian_rho(sigma2),
            )
            ms.append(Measurement(p, y + rng.normal(0, sigma2, y.shape), sigma2))
        if self.verbose:
            print(f"MST: selected {len(chosen)} pairs; fitting the model")
        model = GraphicalModel(sizes, chosen)
        model.fit(ms, estimate_total(ms), max_iter=self.max_iter)
        self.measurements_ = _describe_measurements(ms, names)
        self.cliques_ = [tuple(names[a] for a in p) for p in chosen]
        return model
