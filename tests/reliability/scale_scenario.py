"""The scale scenario, run in its own process so that its peak memory is its own.

clean -> upload + send (embedded sandbox, loopback HTTP) -> report frame ->
summary -> HTML report, for ``--rows`` synthetic recipients. Prints one JSON
line: the figures of each step, the checks' raw numbers and the peak RSS.

Not a test module (no ``test_`` prefix): ``test_rel_scale.py`` runs it.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np


def make_list(rows: int, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    numbers = rng.integers(10_000_000, 99_999_999, rows)
    mobiles = np.char.add("06", numbers.astype(str))
    first = np.array(["Zoé", "Léo", "Inès", "Chloé", "Hélène", "Mathéo"])[
        rng.integers(0, 6, rows)
    ]  # GSM-7 accents only
    ref = np.char.add("C", np.arange(rows).astype(str))
    lines = np.char.add(np.char.add(np.char.add(np.char.add(mobiles, ";"), first), ";"), ref)
    return ("mobile;PRENOM;REF\n" + "\n".join(lines.tolist()) + "\n").encode("utf-8")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    import mfanalytics
    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    steps: dict[str, float] = {}
    peaks: dict[str, float] = {}
    out: dict = {"rows": args.rows}

    def step(name, fn):
        t0 = time.perf_counter()
        value = fn()
        steps[name] = round(time.perf_counter() - t0, 3)
        peaks[name] = round(peak_mb(), 1)
        return value

    data = step("make list", lambda: make_list(args.rows))
    cleaned = step("clean", partial(mfanalytics.clean_recipients, data))
    del data
    out["clean_rows"] = int(cleaned.counts["rows"])
    out["clean_recipients"] = int(cleaned.counts["recipients"])
    out["clean_rejected"] = int(cleaned.frame["mobile_issue"].notna().sum())
    with EmbeddedSandbox(seed=0, start="2026-03-02T09:00:00Z") as sb:
        client = sb.client(timeout=600)
        uploaded = step("upload list", partial(client.upload_list, cleaned, filename="big.csv"))
        del cleaned
        sent = step(
            "prepare + inject",
            lambda: client.send_campaign(
                "Bonjour ${PRENOM} ${track_1} STOP 36184",
                list_id=uploaded["id"],
                tiny_list=[{"index": 0, "urlToRedirect": "https://example.org"}],
            ),
        )
        out["count_valid"] = int(sent["countValid"])
        step("advance 3 days", lambda: sb.advance(3 * 86400))
        report = step("report frame", lambda: client.get_report(sent.id))
        out["report_rows"] = len(report)
        out["report_mobiles_unique"] = int(report["mobile"].nunique())
        summary = step("summary", lambda: mfanalytics.summarize(report))
        out["summary_recipients"] = int(summary["recipients"].sum())
        path = step("html report", lambda: mfanalytics.deliverability_report(report, Path(args.out)))
        out["html_bytes"] = Path(path).stat().st_size
        client.close()
    out["seconds"] = steps
    out["total_seconds"] = round(sum(steps.values()), 3)
    out["peak_rss_mb_after"] = peaks
    out["peak_rss_mb"] = round(peak_mb(), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
