"""Benchmark ``summarize(archive)`` in DuckDB against ``archive.frame()`` + ``summarize`` in pandas.

Synthesises an archive of report rows directly as Hive-partitioned Parquet, written by the
archive's own day-file writer, in the archive's own layout (``reports/month=YYYY-MM/YYYY-MM-DD.parquet``, one campaign of 100,000 rows
a day from 6 January 2025, so that ``Archive.frame()`` reads every file), with the
columns and dtypes of the report frame: the status mix of real campaigns, delivery dates,
clicks on a link for two campaigns out of three, STOP replies, French and overseas numbers),
under /tmp, deleted afterwards. Then, each in its own subprocess (time and peak RSS from
``resource.getrusage(RUSAGE_SELF).ru_maxrss``; the time of the call, after the modules both routes
use, Ibis and its DuckDB backend, are loaded: about a second, once per process, printed apart):

- ``duckdb``: ``summarize(archive)``, the rows never leave DuckDB (2 threads), each campaign's
  facts read from the day files' footers, where the archive keeps them;
- ``duckdb-rows``: the same, the campaigns' facts computed from the rows (as over files another
  tool wrote, which keep none); both tables must be equal;
- ``pandas``: ``archive.frame()`` then ``summarize(frame)``, the naive route, on the sizes up to
  ``--pandas-max``. A route whose resident memory passes ``--limit-gib`` (20 GiB of this 24 GiB
  machine by default) is killed and said to break there, with the memory and time it had reached.

At the sizes where both run, the two tables must be equal to the last digit.

Usage: ``.venv/bin/python benchmarks/bench_archive_kpis.py [rows ...] [--pandas-max N] [--limit-gib G]``
(default sizes: 10,000,000 and 50,000,000; pandas at both).
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PER_CAMPAIGN = 100_000
_FIRST_DAY = np.datetime64("2025-01-06", "D")
TZ = "Europe/Paris"
_MIX = {16: 0.80, 21: 0.05, 17: 0.01, 20: 0.03, 22: 0.01, 31: 0.01, 29: 0.02, 2: 0.01, 13: 0.005, 27: 0.005}
_MIX.update({14: 0.01, 15: 0.005, 4: 0.01, 8: 0.005, 24: 0.005, 1: 0.005, 99: 0.005})
_PREFIXES = {"+336": (0.70, 8), "+337": (0.20, 8), "+262692": (0.05, 6), "+590690": (0.03, 6), "+596696": (0.02, 6)}


# --------------------------------------------------------------- the archive
def _dictionary(values: np.ndarray, categories: list[str]) -> pa.Array:
    """Strings from their codes, stored as the archive stores its category columns (plain strings)."""
    return pa.array(categories, pa.string()).take(pa.array(values, pa.int32()))


def _times(secs: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(np.where(valid, secs, 0).astype("datetime64[s]"), pa.timestamp("s", tz=TZ), mask=~valid)


def campaign_table(c: int, rng: np.random.Generator) -> pa.Table:
    """One campaign of PER_CAMPAIGN rows, in the report frame's columns."""
    from mfanalytics.reports.status_codes import STATUS_GROUPS, STATUS_TABLE

    n = PER_CAMPAIGN
    codes = np.array(list(_MIX), dtype=np.int16)
    p = np.array(list(_MIX.values()))
    code = rng.choice(codes, size=n, p=p / p.sum())
    known = STATUS_TABLE.reindex(codes.astype(np.int64))
    texts = known["label_fr"].fillna("Inconnu").tolist()
    labels = known["label_en"].fillna("Unknown").tolist()
    groups = known["group"].fillna("unknown").tolist()
    pos = np.searchsorted(np.sort(codes), code)
    order = np.argsort(codes)
    which = order[pos]
    final = known["is_final"].fillna(False).to_numpy(dtype=bool)[which]
    ok = np.isin(code, [16, 21, 17])
    t0 = int((_FIRST_DAY + np.timedelta64(c, "D")).astype("datetime64[s]").astype(np.int64)) + 7 * 3600  # 08:00 Paris
    has_dlr = np.isin(code, [16, 21, 17, 20, 22, 29, 13, 27])
    delivered = t0 + rng.exponential(120, n).astype(np.int64) + 1
    linked = c % 3 != 2
    hit = ok & linked & (rng.random(n) < 0.12)
    click_at = delivered + rng.exponential(3600, n).astype(np.int64) + 60
    clicks = np.where(hit, rng.integers(1, 4, n), 0).astype(np.int32)
    stop = (code == 17) | (ok & (rng.random(n) < 0.002))
    pk = rng.choice(len(_PREFIXES), size=n, p=[v[0] for v in _PREFIXES.values()])
    body = pc.utf8_lpad(pa.array(rng.integers(0, 10**8, n)).cast(pa.string()), 8, "0")
    prefix = pa.array(np.array(list(_PREFIXES))[pk])
    digits = pa.array(np.array([v[1] for v in _PREFIXES.values()])[pk], pa.int64())
    mobile = pc.binary_join_element_wise(prefix, pc.utf8_slice_codeunits(body, 0, 8), "")
    mobile = pc.if_else(pc.equal(digits, 8), mobile, pc.utf8_slice_codeunits(mobile, 0, 13))
    track_at = _times(click_at, hit)
    return pa.table(
        {
            "campaign_id": pa.array(np.full(n, 100_000 + c, np.int64)),
            "ref_list": _dictionary(np.zeros(n, np.int8), [f"liste-{c}.csv"]),
            "line": pa.array(np.arange(1, n + 1, dtype=np.int32)),
            "mobile": mobile,
            "status_code": pa.array(code),
            "status_text": _dictionary(which.astype(np.int8), texts),
            "status": _dictionary(which.astype(np.int8), labels),
            "status_group": _dictionary(np.array([STATUS_GROUPS.index(g) for g in groups])[which], list(STATUS_GROUPS)),
            "is_final": pa.array(final),
            "is_delivered": pa.array(ok),
            "delivered_at": _times(delivered, has_dlr),
            "reply": pa.array(np.where(stop, "STOP", None), pa.string()),
            "is_stop": pa.array(stop),
            "preview_at": _times(delivered + 30, hit & (rng.random(n) < 0.5)),
            "preview_count": pa.array(np.where(hit, 1, 0).astype(np.int32)),
            "track_1_at": track_at,
            "track_1_clicks": pa.array(clicks),
            "clicks": pa.array(clicks),
            "clicked": pa.array(clicks > 0),
            "first_click_at": track_at,
        }
    )


