"""Benchmark period reports: 1 worker against 4, on a sandbox with 50 ms latency.

A sandbox server (a separate process, as the real API is remote) holds 90
days of campaigns, one a day. Every request is answered 50 ms late (the
sandbox's ``slow`` fault at rate 1). ``client.get_reports`` fetches the 91
days (14 windows of at most 7 days) with ``workers=1`` (the baseline: a loop
over windows) and with ``workers=4``; both runs must return the same frame.

Usage: ``.venv/bin/python benchmarks/bench_period_fetch.py [recipients_per_campaign]``
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import warnings
from datetime import datetime, timedelta

import pandas as pd
import requests

import mfanalytics

DAYS = 90
LATENCY = 0.05


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(recipients: int = 300) -> None:
    port = _free_port()
    root = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mfanalytics.cli",
            "sandbox",
            "--port",
            str(port),
            "--speed",
            "0",
            "--seed",
            "5",
            "--start",
            "2026-01-01T08:00:00Z",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                requests.get(root + "/_sandbox/clock", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)

        def clock() -> datetime:
            return datetime.fromisoformat(
                requests.get(root + "/_sandbox/clock", timeout=5).json()["now"].replace("Z", "+00:00")
            )

        client = mfanalytics.Client(root + "/api/v1", username="demo", password="demo", now=clock)
        people = [f"06{10_000_000 + i:08d}" for i in range(recipients)]
        warnings.simplefilter("ignore", mfanalytics.ComplianceWarning)  # a daily campaign, Sundays too
        for _ in range(DAYS):
            client.send_campaign("Bonjour, -10% aujourd'hui STOP 36184", recipients=people, compliance="warn")
            requests.post(root + "/_sandbox/clock", json={"advance": 86_400}, timeout=10)
        end = clock()
        start = end - timedelta(days=DAYS + 1)
        requests.post(root + "/_sandbox/faults", json={"rate": 1.0, "kinds": ["slow"], "delay": LATENCY}, timeout=10)
        timings, frames = {}, {}
        for workers in (1, 4, 1, 4):
            t0 = time.perf_counter()
            frames[workers] = client.get_reports(start, end, workers=workers, progress=False)
            timings[workers] = min(timings.get(workers, float("inf")), time.perf_counter() - t0)
        client.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    pd.testing.assert_frame_equal(frames[1], frames[4])
    windows = len(mfanalytics.split_period(start, end))
    print(
        f"period: {DAYS + 1} days = {windows} windows, {len(frames[1]):,} rows, {LATENCY * 1000:.0f} ms latency per request"
    )
    print(f"workers=1 (baseline, best of 2): {timings[1]:.2f} s")
    print(f"workers=4 (best of 2):           {timings[4]:.2f} s")
    print(f"speedup 4 vs 1 worker: {timings[1] / timings[4]:.2f}x (identical frames)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
