import base64
import re

import matplotlib
import pytest

from sksynth.cli import main
from sksynth.datasets import make_mixed_classification
from sksynth.report import QualityReport

matplotlib.use("Agg")


def _table(n, seed):
    X, y = make_mixed_classification(n, weights=(0.7,), random_state=seed)
    return X.assign(churn=y)


@pytest.fixture(scope="module")
def tables():
    return _table(600, 0), _table(600, 1), _table(600, 2)


@pytest.fixture(scope="module")
def report(tables):
    real, fresh, holdout = tables
    return QualityReport(target="churn", sensitive="region", max_samples=400,
                         random_state=0).evaluate(real, fresh, holdout)


def test_report_tables(report, tables):
    s = report.summary_.set_index("metric")["value"]
    assert {"shapes", "pairs", "detection", "precision_recall", "privacy",
            "utility", "fairness"} == set(report.summary_["group"])
    assert s["column_shapes"] > 0.9 and s["column_pairs"] > 0.9
    assert 0.35 < s["dcr_share"] < 0.65
    assert s["exact_copy_rate"] == 0.0
    assert list(report.column_shapes_["column"]) == list(tables[0].columns)
    assert report.utility_.shape[0] == 1
    assert set(report.fairness_["trained_on"]) == {"real", "synthetic"}
    assert "column_shapes" in repr(report)


def test_report_flags_copies(tables):
    real, _, holdout = tables
    rep = QualityReport(metrics=["privacy", "shapes"], max_samples=400).evaluate(
        real, real, holdout)
    s = rep.summary_.set_index("metric")["value"]
    assert s["exact_copy_rate"] == 1.0 and s["dcr_share"] == 1.0
    assert s["membership_inference_auc"] > 0.95
    assert s["column_shapes"] == 1.0


def test_report_html_is_self_contained(report, tmp_path):
    path = tmp_path / "r.html"
    page = report.to_html(path)
    assert path.read_text(encoding="utf-8") == page
    images = re.findall(r"src='data:image/png;base64,([^']+)'", page)
    assert len(images) == 4  # marginals, pairs, dcr, utility
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert "http" not in page  # nothing fetched from elsewhere
    assert "Summary" in page and "Fairness" in page


def test_report_figures_and_errors(tables):
    real, fresh, _ = tables
    rep = QualityReport(metrics=["shapes"]).evaluate(real, fresh)
    fig = rep.plot_marginals(n_columns=2)
    assert len([a for a in fig.axes if a.get_visible()]) == 2
    assert sorted(rep.figures()) == ["marginals", "pairs"]
    with pytest.raises(ValueError, match="holdout"):
        rep.plot_dcr()
    with pytest.raises(ValueError, match="target"):
        rep.plot_utility()
    with pytest.raises(ValueError, match="Unknown metric groups"):
        QualityReport(metrics=["nope"]).evaluate(real, fresh)
    with pytest.raises(ValueError, match="target"):
        QualityReport(metrics=["utility"]).evaluate(real, fresh)
    with pytest.raises(RuntimeError, match="evaluate"):
        QualityReport().to_html()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_cli_evaluate(tables, tmp_path, capsys):
    real, fresh, holdout = tables
    paths = {}
    for name, df in [("real", real), ("synth", fresh), ("hold", holdout)]:
        paths[name] = tmp_path / f"{name}.csv"
        df.to_csv(paths[name], index=False)
    html = tmp_path / "report.html"
    code = main(["evaluate", str(paths["real"]), str(paths["synth"]),
                 "--holdout", str(paths["hold"]), "--target", "churn",
                 "--sensitive", "region", "--html", str(html),
                 "--max-samples", "300", "--metrics", "shapes,privacy,fairness"])
    out = capsys.readouterr().out
    assert code == 0
    assert "column_shapes" in out and "dcr_share" in out
    assert "demographic_parity_difference [region, synthetic]" in out
    assert html.exists() and html.stat().st_size > 10_000
    assert main(["evaluate", str(paths["real"]), str(tmp_path / "none.csv")]) == 2
    assert main(["evaluate", str(paths["real"]), str(paths["synth"]),
                 "--target", "nope"]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "nope" in err
