"""The classic baselines: bootstrap (plain, smoothed), KDE, independent marginals."""

import numpy as np
import pandas as pd
import pytest

from sksynth.generators import BootstrapGenerator, IndependentGenerator, KDEGenerator
from sksynth.metrics import column_pairs, column_shapes, exact_copy_rate


@pytest.fixture(scope="module")
def table():
    rng = np.random.RandomState(0)
    n = 600
    x = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "income": np.exp(1 + 0.6 * x + rng.normal(scale=0.3, size=n)),
            "age": np.clip(
                np.round(40 + 10 * x + rng.normal(scale=4, size=n)), 18, 90
            ).astype(np.int64),
            "gain": np.where(rng.uniform(size=n) < 0.7, 0.0, rng.gamma(2, 500, size=n)),
            "city": pd.array(
                np.where(x > 0, "Oslo", rng.choice(["Rome", "Lima"], n)), dtype="str"
            ),
            "score": np.where(
                rng.uniform(size=n) < 0.1, np.nan, x + rng.normal(size=n)
            ),
        }
    )
    return frame


ALL = [
    BootstrapGenerator(random_state=0),
    BootstrapGenerator(smoothing="silverman", random_state=0),
    KDEGenerator(random_state=0),
    IndependentGenerator(random_state=0),
]
IDS = ["bootstrap", "smoothed", "kde", "independent"]


@pytest.mark.parametrize("gen", ALL, ids=IDS)
def test_dtypes_ranges_and_seeds(gen, table):
    gen.fit(table)
    a = gen.sample(400, random_state=3)
    pd.testing.assert_frame_equal(a, gen.sample(400, random_state=3))
    assert a.dtypes.equals(table.dtypes)
    assert set(a["city"]) <= set(table["city"])
    # integers stay integers inside the range; values stay in the seen range
    assert a["age"].between(18, 90).all()
    for col in ("income", "gain"):
        assert a[col].between(table[col].min(), table[col].max()).all(), col
    # missing values keep their rate (10%) within sampling error
    assert abs(a["score"].isna().mean() - table["score"].isna().mean()) < 0.05
    # the point mass at 0 (70% of "gain") is kept exactly
    assert abs((a["gain"] == 0).mean() - 0.7) < 0.07
    assert column_shapes(table, a) > 0.94


def test_copy_rates_order_the_baselines(table):
    """The plain bootstrap copies every row; kernels and marginals almost never."""
    rates = {}
    for name, gen in zip(IDS, ALL):
        synth = gen.fit(table).sample(500, random_state=0)
        rates[name] = exact_copy_rate(table, synth)
    assert rates["bootstrap"] == 1.0
    assert rates["smoothed"] < 0.02
    assert rates["kde"] < 0.02
    assert rates["independent"] < 0.02


def test_independent_loses_dependence_and_kde_keeps_it(table):
    scores = {}
    for name, gen in zip(IDS, ALL):
        synth = gen.fit(table).sample(600, random_state=0)
        scores[name] = column_pairs(table, synth)
        if name == "independent":
            corr = synth["income"].corr(synth["age"])
    assert abs(corr) < 0.12  # real correlation is about 0.75
    assert table["income"].corr(table["age"]) > 0.6
    assert scores["bootstrap"] > 0.93
    assert scores["kde"] > scores["independent"] + 0.1
    assert scores["smoothed"] > scores["independent"] + 0.1


def test_smoothed_bootstrap_keeps_mean_and_variance():
    rng = np.random.RandomState(1)
    X = pd.DataFrame({"v": rng.normal(5, 2, size=300)})
    gen = BootstrapGenerator(smoothing=0.5, random_state=0).fit(X)
    s = gen.sample(20000)["v"]
    assert abs(s.mean() - X["v"].mean()) < 0.05
    assert abs(s.std() / X["v"].std() - 1) < 0.03
    assert gen.bandwidths_[0] == pytest.approx(0.5 * X["v"].std(ddof=0))
    # the smoothed values are new values
    assert exact_copy_rate(X, s.to_frame()) == 0


@pytest.mark.parametrize("gen", ALL, ids=IDS)
def test_categorical_condition_follows_the_class(gen, table):
    gen.fit(table)
    out = gen.sample(300, conditions={"city": "Oslo"}, random_state=0)
    assert (out["city"] == "Oslo").all()
    real = table.loc[table["city"] == "Oslo", "age"].mean()
    if isinstance(gen, IndependentGenerator):  # the marginal, not the class
        assert abs(out["age"].mean() - table["age"].mean()) < 2
    else:
        assert abs(out["age"].mean() - real) < 2.5


def test_numeric_conditions():
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 10, size=500)
    X = pd.DataFrame({"x": x, "y2": 2 * x + rng.normal(scale=0.5, size=500)})
    value = float(np.round(x[3] + 0.123, 3))  # not a value of the data
    plain = BootstrapGenerator(random_state=0).fit(X)
    with pytest.raises(ValueError, match="no training row holds"):
        plain.sample(5, conditions={"x": value})
    seen = plain.sample(5, conditions={"x": x[3]})
    assert (seen["y2"] == X["y2"][3]).all()  # the one row with that value
    for gen in (
        BootstrapGenerator(smoothing="scott", random_state=0),
        KDEGenerator(random_state=0),
    ):
        out = gen.fit(X).sample(400, conditions={"x": 5.0})
        assert (out["x"] == 5.0).all()
        # the conditional of y2 is centred near 2 * 5
        assert abs(out["y2"].mean() - 10) < 1.0, type(gen).__name__
        assert out["y2"].std() < X["y2"].std() / 2


def test_condition_without_rows_is_refused(table):
    frame = table.assign(
        level=pd.Categorical(
            np.where(table["age"] > 40, "old", "young"),
            categories=["old", "young", "unused"],
        )
    )
    gen = BootstrapGenerator(random_state=0).fit(frame)
    with pytest.raises(ValueError, match="unused"):
        gen.sample(3, conditions={"level": "unused"})


def test_kde_bandwidth_rules(table):
    scott = KDEGenerator(random_state=0).fit(table)
    silver = KDEGenerator(bandwidth="silverman", random_state=0).fit(table)
    n, q = len(table), 4  # income, age, gain, score
    assert scott.bandwidth_ == pytest.approx(n ** (-1 / (q + 4)))
    assert silver.bandwidth_ == pytest.approx((n * (q + 2) / 4) ** (-1 / (q + 4)))
    assert scott.category_smoothing_ == pytest.approx(scott.bandwidth_**2)
    narrow = KDEGenerator(bandwidth=0.01, random_state=0).fit(table)
    # a narrow kernel is almost the bootstrap: its rows sit on training rows
    s = narrow.sample(300, random_state=0)
    assert column_pairs(table, s) > 0.93


def test_target_and_numpy(table):
    y = pd.Series(np.where(table["age"] > 45, "old", "young"), name="cls")
    for gen in ALL:
        X, ys = gen.fit(table, y).sample(50, conditions={"cls": "old"}, random_state=0)
        assert (ys == "old").all() and ys.name == "cls"
        if not isinstance(gen, IndependentGenerator):
            assert X["age"].mean() > 45
