import warnings

import numpy as np
import pytest
from scipy.stats import ks_2samp

from sksynth.dask import fit
from sksynth.generators import (
    ARFGenerator,
    BayesianNetworkGenerator,
    GaussianCopulaGenerator,
)
from sksynth.generators._bayesian_network import estimate_cpts, family_counts


def _chunks(df, n):
    return [df.iloc[idx] for idx in np.array_split(np.arange(len(df)), n)]


@pytest.mark.parametrize("structure", ["chow_liu", "greedy"])
def test_bayesian_network_counts_identical_to_in_memory(mixed_frame, structure):
    df = mixed_frame.iloc[:8000]
    params = {"structure": structure, "n_bins": 8, "random_state": 0}
    ref = BayesianNetworkGenerator(**params).fit(df)
    gen = fit(
        BayesianNetworkGenerator(**params),
        _chunks(df, 8),
        sample_size=None,
        random_state=0,
    )
    assert gen.parents_ == ref.parents_
    for a, b in zip(gen.network_.cpts, ref.network_.cpts):
        np.testing.assert_array_equal(a, b)
    pd = pytest.importorskip("pandas")
    pd.testing.assert_frame_equal(
        gen.sample(50, random_state=1), ref.sample(50, random_state=1)
    )


def test_bayesian_network_counts_every_row_beyond_the_sample(mixed_frame):
    df = mixed_frame
    with pytest.warns(UserWarning, match=r"seeded sample of 4,\d\d\d of the 40,000"):
        gen = fit(
            BayesianNetworkGenerator(n_bins=8, random_state=0),
            _chunks(df, 8),
            sample_size=5000,
            random_state=0,
        )
    D = gen.cells_.transform(gen.schema_.encode(df))
    cards = gen.cells_.sizes_
    counts = [family_counts(D, cards, j, pa) for j, pa in enumerate(gen.parents_)]
    # the tables are those of all 40,000 rows (not of the 5,000 sampled)
    assert counts[0].sum() == len(df)
    expected = estimate_cpts(D, cards, gen.parents_, alpha=gen.alpha)
    for a, b in zip(gen.network_.cpts, expected):
        np.testing.assert_array_equal(a, b)


def test_rejects_one_shot_iterators_and_bad_chunks(mixed_frame):
    with pytest.raises(TypeError, match="one-shot iterator"):
        fit(BayesianNetworkGenerator(), iter(_chunks(mixed_frame, 2)))
    with pytest.raises(TypeError, match="pandas DataFrame"):
        fit(BayesianNetworkGenerator(), [mixed_frame.to_numpy()])


def test_unseen_category_names_partition_and_sample(mixed_frame):
    df = mixed_frame.iloc[:4000].copy()
    df.loc[df.index[-1], "region"] = "rare"
    with pytest.raises(ValueError, match="Partition 3.*raise sample_size"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            fit(
                BayesianNetworkGenerator(),
                _chunks(df, 4),
                sample_size=200,
                random_state=0,
            )


def test_in_memory_generators_fit_on_the_sample_with_a_warning(mixed_frame):
    with pytest.warns(
        UserWarning, match=r"needs all rows in memory.*sample of [\d,]+ of the 6,000"
    ):
        gen = fit(
            ARFGenerator(n_estimators=5, random_state=0),
            _chunks(mixed_frame.iloc[:6000], 3),
            sample_size=1000,
            random_state=0,
        )
    assert gen.sample(5, random_state=0).shape == (5, mixed_frame.shape[1])


def _marginal_ks(g1, g2):
    """Largest gap between the fitted marginal CDFs of two copulas."""
    gap = 0.0
    for b1, b2 in zip(g1.encoder_.blocks_, g2.encoder_.blocks_):
        e1, e2 = b1.encoder, b2.encoder
        if b1.encoding == "quantile" and b1.kind == "numeric":
            x = np.union1d(e1.quantiles_, e2.quantiles_)
            F1 = np.interp(x, e1.quantiles_, e1.references_)
            F2 = np.interp(x, e2.quantiles_, e2.references_)
            gap = max(gap, np.abs(F1 - F2).max())
        else:  # category shares
            p1 = np.diff(e1.cuts_)[np.argsort(e1.order_)]
            p2 = np.diff(e2.cuts_)[np.argsort(e2.order_)]
            gap = max(gap, np.abs(p1 - p2).max())
    return gap


@pytest.fixture(scope="module")
def big_frame(mixed_frame):
    # five copies with fresh noise: 200,000 rows, so that the latent jitter
    # of ties (different streams per partition) is small
    rng = np.random.RandomState(1)
    frames = []
    for _ in range(5):
        f = mixed_frame.copy()
        f["a"] = f["a"] + 0.01 * rng.normal(size=len(f))
        frames.append(f)
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def test_copula_one_versus_eight_partitions(big_frame):
    kw = {"sample_size": 20_000, "random_state": 0}
    with pytest.warns(UserWarning, match="seeded sample"):
        g1 = fit(GaussianCopulaGenerator(random_state=0), [big_frame], **kw)
    with pytest.warns(UserWarning, match="seeded sample"):
        g8 = fit(GaussianCopulaGenerator(random_state=0), _chunks(big_frame, 8), **kw)
    # measured 0.0035 (200,000 rows); in-memory fits with two seeds: 0.004
    assert np.abs(g1.correlation_ - g8.correlation_).max() <= 0.01
    assert _marginal_ks(g1, g8) <= 0.01  # measured 0: the counts merge exactly
    # against the in-memory fit on every row: the grid's bounded error
    ref = GaussianCopulaGenerator(random_state=0).fit(big_frame)
    assert g8.copula_.marginal_error <= 0.01
    assert _marginal_ks(g8, ref) <= 0.01
    # merged, not sample-based: category shares of all 200,000 rows
    synth = g8.sample(20_000, random_state=0)
    share = (big_frame["region"] == "w").mean()
    assert abs((synth["region"] == "w").mean() - share) < 0.01
    # the rows are in the data's range
    assert synth["income"].max() <= big_frame["income"].max()
    assert ks_2samp(synth["age"], big_frame["age"]).statistic < 0.03


def test_progress_only_when_verbose(mixed_frame, capsys):
    chunks = _chunks(mixed_frame.iloc[:4000], 4)
    with pytest.warns(UserWarning, match="seeded sample"):
        fit(
            BayesianNetworkGenerator(n_bins=5), chunks, sample_size=1000, random_state=0
        )
    assert capsys.readouterr().err == ""
    with pytest.warns(UserWarning, match="seeded sample"):
        fit(
            BayesianNetworkGenerator(n_bins=5),
            chunks,
            sample_size=1000,
            random_state=0,
            verbose=1,
        )
    err = capsys.readouterr().err
    assert "sksynth.dask.fit: statistics" in err and "4/4" in err
