"""The report frame's column table, its vectorised value parsers and column builders.

:data:`REPORT_COLUMNS` maps every column name the platform sends (guide,
section 4, plus the campaign id of period reports) to its report-frame name.
The parsers turn columns of text into typed values with numpy and pyarrow, and
raise :class:`~mfanalytics.errors.ReportFormatError` naming the column and the
1-based data line of the first value they cannot read. The ``to_*`` builders
make the frame's pandas arrays; :mod:`mfanalytics.reports.parsing` puts them together.

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

import functools
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.errors import ReportFormatError
from mfanalytics.reports.status_codes import decode_status
from mfanalytics.times import PARIS_NAME

__all__ = ["REPORT_COLUMNS", "PARIS", "match_column"]

#: Time zone of every date in a report (by name: the frame's dtype).
PARIS = PARIS_NAME

#: Original column name -> report-frame column. Matching ignores case and
#: surrounding spaces. ``N`` stands for any track number (1, 2, 3, ...).
REPORT_COLUMNS: dict[str, str] = {
    "CAMPAIGN_ID": "campaign_id",
    "campaignId": "campaign_id",
    "ID_CAMPAIGN": "campaign_id",
    "campaign_id": "campaign_id",
    "REF_LIST": "ref_list",
    "ID_LINE": "line",
    "INT_MOBILE": "mobile",
    "STATUS_CODE": "status_code",
    "STATUS_TEXT": "status_text",
    "DELIVERYDATE": "delivered_at",
    "REPLY": "reply",
    "PREVIEW": "preview_at",
    "PREVIEW_COUNTER": "preview_count",
    "TRACK_N": "track_N_at",
    "TRACK_N_COUNTER": "track_N_clicks",
}

_ALIASES = {k.upper(): v for k, v in REPORT_COLUMNS.items() if "_N" not in k}
_TRACK = re.compile(r"TRACK_0*([1-9][0-9]{0,3})(_COUNTER)?")

#: How each report column is read: "int16", "int32", "int64", "date", "string".
KINDS: dict[str, str] = {
    "campaign_id": "int64",
    "ref_list": "string",
    "line": "int32",
    "mobile": "string",
    "status_code": "int16",
    "status_text": "string",
    "delivered_at": "date",
    "reply": "string",
    "preview_at": "date",
    "preview_count": "int32",
}

_INT_TYPES = {"int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64()}


def match_column(name: str) -> tuple[str, str, int | None] | None:
    """Map an original column name to ``(frame column, kind, track number)``.

    Returns None for the list's own columns.

    Examples
    --------
    >>> match_column(" Status_Code ")
    ('status_code', 'int16', None)
    >>> match_column("TRACK_2_COUNTER")
    ('track_2_clicks', 'int32', 2)
    >>> match_column("PRENOM") is None
    True
    """
    key = name.strip().upper()
    if key in _ALIASES:
        canon = _ALIASES[key]
        return canon, KINDS[canon], None
    m = _TRACK.fullmatch(key)
    if m:
        n = int(m.group(1))
        if m.group(2):
            return f"track_{n}_clicks", "int32", n
        return f"track_{n}_at", "date", n
    return None


def _error(field: str, line: int, value: object, what: str, rule: str) -> ReportFormatError:
    shown = repr(value if not isinstance(value, str) or len(value) <= 40 else value[:40] + "...")
    return ReportFormatError(
        f"Column {field!r}, data line {line}: {shown} is not {what}.",
        rule=rule,
        field=field,
        line=line,
    )


def _first_bad(bad: np.ndarray, positions: np.ndarray | None = None) -> int:
    """Index (0-based, in the full column) of the first True of ``bad``."""
    i = int(np.argmax(bad))
    return int(positions[i]) if positions is not None else i


# -- integers ------------------------------------------------------------------
_INT_RE = r"^[0-9]{1,18}$"


def parse_integers(arr: pa.ChunkedArray | pa.Array, kind: str, field: str) -> pa.Array:
    """Parse a column of text (nulls allowed) into non-negative integers.

    Raises :class:`ReportFormatError` (rule ``"integer"``) at the first value
    that is not a plain decimal integer fitting ``kind``.
    """
    target = _INT_TYPES[kind]
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.string())
    if pa.types.is_integer(arr.type):
        values = arr
    else:
        try:
            values = pc.cast(arr, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            match = pc.fill_null(pc.match_substring_regex(arr, _INT_RE), True)
            bad = ~np.asarray(match.to_numpy(zero_copy_only=False), dtype=bool)
            if not bad.any():
                raise ReportFormatError(f"Column {field!r}: {exc}", rule="integer", field=field) from exc
            i = _first_bad(bad)
            raise _error(field, i + 1, arr[i].as_py(), "a whole number >= 0", "integer") from None
    if len(values) and values.null_count < len(values):
        lo, hi = np.iinfo(target.to_pandas_dtype()).min, np.iinfo(target.to_pandas_dtype()).max
        minmax = pc.min_max(values)
        if minmax["min"].as_py() < max(lo, 0) or minmax["max"].as_py() > hi:
            nums = pc.fill_null(values.cast(pa.int64()), 0).to_numpy()
            bad = (nums < max(lo, 0)) | (nums > hi)
            i = _first_bad(bad)
            raise _error(field, i + 1, arr[i].as_py(), f"a whole number between 0 and {hi}", "integer")
    return values if values.type == target else values.cast(target)


# -- dates -----------------------------------------------------------------------
_YEARS = np.arange(10000)
_LEAP = ((_YEARS % 4 == 0) & ((_YEARS % 100 != 0) | (_YEARS % 400 == 0))).astype(np.int32)
# days from 1970-01-01 to 1 January of each year 0..9999 (proleptic Gregorian)
_Y = _YEARS - 1
_JAN1 = (365 * _Y + _Y // 4 - _Y // 100 + _Y // 400 + 1 - 719163).astype(np.int32)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
# indexed by leap * 13 + month: days in the month, and days before it in the year
_DIM = np.concatenate([_MONTH_DAYS, _MONTH_DAYS + (np.arange(13) == 2)]).astype(np.int32)
_BEFORE = np.concatenate([np.cumsum(_MONTH_DAYS) - _MONTH_DAYS, np.cumsum(_MONTH_DAYS) - _MONTH_DAYS + (np.arange(13) > 2)]).astype(np.int32)
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
        i = _first_bad(~ok, np.flatnonzero(valid))
        raise _error(field, i + 1, arr[i].as_py(), "a date DD/MM/YYYY HH:MM:SS", "date")
    utc = np.full(valid.size, _NAT, np.int64)
    utc[valid] = paris_to_utc(secs)
    return utc, valid


@functools.lru_cache(maxsize=16)
def _transitions(y0: int, y1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paris DST transitions of years y0..y1: local keys, offsets, UTC instants."""
    hours = pd.date_range(f"{y0}-01-01", f"{y1 + 1}-01-01", freq="h", tz="UTC", unit="s")
    utc = hours.tz_localize(None).asi8
    offset = hours.tz_convert(PARIS).tz_localize(None).asi8 - utc
    idx = np.flatnonzero(np.diff(offset)) + 1
    keys = utc[idx] + offset[idx - 1]  # local time at which the old clock reaches the change
    offsets = np.concatenate([offset[:1], offset[idx]])
    floors = np.concatenate([[np.iinfo(np.int64).min], utc[idx]])
    return keys, offsets, floors


