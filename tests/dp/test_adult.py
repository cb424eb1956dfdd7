"""Utility of the DP generators on adult (slow; skipped without the data)."""

import time
from pathlib import Path

import pandas as pd
import pytest

from sksynth.generators import AIMGenerator, MSTGenerator
from sksynth.metrics import column_shapes, tstr_score

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "adult"


def _adult():
    if not (DATA / "train.csv").exists():
        pytest.skip(f"{DATA} is absent")
    train = pd.read_csv(DATA / "train.csv")
    test = pd.read_csv(DATA / "test.csv")
    test["income"] = test["income"].str.rstrip(".")
    return train, test


@pytest.mark.slow
@pytest.mark.parametrize("Gen,min_auc", [(MSTGenerator, 0.80), (AIMGenerator, 0.83)])
def test_adult_epsilon_1(Gen, min_auc):
    train, test = _adult()
    X, y = train.drop(columns="income"), train["income"]
    start = time.perf_counter()
    gen = Gen(epsilon=1.0, delta=1e-9, random_state=0).fit(X, y)
    assert time.perf_counter() - start < 600
    assert gen.privacy_spent_.epsilon == pytest.approx(1.0, rel=1e-6)
    Xs, ys = gen.sample(len(train), random_state=0)
    synth = Xs.assign(income=ys)
    # measured (seed 0): TSTR ROC AUC MST 0.83, AIM 0.85; column_shapes 0.98
    assert tstr_score(train, synth, test, target="income", random_state=0) > min_auc
    assert column_shapes(train, synth) > 0.93
