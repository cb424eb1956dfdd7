"""Empirical DP audit: canaries, many fits, a Clopper-Pearson epsilon lower bound.

For every DP generator and two canaries, fit ``--fits`` times on a small table
``D0`` and as many times on its neighbour ``D1 = D0 + one canary row`` (seed
``i`` for fit ``i`` on either side), and let an attacker guess the side from
the synthetic rows:

* ``count``: the canary is a row of a category that occurs nowhere else
  (public domain, so the category itself is known); the statistic is the
  number of synthetic rows of that category.
* ``side-channel``: the canary row has 5 decimals, a string in an ``object``
  column of numbers and a 0.5 in a float 0/1 target (the channels of issue
  23, D11); the statistic is the output's signature (dtypes, whether values
  come back rounded to the data's decimal, the target's distinct values).

The attacker's rule is chosen on the first half of the fits of each side (a
threshold on the count; for the signature: guess ``D1`` for signatures more
frequent under ``D1``) and evaluated on the second half. With ``FPR`` and
``FNR`` bounded above by one-sided Clopper-Pearson intervals (each at
``alpha / 2``, so that both hold at ``1 - alpha`` = 95%),

    epsilon_lb = max(log((1 - delta - FNR_u) / FPR_u),
                     log((1 - delta - FPR_u) / FNR_u), 0)

is a lower bound on the epsilon of the fit with 95% confidence (Jagielski et
al., 2020; Nasr et al., 2021). A bound above the claimed epsilon is a
violation. With ``m`` evaluation fits per side the largest bound that can be
shown is ``log((1 - delta - u) / u)`` with ``u = 1 - (alpha / 2) ** (1 / m)``
(about 0.8 for m = 10, 1.6 for m = 20, 2.6 for m = 50): the audit can prove
a leak, never the absence of one.

Run: ``python benchmarks/audit_dp.py [--quick] [--fits N] [--fits-sgd N]
[--epsilon E] [--only MST ...]`` (defaults: 40 fits per side for the marginal
generators, 20 for DP-SGD, claimed epsilon 0.5, delta 1e-5).
Prints a table and writes ``benchmarks/results/audit_dp.json``.
"""

import argparse
import json
import math
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import beta

from sksynth.generators import (
    AIMGenerator,
    DPCTGANGenerator,
    DPTVAEGenerator,
    MSTGenerator,
    PATEGANGenerator,
    PrivBayesGenerator,
)

RESULTS = Path(__file__).resolve().parent / "results"
ALPHA = 0.05
DELTA = 1e-5
N_ROWS = 100
N_ROWS_SIDE = 1000

GENERATORS = {
    "MST": (MSTGenerator, {"n_bins": 8, "max_iter": 20, "verbose": 0}),
    "AIM": (
        AIMGenerator,
        {"n_bins": 8, "max_iter": 10, "max_model_size": 5000, "verbose": 0},
    ),
    "PrivBayes": (PrivBayesGenerator, {"n_bins": 8, "n_particles": 10}),
    "DPTVAE": (
        DPTVAEGenerator,
        {
            "n_bins": 4,
            "embedding_dim": 8,
            "compress_dims": (16,),
            "decompress_dims": (16,),
            "max_epochs": 1,
            "batch_size": 50,
            "verbose": 0,
        },
    ),
    "DPCTGAN": (
        DPCTGANGenerator,
        {
            "n_bins": 4,
            "embedding_dim": 8,
            "generator_dim": (16,),
            "discriminator_dim": (16,),
            "max_epochs": 1,
            "batch_size": 50,
            "verbose": 0,
        },
    ),
    "PATEGAN": (
        PATEGANGenerator,
        {
            "n_bins": 4,
            "n_teachers": 10,
            "teacher_dim": 4,
            "embedding_dim": 8,
            "generator_dim": (16,),
            "discriminator_dim": (16,),
            "max_epochs": 2,
            "steps_per_epoch": 5,
            "batch_size": 32,
            "verbose": 0,
        },
    ),
}


def clopper_pearson_upper(k, m, alpha):
    """One-sided upper confidence bound of a binomial rate (level 1 - alpha)."""
    return 1.0 if k >= m else float(beta.ppf(1 - alpha, k + 1, m - k))


def epsilon_lower_bound(fp, fn, m, delta=DELTA, alpha=ALPHA):
    fpr, fnr = (clopper_pearson_upper(k, m, alpha / 2) for k in (fp, fn))
    bounds = [0.0]
    for a, b in ((fnr, fpr), (fpr, fnr)):
        if 1 - delta - a > 0:
            bounds.append(math.log((1 - delta - a) / b))
    return max(bounds)


# ---------------------------------------------------------------- canaries
def count_canary(seed=0):
    rng = np.random.RandomState(seed)
    d0 = pd.DataFrame(
        {
            "c": pd.Series(rng.choice(["a", "b"], N_ROWS), dtype="str"),
            "x": np.round(rng.uniform(0, 10, N_ROWS), 1),
        }
    )
    d1 = pd.concat(
        [d0, pd.DataFrame({"c": pd.Series(["canary"], dtype="str"), "x": [9.9]})],
        ignore_index=True,
    )
    domain = {"c": ["a", "b", "canary"], "x": {"low": 0, "high": 10}}

    def statistic(X, y):
        return int((X["c"] == "canary").sum())

    return d0, d1, None, domain, statistic


