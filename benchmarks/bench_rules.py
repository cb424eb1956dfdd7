"""Rules the data obeys: detected rules, declared constraints, personal data.

Four parts, each compared with what a user gets without the rule layer in
the same run:

A. Detected rules, on adult and COMPAS (a sample of ``--rows`` rows for
   training, as many held out): for the copula, ARF, Bayesian network,
   ForestFlow, TVAE and CTGAN (neural ones at a small CPU budget), fitted with
   the rules (default) and without (``schema={"rules": False}``), the share of
   generated rows that break each rule that holds in every training row
   (rules read by ``detect_rules`` on the real rows, plus derived columns),
   and the column-shape, column-pair and TSTR scores against the held-out
   rows (personal columns left out of the scores).
B. Declared constraints on a loans table (every generator): share of valid
   rows per constraint, how each is enforced, its acceptance rate, and the
   copula's fit-time overhead on adult (with vs without constraints, best of
   3).
C. ``detect_pii``: precision and recall on a table of 20 kinds of personal
   data (10 under uninformative names) and 5 ordinary columns, and the
   columns flagged in the shared data.
D. COMPAS through the command line: ``sksynth describe`` then ``sksynth
   synthesize --generator arf``: date columns, rules kept, real values of
   personal columns in the output.

ForestFlow on COMPAS (50 columns) is left out unless asked for with
``--only forest_flow`` (over 10 minutes on 2 cores). Writes
benchmarks/results/rules.json.

Run:  nice -n 10 python benchmarks/bench_rules.py [--quick] [--rows 4000]
"""

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sksynth.cli import main as cli
from sksynth.commands.describe import read_csv, split_empty
from sksynth.constraints import (
    FixedCombinations,
    FixedIncrements,
    Inequality,
    OneHot,
    Positive,
    Range,
)
from sksynth.datasets import make_personal_data
from sksynth.generators import get_generator
from sksynth.metrics import column_pairs, column_shapes, tstr_score
from sksynth.preprocessing import TableSchema, detect_pii
from sksynth.preprocessing._rules import detect_rules
from sksynth.utils import all_estimators

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results"


# ------------------------------------------------------------------ part A
def _datasets(rows, rng):
    adult = pd.read_csv(DATA / "adult" / "train.csv")
    compas, _ = split_empty(read_csv(DATA / "compas" / "compas-scores-two-years.csv"))
    out = {}
    for name, df, target in (("adult", adult, "income"),
                             ("compas", compas, "two_year_recid")):
        idx = rng.permutation(len(df))
        train = df.iloc[idx[:rows]].reset_index(drop=True)
        test = df.iloc[idx[rows : 2 * rows]].reset_index(drop=True)
        out[name] = (train, test, target)
    return out


def _generators(quick):
    tvae = {"max_epochs": 3 if quick else 15, "verbose": 0}
    ctgan = {"max_epochs": 2 if quick else 8, "verbose": 0}
    gens = {
        "copula": ("gaussiancopula", {}),
        "arf": ("arf", {}),
        "bayesian_network": ("bayesiannetwork", {}),
        "forest_flow": ("forestflow", {"n_t": 5, "duplicate_K": 5, "verbose": 0}),
        "tvae": ("tvae", tvae),
        "ctgan": ("ctgan", ctgan),
    }
    if quick:
        gens = {k: gens[k] for k in ("copula", "arf", "tvae")}
    return gens


class _Judge:
    """The rules of the real training rows, judged on any table."""

    def __init__(self, real):
        self.schema = TableSchema.infer(real, detect_pii=True)
        self.rules, _ = detect_rules(self.schema.encode(real), self.schema)
        derived = TableSchema.infer(real, derive=True, detect_pii=True)
        self.derived = [
            (d.column.name, derived.columns[d.source].name) for d in derived.derived
        ]
        self.combos = {
            (c, s): set(zip(real[s].astype(str), real[c].astype(str)))
            for c, s in self.derived
        }

    def shares(self, synth):
        Z = self.schema.encode(synth)
        out = {r.name: float((~r.valid(Z)).mean()) for r in self.rules}
        for c, s in self.derived:
            pairs = zip(synth[s].astype(str), synth[c].astype(str))
            out[f"{c!r} is determined by {s!r}"] = float(
                np.mean([p not in self.combos[(c, s)] for p in pairs])
            )
        return out


