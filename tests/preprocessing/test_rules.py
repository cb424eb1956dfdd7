"""Detected rules: found in the data, reported in rules_, kept, switchable."""

import warnings

import numpy as np
import pandas as pd
import pytest

from sksynth.generators import (
    ARFGenerator,
    GaussianCopulaGenerator,
    MSTGenerator,
)


def _bank(n=1000, seed=0):
    """A table with rules of every family."""
    rng = np.random.RandomState(seed)
    contacted = rng.uniform(size=n) < 0.4
    start = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.randint(0, 365, n), "D")
    month = rng.randint(1, 13, n)
    day = rng.randint(1, 29, n)
    day[month != 2] = rng.randint(1, 31, (month != 2).sum())  # no 29/30 in Feb
    return pd.DataFrame({
        "pdays": np.where(contacted, rng.randint(1, 30, n), 999),  # sentinel
        "previous": np.where(contacted, rng.randint(1, 5, n), 0),
        "poutcome": np.where(contacted, rng.choice(["success", "failure"], n),
                             "nonexistent"),
        "opened": start,
        "closed": start + pd.to_timedelta(rng.randint(0, 90, n), "D"),
        "amount": rng.randint(1, 200, n) * 50,  # steps of 50
        "month": month,
        "day": day,
        "x": rng.normal(size=n),
    })


def test_rules_of_every_family_are_found_and_readable():
    gen = GaussianCopulaGenerator(random_state=0).fit(_bank())
    names = gen.rules_.names
    assert "'opened' <= 'closed'" in names
    assert "'amount' in steps of 50" in names
    assert "'opened' in steps of 1 day" in names
    assert "'pdays' = 999 exactly when 'previous' = 0" in names
    assert any(n.startswith("'pdays' = 999 exactly when 'poutcome' = ")
               or "'poutcome' = 'nonexistent'" in n for n in names)
    text = repr(gen.rules_)
    assert len(text.splitlines()) == len(gen.rules_)  # one line per rule
    assert "[inequality, transform] 'opened' <= 'closed'" in text


def test_generated_rows_obey_every_detected_rule():
    df = _bank()
    gen = ARFGenerator(random_state=0).fit(df)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ARF represents them all: no warning
        out = gen.sample(1000, random_state=0)
    Z = gen.schema_.to_data(gen.schema_.encode(out))
    assert {r.name: float((~r.valid(Z)).mean()) for r in gen.rules_} == {
        r.name: 0.0 for r in gen.rules_}
    assert (out["opened"] <= out["closed"]).all()
    assert (out["amount"] % 50 == 0).all()
    assert (out["opened"].dt.normalize() == out["opened"]).all()
    assert ((out["pdays"] == 999) == (out["previous"] == 0)).all()


def test_rules_a_model_does_not_represent_are_named_and_kept():
    df = _bank()
    gen = GaussianCopulaGenerator(random_state=0).fit(df)
    with pytest.warns(UserWarning, match="break a rule that holds in every row"):
        out = gen.sample(1000, random_state=0)
    Z = gen.schema_.to_data(gen.schema_.encode(out))
    broken = np.zeros(len(out), dtype=bool)
    for r in gen.rules_:
        broken |= ~r.valid(Z)
    assert 0 < broken.mean() <= 0.45  # the rules kept hold; the others do not
    assert (out["opened"] <= out["closed"]).all()  # transforms always hold
    assert (out["amount"] % 50 == 0).all()


def test_value_pairs_of_a_category_and_a_small_integer():
    rng = np.random.RandomState(0)
    n = 3000
    month = rng.choice(["Jan", "Feb"], n)
    day = np.where(month == "Feb", rng.randint(1, 29, n), rng.randint(1, 32, n))
    df = pd.DataFrame({"month": month, "day": day})
    gen = GaussianCopulaGenerator(random_state=0).fit(df)
    rule = [r for r in gen.rules_ if r.kind == "pairs"]
    assert len(rule) == 1 and "'month', 'day'" in rule[0].name
    assert "month='Feb' & day=29" in rule[0].name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = gen.sample(3000, random_state=0)
    assert not out.loc[out["month"] == "Feb", "day"].isin([29, 30, 31]).any()


def test_rules_change_the_rows_a_model_gets_wrong():
    df = _bank()
    plain = GaussianCopulaGenerator(random_state=0, schema={"rules": False}).fit(df)
    out = plain.sample(1000, random_state=0)
    assert plain.rules_.names == []
    assert ((out["pdays"] == 999) != (out["previous"] == 0)).mean() > 0.01
    assert (out["amount"] % 50 != 0).mean() > 0.1


def test_switching_one_rule_off():
    df = _bank()
    name = "'amount' in steps of 50"
    gen = GaussianCopulaGenerator(random_state=0, schema={"rules": {name: False}})
    gen.fit(df)
    assert name not in gen.rules_.names
    assert "'opened' <= 'closed'" in gen.rules_.names
    out = gen.sample(500, random_state=0)
    assert (out["amount"] % 50 != 0).any()


def test_switching_a_derived_column_off_models_it():
    df = pd.DataFrame({"code": [1, 2, 3] * 40, "label": ["a", "b", "c"] * 40,
                       "v": np.arange(120.0)})
    gen = GaussianCopulaGenerator(random_state=0).fit(df)
    rule = "'code' is determined by 'label'"
    assert rule in gen.rules_.names and gen.schema_.derived
    gen = GaussianCopulaGenerator(random_state=0, schema={"rules": {rule: False}})
    gen.fit(df)
    assert not gen.schema_.derived and rule not in gen.rules_.names


def test_conditioning_on_the_high_end_of_a_modelled_gap_is_explained():
    gen = GaussianCopulaGenerator(random_state=0).fit(_bank())
    with pytest.raises(ValueError, match="'closed' alone.*gap from 'opened'"):
        gen.sample(5, conditions={"closed": pd.Timestamp("2021-06-01")})
    out = gen.sample(5, conditions={"opened": pd.Timestamp("2021-06-01")},
                     random_state=0)
    assert (out["closed"] >= pd.Timestamp("2021-06-01")).all()


def test_dp_generators_read_no_rule_off_the_data():
    df = _bank(300)[["pdays", "previous", "month"]]
    gen = MSTGenerator(epsilon=1.0, random_state=0, bounds={
        "pdays": (0, 999), "previous": (0, 5), "month": (1, 12)}).fit(df)
    assert len(gen.rules_) == 0 and gen.impossible_pairs_ is None


def test_ordered_pairs_screen_matches_the_pairwise_checks():
    # the one-pass screen of _inequalities, chunk by chunk, against each pair
    from sksynth.preprocessing._rules import _ordered_pairs

    rng = np.random.RandomState(0)
    a = rng.normal(size=200)
    cols = [a, a + rng.uniform(0, 1, 200), a.copy(), rng.normal(size=200)]
    cols[2][::9] = np.nan
    cols[3][::4] = np.nan
    for max_cells in (2**22, 16, 1):
        got = _ordered_pairs(cols, max_cells=max_cells)
        for i, x in enumerate(cols):
            for k, z in enumerate(cols):
                both = ~(np.isnan(x) | np.isnan(z))
                assert got[i, k] == bool(np.all(x[both] <= z[both]))
    assert got[0, 1] and not got[1, 0] and got[0, 2] and got[2, 0]
