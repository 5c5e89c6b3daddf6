"""The report frame assembled from parsed columns: typed values, derived columns, threads for big reports.

A reader (CSV, JSON or an export read back) gives one job per input column,
``(name, kind, parse)``; :func:`assemble_frame` runs the jobs (on threads for
a big report: numpy and pyarrow release the GIL), converts each column to its
frame dtype (:mod:`mfanalytics.reports.schema`) and derives ``status``,
``status_group``, ``is_final``, ``is_delivered``, ``is_stop``, ``clicks``,
``clicked`` and ``first_click_at``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from mfanalytics.errors import ReportFormatError
from mfanalytics.reports.dates import parse_paris_dates
from mfanalytics.reports.schema import (
    KINDS,
    campaign_ids,
    decode_codes,
    parse_integers,
    to_categorical,
    to_datetimes,
    to_ints,
    to_list_column,
    to_strings,
)

__all__ = ["Job", "assemble_frame", "typed_values"]

#: One input column: its frame name (a list column's own), its kind (``"date"``, ``"int32"``, ``"list"``...)
#: and the function that parses it.
Job = tuple[str, str, Callable[[], Any]]
_STOP = r"^\s*stop\b"
_PARALLEL_ROWS = 100_000
_CATEGORICAL = ("ref_list", "status_text")


def typed_values(arr: Any, kind: str, field: str) -> Any:
    """A parsed column: dates as (UTC seconds, valid), integers as an Arrow array, text as it is."""
    if kind == "date":
        return parse_paris_dates(arr, field)
    if kind.startswith("int"):
        return parse_integers(arr, kind, field)
    return arr


def _column(canon: str, kind: str, raw: Any, n: int) -> Any:
    """The frame's pandas array for a parsed column (``raw`` None: all missing)."""
    if kind == "list":
        return to_list_column(raw, n)
    if kind == "date":
        return to_datetimes(raw, n)
    if kind.startswith("int"):
        return to_ints(raw, n, "I" + kind[1:])
    if canon in _CATEGORICAL:
        return to_categorical(raw, n)
    return to_strings(raw, n)


