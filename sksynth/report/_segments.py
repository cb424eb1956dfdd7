"""The data-centric segments section of the quality report."""

from __future__ import annotations

from ..metrics._segments import segment_shares

__all__ = ["SEGMENTS_TEXT", "segments_group"]

SEGMENTS_TEXT = (
    "Shares of easy, ambiguous and hard rows (Data-IQ profiles: a classifier "
    "of the target is confidently right, unsure, or confidently wrong about "
    "the row). 'real': the real rows, profiled out of fold; 'synthetic': the "
    "synthetic rows profiled the same way by models trained on synthetic rows "
    "(a generator that keeps the real data's structure keeps its "
    "proportions); 'synthetic_by_real': the synthetic rows scored by the "
    "model trained on the real rows (hard here = generated rows whose label "
    "contradicts what the real data says about such rows)."
)


def segments_group(report, real, synthetic, add):
    """The segment shares of ``report``'s tables (a column per profile); adds
    the hard shares to the summary."""
    if report.target is None:
        raise ValueError("The segments metrics need target=.")
    table = segment_shares(
        real,
        synthetic,
        target=report.target,
        max_samples=report.max_samples,
        random_state=report.random_state,
    )
    for column in table.columns:
        add(
            "segments",
            f"hard_share [{column}]",
            table.loc["hard", column],
            f"share of hard rows ({column}); compare with the real share",
        )
    return table.reset_index()
