"""FairResampler's strength knob and its strategies for fair predictions."""

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from sksynth.datasets import make_mixed_classification
from sksynth.generators import GaussianCopulaGenerator
from sksynth.metrics import (
    demographic_parity_difference,
    equal_opportunity_difference,
)
from sksynth.samplers import FairResampler


@pytest.fixture(scope="module")
def data():
    return make_mixed_classification(2000, weights=(0.7,), random_state=0)


@pytest.fixture(scope="module")
def test_data():
    return make_mixed_classification(3000, weights=(0.7,), random_state=5)


def _sampler(**kw):
    return FairResampler(
        GaussianCopulaGenerator(random_state=0),
        sensitive_features="plan",
        random_state=0,
        **kw,
    )


def _gap(X, y):
    rates = y.groupby(X["plan"], observed=True).mean()
    return rates.max() - rates.min()


def test_strength_zero_is_the_data_and_gaps_shrink_with_strength(data):
    X, y = data
    X0, y0 = _sampler(strength=0.0).fit_resample(X, y)
    pd.testing.assert_frame_equal(X0, X)
    assert (np.asarray(y0) == np.asarray(y)).all()
    gaps, sizes = [], []
    for s in (0.0, 0.25, 0.5, 0.75, 1.0):
        sampler = _sampler(strength=s)
        X_res, y_res = sampler.fit_resample(X, y)
        gaps.append(_gap(X_res, y_res))
        sizes.append(len(X_res))
        assert len(X_res) == sampler.target_counts_.sum()
    assert gaps[0] > 0.25 and gaps[-1] < 0.01
    assert np.all(np.diff(gaps) < 0), gaps
    assert np.all(np.diff(sizes) > 0), sizes


@pytest.mark.parametrize("bad", [-0.1, 1.5, "1"])
def test_strength_is_validated(data, bad):
    X, y = data
    with pytest.raises((ValueError, TypeError), match="'strength' parameter"):
        _sampler(strength=bad).fit_resample(X, y)


def _downstream(downstream_model, sampler, X, y, Xte):
    with threadpool_limits(limits=1, user_api="openmp"):
        model = (
            make_pipeline(sampler, downstream_model())
            if sampler
            else (downstream_model())
        )
        return model.fit(X, y).predict(Xte)


def test_demographic_parity_strategy_targets_the_predictions(
    data, test_data, downstream_model
):
    """'parity' equalises the labels; 'demographic_parity' the predictions."""
    X, y = data
    Xte, yte = test_data

    def run(sampler):
        pred = _downstream(downstream_model, sampler, X, y, Xte)
        return demographic_parity_difference(
            yte, pred, sensitive_features=Xte["region"]
        )

    def fair(**kw):
        return FairResampler(
            GaussianCopulaGenerator(random_state=0),
            sensitive_features="region",
            random_state=0,
            **kw,
        )

    base = run(None)
    labels = run(fair())
    sampler = fair(strategy="demographic_parity", resampling="under")
    preds = run(sampler)
    assert list(sampler.group_thresholds_.index.names) == ["region"]
    assert sampler.group_thresholds_.between(0.3, 0.85).all()
    # measured: none 0.168, parity of the labels 0.093, of the predictions 0.049
    assert preds < 0.6 * base and preds < 0.7 * labels, (base, labels, preds)


def test_extreme_shifts_warn(data):
    """On 'plan' the thresholds are extreme (0.97 / 0.04): a warning."""
    X, y = data
    with pytest.warns(UserWarning, match="more than 10"):
        _sampler(strategy="demographic_parity").fit_resample(X, y)


def test_equal_opportunity_strategy_lowers_the_tpr_gap(
    data, test_data, downstream_model
):
    X, y = data
    Xte, yte = test_data

    def eod(pred):
        return equal_opportunity_difference(yte, pred, sensitive_features=Xte["plan"])

    base = eod(_downstream(downstream_model, None, X, y, Xte))
    sampler = _sampler(strategy="equal_opportunity")
    fair = eod(_downstream(downstream_model, sampler, X, y, Xte))
    assert fair < 0.5 * base, (base, fair)  # measured: 0.356 -> 0.118


def test_prediction_strategies_need_a_binary_label(data):
    X, _ = data
    y3 = pd.Series(np.arange(len(X)) % 3)
    with pytest.raises(ValueError, match="needs a binary label"):
        _sampler(strategy="equal_opportunity").fit_resample(X, y3)
