"""Sequence generators: SequenceGenerator (tree and GRU step models) vs SDV's PAR.

Data sets (long format, split 80/20 by entity into train and test):

* ``sines``: TimeGAN's Sines (5 features, 24 steps), 1000 sequences;
* ``basic_motions``: sktime's BasicMotions (80 x 100 steps x 6 channels,
  the activity as a static column);
* ``japanese_vowels``: sktime's JapaneseVowels (640 sequences of 7-29 steps
  x 12 channels, the speaker as a static column);
* ``italy_irregular``: sktime's ItalyPowerDemand with 30% of the hours
  dropped at random (irregular gaps; 1096 days, the season static).

For every set, model and seed: fit seconds and peak memory of the fit (the
resident-set growth of a forked child process that fits and samples), and
against the train sequences the TimeGAN discriminative score (600
discriminator steps, 600 predictor steps: TimeGAN uses 2000 and 5000, cut
to fit the time budget)
(``|accuracy - 0.5|`` of a GRU discriminator on held-out sequences; 0 is
best), the predictive score (GRU trained on the synthetic sequences, mean
absolute error on the real test sequences; sets with two value columns at
least), length similarity, per-sequence statistic similarity and the
autocorrelation distance, plus the share of sequences with strictly
increasing timestamps. The "real" row scores held-out real sequences the same
way (the floor of each score).

SDV's ``PARSynthesizer`` (defaults: 128 epochs) runs with ``--par`` when
``/tmp/venv_sdv`` holds SDV (its own venv, torch 2.13 installed first), on
``sines`` with 100 sequences and one seed only: on this shared 2-core
machine its fit of 100 Sines sequences took minutes (see the note), so the
full grid is out of budget.

``--memory`` fits the tree model on 50,000 sequences x 45 steps (3 numeric
and 1 categorical temporal columns, 2 static columns) and reports its peak
memory.

Run:  nice -n 10 python benchmarks/bench_sequences.py [--quick] [--par]
      [--memory] [--seeds 3]
Writes benchmarks/results/sequences.json (``--out`` another name).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sksynth.datasets import (
    load_basic_motions,
    load_italy_power_demand,
    load_japanese_vowels,
    make_sines,
)
from sksynth.generators import SequenceGenerator
from sksynth.metrics import (
    autocorrelation_distance,
    discriminative_score,
    length_similarity,
    predictive_score,
    sequence_statistic_similarity,
)

ROOT = Path(__file__).resolve().parents[1]
SDV_PY = Path("/tmp/venv_sdv/bin/python")


def datasets(quick):
    n_sines = 200 if quick else 1000
    out = {"sines": (make_sines(n_sines, random_state=0), [])}
    try:
        out["basic_motions"] = (load_basic_motions(), ["activity"])
        out["japanese_vowels"] = (load_japanese_vowels(), ["speaker"])
        out["italy_irregular"] = (
            load_italy_power_demand(drop_rate=0.3, random_state=0),
            ["season"],
        )
    except ImportError as err:
        print(f"skipping the sktime sets: {err}", file=sys.stderr)
    if quick:
        out = {k: (_head(df, 60), s) for k, (df, s) in out.items()}
    return out


def _head(df, n):
    ids = df["id"].unique()[:n]
    return df[df["id"].isin(ids)].reset_index(drop=True)


def split(df, seed):
    ids = df["id"].unique()
    rng = np.random.RandomState(seed)
    test_ids = set(rng.choice(ids, size=max(2, len(ids) // 5), replace=False))
    test = df["id"].isin(test_ids)
    return df[~test].reset_index(drop=True), df[test].reset_index(drop=True)


def make_model(name, static, seed, quick):
    common = {
        "id_column": "id",
        "time_column": "time",
        "static_columns": static,
        "random_state": seed,
    }
    if name == "tree":
        return SequenceGenerator(**common, max_iter=20 if quick else 100)
    return SequenceGenerator(
        **common, model="gru", max_epochs=3 if quick else 30, batch_size=64
    )


def _child(model, train, n, queue):
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = model.sample(n, random_state=0)
    sample_s = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((out, fit_s, sample_s, (peak - base) / 1024))


def run_isolated(model, train, n):
    """Fit and sample in a forked child: seconds and peak memory growth (MB)."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(model, train, n, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def scores(train, test, synth, it, has_time=True):
    kw = {"id_column": "id", "time_column": "time", "random_state": 0}
    n_values = train.select_dtypes("number").shape[1] - 2
    row = {
        "discriminative": discriminative_score(train, synth, n_iter=it, **kw),
        "predictive": predictive_score(test, synth, n_iter=it, **kw)
        if n_values >= 2
        else float("nan"),
        "length_sim": length_similarity(train, synth, id_column="id"),
        "stat_sim": sequence_statistic_similarity(
            train, synth, id_column="id", time_column="time"
        )[0],
        "acf_dist": autocorrelation_distance(
            train, synth, id_column="id", time_column="time"
        ),
    }
    if has_time:
        gaps = synth.groupby("id", sort=False)["time"].diff()
        bad = synth.loc[gaps <= 0, "id"].nunique()
        row["strictly_increasing"] = 1 - bad / synth["id"].nunique()
    return row


