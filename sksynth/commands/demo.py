"""``sksynth demo``: no resampling vs SMOTE vs GenerativeOverSampler, cross-validated.

Runs on data that needs no download: scikit-learn's breast-cancer table made
imbalanced (numeric), and sksynth's built-in mixed-type table with missing
values. Every resampler sits inside an imblearn Pipeline, so only training
folds are resampled.
"""

import time

import numpy as np
import pandas as pd

NAME = "demo"
HELP = (
    "Compare no resampling, imblearn's SMOTE/SMOTENC and GenerativeOverSampler "
    "in cross-validated pipelines on built-in data."
)


def add_arguments(parser):
    parser.add_argument("--folds", type=int, default=5, help="CV folds (default 5)")
    parser.add_argument(
        "--quick", action="store_true", help="smaller data and 3 folds (for CI)"
    )
    parser.add_argument("--seed", type=int, default=0)


def _datasets(quick, seed):
    from sklearn.datasets import load_breast_cancer

    from ..datasets import make_mixed_classification

    data = load_breast_cancer(as_frame=True)
    X, y = data.data, data.target.rename("malignant")
    y = 1 - y  # malignant = 1
    rng = np.random.RandomState(seed)
    pos = np.flatnonzero(y == 1)
    keep = np.concatenate([np.flatnonzero(y == 0), rng.choice(pos, 36, replace=False)])
    yield "breast_cancer (10% minority)", X.iloc[keep], y.iloc[keep], []
    n = 1500 if quick else 4000
    Xm, ym = make_mixed_classification(n, weights=(0.95,), random_state=seed)
    yield "built-in mixed (5% minority, NaN)", Xm, ym, ["region", "plan", "active"]


def _pipelines(categorical, n_features, seed):
    from imblearn.over_sampling import SMOTE, SMOTENC
    from imblearn.pipeline import make_pipeline
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OrdinalEncoder

    from ..generators import GaussianCopulaGenerator
    from ..samplers import GenerativeOverSampler

    def model():
        if not categorical:
            return [HistGradientBoostingClassifier(random_state=seed)]
        encode = make_column_transformer(
            (OrdinalEncoder(), categorical), remainder="passthrough"
        )
        mask = [True] * len(categorical) + [False] * (n_features - len(categorical))
        hgb = HistGradientBoostingClassifier(
            categorical_features=mask, random_state=seed
        )
        return [encode, hgb]

    def impute():
        # SMOTE/SMOTENC refuse NaN: impute numeric columns first (a user must)
        return make_column_transformer(
            (SimpleImputer(strategy="median"), ["balance"]),
            remainder="passthrough",
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")

    smote = (
        [impute(), SMOTENC(categorical_features=categorical, random_state=seed)]
        if categorical
        else [SMOTE(random_state=seed)]
    )
    copula = GenerativeOverSampler(GaussianCopulaGenerator(), random_state=seed)
    return {
        "no resampling": make_pipeline(*model()),
        "SMOTENC" if categorical else "SMOTE": make_pipeline(*smote, *model()),
        "GenerativeOverSampler()": make_pipeline(
            GenerativeOverSampler(random_state=seed), *model()
        ),
        "GenerativeOverSampler(copula)": make_pipeline(copula, *model()),
    }


def run_demo(folds=5, quick=False, seed=0):
    """Run the comparison and return the results as a DataFrame."""
    from sklearn.metrics import average_precision_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    rows = []
    folds = 3 if quick else folds
    for data_name, X, y, categorical in _datasets(quick, seed):
        cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
        for method, pipe in _pipelines(categorical, X.shape[1], seed).items():
            ap, f1, seconds = [], [], []
            for train, test in cv.split(X, y):
                start = time.perf_counter()
                pipe.fit(X.iloc[train], y.iloc[train])
                seconds.append(time.perf_counter() - start)
                proba = pipe.predict_proba(X.iloc[test])[:, 1]
                ap.append(average_precision_score(y.iloc[test], proba))
                f1.append(f1_score(y.iloc[test], pipe.predict(X.iloc[test])))
            rows.append(
                {
                    "data": data_name,
                    "method": method,
                    "average_precision": np.mean(ap),
                    "minority_f1": np.mean(f1),
                    "fit_seconds": np.mean(seconds),
                }
            )
    return pd.DataFrame(rows)


def run(args):
    table = run_demo(args.folds, args.quick, args.seed)
    with pd.option_context("display.width", 120, "display.precision", 3):
        print(table.to_string(index=False))
    return 0
