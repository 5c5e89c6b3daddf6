"""Benchmark: the whole job end to end at 1,000,000 and 5,000,000 recipients, against the sandbox over
loopback HTTP.

clean -> upload -> prepare -> inject -> clock (3 days) -> CSV report -> frame -> summary -> HTML report.

Each size runs in a fresh client process (the notebook's side: cleaning, the requests, the report frame,
the summary and the HTML), which starts the sandbox server (``mfanalytics sandbox``) in a process of its
own, so the two peaks are apart: each stage prints its seconds and the peak resident memory of the client
process and of the server process during that stage (``VmHWM``, reset before each stage through
``/proc/<pid>/clear_refs``). The baseline is the 1,000,000 run of the same invocation: the last table is
each stage's ratio 5M / 1M (linear in the rows: at most 5.5x for 5x the recipients), with the ratios of its user
and system CPU time (both processes), and the largest size that fits in 24 GB, *extrapolated* from the peaks per
row of the two runs. First it prints what first touching memory costs the machine (:func:`fresh_memory_probe`):
where the system time of a stage grows faster than its user time, that is the cost it pays.

The CSV report is downloaded to a temporary file (the body is never held whole by the client:
:meth:`mfanalytics.Client.download_report`), then read by :func:`mfanalytics.read_report`, as
:meth:`mfanalytics.Client.get_report` does.

Usage::

    python benchmarks/bench_end_to_end.py [--rows 1000000,5000000]

The list is ``bench_sandbox.make_list``'s (synthetic French mobiles, never sent anywhere).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START = "2026-03-02T09:00:00Z"  # a Monday, 10:00 in Paris: the marketing message may be sent
MESSAGE = "Bonjour ${PRENOM}, -20% a ${VILLE} : ${track_1} STOP 36184"
GOAL_RATIO = 5.5
MEMORY_GB = 24.0


def _peak_kb(pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status") as fh:
        return int(re.search(r"VmHWM:\s+(\d+)", fh.read()).group(1))  # type: ignore[union-attr]


def _reset_peak(pid: int | str = "self") -> None:
    with open(f"/proc/{pid}/clear_refs", "w") as fh:
        fh.write("5")  # the peak RSS starts again from the current RSS


def _cpu_seconds(pid: int | str = "self") -> tuple[float, float]:
    """User and system CPU seconds of a process so far (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


PROBE = """
import time, numpy as np
def touch():
    t = time.perf_counter(); a = np.ones(2**27); a = None; return time.perf_counter() - t
new = touch(); again = touch(); time.sleep(8); later = touch()
print(new, again, later)
"""


def fresh_memory_probe() -> str:
    """What first touching 1 GiB costs this machine: memory the process never had, freed just before, freed 8 s
    before. On a laptop the three are alike; in a virtual machine that hands the pages its guest frees back to
    the host (a balloon's free page reporting), the first and the third can cost 10-20 times the second: a stage
    that needs more memory than the process freed in the last seconds pays it, in system time."""
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    new, again, later = (float(x) for x in done.stdout.split())
    return (
        f"first touch of 1 GiB on this machine: {new:.2f} s for memory the process never had, "
        f"{again:.2f} s freed just before, {later:.2f} s freed 8 s before"
    )


def _start_server() -> tuple[subprocess.Popen[str], str]:
    """``mfanalytics sandbox`` on a free loopback port, frozen clock, no sample history."""
    import requests

    command = "import sys; from mfanalytics.cli import main; sys.exit(main())"
    args = ["sandbox", "--port", "0", "--speed", "0", "--samples", "0", "--start", START, "--seed", "0"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-c", command, *args], stdout=subprocess.PIPE, text=True, env=env)
    line = server.stdout.readline() if server.stdout else ""
    match = re.search(r"http://[^ ]+/api/v1", line)
    if match is None:
        server.kill()
        raise RuntimeError(f"the sandbox did not start: {line!r}")
    url = match.group(0)
    for _ in range(600):
        try:
            requests.get(url.removesuffix("/api/v1") + "/_sandbox/clock", timeout=1).raise_for_status()
            return server, url
        except requests.RequestException:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the sandbox did not answer")


def worker(rows: int) -> dict[str, Any]:
    """One size, in this process (the client), the sandbox in a child process; returns the figures."""
    from datetime import datetime

    import requests

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_sandbox import make_list

    import mfanalytics

    server, url = _start_server()
    root = url.removesuffix("/api/v1")
    stages: list[dict[str, Any]] = []
    out: dict[str, Any] = {"rows": rows, "stages": stages}

    def stage(name: str, fn: Callable[[], Any]) -> Any:
        _reset_peak()
        _reset_peak(server.pid)
        cpu = _cpu_seconds() + _cpu_seconds(server.pid)
        t0 = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - t0
        stages.append(
            {
                "stage": name,
                "seconds": seconds,
                "client_mb": _peak_kb() / 1024,
                "server_mb": _peak_kb(server.pid) / 1024,
                **dict(
                    zip(
                        ("client_user", "client_sys", "server_user", "server_sys"),
                        (b - a for a, b in zip(cpu, _cpu_seconds() + _cpu_seconds(server.pid))),
                    )
                ),
            }
        )
        return value

    def sandbox_now() -> datetime:
        return datetime.fromisoformat(requests.get(root + "/_sandbox/clock", timeout=10).json()["now"])

    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = make_list(rows)
            out["list_mb"] = len(data) / 1e6
            client = mfanalytics.Client(
                url, username="demo", password="demo", timeout=900, deadline=3600, now=sandbox_now
            )
            cleaned = stage("clean", partial(mfanalytics.clean_recipients, data))
            del data
            uploaded = stage("upload", partial(client.upload_list, cleaned, filename="big.csv"))
            del cleaned
            options = {
                "tiny_list": [{"index": 0, "isOG": True, "type": "REDIRECT", "urlToRedirect": "https://example.org"}]
            }

            def prepare() -> Any:
                client.check_compliance(MESSAGE, list_id=uploaded["id"], **options)
                return client.prepare_campaign(MESSAGE, list_id=uploaded["id"], **options)

            draft = stage("prepare", prepare)
            out["count_valid"] = int(draft["countValid"])
            stage("inject", lambda: client.inject_campaign(draft.id))
            stage(
                "clock +3 days",
                lambda: requests.post(root + "/_sandbox/clock", json={"advance": 3 * 86400}, timeout=3600),
            )
            path = Path(tmp) / "report.csv"
            stage("CSV report", lambda: client.download_report(draft.id, path))
            out["report_mb"] = path.stat().st_size / 1e6
            frame = stage("frame", lambda: mfanalytics.read_report(path, campaign_id=draft.id))
            path.unlink()
            out["report_rows"] = len(frame)
            summary = stage("summary", lambda: mfanalytics.summarize(frame))
            out["summary_recipients"] = int(summary["recipients"].sum())
            html = stage("HTML", lambda: mfanalytics.deliverability_report(frame, Path(tmp) / "report.html"))
            out["html_mb"] = Path(html).stat().st_size / 1e6
            client.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
    return out


def _fit(small: dict[str, Any], large: dict[str, Any], key: str) -> tuple[float, float]:
    """(MB at 0 rows, MB per row) of the largest stage peak of ``key``, on the two runs."""
    a = max(s[key] for s in small["stages"])
    b = max(s[key] for s in large["stages"])
    per_row = (b - a) / (large["rows"] - small["rows"])
    return a - per_row * small["rows"], per_row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="1000000,5000000", help="sizes, comma-separated (the first is the baseline)")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    sizes = [int(s) for s in args.rows.split(",")]
    print(fresh_memory_probe())
    runs = []
    for rows in sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", str(rows)], capture_output=True, text=True, cwd=ROOT, check=False
        )
        if done.returncode:
            sys.exit(f"the {rows:,} run failed:\n{done.stderr[-4000:]}")
        run = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(
            f"\n{rows:,} recipients: list {run['list_mb']:.0f} MB, report {run['report_mb']:.0f} MB "
            f"({run['report_rows']:,} rows), HTML {run['html_mb']:.1f} MB"
        )
        print(
            f"{'stage':<16} {'seconds':>8} {'client peak MB':>15} {'server peak MB':>15}"
            f" {'client CPU s':>13} {'server CPU s':>13} {'of it system':>13}"
        )
        for s in run["stages"]:
            print(
                f"{s['stage']:<16} {s['seconds']:8.2f} {s['client_mb']:15.0f} {s['server_mb']:15.0f}"
                f" {s['client_user'] + s['client_sys']:13.2f} {s['server_user'] + s['server_sys']:13.2f}"
                f" {s['client_sys'] + s['server_sys']:13.2f}"
            )
        total = sum(s["seconds"] for s in run["stages"])
        client_peak = max(s["client_mb"] for s in run["stages"])
        server_peak = max(s["server_mb"] for s in run["stages"])
        print(f"{'total':<16} {total:8.2f} {client_peak:15.0f} {server_peak:15.0f}   (peaks: the largest stage's)")
        assert run["report_rows"] == run["count_valid"] == run["summary_recipients"], run
    if len(runs) < 2:
        return
    small, large = runs[0], runs[-1]
    factor = large["rows"] / small["rows"]
    print(f"\nratio {large['rows']:,} / {small['rows']:,} ({factor:g}x the recipients; goal <= {GOAL_RATIO}x)")
    print(f"{'stage':<16} {'time':>7} {'client peak':>12} {'server peak':>12} {'user CPU':>9} {'system':>7}")

    def ratio(key: str, a: dict[str, Any], b: dict[str, Any]) -> str:
        x = sum(a[k] for k in key.split("+"))
        return f"{sum(b[k] for k in key.split('+')) / x:6.2f}x" if x > 0.05 else "      -"  # under 5 ticks: noise

    for a, b in zip(small["stages"], large["stages"]):
        ok = "ok" if b["seconds"] / a["seconds"] <= GOAL_RATIO else "OVER"
        print(
            f"{a['stage']:<16} {b['seconds'] / a['seconds']:6.2f}x {b['client_mb'] / a['client_mb']:11.2f}x "
            f"{b['server_mb'] / a['server_mb']:11.2f}x  {ratio('client_user+server_user', a, b)}"
            f"  {ratio('client_sys+server_sys', a, b)}  {ok}"
        )
    total_a = sum(s["seconds"] for s in small["stages"])
    total_b = sum(s["seconds"] for s in large["stages"])
    print(f"{'total':<16} {total_b / total_a:6.2f}x")
    c0, c1 = _fit(small, large, "client_mb")
    s0, s1 = _fit(small, large, "server_mb")
    budget = MEMORY_GB * 1024
    fits = (budget - c0 - s0) / (c1 + s1)
    alone = (budget - c0) / c1
    print(
        f"\npeak per row: client {c1 * 2**20:.0f} B, server {s1 * 2**20:.0f} B "
        f"(fixed: client {c0:.0f} MB, server {s0:.0f} MB)"
    )
    print(
        f"largest size in {MEMORY_GB:g} GB (extrapolated, linear in the rows from these two runs): "
        f"{fits / 1e6:.1f}M recipients with the sandbox on the same machine, "
        f"{alone / 1e6:.1f}M for the client alone (a real API holds the server side)"
    )


if __name__ == "__main__":
    main()
