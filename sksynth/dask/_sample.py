"""Parallel sampling into a Dask DataFrame."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..base import check_n_samples
from ..utils._dependencies import import_optional
from ..utils._random import MAX_SEED, draw_seed

__all__ = ["partition_seeds", "sample"]


def partition_seeds(random_state, npartitions):
    """One integer seed per partition, spawned from one ``SeedSequence``.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        The root seed (an int is used as it is; a RandomState or None gives
        one draw).
    npartitions : int
        Number of partitions.

    Returns
    -------
    seeds : list of int
        ``seeds[i]`` depends only on the root seed and ``i``.

    Examples
    --------
    >>> from sksynth.dask import partition_seeds
    >>> partition_seeds(0, 4)[:2] == partition_seeds(0, 8)[:2]
    True
    """
    if isinstance(random_state, (int, np.integer)) and not isinstance(
        random_state, bool
    ):
        root = int(random_state)
    else:
        root = draw_seed(check_random_state(random_state))
    children = np.random.SeedSequence(root).spawn(npartitions)
    return [int(c.generate_state(1)[0]) % MAX_SEED for c in children]


def _as_frame(out):
    """The rows of ``generator.sample`` as one DataFrame (``y`` a column)."""
    if isinstance(out, tuple):
        X, y = out
        X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        name = y.name if isinstance(y, pd.Series) and y.name is not None else "y"
        if name in X.columns:
            raise ValueError(
                f"The target's name {name!r} is also a column of X; rename it "
                "to sample X and y into one Dask DataFrame."
            )
        return X.assign(**{name: np.asarray(y)})
    return out if isinstance(out, pd.DataFrame) else pd.DataFrame(out)


def _draw_partition(generator, n_rows, offset, seed, conditions):
    frame = _as_frame(
        generator.sample(n_rows, conditions=conditions, random_state=seed)
    )
    frame.index = pd.RangeIndex(offset, offset + n_rows)
    return frame


def sample(generator, n_samples, npartitions, random_state=None, conditions=None):
    """Draw ``n_samples`` rows of a fitted generator as a Dask DataFrame.

    The rows are split into ``npartitions`` near-equal partitions; partition
    ``i`` is drawn by ``generator.sample`` seeded with the ``i``-th child of
    one :class:`numpy.random.SeedSequence` (:func:`partition_seeds`), so the
    result depends only on ``random_state`` and ``npartitions``: the same on
    1 or 100 workers, in any order. Nothing is drawn until the frame is
    computed or written (``.to_parquet(path)`` writes each partition from
    the worker that drew it, without gathering the rows).

    Parameters
    ----------
    generator : fitted generator
        Any sksynth generator (it is shipped to the workers by pickling).
    n_samples : int
        Total number of rows (>= ``npartitions``).
    npartitions : int
        Number of partitions (and of independent seeds).
    random_state : int, RandomState instance or None, default=None
        Root seed. None draws a fresh one (the rows then differ between
        calls).
    conditions : dict or DataFrame, default=None
        As in ``generator.sample``: a dict applies to every row; a DataFrame
        (one row per sample, ``len(conditions) == n_samples``) is split with
        the partitions.

    Returns
    -------
    ddf : dask.dataframe.DataFrame
        Columns and dtypes of ``generator.sample`` (its ``meta``); a target
        fitted as ``y`` is one more column, named by its Series name or
        ``"y"``. The index runs from 0 to ``n_samples - 1``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.dask import sample
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> df = pd.DataFrame({"age": [23, 35, 47, 51, 62, 29],
    ...                    "plan": ["a", "b", "b", "a", "b", "a"]})
    >>> gen = GaussianCopulaGenerator(random_state=0).fit(df)
    >>> ddf = sample(gen, 1000, npartitions=4, random_state=0)
    >>> ddf.npartitions, len(ddf.compute(scheduler="sync"))
    (4, 1000)
    >>> ddf.dtypes.astype(str).tolist()
    ['int64', 'str']
    """
    dask = import_optional("dask", "dask", purpose="sksynth.dask.sample")
    dd = import_optional("dask.dataframe", "dask", purpose="sksynth.dask.sample")
    check_is_fitted(generator)
    n_samples = check_n_samples(n_samples)
    npartitions = check_n_samples(npartitions, name="npartitions")
    if npartitions > n_samples:
        raise ValueError(
            f"npartitions={npartitions} is larger than n_samples={n_samples}: "
            "every partition needs at least one row."
        )
    if isinstance(conditions, pd.DataFrame) and len(conditions) != n_samples:
        raise ValueError(
            f"conditions has {len(conditions)} rows but n_samples={n_samples}: "
            "a DataFrame of conditions has one row per sample."
        )
    sizes = np.full(npartitions, n_samples // npartitions)
    sizes[: n_samples % npartitions] += 1
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    seeds = partition_seeds(random_state, npartitions)
    parts = conditions
    if isinstance(conditions, pd.DataFrame):
        parts = [conditions.iloc[o : o + s] for o, s in zip(offsets, sizes)]
    else:
        parts = [conditions] * npartitions
    meta = _as_frame(generator.sample(1, random_state=0)).iloc[:0]
    divisions = [int(o) for o in offsets] + [n_samples - 1]
    # keep the generator's dtypes: no conversion of str to string[pyarrow]
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_map(
            _draw_partition,
            [generator] * npartitions,
            [int(s) for s in sizes],
            [int(o) for o in offsets],
            seeds,
            parts,
            meta=meta,
            divisions=divisions,
            label="sksynth-sample",
            enforce_metadata=False,
        )
