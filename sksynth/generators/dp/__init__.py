"""Differentially private generators (marginal-based) and their accounting."""

from ._aim import AIMGenerator
from ._base import PrivacyBudgetWarning
from ._mst import MSTGenerator
from .accounting import PrivacySpent

__all__ = ["AIMGenerator", "MSTGenerator", "PrivacyBudgetWarning", "PrivacySpent"]
