"""Speed and memory of the copula and the over-sampler against imblearn's SMOTE family.

For 10k, 100k and 1M rows of a 20-column numeric table (10% minority) it times

* ``GaussianCopulaGenerator`` fit + sample of as many rows as the table,
* ``GenerativeOverSampler(GaussianCopulaGenerator()).fit_resample``,
* imblearn's ``SMOTE().fit_resample`` on the same table,

and, on a mixed-type table (numeric + 3 categorical columns) of the same sizes
up to ``--mixed-max`` rows (SMOTENC takes minutes and GBs at 100k),
``GenerativeOverSampler`` against ``SMOTENC``. Peak memory is the tracemalloc
peak of the call, relative to the size of the input table. Prints a table and
writes ``benchmarks/results/foundation.json``.

Run: ``python benchmarks/bench_foundation.py [--sizes 10000 100000 1000000]``
"""

import argparse
import json
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE, SMOTENC

from sksynth.generators import GaussianCopulaGenerator
from sksynth.samplers import GenerativeOverSampler


def numeric_table(n, d=20, seed=0):
    rng = np.random.RandomState(seed)
    A = rng.normal(size=(d, d)) / np.sqrt(d)
    X = rng.normal(size=(n, d)) @ A
    X[:, : d // 2] = np.exp(X[:, : d // 2])  # skewed marginals
    y = (X[:, 0] + rng.normal(size=n) > np.quantile(X[:, 0], 0.9)).astype(np.int64)
    return X, y


def mixed_table(n, seed=0):
    X, y = numeric_table(n, d=8, seed=seed)
    rng = np.random.RandomState(seed + 1)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    for j, k in enumerate([3, 5, 12]):
        frame[f"c{j}"] = pd.array(
            np.array([f"v{i}" for i in range(k)])[rng.randint(k, size=n)], dtype="str"
        )
    return frame, y


def measure(func):
    tracemalloc.start()
    start = time.perf_counter()
    func()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def run(sizes, mixed_max):
    rows = []
    for n in sizes:
        X, y = numeric_table(n)
        nbytes = X.nbytes

        def copula():
            GaussianCopulaGenerator(random_state=0).fit(X).sample(n, random_state=0)

        def gos():
            GenerativeOverSampler(random_state=0).fit_resample(X, y)

        def smote():
            SMOTE(random_state=0).fit_resample(X, y)

        results = {
            name: measure(f)
            for name, f in [
                ("copula fit+sample", copula),
                ("GOS fit_resample", gos),
                ("SMOTE fit_resample", smote),
            ]
        }
        ref = results["SMOTE fit_resample"][0]
        for name, (sec, peak) in results.items():
            rows.append(
                {
                    "table": f"numeric {n}x20",
                    "method": name,
                    "seconds": sec,
                    "ratio_to_smote": sec / ref,
                    "peak_mb": peak / 2**20,
                    "peak_over_input": peak / nbytes,
                }
            )
        if n > mixed_max:  # SMOTENC: ~minutes and GBs already at 100k rows
            continue
        Xm, ym = mixed_table(n)
        nbytes = Xm.memory_usage(deep=True).sum()

        def gos_mixed():
            GenerativeOverSampler(random_state=0).fit_resample(Xm, ym)

        def smotenc():
            SMOTENC(
                categorical_features=["c0", "c1", "c2"], random_state=0
            ).fit_resample(Xm, ym)

        results = {
            name: measure(f)
            for name, f in [
                ("GOS fit_resample", gos_mixed),
                ("SMOTENC fit_resample", smotenc),
            ]
        }
        ref = results["SMOTENC fit_resample"][0]
        for name, (sec, peak) in results.items():
            rows.append(
                {
                    "table": f"mixed {n}x11",
                    "method": name,
                    "seconds": sec,
                    "ratio_to_smote": sec / ref,
                    "peak_mb": peak / 2**20,
                    "peak_over_input": peak / nbytes,
                }
            )
        print(pd.DataFrame(rows).tail(5).round(3).to_string(index=False), flush=True)
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000]
    )
    parser.add_argument("--mixed-max", type=int, default=100_000)
    args = parser.parse_args()
    table = run(args.sizes, args.mixed_max)
    print()
    print(table.round(3).to_string(index=False))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "foundation.json").write_text(json.dumps(table.to_dict("records"), indent=2))


if __name__ == "__main__":
    main()
