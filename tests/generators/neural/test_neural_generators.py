"""Behaviour of CTGANGenerator, TVAEGenerator and TabDDPMGenerator on CPU."""

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback, EarlyStopping, LRScheduler

from sksynth.datasets import make_mixed_classification
from sksynth.generators import CTGANGenerator, TabDDPMGenerator, TVAEGenerator

GENERATORS = [CTGANGenerator, TVAEGenerator, TabDDPMGenerator]
IDS = [g.__name__ for g in GENERATORS]


def tiny(cls, **kw):
    params = cls._test_params()
    params.update(kw)
    return cls(**params)


@pytest.fixture(scope="module")
def data():
    return make_mixed_classification(n_samples=300, weights=[0.8], random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    torch.set_num_threads(1)
    return {cls: tiny(cls).fit(X, y) for cls in GENERATORS}


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_same_seed_same_model_and_rows(cls, data, fitted):
    X, y = data
    again = tiny(cls).fit(X, y)
    a = fitted[cls].sample(50, random_state=1)[0]
    b = again.sample(50, random_state=1)[0]
    pd.testing.assert_frame_equal(a, b)
    other = tiny(cls, random_state=1).fit(X, y).sample(50, random_state=1)[0]
    assert not a.equals(other)
    # torch's global generator is left as it was
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    tiny(cls).fit(X, y)
    assert torch.equal(torch.rand(1), expected)


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_history_and_skorch_callbacks(cls, data):
    X, y = data
    own = {"lr_schedule": "constant"} if cls is TabDDPMGenerator else {}
    gen = tiny(cls, max_epochs=3, **own, callbacks=[
        LRScheduler(policy="StepLR", step_size=1, gamma=0.5),
    ]).fit(X, y)
    assert len(gen.net_.history) == 3
    assert np.isfinite(gen.net_.history[:, "train_loss"]).all()
    lr = gen.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(gen.lr * 0.5**3)
    # early stopping on the training loss, patience 1 and an impossible bar
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=1e6,
                         threshold_mode="abs", sink=lambda *a: None)
    gen = tiny(cls, max_epochs=20, callbacks=[stop]).fit(X, y)
    assert len(gen.net_.history) == 2


class LRLog(Callback):
    def initialize(self):
        self.lrs_ = []
        return self

    def on_batch_end(self, net, **kwargs):
        self.lrs_.append(net.optimizer_.param_groups[0]["lr"])


def test_tabddpm_anneals_the_learning_rate_within_each_call(data):
    X, y = data
    log = LRLog()
    gen = tiny(TabDDPMGenerator, max_epochs=2, batch_size=100, lr=0.01,
               callbacks=[log]).fit(X, y)
    lrs = dict(gen.net_.callbacks_)["LRLog"].lrs_
    total = 2 * 3  # 300 rows in batches of 100
    np.testing.assert_allclose(lrs, [0.01 * (1 - k / total) for k in range(total)])
    assert gen.net_.optimizer_.param_groups[0]["lr"] == 0.01
    gen.partial_fit(X, y, epochs=1)  # a new call: a new schedule from lr
    lrs = dict(gen.net_.callbacks_)["LRLog"].lrs_[total:]
    np.testing.assert_allclose(lrs, [0.01, 0.01 * 2 / 3, 0.01 / 3])
    flat = tiny(TabDDPMGenerator, max_epochs=1, batch_size=100, lr=0.01,
                lr_schedule="constant", callbacks=[LRLog()]).fit(X, y)
    assert dict(flat.net_.callbacks_)["LRLog"].lrs_ == [0.01] * 3
    with pytest.raises(ValueError, match="lr_schedule='constant'"):
        tiny(TabDDPMGenerator, callbacks=[LRScheduler()]).fit(X, y)