def paris_to_utc(local: np.ndarray) -> np.ndarray:
    """Convert Paris wall-clock epoch seconds to UTC epoch seconds, vectorised.

    Ambiguous times take the first occurrence; times in the spring gap move to
    the end of the gap (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> local = np.array(["2024-10-27T02:30:00", "2024-03-31T02:30:00"], "M8[s]").astype(np.int64)
    >>> paris_to_utc(local).astype("M8[s]")  # doctest: +NORMALIZE_WHITESPACE
    array(['2024-10-27T00:30:00', '2024-03-31T01:00:00'], dtype='datetime64[s]')
    """
    if local.size == 0:
        return local.astype(np.int64)
    lowest, highest = int(local.min()), int(local.max())
    year = lambda s: 1970 + s // 31_556_952  # noqa: E731
    y0 = min(max(year(lowest) - 1, 1970), 2200)
    y1 = max(min(year(highest) + 1, 2200), 1970)
    keys, offsets, floors = _transitions(y0, y1)
    lo, hi = np.searchsorted(keys, [lowest, highest], side="right")
    # Period j (UTC offset offsets[j], from the instant floors[j]) starts at
    # local time keys[j - 1]; a value of period j is max(local - offsets[j], floors[j]).
    utc = np.subtract(local, offsets[lo], dtype=np.int64)
    np.maximum(utc, floors[lo], out=utc)
    for j in range(lo + 1, hi + 1):  # the transitions inside the data's range: usually 0 or 1
        # values from keys[j - 1] on hold local - offsets[j - 1] (>= floors[j]); move
        # them by the change of offset, clamped at floors[j] when the clock jumps forward
        delta = offsets[j] - offsets[j - 1]
        step = np.minimum(utc - floors[j], delta) if delta > 0 else delta
        utc -= (local >= keys[j - 1]) * step
    return utc


