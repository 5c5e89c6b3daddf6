"""Jupyter configuration of `make lab`: saving a notebook never dirties the repository.

`make lab` puts this folder on JUPYTER_CONFIG_PATH. Before JupyterLab writes a notebook (autosave
included), the hook below removes what running it added: outputs, execution counts, the kernel's
language details, widget state and per-cell view state. The notebook on disk is then the one in
git, plus your own edits to the cells. Checkpoints go under out/lab/, which git ignores.
`tests/test_lab_config.py` saves a run notebook through a real Jupyter server and checks that
`git status` stays clean.
"""

from __future__ import annotations

import os

# Cell metadata that only records how a cell was viewed or run.
VOLATILE_CELL_METADATA = ("collapsed", "scrolled", "execution", "jupyter", "ExecuteTime", "trusted")


def scrub_notebook(model, **kwargs):
    """Pre-save hook: strip outputs and run state from a notebook model, in place."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    nb = model["content"]
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        meta = cell.get("metadata", {})
        for key in VOLATILE_CELL_METADATA:
            meta.pop(key, None)
    meta = nb.get("metadata", {})
    meta.pop("widgets", None)
    info = meta.get("language_info")
    if isinstance(info, dict):
        meta["language_info"] = {"name": info.get("name", "python")}


c = get_config()  # noqa: F821 (Jupyter's config loader provides it)
c.FileContentsManager.pre_save_hook = scrub_notebook
c.FileCheckpoints.checkpoint_dir = os.path.join(
    os.path.abspath(os.environ.get("MFANALYTICS_LAB_OUT", "out/lab")), "checkpoints"
)