def test_checkpoint_callback_saves_the_best_weights(data, tmp_path):
    from skorch.callbacks import Checkpoint

    X, y = data
    ckpt = Checkpoint(monitor="train_loss_best", dirname=str(tmp_path),
                      f_optimizer=None, f_criterion=None, f_history="h.json")
    gen = tiny(CTGANGenerator, max_epochs=2, callbacks=[ckpt]).fit(X, y)
    assert (tmp_path / "params.pt").exists()
    state = torch.load(tmp_path / "params.pt", map_location="cpu", weights_only=True)
    assert set(state) == set(gen.net_.module_.state_dict())


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_net_routing_reaches_module_and_optimizer(cls, data):
    X, y = data
    gen = tiny(cls)
    key = {"CTGANGenerator": "embedding_dim", "TVAEGenerator": "embedding_dim",
           "TabDDPMGenerator": "d_embedding"}[cls.__name__]
    gen.set_params(net__lr=0.0123, **{f"net__module__{key}": 6})
    assert gen.net is not None
    assert gen.get_params()["net__lr"] == 0.0123
    gen.fit(X, y)
    assert gen.net_.optimizer_.param_groups[0]["lr"] == 0.0123
    module = gen.net_.module_
    if cls is TabDDPMGenerator:
        assert module.inp.out_features == 6
    elif cls is TVAEGenerator:
        assert module.decoder[0].in_features == 6
    else:
        d_cond = sum(b.width for b in gen._cond_blocks)
        assert module.generator.w_noise.shape[0] == 6
        assert module.generator.w_cond.shape[0] == d_cond
    assert gen.sample(5, random_state=0)[0].shape == (5, X.shape[1])


def test_grid_search_tunes_net_settings(data):
    X, y = data

    def score(est, X_, y_=None):
        synth = est.sample(len(X_), random_state=0)
        return -abs(synth["age"].mean() - X_["age"].mean())

    grid = GridSearchCV(tiny(TVAEGenerator),
                        {"net__module__embedding_dim": [2, 4], "net__lr": [1e-3]},
                        scoring=score, cv=2)
    grid.fit(X)
    assert set(grid.best_params_) == {"net__module__embedding_dim", "net__lr"}
    assert grid.best_estimator_.net_.module_.embedding_dim in (2, 4)


def test_template_net_takes_precedence(data):
    X, y = data
    template = tiny(TVAEGenerator).default_net().set_params(max_epochs=1, lr=0.05)
    gen = tiny(TVAEGenerator, net=template, max_epochs=5).fit(X, y)
    assert len(gen.net_.history) == 1
    assert gen.net_.optimizer_.param_groups[0]["lr"] == 0.05
    assert template.initialized_ is False  # cloned, not trained


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_partial_fit_continues_and_warm_start(cls, data):
    X, y = data
    gen = tiny(cls, max_epochs=1).fit(X, y)
    before = {k: v.clone() for k, v in gen.net_.module_.state_dict().items()}
    schema = gen.schema_
    gen.partial_fit(X.iloc[:100], y.iloc[:100], epochs=2)
    assert len(gen.net_.history) == 3
    assert gen.schema_ is schema
    after = gen.net_.module_.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)
    warm = tiny(cls, max_epochs=1, warm_start=True).fit(X, y)
    warm.fit(X.iloc[:100], y.iloc[:100])
    assert len(warm.net_.history) == 2
    cold = tiny(cls, max_epochs=1).fit(X, y)
    cold.fit(X, y)
    assert len(cold.net_.history) == 1


def test_partial_fit_rejects_another_schema(data, fitted):
    X, y = data
    gen = pickle.loads(pickle.dumps(fitted[TVAEGenerator]))
    bad = X.copy()
    bad["region"] = "atlantis"
    with pytest.raises(ValueError, match="region"):
        gen.partial_fit(bad, y)
    with pytest.raises(ValueError):
        gen.partial_fit(X.iloc[:, :-1], y)


@pytest.mark.parametrize("cls", [CTGANGenerator, TabDDPMGenerator],
                         ids=["CTGANGenerator", "TabDDPMGenerator"])
def test_native_conditioning_on_the_target_never_rejects(cls, data, fitted,
                                                         monkeypatch):
    X, y = data
    gen = fitted[cls]
    assert gen.__sklearn_tags__().generator_tags.native_conditioning

    # no rejection round allowed: only natively honoured conditions pass
    monkeypatch.setattr(type(gen), "_max_rejection_rounds", 0)
    minority = y.value_counts().idxmin()
    Xs, ys = gen.sample(200, conditions={"y": minority}, random_state=0)
    assert (ys == minority).all() and len(Xs) == 200
    # a per-row DataFrame of conditions
    cond = pd.DataFrame({"y": [minority, y.iloc[0]] * 5})
    Xs, ys = gen.sample(conditions=cond, random_state=0)
    assert ys.tolist() == cond["y"].tolist()


