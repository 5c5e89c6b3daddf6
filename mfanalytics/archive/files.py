"""The archive's Parquet files: one per Paris day of sending, written whole and renamed into place.

Storage types (what DuckDB, Spark, Trino or BigQuery see):

==================================  ==========================================
report-frame column                 Parquet / Arrow type
==================================  ==========================================
campaign_id                         int64
line, preview_count, clicks,        int32
track_N_clicks
status_code                         int16
is_final, is_delivered, is_stop,    boolean
clicked
delivered_at, preview_at,           timestamp (milliseconds, UTC instant;
track_N_at, first_click_at          Arrow time zone Europe/Paris)
everything else (ref_list, mobile,  string
status, status_group, list columns)
==================================  ==========================================

:func:`to_frame` turns such a table back into the report frame with the
dtypes :mod:`mfanalytics.reports.parsing` gives (the same builders of
:mod:`mfanalytics.reports.schema`): categories rebuilt, dates in seconds,
masked integers and booleans.

:func:`write_atomic` is the one way a file of the archive is written: a
hidden temporary file in the same folder, flushed and ``fsync``-ed, renamed
over the target (atomic on POSIX), then the folder ``fsync``-ed. A reader sees
the old file or the new one, never a part of one; a temporary file left by a
killed process starts with ``.`` so no engine reads it, and the next sync
removes it.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mfanalytics.reports.schema import (
    PARIS,
    decode_codes,
    fixed_columns,
    to_categorical,
    to_datetimes,
    to_ints,
    to_list_column,
    to_strings,
)

__all__ = [
    "DAY_FILE",
    "DAY_FILES",
    "TEMP_PREFIX",
    "arrow_type",
    "column_order",
    "day_file",
    "day_of_file",
    "read_day",
    "remove_temporaries",
    "to_frame",
    "to_table",
    "write_atomic",
    "write_table",
]

#: Name of a day's file in its month folder: ``2026-03-05.parquet``.
DAY_FILE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.parquet$")
#: The glob of every day file under ``reports/``, as the archive's readers list them (the DuckDB
#: view, the footers of the campaigns' facts, a pin): temporary files do not match it.
DAY_FILES = "month=*/*.parquet"
#: Temporary files start with this (hidden: DuckDB globs, Spark and pyarrow skip them).
TEMP_PREFIX = ".tmp-"

_INTS = {"campaign_id": pa.int64(), "line": pa.int32(), "preview_count": pa.int32(), "clicks": pa.int32()}
_INTS.update({"status_code": pa.int16()})
_BOOLS = {"is_final", "is_delivered", "is_stop", "clicked"}
_CATEGORIES = {"ref_list", "status_text"}  # categories by first appearance, as the parser makes them
_DECODED = {"status", "status_group"}  # categories of the status table (every code, in its order)
_TEXT = {"mobile", "reply"}
_TIMESTAMP = pa.timestamp("ms", tz=PARIS)
_TRACK = re.compile(r"^track_(\d+)_(at|clicks)$")


def _is_date(name: str) -> bool:
    return name in ("delivered_at", "preview_at", "first_click_at") or bool(_TRACK.match(name) and name.endswith("_at"))


def arrow_type(name: str) -> pa.DataType:
    """The storage type of a report-frame column (list columns: string)."""
    if name in _INTS:
        return _INTS[name]
    if _TRACK.match(name):
        return _TIMESTAMP if name.endswith("_at") else pa.int32()
    if name in _BOOLS:
        return pa.bool_()
    if _is_date(name):
        return _TIMESTAMP
    return pa.string()


def column_order(names: Sequence[str]) -> list[str]:
    """The report frame's order: its fixed columns (tracks sorted), then the list's own columns as given."""
    tracks = sorted({int(m.group(1)) for n in names if (m := _TRACK.match(n))})
    fixed = fixed_columns(tracks)
    present = set(names)
    return [c for c in fixed if c in present] + [c for c in names if c not in set(fixed)]


# -- pandas <-> arrow -----------------------------------------------------------
def to_table(frame: pd.DataFrame) -> pa.Table:
    """A report frame as an Arrow table of the storage types, in the frame's column order."""
    arrays, fields = [], []
    for name in column_order([str(c) for c in frame.columns]):
        series = frame[name]
        target = arrow_type(name)
        if isinstance(series.dtype, pd.CategoricalDtype):
            arr = pa.array(series.astype("string[pyarrow]"), from_pandas=True)
        else:
            arr = pa.array(series, from_pandas=True)
        if pa.types.is_null(arr.type) or pa.types.is_large_string(arr.type) or arr.type != target:
            arr = arr.cast(target)
        arrays.append(arr)
        fields.append(pa.field(name, target))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


