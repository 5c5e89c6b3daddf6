"""The one browser gate of the suite: Debian's Chromium driven by Playwright.

Outside CI a missing browser skips the test; under ``CI=true`` it fails, so a
green CI run always ran the browser tests.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium():
    """(sync_playwright, executable) or a skip outside CI / a failure under CI=true."""
    in_ci = os.environ.get("CI", "").lower() == "true"
    give_up = pytest.fail if in_ci else pytest.skip
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        give_up("playwright is not installed (pip install playwright); the browser test needs it")
    exe = next(
        (
            p
            for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
            if p and os.path.exists(p)
        ),
        None,
    )
    if exe is None:
        give_up("no Chromium executable (apt-get install -y chromium); the browser test needs it")
    return sync_playwright, exe