def assemble_frame(jobs: Sequence[Job], n: int, *, campaign_id: int | None, lang: str) -> pd.DataFrame:
    """Parse and convert every column (threaded for big reports), then derive the rest.

    ``jobs`` holds ``(name, kind, parse)`` per input column: report columns by
    their frame name, list columns with kind ``"list"``.
    """

    def run(canon: str, kind: str, parse: Callable[[], Any]) -> tuple[Any, Any, Any]:
        raw = parse()
        converted = _column(canon, kind, raw, n)
        derived: Any = None  # per-column derived values, computed on the same thread
        if canon == "status_code":
            derived = decode_codes(pd.Series(converted, copy=False), lang)
        elif canon == "reply":
            derived = _stop_replies(raw, n)
        elif canon.startswith("track_"):
            derived = _filled_rows(raw, kind)
        return raw, converted, derived

    # the longest conversions (dates, then dictionaries) first, so that the threads finish together
    cost = [
        0 if kind == "date" else 1 if kind == "list" or name in (*_CATEGORICAL, "status_code") else 2
        for name, kind, _ in jobs
    ]
    order = sorted(range(len(jobs)), key=cost.__getitem__)
    done = dict(zip([j[0] for j in jobs], _parallel([lambda j=j: run(*j) for j in jobs], n, order)))
    raw = {name: done[name][0] for name, kind, _ in jobs if kind != "list"}
    tracks = sorted({int(c.split("_")[1]) for c in raw if c.startswith("track_")})

    def col(canon: str, kind: str) -> Any:
        return done[canon][1] if canon in done else _column(canon, kind, None, n)

    out: dict[str, Any] = {}
    out["campaign_id"] = campaign_ids(raw.get("campaign_id"), n, campaign_id)
    for canon in ("ref_list", "line", "mobile", "status_code", "status_text"):
        out[canon] = col(canon, KINDS[canon])
    codes = pd.Series(out["status_code"], copy=False)
    out.update(done["status_code"][2] if "status_code" in done else decode_codes(codes, lang))
    out["delivered_at"] = col("delivered_at", "date")
    out["reply"] = col("reply", "string")
    stop = out["status_code"].to_numpy(dtype=np.int16, na_value=0) == 17
    if "reply" in done:
        stop |= done["reply"][2]
    out["is_stop"] = pd.arrays.BooleanArray(stop, np.zeros(n, bool))
    out["preview_at"] = col("preview_at", "date")
    out["preview_count"] = col("preview_count", "int32")
    first, any_click = np.full(n, np.iinfo(np.int64).min), np.zeros(n, bool)  # first click: NaT until one
    for k in tracks:
        out[f"track_{k}_at"] = col(f"track_{k}_at", "date")
        out[f"track_{k}_clicks"] = col(f"track_{k}_clicks", "int32")
        if f"track_{k}_at" in done:  # the earliest click: only the rows with a date
            rows, at = done[f"track_{k}_at"][2]
            first[rows] = np.where(any_click[rows], np.minimum(first[rows], at), at)
            any_click[rows] = True
    counters = [done[f"track_{k}_clicks"][2] for k in tracks if f"track_{k}_clicks" in done]
    if tracks:
        # int32 sums cannot overflow when the counters' maxima add up to an int32
        wide = sum(int(c.max()) for _, c in counters if c.size) > np.iinfo(np.int32).max
        clicks: np.ndarray = np.zeros(n, np.int64 if wide else np.int32)
        for rows, c in counters:
            clicks[rows] += c
        if wide and int(clicks.max()) > np.iinfo(np.int32).max:
            raise ReportFormatError("Total clicks overflow a 32-bit counter.", rule="integer", field="clicks")
        out["clicks"] = pd.arrays.IntegerArray(clicks.astype(np.int32, copy=False), np.zeros(n, bool))
        out["clicked"] = pd.arrays.BooleanArray((clicks > 0) | any_click, np.zeros(n, bool))
        out["first_click_at"] = to_datetimes((first, any_click), n)
    else:
        out["clicks"] = pd.arrays.IntegerArray(np.zeros(n, np.int32), np.ones(n, bool))
        out["clicked"] = pd.arrays.BooleanArray(np.zeros(n, bool), np.ones(n, bool))
        out["first_click_at"] = to_datetimes(None, n)
    for name, kind, _ in jobs:
        if kind == "list":
            out[name] = done[name][1]
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)


def _filled_rows(raw: Any, kind: str) -> tuple[Any, np.ndarray]:
    """Rows and values of a parsed TRACK column: the dates present, every counter (empty = 0)."""
    if kind == "date":
        rows = np.flatnonzero(raw[1])
        return rows, raw[0][rows]
    return slice(None), np.asarray(pc.fill_null(raw, 0).to_numpy(zero_copy_only=False))


def _stop_replies(reply: Any, n: int) -> np.ndarray:
    """True where the reply's first word is STOP, in any case."""
    stop = np.zeros(n, bool)
    if n and reply.null_count < n:
        valid = reply.is_valid().to_numpy(zero_copy_only=False)
        stop[valid] = pc.match_substring_regex(pc.drop_null(reply), _STOP, ignore_case=True).to_numpy(
            zero_copy_only=False
        )
    return stop


def _parallel(funcs: list[Any], n: int, first: Sequence[int] = ()) -> list[Any]:
    """Run column jobs, on threads for big reports (numpy and pyarrow release the GIL).

    The jobs numbered in ``first`` start first. Results come back in job order;
    the first failing job (in that order) raises.
    """
    if n < _PARALLEL_ROWS or len(funcs) < 2:
        return [f() for f in funcs]
    order = list(dict.fromkeys([*first, *range(len(funcs))]))
    with ThreadPoolExecutor(max_workers=min(len(funcs), os.cpu_count() or 1, 4)) as pool:
        futures = {i: pool.submit(funcs[i]) for i in order}
        return [futures[i].result() for i in range(len(funcs))]