def write_day(path: Path, table: pa.Table) -> None:
    """As the archive writes a day file (zstd, its campaigns' facts in the footer), else as pyarrow does."""
    try:
        from mfanalytics.archive.files import write_table
    except ImportError:
        pq.write_table(table, path)
    else:
        write_table(path, table)


def write_archive(root: Path, rows: int) -> float:
    """Write ``rows`` rows (whole campaigns) under ``root``; returns the seconds it took."""
    start = time.perf_counter()
    rng = np.random.default_rng(2026)
    for c in range(rows // PER_CAMPAIGN):
        day = str(_FIRST_DAY + np.timedelta64(c, "D"))
        folder = root / "reports" / f"month={day[:7]}"
        folder.mkdir(parents=True, exist_ok=True)
        write_day(folder / f"{day}.parquet", campaign_table(c, rng))
    return time.perf_counter() - start


class BenchArchive:
    """The Archive contract over the folder (``mfanalytics.Archive`` when it is there)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.reports_path = self.path / "reports"

    def duckdb(self):
        import duckdb

        con = duckdb.connect(config={"threads": 2, "memory_limit": "3GB"})
        glob = str(self.reports_path / "**" / "*.parquet")
        con.execute(f"CREATE VIEW reports AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)")
        return con

    def frame(self):
        """The report frame of every row, with get_reports' dtypes."""
        import pandas as pd
        import pyarrow.dataset as ds

        table = ds.dataset(self.reports_path, format="parquet", partitioning="hive").to_table()
        table = table.drop_columns(["month"])
        kinds = {pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype()}
        kinds.update({pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype("pyarrow")})
        return table.to_pandas(types_mapper=kinds.get, self_destruct=True)


def open_archive(path: Path):
    try:
        from mfanalytics import Archive  # the archive of issue 14, once it is merged

        return Archive(path)
    except ImportError:
        return BenchArchive(path)


# ------------------------------------------------------------- measurements
def measure(route: str, path: str, out: str) -> None:
    """In a fresh process: run one route, print its seconds and peak RSS as JSON."""
    start = time.perf_counter()
    import ibis

    from mfanalytics.analysis import summarize

    ibis.duckdb.connect()  # both routes run Ibis on DuckDB: its modules load once per process, not per call
    imports = time.perf_counter() - start
    archive = open_archive(Path(path))
    start = time.perf_counter()
    if route.startswith("duckdb"):
        if route == "duckdb-rows":  # as over files another tool wrote: the campaigns' facts from the rows
            import mfanalytics.archive.campaigns as kept

            kept.kept_campaign_facts = lambda reports: None
        table = summarize(archive)
        load = 0.0
    else:
        frame = archive.frame()
        load = time.perf_counter() - start
        table = summarize(frame)
    seconds = time.perf_counter() - start
    with open(out, "wb") as f:
        pickle.dump(table, f)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "load": load, "imports": imports, "peak_mib": peak, "groups": len(table)}))


