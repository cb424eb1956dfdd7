"""Metadata a user can see and edit: repr, JSON, overrides, the CLI."""

import json

import numpy as np
import pandas as pd
import pytest

from sksynth.cli import main
from sksynth.generators import GaussianCopulaGenerator


def _table(n=200, seed=0):
    rng = np.random.RandomState(seed)
    day = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.randint(0, 200, n), "D")
    return pd.DataFrame({
        "code": rng.randint(1, 6, n),
        "amount": rng.gamma(2, 10, n).round(2),
        "day": day.strftime("%Y-%m-%d"),  # dates stored as text
        "until": (day + pd.to_timedelta(rng.randint(0, 9, n), "D")).strftime(
            "%Y-%m-%d"),
        "email": [f"user{i}@example.org" for i in range(n)],
        "plan": rng.choice(["a", "b"], n),
    })


def test_the_schema_prints_as_a_table_with_rules():
    gen = GaussianCopulaGenerator(random_state=0).fit(_table())
    text = repr(gen.schema_)
    lines = text.splitlines()
    assert lines[0].split() == ["column", "kind", "dtype", "missing", "rules"]
    assert any(line.startswith("email") and "personal (email, fake)" in line
               for line in lines)
    assert any(line.startswith("amount") and "numeric" in line for line in lines)


def test_json_round_trip_into_overrides():
    gen = GaussianCopulaGenerator(random_state=0).fit(_table())
    meta = json.loads(gen.schema_.to_json())
    assert [c["name"] for c in meta["columns"]] == list(_table().columns)
    kinds = {c["name"]: c["kind"] for c in meta["columns"]}
    assert kinds["email"] == "personal" and kinds["code"] == "integer"
    for c in meta["columns"]:  # edit: dates, and code as a category
        if c["name"] in ("day", "until"):
            c["kind"] = "datetime"
        if c["name"] == "code":
            c["kind"] = "categorical"
    edited = GaussianCopulaGenerator(random_state=0, schema=meta).fit(_table())
    assert edited.schema_.column("day").kind == "datetime"
    assert edited.schema_.column("code").kind == "categorical"
    out = edited.sample(100, random_state=0)
    assert out["day"].dtype.kind == "M"
    assert "'day' <= 'until'" in edited.rules_.names
    assert (out["day"] <= out["until"]).all()


def test_overrides_by_kind_and_their_errors():
    df = _table()
    gen = GaussianCopulaGenerator(schema={"amount": "integer"})
    with pytest.raises(ValueError, match="'amount' is declared integer"):
        gen.fit(df)
    with pytest.raises(ValueError, match="'plan' is declared a datetime"):
        GaussianCopulaGenerator(schema={"plan": "datetime"}).fit(df)
    with pytest.raises(ValueError, match="overrides column 'nope'"):
        GaussianCopulaGenerator(schema={"nope": "numeric"}).fit(df)
    with pytest.raises(ValueError, match="unknown kind 'text'"):
        GaussianCopulaGenerator(schema={"plan": "text"}).fit(df)
    with pytest.raises(ValueError, match="unknown keys"):
        GaussianCopulaGenerator(schema={"columns": {}, "plan": "x"}).fit(df)
    ident = GaussianCopulaGenerator(random_state=0, schema={"plan": "identifier"})
    out = ident.fit(df).sample(50, random_state=0)
    assert not out["plan"].isin(["a", "b"]).any()


def test_cli_describe_then_synthesize_with_metadata(tmp_path, capsys):
    df = _table()
    data = tmp_path / "data.csv"
    df.to_csv(data, index=False)
    meta = tmp_path / "schema.json"
    assert main(["describe", str(data), "-o", str(meta)]) == 0
    text = capsys.readouterr().out
    assert "day" in text and "datetime" in text  # ISO dates read as dates
    assert "'day' <= 'until'" in text
    schema = json.loads(meta.read_text())
    for c in schema["columns"]:
        if c["name"] == "code":
            c["kind"] = "categorical"
    meta.write_text(json.dumps(schema))
    out = tmp_path / "synth.csv"
    assert main(["synthesize", str(data), "-o", str(out), "--metadata",
                 str(meta)]) == 0
    text = capsys.readouterr().out
    assert "personal data, not modelled: email (email, fresh values)" in text
    synth = pd.read_csv(out)
    assert not synth["email"].isin(df["email"]).any()
    assert (pd.to_datetime(synth["day"]) <= pd.to_datetime(synth["until"])).all()
    kept = tmp_path / "kept.csv"
    assert main(["synthesize", str(data), "-o", str(kept), "--no-anonymize"]) == 0
    assert "personal data" not in capsys.readouterr().out
