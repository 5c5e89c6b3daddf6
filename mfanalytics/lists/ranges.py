"""phonenumbers' number-type patterns as tables of number ranges, looked up with numpy.

The patterns of phonenumbers' metadata (``general_desc``, fixed line, mobile,
the special types) use only digits, digit classes, alternation and bounded
repeats. Each is a finite set of digit strings of at most 17 digits (the
longest national number), so each is a union of ranges: a string of ``L``
digits is the integer ``10**L + int(digits)``, and a pattern ``6[0-5]\\d{7}``
is the range ``[10**9 + 600000000, 10**9 + 659999999]``.

:func:`type_table` combines the patterns of a region as
``phonenumbers.phonenumberutil._number_type_helper`` does (possible lengths,
the special types in its order, fixed line, mobile) into one partition of
those integers, then reads it through a table indexed by a number's length and
first digits. What took one RE2 pass per pattern over a column is one integer
cast and a gather. A region whose patterns would need too many ranges has no
table (``None``): the caller then runs the patterns themselves.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata, PhoneNumberDesc, PhoneNumberType

__all__ = [
    "BUILD_ROWS",
    "MAX_DIGITS",
    "TypeTable",
    "full_matches",
    "language",
    "pattern_table",
    "table_of",
    "type_table",
]

#: The longest national number phonenumbers accepts.
MAX_DIGITS = 17
_CAP = 100_000  # ranges per length a pattern may need; beyond it, no table
_PREFIX = 4  # digits of the direct table
_POW = np.array([10**k for k in range(MAX_DIGITS + 1)], dtype=np.int64)
#: phonenumbers' own order of the special types in ``_number_type_helper``.
SPECIAL_TYPES = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)
_MIXED = -2  # a direct-table block holding several types

#: A set of digit strings: for each length, sorted disjoint closed ranges of their integer values.
Language = dict[int, list[tuple[int, int]]]


class _TooLarge(Exception):
    """A pattern outside what the tables take (a non-digit, a negated class, too many ranges)."""


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _union(a: Language, b: Language) -> Language:
    return {n: _merge(a.get(n, []) + b.get(n, [])) for n in set(a) | set(b)}


def _concat(a: Language, b: Language) -> Language:
    out: Language = {}
    for la, ra in a.items():
        for lb, rb in b.items():
            if la + lb > MAX_DIGITS:
                continue
            scale, full = 10**lb, rb == [(0, 10**lb - 1)]
            if full:
                pieces = [(lo * scale, hi * scale + scale - 1) for lo, hi in ra]
            else:
                if sum(hi - lo + 1 for lo, hi in ra) * len(rb) > _CAP:
                    raise _TooLarge
                pieces = [(v * scale + lo, v * scale + hi) for a0, a1 in ra for v in range(a0, a1 + 1) for lo, hi in rb]
            out[la + lb] = _merge(out.get(la + lb, []) + pieces)
            if len(out[la + lb]) > _CAP:
                raise _TooLarge
    return out


def _digit_class(items: list[Any]) -> Language:
    digits: set[int] = set()
    for op, av in items:
        if op is sre.LITERAL and 48 <= av <= 57:
            digits.add(av - 48)
        elif op is sre.RANGE:
            digits.update(c - 48 for c in range(max(av[0], 48), min(av[1], 57) + 1))
        elif op is sre.CATEGORY and av is sre.CATEGORY_DIGIT:
            digits.update(range(10))
        elif op is sre.LITERAL:
            continue  # a non-digit: matches no digit string
        else:
            raise _TooLarge  # a negation or another category
    return {1: _merge([(d, d) for d in digits])} if digits else {}


def _sequence(items: list[Any]) -> Language:
    out: Language = {0: [(0, 0)]}
    for op, av in reversed(items):  # right to left: the free tails stay single ranges
        out = _concat(_item(op, av), out)
    return out


def _item(op: Any, av: Any) -> Language:
    if op is sre.LITERAL:
        return {1: [(av - 48, av - 48)]} if 48 <= av <= 57 else {}
    if op is sre.IN:
        return _digit_class(av)
    if op is sre.BRANCH:
        out: Language = {}
        for branch in av[1]:
            out = _union(out, _sequence(list(branch)))
        return out
    if op is sre.SUBPATTERN:
        return _sequence(list(av[3]))
    if op is sre.MAX_REPEAT:
        lo, most, sub = av
        one = _sequence(list(sub))
        hi: int = MAX_DIGITS if most == sre.MAXREPEAT else min(most, MAX_DIGITS)
        power: Language = {0: [(0, 0)]}
        out = {}
        for k in range(hi + 1):
            if k >= lo:
                out = _union(out, power)
            if not power or min(power) > MAX_DIGITS:
                break
            power = _concat(one, power)
        return out
    raise _TooLarge


@cache
def language(pattern: str) -> Language | None:
    """The digit strings of at most :data:`MAX_DIGITS` digits ``pattern`` fully matches, as ranges.

    ``None`` when the pattern uses more than digits, digit classes, groups,
    alternation and repeats, or would need more than 100,000 ranges for a length.

    Examples
    --------
    >>> language(r"6[0-5]\\d|7")
    {1: [(7, 7)], 3: [(600, 659)]}
    """
    try:
        parsed = sre_parse.parse(pattern)
        if parsed.state.flags & ~(sre.SRE_FLAG_UNICODE):
            return None
        found = _sequence(list(parsed))
    except (_TooLarge, re.error, RecursionError):
        return None
    return {n: r for n, r in sorted(found.items()) if r}


def _desc_ranges(desc: PhoneNumberDesc | None) -> Language | None:
    """``_is_number_matching_desc``: the pattern's strings of the desc's possible lengths (any if none)."""
    if desc is None or not desc.national_number_pattern:
        return {}
    lang = language(desc.national_number_pattern)
    if lang is None or not desc.possible_length:
        return lang
    return {n: r for n, r in lang.items() if n in desc.possible_length}


class TypeTable:
    """A region's number types (``_number_type_helper``) as a partition of ``10**len + value``.

    ``bounds[i]`` is the first integer of a piece of type ``types[i]``; the direct
    table gives the type of a number from its length and first four digits, or
    ``-2`` when that block holds several pieces.
    """

    def __init__(self, bounds: np.ndarray, types: np.ndarray) -> None:
        self.bounds, self.types = bounds, types
        self.base = np.full(MAX_DIGITS + 1, -1, dtype=np.int64)
        blocks = []
        size = 0
        for n in range(MAX_DIGITS + 1):
            lo, hi = _POW[n], 2 * _POW[n] - 1
            first, last = np.searchsorted(bounds, [lo, hi], side="right") - 1
            if first == last and types[first] == int(PhoneNumberType.UNKNOWN):
                continue
            d = min(n, _PREFIX)
            step = _POW[n - d]
            starts = lo + np.arange(_POW[d], dtype=np.int64) * step
            a = np.searchsorted(bounds, starts, side="right") - 1
            b = np.searchsorted(bounds, starts + step - 1, side="right") - 1
            blocks.append(np.where(a == b, types[a], _MIXED).astype(np.int8))
            self.base[n] = size
            size += int(_POW[d])
        self.direct = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int8)

    def lookup(self, nsn: pa.Array, lengths: np.ndarray) -> np.ndarray:
        """The type code of each national number (digits only; null or longer than 17: ``UNKNOWN``)."""
        out = np.full(len(nsn), int(PhoneNumberType.UNKNOWN), dtype=np.int16)
        lengths = np.nan_to_num(lengths, nan=MAX_DIGITS + 1).astype(np.int64, copy=False)
        out[lengths == 0] = self.types[np.searchsorted(self.bounds, 1, side="right") - 1]  # "" is the integer 1
        rows = np.flatnonzero(
            (lengths >= 1) & (lengths <= MAX_DIGITS) & (self.base[np.minimum(lengths, MAX_DIGITS)] >= 0)
        )
        if not len(rows):
            return out
        sub = nsn if len(rows) == len(nsn) else nsn.take(pa.array(rows))
        values = pc.fill_null(pc.cast(sub, pa.int64()), 0).to_numpy()
        n = lengths[rows]
        cut = _POW[np.maximum(n - _PREFIX, 0)]
        found = self.direct[self.base[n] + values // cut].astype(np.int16)
        mixed = np.flatnonzero(found == _MIXED)
        if len(mixed):
            keys = _POW[n[mixed]] + values[mixed]
            found[mixed] = self.types[np.searchsorted(self.bounds, keys, side="right") - 1]
        out[rows] = found
        if nsn.null_count:
            out[~pc.is_valid(nsn).to_numpy(zero_copy_only=False)] = int(PhoneNumberType.UNKNOWN)
        return out


#: A table not yet built is built for at least this many numbers at once: for fewer, RE2 on the
#: patterns is quicker than building it (3 to 30 ms a region). Once built, it serves any number.
BUILD_ROWS = 25_000
_TYPE_TABLES: dict[str, TypeTable | None] = {}
_PATTERN_TABLES: dict[str, TypeTable | None] = {}


def pattern_table(pattern: str, rows: int | None = None) -> TypeTable | None:
    """A table of the strings ``pattern`` fully matches (type 1; others 99), or ``None``; see :func:`language`.

    ``None`` too when it is not built yet and is asked for fewer than :data:`BUILD_ROWS` ``rows``.

    Examples
    --------
    >>> import pyarrow as pa, numpy as np
    >>> pattern_table(r"[1-9]\\d{8}").lookup(pa.array(["612345678", "012345678"]), np.array([9, 9])).tolist()
    [1, 99]
    """
    if pattern not in _PATTERN_TABLES:
        if rows is not None and rows < BUILD_ROWS:
            return None
        _PATTERN_TABLES[pattern] = _pattern_table(pattern)
    return _PATTERN_TABLES[pattern]


def _pattern_table(pattern: str) -> TypeTable | None:
    lang = language(pattern)
    if lang is None:
        return None
    bounds = _bounds([lang])
    return _table(bounds, np.where(_member(bounds, lang), 1, int(PhoneNumberType.UNKNOWN)))


def _bounds(langs: list[Language]) -> np.ndarray:
    """Where the pieces of a partition by ``langs`` start: each length's first and last-plus-one
    integer, every range start and the integer after every range end."""
    cuts = [_POW, 2 * _POW]
    for lang in langs:
        lo, hi = _pieces(lang)
        cuts += [lo, hi + 1]
    return np.unique(np.concatenate(cuts))


def _table(bounds: np.ndarray, types: np.ndarray) -> TypeTable:
    """The table of pieces starting at ``bounds``, neighbours of one type merged."""
    types = types.astype(np.int16)
    keep = np.concatenate([[True], types[1:] != types[:-1]])
    return TypeTable(bounds[keep], types[keep])


def full_matches(values: pa.Array, pattern: str) -> np.ndarray:
    """Which digit strings ``pattern`` fully matches: :func:`pattern_table` up to 17 digits, RE2 beyond.

    Examples
    --------
    >>> import pyarrow as pa
    >>> full_matches(pa.array(["0612", "612", "6" * 20]), r"6\\d+").tolist()
    [False, True, True]
    """
    table = pattern_table(pattern, len(values))
    anchored = f"^(?:{pattern})$"
    if table is None:
        matched: np.ndarray = pc.fill_null(pc.match_substring_regex(values, anchored), False).to_numpy(False)
        return matched
    lengths = pc.binary_length(values).to_numpy(zero_copy_only=False)  # digit strings: bytes
    out: np.ndarray = table.lookup(values, lengths) == 1
    long = np.flatnonzero(lengths > MAX_DIGITS)
    if len(long):
        found = pc.match_substring_regex(values.take(pa.array(long)), anchored)
        out[long] = pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    return out


def _pieces(lang: Language) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends (``10**len + value``) of a language's ranges."""
    lo = [_POW[n] + a for n, r in lang.items() for a, _ in r]
    hi = [_POW[n] + b for n, r in lang.items() for _, b in r]
    return np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)


