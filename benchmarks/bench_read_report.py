"""Benchmark ``read_report`` on a 1,000,000-row report CSV.

Generates a deterministic report (``;``-separated UTF-8, 3 TRACK columns, a few
list columns; about 100 MB) in a temporary directory, then times, in the same
run:

- a raw ``pyarrow.csv.read_csv`` of the file (best of 3): the baseline;
- ``mfanalytics.reports.parsing.read_report`` (best of 3, runs alternating with the
  raw reads so that both see the same machine load);
- the naive pandas way (``pd.read_csv`` then ``apply(strptime)`` on the five
  date columns), once;

and prints the ratio read_report / raw pyarrow (goal <= 1.5), the speedup over
the naive way, the bytes per row of the frame (goal <= 150), and the peak
memory above baseline per row of each reader, each in a fresh process (peak
resident memory, reset after a warm-up read, minus the resident memory before
the read; it includes what the allocators keep, so it is noisy). Then the same
for the *realistic* variant (issue 17): the list also has two free-text
columns whose every value is unique, a full name (``NOM_COMPLET``, about 20
characters) and a postal address (``ADRESSE``, about 35).

Usage: ``.venv/bin/python benchmarks/bench_read_report.py [n_rows]``
"""

from __future__ import annotations

import gc
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mfanalytics.reports.parsing import read_report

_STATUS = np.array([16, 21, 17, 20, 22, 31, 29, 14, 4, 24], dtype=np.int16)
_STATUS_P = np.array([0.55, 0.25, 0.01, 0.04, 0.03, 0.04, 0.03, 0.02, 0.01, 0.02])
_TEXT = {
    16: "Délivré",
    21: "Délivré",
    17: "Délivré + STOP demandé",
    20: "Non délivré",
    22: "Message expiré",
    31: "Mobile non disponible",
    29: "Numéro non attribué",
    14: "Destinataire dans votre blacklist",
    4: "Doublons",
    24: "Envoyé",
}
_DATE_FMT = "%d/%m/%Y %H:%M:%S"


def _dates(rng: np.random.Generator, start: np.ndarray, mask: np.ndarray) -> pa.Array:
    """Local Paris wall-clock strings ``start + random delay``, null where ~mask."""
    secs = start + rng.integers(5, 3 * 86400, size=len(start))
    arr = pa.array(secs.astype("datetime64[s]"), mask=~mask)
    return pc.strftime(arr, format=_DATE_FMT)


_STREETS = ["rue", "avenue", "boulevard", "impasse", "chemin", "place", "allée", "quai"]
_WORDS = ["des Lilas", "Victor Hugo", "de la Gare", "Jean Jaurès", "du Moulin", "des Écoles", "Pasteur", "de l'Église"]


