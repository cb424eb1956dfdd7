"""Pairs of values that never occur together (now part of :mod:`._rules`)."""

from ._rules import ImpossiblePairs

__all__ = ["ImpossiblePairs"]
