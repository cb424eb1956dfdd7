"""FairResampler's target planning, as plain functions on counts."""

import numpy as np
import pytest

from sksynth.samplers._fair_targets import cell_counts, cell_deltas, cell_targets


@pytest.fixture
def counts():
    rng = np.random.RandomState(0)
    g = rng.choice(["f", "m"], 500, p=[0.3, 0.7])
    y = np.where(g == "m", rng.uniform(size=500) < 0.4, rng.uniform(size=500) < 0.1)
    return cell_counts([(v,) for v in g], y.astype(int), ["sex"])


@pytest.mark.parametrize("resampling", ["over", "under", "both"])
def test_parity_gives_every_group_the_overall_positive_rate(counts, resampling):
    targets = cell_targets(counts, "parity", resampling)
    overall = counts.xs(1, level="y").sum() / counts.sum()
    for group in ("f", "m"):
        t = targets.xs(group, level="sex")
        assert t[1] / t.sum() == pytest.approx(overall, abs=0.01)
    table, T = counts.to_numpy(), targets.to_numpy()
    if resampling == "over":
        assert (T >= table).all()
    if resampling == "under":
        assert (T <= table).all()


def test_deltas_are_targets_minus_counts(counts):
    targets = cell_targets(counts, "equal_cells", "over")
    deltas = cell_deltas(counts, targets)
    assert all(v > 0 for v in deltas.values())
    for cell, n in deltas.items():
        assert counts[cell] + n == counts.max()


def test_explicit_targets_checked(counts):
    with pytest.raises(ValueError, match="Unknown cell"):
        cell_targets(counts, {("x", 1): 10}, "both")
    with pytest.raises(ValueError, match="only adds rows"):
        cell_targets(counts, {("f", 0): 0}, "over")
    with pytest.raises(ValueError, match="integer >= 0"):
        cell_targets(counts, {("f", 0): -1}, "both")
    with pytest.raises(TypeError, match="must return a dict"):
        cell_targets(counts, lambda c: 3, "both")
    assert cell_targets(counts, {("f", 1): 99}, "both")[("f", 1)] == 99
