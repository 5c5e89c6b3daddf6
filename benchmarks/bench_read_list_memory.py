"""Benchmark: peak memory of ``read_list`` and ``clean_recipients`` on a large list, against the whole-file reader.

``read_list`` reads a list in blocks (its charset in one pass, its rows in a
second, each block's strings kept once: a column of repeated values as
dictionary codes); before, it read the file whole, decoded it to one string,
encoded it again and parsed that (a 530 MB list peaked at 2.28 GB). This
script writes a deterministic list of about ``--mb`` megabytes (French names
with accents, in Windows-1252 or UTF-8; a unique mobile per row with
``--unique-mobiles``, as a real list has), then runs ``--function`` on it in a
fresh subprocess per implementation and prints, for each, the seconds, the
peak resident memory added (``ru_maxrss`` after minus before) and that peak
divided by the file size (goal: at most 1.5), plus a hash of the frame's
values (they must be equal: the dtypes may differ, the strings may not).

The baseline is ``mfanalytics/recipients.py`` as it was at ``--baseline``
(a git revision, default the last commit before streaming), loaded from git
into a temporary module.

Run: ``python benchmarks/bench_read_list_memory.py [--mb 500] [--function clean_recipients] [--unique-mobiles]
[--encoding cp1252] [--baseline REV]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "9b7485c"  # the last commit whose read_list read the whole file

NAMES = ["Dupont", "Lefèvre", "Gaillard", "Müller", "Nguyễn", "Œuvray", "Garçon", "Étienne", "Zoé", "Hélène"]
CITIES = ["Orléans", "Nîmes", "Saint-Étienne", "Besançon", "Paris", "Lyon", "Montréal", "Cœuvres"]

MEASURE = textwrap.dedent(
    """
    import importlib.util, json, resource, sys, time
    import pandas as pd
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    path, module_path, function = sys.argv[1], sys.argv[2], sys.argv[3]
    if module_path == "-":
        import mfanalytics.lists as module
    else:
        spec = importlib.util.spec_from_file_location("baseline_recipients", module_path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["baseline_recipients"] = module
        spec.loader.exec_module(module)
    run = getattr(module, function)
    import os, tempfile
    with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as small:  # a warm-up: imports, metadata
        small.write(b"mobile;NOM\\n0612345678;A\\n+262692123456;B\\n+32470123456;C\\n")
    run(small.name)
    os.unlink(small.name)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    frame = run(path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    frame = frame if function == "read_list" else frame.frame
    charset = frame.attrs["charset"]
    values = pd.DataFrame({c: frame[c].astype(object) for c in frame.columns})
    digest = int(pd.util.hash_pandas_object(values, index=False).sum()) & ((1 << 63) - 1)
    print(json.dumps({"seconds": seconds, "added": peak - before, "rows": len(frame),
                      "charset": charset, "hash": digest}))
    """
)


def write_list(path: Path, megabytes: float, encoding: str, unique: bool = False) -> int:
    """A deterministic list of about ``megabytes`` MB; returns its size in bytes.

    The same 2,000 rows repeated (2,000 distinct mobiles), or with ``unique``
    a distinct mobile on every row (``06`` and a counter).
    """
    rows = []
    for i in range(2000):
        name, city = NAMES[i % len(NAMES)], CITIES[(i * 7) % len(CITIES)]
        first = NAMES[(i * 3) % len(NAMES)]
        mobile = "{:08d}" if unique else f"{i * 7919 % 100_000_000:08d}"
        rows.append(f"06{mobile};{name};{first};{city};{i % 95 + 1:02d}{i % 1000:03d}\r\n")
    block = "".join(rows)
    if encoding == "cp1252":  # keep only what Windows-1252 can write
        block = block.encode("cp1252", errors="replace").decode("cp1252")
    data = block.encode(encoding)
    target = int(megabytes * 1e6)
    with open(path, "wb") as fh:
        fh.write("mobile;NOM;PRENOM;VILLE;CP\r\n".encode(encoding))
        written, counter = 0, 0
        while written < target:
            if unique:
                numbers = range(counter, counter + 2000)
                data = block.format(*numbers).encode(encoding)
                counter += 2000
            fh.write(data)
            written += len(data)
    return path.stat().st_size


def measure(path: Path, module: str, function: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), module, function],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"the measure failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=500.0, help="size of the list in MB (default 500)")
    parser.add_argument("--function", choices=("read_list", "clean_recipients"), default="read_list")
    parser.add_argument("--unique-mobiles", action="store_true", help="a distinct mobile on every row")
    parser.add_argument("--encoding", choices=("cp1252", "utf-8"), default="cp1252")
    parser.add_argument("--baseline", default=BASELINE, help=f"git revision of the baseline (default {BASELINE})")
    parser.add_argument("--no-baseline", action="store_true", help="measure the current implementation only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_read_list_") as tmp:
        path = Path(tmp) / "big_list.csv"
        size = write_list(path, args.mb, args.encoding, args.unique_mobiles)
        kind = "unique mobiles" if args.unique_mobiles else "2,000 distinct mobiles"
        print(f"list: {size / 1e6:,.1f} MB, {args.encoding}, {kind}; {args.function}")
        runs = {"streaming (this tree)": "-"}
        if not args.no_baseline:
            old = Path(tmp) / "baseline_recipients.py"
            source = subprocess.run(
                ["git", "show", f"{args.baseline}:mfanalytics/recipients.py"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            old.write_text(source, encoding="utf-8")
            runs[f"whole file ({args.baseline})"] = str(old)
        results = {}
        for label, module in runs.items():
            r = results[label] = measure(path, module, args.function)
            print(
                f"{label:28s} {r['seconds']:7.2f} s  peak +{r['added'] / 1e6:8,.0f} MB  "
                f"= {r['added'] / size:4.2f} x the file  ({r['rows']:,} rows, {r['charset']})"
            )
        if len(results) == 2:
            a, b = results.values()
            print(f"peak ratio streaming / whole file: {a['added'] / b['added']:.2f}")
            same = a["hash"] == b["hash"] and a["rows"] == b["rows"] and a["charset"] == b["charset"]
            print(f"same frame from both: {same}")
            return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
