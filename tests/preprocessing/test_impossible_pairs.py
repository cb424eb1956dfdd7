import warnings

import numpy as np
import pandas as pd
import pytest

from sksynth.base import BaseGenerator
from sksynth.generators import GaussianCopulaGenerator, MSTGenerator
from sksynth.preprocessing import TableSchema
from sksynth.preprocessing._impossible_pairs import ImpossiblePairs


def _household(n=2000, seed=0, p=(0.4, 0.2, 0.2, 0.2)):
    """Husbands are men, wives women; children and others either."""
    rng = np.random.RandomState(seed)
    rel = rng.choice(["husband", "wife", "child", "other"], n, p=p)
    sex = np.where(rel == "husband", "m", np.where(rel == "wife", "f",
                                                   rng.choice(["m", "f"], n)))
    age = np.where(rel == "child", rng.randint(0, 18, n), rng.randint(18, 90, n))
    return pd.DataFrame({"relationship": pd.Series(rel, dtype="str"),
                         "sex": pd.Series(sex, dtype="str"), "age": age})


def _bad_share(gen, X):
    rel, sex = X["relationship"], X["sex"]
    bad = ((rel == "husband") & (sex == "f")) | ((rel == "wife") & (sex == "m"))
    return float(bad.mean())


def test_finds_the_impossible_pairs_and_only_them():
    df = _household()
    schema = TableSchema.infer(df)
    pairs = ImpossiblePairs().fit(schema.encode(df), schema)
    assert sorted(pairs.describe(schema)) == [
        ("relationship", "husband", "sex", "f"),
        ("relationship", "wife", "sex", "m"),
    ]
    # one female husband among 1600 is still at most 0.2% of the 640 that
    # independence predicts; two are not
    df = _household(4000)
    husbands = df.index[df["relationship"] == "husband"]
    df.loc[husbands[0], "sex"] = "f"
    assert len(ImpossiblePairs().fit(schema.encode(df), schema).describe(schema)) == 2
    df.loc[husbands[1], "sex"] = "f"
    assert len(ImpossiblePairs().fit(schema.encode(df), schema).describe(schema)) == 1
    # a pair that independence puts at fewer than 20 rows is not judged
    small = _household(n=60)
    schema = TableSchema.infer(small)
    assert ImpossiblePairs().fit(schema.encode(small), schema).describe(schema) == []


def test_generated_rows_never_hold_an_impossible_pair():
    df = _household(4000, p=(0.1, 0.1, 0.4, 0.4))
    gen = GaussianCopulaGenerator(random_state=0).fit(df)
    pairs, gen.impossible_pairs_ = gen.impossible_pairs_, None
    raw = gen.sample(3000, random_state=1)
    gen.impossible_pairs_ = pairs
    out = gen.sample(3000, random_state=1)
    # measured: the copula puts 6% of its rows on these pairs
    assert _bad_share(gen, raw) > 0.03
    assert _bad_share(gen, out) == 0.0
    assert gen.sample(3000, random_state=1).equals(out)
    assert out.dtypes.equals(df.dtypes)
    # conditions survive the redraws, row by row
    cond = pd.DataFrame({"relationship": ["wife", np.nan, "husband"] * 100})
    rows = gen.sample(300, conditions=cond)
    assert (rows["relationship"].iloc[::3] == "wife").all()
    assert (rows["relationship"].iloc[2::3] == "husband").all()
    assert _bad_share(gen, rows) == 0.0


def test_an_explicit_request_for_the_pair_is_honoured():
    gen = GaussianCopulaGenerator(random_state=0).fit(
        _household(4000, p=(0.1, 0.1, 0.4, 0.4)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = gen.sample(20, conditions={"relationship": "husband", "sex": "f"})
    assert (rows["sex"] == "f").all() and (rows["relationship"] == "husband").all()


class _StubbornGenerator(BaseGenerator):
    """Draws training rows, the first ``share`` of each draw being row 0."""

    def __init__(self, *, share=0.1, random_state=None):
        self.share = share
        self.random_state = random_state

    def _fit(self, Z, random_state):
        self.Z_ = Z

    def _sample(self, n_samples, conditions, random_state):
        out = self.Z_[random_state.randint(1, len(self.Z_), n_samples)]
        out[: max(1, int(self.share * n_samples))] = self.Z_[0]
        return out


def _with_female_husband_first():
    df = _household(4000)
    first = df.index[df["relationship"] == "husband"][0]
    df.loc[first, "sex"] = "f"
    return pd.concat([df.loc[[first]], df.drop(index=first)], ignore_index=True)


def test_rows_that_cannot_be_redrawn_are_kept_with_a_warning():
    df = _with_female_husband_first()
    gen = _StubbornGenerator(share=0.1).fit(df)
    assert gen.impossible_pairs_.describe(gen.schema_)
    with pytest.warns(
        UserWarning, match="still break rules .*'relationship', 'sex'.* after 20 redraw"
    ):
        out = gen.sample(50, random_state=0)
    assert len(out) == 50 and _bad_share(gen, out) == 1 / 50  # only the last one


def test_a_model_blind_to_the_dependency_is_not_redrawn_but_warned_about():
    df = _with_female_husband_first()
    gen = _StubbornGenerator(share=0.5).fit(df)
    with pytest.warns(UserWarning, match="50% of the generated rows .* 'relationship', "
                      "'sex'.*does not represent"):
        out = gen.sample(50, random_state=0)
    assert _bad_share(gen, out) >= 0.5  # kept as drawn: no distortion


def test_dp_generators_learn_no_constraints_from_the_data():
    df = _household()
    gen = MSTGenerator(epsilon=1.0, random_state=0).fit(df)
    assert gen.impossible_pairs_ is None and gen.schema_.derived == []
