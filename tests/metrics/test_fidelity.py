import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp, wasserstein_distance

from sksynth.datasets import make_mixed_classification
from sksynth.metrics import (
    column_pair_table,
    column_pairs,
    column_shape_table,
    column_shapes,
    correlation_ratio,
    ks_statistic,
    total_variation_distance,
)


def _table(n, seed):
    X, y = make_mixed_classification(n, random_state=seed)
    return X.assign(churn=y)


def _dependent(n, seed):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    z = x + 0.3 * rng.normal(size=n)
    c = np.where((x > 0) ^ (rng.uniform(size=n) < 0.1), "hi", "lo")
    return pd.DataFrame({"x": x, "z": z, "c": c})


def test_ks_matches_scipy():
    rng = np.random.RandomState(0)
    for _ in range(5):
        a = rng.normal(size=rng.randint(5, 300))
        b = rng.normal(0.3, 1.2, size=rng.randint(5, 300))
        b[:3] = a[:3]  # ties across samples
        assert ks_statistic(a, b) == pytest.approx(ks_2samp(a, b).statistic)


def test_ks_counts_missing_rate():
    a = np.r_[np.arange(8.0), np.nan, np.nan]
    assert ks_statistic(a, np.arange(8.0)) == pytest.approx(0.2)


def test_tvd_and_correlation_ratio_known_values():
    assert total_variation_distance([0, 1, 2, 2], [0, 1, 2, 2]) == 0.0
    assert total_variation_distance([0, 0], [1, 1]) == 1.0
    # missing is its own category
    assert total_variation_distance([0, np.nan], [0, 0]) == 0.5
    assert correlation_ratio([0, 0, 1, 1], [1.0, 2.0, 1.0, 2.0]) == 0.0
    assert correlation_ratio([0, 0, 1, 1], [1.0, 1.0, 3.0, 3.0]) == 1.0


def test_identical_tables_score_one():
    df = _table(1000, 0)
    shapes = column_shape_table(df, df)
    assert (shapes["score"] == 1.0).all()
    assert column_shapes(df, df) == 1.0
    assert column_pairs(df, df) == 1.0
    kinds = dict(zip(shapes["column"], shapes["statistic"]))
    assert kinds["income"] == "ks" and kinds["region"] == "tvd"
    assert kinds["churn"] == "ks"  # integer feature column: numeric
    pairs = column_pair_table(df, df)
    assert len(pairs) == df.shape[1] * (df.shape[1] - 1) // 2
    assert set(pairs["statistic"]) == {
        "spearman", "contingency_tvd", "correlation_ratio"
    }


def test_wasserstein_is_scaled_by_real_range():
    rng = np.random.RandomState(0)
    real = pd.DataFrame({"x": rng.uniform(0, 10, size=500)})
    synth = pd.DataFrame({"x": rng.uniform(0, 10, size=500) + 1})
    row = column_shape_table(real, synth).iloc[0]
    span = real["x"].max() - real["x"].min()
    expected = wasserstein_distance(real["x"], synth["x"]) / span
    assert row["wasserstein"] == pytest.approx(expected)
    assert 0.08 < row["wasserstein"] < 0.12


def test_shuffled_column_keeps_shape_and_loses_pairs():
    df = _dependent(2000, 0)
    shuffled = df.copy()
    shuffled["x"] = np.random.RandomState(1).permutation(df["x"].to_numpy())
    shapes = column_shape_table(df, shuffled).set_index("column")["score"]
    assert (shapes == 1.0).all()
    pairs = column_pair_table(df, shuffled)
    with_x = pairs[(pairs["column_1"] == "x") | (pairs["column_2"] == "x")]
    without_x = pairs.drop(with_x.index)
    assert (without_x["score"] == 1.0).all()
    # real: rho(x, z) ~ 0.96, eta(c | x) ~ 0.65; shuffled: both ~ 0
    assert with_x["score"].max() < 0.6
    assert column_pairs(df, shuffled) < 0.75


def test_fresh_samples_score_high_and_shifted_low():
    real, fresh = _table(3000, 0), _table(3000, 1)
    assert column_shapes(real, fresh) > 0.95
    assert column_pairs(real, fresh) > 0.95
    shifted = fresh.assign(age=fresh["age"] + 15)
    table = column_shape_table(real, shifted).set_index("column")
    assert table.loc["age", "score"] < 0.8
    assert column_shapes(real, shifted) < column_shapes(real, fresh)


def test_unseen_categories_count_as_difference():
    real = pd.DataFrame({"c": ["a", "b"] * 50})
    synth = pd.DataFrame({"c": ["a", "z"] * 50})
    assert column_shapes(real, synth) == pytest.approx(0.5)


def test_arrays_and_column_order():
    df = _dependent(300, 0)
    assert column_shapes(df, df[["c", "z", "x"]]) == 1.0
    arr = df[["x", "z"]].to_numpy()
    assert column_shapes(arr, arr) == 1.0
    with pytest.raises(ValueError, match="missing"):
        column_shapes(df, df[["x", "z"]])
    with pytest.raises(ValueError, match="columns"):
        column_shapes(arr, arr[:, :1])
    with pytest.raises(ValueError, match="empty"):
        column_shapes(df, df.iloc[:0])


def test_pair_statistics_match_scipy():
    from scipy.stats import spearmanr

    df = _dependent(500, 0)
    df.loc[::9, "z"] = np.nan  # pairwise-complete rows for this column
    pairs = column_pair_table(df, _dependent(500, 1)).set_index(
        ["column_1", "column_2"])
    keep = df["z"].notna()
    expected = spearmanr(df["x"][keep], df["z"][keep]).statistic
    assert pairs.loc[("x", "z"), "real"] == pytest.approx(expected)
    assert pairs.loc[("x", "z"), "statistic"] == "spearman"
    assert pairs.loc[("x", "c"), "statistic"] == "correlation_ratio"
