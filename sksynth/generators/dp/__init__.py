"""Differentially private generators (marginal-based) and their accounting."""

from ._aim import AIMGenerator
from ._base import PrivacyBudgetWarning
from ._domain import DPDomainWarning
from ._dpsgd import DPCTGANGenerator, DPTVAEGenerator
from ._mst import MSTGenerator
from ._pategan import PATEGANGenerator
from ._privbayes import PrivBayesGenerator
from .accounting import PrivacySpent

__all__ = ["AIMGenerator", "DPDomainWarning", "MSTGenerator", "PATEGANGenerator",
           "PrivacyBudgetWarning",
           "PrivacySpent", "PrivBayesGenerator", "DPCTGANGenerator", "DPTVAEGenerator"]
