from collections import Counter

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, cross_validate

from sksynth.base import BaseGenerator
from sksynth.datasets import make_mixed_classification
from sksynth.generators import GaussianCopulaGenerator
from sksynth.samplers import GenerativeOverSampler


def test_sampling_strategy_semantics_match_imblearn():
    X, y = make_mixed_classification(400, weights=(0.85,), random_state=0)
    Xn = X[["age", "income", "n_products"]].to_numpy(dtype=float)
    for strategy in ["auto", 0.5, {0: 340, 1: 200}, "all"]:
        ours = GenerativeOverSampler(random_state=0, sampling_strategy=strategy)
        ref = SMOTE(random_state=0, sampling_strategy=strategy)
        assert Counter(ours.fit_resample(Xn, y)[1]) == Counter(
            ref.fit_resample(Xn, y)[1]
        )


def test_multiclass_numpy_and_dtypes():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4)).astype(np.float32)
    y = np.repeat([0, 1, 2], [200, 70, 30])
    X[y == 2] += 3
    X_res, y_res = GenerativeOverSampler(random_state=0).fit_resample(X, y)
    assert X_res.dtype == np.float32 and Counter(y_res) == {0: 200, 1: 200, 2: 200}
    new2 = X_res[300:][y_res[300:] == 2]
    assert abs(new2.mean() - X[y == 2].mean()) < 0.3  # generated class 2 is shifted too


def test_tiny_minority_where_smote_fails():
    X, y = make_mixed_classification(200, weights=(0.98,), random_state=1)
    assert (y == 1).sum() == 4
    Xn = X[["age", "income"]].to_numpy(dtype=float)
    with pytest.raises(ValueError):
        SMOTE().fit_resample(Xn, y)
    with pytest.warns(UserWarning, match="fewer than 5 rows"):
        X_res, y_res = GenerativeOverSampler(random_state=0).fit_resample(X, y)
    assert Counter(y_res)[1] == 196 and X_res.dtypes.equals(X.dtypes)


class _Recorder(BaseEstimator, ClassifierMixin):
    def fit(self, X, y):
        self.n_seen_ = len(X)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


def test_pipeline_resamples_training_folds_only():
    X, y = make_mixed_classification(300, weights=(0.9,), random_state=0)
    pipe = make_pipeline(GenerativeOverSampler(random_state=0), _Recorder())
    pipe.fit(X, y)
    assert pipe[-1].n_seen_ == 2 * 270
    assert len(pipe.predict(X)) == 300  # predict sees the real rows, untouched


def test_grid_search_over_generator_and_its_params():
    X, y = make_mixed_classification(600, weights=(0.9,), random_state=0)
    X = X.astype({"region": "category"})
    pipe = make_pipeline(
        GenerativeOverSampler(GaussianCopulaGenerator(), random_state=0),
        HistGradientBoostingClassifier(max_iter=20, categorical_features="from_dtype"),
    )
    grid = {
        "generativeoversampler__sampling_strategy": [0.5, 1.0],
        "generativeoversampler__generator__marginals": ["empirical", "normal"],
    }
    search = GridSearchCV(pipe, grid, scoring="average_precision", cv=3).fit(X, y)
    assert search.best_score_ > 0.3
    res = cross_validate(
        search.best_estimator_, X, y, cv=3, scoring="average_precision"
    )
    assert np.all(np.isfinite(res["test_score"]))


class _NoConditionGenerator(BaseGenerator):
    """Draws rows of the training table at random (rejection conditioning)."""

    _parameter_constraints = {"random_state": ["random_state"]}

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, Z, random_state):
        self.Z_ = Z

    def _sample(self, n, conditions, random_state):
        return self.Z_[random_state.randint(len(self.Z_), size=n)].copy()


def test_any_generator_works_and_rejection_is_bounded():
    X, y = make_mixed_classification(300, weights=(0.9,), random_state=0)
    X_res, y_res = GenerativeOverSampler(
        _NoConditionGenerator(), random_state=0
    ).fit_resample(X, y)
    assert Counter(y_res) == {0: 270, 1: 270}
    gen = _NoConditionGenerator(random_state=0).fit(X)
    with pytest.raises(ValueError, match="too rare"):
        gen.sample(5, conditions={"income": float(X["income"].iloc[0]) + 0.004})


def test_single_class_is_refused():
    X, _ = make_mixed_classification(50, random_state=0)
    with pytest.raises(ValueError, match="class"):
        GenerativeOverSampler().fit_resample(X, np.zeros(50, dtype=int))


