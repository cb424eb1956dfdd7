"""The classic baselines (bootstrap, KDE, independent marginals) vs the copula.

Tables (from ``../shared/data``): adult (train.csv, 32,561 x 15, holdout
test.csv 16,281 rows) and german (german.csv, 1,000 x 21, split 700 / 300
stratified by ``class``, seed 0). Each generator is fitted on the whole
training table (the target is one more column) and samples as many rows as
the training table has. Reported in the same run, with the
``GaussianCopulaGenerator`` (and, on german, ``ARFGenerator``) as the
library's own reference:

* fit and sample seconds (ratio to the copula);
* ``column_shapes`` and ``column_pairs`` against the real holdout table;
* TSTR: ``tstr_score`` (ROC AUC of sksynth's default model trained on the
  synthetic rows, tested on the holdout), next to TRTR (trained on the real
  training rows);
* the exact-copy rate: the share of synthetic rows that are a training row
  (``exact_copy_rate``), next to the rate of the real holdout table (rows
  that repeat a training row by chance: the reference for "no copying").

Run: ``python benchmarks/bench_classic.py [--quick]`` (quick: 3,000 adult
rows). Prints a table and writes ``benchmarks/results/classic.json``. Full
run: about 2 minutes on one core.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # 2 cores: no thread thrash

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from sksynth.generators import (  # noqa: E402
    ARFGenerator,
    BootstrapGenerator,
    GaussianCopulaGenerator,
    IndependentGenerator,
    KDEGenerator,
)
from sksynth.metrics import (  # noqa: E402
    column_pairs,
    column_shapes,
    exact_copy_rate,
    trtr_score,
    tstr_score,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
RESULTS = Path(__file__).resolve().parent / "results"


def generators(table):
    gens = {
        "copula": GaussianCopulaGenerator(random_state=0),
        "bootstrap": BootstrapGenerator(random_state=0),
        "smoothed bootstrap": BootstrapGenerator(smoothing="silverman", random_state=0),
        "KDE": KDEGenerator(random_state=0),
        "independent": IndependentGenerator(random_state=0),
    }
    if table == "german":
        gens["ARF"] = ARFGenerator(random_state=0)
    return gens


def load(table, quick):
    if table == "adult":
        train = pd.read_csv(DATA / "adult" / "train.csv")
        test = pd.read_csv(DATA / "adult" / "test.csv")
        if quick:
            train = train.sample(3000, random_state=0).reset_index(drop=True)
            test = test.sample(3000, random_state=0).reset_index(drop=True)
        return train, test, "income"
    df = pd.read_csv(DATA / "german" / "german.csv")
    train, test = train_test_split(
        df, test_size=0.3, stratify=df["class"], random_state=0
    )
    return train.reset_index(drop=True), test.reset_index(drop=True), "class"


def run(table, quick):
    train, test, target = load(table, quick)
    rows = []
    trtr = trtr_score(train, train, test, target=target, random_state=0)
    holdout_copies = exact_copy_rate(train, test)
    for name, gen in generators(table).items():
        t0 = time.perf_counter()
        gen.fit(train)
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        synth = gen.sample(len(train), random_state=1)
        sample_s = time.perf_counter() - t0
        row = {
            "table": table,
            "generator": name,
            "fit_s": fit_s,
            "sample_s": sample_s,
            "shapes": column_shapes(test, synth),
            "pairs": column_pairs(test, synth),
            "tstr": tstr_score(train, synth, test, target=target, random_state=0),
            "trtr": trtr,
            "copy_rate": exact_copy_rate(train, synth),
            "holdout_copy_rate": holdout_copies,
        }
        rows.append(row)
        print(
            f"  {table:6s} {name:19s} fit {fit_s:6.2f}s sample {sample_s:6.2f}s "
            f"shapes {row['shapes']:.3f} pairs {row['pairs']:.3f} "
            f"TSTR {row['tstr']:.3f} copies {row['copy_rate']:.3f}",
            flush=True,
        )
    return rows


def print_table(rows):
    head = (
        f"{'table':7s}{'generator':20s}{'fit s':>8s}{'x cop.':>8s}{'sample s':>9s}"
        f"{'x cop.':>8s}{'shapes':>8s}{'pairs':>8s}{'TSTR':>7s}{'TRTR':>7s}"
        f"{'copies':>8s}{'holdout':>8s}"
    )
    print("\n" + head)
    for table in dict.fromkeys(r["table"] for r in rows):
        sel = [r for r in rows if r["table"] == table]
        ref = next(r for r in sel if r["generator"] == "copula")
        for r in sel:
            print(
                f"{table:7s}{r['generator']:20s}{r['fit_s']:8.2f}"
                f"{r['fit_s'] / ref['fit_s']:8.2f}{r['sample_s']:9.2f}"
                f"{r['sample_s'] / ref['sample_s']:8.2f}{r['shapes']:8.3f}"
                f"{r['pairs']:8.3f}{r['tstr']:7.3f}{r['trtr']:7.3f}"
                f"{r['copy_rate']:8.3f}{r['holdout_copy_rate']:8.3f}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3,000 adult rows")
    parser.add_argument("--tables", default="german,adult")
    args = parser.parse_args()
    if not DATA.exists():
        raise SystemExit(f"{DATA} is absent: the benchmark needs the shared data.")
    rows = []
    for table in args.tables.split(","):
        rows += run(table, args.quick)
    print_table(rows)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / ("classic_quick.json" if args.quick else "classic.json")
    path.write_text(json.dumps({"settings": vars(args), "rows": rows}, indent=2))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
