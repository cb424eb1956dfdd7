"""Personal data: detection, fresh values, keyed pseudonyms, no leaks."""

import numpy as np
import pandas as pd
import pytest

from sksynth.datasets import make_personal_data
from sksynth.generators import ARFGenerator, GaussianCopulaGenerator
from sksynth.preprocessing import detect_pii
from tests.conftest import SHARED_DATA

faker = pytest.importorskip("faker")


def precision_recall(found, truth):
    hits = sum(1 for c in found if c in truth)
    return hits / max(len(found), 1), hits / len(truth)


def test_precision_and_recall_on_twenty_kinds():
    df, truth = make_personal_data(300, random_state=0)
    found = detect_pii(df)
    precision, recall = precision_recall(found, truth)
    assert precision >= 0.95 and recall >= 0.90, (found, truth)
    right_kind = np.mean([found.get(c) == k for c, k in truth.items()])
    assert right_kind >= 0.8
    for c in ("col_2", "col_4", "col_6", "col_8"):  # obfuscated names
        assert c in found


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="shared data absent")
def test_shared_data_compas_found_and_nothing_flagged_elsewhere():
    compas = pd.read_csv(SHARED_DATA / "compas" / "compas-scores-two-years.csv")
    found = detect_pii(compas)
    for c in ("id", "name", "first", "last", "dob", "c_case_number",
              "r_case_number", "vr_case_number"):
        assert c in found, c
    assert set(found) == {"id", "name", "first", "last", "dob", "c_case_number",
                          "r_case_number", "vr_case_number"}
    for path in ("adult/train.csv", "german/german.csv"):
        assert detect_pii(pd.read_csv(SHARED_DATA / path, nrows=5000)) == {}
    credit = pd.read_csv(
        SHARED_DATA / "default_credit" / "default_of_credit_card_clients.csv",
        nrows=5000,
    )
    # its row number 1..30000 is a key of the rows, flagged as an identifier
    assert detect_pii(credit) == {"id": "identifier"}


def _people(n=200, seed=0):
    fake = faker.Faker()
    fake.seed_instance(seed)
    rng = np.random.RandomState(seed)
    return pd.DataFrame({
        "customer_id": [f"C{100000 + i}" for i in rng.permutation(n)],
        "name": [fake.name() for _ in range(n)],
        "first": [fake.first_name() for _ in range(n)],
        "email": [fake.email() for _ in range(n)],
        "age": rng.randint(18, 80, n),
        "plan": rng.choice(["a", "b"], n),
    })


def test_no_original_value_appears_in_the_output():
    df = _people()
    gen = GaussianCopulaGenerator(random_state=0).fit(df)
    assert set(gen.schema_.personal_columns()) == {"customer_id", "name", "first",
                                                   "email"}
    out = gen.sample(2000, random_state=0)
    for c in ("customer_id", "name", "first", "email"):
        assert not out[c].isin(df[c]).any(), c
        assert out[c].notna().all()
    assert out["customer_id"].str.match(r"^C\d{6}$").all()  # same format
    assert out["email"].str.contains("@").all()
    assert out["customer_id"].is_unique  # a key stays a key
    # no table of real values in the fitted object
    import pickle

    blob = pickle.dumps(gen)
    assert not any(v.encode() in blob for v in df["name"].head(50))


def test_fresh_values_are_seeded():
    df = _people()
    gen = GaussianCopulaGenerator(random_state=0).fit(df)
    a = gen.sample(20, random_state=3)
    b = gen.sample(20, random_state=3)
    assert a.equals(b)


def test_keyed_pseudonyms_are_consistent_and_need_a_key():
    df = _people()
    df = pd.concat([df, df.head(50)], ignore_index=True)  # repeated customers
    schema = {"columns": {"customer_id": {"kind": "identifier", "method": "hash"}},
              "pii": {"key": "s3cret"}}
    gen = ARFGenerator(random_state=0, schema=schema).fit(df)
    out = gen.sample(300, random_state=0)
    from sksynth.preprocessing._pii import keyed_hash

    pseudonyms = {keyed_hash("s3cret", v) for v in df["customer_id"]}
    assert out["customer_id"].isin(pseudonyms).all()
    assert not out["customer_id"].isin(df["customer_id"]).any()
    with pytest.raises(ValueError, match="give the key"):
        ARFGenerator(schema={"columns": {"customer_id": {
            "kind": "identifier", "method": "hash"}}}).fit(df)


def test_declared_personal_and_overridden_detection():
    df = _people()
    gen = GaussianCopulaGenerator(
        random_state=0, schema={"plan": "personal", "first": "categorical"}
    ).fit(df)
    assert "plan" in gen.schema_.personal_columns()
    assert "first" not in gen.schema_.personal_columns()
    with pytest.raises(ValueError, match="'email' is personal data"):
        gen.sample(3, conditions={"email": "x@y.org"})
    off = GaussianCopulaGenerator(schema={"pii": {"detect": False}}).fit(df)
    assert off.schema_.personal_columns() == []
