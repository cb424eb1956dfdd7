"""imbalanced-learn samplers built on sksynth generators."""

from ._fair import FairResampler
from ._hard_example_filter import HardExampleFilter
from ._over_sampling import GenerativeOverSampler
from ._release import SyntheticReleaseSampler

__all__ = [
    "FairResampler",
    "GenerativeOverSampler",
    "HardExampleFilter",
    "SyntheticReleaseSampler",
]
