import numpy as np

from sksynth.preprocessing._mode_normalizer import ModeSpecificNormalizer


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
