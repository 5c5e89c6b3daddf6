"""phonenumbers' parsing and classification replayed on Arrow arrays, with the library's own metadata.

The fast path of :func:`mfanalytics.lists.phones.normalize_mobiles`: values of
a simple shape (ASCII digits with spaces, dots, dashes and parentheses, an
optional ``+``, an optional ``tel:``) are parsed as ``phonenumbers.parse``
does (IDD / ``+`` / country code without plus, national prefix stripping,
length checks), then classified with the metadata patterns (``general_desc``,
the special types, fixed line, mobile; ``possible_length``: one lookup in
:func:`mfanalytics.lists.ranges.type_table`; ``leading_digits`` for country
codes shared by several regions, run by RE2 over a column at a time). What cannot be replayed is said ``settled=False``: the caller asks
phonenumbers itself for those.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata, PhoneNumberDesc, PhoneNumberType

from mfanalytics.lists.ranges import SPECIAL_TYPES, full_matches, type_table

__all__ = [
    "EMPTY",
    "INVALID",
    "NOT_MOBILE",
    "MOBILE_TYPES",
    "SIMPLE_RE2",
    "EMPTY_RE2",
    "as_bool",
    "assemble",
    "digits_and_plus",
    "digits_only",
    "e164_keys",
    "may_be_mobile_in",
    "regions_of_international",
    "replay",
    "types_of_international",
]

#: Codes into ``ISSUES`` (:mod:`mfanalytics.lists.phones`); -1 = a valid mobile.
EMPTY, INVALID, NOT_MOBILE = 0, 1, 2
#: The types phonenumbers calls a mobile.
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_WS = " \t\n\r\f\v"
#: A value that is empty or only ASCII whitespace (RE2).
EMPTY_RE2 = f"^[{_WS}]*$"
#: The shapes the fast path settles (RE2; see the module documentation).
SIMPLE_RE2 = r"^[ \t]*(?:[Tt][Ee][Ll]:)?[ \t]*\+?[0-9 .\-()]*[ \t]*$"
_UNKNOWN = PhoneNumberType.UNKNOWN
# _test_number_length results
_POSSIBLE, _LOCAL, _TOO_SHORT, _INVALID_LEN, _TOO_LONG = 0, 1, 2, 3, 4


def _anchored(pattern: str) -> str:
    return f"^(?:{pattern})$"


def _fullmatch(values: pa.Array, desc: PhoneNumberDesc | None, lengths: np.ndarray | None = None) -> np.ndarray:
    """``_is_number_matching_desc`` on every value: possible length, then pattern."""
    if desc is None or not desc.national_number_pattern:
        return np.zeros(len(values), dtype=bool)
    ok = as_bool(pc.match_substring_regex(values, _anchored(desc.national_number_pattern)))
    if desc.possible_length:
        if lengths is None:
            lengths = _lengths(values)
        ok &= np.isin(lengths, np.asarray(desc.possible_length))
    return ok


def _pattern_match(values: pa.Array, desc: PhoneNumberDesc | None) -> np.ndarray:
    """``_match_national_number(number, desc, False)``: pattern only, no length (``values``: digit strings)."""
    if desc is None or not desc.national_number_pattern:
        return np.zeros(len(values), dtype=bool)
    return full_matches(values, desc.national_number_pattern)


@cache
def _metadata(region: str) -> PhoneMetadata | None:
    return PhoneMetadata.metadata_for_region(region, None)


@cache
def _known(region: str) -> PhoneMetadata:
    """The metadata of a region known to have some."""
    md = _metadata(region)
    assert md is not None, region
    return md


@cache
def _simple_metadata(region: str) -> bool:
    """Whether the fast path can replay parsing for numbers of this region."""
    md = _metadata(region)
    if md is None:
        return False
    return not (md.national_prefix_for_parsing and md.national_prefix_transform_rule)


def _test_length(lengths: np.ndarray, md: PhoneMetadata) -> np.ndarray:
    """``_test_number_length(number, md)`` for the UNKNOWN type (general_desc), from the numbers' lengths."""
    general = md.general_desc
    assert general is not None
    possible = sorted(general.possible_length)
    local = general.possible_length_local_only or ()
    out = np.full(len(lengths), _INVALID_LEN, dtype=np.int8)
    out[np.isin(lengths, possible)] = _POSSIBLE
    out[lengths > possible[-1]] = _TOO_LONG
    out[lengths < possible[0]] = _TOO_SHORT
    out[np.isin(lengths, np.asarray(local, dtype=np.int64))] = _LOCAL
    return out


