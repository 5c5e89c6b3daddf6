"""Report frames written by :func:`mfanalytics.export.to_safe_csv`, read back to the same frame.

An export is recognised by its header (the frame's own column names, with
``mobile``, ``status_code`` and the derived columns); its apostrophes against
formulas are removed, its dates keep the offset written with them, and the
derived columns are derived again, as when the report was first read.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.charsets import arrow_strings
from mfanalytics.errors import ReportFormatError
from mfanalytics.reports.assembly import Job, assemble_frame
from mfanalytics.reports.dates import parse_paris_dates
from mfanalytics.reports.schema import KINDS, parse_integers

__all__ = ["export_names", "from_export"]

_STRING = pd.StringDtype("pyarrow")

_DERIVED = ("status", "status_group", "is_final", "is_delivered", "is_stop", "clicks", "clicked", "first_click_at")
_EXPORT_MARKS = ("mobile", "status_code", *_DERIVED)
_EXPORT_TRACK = re.compile(r"track_([1-9][0-9]*)_(at|clicks)")


def export_names(names: list[str]) -> tuple[list[str], bool]:
    """The header of a report frame written by ``to_safe_csv`` (its own column names), restored."""
    from mfanalytics.export import restore_name

    restored = [restore_name(n) for n in names]
    keys = set(restored)
    if all(mark in keys for mark in _EXPORT_MARKS):
        return restored, True
    return names, False


def _restore_text(arr: Any) -> Any:
    """Undo the apostrophes that ``to_safe_csv`` put before formulas."""
    from mfanalytics.export import restore_formulas

    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if not len(arr) or not pc.any(pc.fill_null(pc.match_substring(arr, "'"), False)).as_py():
        return arr
    restored = restore_formulas(pd.Series(arrow_strings(arr)))
    return pa.array(restored.array, type=pa.large_string()).cast(pa.string())


def _export_dates(arr: Any, field: str) -> tuple[np.ndarray, np.ndarray]:
    """``DD/MM/YYYY HH:MM:SS``, with an explicit offset where ``to_safe_csv`` wrote one."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    long = pc.fill_null(pc.greater(pc.utf8_length(arr), 19), False).to_numpy(zero_copy_only=False)
    if not long.any():
        return parse_paris_dates(arr, field)
    utc, valid = parse_paris_dates(pc.utf8_slice_codeunits(arr, 0, 19), field)
    rows = np.flatnonzero(long)
    texts = arr.take(pa.array(rows)).to_pylist()
    try:
        stamps = pd.to_datetime(pd.Series(texts), format="%d/%m/%Y %H:%M:%S %z", utc=True)
    except ValueError:
        i = int(rows[0])
        raise ReportFormatError(
            f"Column {field!r}, data line {i + 1}: {texts[0][:40]!r} is not a date DD/MM/YYYY HH:MM:SS [+HH:MM].",
            rule="date",
            field=field,
            line=i + 1,
        ) from None
    utc[rows] = stamps.dt.tz_localize(None).astype("datetime64[s]").to_numpy().astype(np.int64)
    return utc, valid


def from_export(table: pa.Table, names: list[str], *, campaign_id: int | None, lang: str) -> pd.DataFrame:
    """A report frame read back from its export: the same columns, dtypes and values.

    The derived columns (status, clicks, ...) are derived again from the
    columns they come from, as when the report was first read; the labels of
    ``status`` keep the language they were written in.
    """
    jobs: list[Job] = []
    for i, name in enumerate(names):
        col = table.column(i)
        track = _EXPORT_TRACK.fullmatch(name)
        if name in _DERIVED:
            continue
        if name in KINDS or track:
            kind = KINDS.get(name) or ("date" if track is not None and track.group(2) == "at" else "int32")
            if kind == "date":
                jobs.append((name, kind, partial(_export_dates, col, name)))
            elif kind.startswith("int"):
                jobs.append((name, kind, partial(parse_integers, col, kind, name)))
            else:
                jobs.append((name, kind, partial(_restore_text, col)))
        else:
            jobs.append((name, "list", partial(_restore_text, col)))
    frame = assemble_frame(jobs, table.num_rows, campaign_id=campaign_id, lang=lang)
    written = table.column(names.index("status")).to_pylist()
    if frame["status"].astype(object).where(frame["status"].notna(), None).tolist() != written:
        other = assemble_frame(jobs, table.num_rows, campaign_id=campaign_id, lang="fr" if lang == "en" else "en")
        if other["status"].astype(object).where(other["status"].notna(), None).tolist() == written:
            frame = other
    return frame[[n for n in names if n in frame.columns]]
