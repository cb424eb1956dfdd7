"""Progress of the neural generators: watchable by default, silent at verbose=0,
no escape codes in a log."""

import contextlib
import io
import pickle

import pytest
from skorch.callbacks import ProgressBar

from sksynth.datasets import make_mixed_classification
from sksynth.generators import CTGANGenerator, TabDDPMGenerator, TVAEGenerator
from sksynth.generators.neural._base import EpochLog

GENERATORS = [CTGANGenerator, TVAEGenerator, TabDDPMGenerator]
IDS = [g.__name__ for g in GENERATORS]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture(scope="module")
def data():
    return make_mixed_classification(n_samples=200, weights=[0.8], random_state=0)


def fit_captured(cls, data, stdout=None, stderr=None, **params):
    out = io.StringIO() if stdout is None else stdout
    err = io.StringIO() if stderr is None else stderr
    gen = cls(**{**cls._test_params(), "max_epochs": 4, **params})
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        gen.fit(*data)
    return gen, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_default_verbose_shows_epochs_without_escape_codes_in_a_log(cls, data):
    assert cls().verbose == 1
    gen, out, err = fit_captured(cls, data, verbose=1)
    name = type(gen.net_).__name__.removesuffix("Net")
    assert out == ""
    lines = err.splitlines()
    assert lines[-1].startswith(f"{name} epochs: 4/4 (train_loss ")
    assert len(lines) == 4  # one line per epoch when there are few epochs
    assert "\x1b[" not in err and "\r" not in err


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_verbose_zero_prints_nothing(cls, data):
    _, out, err = fit_captured(
        cls, data, stdout=_Terminal(), stderr=_Terminal(), verbose=0
    )
    assert out == "" and err == ""


def test_long_fit_writes_about_ten_lines_to_a_log(data):
    _, out, err = fit_captured(TVAEGenerator, data, max_epochs=50)
    lines = err.splitlines()
    assert len(lines) == 10
    assert lines[0].startswith("TVAE epochs: 5/50 (train_loss ")
    assert lines[-1].startswith("TVAE epochs: 50/50 ")


def test_table_at_verbose_two_is_coloured_only_in_a_terminal(data):
    _, out, err = fit_captured(TVAEGenerator, data, verbose=2)
    assert "train_loss" in out.splitlines()[0]
    assert len(out.splitlines()) == 2 + 4  # header, rule, one row per epoch
    assert "\x1b[" not in out and err == ""
    # skorch colours the best loss; in a terminal the colours stay
    _, tty_out, _ = fit_captured(TVAEGenerator, data, stdout=_Terminal(), verbose=2)
    assert "\x1b[" in tty_out
    assert EpochLog().initialize().table({"epoch": 1, "train_loss": 1.0}) == (
        "  epoch    train_loss\n-------  ------------\n      1        1.0000"
    )


def test_terminal_gets_a_bar_on_stderr(data):
    _, out, err = fit_captured(TVAEGenerator, data, stderr=_Terminal())
    assert out == ""
    assert "TVAE epochs" in err and "\r" in err  # tqdm redraws the line


def test_partial_fit_counts_its_own_epochs_and_pickles(data):
    gen, _, _ = fit_captured(TVAEGenerator, data, max_epochs=2)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        gen.partial_fit(*data, epochs=3)
    assert err.getvalue().splitlines()[-1].startswith("TVAE epochs: 3/3 ")
    assert not hasattr(gen.net_, "epochs_planned_")
    clone = pickle.loads(pickle.dumps(gen))
    Xs, ys = clone.sample(5, random_state=0)
    assert len(Xs) == len(ys) == 5


def test_skorch_progress_bar_callback_still_works(data):
    gen, _, _ = fit_captured(
        TVAEGenerator, data, verbose=0, callbacks=[ProgressBar()], max_epochs=1
    )
    assert len(gen.net_.history) == 1
