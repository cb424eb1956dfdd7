"""segment_shares and the report's segments section."""

import numpy as np
import pytest

from sksynth.datasets import make_mixed_classification
from sksynth.generators import DataCentricGenerator, GaussianCopulaGenerator
from sksynth.metrics import segment_shares
from sksynth.profiling import DataIQProfiler
from sksynth.report import QualityReport

FAST = DataIQProfiler(cv=3, checkpoints=5, random_state=0)


def _real(n=800, rate=0.1, seed=0):
    X, y = make_mixed_classification(n, weights=(0.6, 0.4), random_state=seed)
    flip = np.random.RandomState(seed).rand(n) < rate
    return X.assign(churn=np.where(flip, 1 - y, y))


def test_segment_shares_real_against_synthetic():
    real = _real()
    table = segment_shares(real, real.copy(), target="churn", profiler=FAST)
    # the same rows: the real profile and the own profile of the copy agree
    np.testing.assert_allclose(table["real"], table["synthetic"])
    assert table.index.tolist() == ["easy", "ambiguous", "hard"]
    np.testing.assert_allclose(table.sum(), 1.0)
    X, y = real.drop(columns="churn"), real["churn"]
    gen = DataCentricGenerator(
        GaussianCopulaGenerator(), profiler=FAST, random_state=0
    ).fit(X, y)
    post = DataCentricGenerator(
        GaussianCopulaGenerator(),
        postprocess="drop_hard",
        profiler=FAST,
        random_state=0,
    ).fit(X, y)
    plain = gen.sample(800, random_state=0)
    clean = post.sample(800, random_state=0)
    t_plain = segment_shares(
        real, plain[0].assign(churn=plain[1]), "churn", profiler=FAST
    )
    t_clean = segment_shares(
        real, clean[0].assign(churn=clean[1]), "churn", profiler=FAST
    )
    # post-processing removes what the real-data profiler calls hard
    assert t_plain.loc["hard", "synthetic_by_real"] > 0.05
    assert t_clean.loc["hard", "synthetic_by_real"] < 0.02


def test_segment_shares_errors():
    real = _real(200)
    with pytest.raises(ValueError, match="not a column"):
        segment_shares(real, real, target="nope")
    synth = real.assign(churn=real["churn"] + 5)
    with pytest.raises(ValueError, match="absent from the real rows"):
        segment_shares(real, synth, target="churn", profiler=FAST)


def test_report_section():
    real = _real(500)
    synth = GaussianCopulaGenerator(random_state=0).fit(real).sample(500)
    report = QualityReport(metrics=["shapes", "segments"], target="churn")
    report.evaluate(real, synth)
    assert report.segments_["segment"].tolist() == ["easy", "ambiguous", "hard"]
    names = report.summary_["metric"].tolist()
    assert "hard_share [real]" in names and "hard_share [synthetic_by_real]" in names
    page = report.to_html(figures=False)
    assert "<h2>Segments</h2>" in page and "synthetic_by_real" in page
    with pytest.raises(ValueError, match="need target"):
        QualityReport(metrics=["segments"]).evaluate(real, synth)
