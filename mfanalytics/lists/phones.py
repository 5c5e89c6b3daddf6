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
from dataclasses import dataclass

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import NumberParseException, PhoneNumberFormat

from mfanalytics.charsets import arrow_strings
from mfanalytics.lists.numbering import (
    EMPTY,
    EMPTY_RE2,
    INVALID,
    MOBILE_TYPES,
    NOT_MOBILE,
    SIMPLE_RE2,
    as_bool,
    assemble,
    digits_and_plus,
    may_be_mobile_in,
    regions_of_international,
    replay,
)

__all__ = [
    "ISSUES",
    "ISSUE_DTYPE",
    "OVERSEAS_REGIONS",
    "Normalized",
    "normalize_mobiles",
    "normalized",
    "regions_of_international",
    "to_e164",
]

#: The values of ``mobile_issue``, in this order.
ISSUES: tuple[str, ...] = ("empty", "invalid", "not_mobile", "duplicate", "blacklisted")
#: The categorical dtype of ``mobile_issue``.
ISSUE_DTYPE = pd.CategoricalDtype(list(ISSUES))
#: Regions tried, in order, for a 10-digit ``0...`` number that is not a FR mobile.
OVERSEAS_REGIONS: tuple[str, ...] = ("GP", "MQ", "GF", "RE", "YT")

_STRING = pd.StringDtype("pyarrow")
_DISTINCT_BATCH = 1 << 18  # distinct values normalised at a time
_ROW_CHUNK = 1 << 18  # rows of a column read at a time
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
    simple = as_bool(pc.match_substring_regex(arr, SIMPLE_RE2))
    # Empty (only ASCII whitespace): no digit if simple, else holding \n \r \f or \v; checked on those only.
    simple &= pc.binary_length(arr).to_numpy(zero_copy_only=False) <= 200  # simple: ASCII, bytes = characters
    s_idx = np.flatnonzero(simple)
    sub = arr.take(pa.array(s_idx))
    dig, plus = digits_and_plus(sub)
    maybe = np.flatnonzero(~simple)
    maybe = np.sort(np.concatenate([maybe, s_idx[pc.binary_length(dig).to_numpy(zero_copy_only=False) == 0]]))
    empty = np.zeros(n, dtype=bool)
    empty[maybe] = as_bool(pc.match_substring_regex(arr.take(pa.array(maybe)), EMPTY_RE2))
    issue[empty] = EMPTY
    done = empty.copy()
    keep = ~empty[s_idx]
    s_idx, sub, dig, plus = s_idx[keep], sub.filter(pa.array(keep)), dig.filter(pa.array(keep)), plus[keep]
    where, e_pieces, c_pieces = [], [], []
    if len(s_idx):
        ok, e, m, c, i = replay(sub, dig, region, plus)
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
                r_ok, r_e, r_m, r_c, _ = replay(sub.take(t), dig.take(t), other, plus[tried])
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
    """The codes of a categorical column's values (-1: missing) and its categories as Arrow strings."""
    categories = series.cat.categories
    text = categories if isinstance(categories.dtype, pd.StringDtype) else categories.astype(_STRING)
    uniq = pa.array(text.array, type=pa.large_string()).cast(pa.string())
    return series.cat.codes.to_numpy(), uniq


