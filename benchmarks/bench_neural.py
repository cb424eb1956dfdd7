"""Neural generators on adult: seconds per epoch, fit + sample time and quality.

For CTGAN, TVAE and TabDDPM (skorch-trained) it reports

* seconds per epoch (from ``net_.history``, steady-state epoch) and the batch
  size, on CPU with ``--threads`` torch threads (default 2), and on CUDA with
  rows per second when a GPU is present;
* fit + sample time at ``--epochs`` (default: each generator's default number
  of epochs, which takes long on a CPU; pass e.g. ``--epochs 30`` for a quick
  run) and the quality table of the other generator benchmarks:
  ``column_shapes``, ``column_pairs``, detection AUC and TSTR ROC AUC of a
  HistGradientBoostingClassifier for ``income`` on the real test set.

Run: ``python benchmarks/bench_neural.py [--epochs N] [--threads 2]``.
Writes ``benchmarks/results/neural.json``. Needs ``../shared/data/adult``.
"""

import argparse
import json
import time
from pathlib import Path

import pandas as pd
import torch

from sksynth.generators import CTGANGenerator, TabDDPMGenerator, TVAEGenerator
from sksynth.metrics import column_pairs, column_shapes, detection_auc, tstr_score

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "adult"
GENERATORS = [CTGANGenerator, TVAEGenerator, TabDDPMGenerator]
NAMES = {cls.__name__[:-len("Generator")].lower(): cls for cls in GENERATORS}


def epoch_seconds(cls, train, device):
    gen = cls(max_epochs=2, device=device, random_state=0).fit(train)
    seconds = gen.net_.history[-1, "dur"]
    return seconds, gen.batch_size, len(train) / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--generators", default="ctgan,tvae,tabddpm",
        help="comma-separated subset of: " + ", ".join(NAMES),
    )
    parser.add_argument("--out", default="neural.json",
                        help="file name under benchmarks/results/")
    args = parser.parse_args()
    chosen = [NAMES[name.strip().lower()] for name in args.generators.split(",")]
    if not (DATA / "train.csv").exists():
        print(f"skipped: {DATA} is absent")
        return
    torch.set_num_threads(args.threads)
    train = pd.read_csv(DATA / "train.csv")
    test = pd.read_csv(DATA / "test.csv")
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    rows = []
    for cls in chosen:
        for device in devices:
            sec, batch, rps = epoch_seconds(cls, train, device)
            row = {
                "generator": cls.__name__,
                "device": device,
                "batch_size": batch,
                "epoch_seconds": sec,
                "rows_per_second": rps,
            }
            params = {"device": device, "random_state": 0}
            if args.epochs is not None:
                params["max_epochs"] = args.epochs
            start = time.perf_counter()
            gen = cls(**params).fit(train)
            row["epochs"] = gen.max_epochs
            row["fit_seconds"] = time.perf_counter() - start
            start = time.perf_counter()
            synth = gen.sample(len(train), random_state=0)
            row["sample_seconds"] = time.perf_counter() - start
            row["column_shapes"] = column_shapes(test, synth)
            row["column_pairs"] = column_pairs(test, synth)
            row["detection_auc"] = detection_auc(test, synth, random_state=0)
            row["tstr_roc_auc"] = tstr_score(
                train, synth, test, target="income", random_state=0
            )
            rows.append(row)
            print(json.dumps(row), flush=True)
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / args.out).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
