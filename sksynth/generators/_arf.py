"""Adversarial random forest (ARF) generator."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy.stats import truncnorm
from sklearn.ensemble import RandomForestClassifier
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions

from .._conditioning import condition_groups, describe_conditions
from ..base import BaseGenerator
from ..constraints._enforce import RULE_PARAMETERS_DOC
from ..preprocessing._columns import check_magnitude
from ..utils._docstring import fill_doc
from ..utils._random import draw_seed

__all__ = ["ARFGenerator"]


def _leaf_bounds(tree, n_features):
    """Lower (exclusive) and upper (inclusive) bounds of every node of a tree."""
    t = tree.tree_
    n_nodes = t.node_count
    lo = np.full((n_nodes, n_features), -np.inf)
    hi = np.full((n_nodes, n_features), np.inf)
    frontier = np.array([0])
    while frontier.size:
        internal = frontier[t.children_left[frontier] != -1]
        if not internal.size:
            break
        left, right = t.children_left[internal], t.children_right[internal]
        f, thr = t.feature[internal], t.threshold[internal]
        lo[left], hi[left] = lo[internal], hi[internal]
        lo[right], hi[right] = lo[internal], hi[internal]
        hi[left, f] = np.minimum(hi[left, f], thr)
        lo[right, f] = np.maximum(lo[right, f], thr)
        frontier = np.concatenate([left, right])
    return lo, hi


def _apply(forest, X):
    """``forest.apply(X)`` without its per-call thread pool and checks.

    The trees split on float32 copies of the features, as the forest makes
    them.
    """
    X32 = np.asarray(X, dtype=np.float32)
    return np.stack(
        [tree.apply(X32, check_input=False) for tree in forest.estimators_], axis=1
    )


class _LeafModel:
    """Leaves of a forest filled with the real rows that fall into them.

    Every leaf that holds real rows is a *global leaf* ``g`` with a coverage
    (its share of the real rows, over the number of trees) and the positions
    of its rows, stored contiguously in ``rows`` from ``start[g]``.
    """

    def __init__(self, forest, X, Z, schema, *, density, alpha, summaries=True):
        n, T = X.shape[0], len(forest.estimators_)
        # global leaves: the nodes of each tree that hold rows, numbered tree
        # by tree in increasing node order (no sort: a node is marked present)
        sizes = np.array([e.tree_.node_count for e in forest.estimators_])
        base = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        keys = _apply(forest, X) + base  # (n, T) node ids, tree by tree
        present = np.zeros(int(sizes.sum()), dtype=bool)
        present[keys.ravel()] = True
        held = np.flatnonzero(present)
        leaf_of = (np.cumsum(present) - 1)[keys].astype(np.int64)
        L = len(held)
        self.n_leaves = L
        self.tree = np.searchsorted(base, held, side="right").astype(np.int64) - 1
        self.node = held - base[self.tree]
        self.leaf_of = leaf_of
        flat = leaf_of.T.ravel()  # tree-major, so rows of a leaf are contiguous
        order = np.argsort(flat, kind="stable")
        self.rows = np.tile(np.arange(n), T)[order]
        idx = flat[order]  # the leaf of each entry of rows (sorted)
        self.count = np.bincount(flat, minlength=L).astype(np.float64)
        self.start = np.concatenate([[0], np.cumsum(self.count)[:-1]]).astype(np.int64)
        self.coverage = self.count / (n * T)
        self.Z = Z
        self.schema = schema
        self.density = density
        self.alpha = alpha
        # numeric summaries per leaf (truncnorm densities, numeric conditions;
        # not needed by the regeneration rounds, which draw empirically)
        self.numeric = {}
        for j, col in enumerate(schema.columns):
            if col.kind == "categorical" or not summaries:
                continue
            z = Z[:, j]
            obs = ~np.isnan(z)
            zr = np.where(obs, z, 0.0)[self.rows]
            ob = obs[self.rows].astype(np.float64)
            n_obs = np.bincount(idx, weights=ob, minlength=L)
            s1 = np.bincount(idx, weights=zr, minlength=L)
            s2 = np.bincount(idx, weights=zr**2, minlength=L)
            mean = s1 / np.maximum(n_obs, 1)
            var = np.maximum(s2 / np.maximum(n_obs, 1) - mean**2, 0.0)
            zmin = np.full(L, np.inf)
            zmax = np.full(L, -np.inf)
            seen = ob > 0
            np.minimum.at(zmin, idx[seen], zr[seen])
            np.maximum.at(zmax, idx[seen], zr[seen])
            self.numeric[j] = {
                "n_obs": n_obs, "mean": mean, "sd": np.sqrt(var), "min": zmin,
                "max": zmax, "bandwidth": 0.1 * (np.nanstd(z) or 1.0),
            }
        # category bounds per leaf (for smoothing within the leaf's region)
        self.cat_bounds, self.cat_cum = {}, {}
        if alpha > 0:
            cat = [j for j, c in enumerate(schema.columns) if c.kind == "categorical"]
            lo = np.empty((L, len(cat)))
            hi = np.empty((L, len(cat)))
            for t in range(T):
                blo, bhi = _leaf_bounds(forest.estimators_[t], X.shape[1])
                sel = self.tree == t
                lo[sel] = blo[self.node[sel]][:, cat]
                hi[sel] = bhi[self.node[sel]][:, cat]
            for i, j in enumerate(cat):
                col = schema.columns[j]
                top = col.n_categories - 1 + int(col.has_missing)
                a = np.clip(np.floor(lo[:, i]) + 1, 0, top)
                b = np.clip(np.floor(hi[:, i]), 0, top)
                self.cat_bounds[j] = (a.astype(np.int64), b.astype(np.int64))
                codes = np.where(np.isnan(Z[:, j]), col.n_categories, Z[:, j])
                freq = np.bincount(codes.astype(np.int64), minlength=top + 1) + 1e-3
                self.cat_cum[j] = np.concatenate([[0.0], np.cumsum(freq / freq.sum())])

    # ------------------------------------------------------------ sampling
    def draw_leaves(self, n, rng, weights=None):
        p = self.coverage if weights is None else weights
        cum = np.cumsum(p)
        return np.minimum(
            np.searchsorted(cum, rng.uniform(size=n) * cum[-1], side="right"),
            self.n_leaves - 1,
        )

    def draw_rows(self, g, rng, among=None):
        """One random real row of each leaf in ``g`` (of ``among``'s rows)."""
        if among is None:
            start, count, rows = self.start, self.count, self.rows
        else:
            start, count, rows = among
        pos = start[g] + np.floor(rng.uniform(size=len(g)) * count[g])
        return rows[pos.astype(np.int64)]

    def matching(self, mask):
        """``(start, count, rows)`` of the rows in ``mask``, leaf by leaf.

        A leaf without such rows keeps all its rows.
        """
        keep = mask[self.rows]
        leaf = np.repeat(np.arange(self.n_leaves), self.count.astype(np.int64))
        count = np.bincount(leaf[keep], minlength=self.n_leaves).astype(np.float64)
        keep |= (count == 0)[leaf]
        count = np.bincount(leaf[keep], minlength=self.n_leaves).astype(np.float64)
        start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
        return start, count, self.rows[keep]

    def sample(self, g, rng, skip=(), among=None):
        if self.density == "interpolate":
            return self._interpolate(g, rng, skip, among)
        m, p = len(g), self.Z.shape[1]
        out = np.empty((m, p))
        for j, col in enumerate(self.schema.columns):
            if j in skip:
                continue
            values = self.Z[self.draw_rows(g, rng, among), j]
            if col.kind == "categorical" and self.alpha > 0:
                values = self._smooth_categorical(j, g, values, rng)
            elif col.kind != "categorical" and self.density == "truncnorm":
                values = self._truncnorm(j, g, values, rng)
            out[:, j] = values
        return out

    def _interpolate(self, g, rng, skip, among):
        """Rows on the segment between two real rows of each leaf.

        The same two rows and the same fraction ``u`` for every numeric
        column (integers rounded); categorical, datetime and missing cells are
        the nearer row's (``u < 0.5``: the first).
        """
        a = self.Z[self.draw_rows(g, rng, among)]
        b = self.Z[self.draw_rows(g, rng, among)]
        u = rng.uniform(size=len(g))[:, None]
        out = np.where(u < 0.5, a, b)
        cols = self.schema.columns
        num = [j for j, c in enumerate(cols) if c.kind == "numeric" and j not in skip]
        if num:
            mixed = a[:, num] + u * (b[:, num] - a[:, num])
            whole = [i for i, j in enumerate(num) if cols[j].integer]
            mixed[:, whole] = np.round(mixed[:, whole])
            # NaN where either cell is missing: the nearer row's cell stays
            out[:, num] = np.where(np.isnan(mixed), out[:, num], mixed)
        return out

    def _smooth_categorical(self, j, g, values, rng):
        a, b = self.cat_bounds[j]
        cum = self.cat_cum[j]
        prior = self.alpha / (self.count[g] + self.alpha)
        flip = rng.uniform(size=len(g)) < prior
        if flip.any():
            lo, hi = cum[a[g[flip]]], cum[b[g[flip]] + 1]
            u = lo + rng.uniform(size=flip.sum()) * (hi - lo)
            draw = np.clip(np.searchsorted(cum, u, side="right") - 1,
                           a[g[flip]], b[g[flip]]).astype(np.float64)
            col = self.schema.columns[j]
            draw = np.where(draw >= col.n_categories, np.nan, draw)
            values = values.copy()
            values[flip] = draw
        return values

    def _truncnorm(self, j, g, values, rng):
        # missingness follows the drawn row; present values come from the
        # leaf's normal truncated to the leaf's observed range
        s = self.numeric[j]
        present = ~np.isnan(values)
        gg = g[present]
        mu, sd = s["mean"][gg], s["sd"][gg]
        lo, hi = s["min"][gg], s["max"][gg]
        point = sd <= 1e-12 * np.maximum(1.0, np.abs(mu))
        x = mu.copy()
        if (~point).any():
            sdp = sd[~point]
            a = (lo[~point] - mu[~point]) / sdp
            b = (hi[~point] - mu[~point]) / sdp
            x[~point] = truncnorm.rvs(a, b, loc=mu[~point], scale=sdp,
                                      random_state=rng)
        out = values.copy()
        out[present] = np.clip(x, lo, hi)
        return out

    # --------------------------------------------------------- conditioning
    def condition_weights(self, cond):
        """Leaf weights given one condition row (NaN = free)."""
        w = self.coverage.copy()
        for j in np.flatnonzero(~np.isnan(cond)):
            v = cond[j]
            col = self.schema.columns[j]
            z = self.Z[:, j]
            hit = np.flatnonzero(z == v)
            cnt = np.bincount(self.leaf_of[hit].ravel(), minlength=self.n_leaves)
            if col.kind == "categorical":
                f = cnt.astype(np.float64)
                if self.alpha > 0:
                    a, b = self.cat_bounds[j]
                    cum = self.cat_cum[j]
                    c = int(v)
                    share = (cum[c + 1] - cum[c]) / (cum[b + 1] - cum[a])
                    f = f + self.alpha * share * ((a <= c) & (c <= b))
                    f /= self.count + self.alpha
                else:
                    f /= self.count
            elif len(hit) and (col.is_discrete or len(hit) >= 2):
                f = cnt / self.count  # a value with mass: its share in the leaf
            else:  # a continuous value: a smoothed normal density per leaf
                s = self.numeric[j]
                scale = np.sqrt(s["sd"] ** 2 + s["bandwidth"] ** 2)
                dens = np.exp(-0.5 * ((v - s["mean"]) / scale) ** 2) / scale
                f = s["n_obs"] / self.count * dens
            w *= f
        return w


@fill_doc(rule_params=RULE_PARAMETERS_DOC)
class ARFGenerator(BaseGenerator):
    """Adversarial random forest generator with native conditioning.

    A random forest is trained to tell the real rows from synthetic rows,
    starting from rows drawn from the product of the marginals. The leaves of
    the forest then define new synthetic rows (a leaf drawn by its share of
    real rows, then every column drawn independently from the real rows in the
    leaf), and the forest is retrained, until it can no longer tell them apart.

    **Stopping rule**: stop as soon as the forest's out-of-bag accuracy is at
    most ``0.5 + delta``; with ``early_stop=True`` also stop when the accuracy
    fails to decrease from one round to the next; in any case stop after
    ``max_iter`` rounds of regeneration (the cap). The last forest is kept.

    Within each leaf of the final forest the columns are independent: a
    numeric column follows the leaf's empirical distribution (which keeps
    integers and point masses such as a capital gain that is mostly 0) or a
    normal truncated to the leaf's range (``numeric_density="truncnorm"``); a
    categorical column (missing values being one more category) follows the
    leaf's frequencies, smoothed by ``alpha`` pseudo-counts spread over the
    categories the leaf's splits allow. Sampling draws a tree uniformly, a
    leaf by its coverage, then every column from the leaf.

    Conditioning is native: leaves are reweighted by the probability (or
    density) of the conditioned values within them, and the free columns are
    drawn from the reweighted leaves; no rejection is involved. Under a
    categorical condition (a class, say) the free columns are drawn from all
    the leaf's rows, or from those that carry the conditioned categories
    (``condition_rows``).

    Parameters
    ----------
    n_estimators : int, default=10
        Trees of the forest.
    min_samples_leaf : int, default=5
        Minimum number of rows (real and synthetic) per leaf. Small leaves
        copy training rows: with 2, 16% of the rows sampled from adult (23%
        on the built-in data) are exact copies of training rows; with 5, 2%
        (5%), at a small cost in fidelity (detection AUC 0.59 -> 0.67;
        ``benchmarks/bench_cpu_generators.py --arf-min-samples-leaf``).
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
        Columns tried per split (as in RandomForestClassifier).
    delta : float, default=0.0
        Tolerance of the stopping rule: stop when the out-of-bag accuracy is
        at most ``0.5 + delta``.
    max_iter : int, default=10
        Cap on the number of regeneration rounds.
    early_stop : bool, default=True
        Also stop when the accuracy fails to improve.
    numeric_density : {"empirical", "truncnorm", "interpolate"}, \
default="empirical"
        Density of numeric columns within a leaf. ``"interpolate"``: a row is
        drawn between two real rows of its leaf (of those that match a
        categorical condition, with ``condition_rows="matching"``), as SMOTE
        draws between neighbours: every numeric column at the same
        fraction ``u`` of the way, the categorical, datetime and missing
        cells from the nearer of the two rows (integers are rounded). The
        columns then keep the dependence they have among the leaf's rows (a
        radius and an area stay consistent) instead of being independent
        within the leaf. Point masses are interpolated too, as by SMOTE
        (between a balance of 0 and one of 2,000 lie new small balances);
        for a release that must keep them, use ``"empirical"``.
    alpha : float, default=0.0
        Pseudo-count added to every leaf's categorical frequencies, spread
        over the categories the leaf's splits allow in proportion to their
        overall frequencies (0: the leaf's frequencies as seen).
    condition_rows : {"leaf", "matching"}, default="leaf"
        Rows a leaf draws its free columns from under categorical
        conditions: ``"leaf"``, all its rows (the leaf's independence taken
        at its word: in a leaf that mixes the classes, a class borrows the
        other classes' values); ``"matching"``, those of its rows that carry
        the conditioned categories (all its rows when it has none). With
        ``"matching"`` a leaf holding one or two such rows gives copies or
        near-copies of them (on ``make_mixed_classification(2000)`` 21% of
        ``FairResampler``'s rows against 3%): right for an over-sampler
        (:class:`~sksynth.samplers.GenerativeOverSampler`'s default, whose
        rows then follow the minority class as SMOTE's do), not for a
        release.
    n_jobs : int, default=None
        Parallel jobs of the forest (``None`` means 1, ``-1`` all cores).
    verbose : int, default=0
        Print the out-of-bag accuracy of every round when > 0.
    random_state : int, RandomState instance or None, default=None
        Seed of the forests and of ``sample``.
    {rule_params}

    Attributes
    ----------
    schema_ : TableSchema
        Column types seen in ``fit``.
    forest_ : RandomForestClassifier
        The final forest.
    oob_accuracy_ : list of float
        Out-of-bag accuracy of every round (empty with ``max_iter=0`` and
        ``verbose=0``: one forest and no round to decide on, so it is not
        computed).
    n_iter_ : int
        Number of regeneration rounds run.
    converged_ : bool
        Whether the accuracy reached ``0.5 + delta`` (False when it was not
        computed).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when all are strings.

    References
    ----------
    D. S. Watson, K. Blesch, J. Kapar and M. N. Wright, "Adversarial random
    forests for density estimation and generative modeling", AISTATS 2023.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.generators import ARFGenerator
    >>> X, y = make_mixed_classification(300, random_state=0)
    >>> gen = ARFGenerator(n_estimators=10, random_state=0).fit(X, y)
    >>> Xs, ys = gen.sample(5, conditions={"churn": 1}, random_state=0)
    >>> ys.tolist()
    [1, 1, 1, 1, 1]
    >>> Xs.dtypes.equals(X.dtypes)
    True
    """

    _parameter_constraints: dict = {
        "n_estimators": [Interval(numbers.Integral, 1, None, closed="left")],
        "min_samples_leaf": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_features": [
            StrOptions({"sqrt", "log2"}),
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
            None,
        ],
        "delta": [Interval(numbers.Real, 0, 0.5, closed="both")],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "early_stop": ["boolean"],
        "numeric_density": [StrOptions({"empirical", "truncnorm", "interpolate"})],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "condition_rows": [StrOptions({"matching", "leaf"})],
        "n_jobs": [numbers.Integral, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }
    _native_conditioning = True

    def __init__(
        self, *, n_estimators=10, min_samples_leaf=5, max_features="sqrt", delta=0.0,
        max_iter=10, early_stop=True, numeric_density="empirical", alpha=0.0,
        condition_rows="leaf", n_jobs=None, verbose=0, random_state=None,
        constraints=None, schema=None,
    ):
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.delta = delta
        self.max_iter = max_iter
        self.early_stop = early_stop
        self.numeric_density = numeric_density
        self.alpha = alpha
        self.condition_rows = condition_rows
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state
        self.constraints = constraints
        self.schema = schema

    @classmethod
    def _test_params(cls):
        return {"n_estimators": 5, "max_iter": 2, "random_state": 0}

    def _features(self, Z):
        """Forest inputs: codes, with missing categories as one more code."""
        X = Z.copy()
        for j, col in enumerate(self.schema_.columns):
            if col.kind == "categorical":
                X[np.isnan(X[:, j]), j] = col.n_categories
        return X

    def _forest(self, rng):
        return RandomForestClassifier(
            n_estimators=self.n_estimators,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
            # the out-of-bag accuracy decides on another round: with none
            # allowed (max_iter=0) it is only computed to be printed
            oob_score=self.max_iter > 0 or bool(self.verbose),
            n_jobs=self.n_jobs,
            random_state=draw_seed(rng),
        )

    def _fit(self, Z, random_state):
        check_magnitude(
            self.schema_.columns, float(np.finfo(np.float32).max),
            "ARFGenerator's trees split on float32 copies of the values",
        )
        rng = random_state
        n = Z.shape[0]
        X = self._features(Z)
        # round 0: synthetic rows from the product of the marginals
        Zs = np.column_stack([Z[rng.permutation(n), j] for j in range(Z.shape[1])])
        labels = np.r_[np.ones(n), np.zeros(n)]
        history = []
        converged = False
        n_iter = 0
        while True:
            forest = self._forest(rng)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # few OOB rows
                forest.fit(np.vstack([X, self._features(Zs)]), labels)
            if not forest.oob_score:  # one forest, nothing to decide
                break
            acc = float(forest.oob_score_)
            history.append(acc)
            if self.verbose:
                print(f"ARF round {n_iter}: out-of-bag accuracy {acc:.4f}")
            if acc <= 0.5 + self.delta:
                converged = True
                break
            if self.early_stop and len(history) > 1 and acc >= history[-2]:
                break
            if n_iter >= self.max_iter:
                break
            model = _LeafModel(forest, X, Z, self.schema_, density="empirical",
                               alpha=0.0, summaries=False)
            Zs = model.sample(model.draw_leaves(n, rng), rng)
            n_iter += 1
        self.forest_ = forest
        self.oob_accuracy_ = history
        self.n_iter_ = n_iter
        self.converged_ = converged
        self.leaf_model_ = _LeafModel(
            forest, X, Z, self.schema_, density=self.numeric_density,
            alpha=self.alpha,
        )
        return self

    def _matching_rows(self, model, cond, given):
        """Within each leaf, the rows that carry the conditioned categories."""
        cats = [j for j in given if self.schema_.columns[j].kind == "categorical"]
        if not cats or self.condition_rows == "leaf":
            return None
        mask = np.ones(model.Z.shape[0], dtype=bool)
        for j in cats:
            mask &= model.Z[:, j] == cond[j]
        return model.matching(mask)

    def _sample(self, n_samples, conditions, random_state):
        model = self.leaf_model_
        if conditions is None:
            return model.sample(model.draw_leaves(n_samples, random_state),
                                random_state)
        C = conditions
        out = np.empty(C.shape)
        for rows, cond in condition_groups(C):
            w = model.condition_weights(cond)
            if not np.isfinite(w).all() or w.sum() <= 0:
                names = describe_conditions(self.schema_, cond)
                raise ValueError(
                    f"No leaf of the forest is consistent with the conditions "
                    f"{names}; the combination has zero probability under the "
                    "model (try alpha > 0)."
                )
            given = np.flatnonzero(~np.isnan(cond))
            g = model.draw_leaves(len(rows), random_state, weights=w)
            among = self._matching_rows(model, cond, given)
            block = model.sample(g, random_state, skip=set(given.tolist()), among=among)
            block[:, given] = cond[given]
            out[rows] = block
        return out
