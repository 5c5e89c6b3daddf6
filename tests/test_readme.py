"""The README's Python examples run as written (on the sandbox, offline)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, monkeypatch, capsys):
    for key in ("MEDIASFLOW_TOKEN", "MEDIASFLOW_USERNAME", "MEDIASFLOW_PASSWORD", "MEDIASFLOW_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(README.parent)
    namespace: dict = {}
    exec(compile(BLOCKS[index], f"README.md python block {index + 1}", "exec"), namespace)
    client = namespace.get("client")
    if index == 0:
        out = capsys.readouterr().out
        assert "local sandbox: no real SMS" in out
        assert namespace["campaign"].status == "INJECTED"
        assert len(namespace["report"]) == namespace["campaign"]["countValid"]
    if client is not None:
        client.close()
