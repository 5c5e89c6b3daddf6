"""Sphinx configuration of the documentation site (`make docs`; `make test` builds it with -W)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mfanalytics  # noqa: E402

project = "mfanalytics"
author = "the mfanalytics developers"
copyright = "2026, the mfanalytics developers"
release = version = mfanalytics.__version__

extensions = [
    "myst_nb",  # Markdown pages (MyST) and the notebooks, executed on the sandbox
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",  # the docstrings are numpydoc
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
]
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "notebooks/README.md"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# API reference: one page per public name of mfanalytics.__all__ (docs/api.rst)
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections say it in words
# Client's routes live in mixins (mfanalytics.api.routes, connection): inherited members are shown,
# but not those of the standard library's and ipywidgets' base classes
autodoc_default_options = {
    "members": True,
    "member-order": "bysource",
    "inherited-members": "BaseException, Exception, UserWarning, Warning, dict, list, object, VBox, Box, DOMWidget, Widget",
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()

# Notebooks: `make docs` runs them top to bottom on the embedded sandbox (as `make test` does in
# tests/test_notebooks.py); `make test` builds the site without running them again.
nb_execution_mode = os.environ.get("MFANALYTICS_DOCS_EXECUTE", "force")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

# offline: no inventory is fetched at build time
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

html_theme = "pydata_sphinx_theme"
html_title = "mfanalytics"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path = ["_static"]
html_css_files = ["custom.css"]
