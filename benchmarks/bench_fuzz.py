"""Outcome counts of the fuzz harness per generator (issue 23).

Draws ``--examples`` random frames (``tests/fuzz/_harness.py``: every dtype
pandas offers, NaN/inf/extremes, nullable, sparse, Decimal, datetimes with a
time zone and NaT, constant and all-missing columns, 1-30 rows, duplicated
and non-string names) and runs every generator through fit, sample, a random
condition, reseeding and a pickle round trip; prints per generator how many
were valid / a clear error / an unclear error / a silent change / a hang,
and writes the counts with one example per bad outcome to
``benchmarks/results/fuzz.json``. Run it on two versions of the library to
compare (``PYTHONPATH=<other checkout>``). A frame that no generator can fit
(an inf, a timedelta, an all-missing column) is a clear error everywhere.

    python benchmarks/bench_fuzz.py --quick
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fuzz._harness import (  # noqa: E402
    OUTCOMES,
    build_frame,
    check_generator,
    random_spec,
)

from sksynth.utils import all_estimators  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="8 examples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=int, default=60)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    n = 8 if args.quick else args.examples
    rng = np.random.RandomState(args.seed)
    specs = [random_spec(rng) for _ in range(n)]
    results, start = {}, time.perf_counter()
    for name, cls in all_estimators("generator"):
        if args.only and name not in args.only:
            continue
        counts = dict.fromkeys(OUTCOMES, 0)
        examples = {}
        t0 = time.perf_counter()
        for k, spec in enumerate(specs):
            outcome, detail = check_generator(
                cls, build_frame(spec), seed=k, timeout=args.timeout
            )
            counts[outcome] += 1
            if outcome not in ("valid", "clear error"):
                examples.setdefault(outcome, []).append(
                    {"spec": repr(spec), "detail": detail}
                )
        results[name] = {
            "counts": counts,
            "examples": examples,
            "seconds": round(time.perf_counter() - t0, 1),
        }
        print(
            f"{name:26s} "
            + " ".join(f"{o.replace(' ', '_')}={counts[o]}" for o in OUTCOMES),
            flush=True,
        )
    print(f"{n} frames per generator, {time.perf_counter() - start:.0f} s")
    out = (
        Path(args.out)
        if args.out
        else (Path(__file__).resolve().parent / "results" / "fuzz.json")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"examples": n, "seed": args.seed, "results": results},
            indent=1,
            default=str,
        )
    )


if __name__ == "__main__":
    main()
