"""Utilities: estimator discovery and estimator checks."""

from .discovery import all_estimators

__all__ = ["all_estimators"]
