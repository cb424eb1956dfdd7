"""Fairness rebalancing on adult: FairResampler against the usual baselines.

Sensitive feature ``sex``, label ``income`` (>50K = 1). Stratified 5-fold CV;
every resampler runs inside an imblearn Pipeline (training folds only) in
front of the same HistGradientBoostingClassifier. Reported per method (mean
over folds): demographic parity difference (DPD) and equalized-odds
difference (EOD) of the predictions on the test fold, accuracy and ROC AUC,
and the ratios to "no resampling".

Methods: no resampling; RandomOverSampler per (sex, label) cell to the same
parity targets as FairResampler (duplicates real rows); FairResampler(
strategy="parity") with its default generator (ARFGenerator, leaves of 5
rows), with ARF and selection="borderline" (preferential sampling of the
generated rows), with GaussianCopulaGenerator, BayesianNetworkGenerator and
CausalFairGenerator(fairness="none"); fairlearn's ExponentiatedGradient
(DemographicParity) as the in-processing reference. All methods see the same
folds; the paired per-fold differences against per-cell random oversampling
(mean and standard error over folds) are printed and saved as well.

Run:  nice -n 10 python benchmarks/bench_fairness.py [--n-rows 0]
(--n-rows 0 uses all 32,561 rows, the default; --no-expgrad skips the slow
reference). Writes benchmarks/results/fairness.json.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # shared machine: no thread thrash

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from imblearn import FunctionSampler  # noqa: E402
from imblearn.over_sampling import RandomOverSampler  # noqa: E402
from imblearn.pipeline import make_pipeline  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.compose import make_column_transformer  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.metrics import accuracy_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.preprocessing import OrdinalEncoder  # noqa: E402

from sksynth.generators import (  # noqa: E402
    BayesianNetworkGenerator,
    CausalFairGenerator,
    GaussianCopulaGenerator,
)
from sksynth.samplers import FairResampler  # noqa: E402
from sksynth.utils._progress import progress  # noqa: E402

try:
    from sksynth.metrics import (
        demographic_parity_difference,
        equalized_odds_difference,
    )
except ImportError:  # pragma: no cover
    from fairlearn.metrics import (
        demographic_parity_difference,
        equalized_odds_difference,
    )

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "adult" / "train.csv"
OUT = ROOT / "benchmarks" / "results" / "fairness.json"


def load(n_rows, seed):
    if DATA.exists():
        df = pd.read_csv(DATA)
        source = str(DATA.relative_to(ROOT.parent))
        y = (df.pop("income") == ">50K").astype(int).rename("income")
        X = df.drop(columns=["education"])  # duplicate of education_num
    else:  # fallback: built-in data, "plan" as the sensitive feature
        from sksynth.datasets import make_mixed_classification

        X, y = make_mixed_classification(n_rows or 5000, weights=(0.7,),
                                         random_state=seed)
        X = X.rename(columns={"plan": "sex"})
        X["sex"] = X["sex"].astype(str)
        source = "sksynth.datasets.make_mixed_classification (adult absent)"
    if n_rows and n_rows < len(X):
        keep = (
            pd.Series(np.arange(len(X)))
            .groupby([X["sex"].to_numpy(), y.to_numpy()])
            .sample(frac=n_rows / len(X), random_state=seed)
            .sort_values()
            .to_numpy()
        )
        X, y = X.iloc[keep].reset_index(drop=True), y.iloc[keep].reset_index(drop=True)
    return X, y, source


def classifier(X):
    cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    return make_pipeline(
        make_column_transformer(
            (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan),
             cats),
            remainder="passthrough",
        ),
        HistGradientBoostingClassifier(
            categorical_features=list(range(len(cats))), random_state=0
        ),
    )


def per_cell_random_oversampler(seed):
    """RandomOverSampler on (sex, label) cells, to FairResampler's parity targets."""

    def resample(X, y):
        plan = FairResampler(sensitive_features="sex").fit(X, y)
        cells = list(plan.target_counts_.index)
        code = {c: k for k, c in enumerate(cells)}
        cell_y = np.array([code[(s, t)] for s, t in zip(X["sex"], y)])
        targets = {code[c]: int(n) for c, n in plan.target_counts_.items()}
        X_res, cell_res = RandomOverSampler(
            sampling_strategy=targets, random_state=seed
        ).fit_resample(X, cell_y)
        y_res = np.array([cells[k][-1] for k in cell_res])
        return X_res, pd.Series(y_res, name=y.name)

    return FunctionSampler(func=resample, validate=False)


