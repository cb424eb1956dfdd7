"""DP utility on adult: MST and AIM at several epsilons, against real-data training.

Run: ``python benchmarks/bench_dp.py [mst:1 aim:1 ...]`` (default: mst and aim
at epsilon 0.3, 1 and 3, delta 1e-9). Prints a table and writes
``benchmarks/results/dp.json``. Needs ``../shared/data/adult``.
"""

import json
import sys
import time
from pathlib import Path

import pandas as pd

from sksynth.generators import AIMGenerator, MSTGenerator, PrivBayesGenerator
from sksynth.metrics import column_pairs, column_shapes, trtr_score, tstr_score

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "adult"


def main(argv):
    if not (DATA / "train.csv").exists():
        print(f"skipped: {DATA} is absent")
        return
    train = pd.read_csv(DATA / "train.csv")
    test = pd.read_csv(DATA / "test.csv")
    X, y = train.drop(columns="income"), train["income"]
    specs = argv or [
        f"{g}:{e}" for g in ("mst", "aim", "privbayes") for e in ("0.3", "1", "3")
    ]
    trtr = trtr_score(train, train, test, target="income", random_state=0)
    rows = []
    for spec in specs:
        name, eps = spec.split(":")
        cls = {
            "aim": AIMGenerator,
            "mst": MSTGenerator,
            "privbayes": PrivBayesGenerator,
        }[name]
        start = time.perf_counter()
        gen = cls(epsilon=float(eps), delta=1e-9, random_state=0, verbose=0).fit(X, y)
        fit = time.perf_counter() - start
        Xs, ys = gen.sample(len(train), random_state=0)
        synth = Xs.assign(income=ys)
        rows.append(
            {
                "generator": name,
                "epsilon": float(eps),
                "epsilon_spent": gen.privacy_spent_.epsilon,
                "fit_seconds": fit,
                "tstr_roc_auc": tstr_score(
                    train, synth, test, target="income", random_state=0
                ),
                "trtr_roc_auc": trtr,
                "tstr_over_trtr": None,
                "column_shapes": column_shapes(test, synth),
                "column_pairs": column_pairs(test, synth),
            }
        )
        rows[-1]["tstr_over_trtr"] = rows[-1]["tstr_roc_auc"] / trtr
        print(json.dumps(rows[-1]), flush=True)
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "dp.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
