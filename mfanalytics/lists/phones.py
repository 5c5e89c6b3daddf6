"""Mobile number normalisation, vectorised, with the semantics of phonenumbers.

:func:`normalize_mobiles` gives, for every value of a column, exactly what a
per-row loop over the `phonenumbers <https://pypi.org/project/phonenumbers/>`_
library gives (the *reference*, :mod:`mfanalytics.lists.reference`)::

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
line, mobile; ``possible_length``: as tables of number ranges, see
:mod:`mfanalytics.lists.ranges`; ``leading_digits`` for country codes shared
by several regions, run by RE2). Anything else (letters, which phonenumbers
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
mobile_country  category          ISO region of a valid mobile (``FR``, ``RE``), else NA;
                                  the categories are the regions present, sorted
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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.charsets import arrow_strings
from mfanalytics.lists.memory import pooled
from mfanalytics.lists.numbering import (
    EMPTY,
    EMPTY_RE2,
    INVALID,
    SIMPLE_RE2,
    as_bool,
    assemble,
    digits_and_plus,
    may_be_mobile_in,
    regions_of_international,
    replay,
)
from mfanalytics.lists.reference import OVERSEAS_REGIONS, parse_one, to_e164
from mfanalytics.threads import in_order

__all__ = [
    "ISSUES",
    "ISSUE_DTYPE",
    "OVERSEAS_REGIONS",
    "Normalized",
    "compact",
    "normalize_mobiles",
    "normalized",
    "regions_of_international",
    "to_e164",
]

#: The values of ``mobile_issue``, in this order.
ISSUES: tuple[str, ...] = ("empty", "invalid", "not_mobile", "duplicate", "blacklisted")
#: The categorical dtype of ``mobile_issue``.
ISSUE_DTYPE = pd.CategoricalDtype(list(ISSUES))

_STRING = pd.StringDtype("pyarrow")
_DISTINCT_BATCH = 1 << 18  # distinct values normalised at a time
_ROW_CHUNK = 1 << 17  # rows of a column read at a time
_Distinct = tuple[np.ndarray, dict[int, str], np.ndarray, pa.Array, np.ndarray]  # _normalize_distinct's


def _normalize_distinct(uniques: pa.Array, region: str) -> _Distinct:
    """Results for distinct non-missing values: key and long (:func:`e164_keys`), mobile, country (pa), issue."""
    n = len(uniques)
    arr = uniques
    issue = np.full(n, INVALID, dtype=np.int8)
    mobile = np.zeros(n, dtype=bool)
    key = np.full(n, -1, dtype=np.int64)
    long: dict[int, str] = {}
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
    where, c_pieces = [], []
    if len(s_idx):
        ok, k, lg, m, c, i = replay(sub, dig, region, plus)
        if region == "FR":
            # The overseas rule, on 10 ASCII digits starting with 0 that are not FR mobiles.
            cand = ok & ~m
            cand &= pc.binary_length(dig).to_numpy(zero_copy_only=False) == 10  # ASCII digits
            cand &= as_bool(pc.starts_with(dig, "0"))
            todo = np.flatnonzero(cand)
            o_where, o_c = [], []
            for other in OVERSEAS_REGIONS:
                if not len(todo):
                    break
                maybe = may_be_mobile_in(dig.take(pa.array(todo)), other)
                tried, todo = todo[maybe], todo[~maybe]
                if not len(tried):
                    continue
                t = pa.array(tried)
                r_ok, r_k, r_lg, r_m, r_c, _ = replay(sub.take(t), dig.take(t), other, plus[tried])
                ok[tried[~r_ok]] = False  # cannot replay: reference for the whole value
                win = r_ok & r_m
                o_where.append(tried[win])
                o_c.append(r_c.filter(pa.array(win)))
                k[tried[win]] = r_k[win]
                for j in np.flatnonzero(win).tolist():
                    lg.pop(int(tried[j]), None)
                    if j in r_lg:
                        lg[int(tried[j])] = r_lg[j]
                m[tried[win]] = True
                i[tried[win]] = -1
                todo = np.sort(np.concatenate([todo, tried[r_ok & ~r_m]]))
            if o_where:
                won = np.concatenate(o_where)
                keep = np.ones(len(sub), dtype=bool)
                keep[won] = False
                kidx = np.flatnonzero(keep)
                c = assemble(len(sub), [kidx] + o_where, [c.filter(pa.array(keep))] + o_c)
        g = s_idx[ok]
        where.append(g)
        c_pieces.append(c.filter(pa.array(ok)))
        key[g] = k[ok]
        long.update({int(s_idx[j]): v for j, v in lg.items() if ok[j]})
        mobile[g], issue[g] = m[ok], i[ok]
        done[g] = True
    rest = np.flatnonzero(~done)
    if len(rest):
        slow = [parse_one(v, region) for v in arr.take(pa.array(rest)).to_pylist()]
        where.append(rest)
        c_pieces.append(pa.array([r[2] for r in slow], pa.string()))
        key[rest], slow_long = _keys(pa.array([r[0] for r in slow], pa.string()))
        long.update({int(rest[j]): v for j, v in slow_long.items()})
        mobile[rest] = [r[1] for r in slow]
        issue[rest] = [r[3] for r in slow]
    return key, long, mobile, assemble(n, where, c_pieces), issue


def _keys(e164: pa.Array) -> tuple[np.ndarray, dict[int, str]]:
    """E.164 strings as the int64 of their digits (-1: missing), and apart those of more than 18 digits.

    :func:`mfanalytics.lists.numbering.e164_keys` gives the same keys from country codes and
    national numbers. An E.164 number never starts with 0, so the int64 gives back the string.
    """
    e164 = e164.cast(pa.string())
    digits = pc.utf8_slice_codeunits(e164, 1)
    fits = pc.fill_null(pc.less_equal(pc.binary_length(digits), 18), False)  # E.164: ASCII
    key = pc.fill_null(pc.if_else(fits, digits, None).cast(pa.int64()), -1).to_numpy(zero_copy_only=False)
    long = {int(i): e164[int(i)].as_py() for i in np.flatnonzero(~as_bool(fits) & as_bool(e164.is_valid()))}
    return key, long


def _distinct(series: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """The codes of a categorical column's values (-1: missing) and its categories as Arrow strings."""
    categories = series.cat.categories
    text = categories if isinstance(categories.dtype, pd.StringDtype) else categories.astype(_STRING)
    uniq = pa.array(text.array, type=pa.large_string()).cast(pa.string())
    return series.cat.codes.to_numpy(), uniq


