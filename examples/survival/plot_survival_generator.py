"""
Synthetic survival data that keeps its Kaplan-Meier curves
===========================================================

Patients are followed until an event (here: breast cancer recurrence, the
GBSG2 trial shipped with scikit-survival) or until they leave the study
(censoring). A generator that treats the time and the event indicator as two
ordinary columns gets the survival curve wrong: too few or too many patients
at risk late in the follow-up, or a follow-up that stops too early.

:class:`~sksynth.generators.SurvivalGenerator` draws the outcome (time,
event) first, from a smoothed estimate of its joint law, and then the
covariates given the outcome with any sksynth generator that conditions.
"""

# %%
# Data, and the same generator used the naive way
# -----------------------------------------------
import os

import numpy as np
from sklearn.model_selection import train_test_split

from sksynth.datasets import load_survival
from sksynth.generators import ARFGenerator, SurvivalGenerator
from sksynth.metrics import tstr_concordance
from sksynth.report import plot_kaplan_meier, survival_summary

QUICK = os.environ.get("SKSYNTH_EXAMPLE_QUICK") == "1"

X, y = load_survival("gbsg2")  # y: structured array (cens, time), times in days
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y["cens"], random_state=0)
X_train, X_test = X_train.reset_index(drop=True), X_test.reset_index(drop=True)
arf = ARFGenerator(n_estimators=5 if QUICK else 10)

gen = SurvivalGenerator(arf, random_state=0).fit(X_train, y_train)
X_syn, y_syn = gen.sample(len(X_train), random_state=0)

# the naive baseline: event and time as plain columns of the same generator
naive = arf.set_params(random_state=0).fit(
    X_train.assign(cens=y_train["cens"], time=y_train["time"]))
plain = naive.sample(len(X_train), random_state=0)
y_naive = np.array(list(zip(plain["cens"], plain["time"])), dtype=y.dtype)

# %%
# Kaplan-Meier curves, overall and by hormonal therapy
# ----------------------------------------------------
# Solid: real training rows; dashed: synthetic. The titles give synthcity's
# absolute optimism (area between the curves over the horizon) and
# short-sightedness (how much earlier the synthetic follow-up stops).
fig = plot_kaplan_meier(y_train, y_syn, X_real=X_train, X_synthetic=X_syn,
                        groups="horTh")
fig.suptitle("SurvivalGenerator(ARF)", y=1.02)

fig = plot_kaplan_meier(y_train, y_naive, X_real=X_train,
                        X_synthetic=plain.drop(columns=["cens", "time"]),
                        groups="horTh")
fig.suptitle("naive: time and event as plain columns of ARF", y=1.02)

# %%
# The numbers
# -----------
summary = survival_summary(y_train, y_syn).rename(columns={"value": "survival"})
summary["naive"] = survival_summary(y_train, y_naive)["value"]
print(summary[["metric", "survival", "naive", "ideal"]].round(4).to_string(index=False))

# %%
# Train on synthetic, test on real
# --------------------------------
# A Cox model (scikit-survival) trained on the synthetic rows ranks the real
# test patients about as well as one trained on the real rows.
print(f"C-index, trained on real:      "
      f"{tstr_concordance(X_train, y_train, X_test, y_test):.3f}")
print(f"C-index, trained on synthetic: "
      f"{tstr_concordance(X_syn, y_syn, X_test, y_test):.3f}")

# %%
# Conditions on the outcome and the covariates
# --------------------------------------------
# Recurrences within the first year, for patients without hormonal therapy:
X_early, y_early = gen.sample(
    200, conditions={"cens": True, "time": (1, 365), "horTh": "no"},
    random_state=0)
print(f"{len(y_early)} rows, times {y_early['time'].min():.0f}-"
      f"{y_early['time'].max():.0f} days; positive nodes: "
      f"{X_early['pnodes'].mean():.1f} (all synthetic: {X_syn['pnodes'].mean():.1f})")
