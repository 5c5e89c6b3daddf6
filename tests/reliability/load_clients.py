"""Load generator for ``test_rel_load.py``: N clients (threads, one session
each) in this separate process, for a bounded time, against a sandbox on
loopback. Prints one JSON line with counts, errors and latency percentiles.

Refuses any address but 127.0.0.1. Not a test module.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from urllib.parse import urlsplit

import requests


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--campaign", type=int, required=True)
    p.add_argument("--day", required=True)
    args = p.parse_args()
    if urlsplit(args.url).hostname != "127.0.0.1":
        raise SystemExit("loopback only")
    clients = max(1, min(args.clients, 32))
    seconds = max(0.5, min(args.seconds, 120))
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    by_route: dict[str, int] = {}

    def worker(k: int) -> None:
        s = requests.Session()
        r = s.post(args.url + "/auth/login", json={"username": "demo", "password": "demo"}, timeout=10)
        if r.status_code != 200:
            with lock:
                errors.append(f"login {r.status_code}")
            return
        s.headers["Authorization"] = r.headers["Authorization"]
        calls = [
            ("GET blacklist", lambda: s.get(args.url + "/blacklist", timeout=10)),
            ("GET reportjson", lambda: s.get(f"{args.url}/campaigns/reportjson/{args.campaign}", timeout=10)),
            ("GET report csv", lambda: s.get(f"{args.url}/campaigns/report/{args.campaign}", timeout=10)),
            ("GET period", lambda: s.get(args.url + "/campaigns/reportjson/", params={"from": args.day}, timeout=10)),
            (
                "POST prepare",
                lambda: s.post(
                    args.url + "/campaigns/inject",
                    timeout=10,
                    json={
                        "listRecipient": [f"06{20000000 + k * 1000 + i}" for i in range(5)],
                        "msg": "Charge",
                        "startNow": False,
                    },
                ),
            ),
        ]
        i = k
        while time.monotonic() < deadline:
            name, call = calls[i % len(calls)]
            i += 1
            t0 = time.perf_counter()
            try:
                r = call()
                ok = r.status_code == 200 and len(r.content) > 0
                why = f"{name}: HTTP {r.status_code}"
            except requests.RequestException as exc:
                ok, why = False, f"{name}: {type(exc).__name__}"
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                by_route[name] = by_route.get(name, 0) + 1
                if not ok:
                    errors.append(why)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - t0
    lat = sorted(latencies)

    def pct(q: float) -> float:
        return round(1000 * lat[min(len(lat) - 1, int(q * len(lat)))], 2) if lat else float("nan")

    print(
        json.dumps(
            {
                "clients": clients,
                "seconds": round(elapsed, 2),
                "requests": len(lat),
                "errors": len(errors),
                "error_samples": errors[:10],
                "by_route": by_route,
                "rps": round(len(lat) / elapsed, 1),
                "p50_ms": pct(0.50),
                "p90_ms": pct(0.90),
                "p99_ms": pct(0.99),
                "max_ms": round(1000 * lat[-1], 2) if lat else None,
                "stuck_threads": sum(t.is_alive() for t in threads),
            }
        )
    )


if __name__ == "__main__":
    main()
