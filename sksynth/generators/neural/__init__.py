"""Neural generators trained through skorch: CTGAN, TVAE and TabDDPM."""

from ._ctgan import CTGANGenerator
from ._ddpm import TabDDPMGenerator
from ._tvae import TVAEGenerator

__all__ = ["CTGANGenerator", "TVAEGenerator", "TabDDPMGenerator"]
