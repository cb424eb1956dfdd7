"""Fit SDV's PARSynthesizer at its defaults on one long table, in SDV's own venv.

Run by bench_sequences.py as ``<venv>/bin/python _par_runner.py IN.csv OUT.csv
ID TIME N_SEQUENCES SEED [CONTEXT ...]``; prints a JSON line with the fit time
and the peak memory of this process.
"""

import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from sdv.metadata import Metadata
from sdv.sequential import PARSynthesizer


def main():
    src, dst, id_col, time_col, n, seed, *context = sys.argv[1:]
    df = pd.read_csv(src)
    np.random.seed(int(seed))
    import torch

    torch.manual_seed(int(seed))
    meta = Metadata.detect_from_dataframes({"t": df}, infer_keys=None)
    df = {"t": df}
    meta.update_column(column_name=id_col, sdtype="id", table_name="t")
    meta.set_sequence_key(column_name=id_col, table_name="t")
    meta.update_column(column_name=time_col, sdtype="numerical", table_name="t")
    meta.set_sequence_index(column_name=time_col, table_name="t")
    for c in context:
        meta.update_column(column_name=c, sdtype="categorical", table_name="t")
    par = PARSynthesizer(meta, context_columns=context or None)
    t0 = time.perf_counter()
    par.fit(df)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    print(json.dumps({"fit_s": fit_s}), file=sys.stderr, flush=True)
    out = par.sample_sequences(int(n))
    sample_s = time.perf_counter() - t0
    if isinstance(out, dict):  # SDV 2: {table name: frame}
        out = out["t"]
    out.to_csv(dst, index=False)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fit_s": fit_s, "sample_s": sample_s, "peak_mb": peak}))


if __name__ == "__main__":
    main()