@dataclass
class Normalized:
    """:func:`normalize_mobiles` of a column, compact: its strings kept per row chunk as Arrow ``string``.

    What :func:`mfanalytics.lists.cleaning.clean_recipients` works on before it builds its frame
    (pandas holds strings with 64-bit offsets: :meth:`frame` converts one chunk at a time).

    Attributes
    ----------
    e164, country : list of pyarrow.StringArray
        ``mobile_e164`` and ``mobile_country``, one array per row chunk, in order.
    valid : numpy.ndarray
        ``mobile_valid`` (bool, one per row).
    issue : numpy.ndarray
        ``mobile_issue`` as codes into :data:`ISSUES` (int8, -1 for a valid mobile).
    """

    e164: list[pa.Array]
    country: list[pa.Array]
    valid: np.ndarray
    issue: np.ndarray

    def frame(self, index: pd.Index, issue: np.ndarray | None = None) -> pd.DataFrame:
        """The four columns as a frame; the string chunks are released as they are converted.

        ``issue`` replaces the issue codes (``clean_recipients`` adds duplicates and blacklisted numbers).
        """
        e164 = _large_strings(self.e164)
        country = _large_strings(self.country)
        codes = self.issue if issue is None else issue
        return pd.DataFrame(
            {
                "mobile_e164": e164,
                "mobile_valid": pd.array(self.valid, dtype="boolean"),
                "mobile_country": country,
                "mobile_issue": pd.Categorical.from_codes(codes, dtype=ISSUE_DTYPE),
            },
            index=index,
            copy=False,
        )


def _large_strings(chunks: list[pa.Array]) -> pd.api.extensions.ExtensionArray:
    """``string[pyarrow]`` of Arrow string chunks, emptying the list one chunk at a time."""
    large = []
    while chunks:
        large.append(chunks.pop(0).cast(pa.large_string()))
    return arrow_strings(pa.chunked_array(large, pa.large_string()))


def _results(uniq: pa.Array, region: str) -> tuple[pa.Array, np.ndarray, pa.Array, np.ndarray]:
    """:func:`_normalize_distinct` of distinct values, in batches, plus a last slot for a missing value."""
    parts = [
        _normalize_distinct(uniq.slice(at, _DISTINCT_BATCH), region) for at in range(0, len(uniq), _DISTINCT_BATCH)
    ]
    null = pa.nulls(1, pa.string())
    e164 = pa.concat_arrays([p[0] for p in parts] + [null])
    country = pa.concat_arrays([p[2] for p in parts] + [null])
    mobile = np.concatenate([p[1] for p in parts] + [np.zeros(1, dtype=bool)])
    issue = np.concatenate([p[3] for p in parts] + [np.full(1, EMPTY, dtype=np.int8)])
    return e164, mobile, country, issue


def normalized(series: pd.Series, region: str = "FR") -> Normalized:
    """:func:`normalize_mobiles` of a Series as :class:`Normalized`, one chunk of rows at a time.

    A categorical column is normalised on its categories, each once. Another is read in chunks
    of rows, each dictionary-encoded by Arrow, so that what is held beside the column is the
    compact result, never a copy of the column or of all its distinct values.
    """
    region = region.upper()
    n = len(series)
    valid = np.zeros(n, dtype=bool)
    issue = np.zeros(n, dtype=np.int8)
    e164s: list[pa.Array] = []
    countries: list[pa.Array] = []
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniq = _distinct(series)
        e164, mobile, country, issues = _results(uniq, region)
        for at in range(0, n, _ROW_CHUNK):
            part = codes[at : at + _ROW_CHUNK]
            take = np.where(part < 0, len(uniq), part)
            e164s.append(e164.take(pa.array(take)))
            countries.append(country.take(pa.array(take)))
            valid[at : at + len(take)] = mobile[take]
            issue[at : at + len(take)] = issues[take]
        return Normalized(e164s, countries, valid, issue)
    if not isinstance(series.dtype, pd.StringDtype):
        series = series.astype(_STRING)
    column = pa.array(series.array)
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column])
    for at in range(0, n, _ROW_CHUNK):
        chunk = column.slice(at, _ROW_CHUNK).combine_chunks()
        encoded = pc.dictionary_encode(chunk)
        take = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy(zero_copy_only=False)
        e164, mobile, country, issues = _results(encoded.dictionary.cast(pa.string()), region)
        e164s.append(e164.take(pa.array(take)))
        countries.append(country.take(pa.array(take)))
        valid[at : at + len(take)] = mobile[take]
        issue[at : at + len(take)] = issues[take]
    return Normalized(e164s, countries, valid, issue)


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
    if isinstance(values, pd.Series):
        series = values
    else:
        series = pd.Series(list(values), dtype=object)
    return normalized(series, region).frame(series.index)
