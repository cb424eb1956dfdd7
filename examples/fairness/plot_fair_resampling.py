"""
Fairness/accuracy trade-off of generator-backed rebalancing
===========================================================

A :class:`~sklearn.ensemble.HistGradientBoostingClassifier` trained on real
data inherits the disparities of its labels. We compare, on a held-out test
set, the demographic parity difference (DPD: the largest gap in predicted
positive rate between groups) and the accuracy of the same classifier trained

- on the data as it is,
- after :class:`~sksynth.samplers.FairResampler` (``strategy="parity"``: every
  sensitive group gets the overall positive rate, by generating rows
  conditionally with its default :class:`~sksynth.generators.ARFGenerator`;
  it runs inside an imblearn pipeline, on training data only),
- after the same resampler with ``selection="borderline"`` (preferential
  sampling: of three generated candidates per needed row it keeps those
  closest to a classifier's decision boundary; same label counts, stronger
  effect on the predictions, at some cost in accuracy),
- on synthetic data from :class:`~sksynth.generators.CausalFairGenerator`,
  whose edges out of the sensitive attributes are cut (demographic parity by
  construction, DECAF-style).

The data are adult (sensitive: ``sex`` x ``race``, intersectional) and COMPAS
(sensitive: ``race``) from ``../shared/data`` when present; otherwise the
built-in :func:`~sksynth.datasets.make_mixed_classification` table (sensitive:
``plan``). Settings are small so that the example runs in seconds; the
benchmark ``benchmarks/bench_fairness.py`` has the cross-validated numbers.
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
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OrdinalEncoder
from threadpoolctl import threadpool_limits

from sksynth.datasets import make_mixed_classification
from sksynth.generators import CausalFairGenerator
from sksynth.metrics import demographic_parity_difference
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
N_ROWS = 2500 if quick else 5000


def adult():
    df = pd.read_csv(DATA / "adult" / "train.csv").sample(N_ROWS, random_state=0)
    y = (df.pop("income") == ">50K").astype(int).rename("income")
    # merge the races other than White: with a few thousand rows, cells such
    # as (Female, Amer-Indian-Eskimo, >50K) hold one row or none, and
    # FairResampler refuses to generate from so little (min_cell_size)
    df["race"] = df["race"].where(df["race"] == "White", "Other")
    X = df.drop(columns=["education", "fnlwgt", "native_country"])
    return X, y, ["sex", "race"]


def compas():
    df = pd.read_csv(DATA / "compas" / "compas-scores-two-years.csv")
    df = df[df["days_b_screening_arrest"].between(-30, 30)
            & (df["is_recid"] != -1) & (df["c_charge_degree"] != "O")]
    keep = ["African-American", "Caucasian", "Hispanic"]
    df = df.assign(race=df["race"].where(df["race"].isin(keep), "Other"))
    cols = ["age", "sex", "race", "juv_fel_count", "juv_misd_count",
            "juv_other_count", "priors_count", "c_charge_degree"]
    df = df.sample(min(N_ROWS, len(df)), random_state=0)
    return df[cols].reset_index(drop=True), df["two_year_recid"].rename(
        "two_year_recid").reset_index(drop=True), ["race"]


def builtin():
    X, y = make_mixed_classification(N_ROWS, weights=(0.7,), random_state=0)
    return X.assign(plan=X["plan"].astype(str)), y, ["plan"]


if DATA is not None and (DATA / "adult" / "train.csv").exists():
    datasets = {"adult (sex x race)": adult, "COMPAS (race)": compas}
else:
    datasets = {"built-in (plan)": builtin}


def classifier(X):
    cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan),
         cats),
        remainder="passthrough",
    )
    model = HistGradientBoostingClassifier(
        max_iter=40, categorical_features=list(range(len(cats))), random_state=0
    )
    return make_pipeline(encode, model)


# %%
# Four ways to train the same classifier
# --------------------------------------
results = []
# small data: one OpenMP thread is faster than many for the boosted trees
with threadpool_limits(limits=1, user_api="openmp"):
    for name, load in datasets.items():
        X, y, sensitive = load()
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.4, stratify=y, random_state=0)
        groups_test = X_test[sensitive]

        def score(method, model, _X=X_test, _y=y_test, _g=groups_test, _name=name):
            pred = model.predict(_X)
            results.append({
                "data": _name, "method": method,
                "accuracy": accuracy_score(_y, pred),
                "DPD": demographic_parity_difference(_y, pred, sensitive_features=_g),
            })

        score("real data", classifier(X).fit(X_train, y_train))
        fair = make_pipeline(
            FairResampler(sensitive_features=sensitive, min_cell_size=3,
                          random_state=0),
            classifier(X),
        )
        score("FairResampler(parity)", fair.fit(X_train, y_train))
        fair.set_params(fairresampler__selection="borderline")
        score("FairResampler(parity, borderline)", fair.fit(X_train, y_train))
        gen = CausalFairGenerator(sensitive_features=sensitive, random_state=0)
        gen.fit(X_train, y_train)
        X_syn, y_syn = gen.sample(len(X_train), random_state=0)
        score("CausalFairGenerator (DP)", classifier(X).fit(X_syn, y_syn))
        print(name, "edges cut:", gen.removed_edges_)

table = pd.DataFrame(results)
print(table.round(3).to_string(index=False))

# %%
# Fairness/accuracy chart
# -----------------------
# Lower-right is better: small disparity, high accuracy.
fig, axes = plt.subplots(1, len(datasets), figsize=(5 * len(datasets), 4),
                         squeeze=False)
markers = {"real data": "o", "FairResampler(parity)": "s",
           "FairResampler(parity, borderline)": "D",
           "CausalFairGenerator (DP)": "^"}
for ax, (name, part) in zip(axes[0], table.groupby("data", sort=False)):
    for _, row in part.iterrows():
        ax.scatter(row["DPD"], row["accuracy"], s=80,
                   marker=markers[row["method"]], label=row["method"])
    ax.set_xlabel("demographic parity difference (lower is fairer)")
    ax.set_ylabel("test accuracy")
    ax.set_title(name)
    ax.grid(alpha=0.3)
axes[0][0].legend(loc="lower left", fontsize=8)
fig.tight_layout()
plt.show()
