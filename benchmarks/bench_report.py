"""Cost of the full quality report on 30k x 15 mixed rows.

Real, synthetic and holdout tables of ``--n-rows`` rows and 15 mixed columns
(two independent built-in ``make_mixed_classification`` tables side by side
plus the target; or adult train/test with ``--adult``); the synthetic table
comes from a Gaussian copula fitted on the real one (fit time not counted).
Runs every metric group of ``QualityReport`` (shapes, pairs, detection,
precision/recall, privacy with holdout, utility, fairness) with the default
row cap (``max_samples=5000``) and then writes the HTML report with its four
figures. Prints the time per group and the ratio of the total to the 60 s
budget of issue 3. Writes benchmarks/results/report.json.

Run:  nice -n 10 python benchmarks/bench_report.py [--n-rows 30000] [--adult]
"""

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from sksynth.datasets import make_mixed_classification
from sksynth.generators import GaussianCopulaGenerator
from sksynth.report import QualityReport

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 60.0


def builtin(n, seed):
    a, y = make_mixed_classification(n, weights=(0.8,), random_state=seed)
    b, _ = make_mixed_classification(n, random_state=seed + 100)
    return pd.concat([a, b.add_suffix("_2")], axis=1).assign(churn=y.to_numpy())


def adult(n):
    data = ROOT.parent / "shared" / "data" / "adult"
    train = pd.read_csv(data / "train.csv").head(n)
    test = pd.read_csv(data / "test.csv").head(n)
    return train, test


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-rows", type=int, default=30_000)
    parser.add_argument("--adult", action="store_true")
    args = parser.parse_args()
    if args.adult:
        real, holdout = adult(args.n_rows)
        target, sensitive = real.columns[-1], "sex"
    else:
        real, holdout = builtin(args.n_rows, 0), builtin(args.n_rows, 1)
        target, sensitive = "churn", "region"
    synth = GaussianCopulaGenerator(random_state=0).fit(real).sample(
        len(real), random_state=0)
    print(f"tables: real {real.shape}, synthetic {synth.shape}, "
          f"holdout {holdout.shape}")
    start = time.perf_counter()
    report = QualityReport(target=target, sensitive=sensitive,
                           random_state=0).evaluate(real, synth, holdout)
    t_metrics = time.perf_counter() - start
    start = time.perf_counter()
    page = report.to_html()
    t_html = time.perf_counter() - start
    total = t_metrics + t_html
    rows = [{"step": k, "seconds": round(v, 2)} for k, v in report.timings_.items()]
    rows += [{"step": "metrics total", "seconds": round(t_metrics, 2)},
             {"step": "html + figures", "seconds": round(t_html, 2)},
             {"step": "total", "seconds": round(total, 2)}]
    print(pd.DataFrame(rows).to_string(index=False))
    print(f"total / 60 s budget = {total / BUDGET_S:.2f}")
    print(report.summary_[["metric", "value"]].round(4).to_string(index=False))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    result = {
        "shape": list(real.shape), "adult": args.adult, "timings": rows,
        "ratio_to_budget": total / BUDGET_S, "html_bytes": len(page),
        "summary": report.summary_[["metric", "value"]].to_dict("records"),
    }
    (out / "report.json").write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
