"""Quality report of a synthetic table: metrics, figures and HTML."""

from ._quality import QualityReport
from ._sequence import SequenceReport
from ._survival import plot_kaplan_meier, survival_summary

__all__ = ["QualityReport", "SequenceReport", "plot_kaplan_meier", "survival_summary"]
