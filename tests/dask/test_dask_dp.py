"""Partitioned fits of the marginal-based DP generators: the same release.

The noise is drawn once, on the counts merged over the partitions, from the
same stream as in memory: the charged steps, the released domain, the noisy
marginals and the sampled rows must equal those of the in-memory fit.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from sksynth.dask import fit
from sksynth.generators import AIMGenerator, MSTGenerator, PrivBayesGenerator
from sksynth.generators.dp import PrivacyBudgetWarning

GENERATORS = {
    "mst": (MSTGenerator, {}),
    "aim": (AIMGenerator, {"max_iter": 10, "verbose": 0}),
    "privbayes": (PrivBayesGenerator, {}),
}


@pytest.fixture(scope="module")
def dp_frame(mixed_frame):
    df = mixed_frame[["a", "income", "plan", "region", "age"]].iloc[:6000].copy()
    # a category held by two rows of the last partition only: a sample of
    # the table misses it, the in-memory fit's label histogram has its cell
    df.loc[df.index[-2:], "region"] = "rare"
    return df


def _chunks(df, n):
    return [df.iloc[idx] for idx in np.array_split(np.arange(len(df)), n)]


def _assert_same_release(gen, ref):
    assert gen.privacy_spent_.steps == ref.privacy_spent_.steps
    assert gen.privacy_spent_.epsilon == ref.privacy_spent_.epsilon
    assert gen.privacy_spent_.n_fits == 1
    assert gen.get_domain() == ref.get_domain()
    assert len(gen.measurements_) == len(ref.measurements_)
    for (names, noisy, sigma), (names_r, noisy_r, sigma_r) in zip(
        gen.measurements_, ref.measurements_
    ):
        assert names == names_r and sigma == sigma_r
        np.testing.assert_array_equal(noisy, noisy_r)
    pd.testing.assert_frame_equal(
        gen.sample(300, random_state=1), ref.sample(300, random_state=1)
    )


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_partitioned_dp_fit_releases_what_the_in_memory_fit_does(dp_frame, name):
    cls, extra = GENERATORS[name]
    params = {"epsilon": 1.0, "delta": 1e-6, "n_bins": 8, "random_state": 0, **extra}
    ref = cls(**params).fit(dp_frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyBudgetWarning)  # one fit, one charge
        # a 1,000-row sample: the layout only, every count from all rows
        gen = fit(cls(**params), _chunks(dp_frame, 8), sample_size=1000, random_state=0)
    # (the label histogram of "region" has a cell for "rare" in both fits:
    # were it missing, every later noise draw would differ)
    _assert_same_release(gen, ref)
    if name == "aim":  # the adaptive rounds picked the same marginals
        assert gen.cliques_ == ref.cliques_ and gen.n_rounds_ == ref.n_rounds_
    if name == "privbayes":
        assert gen.parents_ == ref.parents_
        assert gen.n_samples_theta_ == ref.n_samples_theta_


def test_partitioned_dp_fit_one_vs_eight_partitions_public_domain(dp_frame):
    domain = {
        "region": ["e", "n", "rare", "s", "w"],
        "age": {"low": 18, "high": 90},
        "income": {"low": 0, "high": 1e6, "missing": True},
    }
    params = {
        "epsilon": 2.0,
        "delta": 1e-6,
        "n_bins": 8,
        "domain": domain,
        "random_state": 3,
    }
    one = fit(PrivBayesGenerator(**params), [dp_frame], sample_size=None)
    eight = fit(
        PrivBayesGenerator(**params),
        _chunks(dp_frame, 8),
        sample_size=500,
        random_state=1,
    )
    _assert_same_release(eight, one)
    assert one.get_domain()["age"] == {
        "low": 18.0,
        "high": 90.0,
        "missing": False,
        "integer": True,
    }


def test_partitioned_dp_fit_on_a_dask_frame_and_cluster(dp_frame, local_cluster):
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    params = {"epsilon": 1.0, "delta": 1e-6, "n_bins": 8, "random_state": 0}
    ref = MSTGenerator(**params).fit(dp_frame)
    with (
        dask.config.set({"dataframe.convert-string": False}),  # keep str dtype
        local_cluster(2) as cluster,
        distributed.Client(cluster),
    ):
        ddf = dd.from_pandas(dp_frame, npartitions=4)
        gen = fit(MSTGenerator(**params), ddf, sample_size=1000, random_state=0)
    _assert_same_release(gen, ref)


def test_partitioned_dp_fit_checks_the_budget_on_every_row(dp_frame):
    # delta must be below 1 / n for the whole table, not for the sample
    gen = MSTGenerator(epsilon=1.0, delta=1e-3, n_bins=8, random_state=0)
    with pytest.raises(ValueError, match=r"1/n_samples=0\.000167"):
        fit(gen, _chunks(dp_frame, 4), sample_size=500, random_state=0)


def test_partitioned_counts_in_batches_equal_the_counts_of_all_rows():
    from sksynth.dask._fit import _Partitions, _Source
    from sksynth.generators.dp._base import MarginalCounts, PartitionedCounts

    rng = np.random.RandomState(0)
    D = rng.randint(0, 4, size=(1000, 3))
    chunks = [pd.DataFrame(D[idx]) for idx in np.array_split(np.arange(1000), 5)]
    passes = []

    class Counting(_Source):
        def sum(self, func):
            passes.append(1)
            return super().sum(func)

    counts = PartitionedCounts(
        Counting(_Partitions(chunks), 1000),
        lambda chunk, index: chunk.to_numpy(),
        [4, 4, 4],
        1000,
        max_cells=20,
    )
    # batches of at most 20 cells: (0,) + (1, 2); (2, 0); (0, 1, 2)
    sets = [(0,), (1, 2), (2, 0), (0, 1, 2)]
    for got, want in zip(counts.many(sets), MarginalCounts(D, [4] * 3).many(sets)):
        np.testing.assert_array_equal(got, want)
    assert len(passes) == 3 and counts.n_rows == 1000