def _overlapping_classes(seed=0):
    """A minority blob half inside the majority: generators spill over."""
    rng = np.random.RandomState(seed)
    X = np.vstack([rng.normal(0, 1, (400, 2)), rng.normal(1.5, 0.6, (40, 2))])
    y = np.repeat([0, 1], [400, 40])
    return X, y


def test_knn_selection_keeps_rows_among_their_class():
    from sksynth.samplers._selection import neighbour_agreement

    X, y = _overlapping_classes()
    shares = {}
    for selection in ["random", "knn", "safest"]:
        gos = GenerativeOverSampler(
            GaussianCopulaGenerator(),
            selection=selection,
            n_neighbors=5,
            n_candidates=3,
            random_state=0,
        )
        X_res, y_res = gos.fit_resample(X, y)
        assert Counter(y_res) == {0: 400, 1: 400}
        new = X_res[len(X) :]
        shares[selection] = neighbour_agreement(X, y, new, y_res[len(X) :], 5)
    # measured: 23% of the raw draws lie among the majority (share < 0.5),
    # none after "knn"; mean shares 0.65 (raw), 0.75 ("knn": the rest kept
    # at random), 0.77 ("safest": the highest shares)
    assert (shares["random"] < 0.5).mean() > 0.15
    assert (shares["knn"] < 0.5).mean() == 0
    means = {k: v.mean() for k, v in shares.items()}
    assert means["random"] < 0.7 < means["knn"] < means["safest"]


def test_generator_sees_the_minority_and_a_bounded_context():
    X, y = make_mixed_classification(600, weights=(0.95,), random_state=0)
    n_min = int((y == 1).sum())
    for ratio, expected in [(2.0, 3 * n_min), (None, 600), (0.0, n_min)]:
        gos = GenerativeOverSampler(
            _NoConditionGenerator(), context_ratio=ratio, random_state=0
        )
        X_res, y_res = gos.fit_resample(X, y)
        assert len(gos.generator_.Z_) == expected
        assert Counter(y_res) == {0: 600 - n_min, 1: 600 - n_min}


def test_drop_per_block_leaves_out_low_scores_and_keeps_the_rest_at_random():
    from sksynth.samplers._selection import drop_per_block

    scores = np.array([0.1, 0.9, 0.5, 0.6, 0.2, 0.0, 0.7, 1.0])
    first = set()
    for seed in range(20):  # blocks of 4 candidates, one row kept per block
        a, b = drop_per_block(scores, [1, 1], 4, np.random.RandomState(seed))
        assert a in {1, 2, 3} and b in {6, 7}  # 0.5 and above
        first.add(a)
    assert first == {1, 2, 3}  # any of them, not only the highest (0.9)
    # too few pass: the best of the rest fill the block
    low = np.array([0.2, 0.0, 0.4, 0.3])
    assert drop_per_block(low, [2], 2, np.random.RandomState(0)).tolist() == [2, 3]


def test_knn_selection_is_reproducible_and_keeps_dtypes():
    X, y = make_mixed_classification(300, random_state=0)
    gos = GenerativeOverSampler(selection="knn", n_candidates=2, random_state=3)
    X1, y1 = gos.fit_resample(X, y)
    X2, y2 = gos.fit_resample(X, y)
    assert X1.equals(X2) and np.array_equal(y1, y2)
    assert X1.dtypes.equals(X.dtypes)
    assert Counter(y1) == Counter({0: 270, 1: 270})
    other = GenerativeOverSampler(selection="knn", n_candidates=2, random_state=4)
    assert not other.fit_resample(X, y)[0].equals(X1)


def test_top_per_block_keeps_the_best_of_each_block():
    from sksynth.samplers._selection import top_per_block

    rng = np.random.RandomState(0)
    scores = np.array([0.1, 0.9, 0.5, 0.2, 1.0, 1.0, 0.0, 0.3, 0.4, 0.8])
    # blocks of 2 * size candidates: sizes 2 (4 rows) and 3 (6 rows)
    kept = top_per_block(scores, [2, 3], 2, rng)
    assert kept.tolist() == [1, 2, 4, 5, 9]
    ties = np.zeros(20)
    picks = {
        tuple(top_per_block(ties, [1], 20, np.random.RandomState(s))) for s in range(10)
    }
    assert len(picks) > 5  # ties are broken at random, not by position


class _DigitGenerator:
    """Draws digits 0-9 uniformly (one column); counts the rows drawn."""

    def __init__(self):
        self.n_drawn = 0

    def sample(self, n, conditions=None, random_state=None):
        self.n_drawn += n
        return np.random.RandomState(random_state).randint(0, 10, (n, 1)), None


class _DigitScorer:
    """Score 1 - digit / 10: digits 0-5 pass the threshold 0.5."""

    def score(self, candidates, labels):
        return 1 - np.asarray(candidates)[:, 0] / 10


