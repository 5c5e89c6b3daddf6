"""Mobile number normalisation, vectorised, with the semantics of phonenumbers.

:func:`normalize_mobiles` gives, for every value of a column, exactly what a
per-row loop over the `phonenumbers <https://pypi.org/project/phonenumbers/>`_
library gives (the *reference*)::

    num = phonenumbers.parse(raw, region)
    valid mobile = is_valid_number(num) and number_type(num) in (MOBILE, FIXED_LINE_OR_MOBILE)
    mobile_e164 = format_number(num, E164)

plus one rule for France (``region="FR"``): when the ASCII digits of the raw
value (every character ``0``-``9``, all other characters ignored) are exactly
ten and start with ``0``, and the value is not a valid FR mobile, it is parsed
again with the regions GP, MQ, GF, RE, YT in that order and the first valid
mobile wins. So ``"0692 12 34 56"`` becomes ``"+262692123456"`` (Réunion).

How it is fast. Values are factorised, so each distinct value is handled
once. Values of a simple shape (ASCII digits with spaces, dots, dashes
and parentheses, an optional single leading ``+``, an optional ``tel:``
prefix) are parsed with pyarrow string kernels that replay phonenumbers' own
steps (IDD / ``+`` / country-code-without-plus extraction, national prefix
stripping, length checks) and classify the national number with the
library's own metadata patterns (``general_desc``, premium rate, ..., fixed
line, mobile; ``possible_length``; ``leading_digits`` for country codes shared
by several regions), run by RE2. Anything else (letters, which phonenumbers
may read as vanity digits, extensions, full-width digits, odd punctuation,
countries whose national prefix rule is a transformation, non-geographic
codes) goes to the
reference, once per distinct value.

Columns returned (aligned with the input):

=============== ================= ==================================================
column          dtype             meaning
=============== ================= ==================================================
mobile_e164     string[pyarrow]   E.164 form of the parsed number (``+33612345678``),
                                  also for invalid or fixed-line numbers that parse;
                                  NA when phonenumbers cannot parse the value
mobile_valid    boolean           a valid mobile (MOBILE or FIXED_LINE_OR_MOBILE)
mobile_country  string[pyarrow]   ISO region of a valid mobile (``FR``, ``RE``), else NA
mobile_issue    category          ``empty`` (missing, or only ASCII whitespace),
                                  ``invalid`` (unparseable or not a valid number),
                                  ``not_mobile`` (valid, but fixed line, toll free...),
                                  NA for a valid mobile. The dtype is
                                  :data:`ISSUE_DTYPE`, whose two more categories
                                  ``duplicate`` and ``blacklisted`` are used by
                                  :func:`mfanalytics.lists.cleaning.clean_recipients`.
=============== ================= ==================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberFormat, PhoneNumberType

__all__ = ["ISSUES", "ISSUE_DTYPE", "OVERSEAS_REGIONS", "normalize_mobiles", "to_e164"]

#: The values of ``mobile_issue``, in this order.
ISSUES: tuple[str, ...] = ("empty", "invalid", "not_mobile", "duplicate", "blacklisted")
#: The categorical dtype of ``mobile_issue``.
ISSUE_DTYPE = pd.CategoricalDtype(list(ISSUES))
#: Regions tried, in order, for a 10-digit ``0...`` number that is not a FR mobile.
OVERSEAS_REGIONS: tuple[str, ...] = ("GP", "MQ", "GF", "RE", "YT")

_STRING = pd.StringDtype("pyarrow")
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_EMPTY, _INVALID, _NOT_MOBILE = 0, 1, 2  # codes into ISSUES; -1 = fine
_WS = " \t\n\r\f\v"
_EMPTY_RE = re.compile(f"[{_WS}]*")
_EMPTY_RE2 = f"^[{_WS}]*$"
# The shapes the fast path settles (see module docstring).
_SIMPLE_RE2 = r"^[ \t]*(?:[Tt][Ee][Ll]:)?[ \t]*\+?[0-9 .\-()]*[ \t]*$"
# phonenumbers' own order of the special types in _number_type_helper.
_SPECIAL_DESCS = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)
_UNKNOWN = PhoneNumberType.UNKNOWN
# _test_number_length results
_POSSIBLE, _LOCAL, _TOO_SHORT, _INVALID_LEN, _TOO_LONG = 0, 1, 2, 3, 4


# --------------------------------------------------------------------------- reference
def _is_mobile(num: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.is_valid_number(num) and phonenumbers.number_type(num) in _MOBILE_TYPES


def _overseas_candidate(raw: str) -> bool:
    digits = "".join(ch for ch in raw if "0" <= ch <= "9")
    return len(digits) == 10 and digits[0] == "0"


def _parse_one(raw, region: str) -> tuple[str | None, bool, str | None, int]:
    """The reference for one value: (e164, valid mobile, country, issue code)."""
    if raw is None or raw is pd.NA or (isinstance(raw, float) and raw != raw):
        return None, False, None, _EMPTY
    raw = str(raw)
    if _EMPTY_RE.fullmatch(raw):
        return None, False, None, _EMPTY
    try:
        num = phonenumbers.parse(raw, region)
    except NumberParseException:
        num = None
    if region == "FR" and not (num is not None and _is_mobile(num)) and _overseas_candidate(raw):
        for other in OVERSEAS_REGIONS:
            try:
                cand = phonenumbers.parse(raw, other)
            except NumberParseException:
                continue
            if _is_mobile(cand):
                num = cand
                break
    if num is None:
        return None, False, None, _INVALID
    e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
    if _is_mobile(num):
        return e164, True, phonenumbers.region_code_for_number(num), -1
    if phonenumbers.is_valid_number(num):
        return e164, False, None, _NOT_MOBILE
    return e164, False, None, _INVALID


def to_e164(value: str, *, region: str = "FR") -> str | None:
    """E.164 form of one number if it is a valid mobile, else ``None``.

    Same semantics as :func:`normalize_mobiles` (including the overseas rule
    for France), for one value.

    Examples
    --------
    >>> to_e164("06 12 34 56 78")
    '+33612345678'
    >>> to_e164("0692 12 34 56")
    '+262692123456'
    >>> to_e164("01 42 68 53 00") is None   # a Paris fixed line
    True
    """
    e164, valid, _, _ = _parse_one(value, region.upper())
    return e164 if valid else None


# --------------------------------------------------------------------------- metadata
def _anchored(pattern: str) -> str:
    return f"^(?:{pattern})$"


def _fullmatch(values: pa.Array, desc, lengths: np.ndarray | None = None) -> np.ndarray:
    """``_is_number_matching_desc`` on every value: possible length, then pattern."""
    if desc is None or not desc.national_number_pattern:
        return np.zeros(len(values), dtype=bool)
    ok = _np(pc.match_substring_regex(values, _anchored(desc.national_number_pattern)))
    if desc.possible_length:
        if lengths is None:
            lengths = pc.utf8_length(values).to_numpy(zero_copy_only=False)
        ok &= np.isin(lengths, np.asarray(desc.possible_length))
    return ok


def _pattern_match(values: pa.Array, desc) -> np.ndarray:
    """``_match_national_number(number, desc, False)``: pattern only, no length."""
    if desc is None or not desc.national_number_pattern:
        return np.zeros(len(values), dtype=bool)
    ok = pc.match_substring_regex(values, _anchored(desc.national_number_pattern))
    return ok.to_numpy(zero_copy_only=False).astype(bool, copy=False)


@cache
def _metadata(region: str):
    return PhoneMetadata.metadata_for_region(region, None)


@cache
def _simple_metadata(region: str) -> bool:
    """Whether the fast path can replay parsing for numbers of this region."""
    md = _metadata(region)
    if md is None:
        return False
    return not (md.national_prefix_for_parsing and md.national_prefix_transform_rule)


def _test_length(values: pa.Array, md) -> np.ndarray:
    """``_test_number_length(number, md)`` for the UNKNOWN type (general_desc)."""
    lengths = pc.utf8_length(values).to_numpy(zero_copy_only=False)
    possible = sorted(md.general_desc.possible_length)
    local = md.general_desc.possible_length_local_only or ()
    out = np.full(len(lengths), _INVALID_LEN, dtype=np.int8)
    out[np.isin(lengths, possible)] = _POSSIBLE
    out[lengths > possible[-1]] = _TOO_LONG
    out[lengths < possible[0]] = _TOO_SHORT
    out[np.isin(lengths, np.asarray(local, dtype=np.int64))] = _LOCAL
    return out


def _strip_national_prefix(values: pa.Array, md) -> pa.Array:
    """``_maybe_strip_national_prefix_carrier_code`` without a transform rule."""
    prefix = md.national_prefix_for_parsing
    if not prefix or len(values) == 0:
        return values
    if prefix.isdigit():
        starts = _np(pc.starts_with(values, prefix))
        stripped = pc.utf8_slice_codeunits(values, len(prefix))
    else:  # RE2 picks the same leftmost-first match as Python's re.match
        starts = _np(pc.match_substring_regex(values, f"^(?:{prefix})"))
        stripped = pc.replace_substring_regex(values, f"^(?:{prefix})", "", max_replacements=1)
    # Keep the number when it was viable and stripping makes it not viable.
    keep = ~starts
    idx = np.flatnonzero(starts)
    viable = idx[_pattern_match(values.take(pa.array(idx)), md.general_desc)]
    if len(viable):
        keep[viable] = ~_pattern_match(stripped.take(pa.array(viable)), md.general_desc)
    return pc.if_else(pa.array(keep), values, stripped)


def _type_of(nsn: pa.Array, md) -> np.ndarray:
    """``_number_type_helper`` on every national significant number."""
    n = len(nsn)
    out = np.full(n, int(_UNKNOWN), dtype=np.int16)
    lengths = pc.utf8_length(nsn).to_numpy(zero_copy_only=False)
    todo = _fullmatch(nsn, md.general_desc, lengths)
    specials = [(getattr(md, name), typ) for name, typ in _SPECIAL_DESCS]
    specials = [(d, typ) for d, typ in specials if d is not None and d.national_number_pattern]
    if specials and todo.any():
        # One pass with all special patterns (a superset, lengths aside): only the
        # few rows it matches are checked type by type, in phonenumbers' order.
        combined = "|".join(f"(?:{d.national_number_pattern})" for d, _ in specials)
        idx = np.flatnonzero(todo & _np(pc.match_substring_regex(nsn, _anchored(combined))))
        if len(idx):
            sub, sub_len = nsn.take(pa.array(idx)), lengths[idx]
            left = np.ones(len(idx), dtype=bool)
            for desc, typ in specials:
                hit = left & _fullmatch(sub, desc, sub_len)
                out[idx[hit]] = typ
                left &= ~hit
            todo[idx[~left]] = False
    fixed = todo & _fullmatch(nsn, md.fixed_line, lengths)
    if md.same_mobile_and_fixed_line_pattern:
        out[fixed] = PhoneNumberType.FIXED_LINE_OR_MOBILE
        return out
    mobile = todo & _fullmatch(nsn, md.mobile, lengths)
    out[fixed & mobile] = PhoneNumberType.FIXED_LINE_OR_MOBILE
    out[fixed & ~mobile] = PhoneNumberType.FIXED_LINE
    out[~fixed & mobile] = PhoneNumberType.MOBILE
    return out


# --------------------------------------------------------------------------- fast path
def _fast_parse(digits: pa.Array, plus: np.ndarray, region: str):
    """Replay ``phonenumbers.parse`` on digit strings of the simple shape.

    Returns ``settled`` (bool per value), ``cc`` (int country code per value)
    and ``nsn`` (national significant number, pa string array, null where not
    settled). Values not settled must go to the reference.
    """
    n = len(digits)
    settled = np.zeros(n, dtype=bool)
    cc = np.zeros(n, dtype=np.int64)
    md = _metadata(region)
    idd = (md.international_prefix or "") if md is not None else ""
    if n == 0 or not _simple_metadata(region) or not idd.isdigit():
        return settled, cc, pa.nulls(n, pa.string())
    dlen = pc.utf8_length(digits).to_numpy(zero_copy_only=False)
    first_zero = _np(pc.starts_with(digits, "0"))
    after_idd = pc.utf8_slice_codeunits(digits, len(idd))
    zero_after_idd = _np(pc.starts_with(after_idd, "0"))
    starts_idd = _np(pc.starts_with(digits, idd))
    # Shapes we replay: at least 3 digits (viable), no '+0' / IDD+'0' corner.
    base = (dlen >= 3) & (dlen <= 60)
    intl = base & ((plus & ~first_zero) | (~plus & starts_idd & ~zero_after_idd & (dlen > len(idd))))
    intl_body = pc.if_else(pa.array(plus), digits, after_idd)
    national = base & ~plus & ~starts_idd
    # International: the first 1-3 digits that are a known country code.
    klen = np.zeros(n, dtype=np.int8)
    for k in (1, 2, 3):
        pre = pc.utf8_slice_codeunits(intl_body, 0, k)
        known = _np(pc.is_in(pre, value_set=_KNOWN_CODES)) & intl & (klen == 0)
        if known.any():
            cc[known] = pre.filter(pa.array(known)).cast(pa.int64()).to_numpy()
            klen[known] = k
    groups = [np.flatnonzero(klen == k) for k in (1, 2, 3)]
    rest = _assemble(
        n, groups, [pc.utf8_slice_codeunits(intl_body.take(pa.array(g)), k) for k, g in zip((1, 2, 3), groups)]
    )
    # National, with the country-code-without-plus rule of _maybe_extract_country_code.
    cc_str = str(md.country_code)
    with_cc = national & _np(pc.starts_with(digits, cc_str))
    take_cc = np.zeros(n, dtype=bool)
    potential = pc.utf8_slice_codeunits(digits, len(cc_str))
    if with_cc.any():
        w = np.flatnonzero(with_cc)
        d_w = digits.take(pa.array(w))
        pot_w = _strip_national_prefix(potential.take(pa.array(w)), md)
        take_w = (~_pattern_match(d_w, md.general_desc) & _pattern_match(pot_w, md.general_desc)) | (
            _test_length(d_w, md) == _TOO_LONG
        )
        take_cc[w] = take_w
        potential = _scatter(potential, w, pot_w)
    rest = pc.if_else(pa.array(national), pc.if_else(pa.array(take_cc), potential, digits), rest)
    cc[national] = md.country_code
    found = national | (klen > 0)
    # Strip the national prefix with the metadata of the number's main region.
    pieces, where = [], []
    for c in np.unique(cc[found]):
        sel = np.flatnonzero(found & (cc == c))
        main = phonenumbers.region_code_for_country_code(int(c))
        if main in (phonenumbers.UNKNOWN_REGION, "001") or not _simple_metadata(main):
            continue
        mdc = _metadata(main)
        cand = rest.take(pa.array(sel))
        stripped = _strip_national_prefix(cand, mdc)
        use = ~np.isin(_test_length(stripped, mdc), (_TOO_SHORT, _LOCAL, _INVALID_LEN))
        final = pc.if_else(pa.array(use), stripped, cand)
        flen = pc.utf8_length(final).to_numpy(zero_copy_only=False)
        ok = (pc.utf8_length(cand).to_numpy(zero_copy_only=False) >= 2) & (flen <= 17)
        pieces.append(final.filter(pa.array(ok)))
        where.append(sel[ok])
        settled[sel[ok]] = True
    nsn = _assemble(n, where, pieces)
    return settled, cc, nsn


def _scatter(target: pa.Array, idx: np.ndarray, values: pa.Array) -> pa.Array:
    """``target`` with ``target[idx] = values``."""
    keep = np.ones(len(target), dtype=bool)
    keep[idx] = False
    return _assemble(len(target), [np.flatnonzero(keep), idx], [target.filter(pa.array(keep)), values])


def _assemble(n: int, where: list[np.ndarray], pieces: list[pa.Array]) -> pa.Array:
    """A length-``n`` string array with ``pieces[i]`` at positions ``where[i]``, null elsewhere."""
    if not pieces:
        return pa.nulls(n, pa.string())
    pos = np.concatenate(where) if where else np.zeros(0, dtype=np.int64)
    values = pa.concat_arrays([p.cast(pa.string()) for p in pieces])
    inverse = np.full(n, len(pos), dtype=np.int64)  # len(pos) -> the appended null
    inverse[pos] = np.arange(len(pos))
    values = pa.concat_arrays([values, pa.nulls(1, pa.string())])
    return values.take(pa.array(inverse))


_KNOWN_CODES = pa.array([str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE], pa.string())


def _digits_only(arr: pa.Array) -> pa.Array:
    """The ASCII digits of each string (bytes 0-9 kept, everything else dropped)."""
    arr = arr.cast(pa.string())
    n = len(arr)
    if n == 0:
        return arr
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32)[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
    chunk = data[offsets[0] : offsets[-1]]
    kept = np.flatnonzero((chunk >= 48) & (chunk <= 57))
    new_offsets = np.searchsorted(kept, offsets - offsets[0]).astype(np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(new_offsets), pa.py_buffer(chunk[kept].tobytes()))


def _np(arr: pa.Array) -> np.ndarray:
    """A pyarrow boolean array as a numpy bool array (nulls as False)."""
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _classify(cc: np.ndarray, nsn: pa.Array):
    """Region and type of (country code, nsn), as phonenumbers does.

    Returns ``settled``, ``region`` (pa string array, null when none) and
    ``typ`` (PhoneNumberType codes).
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
            typ[sel] = _type_of(sub, _metadata(regions[0]))
            continue
        todo = np.ones(len(sel), dtype=bool)
        for r in regions:
            if not todo.any():
                break
            md = _metadata(r)
            if md.leading_digits is not None:
                hit = todo & _np(pc.match_substring_regex(sub, f"^(?:{md.leading_digits})"))
            else:
                hit = todo & (_type_of(sub, md) != _UNKNOWN)
            if hit.any():
                rsel = sel[hit]
                rwhere.append(rsel)
                rpieces.append(pa.array([r], pa.string()).take(pa.array(np.zeros(len(rsel), dtype=np.int64))))
                typ[rsel] = _type_of(sub.filter(pa.array(hit)), md)
            todo &= ~hit
    return settled, _assemble(n, rwhere, rpieces), typ


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


