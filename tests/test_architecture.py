"""docs/architecture.md matches the code: every module is in its tree, every import between lanes is an arrow."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mfanalytics"
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")

CORE = {"errors", "times", "charsets", "export", "threads", "_compat"}
ENTRY = {"__init__", "connect", "cli", "demo"}


def _tree_paths() -> set[str]:
    """The module paths the tree block of the document names (``api/client.py``)."""
    block = DOC.split("## The tree", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    paths, stack = set(), []
    for line in block.strip().splitlines()[1:]:  # after "mfanalytics/"
        m = re.match(r"^((?:│   |    )*)(?:├── |└── )(\S+)", line)
        assert m, line
        depth = len(m.group(1)) // 4
        stack[depth:] = [m.group(2)]
        if m.group(2).endswith(".py"):
            paths.add("/".join(s.rstrip("/") for s in stack))
    return paths


def _modules() -> set[str]:
    return {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}


def test_every_module_is_in_the_tree_and_every_line_of_the_tree_is_a_module():
    documented = _tree_paths()
    assert "api/client.py" in documented and "__init__.py" in documented  # the reader sees the tree at all
    assert _modules() - documented == set(), "add these modules to docs/architecture.md"
    assert documented - _modules() == set(), "these modules are gone: remove them from docs/architecture.md"


def _lane(module: str) -> str:
    """``mfanalytics.api.client`` -> ``api``; a top-level module -> ``core`` or ``entry``."""
    parts = module.split(".")[1:] or ["__init__"]
    if len(parts) > 1 or (PACKAGE / parts[0]).is_dir():
        return parts[0]
    return "core" if parts[0] in CORE else "entry" if parts[0] in ENTRY else parts[0]


def _arrows() -> dict[str, set[str]]:
    block = DOC.split("<!-- arrows -->", 1)[1].split("<!-- /arrows -->", 1)[0]
    arrows = {}
    for line in block.split("```text", 1)[1].split("```", 1)[0].strip().splitlines():
        source, targets = (s.strip() for s in line.split("->"))
        arrows[source] = {t.strip() for t in targets.split("(")[0].split(",")}
    return arrows


def _imports_between_lanes() -> set[tuple[str, str, str]]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(("mfanalytics", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mfanalytics"):
                targets = (
                    [node.module] if node.module != "mfanalytics" else [f"mfanalytics.{a.name}" for a in node.names]
                )
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("mfanalytics")]
            else:
                continue
            for target in targets:
                a, b = _lane(module), _lane(target)
                if a != b:
                    found.add((a, b, module))
    return found


def test_every_import_between_lanes_is_an_arrow_of_the_document():
    arrows = _arrows()
    assert set(arrows) == {"messages", "lists", "reports", "analysis", "api", "sandbox", "widgets", "entry", "archive"}
    stray = sorted(
        f"{module} ({a} -> {b})"
        for a, b, module in _imports_between_lanes()
        if a != "entry" and b not in arrows.get(a, set()) and not (a == "core" and b == "core")
    )
    assert stray == [], "an import between lanes the document does not show"


def test_no_circle_between_lanes():
    arrows = {a: t - {"core", "everything"} for a, t in _arrows().items() if a != "entry"}
    arrows.pop("widgets")  # widgets -> entry: the forms use the public names; nothing imports widgets but entry
    for start in arrows:
        seen, todo = set(), [start]
        while todo:
            for nxt in arrows.get(todo.pop(), ()):
                assert nxt != start, f"a circle through {start}"
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
