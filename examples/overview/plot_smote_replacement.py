"""
Replacing SMOTE with a generator-backed over-sampler
====================================================

``GenerativeOverSampler`` drops into an imbalanced-learn pipeline where
``SMOTENC`` would go. On a mixed-type table with missing values it needs no
imputation and no list of categorical columns, keeps the dtypes, and works
with a minority class of a handful of rows, where SMOTE's nearest neighbours
fail. By default it fits an adversarial random forest and keeps the
generated rows that lie among their own class.
"""

# %%
# A mixed-type, imbalanced table
# ------------------------------
from collections import Counter

import matplotlib.pyplot as plt

from sksynth.datasets import make_mixed_classification
from sksynth.samplers import GenerativeOverSampler

X, y = make_mixed_classification(1500, weights=(0.95,), random_state=0)
print(X.dtypes)
print(Counter(y))

# %%
# Over-sample and look at the rows
# --------------------------------
sampler = GenerativeOverSampler(random_state=0)  # ARFGenerator, selection="knn"
X_res, y_res = sampler.fit_resample(X, y)
print(Counter(y_res))
new_rows = X_res.iloc[len(X) :]
print(new_rows.head(8).to_string())
assert X_res.dtypes.equals(X.dtypes)

# %%
# The generated minority rows follow the real minority rows, not the majority.
fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(X["age"][y == 0], X["income"][y == 0], s=4, alpha=0.3, label="real class 0")
ax.scatter(X["age"][y == 1], X["income"][y == 1], s=12, label="real class 1")
ax.scatter(
    new_rows["age"], new_rows["income"], s=4, alpha=0.3, label="generated class 1"
)
ax.set_xlabel("age")
ax.set_ylabel("income")
ax.set_yscale("log")
ax.legend()

# %%
# What the selection does
# -----------------------
# With ``selection="random"`` the rows are kept as the generator draws them;
# with ``"knn"`` (the default) three rows are drawn per needed row and those
# whose 10 nearest real rows are mostly majority rows are left out (random
# ones of the rest are kept). The share of generated rows that sit among
# majority rows drops.
import numpy as np  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402

from sksynth.preprocessing import TableEncoder  # noqa: E402

encoder = TableEncoder(numeric="standard").fit(X)  # standardised, one-hot
neighbours = NearestNeighbors(n_neighbors=10).fit(encoder.transform(X))


def share_among_majority(rows):
    """Share of rows whose 10 nearest real rows are mostly majority."""
    idx = neighbours.kneighbors(encoder.transform(rows), return_distance=False)
    return np.mean((np.asarray(y)[idx] == 0).mean(axis=1) > 0.5)


for selection in ["random", "knn"]:
    sampler = GenerativeOverSampler(selection=selection, random_state=0)
    X_sel, _ = sampler.fit_resample(X, y)
    print(f"{selection:>6}: {share_among_majority(X_sel.iloc[len(X):]):.0%} of the "
          "generated rows sit among majority rows")
print(f"  real: {share_among_majority(X[y == 1]):.0%} of the real minority rows")

# %%
# Only the rows that sit among the majority are left out: the kept rows still
# reach the region where the classes overlap, where a classifier draws its
# boundary (as SMOTE's interpolation between minority neighbours does);
# ``selection="safest"`` keeps only the rows deepest inside the class, and
# when the class's own distribution is wanted, use ``selection="random"``.

# %%
# Cross-validated against no resampling and SMOTENC
# -------------------------------------------------
# ``sksynth demo`` runs this comparison; here with 3 folds.
from sksynth.commands.demo import run_demo  # noqa: E402

table = run_demo(quick=True)
print(table.round(3).to_string(index=False))