def _rss_mib(pid: int) -> float:
    """The resident memory of a process now (``VmRSS`` of /proc), 0 when it has ended."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(route: str, path: Path, out: Path, limit_mib: float) -> dict:
    """Run one route in a child process, killed if its resident memory passes ``limit_mib``
    (so that a route that does not fit says where it broke instead of swapping or taking
    the machine down): its seconds and peak RSS, or what stopped it."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--measure", route, str(path), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    start, peak = time.perf_counter(), 0.0
    while child.poll() is None:
        peak = max(peak, _rss_mib(child.pid))
        if peak > limit_mib:
            child.kill()
            child.wait()
            return {"error": f"killed at {peak:,.0f} MiB of RSS after {time.perf_counter() - start:.0f} s", "code": -9}
        time.sleep(0.05)
    stdout, stderr = child.communicate()
    if child.returncode:
        return {"error": (stderr.strip().splitlines() or ["killed"])[-1], "code": child.returncode}
    return json.loads(stdout.strip().splitlines()[-1])


def main(sizes: list[int], pandas_max: int, limit_mib: float) -> None:
    import pandas as pd

    work = Path(tempfile.mkdtemp(prefix="mfanalytics-bench-archive-", dir="/tmp"))
    measured: dict[int, dict[str, dict]] = {}
    try:
        for rows in sorted(sizes):
            path = work / f"archive-{rows}"
            took = write_archive(path, rows)
            size = sum(f.stat().st_size for f in path.rglob("*.parquet"))
            print(
                f"== {rows:,} rows: written in {took:.0f} s, {size / 2**20:,.0f} MiB of Parquet ({size / rows:.1f} B/row)"
            )
            res = measured.setdefault(rows, {})
            res["duckdb"] = run("duckdb", path, work / "duckdb.pkl", limit_mib)
            res["duckdb-rows"] = run("duckdb-rows", path, work / "duckdb-rows.pkl", limit_mib)
            if "error" not in res["duckdb"] and "error" not in res["duckdb-rows"]:
                a, b = pd.read_pickle(work / "duckdb.pkl"), pd.read_pickle(work / "duckdb-rows.pkl")
                pd.testing.assert_frame_equal(a, b, check_exact=True)
            if rows <= pandas_max:
                res["pandas"] = run("pandas", path, work / "pandas.pkl", limit_mib)
                if "error" not in res["pandas"] and "error" not in res["duckdb"]:
                    a, b = pd.read_pickle(work / "duckdb.pkl"), pd.read_pickle(work / "pandas.pkl")
                    pd.testing.assert_frame_equal(a, b, check_exact=True)
                    res["equal"] = True
            for route, r in res.items():
                if isinstance(r, dict) and "error" not in r:
                    extra = f" (frame {r['load']:.1f} s)" if route == "pandas" else ""
                    print(
                        f"   {route:6s}: {r['seconds']:7.1f} s{extra}, peak RSS {r['peak_mib']:8,.0f} MiB "
                        f"(and {r['imports']:.1f} s of imports before, not counted)"
                    )
                elif isinstance(r, dict):
                    print(f"   {route:6s}: FAILED ({r})")
            if res.get("equal"):
                print("   the two tables are equal to the last digit")
            shutil.rmtree(path)
        for rows in sorted(measured):
            d, p = measured[rows].get("duckdb", {}), measured[rows].get("pandas", {})
            r = measured[rows].get("duckdb-rows", {})
            if "seconds" not in d:
                continue
            if "seconds" in p:
                print(
                    f"ratio at {rows:,} rows: DuckDB {p['seconds'] / d['seconds']:.1f}x faster than the pandas route, "
                    f"peak RSS {d['peak_mib']:,.0f} MiB vs {p['peak_mib']:,.0f} MiB ({p['peak_mib'] / d['peak_mib']:.1f}x)"
                )
                if "seconds" in r:
                    print(
                        f"   without the campaigns' facts the day files keep: {p['seconds'] / r['seconds']:.1f}x "
                        f"({r['seconds']:.1f} s)"
                    )
            elif "error" in p:
                print(
                    f"at {rows:,} rows the pandas route does not fit ({p['error']}); "
                    f"DuckDB: {d['seconds']:.1f} s, peak RSS {d['peak_mib']:,.0f} MiB"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        measure(*sys.argv[2:5])
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="*", type=int, default=[10_000_000, 50_000_000])
    parser.add_argument("--pandas-max", type=int, default=50_000_000, help="largest size run through pandas")
    parser.add_argument(
        "--limit-gib", type=float, default=20.0, help="a route is stopped when its RSS passes this (default 20 GiB)"
    )
    args = parser.parse_args()
    main(args.rows, args.pandas_max, args.limit_gib * 1024)