def run_par(train, seed):
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.csv"), Path(tmp, "out.csv")
        train.to_csv(src, index=False)
        n = train["id"].nunique()
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                str(SDV_PY),
                str(ROOT / "benchmarks" / "_par_runner.py"),
                str(src),
                str(dst),
                "id",
                "time",
                str(n),
                str(seed),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": ""},
        )
        wall = time.perf_counter() - t0
        if proc.returncode:
            raise RuntimeError(proc.stderr[-2000:])
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        info["wall_s"] = wall
        return pd.read_csv(dst), info


def memory_target():
    rng = np.random.RandomState(0)
    n_seq, n_steps = 50_000, 45
    n = n_seq * n_steps
    grp = rng.choice(["a", "b", "c"], size=n_seq)
    df = pd.DataFrame(
        {
            "id": np.repeat(np.arange(n_seq), n_steps),
            "time": np.tile(np.arange(n_steps), n_seq),
            "group": pd.array(np.repeat(grp, n_steps), dtype="str"),
            "size": np.repeat(rng.gamma(2, size=n_seq), n_steps),
            "v1": rng.normal(size=n).cumsum() / 50,
            "v2": rng.normal(size=n),
            "v3": rng.poisson(3, size=n).astype(float),
            "state": pd.array(rng.choice(["x", "y"], size=n), dtype="str"),
        }
    )
    model = SequenceGenerator("id", "time", ["group", "size"], random_state=0)
    out, fit_s, sample_s, peak = run_isolated(model, df, 1000)
    return {
        "rows": n,
        "fit_s": fit_s,
        "peak_growth_mb": peak,
        "sample_1000_s": sample_s,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--par", action="store_true")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", default=None, help="comma-separated data sets")
    parser.add_argument("--out", default="sequences.json")
    args = parser.parse_args()
    it = 200 if args.quick else 600
    seeds = list(range(1 if args.quick else args.seeds))
    rows = []
    for name, (df, static) in datasets(args.quick).items():
        if args.only and name not in args.only.split(","):
            continue
        for seed in seeds:
            train, test = split(df, seed)
            rows.append(
                {
                    "data": name,
                    "model": "real (held out)",
                    "seed": seed,
                    **scores(train, test, test, it),
                }
            )
            for model in ("tree", "gru"):
                gen = make_model(model, static, seed, args.quick)
                synth, fit_s, sample_s, peak = run_isolated(
                    gen, train, train["id"].nunique()
                )
                rows.append(
                    {
                        "data": name,
                        "model": model,
                        "seed": seed,
                        "fit_s": fit_s,
                        "sample_s": sample_s,
                        "peak_mb": peak,
                        **scores(train, test, synth, it),
                    }
                )
                print(rows[-1], flush=True)
    if args.par:
        if not SDV_PY.exists():
            print("no /tmp/venv_sdv: PAR skipped", file=sys.stderr)
        else:
            df = make_sines(125, random_state=0)
            train, test = split(df, 0)  # 100 train sequences
            for model in ("tree", "par"):
                if model == "par":
                    synth, info = run_par(train, 0)
                    extra = {
                        "fit_s": info["fit_s"],
                        "sample_s": info["sample_s"],
                        "peak_mb": info["peak_mb"],
                    }
                else:
                    synth, fit_s, sample_s, peak = run_isolated(
                        make_model("tree", [], 0, args.quick),
                        train,
                        train["id"].nunique(),
                    )
                    extra = {"fit_s": fit_s, "sample_s": sample_s, "peak_mb": peak}
                rows.append(
                    {
                        "data": "sines_100",
                        "model": model,
                        "seed": 0,
                        **extra,
                        **scores(train, test, synth, it),
                    }
                )
                print(rows[-1], flush=True)
    if not rows:
        rows = [{"data": "none", "model": "none", "seed": 0}]
    table = pd.DataFrame(rows)
    summary = (
        table.groupby(["data", "model"], sort=False)
        .agg(["mean", "std"])
        .drop(columns="seed", level=0)
    )
    cols = [
        "fit_s",
        "peak_mb",
        "discriminative",
        "predictive",
        "length_sim",
        "stat_sim",
        "acf_dist",
        "strictly_increasing",
    ]
    cols = [c for c in cols if c in summary.columns.get_level_values(0)]
    with pd.option_context(
        "display.width", 200, "display.max_columns", 40, "display.precision", 3
    ):
        print(summary[cols])
    result = {"rows": rows, "quick": args.quick, "seeds": seeds}
    if args.memory:
        result["memory_50000x45"] = memory_target()
        print(result["memory_50000x45"])
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / args.out).write_text(json.dumps(result, indent=1, default=float))


if __name__ == "__main__":
    main()