# -- pandas columns of the frame ----------------------------------------------
_STRING = pd.StringDtype("pyarrow")
_DATETIME = pd.DatetimeTZDtype("s", PARIS)


def to_ints(arr: pa.Array | None, n: int, dtype: str) -> Any:
    """Arrow integers (or None: all missing) to a pandas masked integer array."""
    pd_dtype = pd.api.types.pandas_dtype(dtype)
    if arr is None:
        return pd.arrays.IntegerArray(np.zeros(n, pd_dtype.numpy_dtype), np.ones(n, bool))
    return pd_dtype.__from_arrow__(arr)


def to_strings(arr: Any, n: int) -> Any:
    """Arrow text (or None: all missing) to ``string[pyarrow]``, zero-copy."""
    if arr is None:
        arr = pa.nulls(n, pa.string())
    return _STRING.__from_arrow__(arr)


def to_datetimes(parsed: tuple[np.ndarray, np.ndarray] | None, n: int) -> Any:
    """``(UTC seconds, valid)`` from :func:`parse_paris_dates` to ``datetime64[s, Europe/Paris]``.

    The seconds hold NaT (the smallest int64) where ``valid`` is False.
    """
    secs = np.full(n, _NAT, np.int64) if parsed is None else parsed[0]
    return pd.array(secs.view("M8[s]"), copy=False).view(_DATETIME)  # the seconds are UTC: no copy


def to_categorical(arr: Any, n: int, *, max_share: float | None = None) -> Any:
    """Dictionary-encode text into a pandas Categorical with the smallest codes.

    With ``max_share``, a column with more distinct values than ``max_share``
    times its non-null values stays text (``string[pyarrow]``).
    """
    if arr is None:
        return pd.Categorical.from_codes(np.full(n, -1, np.int8), categories=pd.Index([], dtype="str"))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.string())
    enc = pc.dictionary_encode(arr)
    size = len(enc.dictionary)
    if max_share is not None and not (size and size <= max_share * (len(arr) - arr.null_count)):
        return to_strings(arr, n)
    codes = (pc.fill_null(enc.indices, -1) if enc.null_count else enc.indices).to_numpy(zero_copy_only=False)
    width = np.int8 if size < 127 else np.int16 if size < 32767 else np.int32
    cats = pd.Index(enc.dictionary.to_pylist(), dtype="str")
    return pd.Categorical.from_codes(codes.astype(width), dtype=pd.CategoricalDtype(cats), validate=False)


def to_list_column(arr: Any, n: int) -> Any:
    """Category when each value is used twice on average, else string."""
    if not isinstance(arr, (pa.Array, pa.ChunkedArray)):
        arr = pa.array(arr)
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    return to_categorical(arr, n, max_share=0.5)


