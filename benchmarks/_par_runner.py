"""Fit SDV's PARSynthesizer at its defaults on one long table, in SDV's own venv.

Run by bench_sequences.py as ``<venv>/bin/python _par_runner.py IN.csv OUT.csv
ID TIME N_SEQUENCES SEED [CONTEXT ...]``; prints a JSON line with the fit
(wall and CPU seconds) and sample times, the peak resident memory of this
process (``peak_mb``, imports included) and its growth from just before the
fit (``peak_growth_mb``, what bench_sequences.py reports for its models).
"""

import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from sdv.metadata import Metadata
from sdv.sequential import PARSynthesizer


def _rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    src, dst, id_col, time_col, n, seed, *context = sys.argv[1:]
    df = pd.read_csv(src)
    for c in context:
        df[c] = df[c].astype(str)
    np.random.seed(int(seed))
    import torch

    torch.manual_seed(int(seed))
    meta = Metadata.detect_from_dataframes({"t": df}, infer_keys=None)
    meta.update_column(column_name=id_col, sdtype="id", table_name="t")
    meta.set_sequence_key(column_name=id_col, table_name="t")
    meta.update_column(column_name=time_col, sdtype="numerical", table_name="t")
    meta.set_sequence_index(column_name=time_col, table_name="t")
    for c in context:
        meta.update_column(column_name=c, sdtype="categorical", table_name="t")
    par = PARSynthesizer(meta, context_columns=context or None)
    base = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    par.fit({"t": df})
    fit_s, fit_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"fit_s": fit_s}), file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    out = par.sample_sequences(int(n))
    sample_s = time.perf_counter() - t0
    if isinstance(out, dict):  # SDV 2: {table name: frame}
        out = out["t"]
    out.to_csv(dst, index=False)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "fit_s": fit_s,
                "fit_cpu_s": fit_cpu_s,
                "sample_s": sample_s,
                "peak_mb": peak,
                "peak_growth_mb": peak - base,
            }
        )
    )


if __name__ == "__main__":
    main()