def _fast(values: pa.Array, digits: pa.Array, region: str):
    """Fast path on simple-shaped values.

    Returns settled (bool), e164 (pa), mobile (bool), country (pa), issue (int8).
    """
    n = len(values)
    plus = _np(pc.match_substring(values, "+"))
    settled, cc, nsn = _fast_parse(digits, plus, region)
    ok, reg, typ = _classify(np.where(settled, cc, 0), nsn)
    settled &= ok
    is_mob = settled & np.isin(typ, [int(t) for t in _MOBILE_TYPES])
    valid = settled & (typ != _UNKNOWN)
    e164 = pc.binary_join_element_wise("+", pa.array(cc).cast(pa.string()), nsn, "")
    country = pc.if_else(pa.array(is_mob), reg, pa.nulls(n, pa.string()))
    issue = np.where(is_mob, -1, np.where(valid, _NOT_MOBILE, _INVALID)).astype(np.int8)
    return settled, e164, is_mob, country, issue


def _may_be_mobile_in(digits: pa.Array, region: str) -> np.ndarray:
    """Which 10-digit ``0...`` numbers could parse as a mobile in ``region``.

    A cheap superset used to skip most overseas tries: without ``+`` or the
    IDD ``00``, phonenumbers keeps the region's country code and the national
    number is the digits with or without the leading 0; a mobile must match
    the mobile pattern of one of the regions sharing that country code.
    """
    cc = _metadata(region).country_code
    patterns = []
    for r in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[cc]:
        desc = _metadata(r).mobile
        if desc is not None and desc.national_number_pattern:
            patterns.append(f"(?:{desc.national_number_pattern})")
    out = _np(pc.starts_with(digits, "00")) | _np(pc.starts_with(digits, str(cc)))
    if patterns:
        combined = _anchored("|".join(patterns))
        out |= _np(pc.match_substring_regex(digits, combined))
        out |= _np(pc.match_substring_regex(pc.utf8_slice_codeunits(digits, 1), combined))
    return out