@dataclass
class Normalized:
    """:func:`normalize_mobiles` of a column, compact: numbers as integers, countries as codes.

    What :func:`mfanalytics.lists.cleaning.clean_recipients` works on before it builds its frame:
    8 bytes a row for the number and 2 for its country, where pandas' strings take 20 and 10
    (:meth:`frame` writes those one chunk of rows at a time).

    Attributes
    ----------
    keys : list of numpy.ndarray
        The digits of ``mobile_e164`` as an int64 (an E.164 number's first digit is never 0,
        so ``"+" + str(key)`` is the string); -1 where it is missing, or longer than 18
        digits (those are in ``long``). One array per chunk of ``_ROW_CHUNK`` rows, so that
        :meth:`frame` releases each once written.
    long : dict
        Row -> ``mobile_e164`` of the few numbers (never valid) longer than 18 digits.
    country : numpy.ndarray
        ``mobile_country`` as codes into ``regions`` (int16, -1: missing).
    regions : pyarrow.StringArray
        The region codes ``country`` points to.
    valid : numpy.ndarray
        ``mobile_valid`` (bool).
    issue : numpy.ndarray
        ``mobile_issue`` as codes into :data:`ISSUES` (int8, -1 for a valid mobile).
    """

    keys: list[np.ndarray]
    long: dict[int, str]
    country: np.ndarray
    regions: pa.Array
    valid: np.ndarray
    issue: np.ndarray

    def mark_mobiles(self, rows: np.ndarray, numbers: np.ndarray, region: str) -> None:
        """Make ``rows`` valid mobiles of ``region``, their numbers the E.164 digits ``numbers`` (int64).

        What :func:`mfanalytics.sandbox.campaign.normalize_numbers` does for its fiction
        numbers, here rather than on the frame: the same four columns come out of :meth:`frame`.
        """
        rows = np.asarray(rows, dtype=np.int64)
        starts = np.cumsum([0] + [len(key) for key in self.keys])
        chunk = np.searchsorted(starts, rows, side="right") - 1
        for c in np.unique(chunk):
            at = chunk == c
            self.keys[c][rows[at] - starts[c]] = numbers[at]
        for row in rows.tolist():
            self.long.pop(row, None)
        code = pc.index_in(pa.array([region]), value_set=self.regions)[0].as_py()
        if code is None:
            self.regions = pa.concat_arrays([self.regions, pa.array([region], pa.string())])
            code = len(self.regions) - 1
        self.country[rows] = code
        self.valid[rows] = True
        self.issue[rows] = -1

    def e164_chunks(self) -> Iterator[pa.Array]:
        """``mobile_e164`` as Arrow ``large_string`` arrays, in order; ``keys`` is emptied as they are made."""
        at, large = 0, pa.large_string()
        while self.keys:
            key = self.keys.pop(0)
            digits = pa.array(key, mask=key < 0).cast(large)
            text = pc.utf8_replace_slice(digits, 0, 0, "+")  # 2x binary_join_element_wise
            long = {i - at: v for i, v in self.long.items() if at <= i < at + len(key)}
            if long:
                rows = np.fromiter(long, dtype=np.int64)
                text = _scatter(text, rows, pa.array(list(long.values()), large))
            at += len(key)
            yield text

    def country_column(self) -> pd.api.extensions.ExtensionArray:
        """``mobile_country``: a category of the regions it holds, sorted (1 byte a row, not 10)."""
        present = np.unique(self.country)
        present = present[present >= 0].astype(np.int64)
        names = self.regions.take(pa.array(present)).to_pylist()
        order = np.argsort(names, kind="stable")
        code = np.full(len(self.regions) + 1, -1, dtype=np.int16)  # region + 1 -> category
        code[present[order] + 1] = np.arange(len(present))
        categories = pd.Index([names[i] for i in order], dtype=_STRING)
        return pd.Categorical.from_codes(code[self.country + 1], dtype=pd.CategoricalDtype(categories))

    def frame(self, index: pd.Index) -> pd.DataFrame:
        """The four columns as a frame (pandas ``string[pyarrow]``: 64-bit offsets); it empties keys and country."""
        country, self.country = self.country_column(), self.country[:0].copy()  # then freed, before the strings
        e164 = arrow_strings(pa.chunked_array(list(self.e164_chunks()), pa.large_string()))
        return pd.DataFrame(
            {
                "mobile_e164": e164,
                "mobile_valid": pd.arrays.BooleanArray(self.valid, np.zeros(len(self.valid), dtype=bool)),
                "mobile_country": country,
                "mobile_issue": pd.Categorical.from_codes(self.issue, dtype=ISSUE_DTYPE),
            },
            index=index,
            copy=False,
        )


