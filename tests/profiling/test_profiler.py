"""DataIQProfiler: the reference's definitions, out-of-fold profiles, checkpoints."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from sksynth.datasets import make_mixed_classification
from sksynth.profiling import DataIQProfiler, profile_from_probabilities
from sksynth.profiling._scores import class_thresholds, confident_learning


def _reference_segments(P, uncertainty, percentile=None):
    """The reference implementation's definition, written out independently."""
    conf = np.mean(P, axis=1)
    if uncertainty == "dataiq":
        unc = np.mean(P * (1 - P), axis=1)
    else:
        unc = np.std(P, axis=1)
    below = unc <= (0.2 if percentile is None else np.percentile(unc, percentile))
    hard = np.where((conf <= 0.25) & below)[0]
    easy = np.where((conf >= 0.75) & below)[0]
    seg = np.array(["ambiguous"] * len(P), dtype=object)
    seg[easy], seg[hard] = "easy", "hard"
    return conf, unc, seg


@pytest.mark.parametrize("method", ["dataiq", "datamaps"])
@pytest.mark.parametrize("percentile", [None, 50])
def test_segments_equal_reference_definition(method, percentile):
    rng = np.random.RandomState(0)
    # rows drifting toward 0 or 1 over 10 checkpoints, some noisy, plus exact
    # boundary values (0.25, 0.75 confidence)
    start = rng.uniform(size=(600, 1))
    end = rng.choice([0.02, 0.5, 0.98], size=(600, 1))
    w = np.linspace(0, 1, 10)[None, :]
    P = np.clip((1 - w) * start + w * end + rng.normal(0, 0.05, (600, 10)), 0, 1)
    P[:5] = 0.25
    P[5:10] = 0.75
    conf, unc, seg = _reference_segments(P, method, percentile)
    out = profile_from_probabilities(
        P, method=method, thresholds={"percentile": percentile}
    )
    assert out["segment"].astype(str).tolist() == seg.tolist()
    np.testing.assert_allclose(out["confidence"], conf)
    key = "aleatoric" if method == "dataiq" else "variability"
    np.testing.assert_allclose(out[key], unc)
    assert set(seg) == {"easy", "ambiguous", "hard"}
    if percentile is None:  # the boundaries belong to hard and easy
        assert (out["segment"][:5] == "hard").all()
        assert (out["segment"][5:10] == "easy").all()


def _noisy(n=1500, rate=0.1, seed=0):
    X, y = make_mixed_classification(n, weights=(0.6, 0.4), random_state=seed)
    flip = np.random.RandomState(seed).rand(n) < rate
    return X, np.where(flip, 1 - y, y), flip


def test_profiler_segments_follow_the_definition():
    X, y, _ = _noisy(600)
    prof = DataIQProfiler(random_state=0).fit(X, y)
    assert prof.probabilities_.shape == (600, 10)
    ref = profile_from_probabilities(prof.probabilities_)
    assert ref["segment"].astype(str).tolist() == prof.segments_.tolist()
    dm = DataIQProfiler(method="datamaps", random_state=0).fit(X, y)
    ref = profile_from_probabilities(dm.probabilities_, method="datamaps")
    assert ref["segment"].astype(str).tolist() == dm.segments_.tolist()


def test_flipped_labels_land_in_hard_out_of_fold_better_than_in_sample():
    X, y, flip = _noisy()
    oof = DataIQProfiler(random_state=0).fit(X, y)
    ins = DataIQProfiler(cv=None, random_state=0).fit(X, y)

    def recall(p):
        return flip[p.segments_ == "hard"].sum() / flip.sum()

    # measured: out-of-fold 0.61 (precision 0.51), in-sample 0.03
    assert recall(oof) >= 0.55
    assert flip[oof.segments_ == "hard"].mean() >= 0.45
    assert recall(oof) >= recall(ins) + 0.3


