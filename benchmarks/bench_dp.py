"""DP utility on adult, and attacks on the non-DP generators with and without a defence.

Run: ``python benchmarks/bench_dp.py [--quick] [--rows N] [mst:1 aim:1 ...]``
(default: MST, AIM, DP-TVAE and DP-CTGAN at epsilon 1, 3 and 10, delta 1e-9,
each at its default settings, on the whole adult training table (32,561 rows),
fitted on ``income`` as the target; ``privbayes:EPS`` on request) prints TSTR
(ROC AUC on the adult test set), column shapes and pairs (against the test
set) and fit seconds, against real-data training (TRTR), and writes
``benchmarks/results/dp.json``. The DP-SGD rows also report the DP-SGD steps,
expected batch and noise multiplier their defaults gave. ``--quick``: 5,000
rows, MST and DP-TVAE at epsilon 1, 2 epochs.

``python benchmarks/bench_dp.py attacks [--quick] [--rows N]`` runs the
attacks on copula, ARF, TVAE, CTGAN and a bootstrap of the training rows (a
known leaker), each alone and wrapped in :class:`PrivacyFilterGenerator`:
distance and density-ratio membership AUCs, the attribute-inference CAP of
``income`` from age, sex, race, education, marital status and occupation on
training against holdout rows, and the column shapes the defence costs;
writes ``benchmarks/results/dp_attacks.json``.

Needs ``../shared/data/adult``. ``--rows`` subsamples the training table
(seeded) so that a run fits a shared 2-core machine; say so with the numbers.
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sksynth.base import BaseGenerator
from sksynth.generators import (
    AIMGenerator,
    ARFGenerator,
    CTGANGenerator,
    DPCTGANGenerator,
    DPTVAEGenerator,
    GaussianCopulaGenerator,
    MSTGenerator,
    PATEGANGenerator,
    PrivacyFilterGenerator,
    PrivBayesGenerator,
    TVAEGenerator,
)
from sksynth.metrics import (
    attribute_inference_cap,
    column_pairs,
    column_shapes,
    density_ratio_mia_auc,
    membership_inference_auc,
    trtr_score,
    tstr_score,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "adult"
RESULTS = Path(__file__).parent / "results"

DP = {
    "aim": AIMGenerator,
    "mst": MSTGenerator,
    "privbayes": PrivBayesGenerator,
    "dptvae": DPTVAEGenerator,
    "dpctgan": DPCTGANGenerator,
    "pategan": PATEGANGenerator,
}


def _load(rows):
    train = pd.read_csv(DATA / "train.csv")
    test = pd.read_csv(DATA / "test.csv")
    if rows:
        train = train.sample(rows, random_state=0).reset_index(drop=True)
    return train, test


def _dp(specs, train, test, quick):
    X, y = train.drop(columns="income"), train["income"]
    trtr = trtr_score(train, train, test, target="income", random_state=0)
    rows = []
    for spec in specs:
        name, eps = spec.split(":")
        params = {"epsilon": float(eps), "delta": 1e-9, "random_state": 0, "verbose": 0}
        if quick and name.startswith("dp"):
            params["max_epochs"] = 2
        if quick and name == "pategan":
            params["max_epochs"] = 2
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gen = DP[name](**params).fit(X, y)
        fit = time.perf_counter() - start
        Xs, ys = gen.sample(len(train), random_state=0)
        synth = Xs.assign(income=ys)
        tstr = tstr_score(train, synth, test, target="income", random_state=0)
        rows.append(
            {
                "generator": name,
                "epsilon": float(eps),
                "epsilon_spent": gen.privacy_spent_.epsilon,
                "dpsgd_steps": getattr(gen, "n_steps_", None),
                "batch": getattr(gen, "sample_rate_", np.nan) * len(train),
                "noise_multiplier": getattr(gen, "noise_multiplier_", None),
                "rows": len(train),
                "fit_seconds": fit,
                "tstr_roc_auc": tstr,
                "trtr_roc_auc": trtr,
                "tstr_over_trtr": tstr / trtr,
                "column_shapes": column_shapes(test, synth),
                "column_pairs": column_pairs(test, synth),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows, "dp.json"


class _Bootstrap(BaseGenerator):
    """Training rows drawn with replacement: the leaker every attack must find."""

    _parameter_constraints = {"random_state": ["random_state"]}

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, Z, random_state):
        self.Z_ = Z
        return self

    def _sample(self, n, conditions, random_state):
        return self.Z_[random_state.randint(len(self.Z_), size=n)]


def _attacks(train, holdout, quick):
    epochs = 5 if quick else 30
    bases = {
        "bootstrap": _Bootstrap(random_state=0),
        "copula": GaussianCopulaGenerator(random_state=0),
        "arf": ARFGenerator(random_state=0),
        "tvae": TVAEGenerator(max_epochs=epochs, random_state=0, verbose=0),
        "ctgan": CTGANGenerator(max_epochs=epochs, random_state=0, verbose=0),
    }
    if quick:
        bases = {k: bases[k] for k in ("bootstrap", "copula", "arf")}
    qi = ["age", "sex", "race", "education", "marital_status", "occupation"]
    kw = {"quasi_identifiers": qi, "sensitive": "income"}
    rows = []
    for name, base in bases.items():
        for defence in (False, True):
            gen = PrivacyFilterGenerator(base, random_state=0) if defence else base
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    synth = gen.fit(train).sample(len(train), random_state=0)
                except ValueError as exc:  # the filter refuses a pure copier
                    rows.append(
                        {
                            "generator": name,
                            "defence": defence,
                            "refused": str(exc)[:80],
                        }
                    )
                    print(json.dumps(rows[-1]), flush=True)
                    continue
            rows.append(
                {
                    "generator": name,
                    "defence": defence,
                    "rows": len(train),
                    "seconds": time.perf_counter() - start,
                    "dcr_mia_auc": membership_inference_auc(
                        train, synth, holdout, random_state=0
                    ),
                    "density_ratio_mia_auc": density_ratio_mia_auc(
                        train, synth, holdout, random_state=0
                    ),
                    "cap_members": attribute_inference_cap(train, synth, **kw),
                    "cap_holdout": attribute_inference_cap(holdout, synth, **kw),
                    "column_shapes": column_shapes(holdout, synth),
                    "rejected_share": getattr(gen, "rejected_share_", np.nan),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows, "dp_attacks.json"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", help="name:epsilon, or 'attacks'")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--rows",
        type=int,
        default=None,
        help="subsample the training table to this many rows",
    )
    args = parser.parse_args(argv)
    if not (DATA / "train.csv").exists():
        print(f"skipped: {DATA} is absent")
        return
    if args.specs == ["attacks"]:
        train, test = _load(args.rows or (2000 if args.quick else 5000))
        holdout = test.sample(len(train), random_state=1).reset_index(drop=True)
        rows, name = _attacks(train, holdout, args.quick)
    else:
        train, test = _load(args.rows or (5000 if args.quick else None))
        eps = ("1",) if args.quick else ("1", "3", "10")
        gens = (
            ("mst", "dptvae") if args.quick
            else ("mst", "aim", "dptvae", "dpctgan", "pategan")
        )
        specs = args.specs or [f"{g}:{e}" for g in gens for e in eps]
        rows, name = _dp(specs, train, test, args.quick)
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    if "tstr_roc_auc" in table:
        cols = ["tstr_roc_auc", "column_shapes", "column_pairs", "fit_seconds"]
        print(table.pivot(index="generator", columns="epsilon", values=cols).round(3))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
