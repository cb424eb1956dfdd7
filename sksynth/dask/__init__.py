"""Scale-out on Dask: partitioned fit and parallel sampling.

* :func:`sample` draws rows in ``npartitions`` independent, seeded
  partitions of a Dask DataFrame: the rows depend only on the seed and the
  partition count, never on the workers; ``.to_parquet`` writes them out
  without gathering them.
* :func:`fit` fits a generator from a Dask DataFrame (or a sequence of
  pandas chunks): the schema from a seeded sample, then the statistics of
  the Gaussian copula and the Bayesian network merged from every partition;
  MST, AIM and PrivBayes count every marginal they measure on every
  partition and add the noise once to the merged counts (the same release
  as in memory); other generators fit on the seeded sample, with a warning.

Needs the optional extra ``dask`` (``dask[dataframe]``, ``distributed``,
``pyarrow``).
"""

from ._fit import fit
from ._sample import partition_seeds, sample

__all__ = ["fit", "partition_seeds", "sample"]
