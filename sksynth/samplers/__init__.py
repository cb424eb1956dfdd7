"""imbalanced-learn samplers built on sksynth generators."""

from ._over_sampling import GenerativeOverSampler

__all__ = ["GenerativeOverSampler"]
