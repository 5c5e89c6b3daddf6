"""Report dates: ``DD/MM/YYYY HH:MM:SS`` Paris text to UTC, a column at a time.

Dates are read strictly as ``DD/MM/YYYY HH:MM:SS`` (two-digit day and month,
four-digit year, 24-hour clock), Paris wall-clock time. A day that does not
exist (31/02), a two-digit year or a second of 60 is an error, never a silent
shift. Around the daylight-saving changes:

- October, 02:00:00 to 02:59:59 happens twice: it is read as the **first**
  occurrence (summer time, UTC+02:00);
- March, 02:00:00 to 02:59:59 does not exist: it is moved to the first instant
  after the gap, 03:00:00 summer time (01:00 UTC), as pandas'
  ``nonexistent="shift_forward"`` would.

Offsets come from the system time-zone database through pandas, for the years
1970 to 2200; a date outside that range takes the offset of the nearest end.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.reports.schema import first_bad, format_error
from mfanalytics.times import paris_to_utc

__all__ = ["parse_paris_dates"]

_YEARS = np.arange(10000)
_LEAP = ((_YEARS % 4 == 0) & ((_YEARS % 100 != 0) | (_YEARS % 400 == 0))).astype(np.int32)
# days from 1970-01-01 to 1 January of each year 0..9999 (proleptic Gregorian)
_Y = _YEARS - 1
_JAN1 = (365 * _Y + _Y // 4 - _Y // 100 + _Y // 400 + 1 - 719163).astype(np.int32)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
# indexed by leap * 13 + month: days in the month, and days before it in the year
_DIM = np.concatenate([_MONTH_DAYS, _MONTH_DAYS + (np.arange(13) == 2)]).astype(np.int32)
_BEFORE = np.concatenate(
    [np.cumsum(_MONTH_DAYS) - _MONTH_DAYS, np.cumsum(_MONTH_DAYS) - _MONTH_DAYS + (np.arange(13) > 2)]
).astype(np.int32)
# indexed by year * 13 + month: 32 * (days from 1970-01-01 to the 1st of the month) + days in the month
_LM = _LEAP[:, None] * 13 + np.arange(13)
_MONTHS = ((_JAN1[:, None] + _BEFORE[_LM]) * 32 + _DIM[_LM]).ravel().astype(np.int32)
del _LM
_SEPARATORS = ((2, ord("/")), (5, ord("/")), (10, ord(" ")), (13, ord(":")), (16, ord(":")))
_FIELDS = (0, 3, 6, 8, 11, 14, 17)  # day, month, century, year in century, hour, minute, second
_WIDTH = 19
_NAT = np.iinfo(np.int64).min
_BLOCK = 1 << 16  # rows per block of the date parser: its temporaries stay small and in cache
_U16 = np.uint16


def _read_fields(buf: Any, start: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(local epoch seconds, ok flags) of ``n`` _WIDTH-byte records from byte ``start`` of ``buf``.

    Each two-digit field is read as a little-endian uint16 minus ``"00"``: both
    bytes are digits exactly when neither that nor that plus 6 has a bit of
    0xF0F0 set (a byte below "0" wraps to 0xD0 or more, and borrows only go up).
    """
    bad = np.zeros(n, _U16)
    values = []
    for k in _FIELDS:
        pair = np.ndarray((n,), dtype="<u2", buffer=buf, offset=start + k, strides=(_WIDTH,)) - _U16(0x3030)
        bad |= pair
        bad |= pair + _U16(0x0606)
        values.append((pair & _U16(0xFF)) * _U16(10) + (pair >> _U16(8)))
    day, mon, cent, yy, hour, minute, sec = values
    ok = (bad & _U16(0xF0F0)) == 0
    ok &= (day - _U16(1) <= 30) & (mon - _U16(1) <= 11) & (hour <= 23) & (minute <= 59) & (sec <= 59)
    for k, sep in _SEPARATORS:
        ok &= np.ndarray((n,), dtype=np.uint8, buffer=buf, offset=start + k, strides=(_WIDTH,)) == sep
    year = np.minimum(cent * _U16(100) + yy, 9999).astype(np.intp)
    month = _MONTHS[year * 13 + np.minimum(mon, 12)]
    ok &= day <= (month & 31)
    days = (month >> 5) + day - 1
    tod = hour.astype(np.int32) * 3600 + minute.astype(np.int32) * 60 + sec
    return days.astype(np.int64) * 86400 + tod, ok