def test_flipped_labels_adult(adult_train):
    df = adult_train.sample(8000, random_state=0).reset_index(drop=True)
    y = (df.pop("income") == ">50K").astype(int).to_numpy()
    flip = np.random.RandomState(0).rand(len(y)) < 0.1
    prof = DataIQProfiler(random_state=0).fit(df, np.where(flip, 1 - y, y))
    hard = prof.segments_ == "hard"
    # measured: recall 0.60, precision 0.72 (in-sample, cv=None: 0.43 / 0.86)
    assert flip[hard].sum() / flip.sum() >= 0.55
    assert flip[hard].mean() >= 0.65


def test_in_sample_profile_reproduced_by_profile():
    X, y, _ = _noisy(400)
    prof = DataIQProfiler(cv=None, random_state=0).fit(X, y)
    out = prof.profile(X, y)
    assert out["segment"].astype(str).tolist() == prof.segments_.tolist()
    np.testing.assert_allclose(out["confidence"], prof.confidence_)
    assert out.index.equals(X.index)


def test_profile_new_rows_uses_fold_models():
    X, y, flip = _noisy(1200)
    prof = DataIQProfiler(random_state=0).fit(X.iloc[:800], y[:800])
    out = prof.profile(X.iloc[800:], y[800:])
    assert len(prof.checkpoints_) == 5
    hard = out["segment"].to_numpy() == "hard"
    assert flip[800:][hard].mean() >= 0.6  # new flipped rows are found too


def test_mixed_types_missing_values_and_strings():
    rng = np.random.RandomState(0)
    n = 300
    x = rng.normal(size=n)
    X = pd.DataFrame(
        {
            "x": np.where(rng.rand(n) < 0.2, np.nan, x),
            "city": pd.array(rng.choice(["a", "b", "c"], n), dtype="str"),
            "level": pd.Categorical(np.where(x > 0, "hi", "lo")),
            "when": pd.date_range("2020-01-01", periods=n, freq="D"),
        }
    )
    y = pd.Series(np.where(x + rng.normal(0, 0.3, n) > 0, "yes", "no"))
    for est in (None, LogisticRegression(max_iter=20)):
        prof = DataIQProfiler(est, checkpoints=4, cv=3, random_state=0).fit(X, y)
        assert prof.classes_.tolist() == ["no", "yes"]
        assert (prof.segment_counts() > 0).sum() >= 2
        assert prof.encoding_ == ("codes" if est is None else "onehot")


@pytest.mark.parametrize(
    "estimator, kind",
    [
        (GradientBoostingClassifier(n_estimators=20), "staged"),
        (RandomForestClassifier(n_estimators=20), "warm_start"),
        (MLPClassifier(hidden_layer_sizes=(8,), max_iter=30), "warm_start"),
    ],
)
def test_checkpoint_kinds(estimator, kind):
    X, y, _ = _noisy(300)
    prof = DataIQProfiler(estimator, checkpoints=5, cv=3, random_state=0).fit(X, y)
    assert prof.checkpoints_[0].kind == kind
    assert prof.probabilities_.shape == (300, 5)
    # training moves the probabilities between checkpoints
    assert prof.variability_.mean() > 0.005
    assert np.isfinite(prof.confidence_).all()


try:
    import torch

    class Net(torch.nn.Module):
        def __init__(self, n_in=8):
            super().__init__()
            self.lin = torch.nn.Linear(n_in, 2)

        def forward(self, X):
            return torch.softmax(self.lin(X), dim=-1)

except ImportError:  # pragma: no cover
    Net = None


def test_skorch_epochs():
    pytest.importorskip("skorch")
    from skorch import NeuralNetClassifier

    X, y, _ = _noisy(300)
    n_in = DataIQProfiler(encode="onehot").fit(X, y).encoder_.n_features_out_
    net = NeuralNetClassifier(
        Net, module__n_in=n_in, max_epochs=6, lr=0.1, train_split=None, verbose=0
    )
    prof = DataIQProfiler(net, checkpoints=3, cv=3, random_state=0).fit(X, y)
    assert prof.checkpoints_[0].kind == "epochs"
    assert prof.checkpoints_[0].stages.tolist() == [2, 4, 6]
    assert prof.probabilities_.shape == (300, 3)