def _unique_pairs(rng: np.random.Generator, n: int, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` distinct pairs (i < a, j < b), drawn without replacement."""
    flat = rng.choice(a * b, size=n, replace=False)
    return flat // b, flat % b


def _free_text(rng: np.random.Generator, n_rows: int) -> dict[str, pa.Array]:
    """Two list columns whose every value is unique: a full name and a postal address."""
    firsts = np.array([f"{p}{s}" for p in ("Jean", "Marie", "Anne", "Luc", "Élise", "Paul") for s in range(250)])
    lasts = np.array([f"{n}-{k}" for n in ("Dupont", "Lefèvre", "Martin", "Bernard", "Garçon") for k in range(1000)])
    i, j = _unique_pairs(rng, n_rows, len(firsts), len(lasts))
    names = pc.binary_join_element_wise(pa.array(firsts[i]), pa.array(lasts[j]), " ")
    streets = np.array([f"{t} {w}" for t in _STREETS for w in _WORDS])
    places = np.array(
        [f"{75001 + k % 20:05d} Paris" if k < 20 else f"{k * 37 % 90000 + 1000:05d} Ville{k}" for k in range(4000)]
    )
    number, rest = _unique_pairs(rng, n_rows, 300, len(streets) * len(places))
    address = pc.binary_join_element_wise(
        pa.array(number + 1).cast(pa.string()),
        pa.array(streets[rest % len(streets)]),
        pa.array(places[rest // len(streets)]),
        " ",
    )
    return {"NOM_COMPLET": names, "ADRESSE": address}


def make_report_csv(path: Path, n_rows: int = 1_000_000, seed: int = 20250101, realistic: bool = False) -> Path:
    """Write a deterministic report CSV of ``n_rows`` rows to ``path`` (with the two unique text columns)."""
    rng = np.random.default_rng(seed)
    codes = rng.choice(_STATUS, size=n_rows, p=_STATUS_P)
    delivered = np.isin(codes, [16, 21, 17, 20, 22])
    sent_at = np.datetime64("2025-03-28T09:00:00", "s").astype(np.int64)
    start = sent_at + rng.integers(0, 3600, size=n_rows)
    texts = np.array([_TEXT[int(c)] for c in _STATUS], dtype=object)
    text_idx = np.searchsorted(np.sort(_STATUS), codes)
    text_by_sorted = texts[np.argsort(_STATUS)]
    replies = np.array(["STOP", "stop", "Merci", "Stop svp", "ok"], dtype=object)
    has_reply = rng.random(n_rows) < 0.01
    prenoms = np.array([f"Prénom{i:03d}" for i in range(300)], dtype=object)
    noms = np.array([f"NOM{i:04d}" for i in range(5000)], dtype=object)
    villes = np.array([f"Ville-{i:03d}" for i in range(800)], dtype=object)
    cols: dict[str, pa.Array] = {
        "REF_LIST": pa.array(np.full(n_rows, "Soldes_mars_2025", dtype=object)),
        "ID_LINE": pa.array(np.arange(1, n_rows + 1, dtype=np.int64)),
        "INT_MOBILE": pc.binary_join_element_wise(
            "+336", pc.utf8_lpad(pc.cast(pa.array(rng.integers(0, 10**8, n_rows)), pa.string()), 8, "0"), ""
        ),
        "STATUS_CODE": pa.array(codes),
        "STATUS_TEXT": pa.array(text_by_sorted[text_idx]),
        "DELIVERYDATE": _dates(rng, start, delivered),
        "REPLY": pa.array(replies[rng.integers(0, len(replies), n_rows)], mask=~has_reply),
    }
    has_preview = delivered & (rng.random(n_rows) < 0.2)
    cols["PREVIEW"] = _dates(rng, start, has_preview)
    cols["PREVIEW_COUNTER"] = pa.array(rng.integers(1, 4, n_rows), mask=~has_preview)
    for k, p in ((1, 0.12), (2, 0.04), (3, 0.01)):
        clicked = delivered & (rng.random(n_rows) < p)
        cols[f"TRACK_{k}"] = _dates(rng, start, clicked)
        cols[f"TRACK_{k}_COUNTER"] = pa.array(rng.integers(1, 6, n_rows), mask=~clicked)
    cols["PRENOM"] = pa.array(prenoms[rng.integers(0, len(prenoms), n_rows)])
    cols["NOM"] = pa.array(noms[rng.integers(0, len(noms), n_rows)])
    cols["VILLE"] = pa.array(villes[rng.integers(0, len(villes), n_rows)])
    if realistic:
        cols.update(_free_text(rng, n_rows))
    table = pa.table(cols)
    pcsv.write_csv(table, path, pcsv.WriteOptions(delimiter=";", quoting_style="none", quoting_header="none"))
    return path


def _best_of_interleaved(fns: dict, n: int = 3) -> tuple[dict[str, float], dict[str, object]]:
    """Best of ``n`` for each function, run in turn so that all see the same load."""
    best = {name: float("inf") for name in fns}
    results: dict[str, object] = {}
    for _ in range(n):
        for name, fn in fns.items():
            results[name] = None
            gc.collect()
            t0 = time.perf_counter()
            results[name] = fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best, results


def _naive(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    for col in ("DELIVERYDATE", "PREVIEW", "TRACK_1", "TRACK_2", "TRACK_3"):
        df[col] = df[col].apply(lambda s: datetime.strptime(s, _DATE_FMT) if s else None)
    return df


_PEAK = """
import gc, io, sys
sys.path.insert(0, {root!r})
import pyarrow.csv as pcsv
from mfanalytics.reports.parsing import read_report
def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key))
with open({path!r}, "rb") as f:
    head = f.read(1 << 16).rsplit(b"\\n", 1)[0] + b"\\n"
read_report(io.BytesIO(head)); pcsv.read_csv(io.BytesIO(head), parse_options=pcsv.ParseOptions(delimiter=";"))
gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # the peak so far forgotten
base = status("VmRSS")
if {which!r} == "ours":
    out = read_report({path!r})
else:
    out = pcsv.read_csv({path!r}, parse_options=pcsv.ParseOptions(delimiter=";"))
print(status("VmHWM") - base)
"""


def _peak_per_row(path: Path, which: str, n_rows: int) -> float:
    """Peak resident memory above baseline, per row, of one read in a fresh process (Linux)."""
    code = _PEAK.format(root=str(Path(__file__).resolve().parents[1]), path=str(path), which=which)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / n_rows


def _bytes_by_kind(df: pd.DataFrame) -> dict[str, float]:
    """Bytes per row of the frame by dtype, the text of the string columns apart from their offsets
    (pandas keeps ``string[pyarrow]`` as ``large_string``: 8 bytes of offset per row and column)."""
    usage = df.memory_usage(deep=True, index=False) / len(df)
    out: dict[str, float] = {}
    for col in df.columns:
        kind = "datetime" if isinstance(df[col].dtype, pd.DatetimeTZDtype) else str(df[col].dtype)
        out[kind] = out.get(kind, 0.0) + float(usage[col])
        if kind == "string":
            chunks = pa.chunked_array(df[col].array._pa_array).chunks  # type: ignore[attr-defined]
            text = sum(c.buffers()[2].size for c in chunks if c.buffers()[2] is not None) / len(df)
            out["(string text)"] = out.get("(string text)", 0.0) + text
    return out


def run(n_rows: int, realistic: bool) -> dict[str, float]:
    """Time and measure one variant; returns its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        path = make_report_csv(Path(tmp) / "report.csv", n_rows, realistic=realistic)
        size_mb = path.stat().st_size / 1e6
        label = "realistic (two unique free-text list columns)" if realistic else "benchmark report"
        print(f"\n== {label}: {n_rows:,} rows, {size_mb:.1f} MB")
        best, results = _best_of_interleaved(
            {
                "raw": lambda: pcsv.read_csv(path, parse_options=pcsv.ParseOptions(delimiter=";")),
                "ours": lambda: read_report(path),
            }
        )
        raw_s, ours_s, df = best["raw"], best["ours"], results["ours"]
        assert isinstance(df, pd.DataFrame) and len(df) == n_rows and df["delivered_at"].notna().any()
        if realistic:
            assert df["NOM_COMPLET"].is_unique and df["ADRESSE"].is_unique
        gc.collect()
        t0 = time.perf_counter()
        _naive(path)
        naive_s = time.perf_counter() - t0
        bpr = df.memory_usage(deep=True).sum() / len(df)
        where = _bytes_by_kind(df)
        del df, results
        peak = {which: _peak_per_row(path, which, n_rows) for which in ("raw", "ours")}
        print(f"raw pyarrow.csv.read_csv (best of 3): {raw_s:.3f} s")
        print(f"read_report              (best of 3): {ours_s:.3f} s")
        print(f"naive pandas + strptime  (once):      {naive_s:.3f} s")
        print(f"ratio read_report / raw pyarrow: {ours_s / raw_s:.2f}  (goal <= 1.5)")
        print(f"speedup vs naive pandas:         {naive_s / ours_s:.1f}x")
        print(f"memory: {bpr:.1f} bytes per row  (goal <= 150)")
        print("  by kind, bytes per row: " + ", ".join(f"{k} {v:.1f}" for k, v in where.items()))
        print(
            f"peak memory above baseline: read_report {peak['ours']:.0f} B/row, raw pyarrow {peak['raw']:.0f} B/row "
            f"(ratio {peak['ours'] / peak['raw']:.2f})"
        )
        return {"ratio": ours_s / raw_s, "bytes_per_row": bpr, "peak_per_row": peak["ours"]}


def main(n_rows: int = 1_000_000) -> None:
    run(n_rows, realistic=False)
    run(n_rows, realistic=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
