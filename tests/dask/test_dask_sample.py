import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from sksynth.dask import partition_seeds, sample  # noqa: E402
from sksynth.generators import (  # noqa: E402
    BayesianNetworkGenerator,
    GaussianCopulaGenerator,
)


@pytest.fixture(scope="module")
def fitted(mixed_frame):
    return GaussianCopulaGenerator(random_state=0).fit(mixed_frame.iloc[:3000])


def test_rows_identical_on_1_2_4_workers(fitted, local_cluster):
    results = []
    for n_workers in (1, 2, 4):
        with local_cluster(n_workers) as cluster, distributed.Client(cluster):
            ddf = sample(fitted, 20_000, npartitions=8, random_state=7)
            results.append(ddf.compute())
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)
    # and the same as the partitions drawn one after another in-process
    sync = sample(fitted, 20_000, npartitions=8, random_state=7).compute(
        scheduler="sync"
    )
    pd.testing.assert_frame_equal(results[0], sync)


def test_partition_is_generator_sample_with_its_seed(fitted):
    ddf = sample(fitted, 1001, npartitions=4, random_state=3)
    seeds = partition_seeds(3, 4)
    part = ddf.get_partition(2).compute(scheduler="sync")
    expected = fitted.sample(250, random_state=seeds[2])
    assert list(part.index) == list(range(501, 751))
    np.testing.assert_array_equal(part["a"].to_numpy(), expected["a"].to_numpy())
    # a seed and another partition count give other rows
    other = sample(fitted, 1001, npartitions=5, random_state=3).compute(
        scheduler="sync"
    )
    assert not np.array_equal(
        other["a"].to_numpy(), ddf.compute(scheduler="sync")["a"].to_numpy()
    )


def test_meta_keeps_generator_dtypes(fitted, mixed_frame):
    ddf = sample(fitted, 100, npartitions=3, random_state=0)
    expected = fitted.sample(5, random_state=0).dtypes
    pd.testing.assert_series_equal(ddf.dtypes, expected)
    pd.testing.assert_series_equal(ddf.compute(scheduler="sync").dtypes, expected)
    assert ddf.known_divisions


def test_conditions_dict_and_frame(fitted):
    ddf = sample(
        fitted, 300, npartitions=3, random_state=0, conditions={"plan": "gold"}
    )
    assert (ddf["plan"].compute(scheduler="sync") == "gold").all()
    cond = pd.DataFrame({"region": ["n", "s", "e"] * 100})
    out = sample(fitted, 300, npartitions=4, random_state=0, conditions=cond)
    got = out.compute(scheduler="sync")
    assert got["region"].tolist() == cond["region"].tolist()
    with pytest.raises(ValueError, match="one row per sample"):
        sample(fitted, 10, npartitions=2, conditions=cond)


def test_target_becomes_a_column(mixed_frame):
    X = mixed_frame.iloc[:2000].drop(columns="plan")
    y = mixed_frame["plan"].iloc[:2000]
    gen = BayesianNetworkGenerator(n_bins=5, random_state=0).fit(X, y)
    got = sample(gen, 500, npartitions=2, random_state=0).compute(scheduler="sync")
    assert list(got.columns) == [*X.columns, "plan"]
    assert set(got["plan"]) <= {"gold", "basic"}


def test_bad_arguments(fitted):
    with pytest.raises(ValueError, match="npartitions=5 is larger"):
        sample(fitted, 4, npartitions=5)
    with pytest.raises(TypeError, match="npartitions must be an integer"):
        sample(fitted, 4, npartitions=2.0)


def test_to_parquet_writes_partitions_without_gathering(
    fitted, tmp_path, local_cluster
):
    pytest.importorskip("pyarrow")
    with local_cluster(2) as cluster, distributed.Client(cluster):
        ddf = sample(fitted, 10_000, npartitions=4, random_state=1)
        ddf.to_parquet(tmp_path / "out", write_index=False)
    files = sorted(
        (tmp_path / "out").glob("*.parquet"), key=lambda f: int(f.stem.split(".")[-1])
    )
    assert len(files) == 4
    back = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    expected = ddf.compute(scheduler="sync").reset_index(drop=True)
    np.testing.assert_array_equal(back["a"].to_numpy(), expected["a"].to_numpy())
    assert back["plan"].tolist() == expected["plan"].tolist()
