"""SequenceOverSampler: imblearn's sampling_strategy over entities."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from sksynth.generators import SequenceGenerator
from sksynth.samplers import SequenceOverSampler

GEN = SequenceGenerator(max_iter=20)


@pytest.fixture(scope="module")
def imbalanced(panel):
    X = panel.drop(columns="group")
    y = panel["group"].rename("group")
    keep = (y == "B") | X["pid"].isin(X.loc[y == "A", "pid"].unique()[:12])
    return X[keep].reset_index(drop=True), y[keep].reset_index(drop=True)


def _entity_counts(X, y, id_column="pid"):
    return Counter(pd.Series(np.asarray(y)).groupby(X[id_column].to_numpy()).first())


def test_auto_balances_entities_not_rows(imbalanced):
    X, y = imbalanced
    before = _entity_counts(X, y)
    assert before["A"] == 12 and before["B"] > 50
    sampler = SequenceOverSampler(
        GEN, id_column="pid", time_column="date", random_state=0
    )
    X_res, y_res = sampler.fit_resample(X, y)
    after = _entity_counts(X_res, y_res)
    assert after["A"] == after["B"] == before["B"]
    assert sampler.sampling_strategy_ == {"A": before["B"] - 12}
    # rows: A sequences are short, so far fewer rows than entities x mean length
    new = X_res.iloc[len(X) :]
    assert new["pid"].nunique() == before["B"] - 12
    assert not set(new["pid"]) & set(X["pid"])
    assert X_res.dtypes.equals(X.dtypes)
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    # the generated A sequences look like A: short, rising
    lengths = new.groupby("pid").size()
    assert lengths.mean() < 15  # A: 5-14 steps, B: 15-29
    drift = new.groupby("pid")["x"].agg(lambda s: s.iloc[-1] - s.iloc[0])
    assert (drift > 0).mean() > 0.8


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ({"A": 30}, 30),
        (0.5, None),
        ("minority", None),
    ],
)
def test_sampling_strategy_semantics(imbalanced, strategy, expected):
    X, y = imbalanced
    n_b = _entity_counts(X, y)["B"]
    X_res, y_res = SequenceOverSampler(
        GEN,
        id_column="pid",
        time_column="date",
        sampling_strategy=strategy,
        random_state=0,
    ).fit_resample(X, y)
    got = _entity_counts(X_res, y_res)["A"]
    if expected is None:
        expected = int(0.5 * n_b) if strategy == 0.5 else n_b
    assert got == expected
    assert _entity_counts(X_res, y_res)["B"] == n_b


def test_y_must_be_constant_within_an_entity(imbalanced):
    X, y = imbalanced
    y = y.copy()
    y.iloc[1] = "A" if y.iloc[1] == "B" else "B"
    with pytest.raises(ValueError, match=r"y varies within 1 entity of 'pid'"):
        SequenceOverSampler(GEN, id_column="pid", time_column="date").fit_resample(X, y)


def test_integer_ids_continue_after_the_largest():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "id": np.repeat([3, 7, 9, 11, 20, 21, 22, 30], 6),
            "t": np.tile(np.arange(6), 8),
            "v": rng.normal(size=48),
        }
    )
    y = np.repeat(["a", "b", "b", "b", "b", "b", "b", "b"], 6)
    X_res, y_res = SequenceOverSampler(
        GEN, id_column="id", time_column="t", random_state=0
    ).fit_resample(X, y)
    new_ids = X_res["id"].iloc[48:].unique()
    assert sorted(new_ids) == list(range(31, 37))
    assert Counter(y_res[48:]) == {"a": 36}


def test_rows_as_entities_without_id(imbalanced):
    X, y = imbalanced
    X = X[["age", "x", "state"]]
    X_res, y_res = SequenceOverSampler(GEN, random_state=0).fit_resample(X, y)
    assert Counter(y_res)["A"] == Counter(y_res)["B"] == Counter(y)["B"]
    assert list(X_res.columns) == list(X.columns)
