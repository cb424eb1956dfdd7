"""SequenceGenerator: what a user of panel data relies on."""

import numpy as np
import pandas as pd
import pytest

from sksynth.datasets import make_sines
from sksynth.generators import GaussianCopulaGenerator, SequenceGenerator
from sksynth.metrics import discriminative_score, predictive_score

from .conftest import make_panel

FAST = {"max_iter": 30, "random_state": 0}


@pytest.fixture(scope="module")
def fitted(panel):
    return SequenceGenerator("pid", "date", ["group", "age"], **FAST).fit(panel)


# ----------------------------------------------------------------- quality
@pytest.fixture(scope="module")
def sines():
    real = make_sines(1000, random_state=0)
    gen = SequenceGenerator("id", "time", random_state=0).fit(real)
    return real, gen.sample(1000, random_state=0)


KW = {"id_column": "id", "time_column": "time", "random_state": 0}


def test_sines_discriminative_score(sines):
    # measured (1000 sequences, 1000 discriminator steps, discriminator seeds
    # 0/1/2): 0.025 / 0.013 / 0.040 (before the residual groups, persistent
    # ranks and bounded draws: 0.055 / 0.068 / 0.090); real against other
    # real sequences: 0.008 / 0.013 / 0.008
    real, synth = sines
    assert discriminative_score(real, synth, n_iter=1000, **KW) <= 0.05
    # an obviously wrong model (steps shuffled across sequences) is caught: 0.45
    shuffled = synth.sample(frac=1, random_state=0).reset_index(drop=True)
    shuffled["time"] = synth["time"].to_numpy()
    shuffled["id"] = synth["id"].to_numpy()
    assert discriminative_score(real, shuffled, n_iter=1000, **KW) > 0.3


def _steps(df):
    cols = [c for c in df.columns if c.startswith("x")]
    n = df["id"].nunique()
    return df.sort_values(["id", "time"])[cols].to_numpy().reshape(n, -1, len(cols))


def test_sines_stay_smooth_and_in_range(sines):
    real, synth = sines
    r, s = _steps(real), _steps(synth)
    # values within the range seen in fit (bounded draws; before: 12% of the
    # sequences overshot 1.0, up to 1.46)
    assert s.min() >= r.min() and s.max() <= r.max()
    # the second step follows the first (residuals of the rows with as much
    # history): |second difference| at step 2, 99% quantile, measured
    # 0.0041 (real 0.0008; residuals pooled over all steps: 0.011)
    assert np.quantile(np.abs(np.diff(s, 2, axis=1)[:, 0]), 0.99) < 0.006
    # little jitter: mean |third difference| 4.6 x the real one (white
    # residual ranks, residuals pooled over all steps: 13x)
    ratio = np.abs(np.diff(s, 3, axis=1)).mean() / np.abs(np.diff(r, 3, axis=1)).mean()
    assert ratio < 7, ratio


def test_white_noise_residuals_stay_white():
    # a random walk: its increments are independent, and so must the
    # synthetic ones be (persistent residual ranks only where the training
    # residuals persist)
    rng = np.random.RandomState(0)
    n, T = 200, 20
    x = rng.normal(size=(n, T)).cumsum(axis=1)
    df = pd.DataFrame(
        {
            "id": np.repeat(np.arange(n), T),
            "t": np.tile(np.arange(T), n),
            "x": x.ravel(),
        }
    )
    out = SequenceGenerator("id", "t", **FAST).fit(df).sample(200, random_state=0)
    inc = np.diff(out["x"].to_numpy().reshape(200, T), axis=1)
    lag1 = np.corrcoef(inc[:, 1:].ravel(), inc[:, :-1].ravel())[0, 1]
    # measured: 0.03, increments' std 0.96 (data: 1)
    assert abs(lag1) < 0.1, lag1
    assert 0.85 < inc.std() < 1.15, inc.std()


@pytest.mark.slow
def test_sines_predictive_score(sines):
    # measured: 0.202 trained on synthetic, 0.197 trained on real sequences
    real, synth = sines
    other = make_sines(1000, random_state=1)
    pred = predictive_score(other, synth, n_iter=1500, **KW)
    pred_real = predictive_score(other, real, n_iter=1500, **KW)
    assert abs(pred - pred_real) < 0.015, (pred, pred_real)


# ------------------------------------------------------------------ format
def test_round_trip_of_the_long_format(panel, fitted):
    out = fitted.sample(40, random_state=0)
    assert list(out.columns) == list(panel.columns)
    assert out.dtypes.equals(panel.dtypes)
    assert out["pid"].nunique() == 40
    assert not set(out["pid"]) & set(panel["pid"])  # fresh ids
    assert set(out["state"]) <= {"on", "off"}
    # missing values of a temporal column are generated at about their rate
    assert 0.03 < out["count"].isna().mean() < 0.25
    # static columns are constant within every sequence
    assert (out.groupby("pid")[["group", "age"]].nunique() == 1).all().all()
    # lengths stay in the range seen and follow the group
    lengths = out.groupby("pid").size()
    assert lengths.between(5, 29).all()


