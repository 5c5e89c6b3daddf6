"""Segments of a whole column of messages at once: :func:`count_segments` (the frame) and
:func:`count_arrow` (numpy arrays), exact, on the UTF-8 bytes of an Arrow array.

Most bytes of a campaign are plain ASCII letters, digits and punctuation, each one GSM-7 septet, one
UTF-16 unit and its own grapheme cluster. One numpy pass finds the others (controls, ``[\\]^_```,
``{|}~``, and every byte of a non-ASCII character); only those are decoded and classified, row by
row: outside GSM-7, extension character, astral, or a character that may join a grapheme cluster.
Then each message's length is exact, and so is its number of parts wherever no part boundary can
split anything: with ``s`` septets or units lost at the ends of parts (an escape pair or a cluster
that does not fit moves to the next part), ``parts = ceil((length + s) / part)``, and ``s`` is at most
the number of extension characters (GSM-7) or of astral and glue characters (UCS-2). When that bound
cannot change the count, the count is the plain ceiling; the few other rows are walked exactly by
:func:`~mfanalytics.messages.parts.count_one`.

Examples
--------
>>> count_segments(["Bonjour", "€" * 80, "€" * 81, "Leçon"])
  encoding  length  segments
0    GSM-7       7         1
1    GSM-7     160         1
2    GSM-7     162         2
3    UCS-2       5         1
>>> max_length("GSM-7"), max_length("GSM-7", 6), max_length("UCS-2", 2)
(160, 918, 134)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from mfanalytics.errors import RULE_SURROGATE, MessageError
from mfanalytics.messages.characters import LONE_SURROGATE
from mfanalytics.messages.graphemes import (
    E_BASE_GAZ,
    E_MODIFIER,
    EXTEND,
    GLUE_AFTER_ZWJ,
    LV,
    LVT,
    PREPEND,
    RI,
    SPACINGMARK,
    ZWJ,
    L,
    T,
    V,
    grapheme_runs,
)
from mfanalytics.messages.gsm7 import GSM7_CHARS, GSM7_EXTENSION
from mfanalytics.messages.parts import (
    GSM7_PART,
    GSM7_SINGLE,
    UCS2_PART,
    UCS2_SINGLE,
    WIDEST_GREEDY_CLUSTER,
    count_one,
)

__all__ = [
    "MAX_SEGMENTS",
    "count_segments",
    "count_arrow",
    "count_one",
    "counts_of",
    "character_counts",
    "CharacterCounts",
    "counts_frame",
    "max_length",
    "encoding_name",
    "as_arrow",
]

Bools: TypeAlias = npt.NDArray[np.bool_]
Ints: TypeAlias = npt.NDArray[np.int64]

_BLOCK = 1 << 16  # Python strings converted to Arrow at a time

#: The most SMS an account may allow per message.
MAX_SEGMENTS = 6

#: Grapheme properties of a character that may belong to a cluster without starting it (Prepend
#: joins the character after it: it is counted for that one).
_JOINING = (EXTEND, ZWJ, SPACINGMARK, E_MODIFIER, RI, L, V, T, LV, LVT, GLUE_AFTER_ZWJ, E_BASE_GAZ, PREPEND)
_BENIGN, _EXT, _BAD, _TAIL, _LEAD = range(5)  # classes of the bytes the numpy pass finds


@functools.cache
def _tables() -> tuple[npt.NDArray[np.uint8], Ints, npt.NDArray[np.uint32], Bools]:
    """Byte classes, the sorted non-ASCII GSM-7 code points, the grapheme runs and which properties join."""
    byte_class = np.full(256, _BENIGN, dtype=np.uint8)
    for b in range(128):
        if chr(b) in GSM7_EXTENSION:
            byte_class[b] = _EXT
        elif chr(b) not in GSM7_CHARS:
            byte_class[b] = _BAD
    byte_class[0x80:0xC0] = _TAIL
    byte_class[0xC0:] = _LEAD
    gsm_wide = np.array(sorted(ord(c) for c in GSM7_CHARS if ord(c) > 0x7F), dtype=np.int64)
    starts, props = grapheme_runs()
    joining = np.zeros(32, dtype=bool)
    joining[list(_JOINING)] = True
    return byte_class, gsm_wide, np.array(starts, dtype=np.uint32), joining[np.array(props)]


def _buffers(arr: pa.Array) -> tuple[Ints, npt.NDArray[np.uint8]]:
    """Offsets (from 0) and the UTF-8 bytes of a string array, without copying the bytes."""
    n = len(arr)
    _, off_buf, data_buf = arr.buffers()
    if n == 0 or off_buf is None:
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(off_buf, dtype=width, count=arr.offset + n + 1)[arr.offset :].astype(np.int64)
    if data_buf is None or offsets[-1] == offsets[0]:
        return offsets - offsets[0], np.zeros(0, dtype=np.uint8)
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
    return offsets - offsets[0], data


def _rare_bytes(data: npt.NDArray[np.uint8], block: int = 1 << 22) -> Ints:
    """Positions of the bytes that are not a plain one-septet ASCII character (block by block, in cache)."""
    found = []
    shifted = np.empty(min(block, len(data)), dtype=np.uint8)
    rare = np.empty(len(shifted), dtype=bool)
    low = np.empty(len(shifted), dtype=bool)
    for start in range(0, len(data), block):
        chunk = data[start : start + block]
        k = len(chunk)
        np.add(chunk, np.uint8(0x85), out=shifted[:k])
        np.less_equal(shifted[:k], 0xA4, out=rare[:k])  # 0x7B..0xFF and 0x00..0x1F
        np.subtract(chunk, np.uint8(0x5B), out=shifted[:k])
        np.less_equal(shifted[:k], 5, out=low[:k])  # [ \ ] ^ _ `
        np.logical_or(rare[:k], low[:k], out=rare[:k])
        found.append(np.flatnonzero(rare[:k]) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


class CharacterCounts(NamedTuple):
    """What the counts need to know of each text (one array per field, one value per text)."""

    code_points: Ints
    outside_gsm: Bools  #: a character outside GSM-7
    extension: Ints  #: GSM-7 extension characters (two septets each)
    astral: Ints  #: characters beyond the BMP (two UTF-16 units each)
    joining: Ints  #: characters that may join a grapheme cluster without starting it


def character_counts(arr: pa.Array) -> CharacterCounts:
    """The :class:`CharacterCounts` of each text of an Arrow string array (missing: zeros)."""
    n = len(arr)
    offsets, data = _buffers(arr)
    byte_class, gsm_wide, run_starts, joining = _tables()
    pos = _rare_bytes(data)
    kind = byte_class[data[pos]]
    keep = (kind != _TAIL) & (kind != _BENIGN)
    pos, kind = pos[keep], kind[keep]
    row = np.searchsorted(offsets, pos, side="right") - 1
    bad = kind == _BAD
    ext = kind == _EXT
    lead = np.flatnonzero(kind == _LEAD)
    q = pos[lead]
    last = len(data) - 1
    b0 = data[q].astype(np.int64)
    b1, b2, b3 = (data[np.minimum(q + k, last)].astype(np.int64) & 0x3F for k in (1, 2, 3))
    width = 1 + (b0 >= 0xE0) + (b0 >= 0xF0)  # bytes after the lead byte
    cp = np.where(
        width == 1,
        ((b0 & 0x1F) << 6) | b1,
        np.where(width == 2, ((b0 & 0x0F) << 12) | (b1 << 6) | b2, ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3),
    )
    at = np.minimum(np.searchsorted(gsm_wide, cp), len(gsm_wide) - 1)
    bad[lead] = gsm_wide[at] != cp
    ext[lead] = cp == ord("€")
    lead_row = row[lead]
    n_cp = np.diff(offsets) - np.bincount(lead_row, weights=width, minlength=n).astype(np.int64)
    return CharacterCounts(
        n_cp,
        np.bincount(row[bad], minlength=n) > 0,
        np.bincount(row[ext], minlength=n).astype(np.int64),
        np.bincount(lead_row[width == 3], minlength=n).astype(np.int64),
        np.bincount(lead_row[joining[np.searchsorted(run_starts, cp, side="right") - 1]], minlength=n).astype(np.int64),
    )


def count_arrow(arr: pa.Array) -> tuple[Bools, Ints, Ints, Bools]:
    """``(is_gsm, length, segments, valid)`` numpy arrays for an Arrow string array (0 where missing)."""
    valid = arr.is_valid().to_numpy(zero_copy_only=False) if arr.null_count else np.ones(len(arr), dtype=bool)
    is_gsm, length, segments = counts_of(character_counts(arr), arr, valid)
    return is_gsm, length, segments, valid


def counts_of(chars: CharacterCounts, texts: pa.Array, valid: Bools) -> tuple[Bools, Ints, Ints]:
    """``(is_gsm, length, segments)`` from the character counts of ``texts`` (0 where not valid).

    The number of parts is the plain ceiling wherever the parts' ends cannot change it; the other
    texts are walked by :func:`~mfanalytics.messages.parts.count_one`.
    """
    is_gsm = ~chars.outside_gsm & valid
    length = np.where(is_gsm, chars.code_points + chars.extension, chars.code_points + chars.astral)
    single = np.where(is_gsm, GSM7_SINGLE, UCS2_SINGLE)
    part = np.where(is_gsm, GSM7_PART, UCS2_PART)
    lost = np.where(is_gsm, chars.extension, chars.astral + chars.joining)  # most units lost at parts' ends
    segments = np.where(length <= single, 1, -(-length // part))
    unsure = (length > single) & (-(-(length + lost) // part) != segments)
    unsure |= ~is_gsm & (lost >= WIDEST_GREEDY_CLUSTER) & (length > single)  # a cluster may be too wide
    walk = np.flatnonzero(unsure & valid)
    if len(walk):
        segments[walk] = [count_one(t)[2] for t in texts.take(pa.array(walk)).to_pylist()]
    return is_gsm, np.where(valid, length, 0), np.where(valid, segments, 0)


def as_arrow(texts: Any, first_line: int = 1) -> pa.Array:
    """One Arrow string array of the texts (a list, a Series, an Arrow array); errors name the item
    (numbered from ``first_line``)."""
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        arr = texts
    elif isinstance(texts, pd.Series) and isinstance(texts.dtype, (pd.StringDtype, pd.ArrowDtype)):
        arr = pa.array(texts)
    else:
        values = texts.to_numpy(dtype=object) if isinstance(texts, pd.Series) else list(texts)
        try:
            arr = pa.array(values, type=pa.large_string(), from_pandas=True)
        except UnicodeEncodeError:
            line = next(i for i, v in enumerate(values, first_line) if isinstance(v, str) and LONE_SURROGATE.search(v))
            raise MessageError(
                f"text {line} holds a lone surrogate (half of an emoji, cut off): fix the text",
                rule=RULE_SURROGATE,
                field="texts",
                line=line,
            ) from None
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
            bad = next((i for i, v in enumerate(values, first_line) if not isinstance(v, str) and not pd.isna(v)), None)
            raise MessageError(
                f"every text must be a str; item {bad} is not ({exc})", rule="text-type", field="texts", line=bad
            ) from None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise MessageError(f"texts must be strings, not {arr.type}", rule="text-type", field="texts")
    return arr


def counts_frame(is_gsm: Bools, length: Ints, segments: Ints, valid: Bools, index: pd.Index | None) -> pd.DataFrame:
    """The ``encoding`` / ``length`` / ``segments`` frame of :func:`count_segments` (NA where not valid)."""
    codes = np.where(valid, np.where(is_gsm, 0, 1), -1).astype(np.int8)
    return pd.DataFrame(
        {
            "encoding": pd.Categorical.from_codes(codes, categories=pd.Index(["GSM-7", "UCS-2"])),
            "length": pd.arrays.IntegerArray(length.astype(np.int32), ~valid),
            "segments": pd.arrays.IntegerArray(segments.astype(np.int32), ~valid),
        },
        index=index,
    )


def count_segments(texts: Iterable[str] | pd.Series) -> pd.DataFrame:
    """Encoding, length and number of SMS of each text, vectorised and exact.

    Parameters
    ----------
    texts : iterable of str or pandas.Series
        The messages, as sent (already personalised). A single ``str`` counts as
        one message. Missing values give missing counts.

    Returns
    -------
    pandas.DataFrame
        ``encoding`` (category ``GSM-7``/``UCS-2``), ``length`` (Int32: septets
        for GSM-7, UTF-16 units for UCS-2) and ``segments`` (Int32), aligned with
        the index of a Series input.

    Examples
    --------
    >>> count_segments(pd.Series(["a" * 161, None], index=[10, 11]))
       encoding  length  segments
    10    GSM-7     161         2
    11      NaN    <NA>      <NA>
    """
    index = texts.index if isinstance(texts, pd.Series) else None
    if isinstance(texts, str):
        texts = [texts]
    if isinstance(texts, (pa.Array, pa.ChunkedArray)) or (
        isinstance(texts, pd.Series) and isinstance(texts.dtype, (pd.StringDtype, pd.ArrowDtype))
    ):
        is_gsm, length, segments, valid = count_arrow(as_arrow(texts))
    else:  # Python strings: converted and counted a block at a time (the buffers are reused, in cache)
        values = texts.to_numpy(dtype=object) if isinstance(texts, pd.Series) else list(texts)
        blocks = [count_arrow(as_arrow(values[i : i + _BLOCK], i + 1)) for i in range(0, len(values), _BLOCK)]
        is_gsm, length, segments, valid = (
            (np.concatenate([b[k] for b in blocks]) for k in range(4)) if blocks else count_arrow(as_arrow([]))
        )
    return counts_frame(is_gsm, length, segments, valid, index)


def encoding_name(encoding: str) -> str:
    """``"GSM-7"`` or ``"UCS-2"`` for the ways users write them (``gsm7``, ``ucs_2``...)."""
    key = str(encoding).upper().replace("-", "").replace("_", "")
    names = {"GSM7": "GSM-7", "GSM": "GSM-7", "UCS2": "UCS-2"}
    if key not in names:
        raise MessageError(f"unknown encoding {encoding!r}: use 'GSM-7' or 'UCS-2'", rule="encoding", field="encoding")
    return names[key]


def max_length(encoding: str, max_segments: int = 1) -> int:
    """Longest message the account accepts for an encoding and a number of SMS.

    160 (GSM-7) or 70 (UCS-2) for one SMS; 153 or 67 per SMS beyond, up to 6
    (918 / 402).
    """
    enc = encoding_name(encoding)
    if (
        isinstance(max_segments, bool)
        or not isinstance(max_segments, (int, np.integer))
        or not 1 <= max_segments <= MAX_SEGMENTS
    ):
        raise MessageError(
            f"max_segments must be an integer from 1 to {MAX_SEGMENTS}, got {max_segments!r}",
            rule="max-segments",
            field="max_segments",
        )
    if enc == "GSM-7":
        return GSM7_SINGLE if max_segments == 1 else GSM7_PART * int(max_segments)
    return UCS2_SINGLE if max_segments == 1 else UCS2_PART * int(max_segments)
