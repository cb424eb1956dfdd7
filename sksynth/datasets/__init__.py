"""Built-in data sets (generated on the fly; nothing is downloaded)."""

from ._mixed import make_mixed_classification
from ._survival import load_survival, survival_dataset_names

__all__ = ["load_survival", "make_mixed_classification", "survival_dataset_names"]
