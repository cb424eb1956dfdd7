"""Causally fair generation (DECAF-style): a DAG of conditional models, with the
edges out of sensitive attributes removed at sampling time."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.stats import chi2
from sklearn.base import clone
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ..base import BaseGenerator
from ..constraints._enforce import RULE_PARAMETERS_DOC
from ..preprocessing._cells import CellEncoder, data_domains
from ..utils._docstring import fill_doc
from ..utils._random import draw_seed
from ._bayesian_network import pairwise_mutual_info, topological_order

__all__ = ["CausalFairGenerator"]

_FAIRNESS = {"demographic_parity", "unawareness", "none"}


@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class CausalFairGenerator(BaseGenerator):
    """A causal generator that removes the edges out of sensitive attributes.

    The columns (and the target, when fitted) are nodes of a directed acyclic
    graph (DAG), given or learned; each node gets one classifier that predicts
    its (discretised) state from its parents, and rows are drawn node by node
    in causal order. Fairness comes at sampling time, as in DECAF: the model
    is trained on the real, biased data, then the chosen edges out of the
    sensitive attributes are cut: along a removed edge the child sees the
    sensitive values of another, random row (drawn from their marginal), so
    the sensitive attribute no longer influences it while every other
    dependency is kept.

    - ``fairness="demographic_parity"``: every edge from a sensitive
      attribute into the target or an ancestor of the target is removed, so
      the synthetic target is independent of the sensitive attributes by
      construction (without a target: every edge out of them).
    - ``fairness="unawareness"``: only the direct edges sensitive -> target
      are removed (fairness through unawareness).
    - ``fairness="none"``: the plain causal model.

    Changing ``fairness`` with ``set_params`` after ``fit`` applies to the
    next ``sample`` without refitting. Sensitive attributes are root nodes
    (their joint distribution is drawn from the data, keeping e.g. the
    sex x race association).

    Parameters
    ----------
    sensitive_features : str, int or list, default=None
        Sensitive column name(s) (or positions). ``None``: no edge is removed.
    fairness : {"demographic_parity", "unawareness", "none"}, \
            default="demographic_parity"
        Which edges out of the sensitive attributes are removed when sampling.
    dag : list of (parent, child) pairs, default=None
        The causal graph over column names (the target is ``"y"`` or its
        Series name); columns not named are roots. ``None`` learns it: the
        sensitive attributes first, the target last, the other columns in the
        order of a mutual-information spanning tree, each node taking as
        parents up to ``max_parents`` earlier nodes with the largest
        significant (G-test, p < 0.001) mutual information.
    max_parents : int, default=4
        Most parents per node in a learned DAG.
    estimator : classifier, default=None
        Conditional model of every node, cloned per node; it gets the parents'
        states (integers) and predicts the node's state. ``None`` uses a
        :class:`~sklearn.tree.DecisionTreeClassifier` whose leaves hold at
        least ``max(10, n_samples // 500)`` rows (each leaf: the empirical
        distribution of the node given similar parents).
    n_bins : int, default=20
        States of a numeric column (values inside a state come back from its
        empirical quantiles; frequent values such as zeros are states of their
        own).
    random_state : int, RandomState instance or None, default=None
        Seed for fitting and sampling.
    {rule_params}

    Attributes
    ----------
    dag_ : list of (parent, child)
        The graph used (names).
    parents_ : list of tuple of int
        Parent positions of every node (schema order, target last).
    removed_edges_ : list of (parent, child)
        The edges removed by the current ``fairness`` setting.
    models_ : list
        Fitted classifier per node (None for roots).
    schema_ : TableSchema
        Column types seen in ``fit``.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    See Also
    --------
    sksynth.samplers.FairResampler : rebalance groups by resampling instead.
    sksynth.generators.BayesianNetworkGenerator : discrete Bayesian network.

    References
    ----------
    B. van Breugel, T. Kyono, J. Berrevoets and M. van der Schaar, "DECAF:
    Generating Fair Synthetic Data Using Causally-Aware Generative Networks",
    NeurIPS 2021.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import CausalFairGenerator
    >>> X, y = make_mixed_classification(1000, weights=(0.7,), random_state=0)
    >>> gen = CausalFairGenerator(sensitive_features="plan", n_bins=8,
    ...                           random_state=0).fit(X, y)
    >>> Xs, ys = gen.sample(3000, random_state=0)
    >>> rates = ys.groupby(Xs["plan"], observed=True).mean()
    >>> bool(rates.max() - rates.min() < 0.05)
    True
    """

    _parameter_constraints: dict = {
        "sensitive_features": "no_validation",
        "fairness": [StrOptions(_FAIRNESS)],
        "dag": [list, None],
        "max_parents": [Interval(numbers.Integral, 0, None, closed="left")],
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "n_bins": [Interval(numbers.Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        sensitive_features=None,
        fairness="demographic_parity",
        dag=None,
        max_parents=4,
        estimator=None,
        n_bins=20,
        random_state=None,
        constraints=None,
        schema=None,
    ):
        self.sensitive_features = sensitive_features
        self.fairness = fairness
        self.dag = dag
        self.max_parents = max_parents
        self.estimator = estimator
        self.n_bins = n_bins
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {
            "sensitive_features": 0,
            "max_parents": 2,
            "n_bins": 5,
            "random_state": 0,
        }

    # ------------------------------------------------------------------ fit
    def _positions(self, keys):
        if keys is None:
            return []
        if not isinstance(keys, (list, tuple)):
            keys = [keys]
        out = []
        names = self.schema_.names
        for key in keys:
            try:
                j = self.schema_.column_position(key)
            except ValueError:
                if isinstance(key, numbers.Integral) and not isinstance(key, bool):
                    if 0 <= key < len(names):
                        j = int(key)
                    else:
                        raise ValueError(
                            f"Sensitive feature index {key} is out of range for "
                            f"{len(names)} columns."
                        ) from None
                else:
                    raise
            out.append(j)
        if self.schema_.has_target and self.schema_.target_index in out:
            raise ValueError("The target cannot be a sensitive feature.")
        return sorted(set(out))

    def _fit(self, Z, random_state):
        schema = self.schema_
        p = schema.n_columns
        self.sensitive_ = self._positions(self.sensitive_features)
        cells = CellEncoder(data_domains(Z, schema, self.n_bins))
        D = cells.transform(Z)
        self.cells_ = cells
        if self.dag is None:
            parents = self._learn_parents(D, np.asarray(cells.sizes_, dtype=np.int64))
        else:
            parents = self._given_parents()
        self.parents_ = parents
        self.order_ = topological_order(parents)
        names = schema.names
        self.dag_ = [(names[q], names[j]) for j in range(p) for q in parents[j]]
        self._D = D  # states of the training rows (root / marginal draws)
        self.models_ = [None] * p
        base = self.estimator
        for j in range(p):
            if not parents[j]:
                continue
            target = D[:, j]
            if len(np.unique(target)) < 2:
                self.models_[j] = ("constant", int(target[0]))
                continue
            if base is None:
                model = DecisionTreeClassifier(
                    min_samples_leaf=max(10, len(D) // 500),
                    random_state=draw_seed(random_state),
                )
            else:
                model = clone(base)
                if "random_state" in model.get_params():
                    model.set_params(random_state=draw_seed(random_state))
            model.fit(D[:, list(parents[j])], target)
            self.models_[j] = model
        return self

    def _given_parents(self):
        p = self.schema_.n_columns
        parents = [[] for _ in range(p)]
        for edge in self.dag:
            if not isinstance(edge, (tuple, list)) or len(edge) != 2:
                raise ValueError(
                    f"dag must be a list of (parent, child) pairs; got {edge!r}."
                )
            a, b = (self.schema_.column_position(k) for k in edge)
            if a == b:
                raise ValueError(f"dag has a self-loop on {edge[0]!r}.")
            if a not in parents[b]:
                parents[b].append(a)
        parents = [tuple(sorted(ps)) for ps in parents]
        try:
            topological_order(parents)
        except ValueError:
            raise ValueError("dag has a cycle; it must be acyclic.") from None
        for s in self.sensitive_:
            if parents[s]:
                raise ValueError(
                    f"Sensitive feature {self.schema_.names[s]!r} has parents in "
                    "dag; sensitive attributes must be root nodes (their "
                    "distribution is kept, only their effects are removed)."
                )
        return parents

    def _learn_parents(self, D, cards):
        n, p = D.shape
        mi = pairwise_mutual_info(D, cards)
        # significance of each pair: G = 2 n MI ~ chi2((ci-1)(cj-1))
        dof = np.outer(cards - 1, cards - 1).clip(1, None)
        significant = 2 * n * mi > chi2.ppf(0.999, dof)
        np.fill_diagonal(significant, False)
        target = self.schema_.target_index
        first = list(self.sensitive_)
        last = [target] if target is not None else []
        middle = [j for j in range(p) if j not in first and j not in last]
        # order the middle columns by a maximum spanning tree (Prim) grown from
        # the sensitive attributes (or the most connected column)
        order = list(first)
        remaining = list(middle)
        if not order and remaining:
            start = max(remaining, key=lambda j: mi[j].sum())
            order.append(start)
            remaining.remove(start)
        while remaining:
            nxt = max(remaining, key=lambda j: mi[j, order].max())
            order.append(nxt)
            remaining.remove(nxt)
        order += last
        parents = [()] * p
        for k, j in enumerate(order):
            if j in self.sensitive_:
                continue
            earlier = [q for q in order[:k] if significant[j, q]]
            earlier.sort(key=lambda q: -mi[j, q])
            parents[j] = tuple(sorted(earlier[: self.max_parents]))
        return parents

    # -------------------------------------------------------------- removal
    def _removed(self):
        """Edges (parent, child) positions cut under the current ``fairness``."""
        S = set(self._positions(self.sensitive_features)) if hasattr(
            self, "parents_") else set()
        if self.fairness == "none" or not S:
            return set()
        parents = self.parents_
        target = self.schema_.target_index
        edges = {(q, j) for j in range(len(parents)) for q in parents[j] if q in S}
        if self.fairness == "unawareness":
            return {(q, j) for q, j in edges if j == target}
        if target is None:
            return edges
        ancestors, stack = {target}, [target]
        while stack:
            for q in parents[stack.pop()]:
                if q not in ancestors:
                    ancestors.add(q)
                    stack.append(q)
        return {(q, j) for q, j in edges if j in ancestors}

    @property
    def removed_edges_(self):
        """Edges cut at sampling time by the current ``fairness`` setting."""
        names = self.schema_.names
        return sorted((names[q], names[j]) for q, j in self._removed())

    # --------------------------------------------------------------- sample
    def _sample(self, n_samples, conditions, random_state):
        rng = random_state
        D = self._D
        p = D.shape[1]
        out = np.zeros((n_samples, p), dtype=np.int64)
        removed = self._removed()
        sens = list(self.sensitive_)
        if sens:  # the sensitive attributes: joint draw of real rows
            out[:, sens] = D[rng.randint(len(D), size=n_samples)][:, sens]
        for j in self.order_:
            if j in sens:
                continue
            pa = list(self.parents_[j])
            model = self.models_[j]
            if not pa:
                out[:, j] = D[rng.randint(len(D), size=n_samples), j]
                continue
            if isinstance(model, tuple):
                out[:, j] = model[1]
                continue
            feats = out[:, pa].copy()
            cut = [k for k, q in enumerate(pa) if (q, j) in removed]
            if cut:  # the sensitive values of other, random rows
                donor = D[rng.randint(len(D), size=n_samples)]
                feats[:, cut] = donor[:, [pa[k] for k in cut]]
            proba = model.predict_proba(feats)
            u = rng.uniform(size=(n_samples, 1))
            idx = (proba.cumsum(axis=1) < u).sum(axis=1)
            idx = np.minimum(idx, proba.shape[1] - 1)
            out[:, j] = model.classes_[idx]
        return self.cells_.inverse(out, rng)
