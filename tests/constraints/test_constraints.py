"""Declared constraints: every generator obeys them, bad ones are refused."""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid

from sksynth.base import BaseGenerator
from sksynth.constraints import (
    ConstraintError,
    Custom,
    FixedCombinations,
    FixedIncrements,
    Inequality,
    Negative,
    OneHot,
    Positive,
    Range,
)
from sksynth.generators import (
    ARFGenerator,
    BayesianNetworkGenerator,
    GaussianCopulaGenerator,
)
from sksynth.utils import all_estimators


def _table(n=300, seed=0):
    rng = np.random.RandomState(seed)
    start = rng.randint(0, 50, n)
    end = start + rng.randint(0, 30, n)  # end >= start always
    city = rng.choice(["Oslo", "Rome", "Lima"], n)
    country = pd.Series(city).map({"Oslo": "NO", "Rome": "IT", "Lima": "PE"})
    country[rng.uniform(size=n) < 0.1] = "XX"  # not a function of city
    colour = rng.randint(0, 3, n)
    day = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.randint(0, 300, n), "D")
    return pd.DataFrame({
        "start": start,
        "end": end,
        "price": np.round(rng.uniform(1, 20, n) * 4) / 4,  # steps of 0.25
        "loss": -rng.gamma(2.0, 3.0, n).round(2),
        "share": rng.uniform(0.05, 0.95, n).round(3),
        "city": city,
        "country": country.to_numpy(),
        "red": (colour == 0).astype(int),
        "green": (colour == 1).astype(int),
        "blue": (colour == 2).astype(int),
        "opened": day,
        "closed": day + pd.to_timedelta(rng.randint(0, 60, n), "D"),
    })


CONSTRAINTS = [
    Inequality("start", "end"),
    Inequality("opened", "closed"),
    Range(0, "share", 1),
    Range("start", "end", 100),
    Positive("price"),
    Negative("loss"),
    FixedIncrements("price", 0.25),
    FixedCombinations(["city", "country"]),
    OneHot(["red", "green", "blue"]),
    Custom(lambda X: (X["end"] - X["start"]) < 40, name="short spells"),
]


def _valid(df, train):
    combos = set(zip(train["city"], train["country"]))
    return {
        "start<=end": (df["start"] <= df["end"]).all(),
        "opened<=closed": (df["opened"] <= df["closed"]).all(),
        "share in [0, 1]": df["share"].between(0, 1).all(),
        "end <= 100": (df["end"] <= 100).all(),
        "price > 0": (df["price"] > 0).all(),
        "loss < 0": (df["loss"] < 0).all(),
        "price steps": np.allclose(df["price"] * 4, np.round(df["price"] * 4)),
        "combinations": all(c in combos for c in zip(df["city"], df["country"])),
        "one-hot": (df[["red", "green", "blue"]].sum(axis=1) == 1).all(),
        "custom": ((df["end"] - df["start"]) < 40).all(),
    }