def _scatter(target: pa.Array, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """``target`` with ``target[rows] = values`` (a few rows)."""
    index = np.arange(len(target) + len(rows))
    index[rows] = len(target) + np.arange(len(rows))
    return pa.concat_arrays([target, values]).take(pa.array(index[: len(target)]))


#: Region codes a valid mobile can have (``region_code_for_number``), extended if one is not there.
_REGIONS = pa.array(sorted(set(phonenumbers.SUPPORTED_REGIONS) | {"001", phonenumbers.UNKNOWN_REGION}), pa.string())


class _Compact:
    """Builds a :class:`Normalized` from the results of distinct values, one chunk of rows at a time."""

    def __init__(self, n: int) -> None:
        self.keys: list[np.ndarray] = []
        self.country = pooled(n, np.int16, fill=-1)  # freed by frame() into the strings' pool
        self.valid = np.zeros(n, dtype=bool)
        self.issue = np.zeros(n, dtype=np.int8)
        self.long: dict[int, str] = {}
        self.regions = _REGIONS
        self._long: dict[int, str] = {}  # of the distinct values being put

    def results(self, parts: list[_Distinct]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Key, country code, validity and issue of each distinct value, plus a last slot for a missing one.

        ``parts``: :func:`_normalize_distinct` of the distinct values, batch after batch.
        """
        self._long, at = {}, 0
        for key, long, *_ in parts:
            self._long.update({at + row: v for row, v in long.items()})
            at += len(key)
        codes = self.codes(pa.concat_arrays([p[3] for p in parts] + [pa.nulls(1, pa.string())]))
        return (
            np.concatenate([p[0] for p in parts] + [np.full(1, -1, dtype=np.int64)]),
            codes,
            np.concatenate([p[2] for p in parts] + [np.zeros(1, dtype=bool)]),
            np.concatenate([p[4] for p in parts] + [np.full(1, EMPTY, dtype=np.int8)]),
        )

    def encode(self, e164: pa.Array, country: pa.Array) -> tuple[np.ndarray, dict[int, str], np.ndarray]:
        """E.164 strings as keys (and the long ones), countries as codes (``regions`` grows if need be)."""
        key, long = _keys(e164)
        return key, long, self.codes(country.cast(pa.string()))

    def codes(self, country: pa.Array) -> np.ndarray:
        """Countries as codes into ``regions`` (int16, -1: missing); ``regions`` grows if need be."""
        country = country.cast(pa.string())
        code = pc.index_in(country, value_set=self.regions)
        if pc.sum(pc.and_(country.is_valid(), code.is_null())).as_py():
            self.regions = pa.concat_arrays([self.regions, pc.unique(country.drop_null())])
            code = pc.index_in(country, value_set=self.regions)
        out: np.ndarray = pc.fill_null(code, -1).to_numpy(zero_copy_only=False).astype(np.int16)
        return out

    def put(self, at: int, take: np.ndarray, results: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> None:
        """Rows ``at:at+len(take)`` are the distinct values ``take`` (the last slot: missing)."""
        key, codes, mobile, issue = results
        stop = at + len(take)
        self.keys.append(np.take(key, take, out=pooled(len(take), np.int64)))  # freed into the strings' pool
        self.country[at:stop] = codes[take]
        self.valid[at:stop], self.issue[at:stop] = mobile[take], issue[take]
        if self._long:
            for row in np.flatnonzero(np.isin(take, np.fromiter(self._long, dtype=np.int64))):
                self.long[at + int(row)] = self._long[int(take[row])]

    def done(self) -> Normalized:
        return Normalized(self.keys, self.long, self.country, self.regions, self.valid, self.issue)


def compact(frame: pd.DataFrame) -> Normalized:
    """A :func:`normalize_mobiles` frame as :class:`Normalized`."""
    out = _Compact(len(frame))
    e164 = pa.chunked_array(pa.array(frame["mobile_e164"].array)).combine_chunks()
    country = pa.chunked_array(pa.array(frame["mobile_country"].array)).combine_chunks()
    key, out.long, out.country = out.encode(e164, country)
    out.keys = [key[at : at + _ROW_CHUNK].copy() for at in range(0, len(key), _ROW_CHUNK)]
    out.valid = frame["mobile_valid"].to_numpy(dtype=bool, na_value=False)
    out.issue = frame["mobile_issue"].cat.codes.to_numpy().astype(np.int8)
    return out.done()


def normalized(series: pd.Series, region: str = "FR") -> Normalized:
    """:func:`normalize_mobiles` of a Series as :class:`Normalized`, one chunk of rows at a time.

    A categorical column is normalised on its categories, each once. Another is read in chunks
    of rows, each dictionary-encoded by Arrow, so that what is held beside the column is the
    compact result, never a copy of the column or of all its distinct values. Up to
    :data:`mfanalytics.threads.WORKERS` chunks (batches of categories) are normalised at once,
    in threads; their results are put in order, so the result is that of one thread.
    """
    region = region.upper()
    n = len(series)
    out = _Compact(n)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniq = _distinct(series)
        results = out.results(_batches(uniq, region, in_order))
        for at in range(0, n, _ROW_CHUNK):
            part = codes[at : at + _ROW_CHUNK]
            out.put(at, np.where(part < 0, len(uniq), part), results)
        return out.done()
    if not isinstance(series.dtype, pd.StringDtype):
        series = series.astype(_STRING)
    column = pa.array(series.array)
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column])

    def chunk(at: int) -> tuple[int, np.ndarray, list[_Distinct]]:
        encoded = pc.dictionary_encode(column.slice(at, _ROW_CHUNK).combine_chunks())
        take = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy(zero_copy_only=False)
        return at, take.astype(np.int64), _batches(encoded.dictionary.cast(pa.string()), region)

    for at, take, parts in in_order(chunk, range(0, n, _ROW_CHUNK)):
        out.put(at, take, out.results(parts))
    return out.done()


def _batches(uniq: pa.Array, region: str, run: Callable[..., Iterable[_Distinct]] = map) -> list[_Distinct]:
    """:func:`_normalize_distinct` of distinct values, :data:`_DISTINCT_BATCH` at a time (``run``: ``map``,
    or :func:`mfanalytics.threads.in_order`)."""
    return list(
        run(
            lambda at: _normalize_distinct(uniq.slice(at, _DISTINCT_BATCH), region),
            range(0, len(uniq), _DISTINCT_BATCH),
        )
    )


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
