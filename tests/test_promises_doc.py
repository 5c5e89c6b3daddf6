"""docs/promises.md names only tests that exist, and every promise names one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "promises.md").read_text(encoding="utf-8")
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[(\w+)\])?`")


def test_every_test_named_in_promises_exists():
    references = REFERENCE.findall(DOC)
    assert len(references) >= 20
    missing = []
    for path, name, param in references:
        source = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).exists() else ""
        if not re.search(rf"^\s*def {re.escape(name)}\(", source, flags=re.M):
            missing.append(f"{path}::{name}")
        elif param and param not in source:
            missing.append(f"{path}::{name}[{param}]")
    assert not missing, f"docs/promises.md names tests that do not exist: {missing}"


def test_every_promise_row_names_a_test_or_says_it_is_pending():
    rows = [line for line in DOC.splitlines() if line.startswith("| **")]
    assert len(rows) >= 20
    bare = [row.split("|")[1].strip() for row in rows if not REFERENCE.search(row) and "pending merge" not in row]
    assert not bare, f"promises without a test: {bare}"
