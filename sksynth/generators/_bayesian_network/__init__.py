"""Discrete Bayesian network generator, built from separable pieces.

The pieces are reusable on their own (PrivBayes, marginal-based and causal
generators build on them). Column states come from the one cell layer,
:mod:`sksynth.preprocessing._cells` (``CellEncoder(data_domains(Z, schema))``:
numeric bins with point masses kept as their own states, categories, missing
as one more state, within-bin sampling back to values):

=============================  ===============================================
piece                          what it does
=============================  ===============================================
:func:`family_counts`          contingency table of a node and its parents
:func:`pairwise_mutual_info`   mutual information of every pair of columns
:func:`chow_liu_tree`          maximum mutual-information spanning tree
:func:`greedy_network`         bounded greedy BIC search (``max_parents``)
:func:`estimate_cpts`          Laplace-smoothed conditional probability tables
:class:`DiscreteBayesianNetwork`  forward sampling with evidence: exact when
                               every evidence node's parents are evidence,
                               likelihood weights otherwise; exact posterior
                               sampling on trees (``sample_posterior``)
=============================  ===============================================

Modules: ``_structure`` (counts, mutual
information, structure learning), ``_tables`` (conditional tables),
``_inference`` (sampling with evidence), ``_generator`` (the estimator).

A structure is a list ``parents`` with ``parents[j]`` the tuple of parent
positions of column ``j``; states of ``D`` are integers ``0 .. cards[j] - 1``.
"""

from ._generator import BayesianNetworkGenerator
from ._inference import DiscreteBayesianNetwork
from ._structure import (
    chow_liu_tree,
    family_counts,
    greedy_network,
    pairwise_mutual_info,
    topological_order,
)
from ._tables import estimate_cpts

__all__ = [
    "BayesianNetworkGenerator",
    "DiscreteBayesianNetwork",
    "chow_liu_tree",
    "estimate_cpts",
    "family_counts",
    "greedy_network",
    "pairwise_mutual_info",
    "topological_order",
]
