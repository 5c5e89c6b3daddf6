"""The report frame's column table, its vectorised value parsers and column builders.

:data:`REPORT_COLUMNS` maps every column name the platform sends (guide,
section 4, plus the campaign id of period reports) to its report-frame name.
The parsers turn columns of text into typed values with numpy and pyarrow, and
raise :class:`~mfanalytics.errors.ReportFormatError` naming the column and the
1-based data line of the first value they cannot read. The ``to_*`` builders
make the frame's pandas arrays; :mod:`mfanalytics.reports` puts them together.

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
from mfanalytics.status_codes import decode_status

__all__ = ["REPORT_COLUMNS", "PARIS", "DATE_FORMAT", "match_column"]

#: Time zone of every date in a report.
PARIS = "Europe/Paris"
#: The one date format of the reports (``JJ/MM/AAAA HH:MM:SS`` in the guide).
DATE_FORMAT = "%d/%m/%Y %H:%M:%S"

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
def _pair_table(lo: int, hi: int, scale: int) -> np.ndarray:
    """Lookup from two ASCII bytes (read as little-endian uint16) to ``value * scale``.

    Pairs that are not two digits in ``lo..hi`` map to a large negative number,
    so that a sum or a bitwise or of looked-up values is negative when any
    field is invalid.
    """
    table = np.full(65536, _INVALID, dtype=np.int32)
    for v in range(lo, hi + 1):
        table[(48 + v // 10) | ((48 + v % 10) << 8)] = v * scale
    return table


_INVALID = -(1 << 28)
_DAY, _MON = _pair_table(1, 31, 1), _pair_table(1, 12, 1)
_CENT, _YY = _pair_table(0, 99, 100), _pair_table(0, 99, 1)
_HOUR, _MIN, _SEC = _pair_table(0, 23, 3600), _pair_table(0, 59, 60), _pair_table(0, 59, 1)
_YEARS = np.arange(10000)
_LEAP = ((_YEARS % 4 == 0) & ((_YEARS % 100 != 0) | (_YEARS % 400 == 0))).astype(np.int32)
# days from 1970-01-01 to 1 January of each year 0..9999 (proleptic Gregorian)
_Y = _YEARS - 1
_JAN1 = (365 * _Y + _Y // 4 - _Y // 100 + _Y // 400 + 1 - 719163).astype(np.int32)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
# indexed by leap * 13 + month: days in the month, and days before it in the year
_DIM = np.concatenate([_MONTH_DAYS, _MONTH_DAYS + (np.arange(13) == 2)]).astype(np.int32)
_BEFORE = np.concatenate([np.cumsum(_MONTH_DAYS) - _MONTH_DAYS, np.cumsum(_MONTH_DAYS) - _MONTH_DAYS + (np.arange(13) > 2)]).astype(np.int32)
_SEPARATORS = ((2, ord("/")), (5, ord("/")), (10, ord(" ")), (13, ord(":")), (16, ord(":")))
_WIDTH = 19


def _local_seconds(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse text ``DD/MM/YYYY HH:MM:SS``: (local epoch seconds, ok flags) of the
    non-null values, and the mask of non-null values."""
    valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    dense = pc.drop_null(arr) if arr.null_count else arr
    if isinstance(dense, pa.ChunkedArray):
        dense = dense.combine_chunks() if dense.num_chunks else pa.array([], pa.string())
    if pa.types.is_large_string(dense.type):
        dense = dense.cast(pa.string())
    n = len(dense)
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, bool), valid
    offsets = np.frombuffer(dense.buffers()[1], dtype=np.int32)[dense.offset : dense.offset + n + 1]
    lengths_ok = np.diff(offsets) == _WIDTH
    if not lengths_ok.all():
        return np.zeros(n, np.int64), lengths_ok, valid
    buf, start = dense.buffers()[2], int(offsets[0])

    def field(table: np.ndarray, k: int) -> np.ndarray:
        return table[np.ndarray((n,), dtype="<u2", buffer=buf, offset=start + k, strides=(_WIDTH,))]

    def byte(k: int) -> np.ndarray:
        return np.ndarray((n,), dtype=np.uint8, buffer=buf, offset=start + k, strides=(_WIDTH,))

    day, mon = field(_DAY, 0), field(_MON, 3)
    year = field(_CENT, 6) + field(_YY, 8)
    tod = field(_HOUR, 11) + field(_MIN, 14) + field(_SEC, 17)
    ok = (day | mon | year | tod) >= 0
    for k, sep in _SEPARATORS:
        ok &= byte(k) == sep
    year.clip(0, 9999, out=year)
    lm = _LEAP[year] * 13 + mon.clip(0, 12)
    ok &= day <= _DIM[lm]
    days = _JAN1[year] + _BEFORE[lm] + (day - 1)
    return days.astype(np.int64) * 86400 + tod, ok, valid


def parse_paris_dates(arr: pa.ChunkedArray | pa.Array, field: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``DD/MM/YYYY HH:MM:SS`` Paris times into UTC epoch seconds.

    Returns ``(seconds, valid)``: int64 seconds since 1970-01-01 UTC (0 where
    the value is null) and the mask of non-null values. Raises
    :class:`ReportFormatError` (rule ``"date"``) at the first value that is not
    such a date.
    """
    secs, ok, valid = _local_seconds(arr)
    if not ok.all():
        i = _first_bad(~ok, np.flatnonzero(valid))
        raise _error(field, i + 1, arr[i].as_py(), "a date DD/MM/YYYY HH:MM:SS", "date")
    if secs.size == valid.size:  # no null: no scatter needed
        return paris_to_utc(secs), valid
    utc = np.zeros(valid.size, np.int64)
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
    >>> paris_to_utc(local).astype("M8[s]")
    array(['2024-10-27T00:30:00', '2024-03-31T01:00:00'], dtype='datetime64[s]')
    """
    if local.size == 0:
        return local.astype(np.int64)
    year = lambda s: 1970 + int(s) // 31_556_952  # noqa: E731
    y0 = min(max(year(local.min()) - 1, 1970), 2200)
    y1 = max(min(year(local.max()) + 1, 2200), 1970)
    keys, offsets, floors = _transitions(y0, y1)
    lo, hi = np.searchsorted(keys, [local.min(), local.max()], side="right")
    j = np.full(local.shape, lo, dtype=np.intp)
    for key in keys[lo:hi]:  # the transitions inside the data's range: usually 0 or 1
        j += local >= key
    return np.maximum(local - offsets[j], floors[j])


# -- pandas columns of the frame ----------------------------------------------
_STRING = pd.StringDtype("pyarrow")


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
    """``(UTC seconds, valid)`` from :func:`parse_paris_dates` to ``datetime64[s, Europe/Paris]``."""
    if parsed is None:
        parsed = (np.zeros(n, np.int64), np.zeros(n, bool))
    secs, valid = parsed
    values = np.where(valid, secs, np.iinfo(np.int64).min).view("M8[s]")
    return pd.Series(values, copy=False).dt.tz_localize("UTC").dt.tz_convert(PARIS).array


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
    values = codes.to_numpy(dtype=np.int64, na_value=-1)
    top = int(values.max()) + 1 if len(values) else 0
    table = decode_status(pd.Series(list(range(top)) + [None], dtype="object"), lang=lang)
    idx = np.where(values < 0, top, values)
    out = {}
    for col in ("status", "status_group"):
        cat = table[col].array
        out[col] = pd.Categorical.from_codes(cat.codes[idx], dtype=cat.dtype, validate=False)
    for col in ("is_final", "is_delivered"):
        out[col] = table[col].array.take(idx)
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
