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
    parser.add_argument(
        "--folds", type=int, default=None, help="CV folds (default 5; 3 with --quick)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller data and 3 folds: about ten seconds (for CI and a first look)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--verbose",
        type=int,
        default=1,
        help="1: progress per fold and method on stderr (default); 0: only the table",
    )


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


_METRICS = ("average_precision", "minority_f1", "fit_seconds")


def run_demo(folds=None, quick=False, seed=0, verbose=1):
    """Run the comparison and return the results as a DataFrame.

    Parameters
    ----------
    folds : int, default=None
        Stratified CV folds (default 5, or 3 with ``quick``).
    quick : bool, default=False
        Smaller data (1500 mixed rows instead of 4000) and 3 folds.
    seed : int, default=0
        Seeds the data, the folds and every resampler and model.
    verbose : int, default=1
        1: progress per fold and method on stderr (a bar in a terminal,
        plain lines in a log); 0: silent.

    Returns
    -------
    table : DataFrame
        One row per data set and method: ``average_precision``,
        ``minority_f1`` and ``fit_seconds`` (means over the folds) and
        their standard deviations over the folds (``*_std``).
    """
    from sklearn.metrics import average_precision_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    from ..utils._progress import progress

    folds = (3 if quick else 5) if folds is None else folds
    plans = [
        (data_name, X, y, _pipelines(categorical, X.shape[1], seed))
        for data_name, X, y, categorical in _datasets(quick, seed)
    ]
    total = folds * sum(len(pipes) for *_, pipes in plans)
    rows = []
    with progress(total=total, desc="sksynth demo", verbose=verbose) as bar:
        for data_name, X, y, pipes in plans:
            cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
            for method, pipe in pipes.items():
                scores = {m: [] for m in _METRICS}
                for k, (train, test) in enumerate(cv.split(X, y), 1):
                    bar.set_postfix_str(f"{data_name}, {method}, fold {k}/{folds}")
                    start = time.perf_counter()
                    pipe.fit(X.iloc[train], y.iloc[train])
                    scores["fit_seconds"].append(time.perf_counter() - start)
                    proba = pipe.predict_proba(X.iloc[test])[:, 1]
                    scores["average_precision"].append(
                        average_precision_score(y.iloc[test], proba)
                    )
                    scores["minority_f1"].append(
                        f1_score(y.iloc[test], pipe.predict(X.iloc[test]))
                    )
                    bar.update(1)
                row = {"data": data_name, "method": method}
                for m in _METRICS:
                    row[m] = np.mean(scores[m])
                for m in _METRICS:
                    row[f"{m}_std"] = np.std(scores[m])
                rows.append(row)
    return pd.DataFrame(rows)


def format_table(table, folds):
    """The demo's table as text: ``mean ± std`` cells and a legend line.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`run_demo`.
    folds : int
        Number of folds behind the means (named in the legend).

    Returns
    -------
    text : str
        The table, then one line saying what each column means.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.commands.demo import format_table
    >>> t = pd.DataFrame({"data": ["d"], "method": ["m"],
    ...     "average_precision": [0.91], "average_precision_std": [0.02],
    ...     "minority_f1": [0.8], "minority_f1_std": [0.05],
    ...     "fit_seconds": [0.12], "fit_seconds_std": [0.01]})
    >>> print(format_table(t, 3))  # doctest: +ELLIPSIS
    data method average_precision   minority_f1   fit_seconds
       d      m     0.910 ± 0.020 0.800 ± 0.050 0.120 ± 0.010
    mean ± std over 3 stratified folds; average_precision: area under ...
    """
    shown = table[["data", "method"]].copy()
    for m in _METRICS:
        shown[m] = [
            f"{mean:.3f} ± {std:.3f}" for mean, std in zip(table[m], table[f"{m}_std"])
        ]
    legend = (
        f"mean ± std over {folds} stratified folds; average_precision: area under "
        "the minority class's precision-recall curve on the held-out fold; "
        "minority_f1: F1 of the minority class at threshold 0.5; fit_seconds: "
        "resampling + training time of one fold."
    )
    return shown.to_string(index=False) + "\n" + legend


def run(args):
    folds = (3 if args.quick else 5) if args.folds is None else args.folds
    table = run_demo(folds, args.quick, args.seed, verbose=args.verbose)
    print(format_table(table, folds))
    return 0
