"""``sksynth synthesize --scheduler``: fit and sample on a Dask cluster."""

from __future__ import annotations

import json
import os
import sys

from ..utils._dependencies import import_optional
from ._fit import fit
from ._sample import sample

__all__ = ["run_on_dask"]


def _read(dd, path):
    if os.path.isdir(path) or str(path).endswith(".parquet"):
        return dd.read_parquet(path)
    return dd.read_csv(path)


def _client(distributed, scheduler):
    if scheduler == "local":
        cluster = distributed.LocalCluster(threads_per_worker=1, dashboard_address=None)
        return distributed.Client(cluster), cluster
    return distributed.Client(scheduler), None


def run_on_dask(args):
    """Read partitions, fit with :func:`fit`, write :func:`sample` as parquet."""
    from ..commands.synthesize import _metadata, _parse_value, _split, parse_condition
    from ..generators import get_generator

    dd = import_optional("dask.dataframe", "dask", purpose="--scheduler")
    distributed = import_optional("distributed", "dask", purpose="--scheduler")
    import_optional("pyarrow", "dask", purpose="--scheduler")
    condition_items = [_split(item, "--condition") for item in args.condition]
    params = {k: _parse_value(v) for k, v in (_split(p, "--param") for p in args.param)}
    for flag in ("epsilon", "delta"):
        if getattr(args, flag) is not None:
            params[flag] = getattr(args, flag)
    if args.domain:
        with open(args.domain) as fh:
            params["domain"] = json.load(fh)
    if args.metadata or args.no_anonymize:
        params["schema"] = _metadata(args)
    client, cluster = _client(distributed, args.scheduler)
    try:
        data = _read(dd, args.data)
        for key, _ in condition_items:
            if key not in data.columns:
                raise ValueError(
                    f"--condition names column {key!r}, which is not in "
                    f"{args.data}; columns: {list(data.columns)}."
                )
        gen = get_generator(args.generator, **params)
        if "random_state" in gen.get_params() and "random_state" not in params:
            gen.set_params(random_state=args.seed)
        if args.verbose is not None and "verbose" in gen.get_params():
            gen.set_params(verbose=args.verbose)  # the bars are fit's otherwise
        fit(gen, data, random_state=args.seed, verbose=args.verbose or 0)
        conditions = None
        if condition_items:
            conditions = {
                key: parse_condition(gen.schema_, key, text)
                for key, text in condition_items
            }
        n = args.n_samples
        if n is None:
            n = getattr(gen, "n_samples_dp_", None) or int(len(data))
        parts = args.npartitions or max(1, -(-n // 1_000_000))
        out = sample(gen, n, parts, random_state=args.seed, conditions=conditions)
        write = out.to_parquet(args.output, write_index=False, compute=False)
        if args.verbose:  # Dask's text bar over the partitions, then wait
            future = client.compute(write)
            distributed.progress(future)
            future.result()
        else:
            write.compute()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(
        f"wrote {n} rows x {len(out.columns)} columns to {args.output}/ in "
        f"{parts} parquet partitions ({type(gen).__name__}, scheduler "
        f"{args.scheduler})",
        file=sys.stdout,
    )
    spent = getattr(gen, "privacy_spent_", None)
    if spent is not None:  # the whole table's release (sksynth.dask.fit)
        print(
            f"privacy spent: epsilon={spent.epsilon:.4g}, delta={spent.delta:.3g} "
            f"({spent.mechanism}; {len(spent.steps)} charged steps)"
        )
    return 0
