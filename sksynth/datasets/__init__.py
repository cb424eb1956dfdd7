"""Built-in data sets (generated on the fly; nothing is downloaded)."""

from ._mixed import make_mixed_classification
from ._personal import make_personal_data
from ._sequences import (
    load_basic_motions,
    load_italy_power_demand,
    load_japanese_vowels,
    make_sines,
    to_panel,
)
from ._survival import load_survival, survival_dataset_names

__all__ = [
    "load_basic_motions",
    "load_italy_power_demand",
    "load_japanese_vowels",
    "load_survival",
    "make_mixed_classification",
    "make_personal_data",
    "make_sines",
    "survival_dataset_names",
    "to_panel",
]
