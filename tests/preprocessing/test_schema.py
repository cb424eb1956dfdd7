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


# ---------------------------------------------------------- derived columns
def _coded_table(n=600, seed=0):
    """A code and its label, a city and its country, and free columns."""
    rng = np.random.RandomState(seed)
    labels = np.array(["none", "school", "bachelor", "master", "phd"])
    level = rng.choice(5, n, p=[0.1, 0.4, 0.3, 0.15, 0.05])
    city = rng.choice(["Oslo", "Bergen", "Rome", "Milan", "Turin"], n)
    country = pd.Series(city).map(
        {"Oslo": "NO", "Bergen": "NO", "Rome": "IT", "Milan": "IT", "Turin": "IT"}
    )
    return pd.DataFrame(
        {
            "age": rng.randint(18, 80, n),
            "education": pd.Series(labels[level], dtype="str"),
            "education_num": level + 9,
            "city": pd.Series(city, dtype="str"),
            "country": country.astype("str"),
            "income": rng.lognormal(10, 1, n).round(2),
        }
    )


def test_derived_columns_are_found_and_restored():
    df = _coded_table()
    y = pd.Series(np.arange(len(df)) % 2, name="label")
    schema = TableSchema.infer(df, y, derive=True)
    assert {(d.column.name, schema.columns[d.source].name) for d in schema.derived} == {
        ("education_num", "education"),
        ("country", "city"),
    }
    assert schema.names == ["age", "education", "city", "income", "label"]
    Z = schema.encode(df, y)
    assert Z.shape == (len(df), 5)
    X_back, y_back = schema.decode(Z)
    assert X_back.equals(df) and y_back.equals(y)
    # arrays too, and without derive nothing changes
    arr = df.to_numpy(dtype=object)
    schema_arr = TableSchema.infer(arr, derive=True)
    assert len(schema_arr.derived) == 2
    assert (schema_arr.decode(schema_arr.encode(arr)) == arr).all()
    assert TableSchema.infer(df).derived == []


def test_derivation_needs_rows_per_category_and_spares_the_target():
    rng = np.random.RandomState(0)
    ids = pd.Series([f"id{i}" for i in range(200)], dtype="str")
    df = pd.DataFrame({"id": ids, "x": rng.normal(size=200)})
    # a near-unique label "determines" every column: not a source
    assert TableSchema.infer(df, derive=True).derived == []
    df = _coded_table()
    y = df["education"].rename("target")  # determined by and determining a feature
    schema = TableSchema.infer(df.drop(columns="education"), y, derive=True)
    assert schema.names[-1] == "target" and "education_num" in schema.names


def test_generated_codes_always_match_their_labels():
    from sksynth.generators import GaussianCopulaGenerator

    df = _coded_table()
    gen = GaussianCopulaGenerator(random_state=0).fit(df)
    out = gen.sample(2000)
    pairs = df.groupby("education")["education_num"].first()
    assert (out["education"].map(pairs) == out["education_num"]).all()
    countries = df.groupby("city")["country"].first()
    assert (out["city"].map(countries) == out["country"]).all()
    assert out.dtypes.equals(df.dtypes) and out.columns.equals(df.columns)
    # conditions on a derived column go through its source
    rows = gen.sample(50, conditions={"education_num": 12})
    assert set(rows["education"]) == {"master"}
    per_row = pd.DataFrame({"education_num": [9.0, np.nan, 13.0]})
    rows = gen.sample(3, conditions=per_row)
    assert rows["education"].iloc[0] == "none" and rows["education"].iloc[2] == "phd"


def test_conditions_and_data_that_break_a_derived_column_are_refused():
    df = _coded_table()
    schema = TableSchema.infer(df, derive=True)
    with pytest.raises(ValueError, match="several categories of 'city'"):
        schema.encode_conditions({"country": "IT"}, 5)
    with pytest.raises(ValueError, match="Impossible condition on 'education_num'"):
        schema.encode_conditions({"education_num": 30}, 5)
    with pytest.raises(ValueError, match="never occur together"):
        schema.encode_conditions({"education": "phd", "education_num": 9}, 5)
    with pytest.raises(ValueError, match="determined by column 'education'"):
        schema.column_position("education_num")
    broken = df.copy()
    broken.loc[0, "education_num"] = 20
    with pytest.raises(ValueError, match="'education_num' was a function of"):
        schema.encode(broken)
