"""make_fairness_scorer: GridSearchCV picks a point on the fairness curve."""

import numpy as np
import pytest
import sklearn
from imblearn.pipeline import Pipeline, make_pipeline
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import OrdinalEncoder

from sksynth.datasets import make_mixed_classification
from sksynth.generators import GaussianCopulaGenerator
from sksynth.metrics import (
    demographic_parity_difference,
    equal_opportunity_difference,
    make_fairness_scorer,
)
from sksynth.samplers import FairResampler

GRID = {"fair__strength": [0.0, 0.5, 1.0]}


@pytest.fixture(scope="module")
def data():
    return make_mixed_classification(1500, weights=(0.7,), random_state=0)


def _model(cats, sensitive_features="plan"):
    return Pipeline(
        [
            (
                "fair",
                FairResampler(
                    GaussianCopulaGenerator(random_state=0),
                    sensitive_features=sensitive_features,
                    min_cell_size=5,
                    random_state=0,
                ),
            ),
            (
                "enc",
                make_column_transformer(
                    (OrdinalEncoder(), cats), remainder="passthrough"
                ),
            ),
            (
                "clf",
                HistGradientBoostingClassifier(
                    max_iter=30,
                    categorical_features=list(range(len(cats))),
                    random_state=0,
                ),
            ),
        ]
    )


def test_weight_moves_the_choice_along_the_curve(data):
    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    chosen, dpds = {}, {}
    for weight in (0.0, 3.0):
        scorer = make_fairness_scorer(sensitive_features="plan", weight=weight)
        search = GridSearchCV(
            _model(["region", "plan"]), GRID, scoring=scorer, cv=cv
        ).fit(X, y)
        chosen[weight] = search.best_params_["fair__strength"]
    # the same curve, scored by its two components
    dpd_scorer = make_fairness_scorer(sensitive_features="plan")
    search = GridSearchCV(
        _model(["region", "plan"]),
        GRID,
        cv=cv,
        refit=False,
        scoring={
            "acc": "accuracy",
            "fair": lambda est, X, y: -dpd_scorer.components(est, X, y)[1],
        },
    ).fit(X, y)
    dpds = -search.cv_results_["mean_test_fair"]
    acc = search.cv_results_["mean_test_acc"]
    # strength buys parity (measured: DPD 0.49 at strength 0, 0.34 at 1)
    assert dpds[0] > 0.4 and dpds[-1] < 0.8 * dpds[0], dpds
    assert chosen[0.0] == GRID["fair__strength"][int(np.argmax(acc))]
    assert chosen[3.0] == 1.0 != chosen[0.0]


def test_max_difference_picks_the_most_accurate_feasible_point(data):
    X, y = data
    scorer = make_fairness_scorer(sensitive_features="plan", max_difference=0.05)
    model = _model(["region", "plan"]).fit(X, y)
    acc, diff = scorer.components(model, X, y)
    expected = acc if diff <= 0.05 else acc - 1 - (diff - 0.05)
    assert scorer(model, X, y) == pytest.approx(expected)
    assert diff == pytest.approx(
        demographic_parity_difference(y, model.predict(X), sensitive_features=X["plan"])
    )


def test_routed_sensitive_features(data):
    """The groups reach both the resampler and the scorer, fold by fold."""
    X, y = data
    S = X["plan"].to_numpy()
    Xn = X.drop(columns="plan")
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        model = _model(["region"], sensitive_features=None)
        model.named_steps["fair"].set_fit_resample_request(sensitive_features=True)
        scorer = make_fairness_scorer(weight=3.0)
        search = GridSearchCV(model, GRID, scoring=scorer, cv=cv).fit(
            Xn, y, sensitive_features=S
        )
        assert search.best_params_["fair__strength"] == 1.0
        # the score of one fold is the fold's accuracy minus 3 x its DPD
        train, test = next(cv.split(Xn, y))
        est = model.set_params(fair__strength=1.0).fit(
            Xn.iloc[train], y.iloc[train], sensitive_features=S[train]
        )
        pred = est.predict(Xn.iloc[test])
        expected = np.mean(pred == y.iloc[test]) - 3.0 * (
            demographic_parity_difference(
                y.iloc[test], pred, sensitive_features=S[test]
            )
        )
        assert search.cv_results_["split0_test_score"][-1] == pytest.approx(expected)
    with pytest.raises(ValueError, match="needs the sensitive features"):
        scorer(est, Xn, y)
    with pytest.raises(ValueError, match="given twice"):
        make_fairness_scorer(sensitive_features="plan")(
            _model(["region", "plan"]).fit(X, y), X, y, sensitive_features=S
        )


def test_bad_arguments():
    with pytest.raises(ValueError, match="Unknown fairness 'parity'"):
        make_fairness_scorer(fairness="parity")
    with pytest.raises(ValueError, match="weight"):
        make_fairness_scorer(weight=-1)
    with pytest.raises(ValueError, match="max_difference"):
        make_fairness_scorer(max_difference=2)
    with pytest.raises(TypeError, match="metric"):
        make_fairness_scorer(metric=3)
    X, y = make_mixed_classification(100, random_state=0)
    model = make_pipeline(
        make_column_transformer(
            (OrdinalEncoder(), ["region", "plan"]), remainder="passthrough"
        ),
        HistGradientBoostingClassifier(max_iter=5),
    ).fit(X, y)
    with pytest.raises(ValueError, match=r"\['sex'\] not in X"):
        make_fairness_scorer(sensitive_features="sex")(model, X, y)


def test_equal_opportunity_difference_matches_fairlearn():
    metrics = pytest.importorskip("fairlearn.metrics")
    rng = np.random.RandomState(0)
    y, pred = rng.randint(0, 2, 500), rng.randint(0, 2, 500)
    g = rng.choice(["a", "b", "c"], 500)
    assert equal_opportunity_difference(y, pred, sensitive_features=g) == (
        pytest.approx(
            metrics.equal_opportunity_difference(y, pred, sensitive_features=g)
        )
    )
