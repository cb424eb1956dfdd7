"""sksynth: synthetic tabular data as a native part of scikit-learn."""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
