"""imbalanced-learn samplers built on sksynth generators."""

from ._fair import FairResampler
from ._over_sampling import GenerativeOverSampler
from ._release import SyntheticReleaseSampler
from ._survival import SurvivalOverSampler

__all__ = [
    "FairResampler",
    "GenerativeOverSampler",
    "SurvivalOverSampler",
    "SyntheticReleaseSampler",
]
