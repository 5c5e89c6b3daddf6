"""Benchmark the archive sync: 91 days from a sandbox that answers 50 ms late.

A sandbox server (a separate process, as the real API is remote) holds 90 days of campaigns, one a
day. Every request is answered 50 ms late (the sandbox's ``slow`` fault at rate 1). Measured in the
same run:

- the baseline: ``client.get_reports`` of the 91 days (what every analysis does today, each time);
- the first ``archive.sync`` of the same span (4 workers, one request per Paris day);
- a second sync: nothing new, so **0 report requests** (counted at the client's session);
- after a kill: a sync in a child process SIGKILLed once half the days are in its manifest, then a
  sync that completes it (the days left only), and the archive checked equal to ``get_reports``;
- Parquet bytes per row against the CSV period reports the rows came from.

Usage: ``.venv/bin/python benchmarks/bench_archive_sync.py [recipients_per_campaign]``
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import requests

import mfanalytics
from mfanalytics.reports.lines import LINE_KEY

DAYS = 90
LATENCY = 0.05
ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import sys, mfanalytics
client = mfanalytics.connect(quiet=True)
mfanalytics.Archive(sys.argv[1]).sync(client, sys.argv[2], sys.argv[3], workers=4, progress=False)
"""


class CountingSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.reports = 0

    def request(self, method, url, *args, **kwargs):
        self.reports += "/campaigns/report" in urlsplit(url).path
        return super().request(method, url, *args, **kwargs)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "mfanalytics.cli", "sandbox", "--port", str(port), "--speed", "0", "--seed", "5"]
        + ["--start", "2026-01-01T08:00:00Z"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            requests.get(f"http://127.0.0.1:{port}/_sandbox/clock", timeout=1)
            return server
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("the sandbox did not start")


def _kill_halfway(url: str, path: Path, start: str, end: str, days: int) -> None:
    env = dict(os.environ, MEDIASFLOW_BASE_URL=url, MEDIASFLOW_USERNAME="demo", MEDIASFLOW_PASSWORD="demo")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), start, end], env=env)
    manifest = path / "manifest.json"
    try:
        while child.poll() is None:
            try:
                done = len(json.loads(manifest.read_text())["windows"]) if manifest.exists() else 0
            except ValueError:
                done = 0
            if done >= days // 2:
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
    finally:
        child.wait()


def main(recipients: int = 300) -> None:
    port = _free_port()
    root = f"http://127.0.0.1:{port}"
    server = _serve(port)
    folder = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    try:

        def clock() -> datetime:
            answer = requests.get(root + "/_sandbox/clock", timeout=5).json()["now"]
            return datetime.fromisoformat(answer.replace("Z", "+00:00"))

        session = CountingSession()
        client = mfanalytics.Client(root + "/api/v1", username="demo", password="demo", now=clock, session=session)
        people = [f"06{10_000_000 + i:08d}" for i in range(recipients)]
        for _ in range(DAYS):
            client.send_campaign(
                "Bonjour, -10% aujourd'hui ${track_1}",
                recipients=people,
                tiny_list=[{"index": 0, "type": "REDIRECT", "urlToRedirect": "https://www.example.com/offre"}],
            )
            requests.post(root + "/_sandbox/clock", json={"advance": 86_400}, timeout=10)
        requests.post(root + "/_sandbox/clock", json={"advance": 3 * 86_400}, timeout=10)  # every line final
        start, stop = "2026-01-01", "2026-04-01"  # 91 days: a date for the end includes that day
        requests.post(root + "/_sandbox/faults", json={"rate": 1.0, "kinds": ["slow"], "delay": LATENCY}, timeout=10)

        t0 = time.perf_counter()
        fetched = client.get_reports(start, stop, workers=4, progress=False)
        t_fetch = time.perf_counter() - t0

        archive = mfanalytics.Archive(folder / "archive")
        session.reports = 0
        t0 = time.perf_counter()
        first = archive.sync(client, start, stop, workers=4, progress=False)
        t_first, r_first = time.perf_counter() - t0, session.reports
        session.reports = 0
        t0 = time.perf_counter()
        second = archive.sync(client, start, stop, workers=4, progress=False)
        t_second, r_second = time.perf_counter() - t0, session.reports
        assert r_second == 0 and second.windows_fetched == 0, second

        cut = folder / "killed"
        _kill_halfway(client.base_url, cut, start, stop, first.windows_fetched)
        session.reports = 0
        t0 = time.perf_counter()
        resumed = mfanalytics.Archive(cut).sync(client, start, stop, workers=4, progress=False)
        t_resumed, r_resumed = time.perf_counter() - t0, session.reports
        for path in (archive, mfanalytics.Archive(cut)):
            got = path.frame(start).sort_values(list(LINE_KEY)).reset_index(drop=True)
            pd.testing.assert_frame_equal(
                got, fetched.sort_values(list(LINE_KEY)).reset_index(drop=True), check_categorical=False
            )

        # the CSV period reports the rows came from, as the API sends them (one body per day window)
        requests.post(root + "/_sandbox/faults", json={"rate": 0}, timeout=10)
        token = requests.post(root + "/api/v1/auth/login", json={"username": "demo", "password": "demo"}, timeout=10)
        headers = {"Authorization": token.headers["Authorization"]}
        csv_bytes = 0
        for w in json.loads(archive.manifest_path.read_text())["windows"]:
            for body in w["bodies"]:
                r = requests.get(
                    root + "/api/v1/campaigns/report/", params={"from": body["from"], "to": body["to"]}, headers=headers
                )
                csv_bytes += len(r.content)
        parquet_bytes = sum(p.stat().st_size for p in archive.reports_path.rglob("*.parquet"))
        client.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    rows = len(fetched)
    print(f"period: {DAYS + 1} days, {rows:,} rows, {LATENCY * 1000:.0f} ms latency per request, 4 workers")
    print(f"get_reports of the period (baseline, every time): {t_fetch:.2f} s")
    print(f"first sync:  {t_first:.2f} s, {r_first} report requests ({t_first / t_fetch:.2f}x the baseline)")
    print(
        f"second sync: {t_second:.3f} s, {r_second} report requests ({t_fetch / t_second:.0f}x faster than the baseline)"
    )
    print(
        f"after a kill halfway: {t_resumed:.2f} s, {r_resumed} report requests for the {resumed.windows_fetched} "
        f"days left ({t_resumed / t_first:.2f}x the first sync); both archives equal get_reports"
    )
    print(
        f"size: Parquet {parquet_bytes / rows:.1f} bytes per row, CSV reports {csv_bytes / rows:.1f} bytes per row "
        f"({csv_bytes / parquet_bytes:.1f}x smaller)"
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
