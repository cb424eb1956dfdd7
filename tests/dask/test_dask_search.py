import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

from imblearn.pipeline import Pipeline  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402

from sksynth.generators import GaussianCopulaGenerator  # noqa: E402
from sksynth.samplers import GenerativeOverSampler  # noqa: E402


def _search():
    pipe = Pipeline(
        [
            (
                "over",
                GenerativeOverSampler(
                    GaussianCopulaGenerator(random_state=0), random_state=0
                ),
            ),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    grid = {"over__generator__shrinkage": [1.0, 100.0], "clf__C": [0.1, 1.0]}
    return GridSearchCV(
        pipe, grid, cv=StratifiedKFold(3), n_jobs=-1, scoring="balanced_accuracy"
    )


def test_grid_search_over_sampler_pipeline_on_dask_backend(local_cluster):
    X, y = make_classification(
        n_samples=600, n_features=5, weights=[0.9, 0.1], random_state=0
    )
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    with joblib.parallel_backend("sequential"):
        local = _search().fit(X, y)
    with local_cluster(2) as cluster, distributed.Client(cluster) as client:
        with joblib.parallel_backend("dask"):
            remote = _search().fit(X, y)
        # the fits ran as tasks of the cluster
        assert any(
            "batch_of" in str(key) or "fit" in str(key)
            for key in client.run_on_scheduler(
                lambda dask_scheduler: list(dask_scheduler.task_prefixes)
            )
        )
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_


def test_sampler_on_each_pandas_partition():
    dd = pytest.importorskip("dask.dataframe")
    X, y = make_classification(
        n_samples=1200, n_features=4, weights=[0.85, 0.15], random_state=1
    )
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(label=y)
    ddf = dd.from_pandas(frame, npartitions=3)  # partitions index 400.., 800..

    def resample(part):
        sampler = GenerativeOverSampler(
            GaussianCopulaGenerator(random_state=0), random_state=0
        )
        Xr, yr = sampler.fit_resample(part.drop(columns="label"), part["label"])
        return Xr.assign(label=np.asarray(yr))

    meta = frame.iloc[:0]
    out = ddf.map_partitions(resample, meta=meta).compute(scheduler="sync")
    for i in range(3):
        part = frame.iloc[400 * i : 400 * (i + 1)]
        counts = resample(part)["label"].value_counts()
        assert counts[0] == counts[1] == (part["label"] == 0).sum()
    assert (out["label"] == 1).sum() == (out["label"] == 0).sum()
    # the original rows of each partition come back unchanged
    kept = out.iloc[:400].drop(columns="label").to_numpy()
    np.testing.assert_array_equal(kept, frame.iloc[:400, :4].to_numpy())
