"""Fixtures for tests that need a running sandbox (plain ``requests`` over loopback)."""

from __future__ import annotations

import pytest
from sandbox_api import START, Api


@pytest.fixture
def sb():
    """A fresh sandbox, clock frozen at :data:`START`, user demo/demo."""
    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    with EmbeddedSandbox(seed=0, start=START, speed=0) as sandbox:
        yield sandbox


@pytest.fixture
def api(sb) -> Api:
    """A logged-in ``requests`` client on :func:`sb`."""
    return Api(sb)