def side_channel_canary(seed=0):
    # enough rows that the DP release keeps the object column's categories
    # (with fewer every fit is refused on both sides: nothing to audit)
    rng = np.random.RandomState(seed)
    n = N_ROWS_SIDE
    d0 = pd.DataFrame(
        {
            "x": np.round(rng.uniform(0, 10, n), 1),
            "obj": pd.Series(rng.randint(0, 3, n).tolist(), dtype=object),
        }
    )
    y0 = pd.Series(rng.randint(0, 2, n).astype(float), name="t")
    d1 = pd.concat(
        [d0, pd.DataFrame({"x": [5.12345], "obj": pd.Series(["a"], dtype=object)})],
        ignore_index=True,
    )
    y1 = pd.concat([y0, pd.Series([0.5], name="t")], ignore_index=True)

    def statistic(X, y):
        x = X["x"].to_numpy(float)
        return (
            tuple(str(t) for t in X.dtypes),
            str(y.dtype),
            bool(np.all(np.round(x, 1) == x)),
            all(isinstance(v, (int, float)) for v in X["obj"]),
            len(set(np.round(y.to_numpy(float), 6))) <= 2,
        )

    return d0, d1, (y0, y1), None, statistic


CANARIES = {"count": count_canary, "side-channel": side_channel_canary}


# ---------------------------------------------------------------- running
def _fit_stat(cls, params, X, y, domain, statistic, seed, epsilon):
    gen = cls(epsilon=epsilon, delta=DELTA, domain=domain, random_state=seed, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            gen.fit(X, y)
        except ValueError:
            return None  # a refusal (nothing released): post-processing
        out = gen.sample(len(X), random_state=seed)
    Xs, ys = out if isinstance(out, tuple) else (out, None)
    return statistic(Xs, ys)


def _decide(stats0, stats1):
    """The attacker's rule from the first half: a function stat -> guess D1."""
    if all(isinstance(s, (int, float)) or s is None for s in stats0 + stats1):
        values = sorted({s for s in stats0 + stats1 if s is not None})
        best, rule = -1.0, (lambda s: False)
        for t in values:
            tpr = np.mean([s is not None and s >= t for s in stats1])
            fpr = np.mean([s is not None and s >= t for s in stats0])
            if tpr - fpr > best:
                best, rule = tpr - fpr, (lambda s, t=t: s is not None and s >= t)
        return rule
    c0, c1 = Counter(stats0), Counter(stats1)
    ones = {s for s in c1 if c1[s] > c0.get(s, 0)}
    return lambda s: s in ones


def audit(name, canary, fits, epsilon):
    cls, params = GENERATORS[name]
    d0, d1, ys, domain, statistic = CANARIES[canary]()
    y0, y1 = ys if ys is not None else (None, None)
    stats = {0: [], 1: []}
    for i in range(fits):
        stats[0].append(_fit_stat(cls, params, d0, y0, domain, statistic, i, epsilon))
        stats[1].append(_fit_stat(cls, params, d1, y1, domain, statistic, i, epsilon))
    half = fits // 2
    rule = _decide(stats[0][:half], stats[1][:half])
    test0, test1 = stats[0][half:], stats[1][half:]
    fp = sum(rule(s) for s in test0)
    fn = sum(not rule(s) for s in test1)
    m = len(test0)
    return {
        "generator": name,
        "canary": canary,
        "claimed_epsilon": epsilon,
        "delta": DELTA,
        "fits_per_side": fits,
        "evaluated_per_side": m,
        "false_positives": int(fp),
        "false_negatives": int(fn),
        "epsilon_lower_bound": epsilon_lower_bound(fp, fn, m),
        "max_provable": epsilon_lower_bound(0, 0, m),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 fits per side")
    parser.add_argument(
        "--fits", type=int, default=40, help="fits per side (marginal generators)"
    )
    parser.add_argument(
        "--fits-sgd",
        type=int,
        default=20,
        help="fits per side (DP-SGD generators: slower)",
    )
    parser.add_argument(
        "--epsilon",
        type=float,
        default=0.5,
        help="claimed epsilon (small: the bound a given number "
        "of fits can prove is limited)",
    )
    parser.add_argument("--only", nargs="*", default=list(GENERATORS))
    args = parser.parse_args(argv)
    rows = []
    for name in args.only:
        fits = args.fits_sgd if name.startswith("DP") else args.fits
        fits = args.fits_sgd if name == "PATEGAN" else fits
        fits = 8 if args.quick else fits
        for canary in CANARIES:
            start = time.perf_counter()
            row = audit(name, canary, fits, args.epsilon)
            row["seconds"] = time.perf_counter() - start
            rows.append(row)
            print(
                f"{name:10s} {canary:13s} FP {row['false_positives']:3d} "
                f"FN {row['false_negatives']:3d} of {row['evaluated_per_side']} "
                f"eps_lb {row['epsilon_lower_bound']:.2f} (claimed "
                f"{args.epsilon:g}, provable <= {row['max_provable']:.2f}) "
                f"{row['seconds']:.0f}s",
                flush=True,
            )
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "audit_dp.json").write_text(json.dumps(rows, indent=2))
    worst = table["epsilon_lower_bound"].max()
    print(
        f"largest lower bound {worst:.2f} vs claimed {args.epsilon:g}: "
        + ("VIOLATION" if worst > args.epsilon else "no violation shown")
    )


if __name__ == "__main__":
    main()
