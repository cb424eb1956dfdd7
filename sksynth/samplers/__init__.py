"""imbalanced-learn samplers built on sksynth generators."""

from ._fair import FairResampler
from ._over_sampling import GenerativeOverSampler

__all__ = ["FairResampler", "GenerativeOverSampler"]