def _lengths(values: pa.Array) -> np.ndarray:
    """The lengths of digit strings (ASCII: a byte is a character, so Arrow reads them off the offsets)."""
    out: np.ndarray = pc.binary_length(values).to_numpy(zero_copy_only=False)
    return out


def _prefix_cut(values: pa.Array, md: PhoneMetadata) -> np.ndarray:
    """How many leading digits ``_maybe_strip_national_prefix_carrier_code`` (no transform rule) removes."""
    prefix = md.national_prefix_for_parsing
    cut = np.zeros(len(values), dtype=np.int64)
    if not prefix or len(values) == 0:
        return cut
    if prefix.isdigit():
        idx = np.flatnonzero(as_bool(pc.starts_with(values, prefix)))
        sub = values.take(pa.array(idx))
        stripped = pc.utf8_slice_codeunits(sub, len(prefix))
    else:  # RE2 picks the same leftmost-first match as Python's re.match
        idx = np.flatnonzero(as_bool(pc.match_substring_regex(values, f"^(?:{prefix})")))
        sub = values.take(pa.array(idx))
        stripped = pc.replace_substring_regex(sub, f"^(?:{prefix})", "", max_replacements=1)
    # Keep the number when it was viable and stripping makes it not viable.
    keep = _pattern_match(sub, md.general_desc) & ~_pattern_match(stripped, md.general_desc)
    cut[idx[~keep]] = (_lengths(sub) - _lengths(stripped))[~keep]
    return cut


def _strip_national_prefix(values: pa.Array, md: PhoneMetadata) -> pa.Array:
    """The digit strings ``values`` without their national prefix (:func:`_prefix_cut`)."""
    return _Digits(values).suffixes(None, _prefix_cut(values, md))


def _type_of(nsn: pa.Array, md: PhoneMetadata, *, exact: bool = False) -> np.ndarray:
    """``_number_type_helper`` on every national significant number, mobiles as ``MOBILE``.

    Both types phonenumbers calls a mobile (:data:`MOBILE_TYPES`) come out as
    ``MOBILE``: what cleaning asks is whether a number is a mobile, another valid
    type or ``UNKNOWN``, so the fixed-line pattern is run only on the valid numbers
    that are not mobiles. ``exact``: phonenumbers' own type, ``FIXED_LINE_OR_MOBILE``
    told from ``MOBILE`` (what its time zones depend on).
    """
    n = len(nsn)
    lengths = _lengths(nsn)
    table = type_table(md.id, n) if md.id else None
    if table is not None:  # the patterns as ranges (mfanalytics.lists.ranges)
        found = table.lookup(nsn, lengths)
        if not exact:
            found[found == PhoneNumberType.FIXED_LINE_OR_MOBILE] = PhoneNumberType.MOBILE
        return found
    out = np.full(n, int(_UNKNOWN), dtype=np.int16)
    todo = _fullmatch(nsn, md.general_desc, lengths)
    for name, typ in SPECIAL_TYPES:  # in phonenumbers' order
        hit = todo & _fullmatch(nsn, getattr(md, name), lengths)
        out[hit] = typ
        todo &= ~hit
    if exact:  # phonenumbers' order: the fixed-line pattern first, then the mobile one
        fixed = todo & _fullmatch(nsn, md.fixed_line, lengths)
        if md.same_mobile_and_fixed_line_pattern:
            out[fixed] = PhoneNumberType.FIXED_LINE_OR_MOBILE
            return out
        mobile = todo & _fullmatch(nsn, md.mobile, lengths)
        out[fixed & mobile] = PhoneNumberType.FIXED_LINE_OR_MOBILE
        out[fixed & ~mobile] = PhoneNumberType.FIXED_LINE
        out[~fixed & mobile] = PhoneNumberType.MOBILE
        return out
    if md.same_mobile_and_fixed_line_pattern:
        mobile = todo & _fullmatch(nsn, md.fixed_line, lengths)
        out[mobile] = PhoneNumberType.MOBILE
        return out
    mobile = todo & _fullmatch(nsn, md.mobile, lengths)
    out[mobile] = PhoneNumberType.MOBILE
    rest = np.flatnonzero(todo & ~mobile)
    if len(rest):
        fixed = _fullmatch(nsn.take(pa.array(rest)), md.fixed_line, lengths[rest])
        out[rest[fixed]] = PhoneNumberType.FIXED_LINE
    return out


