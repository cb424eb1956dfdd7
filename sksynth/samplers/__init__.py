"""imbalanced-learn samplers built on sksynth generators."""

from ._fair import FairResampler
from ._over_sampling import GenerativeOverSampler
from ._release import SyntheticReleaseSampler

__all__ = ["FairResampler", "GenerativeOverSampler", "SyntheticReleaseSampler"]
