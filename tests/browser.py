"""The one browser gate of the suite: Debian's Chromium driven by Playwright.

Outside CI a missing browser skips the test; under ``CI=true`` it fails, so a
green CI run always ran the browser tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import requests

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


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_voila(notebook: str, cwd: Path, env: Mapping[str, str], *, extra: tuple[str, ...] = ()) -> Iterator[str]:
    """Voilà serving ``cwd / notebook`` on a loopback port with ``env``: its URL once it answers.

    Without the ``voila`` of this interpreter, a skip outside CI and a failure under ``CI=true``. Its
    output goes to ``cwd / "voila.log"``, quoted when it exits or does not start within 60 s.
    """
    voila_bin = Path(sys.executable).with_name("voila")
    if not voila_bin.exists():
        (pytest.fail if os.environ.get("CI", "").lower() == "true" else pytest.skip)(
            "voila is not installed (pip install -e '.[dev]'); the browser test needs it"
        )
    port = free_port()
    log_path = cwd / "voila.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [str(voila_bin), notebook, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", *extra],
        cwd=cwd,
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail("voila exited: " + log_path.read_text(errors="replace")[-3000:])
            try:
                if requests.get(url + "api", timeout=1).status_code < 500:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail("voila did not start: " + log_path.read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
