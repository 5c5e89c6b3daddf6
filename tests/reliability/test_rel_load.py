"""The sandbox as a server: bounded concurrent load from a second process on
loopback, zero errors, latency percentiles printed.

Fast: 2 clients for 3 s. ``make soak``: 8 clients for 30 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from relsupport import make_client, make_sandbox

LOAD = Path(__file__).with_name("load_clients.py")


def _load(clients: int, seconds: float, figures: dict) -> None:
    with make_sandbox(seed=9) as sb:
        client = make_client(sb)
        people = [{"mobile": f"06{18000000 + i}", "PRENOM": "Zoé"} for i in range(500)]
        sent = client.send_campaign("Bonjour ${PRENOM}", recipients=people)
        sb.advance(3600)
        assert sb.root.startswith("http://127.0.0.1:")
        run = subprocess.run(
            [
                sys.executable,
                str(LOAD),
                "--url",
                sb.url,
                "--clients",
                str(clients),
                "--seconds",
                str(seconds),
                "--campaign",
                str(sent.id),
                "--day",
                "2026-03-02",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        result = json.loads(run.stdout.strip().splitlines()[-1])
        drafts = sum(1 for c in sb.state.campaigns.values() if c.status == "DRAFT")
    assert result["errors"] == 0, result["error_samples"]
    assert result["stuck_threads"] == 0
    assert result["requests"] > 0 and drafts == result["by_route"].get("POST prepare", 0)
    for key in ("clients", "seconds", "requests", "errors", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms"):
        figures[key] = result[key]
    figures["requests by route"] = json.dumps(result["by_route"])


def test_two_clients_for_three_seconds(figures):
    _load(2, 3, figures)


@pytest.mark.slow
def test_eight_clients_for_thirty_seconds(figures):
    _load(8, 30, figures)
