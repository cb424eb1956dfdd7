"""
Time series with static context: Sines and an irregular panel
=============================================================

:class:`~sksynth.generators.SequenceGenerator` learns a long-format table
(one row per observation) and draws new sequences with fresh ids: their
lengths and static columns through a tabular generator, their time gaps on
the data's grid (timestamps strictly increasing), and every step given the
static context and the recent past.
"""

# %%
# TimeGAN's Sines
# ---------------
# Five independent sine waves per sequence, with random frequency and phase.
import os

import numpy as np
import pandas as pd

from sksynth.datasets import make_sines
from sksynth.generators import SequenceGenerator
from sksynth.metrics import discriminative_score
from sksynth.report import SequenceReport

QUICK = os.environ.get("SKSYNTH_EXAMPLE_QUICK") == "1"
n = 200 if QUICK else 2000

real = make_sines(n, random_state=0)
gen = SequenceGenerator(
    "id", "time", max_iter=30 if QUICK else 100, random_state=0
).fit(real)
synth = gen.sample(n, random_state=0)
print(synth.head())

# %%
# TimeGAN's discriminative score: a GRU tries to tell real from synthetic
# sequences; ``|accuracy - 0.5|``, 0 is best. The same score between two real
# samples is the floor.
other = make_sines(n, random_state=1)
kw = {
    "id_column": "id",
    "time_column": "time",
    "random_state": 0,
    "n_iter": 200 if QUICK else 1000,
}
print(
    f"synthetic: {discriminative_score(real, synth, **kw):.3f}, "
    f"real: {discriminative_score(real, other, **kw):.3f}"
)

report = SequenceReport(
    id_column="id", time_column="time", n_iter=kw["n_iter"]
).evaluate(real, synth)
print(report.scores_[["score", "value"]])
report.plot_sequences(n_sequences=5)

# %%
# An irregular panel with a static class
# --------------------------------------
# Visits of patients on irregular days; the group sets the number of visits
# and the trend of a measurement.
rng = np.random.RandomState(0)
rows = []
for i in range(60 if QUICK else 300):
    group = rng.choice(["stable", "declining"])
    k = rng.randint(4, 10) if group == "stable" else rng.randint(8, 20)
    days = pd.Timestamp("2025-01-06") + pd.to_timedelta(
        np.cumsum(rng.randint(1, 15, size=k)), unit="D"
    )
    slope = 0.0 if group == "stable" else -0.5
    value = 50 + slope * np.arange(k) + rng.normal(scale=1.0, size=k)
    rows += [(f"patient{i}", d, group, v) for d, v in zip(days, value)]
visits = pd.DataFrame(rows, columns=["patient", "date", "group", "score"])

gen = SequenceGenerator(
    "patient",
    "date",
    static_columns="group",
    max_iter=30 if QUICK else 100,
    random_state=0,
).fit(visits)
declining = gen.sample(20, conditions={"group": "declining"}, random_state=0)
print(declining.head(8))
gaps = declining.groupby("patient")["date"].diff().dropna()
print(
    "every gap positive:",
    bool((gaps > pd.Timedelta(0)).all()),
    "| whole days:",
    bool((gaps % pd.Timedelta(days=1) == pd.Timedelta(0)).all()),
)

# %%
# Extend real sequences past their last visit.
future = gen.sample_continuation(
    visits[visits["patient"] == "patient0"], 3, random_state=0
)
print(future)
