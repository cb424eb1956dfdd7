"""
Adversarial random forests: fast joint structure, native conditioning
=====================================================================

``ARFGenerator`` trains a random forest to tell real rows from synthetic ones
until it can no longer do so, then samples a leaf and every column inside it.
Two clusters that a product of marginals would smear over four quadrants come
back where they belong, and ``conditions`` reweights the leaves instead of
rejecting rows.
"""

# %%
# Two clusters, a category tied to one of them, a point mass at zero
# -------------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sksynth.generators import ARFGenerator

rng = np.random.RandomState(0)
n = 1500
group = rng.uniform(size=n) < 0.3
X = pd.DataFrame({
    "x1": np.where(group, rng.normal(4, 0.6, n), rng.normal(0, 0.6, n)),
    "x2": np.where(group, rng.normal(-4, 0.6, n), rng.normal(0, 0.6, n)),
    "kind": np.where(group, "a", np.where(rng.uniform(size=n) < 0.5, "b", "c")),
    "gain": np.where(rng.uniform(size=n) < 0.85, 0, rng.randint(100, 5000, n)),
})

gen = ARFGenerator(random_state=0).fit(X)
print("out-of-bag accuracy per round:", np.round(gen.oob_accuracy_, 3))
synth = gen.sample(n, random_state=0)
print(synth.head())
print("share of gain == 0: real", (X["gain"] == 0).mean().round(3),
      "synthetic", (synth["gain"] == 0).mean().round(3))

# %%
# Conditional rows: the leaves consistent with ``kind == "a"``
# ------------------------------------------------------------
cond = gen.sample(300, conditions={"kind": "a"}, random_state=1)
fig, ax = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
ax[0].scatter(X["x1"], X["x2"], s=4, alpha=0.4, label="real")
ax[0].set_title("real")
ax[1].scatter(synth["x1"], synth["x2"], s=4, alpha=0.4, label="synthetic")
ax[1].scatter(cond["x1"], cond["x2"], s=4, c="C3", label='kind == "a"')
ax[1].set_title("ARF samples")
ax[1].legend()
plt.show()
