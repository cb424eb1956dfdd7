"""Sub-commands of the ``sksynth`` command line (one module each)."""