# --------------------------------------------------------------------------- fast path
class _Digits:
    """The bytes of a digit string array (ASCII digits only), read with numpy: a byte at a position, a suffix."""

    def __init__(self, digits: pa.Array) -> None:
        digits = digits.cast(pa.string())
        n = len(digits)
        bufs = digits.buffers()
        offsets = np.frombuffer(bufs[1], dtype=np.int32)[digits.offset : digits.offset + n + 1].astype(np.int64)
        data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
        self.data = np.append(data[offsets[0] : offsets[-1]], np.uint8(0))  # a 0 byte: reads past the end
        self.start = offsets[:-1] - offsets[0]
        self.length = np.diff(offsets)

    def at(self, pos: np.ndarray | int, rows: np.ndarray | None = None) -> np.ndarray:
        """The digit (0-9) at ``pos`` in each string (of ``rows``), -1 past its end."""
        start = self.start if rows is None else self.start[rows]
        length = self.length if rows is None else self.length[rows]
        inside = np.asarray(pos) < length
        byte = self.data[np.where(inside, start + pos, len(self.data) - 1)]
        return np.where(inside, byte.astype(np.int16) - 48, -1)

    def starts_with(self, prefix: str) -> np.ndarray:
        """Whether each string starts with the digits ``prefix``."""
        out = self.length >= len(prefix)
        for k, ch in enumerate(prefix):
            out &= self.at(k) == int(ch)
        return out

    def suffixes(self, rows: np.ndarray | None, skip: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
        """The strings of ``rows`` (all: None) without their first ``skip`` digits, null where not ``valid``."""
        start = self.start if rows is None else self.start[rows]
        length = self.length if rows is None else self.length[rows]
        size = np.maximum(length - skip, 0)
        if valid is not None:
            size[~valid] = 0
        offsets = np.zeros(len(size) + 1, dtype=np.int32)  # Arrow's offsets; the data is under 2 GiB
        np.cumsum(size, out=offsets[1:])
        index = np.repeat((start + skip - offsets[:-1]).astype(np.int32), size)  # output byte -> input byte
        index += np.arange(offsets[-1], dtype=np.int32)
        bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
        return pa.StringArray.from_buffers(len(size), pa.py_buffer(offsets), pa.py_buffer(self.data[index]), bitmap)


_KNOWN = np.zeros(1000, dtype=bool)
_KNOWN[[c for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE if 0 <= c < 1000]] = True


def _fast_parse(digits: pa.Array, plus: np.ndarray, region: str) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Replay ``phonenumbers.parse`` on digit strings of the simple shape.

    Returns ``settled`` (bool per value), ``cc`` (int country code per value)
    and ``nsn`` (national significant number, pa string array, null where not
    settled). Values not settled must go to the reference. Every step removes
    leading digits, so the national number is a suffix of the digits: the
    steps count how many (IDD, country code, national prefix) with numpy on
    the bytes, the patterns run on Arrow strings, and the suffixes are cut
    once at the end.
    """
    n = len(digits)
    settled = np.zeros(n, dtype=bool)
    cc = np.zeros(n, dtype=np.int64)
    md = _metadata(region)
    idd = (md.international_prefix or "") if md is not None else ""
    if md is None or n == 0 or not _simple_metadata(region) or not idd.isdigit():
        return settled, cc, pa.nulls(n, pa.string())
    d = _Digits(digits)
    dlen = d.length
    first_zero = d.at(0) == 0
    starts_idd = d.starts_with(idd)
    zero_after_idd = d.at(len(idd)) == 0
    # Shapes we replay: at least 3 digits (viable), no '+0' / IDD+'0' corner.
    base = (dlen >= 3) & (dlen <= 60)
    intl = base & ((plus & ~first_zero) | (~plus & starts_idd & ~zero_after_idd & (dlen > len(idd))))
    national = base & ~plus & ~starts_idd
    skip = np.zeros(n, dtype=np.int64)  # leading digits removed so far
    # International: the first 1-3 digits (after the + or the IDD) that are a known country code.
    at = np.flatnonzero(intl)
    off = np.where(plus[at], 0, len(idd))
    klen = np.zeros(len(at), dtype=np.int64)
    value = np.zeros(len(at), dtype=np.int64)
    code = np.zeros(len(at), dtype=np.int64)
    for k in (1, 2, 3):
        digit = d.at(off + k - 1, at)
        value = value * 10 + np.maximum(digit, 0)
        hit = (klen == 0) & (digit >= 0) & _KNOWN[np.where(digit >= 0, value, 0) % 1000]
        klen[hit], code[hit] = k, value[hit]
    found_intl = at[klen > 0]
    cc[found_intl] = code[klen > 0]
    skip[found_intl] = (off + klen)[klen > 0]
    # National, with the country-code-without-plus rule of _maybe_extract_country_code.
    cc_str = str(md.country_code)
    w = np.flatnonzero(national & d.starts_with(cc_str))
    own = national.copy()  # no country code read: parse keeps the default region's rules (CA's, not US's)
    if len(w):
        d_w = d.suffixes(w, np.zeros(len(w), dtype=np.int64))
        pot_w = _strip_national_prefix(d.suffixes(w, np.full(len(w), len(cc_str))), md)
        take_w = (~_pattern_match(d_w, md.general_desc) & _pattern_match(pot_w, md.general_desc)) | (
            _test_length(_lengths(d_w), md) == _TOO_LONG
        )
        skip[w[take_w]] = dlen[w[take_w]] - _lengths(pot_w.filter(pa.array(take_w)))
        own[w[take_w]] = False
    cc[national] = int(md.country_code or 0)
    found = national | (cc > 0) & intl
    # Strip the national prefix with the metadata of the number's main region, or of the default one.
    group = cc * 2 + own
    for g in np.unique(group[found]).tolist():
        sel = np.flatnonzero(found & (group == g))
        main = region if g % 2 else phonenumbers.region_code_for_country_code(g // 2)
        if main in (phonenumbers.UNKNOWN_REGION, "001") or not _simple_metadata(main):
            continue
        mdc = _known(main)
        cand = d.suffixes(sel, skip[sel])
        clen = _lengths(cand)
        slen = clen - _prefix_cut(cand, mdc)
        use = ~np.isin(_test_length(slen, mdc), (_TOO_SHORT, _LOCAL, _INVALID_LEN))
        flen = np.where(use, slen, clen)
        ok = (clen >= 2) & (flen <= 17)
        skip[sel] += np.where(use, clen - slen, 0)
        settled[sel[ok]] = True
    return settled, cc, d.suffixes(None, skip, settled)


def assemble(n: int, where: list[np.ndarray], pieces: list[pa.Array]) -> pa.Array:
    """A length-``n`` string array with ``pieces[i]`` at positions ``where[i]``, null elsewhere."""
    if not pieces:
        return pa.nulls(n, pa.string())
    pos = np.concatenate(where) if where else np.zeros(0, dtype=np.int64)
    values = pa.concat_arrays([p.cast(pa.string()) for p in pieces])
    inverse = np.full(n, len(pos), dtype=np.int64)  # len(pos) -> the appended null
    inverse[pos] = np.arange(len(pos))
    values = pa.concat_arrays([values, pa.nulls(1, pa.string())])
    return values.take(pa.array(inverse))


def digits_only(arr: pa.Array) -> pa.Array:
    """The ASCII digits of each string (bytes 0-9 kept, everything else dropped)."""
    return digits_and_plus(arr)[0]


def digits_and_plus(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """:func:`digits_only`, and whether each string holds a ``+``, in one scan of the bytes."""
    arr = arr.cast(pa.string())
    n = len(arr)
    if n == 0:
        return arr, np.zeros(0, dtype=bool)
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32)[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
    chunk = data[offsets[0] : offsets[-1]]
    is_digit = (chunk - np.uint8(48)) < 10  # bytes 0-9 (the others wrap above 9)
    before = np.zeros(len(chunk) + 1, dtype=np.int32)  # digits before each byte: Arrow's offsets are int32
    np.cumsum(is_digit, dtype=np.int32, out=before[1:])
    new_offsets = before[offsets - offsets[0]]
    plus = np.zeros(n, dtype=bool)
    plus[np.searchsorted(offsets - offsets[0], np.flatnonzero(chunk == 43), side="right") - 1] = True
    digits = pa.StringArray.from_buffers(n, pa.py_buffer(new_offsets), pa.py_buffer(chunk[is_digit].tobytes()))
    return digits, plus


def as_bool(arr: pa.Array) -> np.ndarray:
    """A pyarrow boolean array as a numpy bool array (nulls as False)."""
    out: np.ndarray = pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)
    return out


def _classify(cc: np.ndarray, nsn: pa.Array, *, exact: bool = False) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """Region and type of (country code, nsn), as phonenumbers does.

    Returns ``settled``, ``region`` (pa string array, null when none) and
    ``typ`` (PhoneNumberType codes; mobiles as ``MOBILE`` unless ``exact``, see :func:`_type_of`).
    """
    n = len(cc)
    typ = np.full(n, int(_UNKNOWN), dtype=np.int16)
    settled = np.ones(n, dtype=bool)
    rwhere, rpieces = [], []
    for c in np.unique(cc):
        sel = np.flatnonzero(cc == c)
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(c), ())
        if not regions or any(r == "001" or _metadata(r) is None for r in regions):
            settled[sel] = False
            continue
        sub = nsn.take(pa.array(sel))
        if len(regions) == 1:
            rwhere.append(sel)
            rpieces.append(pa.array([regions[0]] * 1, pa.string()).take(pa.array(np.zeros(len(sel), dtype=np.int64))))
            typ[sel] = _type_of(sub, _known(regions[0]), exact=exact)
            continue
        todo = np.ones(len(sel), dtype=bool)
        for r in regions:
            if not todo.any():
                break
            md = _known(r)
            if md.leading_digits is not None:
                hit = todo & as_bool(pc.match_substring_regex(sub, f"^(?:{md.leading_digits})"))
                types = None
            else:
                types = _type_of(sub, md, exact=exact)
                hit = todo & (types != _UNKNOWN)
            if hit.any():
                rsel = sel[hit]
                rwhere.append(rsel)
                rpieces.append(pa.array([r], pa.string()).take(pa.array(np.zeros(len(rsel), dtype=np.int64))))
                typ[rsel] = _type_of(sub.filter(pa.array(hit)), md, exact=exact) if types is None else types[hit]
            todo &= ~hit
    return settled, assemble(n, rwhere, rpieces), typ


def regions_of_international(digits: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Region of international numbers, vectorised, as phonenumbers gives it.

    ``digits`` are the digits after the ``+`` (``"262692123456"``). For each,
    ``phonenumbers.region_code_for_number(phonenumbers.parse("+" + d))``
    replayed on the metadata (shared country codes such as +1, +262, +590
    included). Returns ``settled`` (bool; the others must be asked to
    phonenumbers) and ``region`` (string array, null where phonenumbers has no
    region for a parsed number).
    """
    settled, cc, nsn = _fast_parse(digits, np.ones(len(digits), dtype=bool), "FR")
    ok, region, _ = _classify(np.where(settled, cc, 0), nsn)
    return settled & ok, region


def types_of_international(digits: pa.Array) -> tuple[np.ndarray, np.ndarray, pa.Array, np.ndarray]:
    """Country code, national significant number and type of international numbers, vectorised.

    ``digits`` as for :func:`regions_of_international`. Returns ``settled`` (the others must be
    asked to phonenumbers), ``cc``, ``nsn`` and ``typ`` (``phonenumbers.number_type`` codes, exactly:
    ``FIXED_LINE_OR_MOBILE`` is not ``MOBILE``).
    """
    settled, cc, nsn = _fast_parse(digits, np.ones(len(digits), dtype=bool), "FR")
    ok, _, typ = _classify(np.where(settled, cc, 0), nsn, exact=True)
    return settled & ok, cc, nsn, typ


def replay(
    values: pa.Array, digits: pa.Array, region: str, plus: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, dict[int, str], np.ndarray, pa.Array, np.ndarray]:
    """Fast path on simple-shaped values (``plus``: whether each holds a ``+``, if known).

    Returns settled (bool), key, long, mobile (bool), country (pa), issue (int8). ``key`` is
    the E.164 number's digits as an int64 (-1 where not settled, or longer than 18 digits:
    those are in ``long``, row -> E.164 string).
    """
    n = len(values)
    if plus is None:
        plus = as_bool(pc.match_substring(values, "+"))
    settled, cc, nsn = _fast_parse(digits, plus, region)
    ok, reg, typ = _classify(np.where(settled, cc, 0), nsn)
    settled &= ok
    is_mob = settled & np.isin(typ, [int(t) for t in MOBILE_TYPES])
    valid = settled & (typ != _UNKNOWN)
    key, long = e164_keys(cc, nsn, settled)
    country = pc.if_else(pa.array(is_mob), reg, pa.nulls(n, pa.string()))
    issue = np.where(is_mob, -1, np.where(valid, NOT_MOBILE, INVALID)).astype(np.int8)
    return settled, key, long, is_mob, country, issue


def e164_keys(cc: np.ndarray, nsn: pa.Array, rows: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
    """``"+" + str(cc) + nsn`` of ``rows`` as the int64 of its digits (-1 elsewhere).

    An E.164 number never starts with 0, so the int64 gives back the string. Numbers of
    more than 18 digits (never valid) are returned apart, as strings (row -> E.164).
    """
    lengths = pc.fill_null(pc.binary_length(nsn), 0).to_numpy(zero_copy_only=False).astype(np.int64)  # digits
    width = lengths + np.where(cc >= 100, 3, np.where(cc >= 10, 2, 1))
    fits = rows & (width <= 18)
    values = pc.fill_null(pc.cast(pc.if_else(pa.array(fits), nsn, None), pa.int64()), 0).to_numpy()
    key = np.where(fits, cc * _POW10[np.where(fits, lengths, 0)] + values, -1)
    long = {int(i): f"+{int(cc[i])}{nsn[int(i)].as_py()}" for i in np.flatnonzero(rows & ~fits)}
    return key, long


_POW10 = np.array([10**k for k in range(19)], dtype=np.int64)


def may_be_mobile_in(digits: pa.Array, region: str) -> np.ndarray:
    """Which 10-digit ``0...`` numbers could parse as a mobile in ``region``.

    A cheap superset used to skip most overseas tries: without ``+`` or the
    IDD ``00``, phonenumbers keeps the region's country code and the national
    number is the digits with or without the leading 0; a mobile must match
    the mobile pattern of one of the regions sharing that country code.
    """
    cc = int(_known(region).country_code or 0)
    patterns = []
    for r in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[cc]:
        desc = _known(r).mobile
        if desc is not None and desc.national_number_pattern:
            patterns.append(f"(?:{desc.national_number_pattern})")
    out = as_bool(pc.starts_with(digits, "00")) | as_bool(pc.starts_with(digits, str(cc)))
    if patterns:
        combined = "|".join(patterns)
        out |= full_matches(digits, combined)
        out |= full_matches(pc.utf8_slice_codeunits(digits, 1), combined)
    result: np.ndarray = out
    return result
