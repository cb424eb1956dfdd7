"""Neural generators on adult: seconds per epoch, fit + sample time and quality.

For CTGAN, TVAE and TabDDPM (skorch-trained) it reports

* seconds per epoch (from ``net_.history``, median of epochs 2-4) and the batch
  size, on CPU with ``--threads`` torch threads (default 2), and on CUDA with
  rows per second when a GPU is present;
* fit + sample time at ``--epochs`` (default: each generator's default
  number of epochs, which takes long on a CPU; pass e.g. ``--epochs 30`` for
  a quick run) and the quality table of the other generator benchmarks:
  ``column_shapes``, ``column_pairs``, detection AUC and TSTR ROC AUC of a
  HistGradientBoostingClassifier for ``income`` on the real test set. The
  generators are fitted as ``fit(X, y)`` with ``y`` the ``income`` column:
  TabDDPM is then class-conditional, as in its paper; CTGAN and TVAE model
  ``y`` as one more categorical column.

Run: ``python benchmarks/bench_neural.py [--epochs N] [--threads 2]``.
Writes ``benchmarks/results/neural.json``. Needs ``../shared/data/adult``.

``--eval-every K`` evaluates after every K epochs on the way to the total
(continuing the same training with ``partial_fit``), so that a long CPU run
gives numbers early; ``--eval-rows`` samples fewer rows than the training
table. ``--sample-steps K1,K2,...`` evaluates TabDDPM with each number of
sampling steps (``n_sample_steps``; ``all`` for every diffusion step) at each
evaluation, from the same fitted model. ``--set PARAM=VALUE`` (repeatable) sets
a generator parameter, e.g. ``--set lr=2e-3 --set "dims=(512, 512)"``. Each
row also holds ``rows``, checks of the synthetic rows against the training
rows (missing shares, point masses, distinct values: ``[real, synthetic]``);
``--keep-impossible`` samples without the impossible-pair redraw.

``--reference-ctgan`` instead times CTGANGenerator's CPU epoch against the
reference ``ctgan`` package (a benchmark reference only, never a dependency)
in the same run: same batch size (500), same network sizes and the same torch
thread count, interleaved (ours, reference, ours, ...) over ``--rounds`` fits
of ``--ref-epochs`` epochs each; the first epoch of each fit is a warm-up and
not counted. The reference runs in a subprocess with ``PYTHONPATH`` set to
``--ctgan-path`` (default ``/tmp/ctgan_ref``, a ``pip install --target`` dir
holding ctgan, rdt and faker) when that folder exists, else with an importable
``ctgan``; without either it prints "skipped". It reports median wall and
process-CPU seconds per epoch and the ratio ours / reference, and writes
``benchmarks/results/neural_ctgan_reference.json``.
"""

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import torch
from skorch.callbacks import Callback

from sksynth.generators import CTGANGenerator, TabDDPMGenerator, TVAEGenerator
from sksynth.metrics import column_pairs, column_shapes, detection_auc, tstr_score

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "adult"
TARGET = "income"
GENERATORS = [CTGANGenerator, TVAEGenerator, TabDDPMGenerator]
NAMES = {cls.__name__[:-len("Generator")].lower(): cls for cls in GENERATORS}


# The reference fit, run in a subprocess: epochs are timed by replacing the
# tqdm wrapper of ctgan's epoch loop with a clock (wall and process CPU time).
REFERENCE_CHILD = """
import json, sys, time
import pandas as pd, torch
threads, epochs, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
torch.set_num_threads(threads)
try:
    from ctgan import CTGAN
    from ctgan.synthesizers import ctgan as module
except ImportError as exc:
    print(json.dumps({"skipped": repr(exc)}))
    raise SystemExit(0)
stamps = []
def clock(iterable, **kwargs):
    stamps.append((time.perf_counter(), time.process_time()))
    for item in iterable:
        yield item
        stamps.append((time.perf_counter(), time.process_time()))
module.tqdm = clock
data = pd.read_csv(path)
discrete = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
model = CTGAN(epochs=epochs, batch_size=500, verbose=False)
model.set_random_state(0)
model.fit(data, discrete_columns=discrete)
print(json.dumps({
    "wall": [b[0] - a[0] for a, b in zip(stamps, stamps[1:])],
    "cpu": [b[1] - a[1] for a, b in zip(stamps, stamps[1:])],
    "width": int(model._transformer.output_dimensions),
    "version": __import__("ctgan").__version__,
}))
"""


class EpochClock(Callback):
    """Wall and process-CPU seconds of each epoch."""

    def initialize(self):
        self.wall_, self.cpu_ = [], []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self._start = (time.perf_counter(), time.process_time())

    def on_epoch_end(self, net, **kwargs):
        self.wall_.append(time.perf_counter() - self._start[0])
        self.cpu_.append(time.process_time() - self._start[1])


