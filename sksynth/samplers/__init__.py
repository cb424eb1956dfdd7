"""imbalanced-learn samplers built on sksynth generators."""

from ._fair import FairResampler
from ._over_sampling import GenerativeOverSampler
from ._release import SyntheticReleaseSampler
from ._sequence import SequenceOverSampler

__all__ = [
    "FairResampler",
    "GenerativeOverSampler",
    "SequenceOverSampler",
    "SyntheticReleaseSampler",
]