def _member(keys: np.ndarray, lang: Language) -> np.ndarray:
    lo, hi = _pieces(lang)
    if not len(lo):
        return np.zeros(len(keys), dtype=bool)
    order = np.argsort(lo)
    lo, hi = lo[order], hi[order]
    pos = np.searchsorted(lo, keys, side="right") - 1
    return (pos >= 0) & (hi[np.maximum(pos, 0)] >= keys)


def type_table(region: str, rows: int | None = None) -> TypeTable | None:
    """The number types of ``region`` (``_number_type_helper``, exact), or ``None``.

    ``None`` too when it is not built yet and is asked for fewer than :data:`BUILD_ROWS` ``rows``.

    Examples
    --------
    >>> import pyarrow as pa, numpy as np
    >>> table = type_table("FR")
    >>> table.lookup(pa.array(["612345678", "142685300", "12"]), np.array([9, 9, 2])).tolist()
    [1, 0, 99]
    """
    if region not in _TYPE_TABLES:
        if rows is not None and rows < BUILD_ROWS:
            return None
        md = PhoneMetadata.metadata_for_region(region, None)
        _TYPE_TABLES[region] = None if md is None else table_of(md)
    return _TYPE_TABLES[region]


def table_of(md: PhoneMetadata) -> TypeTable | None:
    """:func:`type_table` of a region's metadata (any object with its number descs)."""
    names = ["general_desc", "fixed_line", "mobile"] + [name for name, _ in SPECIAL_TYPES]
    found = [_desc_ranges(getattr(md, name)) for name in names]
    langs = [lang for lang in found if lang is not None]
    if len(langs) < len(found):
        return None
    general, fixed, mobile, *specials = langs
    bounds = _bounds(langs)
    types = np.full(len(bounds), int(PhoneNumberType.UNKNOWN), dtype=np.int16)
    left = _member(bounds, general)
    for lang, (_, typ) in zip(specials, SPECIAL_TYPES, strict=True):
        hit = left & _member(bounds, lang)
        types[hit] = int(typ)
        left &= ~hit
    is_fixed = left & _member(bounds, fixed)
    is_mobile = left & _member(bounds, mobile)
    if md.same_mobile_and_fixed_line_pattern:
        types[is_fixed] = int(PhoneNumberType.FIXED_LINE_OR_MOBILE)
    else:
        types[is_fixed & is_mobile] = int(PhoneNumberType.FIXED_LINE_OR_MOBILE)
        types[is_fixed & ~is_mobile] = int(PhoneNumberType.FIXED_LINE)
        types[~is_fixed & is_mobile] = int(PhoneNumberType.MOBILE)
    return _table(bounds, types)