def _text(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.string())
    return arr.cast(pa.string()) if pa.types.is_large_string(arr.type) else arr


def _local_seconds(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse text ``DD/MM/YYYY HH:MM:SS``: (local epoch seconds, ok flags) of the
    non-null values, and the mask of non-null values."""
    valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    dense = _text(pc.drop_null(arr) if arr.null_count else arr)
    n = len(dense)
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, bool), valid
    offsets = np.frombuffer(dense.buffers()[1], dtype=np.int32)[dense.offset : dense.offset + n + 1]
    lengths_ok = np.diff(offsets) == _WIDTH
    if not lengths_ok.all():
        return np.zeros(n, np.int64), lengths_ok, valid
    return *_read_fields(dense.buffers()[2], int(offsets[0]), n), valid


def _parts(arr: pa.Array | pa.ChunkedArray) -> Any:
    """The column in consecutive pieces of about _BLOCK rows (small chunks joined)."""
    pending: list[pa.Array] = []
    rows = 0
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        for start in range(0, len(chunk), _BLOCK):
            pending.append(chunk.slice(start, _BLOCK))
            rows += len(pending[-1])
            if rows >= _BLOCK:
                yield pending[0] if len(pending) == 1 else pa.concat_arrays(pending)
                pending, rows = [], 0
    if pending:
        yield pending[0] if len(pending) == 1 else pa.concat_arrays(pending)


def _utc_blocks(arr: pa.Array | pa.ChunkedArray, valid: np.ndarray) -> np.ndarray | None:
    """UTC seconds (NaT where null) of a column of good dates, block by block.

    Returns None, to fall back to :func:`_local_seconds` on the whole column,
    unless every value has _WIDTH bytes, every null none (as the CSV reader
    gives them: the values are then records end to end) and every date is good.
    """
    utc = np.empty(len(valid), np.int64)
    a = 0
    for part in _parts(arr):
        part = part.cast(pa.string()) if pa.types.is_large_string(part.type) else part
        b = a + len(part)
        offsets = np.frombuffer(part.buffers()[1], dtype=np.int32)[part.offset : part.offset + len(part) + 1]
        ok_rows = valid[a:b]
        if not np.array_equal(np.diff(offsets), ok_rows.view(np.uint8) * np.uint8(_WIDTH)):
            return None
        n = int(offsets[-1] - offsets[0]) // _WIDTH
        if n == 0:
            utc[a:b] = _NAT
        else:
            local, ok = _read_fields(part.buffers()[2], int(offsets[0]), n)
            if not ok.all():
                return None
            if n == b - a:
                utc[a:b] = paris_to_utc(local)
            else:
                utc[a:b] = _NAT
                utc[a:b][ok_rows] = paris_to_utc(local)
        a = b
    return utc


def parse_paris_dates(arr: pa.ChunkedArray | pa.Array, field: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``DD/MM/YYYY HH:MM:SS`` Paris times into UTC epoch seconds.

    Returns ``(seconds, valid)``: int64 seconds since 1970-01-01 UTC (the NaT
    value, the smallest int64, where the value is null) and the mask of
    non-null values. Raises :class:`ReportFormatError` (rule ``"date"``) at the
    first value that is not such a date.
    """
    size, nulls = len(arr), arr.null_count
    valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool) if nulls else np.ones(size, bool)
    utc = _utc_blocks(arr, valid) if nulls < size else np.full(size, _NAT, np.int64)
    if utc is not None:
        return utc, valid
    secs, ok, valid = _local_seconds(arr)
    if not ok.all():
        i = first_bad(~ok, np.flatnonzero(valid))
        raise format_error(field, i + 1, arr[i].as_py(), "a date DD/MM/YYYY HH:MM:SS", "date")
    utc = np.full(valid.size, _NAT, np.int64)
    utc[valid] = paris_to_utc(secs)
    return utc, valid
