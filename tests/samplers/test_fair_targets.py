"""FairResampler's target planning, as plain functions on counts."""

import numpy as np
import pytest

from sksynth.samplers._fair_targets import (
    cell_counts,
    cell_deltas,
    cell_targets,
    group_thresholds,
    interpolate_targets,
    odds_targets,
)


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


def test_strength_interpolates_between_counts_and_targets(counts):
    full = cell_targets(counts, "parity", "over")
    assert interpolate_targets(counts, full, 0.0).equals(counts)
    assert interpolate_targets(counts, full, 1.0).equals(full)
    half = interpolate_targets(counts, full, 0.5)
    assert (np.abs(half - (counts + full) / 2) <= 0.5).all()
    # the positive-rate gap shrinks monotonically with the strength
    gaps = []
    for s in np.linspace(0, 1, 5):
        t = interpolate_targets(counts, full, s)
        rate = t.xs(1, level="y") / t.groupby(level="sex").sum()
        gaps.append(rate["m"] - rate["f"])
    assert np.all(np.diff(gaps) < 0) and gaps[-1] < 0.01 < 0.2 < gaps[0]
    with pytest.raises(ValueError, match="strength"):
        interpolate_targets(counts, full, 1.5)


@pytest.mark.parametrize("resampling", ["over", "under", "both"])
def test_odds_targets_multiply_each_groups_odds(counts, resampling):
    odds = np.array([3.0, 0.5])  # f, m
    targets = odds_targets(counts, odds, resampling)
    for k, g in enumerate(["f", "m"]):
        c, t = counts.xs(g, level="sex"), targets.xs(g, level="sex")
        assert t[1] / t[0] == pytest.approx(odds[k] * c[1] / c[0], rel=0.05)
        if resampling == "over":
            assert (t >= c).all()
        elif resampling == "under":
            assert (t <= c).all()
        else:
            assert abs(t.sum() - c.sum()) <= 1


@pytest.mark.parametrize(
    "criterion", ["demographic_parity", "equal_opportunity", "equalized_odds"]
)
def test_group_thresholds_equalise_the_rate(criterion):
    rng = np.random.RandomState(0)
    g = rng.randint(0, 2, 4000)
    positive = rng.uniform(size=4000) < np.where(g == 0, 0.15, 0.4)
    # group 1 scores higher at the same label: unequal rates at 0.5
    scores = np.clip(0.3 * positive + 0.15 * g + rng.normal(0.3, 0.15, 4000), 0, 1)

    def rates(t):
        pred = scores >= t[g]
        sel = [pred[g == k].mean() for k in (0, 1)]
        tpr = [pred[(g == k) & positive].mean() for k in (0, 1)]
        fpr = [pred[(g == k) & ~positive].mean() for k in (0, 1)]
        return {"demographic_parity": abs(sel[0] - sel[1]),
                "equal_opportunity": abs(tpr[0] - tpr[1]),
                "equalized_odds": max(abs(tpr[0] - tpr[1]), abs(fpr[0] - fpr[1]))}

    before = rates(np.array([0.5, 0.5]))[criterion]
    t = group_thresholds(scores, positive, g, criterion)
    after = rates(t)[criterion]
    assert before > 0.15
    assert after < 0.05, (before, after, t)
    assert ((0.01 <= t) & (t <= 0.99)).all()
    with pytest.raises(ValueError, match="criterion"):
        group_thresholds(scores, positive, g, "parity")