def _normalize_distinct(uniques: pa.Array, region: str):
    """Results for distinct non-missing values: e164 (pa), mobile, country (pa), issue."""
    n = len(uniques)
    arr = uniques
    issue = np.full(n, _INVALID, dtype=np.int8)
    mobile = np.zeros(n, dtype=bool)
    empty = _np(pc.match_substring_regex(arr, _EMPTY_RE2))
    issue[empty] = _EMPTY
    simple = ~empty & _np(pc.match_substring_regex(arr, _SIMPLE_RE2))
    simple &= pc.utf8_length(arr).to_numpy(zero_copy_only=False) <= 200
    s_idx = np.flatnonzero(simple)
    done = empty.copy()
    where, e_pieces, c_pieces = [], [], []
    if len(s_idx):
        sub = arr.take(pa.array(s_idx))
        dig = _digits_only(sub)
        ok, e, m, c, i = _fast(sub, dig, region)
        if region == "FR":
            # The overseas rule, on 10 ASCII digits starting with 0 that are not FR mobiles.
            cand = ok & ~m
            cand &= pc.utf8_length(dig).to_numpy(zero_copy_only=False) == 10
            cand &= _np(pc.starts_with(dig, "0"))
            todo = np.flatnonzero(cand)
            o_where, o_e, o_c = [], [], []
            for other in OVERSEAS_REGIONS:
                if not len(todo):
                    break
                maybe = _may_be_mobile_in(dig.take(pa.array(todo)), other)
                tried, todo = todo[maybe], todo[~maybe]
                if not len(tried):
                    continue
                t = pa.array(tried)
                r_ok, r_e, r_m, r_c, _ = _fast(sub.take(t), dig.take(t), other)
                ok[tried[~r_ok]] = False  # cannot replay: reference for the whole value
                win = r_ok & r_m
                w = pa.array(win)
                o_where.append(tried[win])
                o_e.append(r_e.filter(w))
                o_c.append(r_c.filter(w))
                m[tried[win]] = True
                i[tried[win]] = -1
                todo = np.sort(np.concatenate([todo, tried[r_ok & ~r_m]]))
            if o_where:
                won = np.concatenate(o_where)
                keep = np.ones(len(sub), dtype=bool)
                keep[won] = False
                kidx = np.flatnonzero(keep)
                e = _assemble(len(sub), [kidx] + o_where, [e.filter(pa.array(keep))] + o_e)
                c = _assemble(len(sub), [kidx] + o_where, [c.filter(pa.array(keep))] + o_c)
        g = s_idx[ok]
        okp = pa.array(ok)
        where.append(g)
        e_pieces.append(e.filter(okp))
        c_pieces.append(c.filter(okp))
        mobile[g], issue[g] = m[ok], i[ok]
        done[g] = True
    rest = np.flatnonzero(~done)
    if len(rest):
        slow = [_parse_one(v, region) for v in arr.take(pa.array(rest)).to_pylist()]
        where.append(rest)
        e_pieces.append(pa.array([r[0] for r in slow], pa.string()))
        c_pieces.append(pa.array([r[2] for r in slow], pa.string()))
        mobile[rest] = [r[1] for r in slow]
        issue[rest] = [r[3] for r in slow]
    return _assemble(n, where, e_pieces), mobile, _assemble(n, where, c_pieces), issue