@functools.lru_cache(maxsize=4)
def _decoded_dtype(name: str) -> pd.CategoricalDtype:
    dtype = decode_codes(pd.Series([], dtype="Int16"), "en")[name].dtype
    assert isinstance(dtype, pd.CategoricalDtype)
    return dtype


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table of the archive back to the report frame, with the parser's dtypes.

    Rows keep their order; columns keep the table's order.
    """
    n = table.num_rows
    out: dict[str, Any] = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_dictionary(col.type):  # each chunk by itself: their dictionaries may not combine
            col = col.cast(pa.string())
        arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
        if name in _INTS or (_TRACK.match(name) and name.endswith("_clicks")):
            target = "Int" + str(arrow_type(name).bit_width)
            out[name] = to_ints(arr.cast(arrow_type(name)), n, target)
        elif name in _BOOLS:
            out[name] = pd.BooleanDtype().__from_arrow__(arr.cast(pa.bool_()))  # type: ignore[attr-defined]
        elif _is_date(name):
            secs = arr.cast(pa.timestamp("s", tz="UTC")).cast(pa.int64())  # whole seconds: exact
            valid = secs.is_valid().to_numpy(zero_copy_only=False)
            values = pc.fill_null(secs, np.iinfo(np.int64).min).to_numpy(zero_copy_only=False).astype(np.int64)
            out[name] = to_datetimes((values, valid), n)
        elif name in _DECODED:
            out[name] = pd.Categorical(
                pd.array(arr.cast(pa.string()), dtype="string[pyarrow]"), dtype=_decoded_dtype(name)
            )
        elif name in _CATEGORIES:
            out[name] = to_categorical(arr.cast(pa.string()), n)
        elif name in _TEXT:
            out[name] = to_strings(arr.cast(pa.string()), n)
        else:  # the list's own columns: the parser's rule (category when each value is used twice)
            out[name] = to_list_column(arr.cast(pa.string()), n)
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)


# -- files ----------------------------------------------------------------------
def day_file(root: Path, day: date) -> Path:
    """``<root>/month=YYYY-MM/YYYY-MM-DD.parquet``: the file of the campaigns sent that Paris day."""
    return root / f"month={day:%Y-%m}" / f"{day:%Y-%m-%d}.parquet"


def day_of_file(path: Path) -> date | None:
    """The Paris day a file of the archive holds, from its name (None: not a day file)."""
    m = DAY_FILE.match(path.name)
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


def read_day(path: Path) -> pd.DataFrame | None:
    """The report frame of one day file, or None when there is none yet."""
    if not path.exists():
        return None
    return to_frame(pq.read_table(path))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(temporary_path)``, then make it appear at once.

    The temporary file is in the same folder (so the rename is atomic), is
    flushed to disk before the rename, and the folder after it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{TEMP_PREFIX}{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        write(temporary)
        fd = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_table(path: Path, table: pa.Table) -> None:
    """One day's table, zstd-compressed, atomically, with its campaigns' facts in its footer
    (:mod:`mfanalytics.archive.campaigns`)."""
    from mfanalytics.archive.campaigns import with_campaign_facts

    table = with_campaign_facts(table)
    write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def remove_temporaries(root: Path) -> int:
    """Delete the temporary files a killed sync left under ``root``; returns how many."""
    removed = 0
    if root.exists():
        for tmp in root.rglob(f"{TEMP_PREFIX}*"):
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed
