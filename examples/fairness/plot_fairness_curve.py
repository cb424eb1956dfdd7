"""
Choosing a point on the fairness/accuracy curve
===============================================

:class:`~sksynth.samplers.FairResampler` moves a training set towards a fair
one; its ``strength`` says how far (0: the data as it is, 1: the full
strategy), and its ``strategy`` says which fairness:

- ``"parity"``: equal positive rates of the training *labels* in every group;
- ``"demographic_parity"``: equal predicted positive rates of a classifier
  trained on the output (the resampler estimates per-group thresholds from
  out-of-fold scores and shifts each group's label odds to match);
- ``"equal_opportunity"``: equal true positive rates of that classifier.

For each data set we trace the demographic parity difference (DPD) and the
equalized-odds difference (EOD) of a gradient boosting classifier against
its test accuracy, over a grid of strengths, next to the classifier trained
on the data as it is. Then ``GridSearchCV`` with
:func:`~sksynth.metrics.make_fairness_scorer` picks the most accurate
strength whose cross-validated DPD is at most 0.05.

The data are adult (sensitive ``sex``; and ``sex`` x ``race``, races other
than White merged) and COMPAS (``race``; favourable label: no recidivism)
from ``../shared/data`` when present, otherwise the built-in
:func:`~sksynth.datasets.make_mixed_classification` table (``region``). A
few thousand rows and one train/test split keep it quick;
``benchmarks/bench_fairness.py`` has the cross-validated curves on all rows
with the reference methods (reweighing, massaging, CorrelationRemover,
ExponentiatedGradient, ThresholdOptimizer).
"""

# %%
# Data
# ----
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.pipeline import make_pipeline
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import OrdinalEncoder
from threadpoolctl import threadpool_limits

from sksynth.datasets import make_mixed_classification
from sksynth.generators import GaussianCopulaGenerator
from sksynth.metrics import (
    demographic_parity_difference,
    equalized_odds_difference,
    make_fairness_scorer,
)
from sksynth.samplers import FairResampler


def find_data():
    here = Path(__file__).resolve() if "__file__" in globals() else Path.cwd()
    for parent in [here, *here.parents]:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None


DATA = find_data()
quick = os.environ.get("SKSYNTH_EXAMPLE_QUICK") == "1"  # set by the test suite
N_ROWS = 2000 if quick else 8000
STRENGTHS = [0.0, 0.5, 1.0] if quick else [0.0, 0.25, 0.5, 0.75, 1.0]


def adult(sensitive):
    df = pd.read_csv(DATA / "adult" / "train.csv").sample(N_ROWS, random_state=0)
    y = (df.pop("income") == ">50K").astype(int).rename("income")
    df["race"] = df["race"].where(df["race"] == "White", "Other")
    X = df.drop(columns=["education", "fnlwgt", "native_country"])
    return X.reset_index(drop=True), y.reset_index(drop=True), sensitive


def compas():
    df = pd.read_csv(DATA / "compas" / "compas-scores-two-years.csv")
    df = df[df["days_b_screening_arrest"].between(-30, 30)
            & (df["is_recid"] != -1) & (df["c_charge_degree"] != "O")]
    keep = ["African-American", "Caucasian"]
    df = df.assign(race=df["race"].where(df["race"].isin(keep), "Other"))
    cols = ["age", "sex", "race", "juv_fel_count", "juv_misd_count",
            "juv_other_count", "priors_count", "c_charge_degree"]
    df = df.sample(min(N_ROWS, len(df)), random_state=0)
    y = (df["two_year_recid"] == 0).astype(int).rename("no_recid")
    return df[cols].reset_index(drop=True), y.reset_index(drop=True), ["race"]


def builtin():
    X, y = make_mixed_classification(N_ROWS, weights=(0.7,), random_state=0)
    return X, y, ["region"]


if DATA is not None and (DATA / "adult" / "train.csv").exists():
    datasets = {
        "adult (sex)": lambda: adult(["sex"]),
        "adult (sex x race)": lambda: adult(["sex", "race"]),
        "COMPAS (race)": compas,
    }
    if quick:  # one data set is enough to check that the example runs
        datasets = {"adult (sex)": datasets["adult (sex)"]}