@pytest.mark.parametrize(
    "cls", [GaussianCopulaGenerator, ARFGenerator, BayesianNetworkGenerator]
)
def test_every_row_obeys_every_constraint(cls):
    df = _table()
    gen = cls(**cls._test_params(), constraints=CONSTRAINTS).fit(df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = gen.sample(500, random_state=1)
    assert len(out) == 500
    assert all(_valid(out, df).values()), _valid(out, df)
    assert out.dtypes.equals(df.dtypes)


def _is_dp(cls):
    return "epsilon" in inspect.signature(cls).parameters


def _generators():
    # wrapper generators (survival, sequences) are not BaseGenerators: their
    # base generator takes the constraints
    for name, cls in all_estimators("generator"):
        if not issubclass(cls, BaseGenerator):
            continue
        params = dict(cls._test_params())
        if _is_dp(cls):
            params.setdefault("domain", None)
        if params.get("target") is not None:  # a label column of this table
            params["target"] = "city"
        yield pytest.param(cls, params, id=name)


@pytest.mark.parametrize("cls, params", list(_generators()))
def test_all_generators_honour_declared_constraints(cls, params):
    df = _table(200)[["start", "end", "price", "city"]]
    constraints = [Inequality("start", "end"), FixedIncrements("price", 0.25)]
    if _is_dp(cls):  # DP: no data-reading constraint
        params = {**params, "bounds": {"start": (0, 50), "end": (0, 80),
                                       "price": (0, 20)}}
        params["domain"] = {"city": ["Oslo", "Rome", "Lima"]}
    gen = cls(**params, constraints=constraints)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            gen.fit(df)
        except ImportError as exc:  # optional dependency
            pytest.skip(str(exc))
        out = gen.sample(200, random_state=0)
    assert (out["start"] <= out["end"]).all()
    assert np.allclose(out["price"] * 4, np.round(out["price"] * 4))


def test_constraints_are_parameters_clone_and_grid_search_reach():
    gen = GaussianCopulaGenerator(constraints=[Inequality("start", "end")])
    copy = clone(gen)
    assert copy.get_params()["constraints"] == [Inequality("start", "end")]
    grid = ParameterGrid({"constraints": [None, [Positive("price")]]})
    assert len(list(grid)) == 2
    gen.set_params(constraints=[Positive("price")])
    assert gen.constraints == [Positive("price")]


def test_how_each_constraint_is_enforced():
    df = _table()
    gen = GaussianCopulaGenerator(
        random_state=0,
        constraints=[Inequality("start", "end"), FixedIncrements("price", 0.25),
                     Range(0, "share", 1)],
        schema={"rules": False},
    ).fit(df)
    text = repr(gen.constraints_)
    assert "[transform] Inequality('start', 'end', False)" in text
    assert "[transform] FixedIncrements('price', 0.25)" in text
    assert "[redraw] Range(0, 'share', 1, False)" in text
    acceptance = gen.constraint_acceptance(500)
    assert acceptance["Inequality('start', 'end', False)"] == 1.0
    assert 0.9 <= acceptance["Range(0, 'share', 1, False)"] <= 1.0


@pytest.mark.parametrize(
    "constraint, error, match",
    [
        (Inequality("start", "nope"), ConstraintError, "Unknown column 'nope'"),
        (Inequality("start", "city"), ConstraintError, "'city' is categorical"),
        (Inequality("start", "opened"), ConstraintError, "datetime"),
        (Positive("city"), ConstraintError, "'city' is categorical"),
        (FixedIncrements("price", -1), ConstraintError, "increment must be"),
        (FixedIncrements("price", 0.1 * 3), ConstraintError, "training rows"),
        (FixedCombinations(["city"]), ConstraintError, "at least two"),
        (FixedCombinations(["city", "share"]), ConstraintError, "continuous"),
        (OneHot(["red", "start"]), ConstraintError, "not a 0/1 column"),
        (Inequality("end", "start"), ConstraintError,
         r"\d+ of 300 training rows break the constraint Inequality\('end'"),
        (Positive("loss"), ConstraintError, "300 of 300 training rows"),
        ("start <= end", TypeError, "not a sksynth.constraints"),
    ],
)
def test_bad_constraints_get_clear_errors(constraint, error, match):
    with pytest.raises(error, match=match):
        GaussianCopulaGenerator(constraints=[constraint]).fit(_table())


def test_contradictory_constraints_are_refused_naming_them():
    df = _table()
    with pytest.raises(ConstraintError, match="contradict.*'start'.*itself"):
        GaussianCopulaGenerator(constraints=[
            Inequality("start", "end", strict=True), Inequality("end", "start"),
        ]).fit(df)
    with pytest.raises(ConstraintError, match="contradict.*'price'"):
        GaussianCopulaGenerator(constraints=[
            Positive("price"), Negative("price"),
        ]).fit(df)
    with pytest.raises(ConstraintError, match="contradict"):
        GaussianCopulaGenerator(constraints=[Range(5, "share", 1)]).fit(df)


def test_a_custom_validator_that_raises_or_returns_junk_is_an_error():
    def broken(X):
        raise KeyError("oops")

    with pytest.raises(ConstraintError, match="is_valid raised KeyError"):
        GaussianCopulaGenerator(constraints=[Custom(broken)]).fit(_table())
    with pytest.raises(ConstraintError, match="one boolean per row"):
        GaussianCopulaGenerator(
            constraints=[Custom(lambda X: np.ones(3, bool))]
        ).fit(_table())


def test_custom_transform_and_reverse_wrap_the_model():
    df = _table()[["start", "end"]]

    def forward(X):
        return X.assign(end=X["end"] - X["start"])

    def back(X):
        return X.assign(end=X["end"] + X["start"])

    gen = GaussianCopulaGenerator(
        random_state=0, schema={"rules": False},
        constraints=[Custom(lambda X: X["end"] >= X["start"], forward, back)],
    ).fit(df)
    out = gen.sample(300, random_state=0)
    assert (out["end"] >= out["start"]).all()
    assert abs(out["end"].mean() - df["end"].mean()) < 3


def test_conditions_and_constraints_together():
    df = _table()
    gen = GaussianCopulaGenerator(
        random_state=0, constraints=[Inequality("start", "end"), Range(0, "share", 1)]
    ).fit(df)
    out = gen.sample(50, conditions={"start": 20}, random_state=0)
    assert (out["start"] == 20).all() and (out["end"] >= 20).all()
    both = pd.DataFrame({"start": [10.0] * 5, "end": [30.0] * 5})
    out = gen.sample(5, conditions=both, random_state=0)
    assert (out["end"] == 30).all()
    bad = pd.DataFrame({"start": [40.0], "end": [10.0]})
    with pytest.raises(ConstraintError, match="Impossible condition.*Inequality"):
        gen.sample(1, conditions=bad)


def test_infeasible_request_is_an_error_not_an_empty_frame():
    df = _table()
    seen = set(df["share"])
    v = next(x for x in np.arange(0.2, 0.8, 0.001).round(3) if x not in seen)
    gen = GaussianCopulaGenerator(
        random_state=0, schema={"rules": False},
        constraints=[Custom(lambda X: X["share"] != v, name="never v")],
    ).fit(df)
    with pytest.raises(ConstraintError, match="Could not generate 10 rows .*"
                       "never v.*0.00% of the .* rows drawn obeyed"):
        gen.sample(10, conditions={"share": v}, random_state=0)


def test_redraw_warns_with_the_acceptance_rate():
    df = _table()
    gen = GaussianCopulaGenerator(
        random_state=0, schema={"rules": False},
        constraints=[Custom(lambda X: X["share"] < 0.5 + 0.5 * (X["city"] == "Oslo"),
                            name="half")],
    )
    train = df[df["share"] < 0.5 + 0.5 * (df["city"] == "Oslo")]
    gen.fit(train)
    with pytest.warns(UserWarning, match=r"Only \d+% of the rows .* obey"):
        out = gen.sample(300, random_state=0)
    assert (out["share"] < 0.5 + 0.5 * (out["city"] == "Oslo")).all()
