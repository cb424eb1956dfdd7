"""Condition encoding and the one rejection-feasibility rule of the schema."""

import numpy as np
import pandas as pd
import pytest

from sksynth.datasets import make_mixed_classification
from sksynth.preprocessing import TableSchema


def _frame(n=200, seed=0):
    rng = np.random.RandomState(seed)
    balance = np.where(rng.uniform(size=n) < 0.3, 0.0, rng.lognormal(3, 1, n))
    return pd.DataFrame(
        {
            "balance": balance,
            "income": rng.normal(50, 10, n),
            "age": rng.randint(18, 90, n),
            "city": rng.choice(["Oslo", "Rome"], n),
            "when": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.randint(0, 100, n), unit="D"),
        }
    )


def test_atoms_are_the_point_masses_of_numeric_columns():
    df = _frame()
    schema = TableSchema.infer(df)
    assert schema.column("balance").atoms == (0.0,)
    assert schema.column("income").atoms == ()
    assert schema.column("city").atoms == ()  # categorical: never
    # a value is an atom from 5% of the rows (missing rows count), the 3 most
    # frequent at most, in increasing order
    x = np.r_[[1.5] * 10, [2.5] * 9, [0.5] * 11, [9.5] * 12, np.arange(158) + 0.1]
    col = TableSchema.infer(pd.DataFrame({"x": x})).column("x")
    assert col.atoms == (0.5, 1.5, 9.5)
    x = np.r_[[1.5] * 10, [np.nan] * 10, np.arange(190) + 0.1]
    assert TableSchema.infer(pd.DataFrame({"x": x})).column("x").atoms == ()


def test_atoms_of_the_bundled_dataset():
    X, y = make_mixed_classification(random_state=0)
    schema = TableSchema.infer(X, y)
    assert schema.column("balance").atoms == (0.0,)
    assert schema.column("income").atoms == ()


def test_atoms_default_to_empty_and_do_not_break_construction():
    from sksynth.preprocessing import ColumnSchema

    col = ColumnSchema("x", "numeric", np.dtype("float64"))
    assert col.atoms == ()


def test_rejectable_conditions_pass():
    df = _frame()
    schema = TableSchema.infer(df)
    C = schema.encode_conditions({"balance": 0.0, "age": 30, "city": "Rome"}, 3)
    assert schema.check_rejectable(C[0]) is None
    assert schema.check_rejectable(C) is None  # a matrix of rows as well
    free = np.full(schema.n_columns, np.nan)
    assert schema.check_rejectable(free) is None
    # a datetime off its point masses is not (issue 23, D13): models draw
    # ticks from a continuum, so rejection would draw its budget in vain
    when = schema.encode_conditions({"when": df["when"].iloc[0]}, 1)[0]
    with pytest.raises(ValueError, match="datetime column 'when'"):
        schema.check_rejectable(when)


def test_a_continuous_value_is_refused_naming_the_column():
    df = _frame()
    schema = TableSchema.infer(df)
    cond = schema.encode_conditions({"income": float(df["income"].iloc[0])}, 1)[0]
    with pytest.raises(ValueError, match="MyGen .*'income'.*no value with a point"):
        schema.check_rejectable(cond, generator="MyGen")
    with pytest.raises(ValueError, match="native conditioning"):
        schema.check_rejectable(cond)
    # the same column met natively by the model is not checked
    j = schema.column_position("income")
    assert schema.check_rejectable(cond, skip=[j]) is None
    assert schema.check_rejectable(cond, skip=(np.int64(j),)) is None


def test_a_float_value_off_the_point_masses_is_refused():
    df = _frame()
    schema = TableSchema.infer(df)
    value = float(df["balance"][df["balance"] > 0].iloc[0])
    C = schema.encode_conditions(
        pd.DataFrame({"balance": [0.0, value]}), 2
    )
    schema.check_rejectable(C[0])
    with pytest.raises(ValueError, match=r"'balance'.*point masses \[0\.0\]"):
        schema.check_rejectable(C)


def test_rejectable_on_derived_column_goes_through_its_source():
    n = 100
    df = pd.DataFrame(
        {
            "code": np.repeat([1, 2], n // 2),
            "label": np.repeat(["one", "two"], n // 2),
            "x": np.arange(n) + 0.5,
        }
    )
    schema = TableSchema.infer(df, derive=True)
    assert [d.column.name for d in schema.derived] == ["code"]
    C = schema.encode_conditions({"code": 2}, 2)
    assert schema.check_rejectable(C) is None
    assert np.all(C[:, schema.column_position("label")] == 1)