def reference_ctgan(args, train_path):
    env = dict(os.environ)
    if Path(args.ctgan_path).is_dir():
        env["PYTHONPATH"] = args.ctgan_path
        where = args.ctgan_path
    else:
        where = "the current environment"
    ours = {"wall": [], "cpu": []}
    ref = {"wall": [], "cpu": []}
    info = {}
    train = pd.read_csv(train_path)
    for r in range(args.rounds):
        gen = CTGANGenerator(max_epochs=args.ref_epochs, batch_size=500,
                             callbacks=[EpochClock()], random_state=r).fit(train)
        clock = dict(gen.net_.callbacks_)["EpochClock"]  # the net's copy
        ours["wall"] += clock.wall_[1:]
        ours["cpu"] += clock.cpu_[1:]
        info["width_ours"] = gen.encoder_.n_features_out_
        proc = subprocess.run(
            [sys.executable, "-c", REFERENCE_CHILD, str(args.threads),
             str(args.ref_epochs), str(train_path)],
            env=env, capture_output=True, text=True, check=False,
        )
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines:
            print(f"skipped: the reference ctgan failed from {where}:\n"
                  + proc.stderr[-2000:])
            return None
        out = json.loads(lines[-1])
        if "skipped" in out:
            print(f"skipped: no reference ctgan importable from {where} "
                  f"({out['skipped']})")
            return None
        ref["wall"] += out["wall"][1:]
        ref["cpu"] += out["cpu"][1:]
        info["width_reference"] = out["width"]
        info["reference_version"] = out["version"]
        print(f"round {r}: ours wall {clock.wall_[1:]} cpu {clock.cpu_[1:]}; "
              f"reference wall {out['wall'][1:]} cpu {out['cpu'][1:]}",
              flush=True)
    row = {
        "threads": args.threads, "batch_size": 500, "rounds": args.rounds,
        "epochs_per_fit": args.ref_epochs, **info,
        "ours_epoch_wall": statistics.median(ours["wall"]),
        "reference_epoch_wall": statistics.median(ref["wall"]),
        "ours_epoch_cpu": statistics.median(ours["cpu"]),
        "reference_epoch_cpu": statistics.median(ref["cpu"]),
        "raw": {"ours": ours, "reference": ref},
    }
    row["ratio_wall"] = row["ours_epoch_wall"] / row["reference_epoch_wall"]
    row["ratio_cpu"] = row["ours_epoch_cpu"] / row["reference_epoch_cpu"]
    table = pd.DataFrame({
        "ours": [row["ours_epoch_wall"], row["ours_epoch_cpu"]],
        "reference ctgan": [row["reference_epoch_wall"],
                            row["reference_epoch_cpu"]],
        "ratio ours/ref": [row["ratio_wall"], row["ratio_cpu"]],
    }, index=["s/epoch (wall)", "s/epoch (CPU)"])
    print(f"CTGAN epoch on adult, batch 500, {args.threads} torch thread(s), "
          f"median of {len(ours['wall'])} epochs each "
          f"(reference ctgan {info['reference_version']})")
    print(table.round(3).to_string())
    return row


def epoch_seconds(cls, train, params):
    """Median duration of epochs 2-4 of a 4-epoch fit (the first warms up)."""
    gen = cls(**{**params, "max_epochs": 4, "callbacks": None}).fit(train)
    seconds = statistics.median(gen.net_.history[1:, "dur"])
    return seconds, gen.batch_size, len(train) / seconds


def row_checks(real, synth):
    """What a reader of the rows sees: missing shares (alone and for pairs of
    columns), the share of the most frequent value of numeric columns where
    it holds at least 40% of the rows, and the number of distinct values of
    numeric columns with at most 200; each as ``[real, synthetic]``."""
    out = {}
    missing = [c for c in real.columns if real[c].isna().any()]
    for c in missing:
        out[f"missing {c}"] = [real[c].isna().mean(), synth[c].isna().mean()]
    for i, a in enumerate(missing):
        for b in missing[i + 1:]:
            out[f"missing {a} & {b}"] = [
                (df[a].isna() & df[b].isna()).mean() for df in (real, synth)]
    for c in real.select_dtypes("number").columns:
        mode = real[c].mode()[0]
        if (real[c] == mode).mean() >= 0.4:
            out[f"{c} == {mode}"] = [(df[c] == mode).mean() for df in (real, synth)]
        if real[c].nunique() <= 200:
            out[f"distinct {c}"] = [int(df[c].nunique()) for df in (real, synth)]
    return {k: [round(float(v), 4) for v in pair] for k, pair in out.items()}


def evaluate(gen, train, test, n_rows, save=None):
    start = time.perf_counter()
    Xs, ys = gen.sample(n_rows, random_state=0)
    synth = Xs.assign(**{TARGET: ys})
    row = {"sample_rows": n_rows, "sample_seconds": time.perf_counter() - start}
    if save is not None:
        save.parent.mkdir(exist_ok=True)
        synth.to_csv(save, index=False)
    row["column_shapes"] = column_shapes(test, synth)
    row["column_pairs"] = column_pairs(test, synth)
    row["detection_auc"] = detection_auc(test, synth, random_state=0)
    row["tstr_roc_auc"] = tstr_score(
        train, synth, test, target=TARGET, random_state=0
    )
    row["rows"] = row_checks(train, synth)
    return row


