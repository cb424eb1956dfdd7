"""FairResampler: targets met, pipelines, metadata routing, errors."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from imblearn.pipeline import Pipeline, make_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedKFold, cross_validate
from threadpoolctl import threadpool_limits

from sksynth.datasets import make_mixed_classification
from sksynth.generators import GaussianCopulaGenerator
from sksynth.metrics import demographic_parity_difference
from sksynth.samplers import FairResampler


@pytest.fixture(scope="module")
def data():
    X, y = make_mixed_classification(2000, weights=(0.7,), random_state=0)
    return X, y


def _rates(X, y, cols):
    return y.groupby([X[c] for c in cols], observed=True).mean()


def test_parity_equalises_positive_rates(data):
    X, y = data
    before = _rates(X, y, ["plan"])
    assert before.max() - before.min() > 0.25  # the data is unfair to start with
    sampler = FairResampler(sensitive_features="plan", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    after = _rates(X_res, y_res, ["plan"])
    # rounding of cell sizes is the only slack: < 1 row per group
    n_min = X_res["plan"].value_counts().min()
    assert after.max() - after.min() < 1.0 / n_min
    assert abs(y_res.mean() - y.mean()) < 0.005  # the overall rate is kept
    # original rows first and untouched; dtypes and categories kept
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    assert X_res.dtypes.equals(X.dtypes)
    assert (sampler.target_counts_ >= sampler.cell_counts_).all()
    assert len(X_res) == sampler.target_counts_.sum()
    # generated rows are not copies of real rows
    new = X_res.iloc[len(X):]
    assert len(new) > 100
    merged = new.merge(X.drop_duplicates(), how="inner")
    assert len(merged) < 0.05 * len(new)


@pytest.mark.parametrize("resampling", ["under", "both"])
def test_parity_with_under_sampling(data, resampling):
    X, y = data
    sampler = FairResampler(
        sensitive_features="plan", resampling=resampling, random_state=0
    )
    X_res, y_res = sampler.fit_resample(X, y)
    after = _rates(X_res, y_res, ["plan"])
    assert after.max() - after.min() < 1.0 / X_res["plan"].value_counts().min()
    sizes_before = X["plan"].value_counts().sort_index()
    sizes_after = X_res["plan"].value_counts().sort_index()
    if resampling == "under":
        assert sampler.generator_ is None
        assert len(X_res) < len(X)
        # every kept row is a real row
        assert len(X_res.merge(X.drop_duplicates(), how="inner")) == len(X_res)
    else:  # group sizes kept (Kamiran-Calders uniform sampling)
        assert np.all(np.abs(sizes_after - sizes_before) <= 1)


@pytest.mark.parametrize(
    "resampling, size", [("over", "max"), ("under", "min"), ("both", "mean")]
)
def test_equal_cells(data, resampling, size):
    X, y = data
    sampler = FairResampler(
        sensitive_features="region", strategy="equal_cells",
        resampling=resampling, random_state=0,
    )
    X_res, y_res = sampler.fit_resample(X, y)
    cells = pd.crosstab(X_res["region"], y_res)
    expected = getattr(sampler.cell_counts_, size)()
    assert (cells.to_numpy() == round(expected)).all()


def test_intersectional_groups(data):
    X, y = data
    cols = ["region", "plan"]
    with pytest.raises(ValueError, match=r"\('west', 'premium', 1\): 1 rows"):
        FairResampler(sensitive_features=cols).fit_resample(X, y)
    sampler = FairResampler(sensitive_features=cols, min_cell_size=1, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.cell_counts_.index.names == ["region", "plan", "y"]
    assert len(sampler.cell_counts_) == 4 * 3 * 2
    before = _rates(X, y, cols)
    after = _rates(X_res, y_res, cols)
    assert before.max() - before.min() > 0.3
    sizes = X_res.groupby(cols, observed=True).size()
    assert after.max() - after.min() < 1.0 / sizes.min()


def test_dict_and_callable_strategy(data):
    X, y = data
    X_res, y_res = FairResampler(
        sensitive_features="region", strategy={("west", 1): 100}, random_state=0
    ).fit_resample(X, y)
    cells = pd.crosstab(X_res["region"], y_res)
    assert cells.loc["west", 1] == 100
    assert (cells.drop(index="west").to_numpy()
            == pd.crosstab(X["region"], y).drop(index="west").to_numpy()).all()

    def double_positives(counts):
        return {k: 2 * v for k, v in counts.items() if k[-1] == 1}

    sampler = FairResampler(
        sensitive_features="region", strategy=double_positives, random_state=0
    )
    _, y_res = sampler.fit_resample(X, y)
    assert (y_res == 1).sum() == 2 * (y == 1).sum()

    with pytest.raises(ValueError, match="only adds rows"):
        FairResampler(
            sensitive_features="region", strategy={("west", 1): 1}
        ).fit_resample(X, y)
    with pytest.raises(ValueError, match="Unknown cell"):
        FairResampler(
            sensitive_features="region", strategy={("mars", 1): 10}
        ).fit_resample(X, y)


def test_numeric_sensitive_feature_is_binned(data):
    X, y = data
    sampler = FairResampler(sensitive_features="age", n_bins=3, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.cell_counts_.index.get_level_values("age").nunique() == 3
    bins = pd.cut(
        X_res["age"],
        [-np.inf, *np.quantile(X["age"], [1 / 3, 2 / 3]), np.inf],
        right=False,
    )
    rates = y_res.groupby(bins, observed=True).mean()
    assert rates.max() - rates.min() < 0.01
    # generated ages are ages seen in the cell
    assert set(X_res["age"].iloc[len(X):]) <= set(X["age"])


def test_numpy_input_and_index(data):
    X, y = data
    Xa = X[["age", "income", "n_products"]].to_numpy()
    Xa = np.column_stack([Xa, (X["plan"].cat.codes).to_numpy()]).astype(float)
    X_res, y_res = FairResampler(
        sensitive_features=3, random_state=0
    ).fit_resample(Xa, y.to_numpy())
    assert isinstance(X_res, np.ndarray) and X_res.dtype == np.float64
    rates = pd.Series(y_res).groupby(X_res[:, 3]).mean()
    assert rates.max() - rates.min() < 0.01


def test_tiny_cells_error_clearly(data):
    X, y = data
    X = X.copy()
    X.loc[X.index[:3], "region"] = "island"
    y = y.copy()
    y.iloc[:3] = 1  # island: 3 positives, no negatives
    with pytest.raises(ValueError, match=r"Cells too small.*'island', 0\): 0 rows"):
        FairResampler(sensitive_features="region", random_state=0).fit_resample(X, y)


def test_empty_cell_fallback(data):
    X, y = data
    X = X.copy()
    X.loc[X.index[:30], "region"] = "island"
    y = y.copy()
    y.iloc[:30] = 1  # island: 30 positives, no negatives
    X_res, y_res = FairResampler(
        sensitive_features="region", min_cell_size=0, random_state=0
    ).fit_resample(X, y)
    island = X_res["region"] == "island"
    assert abs(y_res[island].mean() - y.mean()) < 0.01


def test_bad_sensitive_features(data):
    X, y = data
    with pytest.raises(ValueError, match="needs sensitive features"):
        FairResampler().fit_resample(X, y)
    with pytest.raises(ValueError, match="Unknown sensitive feature 'sex'"):
        FairResampler(sensitive_features="sex").fit_resample(X, y)
    with pytest.raises(ValueError, match="given twice"):
        FairResampler(sensitive_features="plan").fit_resample(
            X, y, sensitive_features=X["plan"]
        )
    X2 = X.copy()
    X2["plan"] = X2["plan"].astype(object)
    X2.loc[X2.index[:50], "plan"] = np.nan
    with pytest.raises(ValueError, match="sensitive value is missing"):
        FairResampler(sensitive_features="plan").fit_resample(X2, y)
    with pytest.raises(ValueError, match="2 classes"):
        FairResampler(sensitive_features="plan").fit_resample(X, np.zeros(len(X)))


def test_routed_sensitive_features_are_modelled_not_returned(data):
    X, y = data
    S = X["plan"]
    Xn = X.drop(columns="plan")
    sampler = FairResampler(random_state=0)
    X_res, y_res = sampler.fit_resample(Xn, y, sensitive_features=S)
    assert list(X_res.columns) == list(Xn.columns)
    assert sampler.cell_counts_.index.names == ["plan", "y"]
    # generated rows follow their (hidden) group: premium rows are richer
    gen = sampler.generator_
    Xp, _ = gen.sample(400, conditions={"__sensitive_0__": "premium"}, random_state=0)
    Xb, _ = gen.sample(400, conditions={"__sensitive_0__": "basic"}, random_state=0)
    assert Xp["income"].median() > 1.2 * Xb["income"].median()


class _Recorder(ClassifierMixin, BaseEstimator):
    """Records what it is fitted on and predicts on."""

    predict_sizes = []

    def fit(self, X, y):
        self.fit_shape_ = X.shape
        self.fit_y_ = np.asarray(y)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        type(self).predict_sizes.append(len(X))
        return np.full(len(X), self.classes_[0])


def test_pipeline_resamples_training_folds_only(data):
    X, y = data
    _Recorder.predict_sizes = []
    pipe = make_pipeline(
        FairResampler(sensitive_features="plan", random_state=0), _Recorder()
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    out = cross_validate(pipe, X, y, cv=cv, return_estimator=True)
    for est, (train, test) in zip(out["estimator"], cv.split(X, y)):
        sampler = FairResampler(sensitive_features="plan", random_state=0)
        X_res, _ = sampler.fit_resample(X.iloc[train], y.iloc[train])
        assert est[-1].fit_shape_[0] == len(X_res) > len(train)
    # predictions on test folds are never resampled
    assert sorted(_Recorder.predict_sizes) == sorted(
        len(test) for _, test in cv.split(X, y)
    )


def test_metadata_routing(data):
    X, y = data
    S = X["plan"].to_numpy()
    Xn = X.drop(columns="plan")
    expected, _ = FairResampler(random_state=0).fit_resample(
        Xn, y, sensitive_features=S
    )
    with sklearn.config_context(enable_metadata_routing=True):
        sampler = FairResampler(random_state=0).set_fit_resample_request(
            sensitive_features=True
        )
        pipe = Pipeline([("fair", sampler), ("clf", _Recorder())])
        pipe.fit(Xn, y, sensitive_features=S)
        assert pipe[-1].fit_shape_ == expected.shape
        # cross-validation splits the routed values with the rows
        cv = StratifiedKFold(3, shuffle=True, random_state=0)
        out = cross_validate(
            pipe, Xn, y, cv=cv, params={"sensitive_features": S},
            return_estimator=True,
        )
        train = next(cv.split(Xn, y))[0]
        fold0, y0 = FairResampler(random_state=0).fit_resample(
            Xn.iloc[train], y.iloc[train], sensitive_features=S[train]
        )
        assert out["estimator"][0][-1].fit_shape_ == fold0.shape
        # the fitted model saw equal positive rates in the hidden groups
        n_train = len(train)
        groups = np.concatenate(
            [S[train], np.asarray(
                [k[0] for k, d in out["estimator"][0][0].sampling_strategy_.items()
                 for _ in range(d)], dtype=object)]
        )
        rates = pd.Series(out["estimator"][0][-1].fit_y_).groupby(groups).mean()
        assert rates.max() - rates.min() < 0.01
        assert len(groups) == len(y0) and n_train < len(y0)


def test_parity_reduces_downstream_disparity(data, downstream_model):
    """A model trained on parity-resampled data predicts more evenly."""
    X, y = make_mixed_classification(2000, weights=(0.7,), random_state=1)
    Xte, yte = make_mixed_classification(2000, weights=(0.7,), random_state=2)

    def dpd(model):
        return demographic_parity_difference(
            yte, model.predict(Xte), sensitive_features=Xte["plan"])

    clf = downstream_model()
    # small data: one OpenMP thread avoids oversubscription on shared CPUs
    with threadpool_limits(limits=1, user_api="openmp"):
        base = clone(clf).fit(X, y)
        fair = make_pipeline(
            FairResampler(
                GaussianCopulaGenerator(random_state=0),
                sensitive_features="plan", random_state=0,
            ),
            clf,
        ).fit(X, y)
    d0, d1 = dpd(base), dpd(fair)
    assert d1 < 0.75 * d0, (d0, d1)
