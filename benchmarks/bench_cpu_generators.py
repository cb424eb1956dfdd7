"""CPU generators on adult: ARF, ForestFlow and Bayesian networks vs the copula.

Fits every generator on ``../shared/data/adult/train.csv`` (32,561 rows x 15
columns, ``income`` as ``y``), samples as many rows, and reports side by side
with ``GaussianCopulaGenerator`` in the same run:

* fit seconds, sample seconds, peak Python-heap memory of fit + sample
  (``tracemalloc``; joblib worker processes are not counted);
* ``column_shapes`` and ``column_pairs`` of the synthetic table against the
  real *test* table;
* ``detection_auc`` (real test vs synthetic; 0.5 = indistinguishable);
* TSTR: ROC AUC on the real test set of a ``HistGradientBoostingClassifier``
  (native categorical support) trained on the synthetic rows to predict
  ``income``, next to the same model trained on the real train rows;
* how often ``education`` and ``education_num`` disagree (they are a 1:1 map
  in the real data);
* the exact-copy rate: the share of synthetic rows that are a training row;
* the impossible rate: the share of synthetic rows holding a pair of
  categories that the generator found never occur together in the training
  data (``impossible_pairs_``; such rows are drawn again unless
  ``--keep-impossible``, or the generator puts over 20% of its rows there).

Ratios are against the copula of the same run. Writes
benchmarks/results/cpu_generators.json.

Run:  nice -n 10 python benchmarks/bench_cpu_generators.py [--only arf,bn]
      [--flow-n-t 10] [--flow-numeric-encoding quantile]
      [--arf-min-samples-leaf 5] [--n-jobs 2] [--keep-impossible]
"""

import argparse
import json
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from sksynth.generators import (
    ARFGenerator,
    BayesianNetworkGenerator,
    ForestFlowGenerator,
    GaussianCopulaGenerator,
)
from sksynth.metrics import (
    column_pairs,
    column_shapes,
    detection_auc,
    exact_copy_rate,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "adult"


def tstr_auc(X, y, test, dtypes):
    clf = HistGradientBoostingClassifier(categorical_features="from_dtype",
                                         random_state=0)
    clf.fit(X.astype(dtypes), np.asarray(y) == ">50K")
    proba = clf.predict_proba(test.drop(columns="income").astype(dtypes))[:, 1]
    return float(roc_auc_score(test["income"] == ">50K", proba))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None,
                        help="comma-separated subset of: arf,flow,bn,bn_greedy")
    parser.add_argument("--flow-n-t", type=int, default=10)
    parser.add_argument("--flow-numeric-encoding", default="quantile",
                        choices=["quantile", "minmax"])
    parser.add_argument("--arf-min-samples-leaf", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the fidelity metrics of the real train table")
    parser.add_argument("--keep-impossible", action="store_true",
                        help="sample without redrawing rows that hold a pair of "
                        "categories never seen together (impossible_pairs_)")
    args = parser.parse_args()
    if not (DATA / "train.csv").exists():
        raise SystemExit(f"{DATA} is absent")
    train = pd.read_csv(DATA / "train.csv")
    test = pd.read_csv(DATA / "test.csv")
    X, y = train.drop(columns="income"), train["income"]
    dtypes = {c: pd.CategoricalDtype(sorted(X[c].dropna().unique()))
              for c in X.select_dtypes(exclude="number").columns}
    years = train.groupby("education")["education_num"].first()

    generators = {
        "copula": GaussianCopulaGenerator(random_state=0),
        "arf": ARFGenerator(min_samples_leaf=args.arf_min_samples_leaf,
                            n_jobs=args.n_jobs, random_state=0),
        "flow": ForestFlowGenerator(
            n_t=args.flow_n_t, numeric_encoding=args.flow_numeric_encoding,
            n_jobs=args.n_jobs, random_state=0),
        "bn": BayesianNetworkGenerator(random_state=0),
        "bn_greedy": BayesianNetworkGenerator(structure="greedy", max_parents=2,
                                              random_state=0),
    }
    if args.only:
        keep = {"copula", *args.only.split(",")}
        generators = {k: v for k, v in generators.items() if k in keep}

    skip = args.no_reference
    rows = [{
        "generator": "real train", "fit_s": 0.0, "sample_s": 0.0, "peak_mb": 0.0,
        "shapes": np.nan if skip else column_shapes(test, train),
        "pairs": np.nan if skip else column_pairs(test, train),
        "detection_auc": np.nan if skip else detection_auc(test, train,
                                                           random_state=0),
        "tstr_auc": tstr_auc(X, y, test, dtypes),
        "edu_mismatch": float((X["education"].map(years) != X["education_num"]).mean()),
    }]
    print(f"real train reference: TSTR {rows[0]['tstr_auc']:.4f}", flush=True)
    for name, gen in generators.items():
        tracemalloc.start()
        t0 = time.perf_counter()
        gen.fit(X, y)
        pairs = gen.impossible_pairs_
        if args.keep_impossible:
            gen.impossible_pairs_ = None
        t1 = time.perf_counter()
        Xs, ys = gen.sample(len(X), random_state=0)
        t2 = time.perf_counter()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        synth = Xs.assign(income=ys.to_numpy())
        rows.append({
            "generator": name, "fit_s": t1 - t0, "sample_s": t2 - t1, "peak_mb": peak,
            "shapes": column_shapes(test, synth), "pairs": column_pairs(test, synth),
            "detection_auc": detection_auc(test, synth, random_state=0),
            "tstr_auc": tstr_auc(Xs, ys, test, dtypes),
            "edu_mismatch": float(
                (Xs["education"].map(years) != Xs["education_num"]).mean()),
            "copy_rate": exact_copy_rate(train, synth),
            "impossible_rate": float(
                pairs.violations(gen.schema_.encode(Xs, ys), gen.schema_).mean()),
        })
        print({k: round(v, 4) if isinstance(v, float) else v
               for k, v in rows[-1].items()}, flush=True)
        if name == "arf":
            print(f"  arf out-of-bag accuracy per round: "
                  f"{np.round(gen.oob_accuracy_, 3).tolist()}")
        print(Xs.assign(income=ys.to_numpy()).head(5).to_string(), flush=True)

    table = pd.DataFrame(rows).set_index("generator")
    base = table.loc["copula"]
    table["time_vs_copula"] = (table["fit_s"] + table["sample_s"]) / (
        base["fit_s"] + base["sample_s"])
    table["detection_vs_copula"] = table["detection_auc"] / base["detection_auc"]
    with pd.option_context("display.width", 250, "display.max_columns", 20,
                           "display.precision", 4):
        print(table)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    payload = {"flow_n_t": args.flow_n_t,
               "flow_numeric_encoding": args.flow_numeric_encoding,
               "arf_min_samples_leaf": args.arf_min_samples_leaf,
               "n_jobs": args.n_jobs,
               "results": table.reset_index().to_dict(orient="records")}
    (out / "cpu_generators.json").write_text(json.dumps(payload, indent=2))
    print(f"wrote {out / 'cpu_generators.json'}")


if __name__ == "__main__":
    main()
