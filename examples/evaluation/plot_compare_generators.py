"""
Comparing two generators with the quality report
================================================

Fit a Gaussian copula and a Bayesian network on the same mixed-type table,
draw as many rows as the training table has, and compare them with
:class:`~sksynth.report.QualityReport` against a holdout the generators never
saw: marginals, pairwise dependencies, a real-vs-synthetic classifier,
precision/recall, train-synthetic-test-real utility and distance-based privacy.
"""

# %%
# Data: a training table and a holdout
# ------------------------------------
import os

import pandas as pd
from sklearn.model_selection import train_test_split

from sksynth.datasets import make_mixed_classification
from sksynth.generators import BayesianNetworkGenerator, GaussianCopulaGenerator
from sksynth.report import QualityReport

quick = os.environ.get("SKSYNTH_EXAMPLE_QUICK") == "1"
n = 1500 if quick else 4000
X, y = make_mixed_classification(n, weights=(0.8,), random_state=0)
table = X.assign(churn=y)
train, holdout = train_test_split(table, test_size=0.5, random_state=0,
                                  stratify=table["churn"])
print(train.dtypes)

# %%
# Fit two generators and sample
# -----------------------------
generators = {
    "copula": GaussianCopulaGenerator(random_state=0),
    "bayesian network": BayesianNetworkGenerator(random_state=0),
}
synthetic = {
    name: gen.fit(train).sample(len(train), random_state=1)
    for name, gen in generators.items()
}

# %%
# Evaluate both against the same real tables
# ------------------------------------------
# ``max_samples`` caps the rows used by the detection classifier and the
# nearest-neighbour metrics (seeded subsampling).
reports = {
    name: QualityReport(target="churn", max_samples=1000, random_state=0).evaluate(
        train, synth, holdout)
    for name, synth in synthetic.items()
}
summary = pd.concat(
    {name: r.summary_.set_index("metric")["value"] for name, r in reports.items()},
    axis=1,
)
summary["ideal"] = reports["copula"].summary_.set_index("metric")["ideal"]
print(summary.round(3).to_string())

# %%
# Reading the table: ``column_shapes`` and ``column_pairs`` are 1 for identical
# marginals and dependencies; ``detection_auc`` is 0.5 when a classifier cannot
# tell real from synthetic rows; ``tstr_ratio`` is the test score of a model
# trained on synthetic rows over that of the same model trained on real rows;
# ``dcr_share`` near 0.5 and ``membership_inference_auc`` near 0.5 mean the
# synthetic rows are no closer to the training rows than to fresh rows.
#
# Where do the generators differ? The worst columns of the copula:
fig = reports["copula"].plot_marginals(n_columns=3)

# %%
# and the pairwise dependency differences of the Bayesian network:
fig = reports["bayesian network"].plot_pairs()

# %%
# Distances to the closest record, against the holdout's own distances:
fig = reports["copula"].plot_dcr()

# %%
# The whole report as one self-contained HTML file (figures embedded):
page = reports["copula"].to_html()
print(f"{len(page) // 1024} KiB of HTML")
