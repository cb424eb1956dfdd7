import base64
import re
import shutil
import subprocess

import matplotlib
import numpy as np
import pandas as pd
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


def test_report_html_sections_have_readable_unique_headings(report):
    page = report.to_html()
    headings = re.findall(r"<h2>([^<]+)</h2>", page)
    assert headings == ["Summary", "Column shapes", "Column pairs",
                        "Distance to closest record", "Machine-learning utility",
                        "Fairness"]
    alts = re.findall(r"<img alt='([^']+)'", page)
    assert alts == headings[1:5]  # each figure in its own section


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


def _days_table(n, seed):
    rng = np.random.RandomState(seed)
    days = pd.date_range("2024-01-01", periods=55).strftime("%Y-%m-%d")
    return pd.DataFrame({"day": rng.choice(days, size=n),
                         "x": rng.normal(size=n),
                         "gap": np.where(rng.uniform(size=n) < 0.2, np.nan,
                                         rng.gamma(2, size=n))})


def test_category_chart_says_what_it_leaves_out():
    import matplotlib.pyplot as plt

    real, synth = _days_table(600, 0), _days_table(600, 1)
    rep = QualityReport(metrics=["shapes"]).evaluate(real, synth)
    fig = rep.plot_marginals(n_columns=3)
    ax = next(a for a in fig.axes if a.get_title().startswith("day"))
    assert len(ax.get_xticklabels()) == 20
    note = ax.get_xlabel()
    assert "20 most frequent of 55 categories" in note and "other 35" in note
    # the share the 35 hold is stated, computed from the data
    fr = real["day"].value_counts(normalize=True)
    fs = synth["day"].value_counts(normalize=True)
    top = (fr.add(fs, fill_value=0)).sort_values(ascending=False, kind="stable")
    rest = top.index[20:]
    assert f"hold {fr.reindex(rest).sum():.0%} of real rows" in note
    # every category when asked, and by default for one column
    fig_all = rep.plot_marginals(n_columns=3, max_categories=None)
    ax = next(a for a in fig_all.axes if a.get_title().startswith("day"))
    assert len(ax.get_xticklabels()) == 55 and ax.get_xlabel() == ""
    # missing values of a numeric column are stated, not silently dropped
    ax = next(a for a in fig.axes if a.get_title().startswith("gap"))
    share = real["gap"].isna().mean()
    assert f"missing (not drawn): real {share:.1%}" in ax.get_xlabel()
    plt.close("all")


def test_plot_column():
    import matplotlib.pyplot as plt

    real, synth = _days_table(600, 0), _days_table(600, 1)
    real["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        np.arange(600), unit="h")
    synth["when"] = real["when"].sample(frac=1, random_state=0).to_numpy()
    rep = QualityReport(metrics=["shapes"]).evaluate(real, synth)
    score = rep.column_shapes_.set_index("column").loc["day", "score"]
    fig = rep.plot_column("day")
    (ax,) = fig.axes
    assert ax.get_title() == f"day (score {score:.2f})"
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == sorted(real["day"].unique())  # all 55, in their order
    heights = [p.get_height() for p in ax.patches]
    share = real["day"].value_counts(normalize=True).sort_index()
    np.testing.assert_allclose(heights[:55], share.to_numpy())
    assert fig.get_figwidth() > 15  # wide enough for 55 labels
    fig = rep.plot_column("day", max_categories=10)
    assert "10 most frequent of 55" in fig.axes[0].get_xlabel()
    # a datetime column gets a date axis
    ax = rep.plot_column("when").axes[0]
    assert ax.xaxis.get_major_formatter().__class__.__name__.endswith("Formatter")
    assert any(t.get_text().startswith("2024") for t in ax.get_xticklabels())
    # drawn on a given axes
    fig, given = plt.subplots()
    assert rep.plot_column("x", ax=given) is fig and given.get_title().startswith("x")
    with pytest.raises(ValueError, match="'nope' is not a column.*'day'"):
        rep.plot_column("nope")
    plt.close("all")


def test_fairness_rows_have_meaning_and_ideal(report):
    rows = report.summary_[report.summary_["group"] == "fairness"]
    assert len(rows) == 4
    assert (rows["ideal"] == 0.0).all()
    for _, r in rows.iterrows():
        trained_on = r["metric"].split(", ")[1].rstrip("]")
        assert r["meaning"].startswith(f"model trained on {trained_on} rows")
        assert "between groups" in r["meaning"]


def test_low_detection_auc_is_explained(tables, report):
    real, _, holdout = tables
    rep = QualityReport(metrics=["detection", "privacy"], max_samples=400,
                        random_state=0).evaluate(real, real.copy(), holdout)
    s = rep.summary_.set_index("metric")
    assert s.loc["detection_auc", "value"] < 0.45  # copies: worse than chance
    assert "worse than chance" in s.loc["detection_auc", "meaning"]
    (note,) = rep.notes_
    assert "copy" in note and "exact_copy_rate = 1.000" in note
    assert "worse than chance" in rep.to_html(figures=False)
    # a fresh table near 0.5 needs no note
    assert report.notes_ == []
    assert "Note." not in report.to_html(figures=False)


def test_utility_chart_labels_values_and_keeps_legend_off_the_bars(report):
    import matplotlib.pyplot as plt

    fig = report.plot_utility()
    (ax,) = fig.axes
    fig.canvas.draw()
    texts = {t.get_text() for t in ax.texts}
    u = report.utility_.iloc[0]
    assert {f"{u['trtr']:.3f}", f"{u['tstr']:.3f}"} <= texts
    legend = ax.get_legend().get_window_extent()
    for bar in ax.patches:
        assert not legend.overlaps(bar.get_window_extent())
    plt.close(fig)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium")
def test_report_renders_in_chromium(report, tmp_path):
    from PIL import Image

    page, shot = tmp_path / "report.html", tmp_path / "report.png"
    report.to_html(page)
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}",
         f"--screenshot={shot}", "--window-size=1200,3000", page.as_uri()],
        check=True, capture_output=True, timeout=120)
    image = np.asarray(Image.open(shot).convert("RGB"))
    assert image.shape == (3000, 1200, 3)
    colours = np.unique(image.reshape(-1, 3), axis=0)
    # not blank: a blank page has 1 colour, this one's text alone ~250, with
    # the figures ~540 (measured); 18% of its pixels are not white
    assert len(colours) > 100
    assert (image != 255).any(axis=2).mean() > 0.05
    # the embedded figures are drawn: matplotlib's blue of the "real" bars
    blue = np.all(np.abs(image.astype(int) - (31, 119, 180)) <= 8, axis=2)
    assert blue.sum() > 2000