def _scores(test, synth, target, personal):
    keep = [c for c in test.columns if c not in personal]
    real, fake = test[keep], synth[keep]
    return {
        "shapes": column_shapes(real, fake),
        "pairs": column_pairs(real, fake, max_columns=20),
        "tstr": tstr_score(real, fake, real, target=target, random_state=0),
    }


def part_a(rows, quick, only=None, datasets=None):
    rng = np.random.RandomState(0)
    out = {}
    for data, (train, test, target) in _datasets(rows, rng).items():
        if datasets and data not in datasets:
            continue
        judge = _Judge(train)
        personal = set(judge.schema.personal_columns())
        for label, (name, params) in _generators(quick).items():
            if only and label not in only:
                continue
            if data == "compas" and label == "forest_flow" and not only:
                continue  # > 10 minutes on 50 columns at 2 cores: --only forest_flow
            row = {}
            for mode, schema in (("off", {"rules": False}), ("on", None)):
                gen = get_generator(name, random_state=0, schema=schema, **params)
                t = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    gen.fit(train)
                    fit_s = time.perf_counter() - t
                    synth = gen.sample(len(train), random_state=1)
                shares = judge.shares(synth)
                row[mode] = {
                    "fit_s": round(fit_s, 2),
                    "violations": shares,
                    **_scores(test, synth, target, personal),
                }
            on, off = row["on"], row["off"]
            broken = {k: v for k, v in on["violations"].items() if v > 0}
            out[f"{data}/{label}"] = {
                "n_rules": len(on["violations"]),
                "rules_broken_off": sum(v > 0 for v in off["violations"].values()),
                "rules_broken_on": len(broken),
                "max_share_off": max(off["violations"].values(), default=0),
                "max_share_on": max(on["violations"].values(), default=0),
                "mean_share_off": float(np.mean(list(off["violations"].values()))),
                "mean_share_on": float(np.mean(list(on["violations"].values()))),
                "broken_on": broken,
                **{f"d_{k}": on[k] - off[k] for k in ("shapes", "pairs", "tstr")},
                **{f"{k}_on": on[k] for k in ("shapes", "pairs", "tstr")},
                "fit_s_off": off["fit_s"], "fit_s_on": on["fit_s"],
            }
            r = out[f"{data}/{label}"]
            print(
                f"{data:7s} {label:17s} rules {r['n_rules']:3d}  broken off/on "
                f"{r['rules_broken_off']:3d}/{r['rules_broken_on']:3d}  max share "
                f"{r['max_share_off']:.3f}/{r['max_share_on']:.3f}  d_shapes "
                f"{r['d_shapes']:+.3f} d_pairs {r['d_pairs']:+.3f} d_tstr "
                f"{r['d_tstr']:+.3f}", flush=True,
            )
    return out


# ------------------------------------------------------------------ part B
def _loans(n=2000, seed=0):
    rng = np.random.RandomState(seed)
    start = rng.randint(0, 300, n)
    colour = rng.randint(0, 3, n)
    city = rng.choice(["Oslo", "Rome", "Lima"], n)
    return pd.DataFrame({
        "start": start,
        "end": start + rng.randint(0, 200, n),
        "rate": rng.uniform(0.01, 0.09, n).round(4),
        "amount": rng.randint(2, 300, n) * 50,
        "city": city,
        "country": pd.Series(city).map({"Oslo": "NO", "Rome": "IT",
                                        "Lima": "PE"}).to_numpy(),
        "red": (colour == 0).astype(int),
        "green": (colour == 1).astype(int),
        "blue": (colour == 2).astype(int),
    })


