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
every set and seed, with both our models on the same training sequences: the
first ``PAR_SIZES[set]`` training sequences of the split (PAR takes about 30
CPU seconds per 100 Sines sequences here, so the full sets are out of
budget), the static columns as PAR's context columns, scored against those
training sequences and the same held-out test sequences. PAR's outputs are
cached in ``benchmarks/results/par_cache/`` under the hash of its input and
seed, and reused by a later run (``--no-par-cache`` refits).

``--memory`` fits the tree model on 50,000 sequences x 45 steps (3 numeric
and 1 categorical temporal columns, 2 static columns) and reports its peak
memory.

Run:  nice -n 10 python benchmarks/bench_sequences.py [--quick] [--par]
      [--memory] [--seeds 3] [--only SETS] [--models tree,gru] [--skip-main]
Writes benchmarks/results/sequences.json (``--out`` another name).
"""

from __future__ import annotations

import argparse
import hashlib
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
PAR_CACHE = ROOT / "benchmarks" / "results" / "par_cache"
# training sequences given to PAR (and to our models in the PAR grid)
PAR_SIZES = {
    "sines": 100,
    "basic_motions": 32,
    "japanese_vowels": 100,
    "italy_irregular": 100,
}


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
    t0, c0 = time.perf_counter(), time.process_time()
    model.fit(train)
    fit_s, fit_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    out = model.sample(n, random_state=0)
    sample_s = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((out, (fit_s, fit_cpu_s), sample_s, (peak - base) / 1024))


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


def run_par(train, seed, static, use_cache=True, cached_only=False):
    """PAR at its defaults in SDV's venv; cached by input hash and seed
    (``cached_only``: ``None`` when not cached)."""
    csv = train.to_csv(index=False)
    key = hashlib.sha1(f"{csv}|{seed}|{static}".encode()).hexdigest()[:16]
    cached_csv, cached_info = PAR_CACHE / f"{key}.csv", PAR_CACHE / f"{key}.json"
    if use_cache and cached_csv.exists() and cached_info.exists():
        info = json.loads(cached_info.read_text())
        info["cached"] = True
        return pd.read_csv(cached_csv), info
    if cached_only:
        return None, None
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.csv"), Path(tmp, "out.csv")
        src.write_text(csv)
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
                *static,
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
        synth = pd.read_csv(dst)
        PAR_CACHE.mkdir(parents=True, exist_ok=True)
        dst.replace(cached_csv)
        cached_info.write_text(json.dumps(info))
        info["cached"] = False
        return synth, info


def _align(synth, train):
    """PAR's output in the dtypes of the training table (it writes CSV)."""
    out = synth[list(train.columns)].copy()
    for c in train.columns:
        if train[c].dtype.kind in "iuf":
            out[c] = pd.to_numeric(out[c], errors="coerce")
        else:
            out[c] = out[c].astype(str).astype(train[c].dtype)
    return out


def par_grid(data, seeds, models, it, quick, use_cache, cached_only=False):
    """PAR and our models on the same (smaller) training sequences."""
    rows = []
    for seed in seeds:  # every set's first seed first
        for name, (df, static) in data.items():
            train, test = split(df, seed)
            keep = train["id"].unique()[: 20 if quick else PAR_SIZES[name]]
            train = train[train["id"].isin(keep)].reset_index(drop=True)
            size = f"{name} ({len(keep)} train)"
            rows.append(
                {
                    "data": size,
                    "model": "real (held out)",
                    "seed": seed,
                    **scores(train, test, test, it),
                }
            )
            for model in models:
                if model == "par":
                    synth, info = run_par(train, seed, static, use_cache, cached_only)
                    if synth is None:
                        print(f"PAR on {size}, seed {seed}: not cached, skipped")
                        continue
                    synth = _align(synth, train)
                    extra = {
                        "fit_s": info["fit_s"],
                        "fit_cpu_s": info.get("fit_cpu_s", float("nan")),
                        "sample_s": info["sample_s"],
                        "peak_mb": info.get("peak_growth_mb", float("nan")),
                        "process_peak_mb": info["peak_mb"],
                        "cached": info["cached"],
                    }
                else:
                    gen = make_model(model, static, seed, quick)
                    synth, fit_s, sample_s, peak = run_isolated(gen, train, len(keep))
                    extra = {
                        "fit_s": fit_s[0],
                        "fit_cpu_s": fit_s[1],
                        "sample_s": sample_s,
                        "peak_mb": peak,
                    }
                rows.append(
                    {
                        "data": size,
                        "model": model,
                        "seed": seed,
                        **extra,
                        **scores(train, test, synth, it),
                    }
                )
                print(rows[-1], flush=True)
    return rows


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
        "fit_s": fit_s[0],
        "fit_cpu_s": fit_s[1],
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
    parser.add_argument("--models", default="tree,gru", help="tree,gru[,par]")
    parser.add_argument("--skip-main", action="store_true", help="PAR grid only")
    parser.add_argument("--no-par-cache", action="store_true")
    parser.add_argument(
        "--par-cached-only", action="store_true", help="skip PAR fits not cached"
    )
    parser.add_argument("--out", default="sequences.json")
    args = parser.parse_args()
    it = 200 if args.quick else 600
    seeds = list(range(1 if args.quick else args.seeds))
    models = args.models.split(",")
    data = {
        k: v
        for k, v in datasets(args.quick).items()
        if not args.only or k in args.only.split(",")
    }
    rows = []
    for name, (df, static) in data.items():
        if args.skip_main:
            break
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
            for model in (m for m in models if m != "par"):
                gen = make_model(model, static, seed, args.quick)
                synth, fit_s, sample_s, peak = run_isolated(
                    gen, train, train["id"].nunique()
                )
                rows.append(
                    {
                        "data": name,
                        "model": model,
                        "seed": seed,
                        "fit_s": fit_s[0],
                        "fit_cpu_s": fit_s[1],
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
            par_models = list(dict.fromkeys([*models, "par"]))
            rows += par_grid(
                data,
                seeds,
                par_models,
                it,
                args.quick,
                not args.no_par_cache,
                args.par_cached_only,
            )
    if not rows:
        rows = [{"data": "none", "model": "none", "seed": 0}]
    table = pd.DataFrame(rows)
    summary = (
        table.groupby(["data", "model"], sort=False)
        .agg(["mean", "std"])
        .drop(columns=["seed", "cached"], level=0, errors="ignore")
    )
    cols = [
        "fit_s",
        "fit_cpu_s",
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
