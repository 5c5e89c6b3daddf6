"""Shared fixtures of the reliability suite, and the figures it prints.

Every test may ask for the ``figures`` fixture and record ``name -> value``
pairs (counts, rates, timings, peak memory). They are printed, in test
order, at the end of the run by :func:`pytest_terminal_summary`: the suite
asserts behaviour, the figures show what was measured.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent

_FIGURES: dict[str, dict[str, object]] = {}


@pytest.fixture
def figures(request):
    """A dict whose entries are printed in the terminal summary under this test's id."""
    bucket: dict[str, object] = {}
    _FIGURES[request.node.nodeid] = bucket
    return bucket


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    shown = {k: v for k, v in _FIGURES.items() if v}
    if not shown:
        return
    tr = terminalreporter
    tr.section("reliability figures")
    for nodeid, values in shown.items():
        tr.write_line(nodeid.split("tests/reliability/")[-1])
        for name, value in values.items():
            if isinstance(value, float):
                value = f"{value:,.3f}"
            elif isinstance(value, int) and not isinstance(value, bool):
                value = f"{value:,}"
            tr.write_line(f"    {name:<46} {value}")


@pytest.fixture
def sandbox():
    from relsupport import make_sandbox

    with make_sandbox(seed=0) as sb:
        yield sb
