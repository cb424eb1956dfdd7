"""Generators: estimators that learn a table's joint distribution and draw rows."""

from ._copula import GaussianCopulaGenerator

__all__ = ["GaussianCopulaGenerator"]