else:
    datasets = {"built-in (region)": builtin}


def classifier(X):
    cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan),
         cats),
        remainder="passthrough",
    )
    model = HistGradientBoostingClassifier(
        max_iter=60, categorical_features=list(range(len(cats))), random_state=0
    )
    return make_pipeline(encode, model)


# %%
# The curves
# ----------
# Each strategy gives one curve; its first point (strength 0) is the
# classifier trained on the data as it is. The generator is a Gaussian
# copula here, for speed (the benchmark also uses ARF and a Bayesian
# network); ``resampling="both"`` keeps each group's size.
CURVES = {
    "parity of labels": {"strategy": "parity"},
    "demographic parity": {"strategy": "demographic_parity", "resampling": "both"},
    "equal opportunity": {"strategy": "equal_opportunity"},
}
rows = []
with threadpool_limits(limits=1, user_api="openmp"):
    for name, load in datasets.items():
        X, y, sensitive = load()
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.4, stratify=y, random_state=0)
        for curve, params in CURVES.items():
            for strength in STRENGTHS:
                model = make_pipeline(
                    FairResampler(GaussianCopulaGenerator(random_state=0),
                                  sensitive_features=sensitive, strength=strength,
                                  min_cell_size=3, random_state=0, **params),
                    classifier(X),
                ).fit(X_train, y_train)
                pred = model.predict(X_test)
                groups = X_test[sensitive]
                rows.append({
                    "data": name, "curve": curve, "strength": strength,
                    "accuracy": accuracy_score(y_test, pred),
                    "DPD": demographic_parity_difference(
                        y_test, pred, sensitive_features=groups),
                    "EOD": equalized_odds_difference(
                        y_test, pred, sensitive_features=groups),
                })
table = pd.DataFrame(rows)
print(table.round(3).to_string(index=False))

# %%
# One figure per data set
# -----------------------
# Up and to the left is better: small disparity, high accuracy. The
# demographic-parity curve reaches much lower DPD than equal label rates do;
# the equal-opportunity curve lowers EOD at almost no cost in accuracy.
for name, part in table.groupby("data", sort=False):
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for ax, metric in zip(axes, ["DPD", "EOD"]):
        for curve, c in part.groupby("curve", sort=False):
            ax.plot(c[metric], c["accuracy"], "o-", label=curve)
            ax.annotate("s=0", (c[metric].iloc[0], c["accuracy"].iloc[0]),
                        fontsize=7)
        ax.set_xlabel(f"{metric} (lower is fairer)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("test accuracy")
    axes[1].legend(fontsize=8)
    fig.suptitle(f"{name}: FairResampler strength 0 to 1")
    fig.tight_layout()
plt.show()

# %%
# Let cross-validation choose the strength
# ----------------------------------------
# The scorer reads the groups from the ``sex`` column of each test fold (or,
# for groups the model must not see, from metadata routing) and scores the
# accuracy of the points whose DPD is at most 0.05 (any such point beats every
# point above the bound).
if DATA is not None and (DATA / "adult" / "train.csv").exists():
    X, y, sensitive = adult(["sex"])
else:
    X, y, sensitive = builtin()
search = GridSearchCV(
    make_pipeline(
        FairResampler(GaussianCopulaGenerator(random_state=0),
                      sensitive_features=sensitive, strategy="demographic_parity",
                      resampling="both", min_cell_size=3, random_state=0),
        classifier(X),
    ),
    {"fairresampler__strength": STRENGTHS},
    scoring={"fair": make_fairness_scorer(sensitive_features=sensitive,
                                          max_difference=0.05),
             "accuracy": "accuracy"},
    refit="fair", cv=3,
)
with threadpool_limits(limits=1, user_api="openmp"):
    search.fit(X, y)
print("chosen strength:", search.best_params_["fairresampler__strength"])
print(pd.DataFrame(search.cv_results_)[
    ["param_fairresampler__strength", "mean_test_accuracy", "mean_test_fair"]
].round(4).to_string(index=False))
