"""Attribute inference (CAP) and the density-ratio membership attack."""

import numpy as np
import pandas as pd
import pytest

from sksynth.metrics import attribute_inference_cap, density_ratio_mia_auc


def _population(n, seed):
    rng = np.random.RandomState(seed)
    zip_ = rng.choice([f"z{i}" for i in range(40)], n)
    age = rng.randint(20, 70, n)
    sick = (rng.uniform(size=n) < 0.3).astype(int)
    return pd.DataFrame(
        {"zip": zip_, "age": age, "sick": sick, "x": rng.normal(size=n)}
    )


def test_cap_exact_values_and_no_match():
    real = pd.DataFrame({"zip": ["a", "a", "b", "c"], "sick": [1, 1, 0, 1]})
    synth = pd.DataFrame({"zip": ["a", "a", "b", "b"], "sick": [1, 0, 0, 1]})
    # a: 1/2, 1/2; b: 1/2; c: no synthetic row
    kw = {"quasi_identifiers": ["zip"], "sensitive": "sick"}
    assert attribute_inference_cap(real, synth, **kw) == pytest.approx(0.5)
    assert attribute_inference_cap(real, synth, no_match="zero", **kw) == 0.375
    with pytest.raises(ValueError, match="is a quasi-identifier"):
        attribute_inference_cap(
            real, synth, quasi_identifiers=["sick"], sensitive="sick"
        )
    with pytest.raises(ValueError, match="quasi_identifiers: Unknown column"):
        attribute_inference_cap(
            real, synth, quasi_identifiers=["nope"], sensitive="sick"
        )


def test_cap_separates_a_copy_from_fresh_data():
    train, fresh = _population(1500, 0), _population(1500, 1)
    kw = {"quasi_identifiers": ["zip", "age"], "sensitive": "sick", "n_bins": 50}
    copy = attribute_inference_cap(train, train, **kw)
    other = attribute_inference_cap(train, fresh, **kw)
    # a copy gives the training rows' values away; fresh rows only the prior
    # (about 0.3**2 + 0.7**2 = 0.58)
    assert copy > 0.85
    assert 0.5 < other < 0.66


def test_density_ratio_attack_finds_copies_not_fresh_rows():
    train, holdout = _population(800, 0), _population(1600, 1)
    leaked = pd.concat([train, _population(800, 2)], ignore_index=True)
    fresh = _population(1600, 3)
    auc_leak = density_ratio_mia_auc(train, leaked, holdout, random_state=0)
    auc_fresh = density_ratio_mia_auc(train, fresh, holdout, random_state=0)
    assert auc_leak > 0.61  # half the synthetic rows are copies
    assert abs(auc_fresh - 0.5) < 0.06
    with pytest.raises(ValueError, match="bandwidth"):
        density_ratio_mia_auc(train, fresh, holdout, bandwidth=0.0)


def test_quality_report_privacy_section_has_the_attacks():
    from sksynth.report import QualityReport

    train, holdout = _population(400, 0), _population(400, 1)
    report = QualityReport(metrics=["privacy"], target="sick").evaluate(
        train, train, holdout
    )
    p = report.privacy_
    assert p["density_ratio_mia_auc"] > 0.6  # the "synthetic" rows are copies
    assert p["attribute_inference_cap"] > p["attribute_inference_cap_holdout"]
    assert {"density_ratio_mia_auc", "attribute_inference_cap"} <= set(
        report.summary_["metric"]
    )
