"""Quality report of a synthetic table: metrics, figures and HTML."""

from ._quality import QualityReport

__all__ = ["QualityReport"]