def test_timestamps_strictly_increasing_on_the_data_grid(fitted):
    out = fitted.sample(200, random_state=1)
    gaps = out.groupby("pid")["date"].diff().dropna()
    assert (gaps > pd.Timedelta(0)).all()
    # whole days, as in the data (the gcd of the gaps)
    assert (gaps % pd.Timedelta(days=1) == pd.Timedelta(0)).all()
    assert (out["date"].dt.hour == 0).all()
    # the gaps vary (irregular series), about as in the data (1 to 4 days)
    assert 1.8 < gaps.dt.days.mean() < 3.2


def test_regular_series_keep_their_frequency():
    rng = np.random.RandomState(0)
    frames = []
    for i in range(60):
        n = rng.randint(5, 12)
        start = pd.Timestamp("2024-03-01 08:00") + pd.Timedelta(hours=rng.randint(50))
        frames.append(
            pd.DataFrame(
                {
                    "id": i,
                    "t": pd.date_range(start, periods=n, freq="h"),
                    "v": rng.normal(size=n).cumsum(),
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    gen = SequenceGenerator("id", "t", **FAST).fit(df)
    assert gen.time_grid_.regular
    out = gen.sample(100, random_state=0)
    gaps = out.groupby("id")["t"].diff().dropna()
    assert (gaps == pd.Timedelta(hours=1)).all()
    assert (out["t"].dt.minute == 0).all()


def test_numeric_time_and_real_valued_gaps():
    rng = np.random.RandomState(0)
    n = 40 * 10
    df = pd.DataFrame(
        {
            "id": np.repeat(np.arange(40), 10),
            "t": np.concatenate(
                [np.cumsum(rng.exponential(0.5, 10)) for _ in range(40)]
            ),
            "v": rng.normal(size=n),
        }
    )
    out = SequenceGenerator("id", "t", **FAST).fit(df).sample(50, random_state=0)
    gaps = out.groupby("id")["t"].diff().dropna()
    assert (gaps > 0).all()
    assert 0.3 < gaps.mean() < 0.8


# -------------------------------------------------------------- conditions
def test_conditions_on_static_columns(fitted):
    a = fitted.sample(40, conditions={"group": "A"}, random_state=0)
    b = fitted.sample(40, conditions={"group": "B"}, random_state=0)
    assert (a["group"] == "A").all() and (b["group"] == "B").all()
    drift = {
        k: d.groupby("pid")["x"].agg(lambda s: s.iloc[-1] - s.iloc[0]).mean()
        for k, d in (("A", a), ("B", b))
    }
    assert drift["A"] > 3 and drift["B"] < -8, drift  # data: about +9 and -21
    assert a.groupby("pid").size().mean() < b.groupby("pid").size().mean()
    rows = pd.DataFrame({"group": ["A", "B", "B"]})
    out = fitted.sample(3, conditions=rows, random_state=0)
    assert out.groupby("pid", sort=False)["group"].first().tolist() == ["A", "B", "B"]


def test_conditions_on_a_temporal_column_fix_every_step(fitted):
    out = fitted.sample(10, conditions={"state": "on"}, random_state=0)
    assert (out["state"] == "on").all()


@pytest.mark.parametrize(
    "bad, word",
    [
        ({"nope": 1}, "nope"),
        ({"group": "C"}, "C"),
        ({"pid": "p1"}, "pid"),
    ],
)
def test_bad_conditions(fitted, bad, word):
    with pytest.raises(ValueError, match=word):
        fitted.sample(3, conditions=bad)


def test_static_target_is_the_class_of_a_sequence(panel):
    X = panel.drop(columns="group")
    y = panel["group"].rename("label")
    gen = SequenceGenerator("pid", "date", ["age"], **FAST).fit(X, y)
    assert "label" in gen.static_columns_
    Xs, ys = gen.sample(20, conditions={"y": "B"}, random_state=0)
    assert isinstance(ys, pd.Series) and ys.name == "label"
    assert len(Xs) == len(ys) and (ys == "B").all()
    assert Xs.groupby("pid").size().mean() > 15  # B sequences are long


# ------------------------------------------------------------ continuation
def test_sample_continuation_extends_past_the_last_time(panel, fitted):
    given = panel[panel["pid"].isin(["p0", "p1", "p2"])]
    new = fitted.sample_continuation(given, 4, random_state=0)
    assert new.groupby("pid").size().to_dict() == {"p0": 4, "p1": 4, "p2": 4}
    last = given.groupby("pid")["date"].max()
    first_new = new.groupby("pid")["date"].min()
    assert (first_new > last).all()
    assert (new.groupby("pid")["date"].diff().dropna() > pd.Timedelta(0)).all()
    static = given.groupby("pid")[["group", "age"]].first()
    assert new.groupby("pid")[["group", "age"]].first().equals(static)


def test_continuation_follows_the_sines():
    real = make_sines(600, random_state=0)
    gen = SequenceGenerator("id", "time", random_state=0).fit(real)
    test = make_sines(50, seq_len=30, random_state=5)
    head = test[test["time"] < 20]
    tail = test[test["time"] >= 20].reset_index(drop=True)
    new = gen.sample_continuation(head, 4, random_state=0)
    assert new["time"].tolist()[:4] == [20, 21, 22, 23]
    truth = tail[tail["time"] < 24].sort_values(["id", "time"])
    err = np.abs(new[["x0", "x1"]].to_numpy() - truth[["x0", "x1"]].to_numpy())
    # measured: 0.004; carrying the last value forward: 0.02
    assert err.mean() < 0.012, err.mean()


# ------------------------------------------------------------- child table
def test_child_table_without_time():
    rng = np.random.RandomState(0)
    parents = pd.DataFrame(
        {
            "customer": [f"c{i}" for i in range(200)],
            "segment": rng.choice(["retail", "pro"], size=200),
        }
    )
    n_orders = np.where(
        parents["segment"] == "pro", rng.randint(5, 10, 200), rng.randint(1, 4, 200)
    )
    child = parents.loc[parents.index.repeat(n_orders)].reset_index(drop=True)
    child["amount"] = np.where(child["segment"] == "pro", 100, 10) * rng.gamma(
        2, size=len(child)
    )
    gen = SequenceGenerator("customer", static_columns="segment", **FAST).fit(child)
    out = gen.sample(300, random_state=0)
    assert list(out.columns) == list(child.columns)
    sizes = out.groupby("customer").size()
    seg = out.groupby("customer")["segment"].first()
    assert sizes[seg == "pro"].mean() > 5 and sizes[seg == "retail"].mean() < 4
    means = out.groupby("segment")["amount"].mean()
    assert means["pro"] > 5 * means["retail"]
    with pytest.raises(ValueError, match="time_column"):
        gen.sample_continuation(child, 2)


def test_single_entity_sample_draws_steps():
    rng = np.random.RandomState(0)
    series = pd.DataFrame({"t": np.arange(300), "v": np.sin(np.arange(300) / 5)})
    series["v"] += rng.normal(scale=0.05, size=300)
    gen = SequenceGenerator(time_column="t", **FAST).fit(series)
    out = gen.sample(100, random_state=0)
    assert out.shape == (100, 2) and (np.diff(out["t"]) == 1).all()
    lag1 = np.corrcoef(out["v"][1:], out["v"][:-1])[0, 1]
    assert lag1 > 0.8  # the data's: 0.97


# --------------------------------------------------------------- bad input
def test_duplicate_id_time_rows_are_refused(panel):
    df = pd.concat([panel, panel.iloc[[3]]], ignore_index=True)
    with pytest.raises(ValueError, match=r"Duplicate.*'date'.*p0"):
        SequenceGenerator("pid", "date", **FAST).fit(df)


def test_varying_static_column_is_refused(panel):
    df = panel.copy()
    df.loc[1, "age"] = 99
    with pytest.raises(ValueError, match=r"static column 'age' varies.*p0"):
        SequenceGenerator("pid", "date", ["age"], **FAST).fit(df)


def test_missing_time_is_refused(panel):
    df = panel.copy()
    df.loc[5, "date"] = pd.NaT
    with pytest.raises(ValueError, match=r"time column 'date'.*missing.*p0"):
        SequenceGenerator("pid", "date", **FAST).fit(df)


def test_one_row_entities_are_refused(panel):
    df = panel.groupby("pid").head(1)
    with pytest.raises(ValueError, match=r"one row.*'date'"):
        SequenceGenerator("pid", "date", **FAST).fit(df)


def test_other_bad_parameters(panel):
    with pytest.raises(ValueError, match="id_column='nope'"):
        SequenceGenerator("nope", "date").fit(panel)
    with pytest.raises(TypeError, match="time_column 'state'"):
        SequenceGenerator("pid", "state").fit(panel)
    with pytest.raises(ValueError, match="1 entity"):
        SequenceGenerator("pid", "date").fit(panel[panel.pid == "p0"])


def test_same_seed_same_sequences(panel):
    a = SequenceGenerator("pid", "date", ["group"], **FAST).fit(panel)
    b = SequenceGenerator("pid", "date", ["group"], **FAST).fit(panel)
    pd.testing.assert_frame_equal(a.sample(5), b.sample(5))
    assert not a.sample(5).equals(a.sample(5))


def test_any_tabular_generator_for_the_static_context(panel):
    gen = SequenceGenerator(
        "pid", "date", ["group", "age"], generator=GaussianCopulaGenerator(), **FAST
    )
    out = gen.fit(panel).sample(20, conditions={"group": "A"}, random_state=0)
    assert (out["group"] == "A").all()
    assert isinstance(gen.static_generator_, GaussianCopulaGenerator)


def test_make_panel_is_deterministic():
    pd.testing.assert_frame_equal(make_panel(5, seed=3), make_panel(5, seed=3))
