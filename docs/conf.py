"""Sphinx configuration for sksynth."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import sksynth  # noqa: E402

project = "sksynth"
author = "the sksynth developers"
copyright = f"2026, {author}"  # noqa: A001 (the name Sphinx reads)
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
# wide enough for 88-character code lines (the project's line length) without
# a scroll bar on a laptop screen
html_theme_options = {"page_width": "1160px", "sidebar_width": "230px"}
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # "Start here" first, then from drawing rows to using them
    "subsection_order": [
        "../examples/overview",
        "../examples/generators",
        "../examples/neural",
        "../examples/evaluation",
        "../examples/privacy",
        "../examples/fairness",
        "../examples/survival",
        "../examples/augmentation",
        "../examples/profiling",
        "../examples/rules",
        "../examples/sequences",
        "../examples/transfer",
        "*",
    ],
    "doc_module": ("sksynth",),
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
}
suppress_warnings = ["autosummary.import_cycle"]
