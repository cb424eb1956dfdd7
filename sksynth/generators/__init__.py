"""Generators: estimators that learn a table's joint distribution and draw rows."""

from ._arf import ARFGenerator
from ._bayesian_network import BayesianNetworkGenerator
from ._causal import CausalFairGenerator
from ._classic import BootstrapGenerator, IndependentGenerator, KDEGenerator
from ._copula import GaussianCopulaGenerator
from ._data_centric import DataCentricGenerator
from ._forest_flow import ForestFlowGenerator
from ._privacy_filter import PrivacyFilterGenerator
from ._registry import generator_names, get_generator
from ._sequence import SequenceGenerator
from ._survival import SurvivalGenerator
from ._transfer import TransferGenerator
from .dp import (
    AIMGenerator,
    DPCTGANGenerator,
    DPTVAEGenerator,
    MSTGenerator,
    PATEGANGenerator,
    PrivBayesGenerator,
)
from .neural import CTGANGenerator, TabDDPMGenerator, TVAEGenerator

__all__ = [
    "AIMGenerator",
    "ARFGenerator",
    "BayesianNetworkGenerator",
    "BootstrapGenerator",
    "CTGANGenerator",
    "CausalFairGenerator",
    "DPCTGANGenerator",
    "DPTVAEGenerator",
    "DataCentricGenerator",
    "ForestFlowGenerator",
    "GaussianCopulaGenerator",
    "IndependentGenerator",
    "KDEGenerator",
    "MSTGenerator",
    "PATEGANGenerator",
    "PrivBayesGenerator",
    "PrivacyFilterGenerator",
    "SequenceGenerator",
    "SurvivalGenerator",
    "TVAEGenerator",
    "TabDDPMGenerator",
    "TransferGenerator",
    "generator_names",
    "get_generator",
]