def part_b(quick):
    df = _loans(800 if quick else 2000)
    combos = set(zip(df["city"], df["country"]))
    checks = {
        "Inequality('start', 'end')": lambda s: s["start"] <= s["end"],
        "Range(0.01, 'rate', 0.09)": lambda s: s["rate"].between(0.01, 0.09),
        "Positive('amount')": lambda s: s["amount"] > 0,
        "FixedIncrements('amount', 50)": lambda s: s["amount"] % 50 == 0,
        "OneHot(['red', 'green', 'blue'])":
            lambda s: s[["red", "green", "blue"]].sum(axis=1) == 1,
        "FixedCombinations(['city', 'country'])":
            lambda s: pd.Series([c in combos for c in zip(s["city"], s["country"])]),
    }
    out = {}
    for name, cls in all_estimators("generator"):
        params = dict(cls._test_params())
        constraints = [Inequality("start", "end"), Range(0.01, "rate", 0.09),
                       Positive("amount"), FixedIncrements("amount", 50),
                       OneHot(["red", "green", "blue"])]
        if cls._learn_constraints:
            constraints.append(FixedCombinations(["city", "country"]))
        else:
            params["bounds"] = {"start": (0, 300), "end": (0, 500),
                                "rate": (0, 0.1), "amount": (0, 15000),
                                "red": (0, 1), "green": (0, 1), "blue": (0, 1)}
            params["domain"] = {"city": ["Oslo", "Rome", "Lima"],
                                "country": ["NO", "IT", "PE"]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                gen = cls(**params, constraints=constraints).fit(df)
            except ImportError as exc:
                out[name] = {"skipped": str(exc)}
                continue
            synth = gen.sample(1000, random_state=0)
            acceptance = gen.constraint_acceptance(1000)
        enforced = {}
        for line in repr(gen.constraints_).splitlines():
            how, rule = line.split("] ", 1)
            enforced[rule] = how.strip("[")
        valid = {k: float(np.mean(f(synth))) for k, f in checks.items()
                 if cls._learn_constraints or "Combinations" not in k}
        out[name] = {
            "valid": valid,
            "all_valid": all(v == 1.0 for v in valid.values()),
            "enforced": enforced,
            "acceptance": {k: round(v, 3) for k, v in acceptance.items()
                           if k in enforced},
        }
        print(f"{name:26s} all rows valid: {out[name]['all_valid']}  acceptance "
              f"{ {k[:14]: v for k, v in out[name]['acceptance'].items()} }",
              flush=True)
    # the copula's fit-time overhead on adult
    adult = pd.read_csv(DATA / "adult" / "train.csv")
    if quick:
        adult = adult.head(4000)
    constraints = [Positive("age"), Range(17, "age", 90),
                   Inequality("education_num", "hours_per_week"),
                   FixedIncrements("hours_per_week", 1)]
    adult = adult[adult["education_num"] <= adult["hours_per_week"]]

    def best(constraints):
        times = []
        for _ in range(3):
            gen = get_generator("copula", random_state=0, constraints=constraints)
            t = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gen.fit(adult)
            times.append(time.perf_counter() - t)
        return min(times)

    plain, constrained = best(None), best(constraints)
    out["copula_fit_overhead"] = {
        "rows": len(adult), "fit_s_plain": plain, "fit_s_constraints": constrained,
        "overhead": constrained / plain - 1,
    }
    print(f"copula fit on adult ({len(adult)} rows): {plain:.2f}s plain, "
          f"{constrained:.2f}s with 4 constraints "
          f"({constrained / plain - 1:+.1%})", flush=True)
    return out


# ------------------------------------------------------------------ part C
def part_c():
    df, truth = make_personal_data(500, random_state=0)
    t = time.perf_counter()
    found = detect_pii(df)
    seconds = time.perf_counter() - t
    hits = [c for c in found if c in truth]
    precision, recall = len(hits) / max(len(found), 1), len(hits) / len(truth)
    kind_right = float(np.mean([found.get(c) == k for c, k in truth.items()]))
    hidden = [c for c in truth if c.startswith("col_")]
    out = {
        "precision": precision, "recall": recall, "kind_accuracy": kind_right,
        "recall_uninformative_names": float(np.mean([c in found for c in hidden])),
        "missed": sorted(set(truth) - set(found)),
        "false_positives": sorted(set(found) - set(truth)), "seconds": seconds,
        "shared": {},
    }
    print(f"detect_pii: precision {precision:.2f} recall {recall:.2f} (uninformative "
          f"names {out['recall_uninformative_names']:.2f}), kind right "
          f"{kind_right:.2f}; missed {out['missed']}", flush=True)
    for name, path in (("compas", "compas/compas-scores-two-years.csv"),
                       ("adult", "adult/train.csv"), ("german", "german/german.csv"),
                       ("default_credit",
                        "default_credit/default_of_credit_card_clients.csv")):
        flagged = detect_pii(pd.read_csv(DATA / path))
        out["shared"][name] = flagged
        print(f"  {name}: {flagged}", flush=True)
    return out


# ------------------------------------------------------------------ part D
def part_d(quick):
    src = DATA / "compas" / "compas-scores-two-years.csv"
    real = read_csv(src)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "compas.csv"
        (real.head(2000) if quick else real).to_csv(data, index=False)
        meta, synth_path = Path(tmp) / "schema.json", Path(tmp) / "synth.csv"
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert cli(["describe", str(data), "-o", str(meta)]) == 0
            assert cli(["synthesize", str(data), "-o", str(synth_path),
                        "--generator", "arf", "--metadata", str(meta)]) == 0
        seconds = time.perf_counter() - t
        schema = json.loads(meta.read_text())
        synth = read_csv(synth_path)
    train = real.head(2000) if quick else real
    dates = [c["name"] for c in schema["columns"] if c["kind"] == "datetime"]
    dates_read = [c for c in dates if synth[c].dtype.kind == "M"]
    judge = _Judge(split_empty(train)[0])
    shares = judge.shares(split_empty(synth)[0])
    personal = [c["name"] for c in schema["columns"] if c["kind"] == "personal"]
    leaks = {c: int(synth[c].dropna().astype(str).isin(
        train[c].dropna().astype(str)).sum()) for c in personal}
    jail = synth["c_jail_in"] <= synth["c_jail_out"]
    real_jail = train["c_jail_in"] <= train["c_jail_out"]
    both = synth[["c_jail_in", "c_jail_out"]].notna().all(axis=1)
    rbth = train[["c_jail_in", "c_jail_out"]].notna().all(axis=1)
    out = {
        "seconds": seconds, "date_columns": dates, "dates_written_as_dates":
        dates_read, "n_rules": len(shares),
        "rules_broken": {k: v for k, v in shares.items() if v > 0},
        "personal": personal, "real_values_in_output": leaks,
        "c_jail_in<=c_jail_out_real": float(real_jail[rbth].mean()),
        "c_jail_in<=c_jail_out_synth": float(jail[both].mean()),
    }
    print(f"COMPAS CLI ({seconds:.0f}s): {len(dates)} date columns "
          f"({len(dates_read)} written as ISO dates); {len(shares)} rules, "
          f"{len(out['rules_broken'])} broken in some row; real values of "
          f"personal columns in the output: {leaks}; c_jail_in <= c_jail_out "
          f"holds in {out['c_jail_in<=c_jail_out_real']:.1%} of real rows, "
          f"{out['c_jail_in<=c_jail_out_synth']:.1%} of synthetic", flush=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--parts", default="abcd")
    parser.add_argument("--only", help="part A: comma-separated generators")
    parser.add_argument("--datasets", help="part A: adult,compas")
    args = parser.parse_args(argv)
    rows = args.rows or (1500 if args.quick else 4000)
    result = {"rows": rows, "quick": args.quick}
    if "c" in args.parts:
        result["pii"] = part_c()
    if "b" in args.parts:
        result["declared"] = part_b(args.quick)
    if "d" in args.parts:
        result["compas_cli"] = part_d(args.quick)
    if "a" in args.parts:
        result["detected"] = part_a(
            rows, args.quick, args.only and args.only.split(","),
            args.datasets and args.datasets.split(","),
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "rules.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
