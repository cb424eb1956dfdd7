import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

from sksynth.datasets import make_mixed_classification
from sksynth.metrics import (
    dcr_ratio,
    dcr_share,
    detection_auc,
    detection_score,
    distances_to_closest_record,
    exact_copy_rate,
    membership_inference_auc,
    nndr,
    precision_recall,
)


def _table(n, seed):
    X, y = make_mixed_classification(n, random_state=seed)
    return X.assign(churn=y)


@pytest.fixture(scope="module")
def tables():
    return _table(1500, 0), _table(1500, 1), _table(1500, 2)


def test_detection_fresh_near_half_shifted_near_one(tables):
    real, fresh, _ = tables
    auc = detection_auc(real, fresh, max_samples=400, cv=3, random_state=0)
    assert 0.4 < auc < 0.6
    shifted = fresh.assign(income=fresh["income"] * 3)
    assert detection_auc(real, shifted, max_samples=400, cv=3, random_state=0) > 0.85
    assert detection_score(real, shifted, max_samples=400, cv=3, random_state=0) < 0.3


def test_detection_identical_is_not_separable(tables):
    real = tables[0]
    assert detection_auc(real, real, max_samples=400, cv=3, random_state=0) < 0.55


def test_detection_deterministic_and_custom_classifier(tables):
    real, fresh, _ = tables
    a = detection_auc(real, fresh, max_samples=400, cv=3, random_state=3)
    b = detection_auc(real, fresh, max_samples=400, cv=3, random_state=3)
    assert a == b
    auc = detection_auc(real, fresh, classifier=LogisticRegression(max_iter=500),
                        max_samples=400, cv=3, random_state=0)
    assert 0.4 < auc < 0.6
    with pytest.raises(TypeError, match="classifier"):
        detection_auc(real, fresh, classifier=NearestNeighbors())


def test_privacy_of_copies(tables):
    real, _, holdout = tables
    assert exact_copy_rate(real, real) == 1.0
    assert dcr_share(real, real, holdout, random_state=0) == 1.0
    # (euclidean distances of a row to itself are zero up to rounding)
    assert dcr_ratio(real, real, holdout, random_state=0) == pytest.approx(0, abs=1e-6)
    assert membership_inference_auc(real, real, holdout, random_state=0) > 0.99
    assert nndr(real, real, random_state=0) < 0.01


def test_privacy_of_fresh_samples(tables):
    real, fresh, holdout = tables
    assert exact_copy_rate(real, fresh) < 0.01
    assert 0.4 < dcr_share(real, fresh, holdout, random_state=0) < 0.6
    assert 0.85 < dcr_ratio(real, fresh, holdout, random_state=0) < 1.15
    assert 0.45 < membership_inference_auc(real, fresh, holdout, random_state=0) < 0.55
    assert nndr(real, fresh, random_state=0) > 0.5


def test_half_copied_is_in_between(tables):
    real, fresh, holdout = tables
    mixed = pd.concat([real.iloc[:750], fresh.iloc[750:]], ignore_index=True)
    assert exact_copy_rate(real, mixed) == pytest.approx(0.5)
    share = dcr_share(real, mixed, holdout, random_state=0)
    assert 0.65 < share < 0.85
    assert 0.6 < membership_inference_auc(real, mixed, holdout, random_state=0) < 0.9


def test_membership_auc_matches_sklearn_roc_auc():
    rng = np.random.RandomState(0)
    real = rng.normal(size=(200, 1))
    holdout = rng.normal(size=(200, 1))
    synth = np.r_[real[:50] + 0.01, rng.normal(size=(150, 1))]
    nn = NearestNeighbors(n_neighbors=1).fit(synth)
    d = np.r_[nn.kneighbors(real)[0][:, 0], nn.kneighbors(holdout)[0][:, 0]]
    expected = roc_auc_score(np.r_[np.ones(200), np.zeros(200)], -d)
    got = membership_inference_auc(real, synth, holdout, max_samples=None,
                                   random_state=0)
    assert got == pytest.approx(expected)


def test_dcr_subsampling_cap_and_determinism(tables):
    real, fresh, holdout = tables
    d = distances_to_closest_record(real, fresh, holdout, max_samples=300,
                                    random_state=0)
    assert len(d) == 300
    d2 = distances_to_closest_record(real, fresh, holdout, max_samples=300,
                                     random_state=0)
    pd.testing.assert_frame_equal(d, d2)


def test_precision_recall_identical_collapsed_fresh():
    rng = np.random.RandomState(0)

    def mixture(n, seed, only_first=False):
        r = np.random.RandomState(seed)
        centre = np.where(r.uniform(size=n) < 0.5, -4.0, 4.0)
        if only_first:
            centre[:] = -4.0
        return pd.DataFrame({"a": centre + r.normal(size=n), "b": r.normal(size=n),
                             "c": np.where(centre > 0, "r", "l")})

    real = mixture(1000, 0)
    same = precision_recall(real, real, random_state=0)
    assert same["precision"] == 1.0 and same["recall"] == 1.0
    assert same["coverage"] == 1.0
    assert same["authenticity"] == 0.0
    fresh = precision_recall(real, mixture(1000, 1), random_state=0)
    assert fresh["precision"] > 0.9 and fresh["recall"] > 0.9
    assert fresh["coverage"] > 0.9 and 0.8 < fresh["density"] < 1.2
    assert 0.3 < fresh["authenticity"] < 0.7
    collapsed = precision_recall(real, mixture(1000, 2, only_first=True),
                                 random_state=0)
    assert collapsed["precision"] > 0.9
    assert collapsed["recall"] < 0.6 and collapsed["coverage"] < 0.6
    del rng


def test_seeded_metrics_are_deterministic(tables):
    real, fresh, holdout = tables
    real, fresh, holdout = real[:400], fresh[:400], holdout[:400]
    for metric in (precision_recall,):
        a = metric(real, fresh, max_samples=300, random_state=5)
        b = metric(real, fresh, max_samples=300, random_state=5)
        pd.testing.assert_series_equal(a, b)
    for metric in (dcr_share, dcr_ratio, membership_inference_auc):
        assert metric(real, fresh, holdout, max_samples=200, random_state=5) == \
            metric(real, fresh, holdout, max_samples=200, random_state=5)
    assert nndr(real, fresh, max_samples=200, random_state=5) == nndr(
        real, fresh, max_samples=200, random_state=5)
