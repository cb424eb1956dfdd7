"""The ``sksynth`` command line: synthesize, list, evaluate --html, demo."""

import pandas as pd
import pytest

from sksynth.cli import main
from sksynth.commands import demo
from sksynth.datasets import make_mixed_classification


@pytest.fixture(scope="module")
def csv(tmp_path_factory):
    X, y = make_mixed_classification(200, random_state=0)
    path = tmp_path_factory.mktemp("cli") / "data.csv"
    X.assign(churn=y).to_csv(path, index=False)
    return path


def test_synthesize_writes_the_columns_and_rows_asked(csv, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["synthesize", str(csv), "-o", str(out), "-n", "37"]) == 0
    real, synth = pd.read_csv(csv), pd.read_csv(out)
    assert list(synth.columns) == list(real.columns)
    assert len(synth) == 37
    assert set(synth["region"]) <= set(real["region"])
    assert "wrote 37 rows x 8 columns" in capsys.readouterr().out
    assert main(["synthesize", str(csv), "-o", str(out)]) == 0  # default: len(data)
    assert len(pd.read_csv(out)) == len(real)


def test_synthesize_respects_conditions(csv, tmp_path):
    out = tmp_path / "out.csv"
    argv = ["synthesize", str(csv), "-o", str(out), "-n", "20",
            "--condition", "region=south", "--condition", "age=30",
            "--param", "n_quantiles=50"]
    assert main(argv) == 0
    synth = pd.read_csv(out)
    assert (synth["region"] == "south").all() and (synth["age"] == 30).all()
    assert synth["plan"].nunique() > 1  # the other columns stay free


@pytest.mark.parametrize("args, message", [
    (["--generator", "nope"], "Unknown generator 'nope'; choose among"),
    (["--condition", "region=mars"], "'mars' is not a value of column 'region'"),
    (["--condition", "nocol=1"], "names column 'nocol', which is not in"),
    (["--condition", "region"], "--condition expects KEY=VALUE, got 'region'"),
    (["--condition", "age=abc"], "column 'age' is numeric; give a number"),
    (["--param", "foo=1"], "has no parameter(s) ['foo']"),
])
def test_synthesize_bad_input_is_a_clear_error(csv, tmp_path, capsys, args, message):
    out = tmp_path / "out.csv"
    assert main(["synthesize", str(csv), "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sksynth synthesize: error: ") and message in err
    assert not out.exists()


def test_list_names_every_generator(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = {line.split()[0]: line.split()[1] for line in lines}
    assert names["gaussiancopula"] == "GaussianCopulaGenerator"
    assert {"ctgan", "tvae", "tabddpm", "arf", "forestflow", "mst"} <= set(names)


def test_evaluate_writes_the_html_report_with_figures(csv, tmp_path, capsys):
    synth, html = tmp_path / "synth.csv", tmp_path / "report.html"
    assert main(["synthesize", str(csv), "-o", str(synth)]) == 0
    argv = ["evaluate", str(csv), str(synth), "--target", "churn",
            "--metrics", "shapes,pairs", "--html", str(html)]
    assert main(argv) == 0
    assert f"report written to {html}" in capsys.readouterr().out
    text = html.read_text()
    assert text.lstrip().lower().startswith("<!doctype html") or "<html" in text
    assert "data:image/png;base64" in text  # matplotlib is a core dependency


def test_demo_shows_progress_and_mean_std(monkeypatch, capsys):
    X, y = make_mixed_classification(300, weights=(0.8,), random_state=0)

    def tiny(quick, seed):
        yield "tiny mixed", X, y, ["region", "plan", "active"]

    monkeypatch.setattr(demo, "_datasets", tiny)
    assert main(["demo", "--folds", "2"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines()[-1].startswith("sksynth demo: 8/8 (tiny mixed, ")
    assert "\x1b[" not in err
    table = out.splitlines()
    assert table[0].split() == ["data", "method", "average_precision",
                                "minority_f1", "fit_seconds"]
    assert len(table) == 1 + 4 + 1 and table[1].count("±") == 3
    assert table[-1].startswith("mean ± std over 2 stratified folds; ")
    assert main(["demo", "--folds", "2", "--verbose", "0"]) == 0
    assert capsys.readouterr().err == ""


def test_synthesize_sequences_counts_entities_not_rows(tmp_path):
    from sksynth.datasets import make_sines

    path, out = tmp_path / "seq.csv", tmp_path / "out.csv"
    make_sines(12, seq_len=8, n_features=2, random_state=0).to_csv(path, index=False)
    main(["synthesize", str(path), "-o", str(out), "--generator", "sequence",
          "--param", "id_column=id", "--param", "time_column=time",
          "--param", "max_iter=5"])
    synth = pd.read_csv(out)
    # as many sequences as the input has entities (not one per input row)
    assert synth["id"].nunique() == 12
    assert list(synth.columns) == ["id", "time", "x0", "x1"]


def test_synthesize_survival_wrapper_with_a_condition(tmp_path, capsys):
    pytest.importorskip("sksurv")
    from sksynth.datasets import load_survival

    X, y = load_survival("veteran")
    event, time = y.dtype.names
    path, out = tmp_path / "vet.csv", tmp_path / "out.csv"
    X.assign(event=y[event], time=y[time]).to_csv(path, index=False)
    main(["synthesize", str(path), "-o", str(out), "--generator", "survival",
          "--param", "event_column=event", "--param", "time_column=time",
          "--condition", "Treatment=test"])
    synth = pd.read_csv(out)
    assert len(synth) == len(X)
    assert set(synth["Treatment"]) == {"test"}
    assert (synth["time"] > 0).all()
    assert "wrote" in capsys.readouterr().out
