import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference as fl_dpd
from fairlearn.metrics import equalized_odds_difference as fl_eod
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from sksynth.datasets import make_mixed_classification
from sksynth.metrics import (
    augmentation_gain,
    demographic_parity_difference,
    equalized_odds_difference,
    fairness_table,
    trtr_score,
    tstr_score,
    utility_table,
)


def _table(n, seed, weights=(0.7,)):
    X, y = make_mixed_classification(n, weights=weights, random_state=seed)
    return X.assign(churn=y)


@pytest.fixture(scope="module")
def tables():
    return _table(1500, 0), _table(1500, 1), _table(1500, 2)


def test_tstr_of_fresh_data_matches_trtr(tables):
    real, fresh, holdout = tables
    table = utility_table(real, fresh, holdout, target="churn", random_state=0)
    row = table.iloc[0]
    assert row["scoring"] == "roc_auc"  # 0/1 integer target -> classification
    assert row["trtr"] > 0.8
    assert row["ratio"] > 0.95
    assert tstr_score(real, fresh, holdout, target="churn",
                      random_state=0) == pytest.approx(row["tstr"])
    assert trtr_score(real, fresh, holdout, target="churn",
                      random_state=0) == pytest.approx(row["trtr"])


def test_tstr_with_broken_labels_is_chance(tables):
    real, fresh, holdout = tables
    broken = fresh.assign(
        churn=np.random.RandomState(0).permutation(fresh["churn"].to_numpy()))
    score = tstr_score(real, broken, holdout, target="churn",
                       estimator=LogisticRegression(max_iter=1000), random_state=0)
    assert 0.4 < score < 0.6


def test_utility_several_estimators_regression_and_split(tables):
    real, fresh, _ = tables
    table = utility_table(
        real, fresh, target="churn", scoring="accuracy", random_state=0,
        estimator={"lr": LogisticRegression(max_iter=1000)},
    )
    assert table["estimator"].tolist() == ["lr"]
    assert table["scoring"].tolist() == ["accuracy"]
    reg = utility_table(real, fresh, target="income",
                        estimator=LinearRegression(), random_state=0)
    assert reg["scoring"].iloc[0] == "r2"
    assert 0.2 < reg["trtr"].iloc[0] < 1
    with pytest.raises(ValueError, match="target"):
        tstr_score(real, fresh, target="nope")
    with pytest.raises(ValueError, match="single class"):
        tstr_score(real, fresh.assign(churn=0), target="churn")


def test_augmentation_gain_deterministic_and_positive_for_fresh_minority():
    real = _table(600, 0, weights=(0.95,))
    synth = _table(3000, 1, weights=(0.5,))
    holdout = _table(3000, 2, weights=(0.95,))
    est = LogisticRegression(max_iter=1000)
    a = augmentation_gain(real, synth, holdout, target="churn", estimator=est,
                          random_state=0)
    b = augmentation_gain(real, synth, holdout, target="churn", estimator=est,
                          random_state=0)
    assert a == b
    # balanced accuracy of a 5%-minority problem improves with real-like minority
    assert a > 0.05


def _random_predictions(seed, n=500):
    rng = np.random.RandomState(seed)
    y_true = rng.randint(0, 2, n)
    y_pred = np.where(rng.uniform(size=n) < 0.7, y_true, 1 - y_true)
    groups = pd.DataFrame({"sex": rng.choice(["f", "m"], n),
                           "race": rng.choice(["a", "b", "c"], n, p=[.6, .3, .1])})
    y_pred[(groups["sex"] == "m").to_numpy() & (rng.uniform(size=n) < 0.3)] = 1
    return y_true, y_pred, groups


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fairness_metrics_equal_fairlearn(seed):
    y_true, y_pred, groups = _random_predictions(seed)
    for sf in (groups["sex"], groups["race"], groups, groups["race"].to_numpy()):
        assert demographic_parity_difference(
            y_true, y_pred, sensitive_features=sf
        ) == pytest.approx(fl_dpd(y_true, y_pred, sensitive_features=sf))
        assert equalized_odds_difference(
            y_true, y_pred, sensitive_features=sf
        ) == pytest.approx(fl_eod(y_true, y_pred, sensitive_features=sf))


def test_fairness_table_against_fairlearn():
    rng = np.random.RandomState(0)
    n = 2400
    g = rng.choice(["f", "m"], size=n)
    h = rng.choice(["x", "y"], size=n)
    x = rng.normal(size=n) + (g == "m")
    df = pd.DataFrame({"x": x, "g": g, "h": h,
                       "y": np.where(x + 0.3 * rng.normal(size=n) > 0.5, "hi", "lo")})
    real, synth, holdout = df[:800], df[800:1600], df[1600:]
    table = fairness_table(real, synth, holdout, target="y", sensitive=["g", "h"],
                           pos_label="hi", random_state=0,
                           estimator=DecisionTreeClassifier(max_depth=3))
    assert table["sensitive"].unique().tolist() == ["g", "g & h", "h"]
    assert table["trained_on"].tolist() == ["real", "synthetic"] * 3
    # a tree's partition does not depend on the scaling or one-hot encoding:
    # recompute the real-trained model's predictions and ask fairlearn
    def feats(d):
        return np.c_[d["x"], d["g"] == "m", d["h"] == "y"].astype(float)

    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    y_pred = tree.fit(feats(real), real["y"] == "hi").predict(feats(holdout))
    y_true = (holdout["y"] == "hi").to_numpy()
    got = table.set_index(["sensitive", "trained_on"])
    for name, sf in [("g", holdout["g"]), ("g & h", holdout[["g", "h"]])]:
        row = got.loc[(name, "real")]
        assert row["demographic_parity_difference"] == pytest.approx(
            fl_dpd(y_true, y_pred, sensitive_features=sf))
        assert row["equalized_odds_difference"] == pytest.approx(
            fl_eod(y_true, y_pred, sensitive_features=sf))
    assert got.loc[("g", "real"), "demographic_parity_difference"] > 0.2
    with pytest.raises(ValueError, match="bin it"):
        fairness_table(real, synth, holdout, target="y", sensitive="x")
    with pytest.raises(ValueError, match="pos_label"):
        fairness_table(real, synth, holdout, target="y", sensitive="g",
                       pos_label="maybe")
