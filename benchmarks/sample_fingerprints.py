"""Fingerprints of sampled rows at a fixed seed, one per generator.

A refactor that must not change what a generator draws keeps these hashes;
run before and after a change and compare the JSON files::

    python benchmarks/sample_fingerprints.py --out before.json
    python benchmarks/sample_fingerprints.py --out after.json --compare before.json

Each generator is built with its small test parameters, fitted on
``make_mixed_classification(300, random_state=0)`` (with ``y``) and asked for
50 rows at ``random_state=0``, unconditionally and with
``conditions={"region": "south"}``. Generators for other kinds of data
(survival targets, panels of sequences) refuse this table and are listed as
not applicable.
"""

import argparse
import hashlib
import json
import warnings

import pandas as pd

from sksynth.datasets import make_mixed_classification
from sksynth.utils import all_estimators


def _digest(X, y):
    frame = X.copy()
    frame["__y__"] = y
    text = frame.to_csv(index=False, float_format="%.10g")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprints(names=None):
    X, y = make_mixed_classification(300, random_state=0)
    out = {}
    for name, cls in all_estimators("generator"):
        if names and name not in names:
            continue
        params = cls._test_params() if hasattr(cls, "_test_params") else {}
        row = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gen = cls(**params).fit(X, y)
                row["plain"] = _digest(*gen.sample(50, random_state=0))
                try:
                    row["south"] = _digest(
                        *gen.sample(50, conditions={"region": "south"}, random_state=0)
                    )
                except (ValueError, RuntimeError) as exc:
                    row["south"] = f"error: {type(exc).__name__}"
        except ImportError as exc:
            row["plain"] = row["south"] = f"skipped: {exc}"
        except (TypeError, ValueError) as exc:  # survival / panel data: not this table
            row["plain"] = row["south"] = f"not applicable: {type(exc).__name__}"
        out[name] = row
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="sample_fingerprints.json")
    parser.add_argument("--compare", help="an earlier JSON output")
    parser.add_argument("--only", nargs="*", help="generator class names")
    args = parser.parse_args(argv)
    result = fingerprints(args.only)
    before = json.load(open(args.compare)) if args.compare else {}
    rows = []
    for name, row in result.items():
        rec = {"generator": name, **row}
        if before:
            old = before.get(name, {})
            rec["plain same"] = old.get("plain") == row["plain"]
            rec["south same"] = old.get("south") == row["south"]
        rows.append(rec)
    print(pd.DataFrame(rows).to_string(index=False))
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