def test_ctgan_conditions_on_any_categorical_column(data, fitted):
    X, y = data
    gen = fitted[CTGANGenerator]
    Xs, _ = gen.sample(100, conditions={"plan": X["plan"].iloc[0]}, random_state=0)
    assert (Xs["plan"] == X["plan"].iloc[0]).all()
    # two categorical conditions: one through the vector, one by bounded rejection
    Xs, ys = gen.sample(20, conditions={"region": X["region"].iloc[0], "y": y.iloc[0]},
                        random_state=0)
    assert (Xs["region"] == X["region"].iloc[0]).all() and (ys == y.iloc[0]).all()
    # a numeric value the model never produces: a clear error
    with pytest.raises(ValueError, match="bounded rejection"):
        value = float(X["income"].median()) + 0.00123
        gen.sample(5, conditions={"income": value}, random_state=0)


def test_ctgan_training_by_sampling_is_balanced_and_matches_rows(data, fitted):
    X, y = data
    gen = tiny(CTGANGenerator).fit(X, y)
    net = gen.net_
    # draw many conditions with the device tables _train builds
    captured = {}
    orig = type(net).train_step

    def spy(self, batch, **kw):
        torch.manual_seed(0)
        blk, g = self._sample_cond(20000)
        real = self._real_rows(g)
        cond = torch.nn.functional.one_hot(g, self.tbs_["d_cond"])
        captured.update(cond=cond, blk=blk, g=g, real=real)
        return orig(self, batch, **kw)

    type(net).train_step = spy
    try:
        gen.partial_fit(X, y, epochs=1)
    finally:
        type(net).train_step = orig
    cond, blk, real = captured["cond"], captured["blk"], captured["real"]
    # every real row has the category of its condition
    for i, b in enumerate(gen._cond_blocks):
        rows = blk == i
        cs = gen._cond_starts[i]
        want = cond[rows, cs:cs + b.width].argmax(1)
        got = real[rows, b.start:b.stop].argmax(1)
        assert torch.equal(want, got)
    # the target's minority class (20%) is drawn near log-frequency, not 20%
    tb = [i for i, b in enumerate(gen._cond_blocks)
          if b.column == gen.schema_.target_index][0]
    counts = y.value_counts().sort_index().to_numpy()
    share = cond[blk == tb][:, gen._cond_starts[tb]:].float().mean(0)
    logf = np.log1p(counts) / np.log1p(counts).sum()
    np.testing.assert_allclose(np.sort(share.numpy()[:2]), np.sort(logf), atol=0.03)


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_pickle_round_trip_on_cpu(cls, data, fitted):
    gen = fitted[cls]
    a = gen.sample(20, random_state=3)[0]
    clone = pickle.loads(pickle.dumps(gen))
    pd.testing.assert_frame_equal(clone.sample(20, random_state=3)[0], a)
    # the module's weights load onto the CPU with map_location
    buf = __import__("io").BytesIO()
    torch.save(gen.net_.module_.state_dict(), buf)
    buf.seek(0)
    state = torch.load(buf, map_location="cpu", weights_only=True)
    assert all(v.device.type == "cpu" for v in state.values())


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_bad_device_and_params_are_rejected(cls, data):
    X, y = data
    with pytest.raises(ValueError, match="max_epochs"):
        tiny(cls, max_epochs=0).fit(X, y)
    with pytest.raises(TypeError, match="net must be"):
        from skorch import NeuralNet
        tiny(cls, net=NeuralNet(torch.nn.Linear, criterion=torch.nn.MSELoss)).fit(X)


@pytest.mark.slow
@pytest.mark.parametrize("cls, params, min_shapes, min_tstr", [
    (TVAEGenerator, {"embedding_dim": 32, "compress_dims": (64, 64),
                     "decompress_dims": (64, 64), "batch_size": 64}, 0.92, None),
    (TabDDPMGenerator, {"n_timesteps": 100, "dims": (128, 128), "batch_size": 128},
     0.90, 0.75),
    (CTGANGenerator, {"embedding_dim": 32, "generator_dim": (64, 64),
                      "discriminator_dim": (64, 64), "batch_size": 100},
     0.88, None),
], ids=["TVAEGenerator", "TabDDPMGenerator", "CTGANGenerator"])
def test_short_cpu_training_quality(cls, params, min_shapes, min_tstr):
    # measured (CPU, 15 epochs, 3000 rows): TVAE 0.946, TabDDPM 0.960 (TSTR
    # 0.821; lr 2e-3 annealed), CTGAN 0.913
    from sksynth.metrics import column_shapes, tstr_score

    X, y = make_mixed_classification(3000, weights=(0.8,), random_state=0)
    train = X.assign(churn=y)
    X, y = make_mixed_classification(1000, weights=(0.8,), random_state=1)
    holdout = X.assign(churn=y)
    gen = cls(max_epochs=15, random_state=0, **params).fit(train)
    synth = gen.sample(1000, random_state=1)
    assert column_shapes(holdout, synth) >= min_shapes
    if min_tstr is not None:
        assert tstr_score(train, synth, holdout, target="churn",
                          random_state=0) >= min_tstr


