"""
Transfer by fine-tuning a neural generator
==========================================

A generator fitted on 500 rows has little to learn from. When a larger table
with the same columns exists (another period, another region, another part of
a census), pre-train on it, then continue training on the small table with
:meth:`~sksynth.generators.TVAEGenerator.partial_fit`: the schema and the
encoding of the first fit are kept and training continues from the
pre-trained weights.

We pre-train a :class:`~sksynth.generators.TVAEGenerator` on one part of the
adult census (the ``train`` file), fine-tune it on 500 rows of another part
(the ``test`` file), and compare it, on held-out rows of that second part, with
a generator trained from scratch on the same 500 rows and with the
pre-trained generator alone, using :mod:`sksynth.metrics`. Without the shared
adult data (or with ``SKSYNTH_EXAMPLE_QUICK=1``, as in CI) the example runs on
:func:`~sksynth.datasets.make_mixed_classification` with small settings.
"""

# %%
# Data: a large related table and a small target table
# ----------------------------------------------------
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import torch

from sksynth.datasets import make_mixed_classification
from sksynth.generators import TVAEGenerator
from sksynth.metrics import column_pairs, column_shapes, detection_auc, tstr_score

try:
    ROOT = Path(__file__).resolve().parents[2]
except NameError:  # pragma: no cover - run interactively
    ROOT = Path.cwd().resolve().parents[1]
ADULT = ROOT / ".." / "shared" / "data" / "adult"
quick = os.environ.get("SKSYNTH_EXAMPLE_QUICK") == "1" or not ADULT.exists()

if quick:
    torch.set_num_threads(1)  # tiny networks: one thread is fastest
    X, y = make_mixed_classification(2000, weights=(0.8,), random_state=0)
    large = X.assign(churn=y)
    X, y = make_mixed_classification(1100, weights=(0.7,), random_state=1)
    other = X.assign(churn=y)
    target = "churn"
    sizes = {"embedding_dim": 32, "compress_dims": (64, 64),
             "decompress_dims": (64, 64), "batch_size": 64}
    epochs = {"pretrain": 6, "finetune": 20, "scratch": 20}
else:
    large = pd.read_csv(ADULT / "train.csv")
    other = pd.read_csv(ADULT / "test.csv")
    target = "income"
    sizes = {"batch_size": 500}
    epochs = {"pretrain": 40, "finetune": 100, "scratch": 100}

small = other.sample(500, random_state=0)
holdout = other.drop(small.index).sample(min(5000, len(other) - 500),
                                         random_state=0)
print(f"pre-training rows: {len(large)}, fine-tuning rows: {len(small)}, "
      f"holdout rows: {len(holdout)}")

# %%
# Three generators
# ----------------
# From scratch on the 500 rows; pre-trained on the large table only; and
# pre-trained then fine-tuned with ``partial_fit``. Same seed and sizes.
scratch = TVAEGenerator(max_epochs=epochs["scratch"], random_state=0, **sizes)
scratch.fit(small)

pretrained = TVAEGenerator(max_epochs=epochs["pretrain"], random_state=0, **sizes)
pretrained.fit(large)
state = {k: v.clone() for k, v in pretrained.net_.module_.state_dict().items()}

finetuned = pretrained  # continue training the same model on the small table
synth_pretrained = pretrained.sample(len(holdout), random_state=1)
finetuned.partial_fit(small, epochs=epochs["finetune"])
print("epochs in the fine-tuned model's history:", len(finetuned.net_.history))

synthetic = {
    "scratch (500 rows)": scratch.sample(len(holdout), random_state=1),
    "pre-trained only": synth_pretrained,
    "pre-trained + fine-tuned": finetuned.sample(len(holdout), random_state=1),
}

# %%
# Quality against held-out rows of the small table's distribution
# ----------------------------------------------------------------
def tstr(synth):
    """TSTR ROC AUC; a synthetic table with one class only scores chance (0.5)."""
    if synth[target].nunique() < 2:
        return 0.5
    return tstr_score(small, synth, holdout, target=target, random_state=0)


rows = []
for name, synth in synthetic.items():
    rows.append({
        "generator": name,
        "column_shapes": column_shapes(holdout, synth),
        "column_pairs": column_pairs(holdout, synth),
        "detection_auc": detection_auc(holdout, synth, max_samples=1000,
                                       random_state=0),
        "tstr_roc_auc": tstr(synth),
    })
table = pd.DataFrame(rows).set_index("generator").round(3)
print(table.to_string())
gain = table.loc["pre-trained + fine-tuned"] - table.loc["scratch (500 rows)"]
print("gain of pre-training + fine-tuning over training from scratch:")
print(gain.round(3).to_string())

# %%
# Plot
# ----
# Higher is better for every score but the detection AUC (0.5 is ideal).
fig, ax = plt.subplots(figsize=(7, 3.5))
table.T.plot.bar(ax=ax, rot=0)
ax.set_ylim(0, 1)
ax.set_ylabel("score")
ax.set_title("TVAE on 500 rows: from scratch vs. pre-trained and fine-tuned")
ax.legend(fontsize=8, loc="lower left")
fig.tight_layout()
plt.show()
