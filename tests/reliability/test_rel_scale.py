"""Scale: a campaign through clean -> send (sandbox) -> report frame -> summary ->
HTML report, in a process of its own, with its peak memory and wall time.

The fast variant runs 20,000 recipients; ``make soak`` runs 1,000,000.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCENARIO = Path(__file__).with_name("scale_scenario.py")


def _memory_mb() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024
    return float("inf")


def _run(rows: int, tmp_path: Path, figures: dict, timeout: int) -> dict:
    t0 = time.perf_counter()
    run = subprocess.run(
        [sys.executable, str(SCENARIO), "--rows", str(rows), "--out", str(tmp_path / "report.html")],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
        env={**os.environ, "TQDM_DISABLE": "1"},
    )
    wall = time.perf_counter() - t0
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    # nothing lost on the way: every line is cleaned, sent, reported and summarised
    assert result["clean_rows"] == rows
    assert result["clean_recipients"] + result["clean_rejected"] == rows
    assert result["count_valid"] == result["clean_recipients"]
    assert result["report_rows"] == result["clean_recipients"] == result["report_mobiles_unique"]
    assert result["summary_recipients"] == result["report_rows"]
    assert result["html_bytes"] > 0
    assert result["peak_rss_mb"] < _memory_mb()
    figures["recipients"] = rows
    figures["recipients sent and reported"] = result["report_rows"]
    for name, seconds in result["seconds"].items():
        figures[f"seconds: {name}"] = seconds
    figures["seconds: scenario total"] = result["total_seconds"]
    figures["seconds: wall incl. start-up"] = round(wall, 3)
    for name, mb in result["peak_rss_mb_after"].items():
        figures[f"peak RSS MB after {name}"] = mb
    figures["peak RSS MB (scenario process)"] = result["peak_rss_mb"]
    figures["machine memory MB"] = round(_memory_mb())
    return result


def test_twenty_thousand_recipients_end_to_end(tmp_path, figures):
    _run(20_000, tmp_path, figures, timeout=300)


@pytest.mark.slow
def test_one_million_recipients_end_to_end(tmp_path, figures):
    _run(1_000_000, tmp_path, figures, timeout=1800)
