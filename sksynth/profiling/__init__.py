"""Data-centric profiles of rows: Data-IQ, Data Maps and confident learning.

:class:`DataIQProfiler` labels every row of a classification table as
``"easy"``, ``"ambiguous"`` or ``"hard"`` from the probabilities a classifier
gives to its label during training; :func:`profile_from_probabilities` applies
the same definitions to a matrix of checkpoint probabilities.
"""

from ._profiler import DataIQProfiler
from ._scores import SEGMENTS, profile_from_probabilities

__all__ = ["SEGMENTS", "DataIQProfiler", "profile_from_probabilities"]
