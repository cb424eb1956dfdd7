"""Sphinx configuration for sksynth."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import sksynth  # noqa: E402

project = "sksynth"
author = "sksynth developers"
release = sksynth.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
exclude_patterns = ["_build", "dev", "auto_examples/*.ipynb"]
html_theme = "alabaster"
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("sksynth",),
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
}
suppress_warnings = ["autosummary.import_cycle"]