def test_rounds_keep_random_passing_rows_and_draw_fewer_candidates():
    gos = GenerativeOverSampler(n_candidates=3)
    gen = _DigitGenerator()
    rng = np.random.RandomState(0)
    kept = gos._draw_passing(gen, _DigitScorer(), 1, 3000, int, rng)[:, 0]
    assert len(kept) == 3000 and kept.max() <= 5  # all pass (60% of draws do)
    # uniform among the passing digits, as drop_per_block over 9,000 candidates
    share = np.bincount(kept, minlength=6) / 3000
    assert np.abs(share - 1 / 6).max() < 0.03
    # measured: 5,361 drawn and scored vs 9,000 (the budget)
    assert gen.n_drawn < 0.7 * 9000
    again = gos._draw_passing(
        _DigitGenerator(), _DigitScorer(), 1, 3000, int, np.random.RandomState(0)
    )
    assert np.array_equal(again[:, 0], kept)  # same seed, same rows


def test_rounds_fill_from_the_best_rejected_when_the_budget_is_spent():
    class _FewPass(_DigitScorer):  # only digit 0 passes (score 1.0 >= 0.5)
        def score(self, candidates, labels):
            return (
                0.45
                - np.asarray(candidates)[:, 0] / 20
                + (np.asarray(candidates)[:, 0] == 0)
            )

    gos = GenerativeOverSampler(n_candidates=2)
    gen = _DigitGenerator()
    kept = gos._draw_passing(gen, _FewPass(), 1, 1000, int, np.random.RandomState(1))
    kept = kept[:, 0]
    assert gen.n_drawn == 2000 and len(kept) == 1000  # the whole budget
    # every 0 drawn (~10% of 2,000) is kept, then 1s, 2s, ... : the best rejected
    assert (kept == 0).sum() > 150
    top = kept.max()
    assert (kept < top).sum() + (kept == top).sum() == 1000
    assert top <= 6  # 2,000 draws hold ~200 of each digit: 0-4 fill 1,000


def test_fill_from_rejected_takes_the_best_and_breaks_ties_at_random():
    from sksynth.samplers._selection import fill_from_rejected

    scores = np.array([0.1, 0.4, 0.3, 0.4, 0.0])
    picks = {
        tuple(fill_from_rejected(scores, 2, np.random.RandomState(s)))
        for s in range(20)
    }
    assert picks == {(1, 3)}
    picks = {
        tuple(fill_from_rejected(scores, 1, np.random.RandomState(s)))
        for s in range(20)
    }
    assert picks == {(1,), (3,)}


def test_knn_selection_scores_fewer_candidates(monkeypatch):
    from sksynth.samplers import _selection

    scored = []
    original = _selection.NeighbourScorer.score

    def counting(self, candidates, labels):
        scored.append(len(labels))
        return original(self, candidates, labels)

    monkeypatch.setattr(_selection.NeighbourScorer, "score", counting)
    X, y = _overlapping_classes()
    gos = GenerativeOverSampler(
        GaussianCopulaGenerator(), n_neighbors=5, random_state=0
    )
    X_res, y_res = gos.fit_resample(X, y)
    n_scored = sum(scored)
    shares = _selection.neighbour_agreement(X, y, X_res[len(X) :], y_res[len(X) :], 5)
    assert (shares >= 0.5).all()
    # 360 rows needed, budget 3 x 360; measured: 2 rounds, 398 + 77 scored
    assert n_scored < 0.6 * 3 * 360


def test_max_fit_rows_thins_the_minority_and_the_context_alike():
    X, y = make_mixed_classification(2000, weights=(0.9,), random_state=0)
    n_min = int((y == 1).sum())  # 200: 200 + 4 * 200 = 1,000 fit rows unbounded
    gos = GenerativeOverSampler(
        _NoConditionGenerator(), max_fit_rows=500, random_state=0
    )
    X_res, y_res = gos.fit_resample(X, y)
    assert len(gos.generator_.Z_) == 500
    fitted_y = gos.generator_.Z_[:, -1]  # the class is the last column
    assert (fitted_y == 1).sum() == n_min // 2  # 100 + 400: shares kept
    assert Counter(y_res) == {0: 2000 - n_min, 1: 2000 - n_min}
    unbounded = GenerativeOverSampler(
        _NoConditionGenerator(), max_fit_rows=None, random_state=0
    )
    unbounded.fit_resample(X, y)
    assert len(unbounded.generator_.Z_) == 5 * n_min
    with pytest.raises(ValueError, match="max_fit_rows"):
        GenerativeOverSampler(max_fit_rows=1).fit_resample(X, y)
