"""The report frame's column table, its vectorised value parsers and column builders.

:data:`REPORT_COLUMNS` maps every column name the platform sends (guide,
section 4, plus the campaign id of period reports) to its report-frame name.
The parsers turn columns of text into typed values with numpy and pyarrow, and
raise :class:`~mfanalytics.errors.ReportFormatError` naming the column and the
1-based data line of the first value they cannot read. The ``to_*`` builders
make the frame's pandas arrays; :mod:`mfanalytics.reports.parsing` puts them together.

The dates: :mod:`mfanalytics.reports.dates`.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.charsets import arrow_strings
from mfanalytics.errors import ReportFormatError
from mfanalytics.reports.status_codes import decode_status
from mfanalytics.times import PARIS_NAME

__all__ = ["REPORT_COLUMNS", "PARIS", "match_column", "format_error", "first_bad", "parse_integers"]

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


def format_error(field: str, line: int, value: object, what: str, rule: str) -> ReportFormatError:
    shown = repr(value if not isinstance(value, str) or len(value) <= 40 else value[:40] + "...")
    return ReportFormatError(
        f"Column {field!r}, data line {line}: {shown} is not {what}.",
        rule=rule,
        field=field,
        line=line,
    )


def first_bad(bad: np.ndarray, positions: np.ndarray | None = None) -> int:
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
            i = first_bad(bad)
            raise format_error(field, i + 1, arr[i].as_py(), "a whole number >= 0", "integer") from None
    if len(values) and values.null_count < len(values):
        lo, hi = np.iinfo(target.to_pandas_dtype()).min, np.iinfo(target.to_pandas_dtype()).max
        minmax = pc.min_max(values)
        if minmax["min"].as_py() < max(lo, 0) or minmax["max"].as_py() > hi:
            nums = pc.fill_null(values.cast(pa.int64()), 0).to_numpy()
            bad = (nums < max(lo, 0)) | (nums > hi)
            i = first_bad(bad)
            raise format_error(field, i + 1, arr[i].as_py(), f"a whole number between 0 and {hi}", "integer")
    return values if values.type == target else values.cast(target)


# -- pandas columns of the frame ----------------------------------------------
_STRING = pd.StringDtype("pyarrow")
_DATETIME = pd.DatetimeTZDtype("s", PARIS)


def to_ints(arr: pa.Array | None, n: int, dtype: str) -> Any:
    """Arrow integers (or None: all missing) to a pandas masked integer array."""
    pd_dtype: Any = pd.api.types.pandas_dtype(dtype)  # a masked integer dtype (Int16, Int32, Int64)
    if arr is None:
        return pd.arrays.IntegerArray(np.zeros(n, pd_dtype.numpy_dtype), np.ones(n, bool))
    return pd_dtype.__from_arrow__(arr)


def to_strings(arr: Any, n: int) -> Any:
    """Arrow text (or None: all missing) to ``string[pyarrow]``, zero-copy."""
    if arr is None:
        arr = pa.nulls(n, pa.string())
    return arrow_strings(arr)


def to_datetimes(parsed: tuple[np.ndarray, np.ndarray] | None, n: int) -> Any:
    """``(UTC seconds, valid)`` from :func:`~mfanalytics.reports.dates.parse_paris_dates` to ``datetime64[s, Europe/Paris]``.

    The seconds hold NaT (the smallest int64) where ``valid`` is False.
    """
    secs = np.full(n, np.iinfo(np.int64).min, np.int64) if parsed is None else parsed[0]  # NaT
    return pd.array(secs.view("M8[s]"), copy=False).view(_DATETIME)  # the seconds are UTC: no copy


def to_categorical(arr: Any, n: int, *, max_share: float | None = None) -> Any:
    """Dictionary-encode text into a pandas Categorical with the smallest codes.

    With ``max_share``, a column with more distinct values than ``max_share``
    times its non-null values stays text (``string[pyarrow]``).

    ``arr`` may be text, or dictionaries of text as the CSV reader makes them
    (each chunk's dictionary holds the values of the chunk in the order of
    their first row, and nothing else): the categories are the distinct values
    in the order of their first row, as for text.
    """
    if arr is None:
        return pd.Categorical.from_codes(np.full(n, -1, np.int8), categories=pd.Index([], dtype="str"))
    if pa.types.is_dictionary(arr.type):
        return _from_dictionaries(arr, n, max_share)
    if max_share is not None and _surely_text(arr, max_share):
        return to_strings(arr, n)  # surely more distinct values than that: no dictionary to build
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.string())
    enc = pc.dictionary_encode(arr)
    size = len(enc.dictionary)
    if max_share is not None and not (size and size <= max_share * (len(arr) - arr.null_count)):
        return to_strings(arr, n)
    return _categorical(enc.indices, enc.dictionary)


def _categorical(indices: pa.Array | pa.ChunkedArray, dictionary: pa.Array) -> Any:
    """A pandas Categorical of Arrow indices (nulls: missing) into ``dictionary``, with the smallest codes."""
    size = len(dictionary)
    codes = (pc.fill_null(indices, -1) if indices.null_count else indices).to_numpy(zero_copy_only=False)
    width = np.int8 if size < 127 else np.int16 if size < 32767 else np.int32
    cats = pd.Index(dictionary.to_pylist(), dtype="str")
    return pd.Categorical.from_codes(codes.astype(width), dtype=pd.CategoricalDtype(cats), validate=False)


def _from_dictionaries(arr: pa.Array | pa.ChunkedArray, n: int, max_share: float | None) -> Any:
    """:func:`to_categorical` of dictionary-encoded text: the chunks' dictionaries unified, no hashing of rows."""
    chunks = arr.unify_dictionaries().chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    dictionary = chunks[0].dictionary if chunks else pa.array([], arr.type.value_type)
    size = len(dictionary)
    if max_share is not None and not (size and size <= max_share * (len(arr) - arr.null_count)):
        return to_strings(arr.cast(pa.string()), n)
    return _categorical(pa.chunked_array([c.indices for c in chunks], arr.type.index_type), dictionary)


