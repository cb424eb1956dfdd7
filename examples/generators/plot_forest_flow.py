"""
Forest flow matching: gradient-boosted trees as a generative model
==================================================================

``ForestFlowGenerator`` learns the velocity field of a flow from noise to the
data with one ``HistGradientBoostingRegressor`` per noise level and output,
one set per class of ``y``. Sampling integrates the flow, so class-conditional
rows are exact, and point masses and missing values come back as such. The
settings below are small so that the example runs in seconds; the defaults
(``n_t=10``) are for real tables.
"""

# %%
# Fit a small flow
# ----------------
import matplotlib.pyplot as plt

from sksynth.datasets import make_mixed_classification
from sksynth.generators import ForestFlowGenerator

X, y = make_mixed_classification(400, weights=(0.8,), random_state=0)
X = X[["age", "balance", "region", "active"]]
gen = ForestFlowGenerator(n_t=3, max_iter=8, random_state=0).fit(X, y)
Xs, ys = gen.sample(400, random_state=0)
print(Xs.head())
print("missing balance: real", X["balance"].isna().mean().round(3),
      "synthetic", Xs["balance"].isna().mean().round(3))
print("balance == 0: real", (X["balance"] == 0).mean().round(3),
      "synthetic", (Xs["balance"] == 0).mean().round(3))

# %%
# Class-conditional rows come from the class's own flow
# -----------------------------------------------------
Xc, yc = gen.sample(300, conditions={"churn": 1}, random_state=0)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.hist([X.loc[y == 1, "age"], Xc["age"]], bins=15, density=True,
        label=["real churners", "synthetic churners"])
ax.set_xlabel("age")
ax.legend()
plt.show()
