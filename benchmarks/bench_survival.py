"""Censored survival data: SurvivalGenerator against the naive baseline.

Data sets shipped in the scikit-survival and lifelines wheels (no download):
gbsg2, whas500, veteran, actg320, rossi, flchain. Per data set and seed: a 70/30
split stratified on the event; every method is fitted on the training part
and draws as many rows. Reported (mean over seeds, then the standard
deviation over seeds for absolute optimism and the C-index):

* Kaplan-Meier optimism, absolute optimism and short-sightedness of the
  synthetic target against the training target (synthcity's definitions and
  1000-point grid, :func:`sksynth.metrics.km_distance`); the log-rank
  chi-square statistic between the two;
* TSTR: Harrell's C-index and the integrated Brier score on the real test
  part of a ridge Cox model (scikit-survival) trained on the synthetic rows;
  the row "real data" trains it on the real training part (the reference);
* fit time (seconds, fit + sample).

Methods, for each base generator (GaussianCopula, ARF, BayesianNetwork):
``SurvivalGenerator(base)`` (default strategy, condition on the outcome),
the naive baseline (the same base generator with the event and the time as
two plain columns); and ``SurvivalGenerator(ARF, strategy="survival_model")``
with both censoring modes. synthcity's ``survival_gan`` is not run: synthcity
0.2.12 requires torch<2.3 and numpy<2 (see docs/survival.rst).

Run:  nice -n 10 python benchmarks/bench_survival.py [--quick] [--seeds 5]
Writes benchmarks/results/survival.json.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # shared machine: no thread thrash

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from sksynth.datasets import load_survival  # noqa: E402
from sksynth.generators import (  # noqa: E402
    ARFGenerator,
    BayesianNetworkGenerator,
    GaussianCopulaGenerator,
    SurvivalGenerator,
)
from sksynth.metrics import (  # noqa: E402
    km_distance,
    logrank_test,
    tstr_concordance,
    tstr_integrated_brier_score,
)
from sksynth.utils._progress import progress  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "survival.json"
DATASETS = ["gbsg2", "whas500", "veteran", "actg320", "rossi", "flchain"]
BASES = {
    "copula": GaussianCopulaGenerator,
    "arf": ARFGenerator,
    "bn": BayesianNetworkGenerator,
}


class Naive:
    """The baseline: event and time as two plain columns of one generator."""

    def __init__(self, generator):
        self.generator = generator

    def fit(self, X, y):
        self.names_ = y.dtype.names
        self.dtype_ = y.dtype
        e, t = self.names_
        self.gen_ = clone(self.generator).fit(X.assign(**{e: y[e], t: y[t]}))
        return self

    def sample(self, n, random_state=None):
        e, t = self.names_
        out = self.gen_.sample(n, random_state=random_state)
        y = np.empty(n, dtype=self.dtype_)
        y[e], y[t] = out[e].to_numpy(bool), out[t].to_numpy(float)
        return out.drop(columns=[e, t]), y


def methods():
    out = {}
    for name, cls in BASES.items():
        out[f"SurvivalGenerator({name})"] = lambda s, c=cls: SurvivalGenerator(
            c(), random_state=s)
        out[f"naive {name}"] = lambda s, c=cls: Naive(c(random_state=s))
    for censoring in ("random", "covariate_dependent"):
        out[f"survival_model(arf, {censoring})"] = (
            lambda s, c=censoring: SurvivalGenerator(
                ARFGenerator(), strategy="survival_model", censoring=c,
                random_state=s))
    return out


def evaluate(X_syn, y_syn, y_train, X_test, y_test):
    row = {}
    try:
        row.update(km_distance(y_train, y_syn))
        row["logrank"] = logrank_test(y_train, y_syn)[0]
    except ValueError as exc:  # e.g. a naive draw with a negative time
        row["error"] = str(exc)[:120]
        return row
    try:
        row["c_index"] = tstr_concordance(X_syn, y_syn, X_test, y_test)
        row["ibs"] = tstr_integrated_brier_score(X_syn, y_syn, X_test, y_test)
    except Exception as exc:  # noqa: BLE001 - a failed TSTR fit is reported
        row["error"] = f"TSTR: {type(exc).__name__}: {str(exc)[:100]}"
    return row


def run(datasets, seeds, verbose=1):
    rows = []
    todo = methods()
    bar = progress(total=len(datasets) * len(seeds), desc="bench_survival",
                   verbose=verbose)
    for data in datasets:
        X, y = load_survival(data)
        event = y[y.dtype.names[0]]
        for seed in seeds:
            idx_tr, idx_te = train_test_split(
                np.arange(len(X)), test_size=0.3, stratify=event, random_state=seed)
            X_tr, y_tr = X.iloc[idx_tr].reset_index(drop=True), y[idx_tr]
            X_te, y_te = X.iloc[idx_te].reset_index(drop=True), y[idx_te]
            ref = evaluate(X_tr, y_tr, y_tr, X_te, y_te)
            rows.append({"data": data, "seed": seed, "method": "real data",
                         "fit_s": 0.0, **ref})
            for name, make in todo.items():
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        gen = make(seed).fit(X_tr, y_tr)
                        X_syn, y_syn = gen.sample(len(X_tr), random_state=seed)
                    except Exception as exc:  # noqa: BLE001 - reported
                        rows.append({"data": data, "seed": seed, "method": name,
                                     "error": f"{type(exc).__name__}: {exc}"[:160]})
                        continue
                    fit_s = time.perf_counter() - t0
                    res = evaluate(X_syn, y_syn, y_tr, X_te, y_te)
                rows.append({"data": data, "seed": seed, "method": name,
                             "fit_s": fit_s, **res})
            bar.update(1)
    bar.close()
    return rows


def table(rows):
    df = pd.DataFrame(rows)
    cols = ["optimism", "absolute_optimism", "short_sightedness", "logrank",
            "c_index", "ibs", "fit_s"]
    for c in cols:
        if c not in df:
            df[c] = np.nan
    order = list(dict.fromkeys(df["method"]))
    g = df.groupby(["data", "method"], sort=False)
    mean = g[cols].mean()
    std = g[["absolute_optimism", "c_index"]].std().add_suffix("_sd")
    fails = g["error"].count() if "error" in df else 0
    out = mean.join(std)
    out["failed"] = fails
    out = out.reset_index()
    out["method"] = pd.Categorical(out["method"], categories=order, ordered=True)
    return out.sort_values(["data", "method"]).reset_index(drop=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="two data sets, two seeds")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--datasets", nargs="*", default=None)
    args = parser.parse_args()
    datasets = args.datasets or (DATASETS[:2] if args.quick else DATASETS)
    seeds = list(range(2 if args.quick else args.seeds))
    t0 = time.perf_counter()
    rows = run(datasets, seeds)
    tab = table(rows)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    shown = tab.drop(columns=["logrank"]).round(3)
    print(shown.to_string(index=False))
    print()
    # the targets of the issue, per data set
    for data, part in tab.groupby("data", sort=False):
        ref = part.loc[part["method"] == "real data", "c_index"].iloc[0]
        d = part.set_index("method")
        default = [m for m in d.index if m.startswith("SurvivalGenerator(")]
        wins = sum(
            d.loc[m, "absolute_optimism"] < d.loc[f"naive {m[18:-1]}",
                                                  "absolute_optimism"]
            for m in default)
        best = max(default, key=lambda m: d.loc[m, "c_index"])
        print(f"{data}: default strategy abs. optimism "
              f"{d.loc[default, 'absolute_optimism'].max():.3f} (max over bases), "
              f"|short-sightedness| "
              f"{d.loc[default, 'short_sightedness'].abs().max():.3f}; beats naive "
              f"on {wins}/{len(default)} bases; TSTR C-index: real {ref:.3f}, best "
              f"default {d.loc[best, 'c_index']:.3f} ({best}), gap "
              f"{ref - d.loc[best, 'c_index']:+.3f}")
    total = time.perf_counter() - t0
    print(f"\ntotal {total:.0f} s")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"datasets": datasets, "seeds": seeds,
                               "total_s": total, "rows": rows}, indent=1,
                              default=float))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
