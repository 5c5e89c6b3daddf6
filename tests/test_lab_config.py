"""`make lab` never dirties the repository: a notebook saved by a real Jupyter server stays as in git.

The server is started here with the configuration `make lab` uses (etc/jupyter on
JUPYTER_CONFIG_PATH), on a copy of the notebooks in a fresh git repository; the notebook is saved
through the contents API with what a run adds (outputs, execution counts, kernel details, widget
state, view state of cells), as JupyterLab's autosave does.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "01_campaign_analysis.ipynb"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def server(tmp_path):
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(path, repo / "notebooks" / path.name)
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "notebooks")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "lab-config-test"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_PATH": str(ROOT / "etc" / "jupyter"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "MFANALYTICS_LAB_OUT": str(repo / "out" / "lab"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={repo}", "--ServerApp.port_retries=0",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=repo,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"
    try:
        for _ in range(200):
            try:
                if session.get(f"{base}/api/status", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"jupyter server exited: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        else:
            pytest.fail("jupyter server did not start in 20 s")
        yield repo, base, session
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def run_state(nb: dict) -> dict:
    """What running the notebook in JupyterLab adds to it."""
    for n, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = n + 1
        cell["outputs"] = [
            {"output_type": "stream", "name": "stdout", "text": "delivered 0.870466\n"},
            {"output_type": "execute_result", "execution_count": n + 1, "metadata": {}, "data": {"text/plain": "0"}},
        ]
        cell["metadata"].update({"scrolled": True, "execution": {"iopub.status.busy": "2026-12-02T10:00:00Z"}})
    nb["metadata"]["language_info"] = {
        "name": "python", "version": "3.11.7", "mimetype": "text/x-python", "file_extension": ".py",
        "codemirror_mode": {"name": "ipython", "version": 3}, "pygments_lexer": "ipython3",
    }  # fmt: skip
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}}
    return nb


def save(base: str, session: requests.Session, path: str, content: dict) -> None:
    url = f"{base}/api/contents/{path}"
    session.post(f"{url}/checkpoints", timeout=10).raise_for_status()  # as JupyterLab does on opening
    answer = session.put(url, json={"type": "notebook", "format": "json", "content": content}, timeout=10)
    answer.raise_for_status()


def test_saving_a_run_notebook_leaves_git_status_clean(server):
    repo, base, session = server
    path = f"notebooks/{NOTEBOOK}"
    nb = session.get(f"{base}/api/contents/{path}", params={"content": 1}, timeout=10).json()["content"]
    save(base, session, path, run_state(nb))
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    saved = json.loads((repo / path).read_text(encoding="utf-8"))
    assert all(c.get("outputs", []) == [] for c in saved["cells"])


def test_an_edit_is_kept_and_only_the_run_state_goes(server):
    repo, base, session = server
    path = f"notebooks/{NOTEBOOK}"
    nb = session.get(f"{base}/api/contents/{path}", params={"content": 1}, timeout=10).json()["content"]
    nb["cells"][0]["source"] += "\n\nMy own note."
    save(base, session, path, run_state(nb))
    assert git(repo, "status", "--porcelain") == f" M {path}\n"
    saved = json.loads((repo / path).read_text(encoding="utf-8"))
    committed = json.loads(git(repo, "show", f"HEAD:{path}"))
    assert "".join(saved["cells"][0]["source"]).endswith("My own note.")
    saved["cells"][0]["source"] = committed["cells"][0]["source"]
    assert saved == committed  # the edit is the only difference: no output, count or kernel detail
