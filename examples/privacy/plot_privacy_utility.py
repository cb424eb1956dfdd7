"""
Privacy/utility trade-off of differentially private synthetic data
==================================================================

A classifier is trained only on synthetic data released by a differentially
private generator and scored (ROC AUC) on real held-out data, for a few
privacy budgets ``epsilon`` (``delta = 1e-6``). The release sits in an
imbalanced-learn pipeline through
:class:`~sksynth.samplers.SyntheticReleaseSampler`, so the model never sees
a real row, and the guarantee each fit delivered is read back from the
fitted pipeline (``privacy_spent_``).

The data are the built-in :func:`~sksynth.datasets.make_mixed_classification`
table. Its class labels ``{0, 1}`` are declared public through ``domain=``;
every other column's domain (categories, numeric bounds, whether values can
be missing) is estimated under DP from a share of the same budget.
"""

# %%
# Data and a reference model trained on the real rows
# ---------------------------------------------------
import os

import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from sksynth.datasets import make_mixed_classification
from sksynth.generators import AIMGenerator, MSTGenerator
from sksynth.samplers import SyntheticReleaseSampler

quick = os.environ.get("SKSYNTH_EXAMPLE_QUICK") == "1"
n = 1500 if quick else 4000
X, y = make_mixed_classification(n, random_state=0)
X_test, y_test = make_mixed_classification(n, random_state=1)
for frame in (X, X_test):
    frame["region"] = frame["region"].astype("category")


def classifier():
    return HistGradientBoostingClassifier(
        categorical_features="from_dtype", max_iter=50, random_state=0
    )


real_auc = roc_auc_score(y_test, classifier().fit(X, y).predict_proba(X_test)[:, 1])
print(f"trained on real data: ROC AUC {real_auc:.3f}")

# %%
# Train on DP releases
# --------------------
# ``region`` is a pandas ``category`` here, so its categories are public (they
# are part of the dtype); the other columns' domains are paid for.
epsilons = [0.3, 1.0, 3.0] if quick else [0.3, 1.0, 3.0, 10.0]
generators = {"MST": MSTGenerator, "AIM": AIMGenerator}
if quick:
    generators = {"MST": MSTGenerator}
scores = {}
for name, Gen in generators.items():
    scores[name] = []
    for eps in epsilons:
        gen = Gen(epsilon=eps, delta=1e-6, n_bins=16, domain={"churn": [0, 1]},
                  random_state=0)
        pipe = make_pipeline(SyntheticReleaseSampler(gen, random_state=0),
                             classifier())
        pipe.fit(X, y)
        auc = roc_auc_score(y_test, pipe.predict_proba(X_test)[:, 1])
        spent = pipe[0].privacy_spent_
        scores[name].append(auc)
        print(f"{name} eps={eps:<5} ROC AUC {auc:.3f}   spent: "
              f"epsilon={spent.epsilon:.3f}, delta={spent.delta:g}, "
              f"{len(spent.steps)} charged steps")

# %%
# Where the budget went
# ---------------------
# Every data-dependent step is listed with its zCDP cost; the shares add up
# to one, and the total converts to the epsilon asked for.
breakdown = pipe[0].privacy_spent_.breakdown()
print(breakdown.groupby("mechanism")["share"].sum().round(3))

# %%
# The trade-off
# -------------
fig, ax = plt.subplots(figsize=(6, 4))
for name, values in scores.items():
    ax.plot(epsilons, values, marker="o", label=name)
ax.axhline(real_auc, color="k", ls="--", label="real data")
ax.set_xscale("log")
ax.set_xlabel("epsilon (delta = 1e-6)")
ax.set_ylabel("ROC AUC on real test data")
ax.set_title("Train on DP synthetic, test on real")
ax.legend()
fig.tight_layout()
print(np.round(scores[next(iter(scores))], 3))
