"""Benchmark: ``clean_recipients`` on 1,000,000 messy numbers vs a per-row loop.

The baseline is what a user would write: ``phonenumbers.parse`` row by row,
``is_valid_number`` and ``number_type``, E.164 formatting, the overseas rule
for 10-digit ``0...`` numbers (GP, MQ, GF, RE, YT), and first-occurrence
duplicates. Both run in this process on the same data; the script prints
both times, the ratio and the number of rows where they disagree (must be 0).
``clean_recipients`` normalises two chunks of rows at once, in threads: its CPU time
is printed too, and the ratio to it (the loop runs in one thread).

Run: ``python benchmarks/bench_clean.py [n_rows]`` (default 1,000,000).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from mfanalytics import threads
from mfanalytics.lists.cleaning import clean_recipients

OVERSEAS = ("GP", "MQ", "GF", "RE", "YT")
MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def make_numbers(n: int, seed: int = 2026) -> list[str]:
    """A deterministic, realistic mix of messy numbers (vectorised generation)."""
    rng = np.random.default_rng(seed)

    def digits(k: int, size: int) -> np.ndarray:
        return np.array(["".join(r) for r in rng.integers(0, 10, (size, k)).astype(str)], dtype=object)

    kind = rng.choice(
        ["fr_mobile", "overseas", "foreign", "fixed", "junk", "empty"],
        p=[0.82, 0.04, 0.04, 0.05, 0.03, 0.02],
        size=n,
    )
    nat = np.empty(n, dtype=object)
    m = kind == "fr_mobile"
    nat[m] = np.where(rng.random(m.sum()) < 0.8, "06", "07") + digits(8, m.sum())
    m = kind == "overseas"
    nat[m] = "0" + rng.choice(["690", "691", "696", "697", "694", "692", "693", "639"], m.sum()) + digits(6, m.sum())
    m = kind == "fixed"
    nat[m] = "0" + rng.choice(list("123459"), m.sum()) + digits(8, m.sum())
    out = np.empty(n, dtype=object)
    natm = np.isin(kind, ["fr_mobile", "overseas", "fixed"])
    fmt = rng.integers(0, 9, n)
    for f in range(9):
        sel = natm & (fmt == f)
        v = nat[sel]
        if f == 0:
            out[sel] = v
        elif f == 1:
            out[sel] = [" ".join(x[i : i + 2] for i in range(0, 10, 2)) for x in v]
        elif f == 2:
            out[sel] = [".".join(x[i : i + 2] for i in range(0, 10, 2)) for x in v]
        elif f == 3:
            out[sel] = ["+33" + x[1:] for x in v]
        elif f == 4:
            out[sel] = ["+33 (0)" + x[1] + " " + x[2:] for x in v]
        elif f == 5:
            out[sel] = ["0033" + x[1:] for x in v]
        elif f == 6:
            out[sel] = ["33" + x[1:] for x in v]
        elif f == 7:
            out[sel] = [x[1:] for x in v]
        else:
            out[sel] = ["tel:" + x for x in v]
    m = kind == "foreign"
    out[m] = rng.choice(
        ["+32 4", "+41 7", "+352 6", "+377 6", "+44 7", "+1 650 ", "0032 4", "+49 15"], m.sum()
    ) + digits(8, m.sum())
    m = kind == "junk"
    out[m] = rng.choice(
        ["n/a", "inconnu", "06 12 34", "0612345678901", "abc", "+999 123", "06-XX", "０６１２３４５６７８"], m.sum()
    )
    out[kind == "empty"] = rng.choice(["", " "], (kind == "empty").sum())
    # about 3% duplicates: copy earlier rows
    dup = np.flatnonzero(rng.random(n) < 0.03)
    dup = dup[dup > 0]
    out[dup] = out[rng.integers(0, dup)]
    return out.tolist()


def baseline(values: list[str], region: str = "FR") -> list[str | None]:
    """The per-row loop: E.164 of valid, first-occurrence mobiles, else None."""

    def is_mobile(num) -> bool:
        return phonenumbers.is_valid_number(num) and phonenumbers.number_type(num) in MOBILE

    seen: set[str] = set()
    out: list[str | None] = []
    for raw in values:
        e164 = None
        if raw is not None and raw.strip(" \t\r\n\f\v"):
            try:
                num = phonenumbers.parse(raw, region)
            except NumberParseException:
                num = None
            if not (num is not None and is_mobile(num)):
                digits = "".join(c for c in raw if "0" <= c <= "9")
                if len(digits) == 10 and digits[0] == "0":
                    for other in OVERSEAS:
                        try:
                            cand = phonenumbers.parse(raw, other)
                        except NumberParseException:
                            continue
                        if is_mobile(cand):
                            num = cand
                            break
            if num is not None and is_mobile(num):
                e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
                if e164 in seen:
                    e164 = None
                else:
                    seen.add(e164)
        out.append(e164)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    t = time.perf_counter()
    values = make_numbers(n)
    print(f"generated {n:,} numbers in {time.perf_counter() - t:.1f} s")
    frame = pd.DataFrame({"NOM": "x", "mobile": pd.array(values, dtype="string[pyarrow]")})

    t, cpu = time.perf_counter(), time.process_time()
    result = clean_recipients(frame)
    fast, cpu = time.perf_counter() - t, time.process_time() - cpu
    workers = min(threads.WORKERS, pa.cpu_count())
    print(
        f"clean_recipients: {fast:.2f} s, CPU {cpu:.2f} s in {workers} thread(s)  ({len(result.recipients):,} recipients)"
    )

    t = time.perf_counter()
    ref = baseline(values)
    slow = time.perf_counter() - t
    print(f"per-row phonenumbers loop: {slow:.2f} s")

    mine = result.frame["mobile_e164"].where(result.frame["mobile_issue"].isna())
    mine = [None if v is pd.NA or v is None else v for v in mine.astype(object)]
    disagreements = sum(a != b for a, b in zip(mine, ref))
    print(f"speed-up: {slow / fast:.1f}x (CPU time: {slow / cpu:.1f}x)   disagreements: {disagreements}")


if __name__ == "__main__":
    main()
