"""The attack part of the quality report's privacy section.

:func:`attack_values` runs the attacks of :mod:`sksynth.metrics._attacks` on
what the report has: the density-ratio membership attack when a holdout is
given, and the attribute-inference CAP of the target column (the sensitive
value an attacker wants) from the first three other columns (the
quasi-identifiers the attacker knows), on the training rows and, as the
baseline of what the synthetic rows tell about anyone, on the holdout rows.
"""

from __future__ import annotations

import pandas as pd

from .. import metrics as M

__all__ = ["IDEAL", "attack_values"]

# metric: (ideal value, what it means), merged into the report's table
IDEAL = {
    "density_ratio_mia_auc": (
        0.5,
        "density-ratio (DOMIAS-style) attack; 1 = members recognised",
    ),
    "attribute_inference_cap": (
        None,
        "CAP of the target from 3 quasi-identifiers, training rows",
    ),
    "attribute_inference_cap_holdout": (
        None,
        "the same CAP on holdout rows; a gap = training rows exposed",
    ),
}

# number of quasi-identifiers assumed known to the attacker
N_QUASI_IDENTIFIERS = 3


def attack_values(real, synthetic, holdout, *, target, max_samples, random_state):
    """The attack metrics that the inputs allow, as ``{name: value}``."""
    values = {}
    if holdout is not None:
        values["density_ratio_mia_auc"] = M.density_ratio_mia_auc(
            real, synthetic, holdout, max_samples=max_samples, random_state=random_state
        )
    if target is not None and isinstance(real, pd.DataFrame):
        qi = [c for c in real.columns if c != target][:N_QUASI_IDENTIFIERS]
        if qi:
            kw = {"quasi_identifiers": qi, "sensitive": target}
            values["attribute_inference_cap"] = M.attribute_inference_cap(
                real, synthetic, **kw
            )
            if holdout is not None:
                values["attribute_inference_cap_holdout"] = M.attribute_inference_cap(
                    holdout, synthetic, **kw
                )
    return values