# keeps the low 8 * k bytes of a word, k = 0..8
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)
_SAMPLE = 1 << 14


def _keys(data: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Mix each value's length and its first, middle and last 8 bytes (fewer when shorter) into one
    integer. Every window read lies in ``data``: each value starts at least 8 bytes before its end."""
    if len(start) == 0:
        return np.zeros(0, np.uint64)
    words = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))  # overlapping, unaligned
    length = end - start
    keep = _LOW_BYTES[np.minimum(length, 8)] if int(length.min()) < 8 else None  # None: every window whole
    tail = np.maximum(end - 8, start)
    middle = np.minimum(start + (length >> 1), tail)
    key = length.astype(np.uint64)
    for i, pos in enumerate((start, middle, tail)):
        window = words[pos]
        if keep is not None:
            window &= keep
        key ^= window
        key *= _MIX[i]
    return np.asarray(key, dtype=np.uint64)


def _value_keys(chunk: pa.Array) -> np.ndarray:
    """One integer per non-null string of ``chunk``, a function of the string alone: equal strings
    have equal keys, so there are never more distinct keys than distinct strings."""
    n = len(chunk)
    offsets = np.frombuffer(chunk.buffers()[1], np.int32, count=n + 1, offset=4 * chunk.offset).astype(np.int64)
    data_buf = chunk.buffers()[2]
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    start, end = offsets[:-1], offsets[1:]
    # the values that start in the last 8 bytes read from a padded copy of them (offsets never decrease)
    k = int(np.searchsorted(start, len(data) - 8, side="right")) if len(data) >= 8 else 0
    key = _keys(data, start[:k], end[:k])
    if k < n:
        base = int(start[k])
        padded = np.zeros(len(data) - base + 8, np.uint8)
        padded[: len(data) - base] = data[base:]
        key = np.concatenate([key, _keys(padded, start[k:] - base, end[k:] - base)])
    return key[chunk.is_valid().to_numpy(zero_copy_only=False)] if chunk.null_count else key


def _distinct_at_least(arr: pa.Array | pa.ChunkedArray, stop: float = np.inf) -> int:
    """A lower bound of the number of distinct non-null values of a string column, with no hash table.

    Each value's key (:func:`_value_keys`) marks one of two to four times as many slots as values: there
    are never more marked slots than distinct values, and a column of distinct values marks 79 % to
    88 % of its length (1 - e^-1/2 of twice it, 1 - e^-1/4 of four times it). The count stops as soon
    as it passes ``stop``, or cannot pass it any more. (Twice as many slots, not more: the table of a
    million values stays small enough for the cache, the random writes in it being most of the cost.)
    """
    size = len(arr) - arr.null_count
    if size == 0:
        return 0
    bits = min(max(int(size).bit_length() + 1, 10), 40)
    slots = np.zeros(1 << bits, np.bool_)
    shift = np.uint64(64 - bits)
    left, check = size, size - size // 16  # the slots are counted when a sixteenth more is marked
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        if len(chunk) > chunk.null_count:
            key = _value_keys(chunk)
            key ^= key >> np.uint64(31)
            key *= _MIX[3]
            slots[key >> shift] = True
            left -= len(key)
            if left <= check:
                marked, check = int(np.count_nonzero(slots)), left - size // 16
                if marked > stop or marked + left <= stop:
                    return marked
    return int(np.count_nonzero(slots))


def _surely_text(arr: pa.Array | pa.ChunkedArray, max_share: float) -> bool:
    """True when the column surely has more distinct values than ``max_share`` times its non-null
    values (False does not say the opposite): a column whose first values repeat is not tried."""
    sample = arr.slice(0, _SAMPLE)
    if int(pc.count_distinct(sample).as_py()) <= max_share * (len(sample) - sample.null_count):
        return False
    limit = max_share * (len(arr) - arr.null_count)
    return bool(_distinct_at_least(arr, limit) > limit)


def to_list_column(arr: Any, n: int) -> Any:
    """Category when each value is used twice on average, else string."""
    if not isinstance(arr, (pa.Array, pa.ChunkedArray)):
        arr = pa.array(arr)
    if arr.type != pa.string() and arr.type != pa.dictionary(pa.int32(), pa.string()):
        arr = arr.cast(pa.string())
    return to_categorical(arr, n, max_share=0.5)


# -- columns of a report and derived columns ---------------------------------
_REQUIRED = {"mobile": "INT_MOBILE", "status_code": "STATUS_CODE"}


def map_columns(
    names: list[str], *, required: bool = True
) -> tuple[list[tuple[str, str] | None], list[tuple[int, str]]]:
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
        "campaign_id",
        "ref_list",
        "line",
        "mobile",
        "status_code",
        "status_text",
        "status",
        "status_group",
        "is_final",
        "is_delivered",
        "delivered_at",
        "reply",
        "is_stop",
        "preview_at",
        "preview_count",
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
    out: dict[str, Any] = {}
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
                raise ReportFormatError(
                    f"campaign_id must be an integer, not {given!r}.", rule="campaign-id", field="campaign_id"
                ) from None
        if arr is not None and n:
            vals = arr.to_numpy(zero_copy_only=False)
            clash = pc.fill_null(pc.not_equal(arr, pa.scalar(int(given), pa.int64())), False).to_numpy(
                zero_copy_only=False
            )
            if clash.any():
                i = int(np.argmax(clash))
                raise ReportFormatError(
                    f"Data line {i + 1} is campaign {int(vals[i])}, not {given}.",
                    rule="campaign-id",
                    field="campaign_id",
                    line=i + 1,
                )
            arr = pc.fill_null(arr, int(given))
        elif arr is None:
            arr = pa.array(np.full(n, int(given), np.int64))
    return to_ints(arr, n, "Int64")