# ------------------------------------------------------------------ GPU
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.mark.gpu
@cuda
@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_gpu_fit_then_load_and_sample_on_cpu_only(cls, data, tmp_path):
    X, y = data
    gen = tiny(cls, device="cuda").fit(X, y)
    assert next(gen.net_.module_.parameters()).device.type == "cuda"
    Xs, ys = gen.sample(50, random_state=0)
    assert len(Xs) == 50
    path = tmp_path / "gen.pkl"
    path.write_bytes(pickle.dumps(gen))
    script = textwrap.dedent(f"""
        import pickle, warnings, torch
        assert not torch.cuda.is_available()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gen = pickle.loads(open({str(path)!r}, "rb").read())
        Xs, ys = gen.sample(30, random_state=0)
        assert len(Xs) == 30
        print(next(gen.net_.module_.parameters()).device)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True,
                         text=True, env={"CUDA_VISIBLE_DEVICES": "",
                                         "PATH": "/usr/bin:/bin"},
                         cwd=str(__import__("pathlib").Path(__file__).parents[3]))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "cpu"


def test_index_batches_and_ctgan_epoch_length():
    from skorch.dataset import Dataset

    from sksynth.generators.neural._base import IndexBatches

    X = torch.arange(23.0)[:, None]
    full = IndexBatches(Dataset(X), batch_size=5)
    assert [len(b) for b, _ in full] == [5, 5, 5, 5, 3]
    dropped = IndexBatches(Dataset(X), batch_size=5, drop_last=True)
    assert [len(b) for b, _ in dropped] == [5, 5, 5, 5]
    lone = IndexBatches(Dataset(X[:3]), batch_size=5, drop_last=True)
    assert [len(b) for b, _ in lone] == [3]  # a lone short batch is kept
    torch.manual_seed(0)
    rows = torch.cat([b for b, _ in full]).flatten().sort().values
    assert torch.equal(rows, X.flatten())  # an epoch visits every row once
    # CTGAN: n // batch_size steps per epoch, as in the paper
    X, y = make_mixed_classification(n_samples=230, random_state=0)
    gen = tiny(CTGANGenerator, batch_size=50, max_epochs=1).fit(X, y)
    assert len(gen.net_.history[-1, "batches"]) == 4


def test_ctgan_samples_from_the_moving_average_of_its_generator(data):
    X, y = data
    gen = tiny(CTGANGenerator, max_epochs=1, batch_size=100).fit(X, y)  # 3 steps
    module = gen.net_.module_
    assert gen.net_.average_steps_ == 3
    live = dict(module.generator.named_parameters())
    avg = dict(module.generator_average.named_parameters())
    assert not any(p.requires_grad for p in avg.values())
    assert all(not torch.equal(live[k], avg[k]) for k in live)
    # update rule: avg += w * (current - avg), statistics included
    before = {k: v.clone() for k, v in module.generator_average.state_dict().items()}
    module.update_average(0.25)
    for k, v in module.generator_average.state_dict().items():
        cur = module.generator.state_dict()[k]
        want = before[k] + 0.25 * (cur - before[k]) if v.is_floating_point() else cur
        torch.testing.assert_close(v, want)
    # rows come from the averaged generator; average_decay=None: no copy
    a = gen.sample(20, random_state=0)[0]
    module.generator_average.load_state_dict(module.generator.state_dict())
    b = gen.sample(20, random_state=0)[0]
    assert not a.equals(b)
    plain = tiny(CTGANGenerator, max_epochs=1, average_decay=None).fit(X, y)
    assert plain.net_.module_.generator_average is None
