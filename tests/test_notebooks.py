"""The notebooks of ``notebooks/`` run top to bottom on the embedded sandbox, and are saved clean."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SECRET_WORDS = re.compile(r"(password|token|bearer)\s*[=:]\s*['\"]?\w", re.IGNORECASE)


def _text(cell) -> str:
    """Everything a code cell printed or displayed, as plain text."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") in ("display_data", "execute_result"):
            parts.append(out.get("data", {}).get("text/plain", ""))
        elif out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback", [])))
    return "\n".join(parts)


def test_the_four_notebooks_are_there():
    names = [p.name for p in NOTEBOOKS]
    assert names == [
        "01_campaign_analysis.ipynb",
        "02_send_test_campaign.ipynb",
        "03_deliverability_report.ipynb",
        "04_clean_recipient_list.ipynb",
        "05_history.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_saved_without_outputs_and_starting_with_connect(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "clear the outputs before saving"
    assert "mfanalytics.connect(" in code[0].source
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= len(code) // 2, "explain the cells in plain words"
    assert not SECRET_WORDS.search(path.read_text(encoding="utf-8"))


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A folder to run in (outputs land there) where ``data_samples/`` is reachable; no credentials."""
    for key in ("MEDIASFLOW_TOKEN", "MEDIASFLOW_USERNAME", "MEDIASFLOW_PASSWORD", "MEDIASFLOW_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / "data_samples").symlink_to(ROOT / "data_samples")
    return tmp_path


def _run(path: Path, workdir: Path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_the_sandbox(path, workdir):
    nb = _run(path, workdir)
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = _text(code[0])
    assert "local sandbox: no real SMS" in first
    everything = "\n".join(_text(c) for c in code)
    assert "Traceback" not in everything
    if path.name.startswith("03"):
        said = re.search(r"in (\d+) campaigns, from (\S+) to today \((\d+) days", everything)
        assert said and int(said[3]) >= 30 and int(said[1]) > 7, everything[:2000]
        report = workdir / "out" / "deliverability_30_days.html"
        assert report.exists() and report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    if path.name.startswith("04"):
        clean = (workdir / "out" / "recipients_clean.csv").read_text(encoding="utf-8-sig")
        assert clean.count("\n") > 5
        said = re.search(r"list \d+: (\d+) valid, (\d+) duplicates, (\d+) invalid", everything)
        assert said, everything[-2000:]
        assert int(said[2]) == 0 and int(said[3]) == 0 and int(said[1]) == clean.count("\n") - 1
    if path.name.startswith("02"):
        assert "showing the newest campaign" in everything  # nobody clicked the form here
        # the explorer's Output widget lives in the saved widget state, not in the cell outputs
        state = json.dumps(nb.metadata.get("widgets", {}))
        assert re.search(r"KPIs \(campaign \d+\): Recipients [1-9]", state), state[:1000]
    if path.name.startswith("05"):
        assert re.search(r"rows of \d+ campaigns in [2-9] months", everything), everything[-2000:]
        assert re.search(r"first sync: \d+ days fetched; second: \d+", everything)
        assert re.search(r"\d{4}-\d{2} vs \d{4}-\d{2}: [\d,]+ recipients", everything)
    if path.name.startswith("01"):
        assert re.search(r"the newest is \d+\.", everything)
        assert any(
            o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
            for c in code
            for o in c.get("outputs", [])
        )


def test_notebooks_use_only_the_public_names():
    """The notebooks are what users copy from: no private attribute of the package."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not re.search(r"\.\_[a-z]", cell.source), (path.name, cell.source)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_sandbox(tmp_path, port: int, log_name: str):
    """``mfanalytics sandbox`` as ``make lab`` starts it; returns the process once it answers."""
    import subprocess
    import sys
    import time

    import requests

    exe = Path(sys.executable).with_name("mfanalytics")
    log = open(tmp_path / log_name, "wb")
    proc = subprocess.Popen(
        [
            str(exe),
            "sandbox",
            "--port",
            str(port),
            "--speed",
            "60",
            "--db",
            str(tmp_path / "sandbox.db"),
            "--samples",
            "3",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/_sandbox/clock", timeout=1).status_code == 200:
                return proc, log
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail("the sandbox did not start: " + (tmp_path / log_name).read_text(errors="replace"))
        time.sleep(0.2)


def _stop(proc, log) -> None:
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def test_lab_flow_send_from_the_form_then_read_it_in_notebook_01(workdir, monkeypatch, capsys):
    """What ``make lab`` gives: one served sandbox for every kernel. A campaign sent from
    the form is the one notebook 01 (another kernel) analyses; a restart keeps it."""
    import mfanalytics
    from mfanalytics.widgets import SendForm

    port = _free_port()
    proc, log = _serve_sandbox(workdir, port, "sandbox1.log")
    try:
        monkeypatch.setenv("MEDIASFLOW_BASE_URL", f"http://127.0.0.1:{port}/api/v1")
        monkeypatch.setenv("MEDIASFLOW_USERNAME", "demo")
        monkeypatch.setenv("MEDIASFLOW_PASSWORD", "demo")
        client = mfanalytics.connect()
        assert "local sandbox: no real SMS" in capsys.readouterr().out
        form = SendForm(client)
        form.recipients.value = "06 12 34 56 78\n07 81 22 33 44"
        form.message.value = "Test depuis le formulaire"
        form.type_select.value = "NOTIFICATION"  # a test message at any hour: not marketing
        form.validate_button.click()
        form.send_button.click()
        assert form.campaign_id is not None, [o["data"]["text/plain"] for o in form.output.outputs]
        client.close()
        nb = _run(ROOT / "notebooks" / "01_campaign_analysis.ipynb", workdir)
        everything = "\n".join(_text(c) for c in nb.cells if c.cell_type == "code")
        assert "local sandbox: no real SMS" in everything and "Traceback" not in everything
        assert f"the newest is {form.campaign_id}." in everything
        assert re.search(r"^2 recipients$", everything, re.MULTILINE)
    finally:
        _stop(proc, log)
    assert "sample campaigns over 3 days" in (workdir / "sandbox1.log").read_text()
    proc, log = _serve_sandbox(workdir, port, "sandbox2.log")  # make lab again, same out/lab/sandbox.db
    try:
        client = mfanalytics.connect(quiet=True)
        assert len(client.get_report(form.campaign_id)) == 2
        client.close()
    finally:
        _stop(proc, log)
    assert "sample campaigns" not in (workdir / "sandbox2.log").read_text()  # not populated twice
