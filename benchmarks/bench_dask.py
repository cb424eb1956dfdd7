"""Scale-out on Dask: partitioned fit and parallel sampling vs in memory.

A mixed table (20 columns: 10 numeric, two of them 80% zeros, two with
missing values, 2 integer, 8 categorical) is written as parquet partitions of
100,000 rows. For the Gaussian copula and the Bayesian network, two paths fit
the table and write as many synthetic rows to parquet:

* ``dask``: :func:`sksynth.dask.fit` (schema from a 100,000-row sample,
  statistics merged from every partition) and :func:`sksynth.dask.sample`
  ``.to_parquet`` on a ``LocalCluster`` of 2 worker processes (1 thread
  each); peak memory is the largest worker's peak resident set;
* ``memory``: ``pd.read_parquet`` of the whole table, ``fit``, ``sample``,
  ``to_parquet`` in one process (its peak resident set).

Each path runs in a fresh subprocess. The in-memory path reads at most
``--memory-rows`` rows (default 1,000,000: ten million rows do not fit in the
memory this machine can spare); the ratios are then per row (seconds per
million rows) and of the peaks. Usage::

    python benchmarks/bench_dask.py            # 1,000,000 rows
    python benchmarks/bench_dask.py --quick    # 200,000 rows
    python benchmarks/bench_dask.py --rows 10000000   # memory path: 1,000,000
    python benchmarks/bench_dask.py --exactness  # 1 vs 8 partitions, 200,000 rows
                                                 # (DP generators: 50,000 rows)
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PART_ROWS = 100_000
GENERATORS = {
    "copula": ("GaussianCopulaGenerator", {}),
    "bayesian_network": ("BayesianNetworkGenerator", {"n_bins": 20}),
}


def make_partition(i, n):
    rng = np.random.RandomState(1000 + i)
    base = rng.normal(size=(n, 3))
    cols = {}
    for k in range(6):
        w = (
            rng.uniform(-1, 1, 3)
            if i == 0
            else np.random.RandomState(k).uniform(-1, 1, 3)
        )
        cols[f"num{k}"] = base @ w + rng.normal(size=n)
    for k in range(2):
        cols[f"zero{k}"] = np.where(
            rng.uniform(size=n) < 0.8, 0.0, rng.exponential(1000, n)
        )
    for k in range(2):
        v = np.exp(10 + 0.5 * base[:, k] + 0.3 * rng.normal(size=n))
        v[rng.uniform(size=n) < 0.05] = np.nan
        cols[f"nan{k}"] = v
    cols["int0"] = np.clip(40 + 12 * base[:, 0], 18, 90).round().astype(np.int64)
    cols["int1"] = rng.poisson(3 + (base[:, 1] > 0) * 2, n).astype(np.int64)
    for k, card in enumerate([2, 3, 4, 5, 6, 8, 10, 10]):
        score = base[:, k % 3] + rng.normal(size=n)
        cut = np.quantile(score, np.linspace(0, 1, card + 1)[1:-1])
        cols[f"cat{k}"] = np.array([f"c{j}" for j in range(card)])[
            np.searchsorted(cut, score)
        ]
    frame = pd.DataFrame(cols)
    frame["cat7"] = frame["cat7"].astype("str")
    return frame


def write_table(folder, n_rows):
    folder.mkdir(parents=True, exist_ok=True)
    for i, start in enumerate(range(0, n_rows, PART_ROWS)):
        n = min(PART_ROWS, n_rows - start)
        make_partition(i, n).to_parquet(folder / f"part.{i:04d}.parquet")


def _generator(name):
    import sksynth.generators as g

    cls, params = GENERATORS[name]
    return getattr(g, cls)(random_state=0, **params)


def run_memory(src, out, name, n_rows):
    t0 = time.perf_counter()
    files = sorted(Path(src).glob("part.*.parquet"))[: -(-n_rows // PART_ROWS)]
    data = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    data = data.iloc[:n_rows]
    gen = _generator(name).fit(data)
    t_fit = time.perf_counter() - t0
    del data
    gen.sample(n_rows, random_state=0).to_parquet(out / "synthetic.parquet")
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return {"fit_s": t_fit, "wall_s": wall, "peak_gb": peak}


def run_dask(src, out, name, n_rows):
    import warnings

    import dask.dataframe as dd
    import distributed

    from sksynth.dask import fit, sample

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit="3GB",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        t0 = time.perf_counter()
        data = dd.read_parquet(src)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the sample's size
            gen = fit(_generator(name), data, sample_size=100_000, random_state=0)
        t_fit = time.perf_counter() - t0
        parts = max(1, n_rows // PART_ROWS)
        sample(gen, n_rows, parts, random_state=0).to_parquet(
            out / "synthetic", write_index=False
        )
        wall = time.perf_counter() - t0
        peaks = client.run(
            lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        )
        client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return {
        "fit_s": t_fit,
        "wall_s": wall,
        "peak_gb": max(peaks.values()),
        "client_peak_gb": client_peak,
    }


def _marginal_gap(g1, g2):
    """Largest gap between the fitted marginal CDFs (KS) of two copulas."""
    gap = 0.0
    for b1, b2 in zip(g1.encoder_.blocks_, g2.encoder_.blocks_):
        e1, e2 = b1.encoder, b2.encoder
        if b1.kind == "numeric" and b1.encoding == "quantile":
            x = np.union1d(e1.quantiles_, e2.quantiles_)
            F1 = np.interp(x, e1.quantiles_, e1.references_)
            F2 = np.interp(x, e2.quantiles_, e2.references_)
            gap = max(gap, float(np.abs(F1 - F2).max()))
        else:
            p1 = np.diff(e1.cuts_)[np.argsort(e1.order_)]
            p2 = np.diff(e2.cuts_)[np.argsort(e2.order_)]
            gap = max(gap, float(np.abs(p1 - p2).max()))
    return gap


def exactness(n_rows):
    """Copula and Bayesian network: 1 vs 8 partitions vs in memory."""
    import warnings

    from sksynth.dask import fit
    from sksynth.generators import BayesianNetworkGenerator, GaussianCopulaGenerator

    data = pd.concat(
        [
            make_partition(i, min(PART_ROWS, n_rows - s))
            for i, s in enumerate(range(0, n_rows, PART_ROWS))
        ],
        ignore_index=True,
    )
    chunks = [data.iloc[i] for i in np.array_split(np.arange(n_rows), 8)]
    kw = {"sample_size": 20_000, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        g1 = fit(GaussianCopulaGenerator(random_state=0), [data], **kw)
        g8 = fit(GaussianCopulaGenerator(random_state=0), chunks, **kw)
        b8 = fit(
            BayesianNetworkGenerator(random_state=0),
            chunks,
            sample_size=None,
            random_state=0,
        )
    ref = GaussianCopulaGenerator(random_state=0).fit(data)
    ref1 = GaussianCopulaGenerator(random_state=1).fit(data)
    bref = BayesianNetworkGenerator(random_state=0).fit(data)
    return {
        "rows": n_rows,
        "copula_corr_1_vs_8": float(np.abs(g1.correlation_ - g8.correlation_).max()),
        "copula_corr_memory_seed0_vs_seed1": float(
            np.abs(ref.correlation_ - ref1.correlation_).max()
        ),
        "copula_marginal_ks_1_vs_8": _marginal_gap(g1, g8),
        "copula_marginal_ks_8_vs_memory": _marginal_gap(g8, ref),
        "copula_marginal_error_bound": float(g8.copula_.marginal_error),
        "bn_tables_identical_8_vs_memory": bool(
            b8.parents_ == bref.parents_
            and all(
                np.array_equal(a, b)
                for a, b in zip(b8.network_.cpts, bref.network_.cpts)
            )
        ),
    }


DP_COLUMNS = [
    "num0",
    "num1",
    "zero0",
    "nan0",
    "int0",
    "int1",
    "cat0",
    "cat3",
    "cat6",
    "cat7",
]
DP_GENERATORS = {
    "mst": ("MSTGenerator", {}),
    "aim": ("AIMGenerator", {"max_iter": 20, "verbose": 0}),
    "privbayes": ("PrivBayesGenerator", {}),
}


def _same_release(a, b):
    """Whether two DP fits charged the same steps and released the same."""
    same_measured = len(a.measurements_) == len(b.measurements_) and all(
        ma[0] == mb[0] and ma[2] == mb[2] and np.array_equal(ma[1], mb[1])
        for ma, mb in zip(a.measurements_, b.measurements_)
    )
    return {
        "steps": a.privacy_spent_.steps == b.privacy_spent_.steps,
        "epsilon": a.privacy_spent_.epsilon == b.privacy_spent_.epsilon,
        "domain": a.get_domain() == b.get_domain(),
        "marginals": same_measured,
        "rows": a.sample(1000, random_state=1).equals(b.sample(1000, random_state=1)),
    }


def dp_exactness(n_rows):
    """MST, AIM, PrivBayes: in memory vs 1 and 8 partitions (sample 5,000)."""
    import sksynth.generators as g
    from sksynth.dask import fit

    data = make_partition(0, n_rows)[DP_COLUMNS]
    chunks = [data.iloc[i] for i in np.array_split(np.arange(n_rows), 8)]
    rows = []
    for name, (cls, extra) in DP_GENERATORS.items():
        params = {"epsilon": 1.0, "delta": 1e-9, "random_state": 0, **extra}
        t0 = time.perf_counter()
        ref = getattr(g, cls)(**params).fit(data)
        t1 = time.perf_counter()
        one = fit(getattr(g, cls)(**params), [data], sample_size=5000, random_state=0)
        t2 = time.perf_counter()
        eight = fit(getattr(g, cls)(**params), chunks, sample_size=5000, random_state=1)
        t3 = time.perf_counter()
        row = {
            "generator": name,
            "rows": n_rows,
            "columns": len(DP_COLUMNS),
            "epsilon_spent": eight.privacy_spent_.epsilon,
            "charged_steps": len(eight.privacy_spent_.steps),
            "memory_s": t1 - t0,
            "one_partition_s": t2 - t1,
            "eight_partitions_s": t3 - t2,
        }
        row.update({f"1_vs_8_{k}": v for k, v in _same_release(one, eight).items()})
        row.update(
            {f"8_vs_memory_{k}": v for k, v in _same_release(eight, ref).items()}
        )
        rows.append(row)
        print(row, flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument(
        "--memory-rows",
        type=int,
        default=1_000_000,
        help="rows of the in-memory path (at most --rows)",
    )
    parser.add_argument(
        "--exactness",
        action="store_true",
        help="only the 1 vs 8 partitions vs in-memory comparison",
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.exactness:
        stats = exactness(args.rows or 200_000)
        for key, value in stats.items():
            print(f"{key:36} {value}")
        dp = dp_exactness(min(args.rows or 50_000, 50_000))
        print(
            f"\nDP generators, {dp[0]['rows']:,} rows x {dp[0]['columns']} "
            "columns, epsilon 1, delta 1e-9 (same: steps, epsilon, domain, "
            "noisy marginals, 1,000 sampled rows)"
        )
        print(
            f"{'generator':10} {'epsilon':>8} {'steps':>6} {'1 vs 8 same':>12} "
            f"{'8 vs mem same':>13} {'mem s':>6} {'8 parts s':>9}"
        )
        for r in dp:
            one = all(v for k, v in r.items() if k.startswith("1_vs_8_"))
            mem = all(v for k, v in r.items() if k.startswith("8_vs_memory_"))
            print(
                f"{r['generator']:10} {r['epsilon_spent']:8.4f} "
                f"{r['charged_steps']:6d} {str(one):>12} {str(mem):>13} "
                f"{r['memory_s']:6.1f} {r['eight_partitions_s']:9.1f}"
            )
        folder = Path(__file__).parent / "results"
        folder.mkdir(exist_ok=True)
        stats["dp"] = dp
        (folder / "dask_exactness.json").write_text(json.dumps(stats, indent=2))
        return
    if args.child:  # one path in a fresh process
        path, src, name, n = args.child
        out = Path(tempfile.mkdtemp(prefix="sksynth_bench_out_"))
        try:
            fn = run_dask if path == "dask" else run_memory
            print(json.dumps(fn(src, out, name, int(n))))
        finally:
            shutil.rmtree(out, ignore_errors=True)
        return
    n_rows = args.rows or (200_000 if args.quick else 1_000_000)
    sizes = {"dask": n_rows, "memory": min(n_rows, args.memory_rows)}
    tmp = Path(tempfile.mkdtemp(prefix="sksynth_bench_dask_"))
    results = []
    try:
        src = tmp / "table"
        write_table(src, n_rows)
        for name in GENERATORS:
            row = {"generator": name}
            for path in ("memory", "dask"):
                row[f"{path}_rows"] = sizes[path]
                done = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        path,
                        str(src),
                        name,
                        str(sizes[path]),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                stats = json.loads(done.stdout.strip().splitlines()[-1])
                row.update({f"{path}_{k}": v for k, v in stats.items()})
            # seconds per row, dask / memory (the same as the wall ratio
            # when both paths read the same rows)
            row["wall_ratio"] = (row["dask_wall_s"] / sizes["dask"]) / (
                row["memory_wall_s"] / sizes["memory"]
            )
            row["peak_ratio"] = row["dask_peak_gb"] / row["memory_peak_gb"]
            results.append(row)
            print(row, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"\ndask: {sizes['dask']:,} rows, memory: {sizes['memory']:,} rows x 20 "
        f"columns, parquet partitions of {PART_ROWS:,}; dask: LocalCluster 2 "
        "worker processes x 1 thread; wall ratio per row"
    )
    head = (
        f"{'generator':18} {'mem wall s':>10} {'mem peak GB':>11} "
        f"{'dask wall s':>11} {'worker peak GB':>14} {'client GB':>9} "
        f"{'wall ratio':>10} {'peak ratio':>10}"
    )
    print(head)
    for r in results:
        print(
            f"{r['generator']:18} {r['memory_wall_s']:10.1f} "
            f"{r['memory_peak_gb']:11.2f} {r['dask_wall_s']:11.1f} "
            f"{r['dask_peak_gb']:14.2f} {r['dask_client_peak_gb']:9.2f} "
            f"{r['wall_ratio']:10.2f} {r['peak_ratio']:10.2f}"
        )
    folder = Path(__file__).parent / "results"
    folder.mkdir(exist_ok=True)
    name = "dask_quick.json" if args.quick else f"dask_{n_rows}.json"
    (folder / name).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