def parse_settings(items):
    """``["lr=2e-3", "dims=(512, 512)"]`` -> generator parameters."""
    out = {}
    for item in items or ():
        key, _, value = item.partition("=")
        try:
            out[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            out[key.strip()] = value.strip()
    return out


def steps_options(gen, args):
    if not args.sample_steps or not hasattr(gen, "n_sample_steps"):
        return [None]
    return args.sample_steps.split(",")


def run_generator(cls, device, train, test, args):
    """Fit at the default (or ``--epochs``) number of epochs and evaluate;
    with ``--eval-every K``, evaluate after every K epochs on the way
    (``partial_fit`` continues the same training), one row each."""
    params = {"device": device, "random_state": 0, **parse_settings(args.set)}
    if args.epochs is not None:
        params["max_epochs"] = args.epochs
    target = cls(**params).max_epochs
    if args.eval_every and params.get("lr_schedule", "linear") == "linear" \
            and hasattr(cls(), "lr_schedule"):
        raise SystemExit("--eval-every restarts TabDDPM's linear learning-rate "
                         "schedule at each evaluation: add --set "
                         "lr_schedule=constant")
    step = min(args.eval_every or target, target)
    base = {"generator": cls.__name__, "device": device}
    if not args.eval_every:
        sec, batch, rps = epoch_seconds(cls, train, params)
        base.update(batch_size=batch, epoch_seconds=sec, rows_per_second=rps)
    n_rows = args.eval_rows or len(train)
    save = None
    if args.save_sample:
        save = (Path(__file__).parent / "results"
                / f"neural_{cls.__name__}_{device}.csv")
    rows, done, fit_seconds = [], 0, 0.0
    gen = cls(**{**params, "max_epochs": step})
    while done < target:
        epochs = min(step, target - done)
        start = time.perf_counter()
        if done == 0:
            gen.fit(train.drop(columns=TARGET), train[TARGET])
            if args.keep_impossible:
                gen.impossible_pairs_ = None
        else:
            gen.partial_fit(train.drop(columns=TARGET), train[TARGET],
                            epochs=epochs)
        fit_seconds += time.perf_counter() - start
        done += epochs
        row = dict(base, epochs=done, fit_seconds=fit_seconds)
        if args.eval_every:
            dur = gen.net_.history[:, "dur"]
            row.update(batch_size=gen.batch_size,
                       epoch_seconds=float(pd.Series(dur[1:] or dur).median()))
        if args.eval_every or done >= target:
            for k in steps_options(gen, args):
                krow = dict(row)
                if k is not None:
                    gen.set_params(n_sample_steps=None if k == "all" else int(k))
                    krow["n_sample_steps"] = k
                krow.update(evaluate(gen, train, test, n_rows, save))
                rows.append(krow)
                print(json.dumps(krow), flush=True)
    return rows


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
    parser.add_argument("--eval-every", type=int, default=None,
                        help="also evaluate after every K epochs")
    parser.add_argument("--eval-rows", type=int, default=None,
                        help="synthetic rows to evaluate (default: len(train))")
    parser.add_argument("--sample-steps", default=None,
                        help="TabDDPM: comma-separated n_sample_steps values "
                        "to evaluate ('all': every step)")
    parser.add_argument("--set", action="append", metavar="PARAM=VALUE",
                        help="generator parameter (repeatable), e.g. "
                        "--set lr=2e-3 --set 'dims=(512, 512)'")
    parser.add_argument("--keep-impossible", action="store_true",
                        help="sample without redrawing rows that hold a pair of "
                        "categories never seen together (impossible_pairs_)")
    parser.add_argument("--save-sample", action="store_true",
                        help="also write each synthetic table as CSV")
    parser.add_argument("--reference-ctgan", action="store_true",
                        help="time CTGAN's epoch against the reference ctgan")
    parser.add_argument("--ctgan-path", default="/tmp/ctgan_ref")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ref-epochs", type=int, default=3)
    args = parser.parse_args()
    chosen = [NAMES[name.strip().lower()] for name in args.generators.split(",")]
    if not (DATA / "train.csv").exists():
        print(f"skipped: {DATA} is absent")
        return
    torch.set_num_threads(args.threads)
    if args.reference_ctgan:
        row = reference_ctgan(args, DATA / "train.csv")
        if row is not None:
            out = Path(__file__).parent / "results"
            out.mkdir(exist_ok=True)
            text = json.dumps(row, indent=2)
            (out / "neural_ctgan_reference.json").write_text(text)
        return
    train = pd.read_csv(DATA / "train.csv")
    test = pd.read_csv(DATA / "test.csv")
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    rows = []
    for cls in chosen:
        for device in devices:
            rows += run_generator(cls, device, train, test, args)
    table = pd.DataFrame(rows)
    print(table.drop(columns="rows").round(3).to_string(index=False))
    checks = pd.DataFrame({f"{r['generator']} {r['epochs']}": {
        k: f"{v[0]:g} / {v[1]:g}" for k, v in r["rows"].items()} for r in rows})
    print("rows (real / synthetic):")
    print(checks.to_string())
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / args.out).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