def test_confident_learning_matches_cleanlab():
    cleanlab = pytest.importorskip("cleanlab.filter")
    rng = np.random.RandomState(0)
    logits = rng.normal(size=(1500, 3)) * 2
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = np.array([rng.choice(3, p=r) for r in p])
    ours, seg = confident_learning(p, labels, class_thresholds(p, labels, 3))
    theirs = cleanlab.find_label_issues(labels, p, filter_by="confident_learning")
    assert ours.sum() > 50
    np.testing.assert_array_equal(ours, theirs)
    assert set(seg[ours]) == {"hard"}


def test_confident_learning_method():
    X, y, flip = _noisy()
    prof = DataIQProfiler(method="confident_learning", random_state=0).fit(X, y)
    assert prof.label_issues_.dtype == bool
    np.testing.assert_array_equal(prof.label_issues_, prof.segments_ == "hard")
    assert flip[prof.label_issues_].sum() / flip.sum() >= 0.65
    out = prof.profile(X.iloc[:50], y[:50])
    assert "label_issue" in out


def test_errors():
    X, y, _ = _noisy(100)
    with pytest.raises(ValueError, match="SVC"):
        DataIQProfiler(SVC(probability=True)).fit(X, y)
    with pytest.raises(ValueError, match="confidence"):
        DataIQProfiler(thresholds={"confidence": 0.7}).fit(X, y)
    with pytest.raises(ValueError, match="Unknown thresholds"):
        DataIQProfiler(thresholds={"conf": 0.2}).fit(X, y)
    with pytest.raises(ValueError, match="single class"):
        DataIQProfiler().fit(X, np.zeros(100, dtype=int))
    with pytest.raises(ValueError, match="method"):
        DataIQProfiler(method="nope").fit(X, y)
    prof = DataIQProfiler(cv=3, checkpoints=3, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="not seen in fit"):
        prof.profile(X.iloc[:3], [0, 1, 7])
    with pytest.raises(ValueError, match="every test fold"):
        from sklearn.model_selection import train_test_split

        tt = [train_test_split(np.arange(100), test_size=0.2, random_state=0)]
        DataIQProfiler(cv=tt).fit(X, y)


def test_clone_seed_and_custom_cv():
    X, y, _ = _noisy(300)
    a = DataIQProfiler(cv=KFold(3), checkpoints=3, random_state=0).fit(X, y)
    b = clone(a).fit(X, y)
    np.testing.assert_array_equal(a.probabilities_, b.probabilities_)
    assert a.get_params()["cv"].n_splits == 3


def test_plot_data_map():
    import matplotlib.pyplot as plt

    X, y, _ = _noisy(300)
    prof = DataIQProfiler(cv=3, random_state=0).fit(X, y)
    ax = prof.plot_data_map()
    assert len(ax.collections) == 3
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("easy") and labels[2].startswith("hard")
    plt.close("all")


def test_sklearn_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(
        DataIQProfiler(cv=3, checkpoints=3, random_state=0), on_fail=None
    )
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert not failed, failed
    assert len(results) > 30


def test_encode_none_and_percentile_threshold():
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y, _ = _noisy(300)
    X = X[["age", "income", "region"]].astype({"region": "category"})
    est = HistGradientBoostingClassifier(max_iter=20, categorical_features="from_dtype")
    prof = DataIQProfiler(est, encode="none", cv=3, checkpoints=4, random_state=0)
    prof.fit(X, y)
    assert prof.encoding_ == "none" and prof.probabilities_.shape == (300, 4)
    q = DataIQProfiler(cv=3, thresholds={"percentile": 40}, random_state=0).fit(X, y)
    assert q.uncertainty_threshold_ == pytest.approx(np.percentile(q.aleatoric_, 40))
    low = q.aleatoric_ <= q.uncertainty_threshold_
    assert set(q.segments_[~low]) == {"ambiguous"}
