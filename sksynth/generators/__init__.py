"""Generators: estimators that learn a table's joint distribution and draw rows."""

from ._arf import ARFGenerator
from ._bayesian_network import BayesianNetworkGenerator
from ._causal import CausalFairGenerator
from ._copula import GaussianCopulaGenerator
from ._forest_flow import ForestFlowGenerator
from ._privacy_filter import PrivacyFilterGenerator
from ._registry import generator_names, get_generator
from .dp import (
    AIMGenerator,
    DPCTGANGenerator,
    DPTVAEGenerator,
    MSTGenerator,
    PrivBayesGenerator,
)
from .neural import CTGANGenerator, TabDDPMGenerator, TVAEGenerator

__all__ = [
    "AIMGenerator",
    "ARFGenerator",
    "BayesianNetworkGenerator",
    "CTGANGenerator",
    "CausalFairGenerator",
    "DPCTGANGenerator",
    "DPTVAEGenerator",
    "ForestFlowGenerator",
    "GaussianCopulaGenerator",
    "MSTGenerator",
    "PrivBayesGenerator",
    "PrivacyFilterGenerator",
    "TVAEGenerator",
    "TabDDPMGenerator",
    "generator_names",
    "get_generator",
]