def methods(seed):
    return {
        "no resampling": None,
        "RandomOverSampler per cell": per_cell_random_oversampler(seed),
        "FairResampler(parity, ARF)": FairResampler(
            sensitive_features="sex", random_state=seed,
        ),
        "FairResampler(parity, ARF, borderline)": FairResampler(
            sensitive_features="sex", selection="borderline", random_state=seed,
        ),
        "FairResampler(parity, GaussianCopula)": FairResampler(
            GaussianCopulaGenerator(random_state=seed),
            sensitive_features="sex", random_state=seed,
        ),
        "FairResampler(parity, BayesianNetwork)": FairResampler(
            BayesianNetworkGenerator(random_state=seed),
            sensitive_features="sex", random_state=seed,
        ),
        "FairResampler(parity, CausalFair)": FairResampler(
            CausalFairGenerator(fairness="none", random_state=seed),
            sensitive_features="sex", random_state=seed,
        ),
        "ExponentiatedGradient(DP)": "expgrad",
    }


def run(X, y, n_splits, seed, expgrad=True):
    rows = {}
    cv = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    chosen = {n: s for n, s in methods(seed).items() if expgrad or s != "expgrad"}
    bar = progress(total=len(chosen) * n_splits, desc="bench_fairness")
    for name, sampler in chosen.items():
        scores, t0 = [], time.perf_counter()
        for train, test in cv.split(X, y):
            bar.set_postfix_str(name)
            Xtr, ytr = X.iloc[train], y.iloc[train]
            Xte, yte = X.iloc[test], y.iloc[test]
            if isinstance(sampler, str):
                from fairlearn.reductions import (
                    DemographicParity,
                    ExponentiatedGradient,
                )

                model = ExponentiatedGradient(
                    classifier(X), DemographicParity(), max_iter=10,
                    sample_weight_name="histgradientboostingclassifier__sample_weight",
                )
                model.fit(Xtr, ytr, sensitive_features=Xtr["sex"])
                pred = model.predict(Xte, random_state=seed)
                proba = model._pmf_predict(Xte)[:, 1]
            else:
                steps = [clone(sampler)] if sampler is not None else []
                model = make_pipeline(*steps, classifier(X)).fit(Xtr, ytr)
                pred = model.predict(Xte)
                proba = model.predict_proba(Xte)[:, 1]
            scores.append({
                "dpd": demographic_parity_difference(
                    yte, pred, sensitive_features=Xte["sex"]),
                "eod": equalized_odds_difference(
                    yte, pred, sensitive_features=Xte["sex"]),
                "accuracy": accuracy_score(yte, pred),
                "roc_auc": roc_auc_score(yte, proba),
            })
            bar.update(1)
        mean = pd.DataFrame(scores).mean().to_dict()
        std = pd.DataFrame(scores).std().to_dict()
        rows[name] = {**mean, **{f"{k}_std": v for k, v in std.items()},
                      "seconds": time.perf_counter() - t0, "folds": scores}
        print(f"  {name}: {time.perf_counter() - t0:.1f}s", flush=True)
    bar.close()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-rows", type=int, default=0,
                        help="stratified subsample (0: all rows)")
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-expgrad", action="store_true",
                        help="skip ExponentiatedGradient (the slow reference)")
    args = parser.parse_args()
    X, y, source = load(args.n_rows, args.seed)
    print(f"data: {source}, {len(X)} rows, positive rate {y.mean():.3f}, "
          f"{args.n_splits}-fold CV")
    rows = run(X, y, args.n_splits, args.seed, expgrad=not args.no_expgrad)
    base = rows["no resampling"]
    ros = pd.DataFrame(rows["RandomOverSampler per cell"]["folds"])
    for r in rows.values():
        r["dpd_ratio"] = r["dpd"] / base["dpd"]
        r["accuracy_drop_points"] = 100 * (base["accuracy"] - r["accuracy"])
        # paired differences against per-cell random oversampling, same folds
        diff = pd.DataFrame(r["folds"]) - ros
        sem = diff.std() / np.sqrt(len(diff))
        r["vs_ros_dpd"] = float(diff["dpd"].mean())
        r["vs_ros_dpd_sem"] = float(sem["dpd"])
        r["vs_ros_accuracy_points"] = float(100 * diff["accuracy"].mean())
        r["vs_ros_accuracy_points_sem"] = float(100 * sem["accuracy"])
    table = pd.DataFrame(rows).T[
        ["dpd", "dpd_ratio", "eod", "accuracy", "accuracy_drop_points", "roc_auc",
         "vs_ros_dpd", "vs_ros_accuracy_points", "vs_ros_accuracy_points_sem",
         "seconds"]
    ].astype(float)
    with pd.option_context("display.width", 200, "display.precision", 4,
                           "display.max_columns", 20):
        print(table)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(
        {"data": source, "n_rows": len(X), "n_splits": args.n_splits,
         "seed": args.seed, "results": rows}, indent=2))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
