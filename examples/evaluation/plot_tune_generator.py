"""
Choosing generator hyper-parameters with GridSearchCV
=====================================================

A generator is a scikit-learn estimator, so ``GridSearchCV`` can tune it.
:func:`~sksynth.metrics.make_generator_scorer` turns a fidelity metric into a
scorer: on each held-out fold it draws as many rows from the generator fitted
on the other folds and compares them with the fold.
"""

# %%
# Search the copula's marginals and smoothing
# -------------------------------------------
import os

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import GridSearchCV

from sksynth.datasets import make_mixed_classification
from sksynth.generators import BayesianNetworkGenerator, GaussianCopulaGenerator
from sksynth.metrics import column_pairs, column_shapes, make_generator_scorer

quick = os.environ.get("SKSYNTH_EXAMPLE_QUICK") == "1"
X, y = make_mixed_classification(1200 if quick else 3000, random_state=0)

search = GridSearchCV(
    GaussianCopulaGenerator(random_state=0),
    {"marginals": ["normal", "empirical"], "n_quantiles": [10, 100, 1000]},
    scoring=make_generator_scorer("column_shapes"),
    cv=3,
)
search.fit(X, y)  # y is modelled jointly; the scorer compares X joined with y
results = pd.DataFrame(search.cv_results_)
print(results[["param_marginals", "param_n_quantiles", "mean_test_score",
               "std_test_score"]].to_string(index=False))
print("best:", search.best_params_)

# %%
# Several metrics at once
# -----------------------
# Pass a dict of scorers and choose which one refits. Here the Bayesian
# network's number of bins trades marginal detail (more bins) against
# pairwise dependencies estimated from fewer rows per cell.
scoring = {
    "shapes": make_generator_scorer("column_shapes"),
    "pairs": make_generator_scorer("column_pairs"),
}
bn_search = GridSearchCV(
    BayesianNetworkGenerator(random_state=0),
    {"n_bins": [3, 10, 30]},
    scoring=scoring,
    refit="pairs",
    cv=3,
).fit(X, y)
bn = pd.DataFrame(bn_search.cv_results_)
print(bn[["param_n_bins", "mean_test_shapes", "mean_test_pairs"]].to_string(
    index=False))

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(bn["param_n_bins"], bn["mean_test_shapes"], "o-", label="column shapes")
ax.plot(bn["param_n_bins"], bn["mean_test_pairs"], "o-", label="column pairs")
ax.set_xscale("log")
ax.set_xlabel("n_bins")
ax.set_ylabel("held-out score")
ax.legend()
fig.tight_layout()

# %%
# The refitted best generator is ready to sample; check it on the full table.
X_s, y_s = bn_search.best_estimator_.sample(len(X), random_state=0)
real, synth = X.assign(churn=y), X_s.assign(churn=y_s)
print(f"column shapes {column_shapes(real, synth):.3f}, "
      f"column pairs {column_pairs(real, synth):.3f}")
