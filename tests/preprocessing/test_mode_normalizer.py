import time

import numpy as np
import pandas as pd
import pytest

from sksynth.preprocessing import TableEncoder, TableSchema
from sksynth.preprocessing._mode_normalizer import ModeSpecificNormalizer
from sksynth.preprocessing._table_encoder import NUMERIC_ENCODERS


def _bimodal(n, seed=0):
    rng = np.random.RandomState(seed)
    return np.concatenate([rng.normal(-10, 1, n // 2), rng.normal(20, 3, n - n // 2)])


def test_finds_the_modes_and_round_trips():
    x = _bimodal(2000)
    enc = ModeSpecificNormalizer().fit(x)
    w = np.exp(enc.log_weights_)
    assert 3 <= enc.n_outputs <= 5  # alpha + the two modes (a split at most)
    low = enc.means_ < 5
    assert abs(w[low].sum() - 0.5) < 0.02
    np.testing.assert_allclose(np.sum(w[low] * enc.means_[low]) / w[low].sum(), -10,
                               atol=0.3)
    assert np.all(enc.stds_[low] < 1.3)
    block = enc.transform(x)
    assert block.shape == (2000, enc.n_outputs)
    assert np.all(np.abs(block[:, 0]) <= 0.99)
    np.testing.assert_array_equal(block[:, 1:].sum(axis=1), 1.0)
    np.testing.assert_allclose(enc.inverse(block), x, atol=1e-9)


def _weights_of(enc):
    return np.exp(enc.log_weights_)


def test_random_mode_draw_follows_the_posterior():
    rng = np.random.RandomState(0)
    x = np.concatenate([rng.normal(0, 1, 1500), rng.normal(3, 1, 1500)])
    enc = ModeSpecificNormalizer().fit(x)
    assert enc.n_outputs >= 3
    drawn = enc.transform(np.full(2000, 1.5), np.random.RandomState(0))
    assert len(np.unique(drawn[:, 1:].argmax(1))) >= 2  # posterior draw
    fixed = enc.transform(np.full(10, 1.5))
    assert len(np.unique(fixed[:, 1:].argmax(1))) == 1  # arg-max without rng
    # each draw still decodes to the value
    np.testing.assert_allclose(enc.inverse(drawn), 1.5, atol=1e-9)


def test_subsample_cap_bounds_fit_time_and_keeps_accuracy():
    x = _bimodal(200_000)
    t0 = time.perf_counter()
    enc = ModeSpecificNormalizer(max_samples=2000).fit(x)
    capped = time.perf_counter() - t0
    w = _weights_of(enc)
    low = enc.means_ < 5
    assert abs(w[low].sum() - 0.5) < 0.05
    np.testing.assert_allclose(np.sum(w[low] * enc.means_[low]) / w[low].sum(), -10,
                               atol=0.3)
    np.testing.assert_allclose(np.sum(w[~low] * enc.means_[~low]) / w[~low].sum(),
                               20, atol=0.5)
    assert capped < 5.0
    # every row is encoded (the cap only subsamples the mixture fit); only
    # values beyond 4 standard deviations of every mode are clipped
    err = np.abs(enc.inverse(enc.transform(x)) - x)
    assert np.mean(err > 1e-9) < 1e-3


def test_constant_like_and_discrete_columns():
    x = np.array([0.0] * 95 + [1.0] * 5)
    enc = ModeSpecificNormalizer().fit(x)
    np.testing.assert_allclose(enc.inverse(enc.transform(x)), x, atol=1e-9)
    with pytest.raises(ValueError, match="1-D"):
        ModeSpecificNormalizer().fit(np.array([1.0, np.nan]))


def test_registered_and_used_by_the_table_encoder():
    assert NUMERIC_ENCODERS["mode"] is ModeSpecificNormalizer
    rng = np.random.RandomState(0)
    df = pd.DataFrame({
        "x": np.where(rng.rand(300) < 0.1, np.nan, _bimodal(300)),
        "c": rng.choice(["a", "b"], 300),
    })
    schema = TableSchema.infer(df)
    Z = schema.encode(df)
    enc = TableEncoder(numeric="mode").fit_codes(Z, schema)
    kinds = [(b.role, b.encoding, b.width) for b in enc.blocks_]
    assert kinds[0] == ("value", "mode", 3)
    back = schema.decode(enc.inverse_codes(enc.transform_codes(Z)))
    pd.testing.assert_frame_equal(back, df)


def test_point_mass_gets_an_exact_mode():
    # 90% zeros: a Gaussian mode would decode the spike to a range of invented
    # values around 0, negative ones included (CTGAN's capital_gain)
    rng = np.random.RandomState(0)
    x = np.where(rng.uniform(size=5000) < 0.9, 0.0, rng.lognormal(8, 1, 5000))
    enc = ModeSpecificNormalizer().fit(x)
    assert enc.point_masses_.tolist() == [0.0]
    assert enc.stds_[0] == 0.0
    block = enc.transform(x, rng)
    assert (block[x == 0, 1] == 1).all() and (block[x != 0, 1] == 0).all()
    np.testing.assert_allclose(enc.inverse(block), x, rtol=1e-9)
    # whatever the scalar part, the point-mass mode decodes to exactly 0
    noisy = block.copy()
    noisy[:, 0] = rng.uniform(-1, 1, len(x))
    assert (enc.inverse(noisy)[x == 0] == 0).all()
    # below the threshold no exact mode is made
    assert ModeSpecificNormalizer(min_point_mass=0.95).fit(x).point_masses_.size == 0

def test_inverse_stays_within_the_fitted_range():
    # hours worked: 1..99 with a spike at 40; a generator's alpha at the edge
    # of a wide mode used to decode to negative hours
    rng = np.random.RandomState(0)
    x = np.where(rng.uniform(size=3000) < 0.45, 40.0, rng.uniform(1, 99, 3000).round())
    enc = ModeSpecificNormalizer().fit(x)
    assert (enc.low_, enc.high_) == (1.0, 99.0)
    block = np.zeros((2 * (enc.n_outputs - 1), enc.n_outputs))
    modes = np.arange(enc.n_outputs - 1)
    block[:, 0] = np.repeat([-1.0, 1.0], len(modes))  # every mode, both edges
    block[np.arange(len(block)), 1 + np.tile(modes, 2)] = 1.0
    out = enc.inverse(block)
    assert out.min() >= 1.0 and out.max() <= 99.0
    # the edges of the widest mode reach the range's ends (clipped, not lost)
    assert out.min() == 1.0 or out.max() == 99.0
    # values seen in fit still round-trip exactly
    assert np.allclose(enc.inverse(enc.transform(x)), x)
