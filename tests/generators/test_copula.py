import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sksynth.datasets import make_mixed_classification
from sksynth.generators import GaussianCopulaGenerator


@pytest.fixture(scope="module")
def mixed():
    return make_mixed_classification(2000, weights=(0.8,), random_state=0)


def test_marginals_point_mass_and_missing_rate(mixed):
    X, _ = mixed
    synth = GaussianCopulaGenerator(random_state=0).fit(X).sample(4000, random_state=0)
    assert synth.dtypes.equals(X.dtypes)
    for col in ["age", "income"]:
        assert stats.ks_2samp(X[col], synth[col]).statistic < 0.05
    # balance: a point mass at 0 (~40%) and 5% NaN survive
    real_zero = (X["balance"] == 0).mean()
    assert abs((synth["balance"] == 0).mean() - real_zero) < 0.03
    assert abs(synth["balance"].isna().mean() - X["balance"].isna().mean()) < 0.015
    for col in ["region", "plan", "active"]:
        tvd = 0.5 * (
            X[col]
            .value_counts(normalize=True)
            .sub(synth[col].value_counts(normalize=True), fill_value=0)
            .abs()
            .sum()
        )
        assert tvd < 0.03, col


def test_dependence_is_kept(mixed):
    X, _ = mixed
    synth = GaussianCopulaGenerator(random_state=0).fit(X).sample(4000, random_state=0)
    r_real = stats.spearmanr(X["age"], X["income"]).statistic
    r_syn = stats.spearmanr(synth["age"], synth["income"]).statistic
    assert r_real > 0.2 and abs(r_real - r_syn) < 0.05
    # income -> plan association (categorical vs numeric)
    real = X.groupby("plan", observed=True)["income"].median()
    syn = synth.groupby("plan", observed=True)["income"].median()
    assert syn.is_monotonic_increasing == real.is_monotonic_increasing


def test_conditions_numeric_categorical_and_point_mass(mixed):
    X, y = mixed
    gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    Xs, ys = gen.sample(500, conditions={"churn": 1, "region": "west"}, random_state=0)
    assert (ys == 1).all() and (Xs["region"] == "west").all()
    Xs, _ = gen.sample(300, conditions={"age": 70, "balance": 0.0}, random_state=0)
    assert (Xs["age"] == 70).all() and (Xs["balance"] == 0).all()
    # older people earn more in this data: the numeric condition moves income
    Xy, _ = gen.sample(300, conditions={"age": 20}, random_state=0)
    assert Xs["income"].median() > Xy["income"].median()


def test_class_conditional_rows_follow_their_class(mixed):
    X, y = mixed
    gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    Xs, _ = gen.sample(2000, conditions={"y": 1}, random_state=0)
    real1 = X[y == 1]
    assert abs(Xs["age"].mean() - real1["age"].mean()) < 2.0
    assert abs((~Xs["active"]).mean() - (~real1["active"]).mean()) < 0.05


def test_per_row_conditions(mixed):
    X, _ = mixed
    gen = GaussianCopulaGenerator(random_state=0).fit(X)
    cond = pd.DataFrame({"region": ["north", np.nan, "east"], "age": [30, 40, np.nan]})
    out = gen.sample(3, conditions=cond, random_state=0)
    assert out["region"].iloc[0] == "north" and out["region"].iloc[2] == "east"
    assert out["age"].iloc[:2].tolist() == [30, 40]


def test_reproducible_and_fresh(mixed):
    X, _ = mixed
    a = GaussianCopulaGenerator(random_state=3).fit(X)
    b = GaussianCopulaGenerator(random_state=3).fit(X)
    pd.testing.assert_frame_equal(a.sample(50), b.sample(50))
    assert not a.sample(50).equals(a.sample(50))


def test_datetime_and_any_hashable_names():
    rng = np.random.RandomState(0)
    df = pd.DataFrame(
        {
            ("when", 0): pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.randint(0, 365, 300), "D"),
            1: rng.normal(size=300),
        }
    )
    out = GaussianCopulaGenerator(random_state=0).fit(df).sample(100)
    assert list(out.columns) == list(df.columns) and out.dtypes.equals(df.dtypes)
    assert out[("when", 0)].between(df[("when", 0)].min(), df[("when", 0)].max()).all()


@pytest.mark.parametrize(
    "X, y, match",
    [
        (pd.DataFrame({"a": [1.0, np.inf, 2.0]}), None, "infinity"),
        (
            pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, np.nan]}),
            None,
            "'b' is entirely missing",
        ),
        (pd.DataFrame({"a": []}), None, "0 sample"),
        (pd.DataFrame({"a": [1.0, 2.0]}), [0, np.nan], "NaN"),
    ],
)
def test_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        GaussianCopulaGenerator().fit(X, y)


def test_bad_sample_arguments(mixed):
    X, y = mixed
    gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        gen.sample(0)
    with pytest.raises(ValueError, match="Unknown column 'colour'"):
        gen.sample(5, conditions={"colour": "red"})
    with pytest.raises(ValueError, match="Impossible condition on 'region'"):
        gen.sample(5, conditions={"region": "atlantis"})
    with pytest.raises(ValueError, match="Impossible condition on 'churn'"):
        gen.sample(5, conditions={"churn": 7})


def test_adult_dtype_round_trip(adult_train):
    """Real data: dtypes, categories, integers and missing pattern survive."""
    df = adult_train
    gen = GaussianCopulaGenerator(random_state=0).fit(df)
    synth = gen.sample(5000, random_state=0)
    assert synth.dtypes.equals(df.dtypes) and list(synth.columns) == list(df.columns)
    for col in df.columns:
        if df[col].dtype.kind in "iu":
            assert synth[col].between(df[col].min(), df[col].max()).all(), col
        else:
            assert set(synth[col].dropna()) <= set(df[col].dropna()), col
        assert abs(synth[col].isna().mean() - df[col].isna().mean()) < 0.01, col
    # capital_gain is ~92% zeros: the point mass is kept
    assert (
        abs((synth["capital_gain"] == 0).mean() - (df["capital_gain"] == 0).mean())
        < 0.02
    )
    rich = gen.sample(200, conditions={"income": ">50K"}, random_state=0)
    assert (rich["income"] == ">50K").all()
