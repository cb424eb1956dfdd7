"""Tests of the one conditioning path: grouping, feasibility, particles, warm start."""

import numpy as np
import pytest

from sksynth._conditioning import condition_groups
from sksynth.datasets import make_mixed_classification
from sksynth.generators import ForestFlowGenerator
from sksynth.generators._bayesian_network import (
    DiscreteBayesianNetwork,
    estimate_cpts,
)


def test_condition_groups_cover_every_row_once():
    C = np.array([[1.0, np.nan], [np.nan, 2.0], [1.0, np.nan], [1.0, 2.0]])
    rows = [r.tolist() for r, _ in condition_groups(C)]
    assert sorted(sum(rows, [])) == [0, 1, 2, 3]
    assert [0, 2] in rows
    patterns = [r.tolist() for r, _ in condition_groups(C, by="pattern")]
    assert [0, 2] in patterns and [3] in patterns and [1] in patterns


@pytest.mark.parametrize("by", ["value", "pattern"])
def test_one_condition_for_every_row_is_one_group_as_in_the_general_path(by):
    # the fast path (every row alike) gives what the sort of the general path
    # gives for the same rows among others
    row = np.array([np.nan, 2.0, 0.0])
    same = np.tile(row, (5, 1))
    (rows, key), = condition_groups(same, by=by)
    other = np.vstack([same, [[1.0, np.nan, 0.0]]])  # general path
    general = {tuple(r.tolist()): k for r, k in condition_groups(other, by=by)}
    assert rows.tolist() == [0, 1, 2, 3, 4] and rows.dtype == np.intp
    expected = general[(0, 1, 2, 3, 4)]
    assert key.dtype == expected.dtype
    np.testing.assert_array_equal(key, expected)
    # same fixed cells, another value: two groups by value, one by pattern
    two = same.copy()
    two[3, 1] = 3.0
    groups = [r.tolist() for r, _ in condition_groups(two, by=by)]
    assert groups == ([[0, 1, 2, 3, 4]] if by == "pattern" else [[0, 1, 2, 4], [3]])
    (rows, key), = condition_groups(~np.isnan(same), by="pattern")
    assert rows.tolist() == [0, 1, 2, 3, 4] and key.tolist() == [False, True, True]


def test_forest_flow_conditions_on_a_float_point_mass():
    X, _ = make_mixed_classification(300, random_state=0)
    assert (X["balance"] == 0).mean() > 0.05
    gen = ForestFlowGenerator(n_t=2, duplicate_K=1, max_iter=3, verbose=0,
                              random_state=0).fit(X)
    Xs = gen.sample(10, conditions={"balance": 0.0}, random_state=0)
    assert (Xs["balance"] == 0.0).all()
    assert Xs["region"].isin(X["region"].unique()).all()
    assert Xs["age"].between(X["age"].min(), X["age"].max()).all()
    with pytest.raises(ValueError, match="'income'.*continuous value"):
        gen.sample(5, conditions={"income": float(X["income"].median()) + 1e-3})


def test_impossible_evidence_is_a_clear_error():
    D = np.array([[0, 0], [0, 0], [1, 1], [1, 1]])
    cpts = estimate_cpts(D, [2, 2], [(), (0,)], alpha=0)
    bn = DiscreteBayesianNetwork([2, 2], [(), (0,)], cpts)
    ev = np.array([[0.0, 1.0]] * 3)  # child 1 never follows parent 0
    with pytest.raises(ValueError, match="'a=0, b=1' have zero probability"):
        bn.sample_evidence(np.random.RandomState(0), ev,
                           describe=lambda row: "'a=0, b=1'")
    S = bn.sample_evidence(np.random.RandomState(0), np.array([[np.nan, 1.0]] * 4))
    assert S[:, 0].tolist() == [1, 1, 1, 1]