def normalize_mobiles(values: Iterable[str] | pd.Series, *, region: str = "FR") -> pd.DataFrame:
    """Parse, validate and normalise phone numbers, one row per input value.

    Parameters
    ----------
    values : iterable of str or pandas.Series
        Raw numbers in any format (``06 12 34 56 78``, ``+33 (0)6...``,
        ``0033...``, ``33...``, ``tel:...``). Missing values are ``empty``.
        Non-string values are converted with ``str`` first.
    region : str, default "FR"
        Region assumed for numbers written without a country code.

    Returns
    -------
    pandas.DataFrame
        ``mobile_e164``, ``mobile_valid``, ``mobile_country``, ``mobile_issue``
        (see the module docstring), with the Series' index, or a RangeIndex.

    Examples
    --------
    >>> normalize_mobiles(["06 12 34 56 78", "0692 12 34 56", "01 42 68 53 00", "", "abc"])
         mobile_e164  mobile_valid mobile_country mobile_issue
    0   +33612345678          True             FR          NaN
    1  +262692123456          True             RE          NaN
    2   +33142685300         False           <NA>   not_mobile
    3           <NA>         False           <NA>        empty
    4           <NA>         False           <NA>      invalid
    """
    region = region.upper()
    if isinstance(values, pd.Series):
        series = values
    else:
        series = pd.Series(list(values), dtype=object)
    index = series.index
    if not isinstance(series.dtype, pd.StringDtype):
        series = series.astype(_STRING)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    uniq = pa.array(uniques).cast(pa.string()) if len(uniques) else pa.array([], pa.string())
    e164, mobile, country, issue = _normalize_distinct(uniq, region)
    # Missing values take the extra slot at the end.
    take = pa.array(np.where(codes < 0, len(uniq), codes))
    null = pa.nulls(1, pa.string())
    e164 = pa.concat_arrays([e164, null]).take(take)
    country = pa.concat_arrays([country, null]).take(take)
    mobile = np.append(mobile, False)[take.to_numpy()]
    issue = np.append(issue, np.int8(_EMPTY))[take.to_numpy()]
    return pd.DataFrame(
        {
            "mobile_e164": pd.array(e164, dtype=_STRING),
            "mobile_valid": pd.array(mobile, dtype="boolean"),
            "mobile_country": pd.array(country, dtype=_STRING),
            "mobile_issue": pd.Categorical.from_codes(issue, dtype=ISSUE_DTYPE),
        },
        index=index,
    )
