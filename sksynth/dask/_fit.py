"""Partitioned fit: the schema from a seeded sample, statistics merged."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ..utils._progress import progress
from ..utils._random import draw_seed

__all__ = ["fit"]


class _Partitions:
    """A Dask DataFrame or a sequence of pandas chunks, mapped partition-wise.

    :meth:`map` runs ``func(chunk, index)`` on every partition and returns the
    results in partition order: as Dask tasks on the current scheduler (a
    ``distributed.Client`` when one is active), or one chunk after another.
    """

    def __init__(self, data, verbose=0):
        self.verbose = verbose
        self.dask = _is_dask_frame(data)
        if self.dask:
            self.parts = data.to_delayed()
        elif isinstance(data, pd.DataFrame):
            self.parts = [data]
        elif isinstance(data, Iterator):
            raise TypeError(
                "data is a one-shot iterator; the partitioned fit reads the "
                "chunks several times: pass a list of DataFrames or a Dask "
                "DataFrame."
            )
        else:
            try:
                self.parts = list(data)
            except TypeError:
                raise TypeError(
                    "data must be a Dask DataFrame or a sequence of pandas "
                    f"DataFrames, got {type(data).__name__}."
                ) from None
            bad = [
                type(p).__name__ for p in self.parts if not isinstance(p, pd.DataFrame)
            ]
            if bad:
                raise TypeError(
                    f"Every chunk must be a pandas DataFrame, got {bad[0]}."
                )
        if not self.parts:
            raise ValueError("data has no partitions.")

    def __len__(self):
        return len(self.parts)

    def map(self, func, desc=None):
        if not self.dask:
            items = progress(
                list(enumerate(self.parts)),
                desc=desc,
                verbose=self.verbose if desc else 0,
            )
            return [func(p, i) for i, p in items]
        import dask

        tasks = [dask.delayed(func)(p, i) for i, p in enumerate(self.parts)]
        return self._compute(tasks, desc)

    def sum(self, func, desc=None):
        """The element-wise sum of ``func(chunk, index)`` (lists of arrays).

        Summed as the results come (one chunk after another), or by a tree of
        Dask tasks on the workers: the client receives one list.
        """
        if not self.dask:
            items = progress(
                list(enumerate(self.parts)),
                desc=desc,
                verbose=self.verbose if desc else 0,
            )
            total = None
            for i, p in items:
                out = func(p, i)
                total = out if total is None else _add(total, out)
            return total
        import dask

        tasks = [dask.delayed(func)(p, i) for i, p in enumerate(self.parts)]
        add = dask.delayed(_add)
        while len(tasks) > 1:
            tasks = [
                add(*tasks[k : k + 2]) if k + 1 < len(tasks) else tasks[k]
                for k in range(0, len(tasks), 2)
            ]
        return self._compute(tasks, desc)[0]

    def _compute(self, tasks, desc):
        import dask

        client = _active_client() if self.verbose and desc else None
        if client is None:
            return list(dask.compute(*tasks))
        import distributed

        print(desc, file=sys.stderr)
        futures = client.compute(tasks)
        distributed.progress(futures)  # Dask's bar over the partitions
        return client.gather(futures)


def _add(a, b):
    return [x + y for x, y in zip(a, b)]


class _Source:
    """What a DP generator's partitioned fit reads: the pandas partitions.

    ``map(func)`` returns ``func(chunk, index)`` of every partition, in
    order; ``sum(func)`` their element-wise sum (lists of arrays); ``n_rows``
    the number of rows. Every pass shows as a bar when ``verbose``.
    """

    def __init__(self, parts, n_rows):
        self._parts = parts
        self.n_rows = n_rows

    def map(self, func):
        return self._parts.map(func, desc="sksynth.dask.fit: DP statistics")

    def sum(self, func):
        return self._parts.sum(func, desc="sksynth.dask.fit: DP counts")


def _active_client():
    try:
        from distributed import get_client

        return get_client()
    except (ImportError, ValueError):
        return None


def _is_dask_frame(data):
    try:
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - without the extra
        return False
    return isinstance(data, dd.DataFrame)


def _hashed_rows(chunk, p, seed):
    """The rows whose seeded hash falls below ``p``: the same rows, however
    the table is partitioned (equal rows are kept or dropped together)."""
    key = f"{seed:016d}"[-16:]
    h = pd.util.hash_pandas_object(chunk, index=False, hash_key=key).to_numpy()
    return chunk.iloc[np.flatnonzero(h < np.uint64(p * 2.0**64))]


def _seeded_sample(parts, sample_size, seed):
    """A seeded sample of about ``sample_size`` rows, in table order.

    Rows are kept by a seeded hash of their content, so the sample (and all
    that is fitted on it) does not depend on how the table is partitioned.
    """
    lengths = parts.map(lambda chunk, i: len(chunk))
    n_rows = int(sum(lengths))
    if sample_size is None or sample_size >= n_rows:
        return pd.concat(parts.map(lambda chunk, i: chunk)), n_rows
    p = sample_size / n_rows
    chunks = parts.map(
        lambda chunk, i: _hashed_rows(chunk, p, seed), desc="sksynth.dask.fit: sample"
    )
    return pd.concat(chunks), n_rows


def fit(generator, data, *, sample_size=100_000, random_state=None, verbose=0):
    """Fit ``generator`` from a partitioned table.

    1. A seeded sample of about ``sample_size`` rows (every row when the
       table is smaller; rows kept by a seeded hash of their content, so the
       same rows however the table is partitioned) goes through
       ``generator.fit``: the schema (with the existing
       :class:`~sksynth.preprocessing.TableSchema` inference), the detected
       rules and the parts of the model learned from a sample (the numeric
       cells of the Bayesian network, the category layout of the copula).
       A warning names the sample's size when it is not the whole table.
    2. Generators with a partitioned hook then re-estimate their statistics
       from every partition, merged on the client:

       * :class:`~sksynth.generators.BayesianNetworkGenerator`: the counts
         (and, for the Chow–Liu structure, the mutual information) exactly,
         as the in-memory fit counts them with the same cells;
       * :class:`~sksynth.generators.GaussianCopulaGenerator`: the marginals
         from histograms merged exactly on a fixed grid (the sample's
         quantiles), with a bounded error in the quantiles between grid
         points, and the latent correlations from per-partition sums of
         normal scores.

       * :class:`~sksynth.generators.MSTGenerator`,
         :class:`~sksynth.generators.AIMGenerator` and
         :class:`~sksynth.generators.PrivBayesGenerator`: the sample gives
         the column layout only; the categories (a union over the
         partitions), the DP domain (the in-memory code, one column at a
         time) and every marginal the mechanism measures (counts summed over
         the partitions, one pass per batch of marginals) read all rows, and
         the noise is added once to the merged counts, from the same stream
         as in memory: the privacy accounting, the released marginals and
         the sampled rows equal those of the in-memory fit on the
         concatenated partitions (no warning: nothing is fitted on the
         sample).

       Other generators (ARF, ForestFlow, the neural ones, DP-SGD) need all
       rows in memory: they are fitted on the seeded sample only, with a
       warning that says so.

    Parameters
    ----------
    generator : generator
        An unfitted (or to be refitted) sksynth generator; fitted in place.
    data : dask.dataframe.DataFrame or sequence of DataFrame
        The table, partitioned; a target is one of its columns.
    sample_size : int or None, default=100_000
        Rows of the sample of step 1; None takes every row.
    random_state : int, RandomState instance or None, default=None
        Seed of the sample and of the partitions' randomised transforms.
    verbose : int, default=0
        0: silent; >= 1: a progress bar over the partitions for each pass
        (Dask's bar under a ``distributed.Client``).

    Returns
    -------
    generator : generator
        The fitted generator (the same object).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.dask import fit
    >>> from sksynth.generators import BayesianNetworkGenerator
    >>> rng = np.random.RandomState(0)
    >>> chunks = [pd.DataFrame({"x": rng.normal(size=500),
    ...                         "c": rng.choice(["a", "b"], 500)})
    ...           for _ in range(4)]
    >>> gen = fit(BayesianNetworkGenerator(n_bins=5, random_state=0), chunks,
    ...           sample_size=None, random_state=0)
    >>> gen.sample(3, random_state=0).shape
    (3, 2)
    """
    parts = _Partitions(data, verbose)
    seed = draw_seed(check_random_state(random_state))
    sample, n_rows = _seeded_sample(parts, sample_size, seed)
    name = type(generator).__name__
    partitioned_fit = getattr(generator, "_partitioned_fit", None)
    if partitioned_fit is not None:
        # DP: the sample gives the column layout; every data-dependent step
        # (and its noise, drawn once) reads all rows, see the generator's hook
        with partitioned_fit(_Source(parts, n_rows)):
            generator.fit(sample)
        return generator
    hook = getattr(generator, "_fit_partitioned", None)
    if len(sample) < n_rows:
        what = (
            "the schema and the sample-based parts of the model are"
            if hook is not None
            else f"{name} needs all rows in memory: it is"
        )
        warnings.warn(
            f"{what} fitted on a seeded sample of {len(sample):,} of the "
            f"{n_rows:,} rows (sample_size={sample_size}); raise sample_size "
            "(or None for every row) if the sample misses rare categories.",
            UserWarning,
            stacklevel=2,
        )
    generator.fit(sample)
    if hook is None:
        return generator
    schema = generator.schema_
    Z_sample = schema.encode(sample)

    complete = ~np.isnan(Z_sample).any(axis=0)
    hint = (
        f"The schema was inferred from a sample of {len(sample):,} rows; "
        "raise sample_size (None: every row)."
    )

    def encode(chunk, i):
        try:
            Z = schema.encode(chunk)
        except ValueError as exc:
            raise ValueError(f"Partition {i}: {exc} {hint}") from exc
        new = complete & np.isnan(Z).any(axis=0)
        if new.any():
            name = schema.columns[int(np.flatnonzero(new)[0])].name
            raise ValueError(
                f"Partition {i}: column {name!r} has missing values, the "
                f"sample had none. {hint}"
            )
        return Z

    def map_codes(func):
        return parts.map(
            lambda chunk, i: func(encode(chunk, i), i),
            desc="sksynth.dask.fit: statistics",
        )

    hook(Z_sample, map_codes, seed)
    return generator
