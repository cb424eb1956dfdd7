"""Quality report of a synthetic table: metrics, figures and HTML."""

from ._quality import QualityReport
from ._sequence import SequenceReport

__all__ = ["QualityReport", "SequenceReport"]
