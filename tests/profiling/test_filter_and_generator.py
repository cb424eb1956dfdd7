"""HardExampleFilter and DataCentricGenerator."""

import pickle

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_predict

from sksynth.base import BaseGenerator
from sksynth.datasets import make_mixed_classification
from sksynth.generators import DataCentricGenerator, GaussianCopulaGenerator
from sksynth.metrics import make_generator_scorer
from sksynth.profiling import DataIQProfiler
from sksynth.samplers import GenerativeOverSampler, HardExampleFilter

FAST = DataIQProfiler(cv=3, checkpoints=5, random_state=0)


def _noisy(n=900, rate=0.1, seed=0):
    X, y = make_mixed_classification(n, weights=(0.6, 0.4), random_state=seed)
    flip = np.random.RandomState(seed).rand(n) < rate
    return X, np.where(flip, 1 - y, y), flip


class _Recorder(ClassifierMixin, BaseEstimator):
    """Logistic regression on the numeric columns that records its input sizes."""

    fitted_sizes = []
    predicted_sizes = []

    def fit(self, X, y):
        _Recorder.fitted_sizes.append(len(X))
        self.model_ = LogisticRegression().fit(X[["age", "income"]], y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        _Recorder.predicted_sizes.append(len(X))
        return self.model_.predict(X[["age", "income"]])


class _Bootstrap(BaseGenerator):
    """Test generator: draws real rows (so each drawn row names its source)."""

    _parameter_constraints: dict = {"random_state": ["random_state"]}

    def __init__(self, *, random_state=None):
        self.random_state = random_state

    def _fit(self, Z, random_state):
        self.Z_ = Z.copy()
        return self

    def _sample(self, n_samples, conditions, random_state):
        return self.Z_[random_state.randint(len(self.Z_), size=n_samples)]


# ------------------------------------------------------------------ filter
def test_filter_drops_exactly_the_profiled_segments():
    X, y, flip = _noisy()
    filt = HardExampleFilter(FAST, random_state=0)
    X_res, y_res = filt.fit_resample(X, y)
    seg = clone(FAST).fit(X, y).segments_
    np.testing.assert_array_equal(filt.sample_indices_, np.flatnonzero(seg != "hard"))
    assert filt.n_dropped_ == int((seg == "hard").sum()) > 0
    assert X_res.dtypes.equals(X.dtypes) and len(X_res) == len(y_res)
    # the dropped rows are mostly the flipped ones
    assert flip[seg == "hard"].mean() > 0.4  # measured 0.49 (10% flipped)
    assert flip[filt.sample_indices_].mean() < flip.mean() / 2
    both = HardExampleFilter(FAST, drop=["hard", "ambiguous"]).fit_resample(X, y)[0]
    assert len(both) < len(X_res)


def test_filter_resamples_training_folds_only():
    X, y, _ = _noisy(600)
    _Recorder.fitted_sizes.clear()
    _Recorder.predicted_sizes.clear()
    pipe = make_pipeline(HardExampleFilter(FAST, random_state=0), _Recorder())
    pred = cross_val_predict(pipe, X, y, cv=KFold(3))
    assert len(pred) == 600
    assert _Recorder.predicted_sizes == [200, 200, 200]  # every held-out row
    assert all(n < 400 for n in _Recorder.fitted_sizes)  # training folds shrank


def test_filter_errors():
    X, y, _ = _noisy(200)
    with pytest.raises(ValueError, match="unknown segments"):
        HardExampleFilter(FAST, drop=("bad",)).fit_resample(X, y)
    with pytest.raises(ValueError, match="every row of class"):
        HardExampleFilter(FAST, drop=("easy", "ambiguous", "hard")).fit_resample(X, y)


# --------------------------------------------------------------- generator
def test_drop_hard_preprocess_fits_on_the_other_rows():
    X, y, _ = _noisy()
    gen = DataCentricGenerator(
        GaussianCopulaGenerator(),
        preprocess="drop_hard",
        profiler=FAST,
        random_state=0,
    ).fit(X, y)
    n_hard = int((gen.segments_ == "hard").sum())
    assert gen.n_dropped_ == n_hard > 0
    # the base generator saw the easy and ambiguous rows only
    region = gen.generator_.schema_.column("region")
    assert sum(region.counts) == len(X) - n_hard


def test_per_segment_samples_in_the_real_proportions():
    X, y, _ = _noisy()
    X = X.assign(row_id=np.arange(len(X)).astype(float))
    gen = DataCentricGenerator(
        _Bootstrap(), preprocess="per_segment", profiler=FAST, random_state=0
    ).fit(X, y)
    assert set(gen.generators_) == {"easy", "ambiguous", "hard"}
    Xs, ys = gen.sample(4000, random_state=0)
    source = gen.segments_[Xs["row_id"].astype(int)]
    for s, share in gen.segment_shares_.items():
        assert abs(np.mean(source == s) - share) < 0.03, s
    # segments are interleaved, not in blocks
    assert len(set(source[:50])) > 1
    # conditioned draws: the segments in the proportions of the rows that meet
    # the condition, and the condition holds
    Xc, yc = gen.sample(3000, conditions={"region": "north"}, random_state=0)
    assert (Xc["region"] == "north").all()
    north = (X["region"] == "north").to_numpy()
    source = gen.segments_[Xc["row_id"].astype(int)]
    for s in gen.generators_:
        expected = np.mean(gen.segments_[north] == s)
        assert abs(np.mean(source == s) - expected) < 0.03, s
    Xt, yt = gen.sample(500, conditions={"y": 1}, random_state=1)
    assert (yt == 1).all()


def test_postprocess_drops_rows_profiled_hard_by_the_real_profiler():
    X, y, _ = _noisy()
    base = DataCentricGenerator(GaussianCopulaGenerator(), random_state=0).fit(X, y)
    post = DataCentricGenerator(
        GaussianCopulaGenerator(),
        postprocess="drop_hard",
        profiler=FAST,
        random_state=0,
    ).fit(X, y)
    Xs, ys = post.sample(1000, random_state=0)
    assert post.hard_share_ > 0.05  # measured 0.10 in the first draw
    assert not (post.profiler_.profile(Xs, ys)["segment"] == "hard").any()
    Xb, yb = base.sample(1000, random_state=0)
    assert (post.profiler_.profile(Xb, yb)["segment"] == "hard").mean() > 0.05
    # conditioned, too
    Xc, yc = post.sample(300, conditions={"region": "south"}, random_state=0)
    assert (Xc["region"] == "south").all()
    assert not (post.profiler_.profile(Xc, yc)["segment"] == "hard").any()


def test_grid_search_over_base_generator_parameters():
    X, y, _ = _noisy(400)
    gen = DataCentricGenerator(
        GaussianCopulaGenerator(), preprocess="drop_hard", profiler=FAST, random_state=0
    )
    search = GridSearchCV(
        gen,
        {"generator__shrinkage": [1.0, 100.0]},
        cv=2,
        scoring=make_generator_scorer("column_shapes"),
    ).fit(X, y)
    assert search.best_params_["generator__shrinkage"] in (1.0, 100.0)
    assert (
        search.best_estimator_.generator_.shrinkage
        == (search.best_params_["generator__shrinkage"])
    )


def test_inside_an_over_sampler_and_pickle():
    X, y, _ = _noisy(400)
    gen = DataCentricGenerator(
        GaussianCopulaGenerator(),
        preprocess="per_segment",
        postprocess="drop_hard",
        profiler=FAST,
    )
    sampler = GenerativeOverSampler(gen, selection="random", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res)[0] == np.bincount(y_res)[1]
    fitted = sampler.generator_
    again = pickle.loads(pickle.dumps(fitted))
    pd.testing.assert_frame_equal(
        fitted.sample(20, random_state=3)[0], again.sample(20, random_state=3)[0]
    )


def test_label_from_a_column_and_errors():
    X, y, _ = _noisy(300)
    X = X.assign(label=y)
    gen = DataCentricGenerator(
        GaussianCopulaGenerator(),
        preprocess="drop_hard",
        profiler=FAST,
        target="label",
        random_state=0,
    ).fit(X)
    assert gen.n_dropped_ > 0
    assert list(gen.sample(5).columns) == list(X.columns)
    with pytest.raises(ValueError, match="pass y to fit"):
        DataCentricGenerator(preprocess="drop_hard").fit(X)
    with pytest.raises(ValueError, match="not a column"):
        DataCentricGenerator(preprocess="drop_hard", target="nope").fit(X)
    plain = DataCentricGenerator(GaussianCopulaGenerator(), random_state=0).fit(X)
    assert plain.profiler_ is None and plain.n_dropped_ == 0
