"""
Transfer from a related table: scratch, pooled and transferred
==============================================================

A small table (500 rows of people born outside the US in the adult census)
often comes with a large related one (the US-born rows). Three ways to use
it with :class:`~sksynth.generators.TransferGenerator`:

* **scratch**: fit on the small table alone;
* **pooled**: fit on both tables stacked (``method="pool"``): much more
  data, but the model learns the mixture, dominated by the related rows;
* **transfer**: the related table informs the model of the small one: a
  Gaussian copula with the related table as a prior of its marginals and
  correlations, weighing as much as the small one (``method="prior"``), a
  TVAE pre-trained on both tables and fine-tuned on the small one
  (``method="fine_tune"``).

The tables are aligned first (:func:`~sksynth.preprocessing.align_tables`):
the native countries of the small table are categories the related table
never has, and its ``United-States`` rows are a category the small table
lacks; the generated rows keep the small table's categories and dtypes.

Each arm is scored on held-out rows of the small table's domain with
:func:`~sksynth.metrics.column_pairs` and the TSTR ROC AUC of a classifier
of ``income`` (see ``benchmarks/bench_transfer.py`` for the five-seed
benchmark). Without the shared adult data, or with
``SKSYNTH_EXAMPLE_QUICK=1`` (as in CI), the example runs on
:func:`~sksynth.datasets.make_mixed_classification` split by region, with
small settings.
"""

# %%
# A large related table and a small one
# -------------------------------------
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from sksynth.datasets import make_mixed_classification
from sksynth.generators import (
    GaussianCopulaGenerator,
    TransferGenerator,
    TVAEGenerator,
)
from sksynth.metrics import column_pairs, tstr_score
from sksynth.preprocessing import align_tables

try:
    ROOT = Path(__file__).resolve().parents[2]
except NameError:  # pragma: no cover - run interactively
    ROOT = Path.cwd().resolve().parents[1]
ADULT = ROOT / ".." / "shared" / "data" / "adult"
quick = os.environ.get("SKSYNTH_EXAMPLE_QUICK") == "1" or not ADULT.exists()

if quick:
    torch.set_num_threads(1)  # tiny networks: one thread is fastest
    X, y = make_mixed_classification(4000, weights=(0.7,), random_state=0)
    data = X.assign(target=np.asarray(y).astype(str))
    domain, target = "region", "target"
    inside = data[domain] == "south"
    n_small, n_related = 200, 2000
    tvae = {"embedding_dim": 16, "compress_dims": (32,), "decompress_dims": (32,),
            "batch_size": 200}
    epochs = {"scratch": 60, "pretrain": 8, "finetune": 60}
else:
    data = pd.concat([pd.read_csv(ADULT / f) for f in ("train.csv", "test.csv")],
                     ignore_index=True)
    data = data[data["native_country"].notna()]
    domain, target = "native_country", "income"
    inside = data[domain] != "United-States"
    n_small, n_related = 500, 10000
    tvae = {"embedding_dim": 64, "batch_size": 500}
    epochs = {"scratch": 300, "pretrain": 30, "finetune": 300}

related = data[~inside].sample(n_related, random_state=0)
others = data[inside].sample(frac=1.0, random_state=0)
small, holdout = others.iloc[:n_small], others.iloc[n_small:]
Xs, ys = small.drop(columns=target), small[target]
Xr, yr = related.drop(columns=target), related[target]
print(f"related: {len(related)} rows, small: {len(small)}, held out: {len(holdout)}")

# %%
# What the alignment does
# -----------------------
# The columns match by name; categories are united (the small table's keep
# their codes), ranges too.
a = align_tables(Xs, Xr, y=ys, related_y=yr)
print("categories only in the small table:",
      {k: v[:5] for k, v in a.new_categories.items()})
print("categories only in the related table:", a.related_categories)

# %%
# Three arms per family
# ---------------------
families = {
    "Gaussian copula": (
        lambda: GaussianCopulaGenerator(random_state=0),
        {"method": "prior"},
    ),
    "TVAE": (
        lambda epochs_: TVAEGenerator(max_epochs=epochs_, verbose=0, random_state=0,
                                      **tvae),
        {"method": "fine_tune", "fine_tune_epochs": epochs["finetune"]},
    ),
}
scores = []
for family, (make, transfer) in families.items():
    neural = family == "TVAE"
    arms = {
        "scratch": TransferGenerator(
            make(epochs["scratch"]) if neural else make(), method="none"),
        "pooled": TransferGenerator(
            make(epochs["pretrain"]) if neural else make(), related=(Xr, yr),
            method="pool"),
        "transfer": TransferGenerator(
            make(epochs["pretrain"]) if neural else make(), related=(Xr, yr),
            **transfer),
    }
    for arm, gen in arms.items():
        gen.set_params(random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # rules the model breaks
            Xg, yg = gen.fit(Xs, ys).sample(len(holdout), random_state=0)
        synth = Xg.assign(**{target: np.asarray(yg)})
        scores.append({
            "family": family, "arm": arm,
            "column pairs": column_pairs(holdout, synth),
            "TSTR ROC AUC": tstr_score(small, synth, holdout, target=target,
                                       scoring="roc_auc", random_state=0),
        })
scores = pd.DataFrame(scores)
print(scores.round(3).to_string(index=False))

# %%
# Scores on the held-out rows of the small table's domain
# -------------------------------------------------------
# Pooling gains the related table's rows but moves the synthetic rows toward
# the related domain (its column pairs suffer); transfer keeps the small
# table's domain and borrows what the two share.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for ax, metric in zip(axes, ["column pairs", "TSTR ROC AUC"]):
    table = scores.pivot(index="family", columns="arm", values=metric)[
        ["scratch", "pooled", "transfer"]]
    table.plot.bar(ax=ax, rot=0)
    low = float(np.nanmin(table.to_numpy()))
    ax.set_ylim(max(0.0, low - 0.05), 1.0)
    ax.set_title(metric + " (higher is better)")
    ax.set_xlabel("")
axes[1].legend().remove()
fig.tight_layout()
plt.show()
