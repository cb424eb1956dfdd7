"""imbalanced-learn samplers built on sksynth generators."""

from ._fair import FairResampler
from ._hard_example_filter import HardExampleFilter
from ._image import (
    GaussianNoise,
    ImageAugmentationSampler,
    ImageTransform,
    RandomAffine,
    RandomBrightnessContrast,
    RandomCutout,
    RandomFlip,
)
from ._over_sampling import GenerativeOverSampler
from ._release import SyntheticReleaseSampler
from ._sequence import SequenceOverSampler
from ._survival import SurvivalOverSampler
from ._text import TextAugmentationSampler, wordnet_synonyms
from ._torch_batches import AugmentedImageDataset, BalancedSampler

__all__ = [
    "AugmentedImageDataset",
    "BalancedSampler",
    "FairResampler",
    "GaussianNoise",
    "GenerativeOverSampler",
    "HardExampleFilter",
    "ImageAugmentationSampler",
    "ImageTransform",
    "RandomAffine",
    "RandomBrightnessContrast",
    "RandomCutout",
    "RandomFlip",
    "SequenceOverSampler",
    "SurvivalOverSampler",
    "SyntheticReleaseSampler",
    "TextAugmentationSampler",
    "wordnet_synonyms",
]
