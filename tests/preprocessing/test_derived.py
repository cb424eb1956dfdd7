"""Derived columns: found from the data, filled in on decode."""

import numpy as np
import pandas as pd

from sksynth.preprocessing import TableSchema


def _frame(n=100):
    rng = np.random.RandomState(0)
    code = rng.choice(["A", "B", "C"], n)
    label = pd.Series(code).map({"A": "alpha", "B": "beta", "C": "gamma"})
    return pd.DataFrame({"code": code, "label": label, "x": rng.normal(size=n)})


def test_a_label_of_a_code_is_derived_and_decoded():
    df = _frame()
    schema = TableSchema.infer(df, derive=True)
    assert len(schema.derived) == 1 and schema.n_columns == 2
    d = schema.derived[0]
    assert schema.derived_column(d.column.name) is d
    assert schema.derived_column("x") is None
    pd.testing.assert_frame_equal(schema.decode(schema.encode(df)), df)


def test_too_few_rows_per_category_derive_nothing():
    df = _frame(20)  # fewer than 10 rows per category of a 3-category source
    assert TableSchema.infer(df, derive=True).derived == []
