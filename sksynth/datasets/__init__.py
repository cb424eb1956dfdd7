"""Built-in data sets (generated on the fly; nothing is downloaded)."""

from ._mixed import make_mixed_classification

__all__ = ["make_mixed_classification"]
