"""Multi-sequence data: time series with static context, and child tables."""

from ._generator import SequenceGenerator

__all__ = ["SequenceGenerator"]
