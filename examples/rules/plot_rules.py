"""
Rules your data obeys: constraints, detected rules, schema, personal data
=========================================================================

A loan table whose rows obey rules: a loan ends after it starts, amounts come
in steps of 50, a sentinel ``pdays = 999`` goes with ``previous = 0``, and each
row names a customer by name and e-mail. We declare a constraint, read the
rules sksynth found itself, edit the schema, and check that no real name or
e-mail comes back.
"""

# %%
# A table with rules and personal data
# ------------------------------------
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sksynth.constraints import Inequality, Range
from sksynth.generators import GaussianCopulaGenerator

QUICK = os.environ.get("SKSYNTH_EXAMPLE_QUICK") == "1"
n = 600 if QUICK else 3000
rng = np.random.RandomState(0)
contacted = rng.uniform(size=n) < 0.4
start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.randint(0, 365, n), "D")
first = np.array(["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances"])
last = np.array(["Byron", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth"])
names = [f"{a} {b}" for a, b in zip(rng.choice(first, n), rng.choice(last, n))]
loans = pd.DataFrame({
    "customer": names,
    "email": [f"{s.split()[0].lower()}.{i}@bank.example" for i, s in enumerate(names)],
    "amount": rng.randint(2, 400, n) * 50,
    "rate": rng.uniform(0.01, 0.09, n).round(4),
    "start": start,
    "end": start + pd.to_timedelta(rng.randint(30, 720, n), "D"),
    "pdays": np.where(contacted, rng.randint(1, 30, n), 999),
    "previous": np.where(contacted, rng.randint(1, 6, n), 0),
})
loans.head()

# %%
# Declared constraints and the rules found in the data
# ----------------------------------------------------
# ``constraints`` is a parameter of every generator (so ``GridSearchCV`` and
# ``clone`` see it). The inequality is built into the data the model learns
# (it models ``end - start``); the range is met by bounded redraw.
gen = GaussianCopulaGenerator(
    random_state=0,
    constraints=[Inequality("start", "end"), Range(0.01, "rate", 0.09)],
).fit(loans)
print(gen.constraints_)

# %%
# The rules sksynth read off the rows, one line each (switch one off with
# ``schema={"rules": {name: False}}``):
print(gen.rules_)

# %%
# The schema: one line per column; ``customer`` and ``email`` are personal
# data, not modelled.
print(gen.schema_)

# %%
# Rows before and after
# ---------------------
# Without the rules the copula breaks them; with them, every row obeys.
plain = GaussianCopulaGenerator(random_state=0, schema={"rules": False}).fit(
    loans.drop(columns=["customer", "email"])
)
before = plain.sample(n, random_state=1)
after = gen.sample(n, random_state=1)


def broken(df):
    return pd.Series({
        "end before start": (df["end"] < df["start"]).mean(),
        "amount off the 50 grid": (df["amount"] % 50 != 0).mean(),
        "pdays=999 without previous=0": (
            (df["pdays"] == 999) != (df["previous"] == 0)).mean(),
    })


table = pd.DataFrame({"without rules": broken(before), "with rules": broken(after)})
print(table)
ax = table.plot.barh(figsize=(6, 2.8))
ax.set_xlabel("share of generated rows that break the rule")
plt.tight_layout()

# %%
# Editing the schema
# ------------------
# ``to_json`` writes the schema; change a kind or a rule and give it back as
# ``schema=`` (the command line takes the file as ``--metadata``).
meta = gen.schema_.to_dict()
for column in meta["columns"]:
    if column["name"] == "previous":
        column["kind"] = "categorical"
edited = GaussianCopulaGenerator(random_state=0, schema=meta).fit(loans)
print(edited.schema_.column("previous").kind)

# %%
# No real name or e-mail in the output
# ------------------------------------
print(after[["customer", "email"]].head())
leaks = {c: int(after[c].isin(loans[c]).sum()) for c in ("customer", "email")}
print("real values in the output:", leaks)
