import numpy as np
import pandas as pd
import pytest

from sksynth.preprocessing import TableSchema


def _frame():
    return pd.DataFrame(
        {
            "f": [1.5, np.nan, 2.25, 3.0],
            "i": np.array([1, 2, 3, 4], dtype=np.int32),
            "ni": pd.array([1, None, 3, 4], dtype="Int64"),
            "s": pd.array(["a", "b", None, "a"], dtype="str"),
            "o": np.array(["x", 1, "x", 1], dtype=object),
            "c": pd.Categorical(
                ["lo", "hi", "lo", "lo"], categories=["lo", "hi", "never"]
            ),
            "b": [True, False, True, True],
            "d": pd.to_datetime(
                ["2020-01-01 00:00", "2021-06-30 12:00", None, "2020-03-03 00:00"]
            ),
            "tz": pd.to_datetime(
                ["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04"]
            ).tz_localize("Europe/Oslo"),
            "k": [7.0, 7.0, 7.0, 7.0],
            ("tuple", 1): [0.1, 0.2, 0.3, 0.4],
            5: ["p", "q", "p", "q"],
        }
    )


def test_kinds_and_exact_round_trip():
    df = _frame()
    schema = TableSchema.infer(df)
    kinds = {c.name: c.kind for c in schema.columns}
    assert kinds == {
        "f": "numeric",
        "i": "numeric",
        "ni": "numeric",
        "s": "categorical",
        "o": "categorical",
        "c": "categorical",
        "b": "categorical",
        "d": "datetime",
        "tz": "datetime",
        "k": "numeric",
        ("tuple", 1): "numeric",
        5: "categorical",
    }
    assert schema.columns[schema.column_position("c")].categories == (
        "lo",
        "hi",
        "never",
    )
    assert schema.columns[schema.column_position("k")].is_constant
    out = schema.decode(schema.encode(df))
    pd.testing.assert_frame_equal(out, df)


def test_arrays_round_trip_with_dtype():
    X = np.array([[1, 2], [3, 4], [5, 6]], dtype=np.int16)
    schema = TableSchema.infer(X)
    out = schema.decode(schema.encode(X))
    assert out.dtype == np.int16 and np.array_equal(out, X)
    Xo = np.array([["a", 1.0], ["b", 2.0]], dtype=object)
    out = TableSchema.infer(Xo).decode(TableSchema.infer(Xo).encode(Xo))
    assert out.dtype == object and out[0, 0] == "a"


def test_target_is_last_column_and_restored():
    df = _frame()
    y = pd.Series(["no", "yes", "no", "yes"], name="label")
    schema = TableSchema.infer(df, y)
    assert schema.columns[-1].kind == "categorical" and schema.has_target
    X_out, y_out = schema.decode(schema.encode(df, y))
    pd.testing.assert_series_equal(y_out, y)
    assert schema.column_position("y") == schema.column_position("label")


def test_integer_target_is_categorical_float_target_numeric():
    X = np.zeros((6, 1))
    assert (
        TableSchema.infer(X, np.array([0, 1, 2, 0, 1, 2])).columns[-1].kind
        == "categorical"
    )
    assert TableSchema.infer(X, np.linspace(0, 1, 6)).columns[-1].kind == "numeric"


def test_decimals_are_restored():
    df = pd.DataFrame({"price": [1.25, 3.5, 10.75]})
    schema = TableSchema.infer(df)
    assert schema.columns[0].decimals == 2
    Z = np.array([[2.123456]])
    assert schema.decode(Z)["price"].iloc[0] == 2.12


@pytest.mark.parametrize(
    "frame, error, match",
    [
        (pd.DataFrame({"a": [np.nan, np.nan]}), ValueError, "entirely missing"),
        (pd.DataFrame({"a": [1.0, np.inf]}), ValueError, "infinity"),
        (pd.DataFrame(), ValueError, "0 rows"),
        (pd.DataFrame(index=range(3)), ValueError, "0 columns"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), ValueError, "duplicate"),
        (np.zeros(3), ValueError, "2-D"),
    ],
)
def test_bad_tables(frame, error, match):
    with pytest.raises(error, match=match):
        TableSchema.infer(frame)


def test_unseen_category_and_wrong_columns():
    df = pd.DataFrame({"c": ["a", "b"], "x": [1.0, 2.0]})
    schema = TableSchema.infer(df)
    with pytest.raises(ValueError, match="not seen in fit.*'z'"):
        schema.encode(pd.DataFrame({"c": ["z", "a"], "x": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="columns"):
        schema.encode(df[["x", "c"]])


def test_conditions_encoding():
    df = pd.DataFrame({"c": ["a", "b", "a"], "x": [1, 5, 3]})
    schema = TableSchema.infer(df)
    C = schema.encode_conditions({"c": "b"}, 2)
    assert C[:, 0].tolist() == [1.0, 1.0] and np.isnan(C[:, 1]).all()
    with pytest.raises(ValueError, match="Unknown column 'zz'"):
        schema.encode_conditions({"zz": 1}, 2)
    with pytest.raises(ValueError, match="Impossible condition on 'c'"):
        schema.encode_conditions({"c": "q"}, 2)
    with pytest.raises(ValueError, match="outside the range"):
        schema.encode_conditions({"x": 50}, 2)
    with pytest.raises(ValueError, match="integers"):
        schema.encode_conditions({"x": 2.5}, 2)
    with pytest.raises(ValueError, match="one row of conditions per sample"):
        schema.encode_conditions(pd.DataFrame({"c": ["a"]}), 3)
