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

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import NumberParseException, PhoneNumberFormat

from mfanalytics.lists.numbering import (
    EMPTY,
    EMPTY_RE2,
    INVALID,
    MOBILE_TYPES,
    NOT_MOBILE,
    SIMPLE_RE2,
    as_bool,
    assemble,
    digits_only,
    may_be_mobile_in,
    regions_of_international,
    replay,
)

__all__ = ["ISSUES", "ISSUE_DTYPE", "OVERSEAS_REGIONS", "normalize_mobiles", "regions_of_international", "to_e164"]

#: The values of ``mobile_issue``, in this order.
ISSUES: tuple[str, ...] = ("empty", "invalid", "not_mobile", "duplicate", "blacklisted")
#: The categorical dtype of ``mobile_issue``.
ISSUE_DTYPE = pd.CategoricalDtype(list(ISSUES))
#: Regions tried, in order, for a 10-digit ``0...`` number that is not a FR mobile.
OVERSEAS_REGIONS: tuple[str, ...] = ("GP", "MQ", "GF", "RE", "YT")

_STRING = pd.StringDtype("pyarrow")
_DISTINCT_BATCH = 1 << 18  # distinct values normalised at a time
_EMPTY_RE = re.compile("[ \t\n\r\f\v]*")


# --------------------------------------------------------------------------- reference
def _is_mobile(num: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.is_valid_number(num) and phonenumbers.number_type(num) in MOBILE_TYPES


def _overseas_candidate(raw: str) -> bool:
    digits = "".join(ch for ch in raw if "0" <= ch <= "9")
    return len(digits) == 10 and digits[0] == "0"


def _parse_one(raw: object, region: str) -> tuple[str | None, bool, str | None, int]:
    """The reference for one value: (e164, valid mobile, country, issue code)."""
    if raw is None or raw is pd.NA or (isinstance(raw, float) and raw != raw):
        return None, False, None, EMPTY
    raw = str(raw)
    if _EMPTY_RE.fullmatch(raw):
        return None, False, None, EMPTY
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
        return None, False, None, INVALID
    e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
    if _is_mobile(num):
        return e164, True, phonenumbers.region_code_for_number(num), -1
    if phonenumbers.is_valid_number(num):
        return e164, False, None, NOT_MOBILE
    return e164, False, None, INVALID


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


def _normalize_distinct(uniques: pa.Array, region: str) -> tuple[pa.Array, np.ndarray, pa.Array, np.ndarray]:
    """Results for distinct non-missing values: e164 (pa), mobile, country (pa), issue."""
    n = len(uniques)
    arr = uniques
    issue = np.full(n, INVALID, dtype=np.int8)
    mobile = np.zeros(n, dtype=bool)
    empty = as_bool(pc.match_substring_regex(arr, EMPTY_RE2))
    issue[empty] = EMPTY
    simple = ~empty & as_bool(pc.match_substring_regex(arr, SIMPLE_RE2))
    simple &= pc.utf8_length(arr).to_numpy(zero_copy_only=False) <= 200
    s_idx = np.flatnonzero(simple)
    done = empty.copy()
    where, e_pieces, c_pieces = [], [], []
    if len(s_idx):
        sub = arr.take(pa.array(s_idx))
        dig = digits_only(sub)
        ok, e, m, c, i = replay(sub, dig, region)
        if region == "FR":
            # The overseas rule, on 10 ASCII digits starting with 0 that are not FR mobiles.
            cand = ok & ~m
            cand &= pc.utf8_length(dig).to_numpy(zero_copy_only=False) == 10
            cand &= as_bool(pc.starts_with(dig, "0"))
            todo = np.flatnonzero(cand)
            o_where, o_e, o_c = [], [], []
            for other in OVERSEAS_REGIONS:
                if not len(todo):
                    break
                maybe = may_be_mobile_in(dig.take(pa.array(todo)), other)
                tried, todo = todo[maybe], todo[~maybe]
                if not len(tried):
                    continue
                t = pa.array(tried)
                r_ok, r_e, r_m, r_c, _ = replay(sub.take(t), dig.take(t), other)
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
                e = assemble(len(sub), [kidx] + o_where, [e.filter(pa.array(keep))] + o_e)
                c = assemble(len(sub), [kidx] + o_where, [c.filter(pa.array(keep))] + o_c)
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
    return assemble(n, where, e_pieces), mobile, assemble(n, where, c_pieces), issue


def _distinct(series: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """The codes of a column's values (-1: missing) and its distinct values, each handled once.

    A categorical column (a list read by :func:`~mfanalytics.lists.reading.read_list`) has them
    already; another is dictionary-encoded by Arrow.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = series.cat.categories
        text = categories if isinstance(categories.dtype, pd.StringDtype) else categories.astype(_STRING)
        uniq = pa.array(text.array, type=pa.large_string()).cast(pa.string())
        return series.cat.codes.to_numpy(), uniq
    if not isinstance(series.dtype, pd.StringDtype):
        series = series.astype(_STRING)
    arr = pa.array(series.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.string())
    encoded = pc.dictionary_encode(arr)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return codes, encoded.dictionary.cast(pa.string())


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
    codes, uniq = _distinct(series)
    parts = [
        _normalize_distinct(uniq.slice(at, _DISTINCT_BATCH), region) for at in range(0, len(uniq), _DISTINCT_BATCH)
    ]
    if parts:  # in batches: the fast path's intermediate columns stay the size of a batch
        e164 = pa.concat_arrays([p[0] for p in parts])
        country = pa.concat_arrays([p[2] for p in parts])
        mobile = np.concatenate([p[1] for p in parts])
        issue = np.concatenate([p[3] for p in parts])
    else:
        e164, mobile, country, issue = _normalize_distinct(uniq, region)
    del parts
    # Missing values take the extra slot at the end.
    take = pa.array(np.where(codes < 0, len(uniq), codes))
    null = pa.nulls(1, pa.string())
    e164 = pa.concat_arrays([e164, null]).take(take)
    country = pa.concat_arrays([country, null]).take(take)
    mobile = np.append(mobile, False)[take.to_numpy()]
    issue = np.append(issue, np.int8(EMPTY))[take.to_numpy()]
    return pd.DataFrame(
        {
            "mobile_e164": pd.array(e164, dtype=_STRING),
            "mobile_valid": pd.array(mobile, dtype="boolean"),
            "mobile_country": pd.array(country, dtype=_STRING),
            "mobile_issue": pd.Categorical.from_codes(issue, dtype=ISSUE_DTYPE),
        },
        index=index,
    )