# -- columns of a report and derived columns ---------------------------------
_REQUIRED = {"mobile": "INT_MOBILE", "status_code": "STATUS_CODE"}


def map_columns(names: list[str], *, required: bool = True) -> tuple[list[tuple[str, str] | None], list[tuple[int, str]]]:
    """Per input column: (frame column, kind) or None; list columns as (index, name)."""
    report_cols: list[tuple[str, str] | None] = []
    seen: dict[str, str] = {}
    list_idx: list[int] = []
    for i, name in enumerate(names):
        m = match_column(name)
        if m is None:
            report_cols.append(None)
            list_idx.append(i)
            continue
        if m[0] in seen:
            raise ReportFormatError(
                f"Columns {seen[m[0]]!r} and {name!r} both map to {m[0]!r}.", rule="duplicate-column", field=name
            )
        seen[m[0]] = name
        report_cols.append((m[0], m[1]))
    for canon, original in _REQUIRED.items():
        if required and canon not in seen:
            raise ReportFormatError(
                f"The report has no {original} column (columns: {', '.join(map(repr, names))}).",
                rule="missing-column",
                field=original,
            )
    tracks = sorted({int(c.split("_")[1]) for c in seen if c.startswith("track_")})
    taken = set(fixed_columns(tracks))
    extras = []
    for i in list_idx:
        out = names[i]
        while out in taken:
            warnings.warn(f"List column {out!r} clashes with another column; renamed {out + '_list'!r}.", stacklevel=4)
            out += "_list"
        taken.add(out)
        extras.append((i, out))
    return report_cols, extras


def fixed_columns(tracks: list[int]) -> list[str]:
    cols = [
        "campaign_id", "ref_list", "line", "mobile", "status_code", "status_text", "status",
        "status_group", "is_final", "is_delivered", "delivered_at", "reply", "is_stop",
        "preview_at", "preview_count",
    ]
    for n in tracks:
        cols += [f"track_{n}_at", f"track_{n}_clicks"]
    return cols + ["clicks", "clicked", "first_click_at"]


def decode_codes(codes: pd.Series, lang: str) -> dict[str, Any]:
    """decode_status on the distinct codes only, then spread by position."""
    values = codes.to_numpy(dtype=np.intp, na_value=-1)
    top = int(values.max()) + 1 if len(values) else 0
    table = decode_status(pd.Series(list(range(top)) + [None], dtype="object"), lang=lang)
    idx = np.where(values < 0, top, values)
    out = {}
    for col in ("status", "status_group"):
        cat = table[col].array
        out[col] = pd.Categorical.from_codes(cat.codes[idx], dtype=cat.dtype, validate=False)
    for col in ("is_final", "is_delivered"):
        flags = table[col].array
        out[col] = pd.arrays.BooleanArray(flags.to_numpy(bool, na_value=False)[idx], flags.isna()[idx])
    return out


def campaign_ids(arr: pa.Array | None, n: int, given: int | None) -> Any:
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, (int, np.integer)):
            try:
                given = int(str(given))
            except ValueError:
                raise ReportFormatError(f"campaign_id must be an integer, not {given!r}.", rule="campaign-id", field="campaign_id") from None
        if arr is not None and n:
            vals = arr.to_numpy(zero_copy_only=False)
            clash = pc.fill_null(pc.not_equal(arr, pa.scalar(int(given), pa.int64())), False).to_numpy(zero_copy_only=False)
            if clash.any():
                i = int(np.argmax(clash))
                raise ReportFormatError(
                    f"Data line {i + 1} is campaign {int(vals[i])}, not {given}.",
                    rule="campaign-id", field="campaign_id", line=i + 1,
                )
            arr = pc.fill_null(arr, int(given))
        elif arr is None:
            arr = pa.array(np.full(n, int(given), np.int64))
    return to_ints(arr, n, "Int64")
