"""Benchmark: a 1,000,000-recipient campaign through the sandbox, over HTTP.

Steps (each timed): upload the list, prepare (startNow=false), inject,
advance the clock 3 days, download the CSV report; then the JSON report of a
status-filtered subset. A naive baseline (a Python loop per recipient deciding
the current status and formatting the report line) runs on a slice in the same
run and is extrapolated, to print the ratio.

Usage::

    python benchmarks/bench_sandbox.py [--rows 1000000]

The numbers are synthetic French mobiles (never sent anywhere: the sandbox
sends nothing).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import pathlib
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from mfanalytics.sandbox.embedded import EmbeddedSandbox

FIRST = ["Zoé", "Léo", "Ana", "Hugo", "Inès", "Jules", "Léa", "Noah", "Chloé", "Louis"]
CITIES = ["Paris", "Lyon", "Nantes", "Lille", "Nice", "Rennes", "Brest", "Metz"]


def make_list(rows: int, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    numbers = rng.integers(10_000_000, 99_999_999, rows)
    prefix = np.where(rng.random(rows) < 0.5, "06", np.char.add("07", rng.integers(3, 10, rows).astype(str)))
    numbers = numbers // np.where(prefix == "06", 1, 10)
    mobiles = np.char.add(prefix, numbers.astype(str))
    first = np.array(FIRST)[rng.integers(0, len(FIRST), rows)]
    city = np.array(CITIES)[rng.integers(0, len(CITIES), rows)]
    ref = np.char.add("C", np.arange(rows).astype(str))
    lines = np.char.add(
        np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(mobiles, ";"), first), ";"), city), ";"), ref
    )
    return ("mobile;PRENOM;VILLE;REF\n" + "\n".join(lines.tolist()) + "\n").encode("utf-8")


def naive_report_lines(sim: dict, dt: float, injected_at: float, n: int) -> list[str]:
    """The baseline: one Python iteration per recipient."""
    paris = ZoneInfo("Europe/Paris")
    out = []
    for i in range(n):
        if dt < sim["t9"][i]:
            code, when = 1, 0.0
        elif dt < sim["t24"][i]:
            code, when = 9, sim["t9"][i]
        elif dt < sim["tpost"][i]:
            code, when = 24, sim["t24"][i]
        elif not np.isnan(sim["t31"][i]) and dt < sim["t31"][i]:
            code, when = int(sim["post"][i]), sim["tpost"][i]
        elif dt < sim["tfinal"][i]:
            code, when = (31, sim["t31"][i]) if not np.isnan(sim["t31"][i]) else (int(sim["post"][i]), sim["tpost"][i])
        else:
            code, when = int(sim["final"][i]), sim["tfinal"][i]
        stamp = datetime.fromtimestamp(injected_at + float(when), paris).strftime("%d/%m/%Y %H:%M:%S")
        out.append(f"{i + 1};{code};{stamp}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    rows = args.rows
    t0 = time.perf_counter()
    content = make_list(rows)
    print(f"list: {rows:,} rows, {len(content) / 1e6:.1f} MB, built in {time.perf_counter() - t0:.1f} s")
    timings = {}
    with EmbeddedSandbox(seed=0, start="2026-03-02T09:00:00Z") as sb:
        s = requests.Session()
        s.headers["Authorization"] = s.post(
            sb.url + "/auth/login", json={"username": "demo", "password": "demo"}
        ).headers["Authorization"]

        def timed(name, fn):
            start = time.perf_counter()
            result = fn()
            timings[name] = time.perf_counter() - start
            print(f"{name:<28} {timings[name]:7.2f} s")
            return result

        r = timed(
            "upload + analysis",
            lambda: s.post(
                sb.url + "/lists/upload",
                files={"File": ("big.csv", content)},
                data={"filename": "big.csv"},
                headers={"X-Content-SHA256": hashlib.sha256(content).hexdigest()},
            ),
        )
        r.raise_for_status()
        list_id = r.json()["id"]
        body = {
            "listsId": [list_id],
            "msg": "Bonjour ${PRENOM}, -20% a ${VILLE} : ${track_1}",
            "startNow": False,
            "tinyList": [{"index": 0, "isOG": True, "type": "REDIRECT", "urlToRedirect": "https://example.org"}],
        }
        r = timed("prepare (startNow=false)", lambda: s.post(sb.url + "/campaigns/inject", json=body))
        r.raise_for_status()
        draft = r.json()
        r = timed(
            "inject (campaignId)",
            lambda: s.post(sb.url + "/campaigns/inject", json={"campaignId": draft["id"], "startNow": True}),
        )
        r.raise_for_status()
        timed("advance 3 days", lambda: sb.advance(3 * 86400))
        s.headers["Authorization"] = s.post(
            sb.url + "/auth/login", json={"username": "demo", "password": "demo"}
        ).headers["Authorization"]
        r = timed("CSV report download", lambda: s.get(f"{sb.url}/campaigns/report/{draft['id']}"))
        r.raise_for_status()
        csv_bytes = r.content
        r = timed(
            "JSON report, status=17",
            lambda: s.get(f"{sb.url}/campaigns/reportjson/{draft['id']}", params={"status": "17"}),
        )
        r.raise_for_status()
        total = sum(
            timings[k]
            for k in ("prepare (startNow=false)", "inject (campaignId)", "advance 3 days", "CSV report download")
        )
        print(f"{'prepare+inject+advance+CSV':<28} {total:7.2f} s   (upload not counted)")
        n_lines = csv_bytes.count(b"\n") - 1
        print(f"CSV report: {len(csv_bytes) / 1e6:.1f} MB, {n_lines:,} rows")
        counts = {}
        for line in io.BytesIO(csv_bytes).read().split(b"\n")[1:]:
            if line:
                code = line.split(b";", 4)[3]
                counts[code] = counts.get(code, 0) + 1
        print("status counts:", {k.decode(): v for k, v in sorted(counts.items(), key=lambda kv: -kv[1])})

        campaign = sb.state.campaigns[draft["id"]]
        dt = sb.state.now() - campaign.injected_at
        n = min(50_000, len(campaign.sent_index))
        start = time.perf_counter()
        naive_report_lines(campaign.sim, dt, campaign.injected_at, n)
        naive = (time.perf_counter() - start) / n * rows
        from mfanalytics.sandbox.reports import report_frame

        start = time.perf_counter()
        report_frame(campaign, sb.state.now())
        fast = time.perf_counter() - start
        print(
            f"status+dates of {rows:,} rows: vectorised {fast:.2f} s, naive loop {naive:.1f} s "
            f"(measured on {n:,}, extrapolated): x{naive / fast:.0f}"
        )


if __name__ == "__main__":
    main()
