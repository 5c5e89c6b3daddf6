"""Recipient lists cleaned, and analysed as ``/lists/upload`` does.

:func:`clean_recipients` reads a list (:mod:`mfanalytics.lists.reading`),
normalises its numbers (:mod:`mfanalytics.lists.phones`), and returns the
kept rows with what the platform would say of the list
(:func:`analyze_list`, the guide's 2.9.1).

Examples
--------
>>> result = clean_recipients(b"NOM;mobile\\nDupont;06 12 34 56 78\\nMartin;0612345678\\n")
>>> result.analysis["countDuplicateMobile"]
1
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.charsets import surrogate_error
from mfanalytics.errors import RecipientListError
from mfanalytics.lists.memory import release_memory
from mfanalytics.lists.phones import ISSUES, Normalized, compact, normalize_mobiles
from mfanalytics.lists.phones import normalized as normalized_column
from mfanalytics.lists.reading import find_mobile_column, parse_list, read_list

__all__ = ["CleanResult", "analyze_list", "clean_recipients"]

_STRING = pd.StringDtype("pyarrow")
_ROWS = 1 << 18  # rows measured or keyed at a time
_BUCKET_ROWS = 1 << 19  # valid numbers de-duplicated at a time (a bucket of their keys)


def _as_text(series: pd.Series | pd.Index) -> pd.Series:
    if isinstance(series.dtype, pd.StringDtype):
        return pd.Series(series, copy=False)
    return pd.Series(series.astype(_STRING), copy=False)


def _column_facts(series: pd.Series, blanks: bool = True) -> tuple[np.ndarray, Callable[[int], str], bool]:
    """A column's lengths in characters (missing: 0), its value at a row as text, whether one is blank.

    A categorical column is measured on its categories (each distinct value once), another one
    Arrow chunk at a time, so that what is held beside the column is its int32 lengths. With
    ``blanks=False`` (the mobile column) blank values are not looked for.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        text = _as_text(series.cat.categories)
        codes = series.cat.codes.to_numpy()
        cat_len = np.append(text.str.len().fillna(0).to_numpy(dtype=np.int32), np.int32(0))  # code -1: missing, 0
        blank = np.flatnonzero((text.str.strip() == "").to_numpy(dtype=bool, na_value=True))
        has_blank = bool((codes < 0).any() or np.isin(codes, blank).any())
        return cat_len[codes], lambda i: str(text.iloc[codes[i]]) if codes[i] >= 0 else str(pd.NA), has_blank
    text = _as_text(series)
    column = pa.array(text.array)
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    lengths = np.zeros(len(text), dtype=np.int32)
    has_blank, at = False, 0
    for chunk in chunks:
        for start in range(0, len(chunk), _ROWS):
            part = chunk.slice(start, _ROWS)
            lengths[at : at + len(part)] = pc.fill_null(pc.utf8_length(part), 0).to_numpy(zero_copy_only=False)
            at += len(part)
            if blanks and not has_blank:
                trimmed = pc.utf8_length(pc.utf8_trim_whitespace(part))
                has_blank = bool(part.null_count) or bool(pc.any(pc.equal(trimmed, 0)).as_py())
    return lengths, lambda i: str(text.iloc[i]), has_blank


def analyze_list(
    frame: pd.DataFrame,
    *,
    column: str | None = None,
    region: str = "FR",
    normalized: pd.DataFrame | Normalized | None = None,
) -> dict[str, Any]:
    """The analysis ``/lists/upload`` answers with (guide section 2.9.1).

    Parameters
    ----------
    frame : pandas.DataFrame
        The list, as :func:`parse_list` returns it (its own columns only).
    column : str, optional
        The mobile column; found with :func:`find_mobile_column` by default.
    region : str, default "FR"
        Region of numbers written without a country code.
    normalized : pandas.DataFrame or Normalized, optional
        :func:`~mfanalytics.lists.phones.normalize_mobiles` of the mobile column, if
        already computed, or its :class:`~mfanalytics.lists.phones.Normalized` form
        (read as it is: a frame is converted to it first).

    Returns
    -------
    dict
        Keys of the guide, same names and meanings. Line numbers are 1-based
        data lines. ``invalidNumberMOBILE`` counts empty, unparseable,
        invalid and non-mobile numbers; duplicates of a valid mobile count as
        valid (in ``validNumberMOBILE`` and ``validCountryCounter``) and are
        listed, as strings like the guide, in ``lineDuplicateMobile``.
        ``emptyKeys`` lists the columns other than the mobile column having
        at least one empty (or blank) value, in header order (an empty mobile
        is an invalid line). ``computedHeaderSize`` maps each column to
        ``{length in characters: count}``; ``maxDatasMap`` gives the longest
        value of each column (the first one on ties); ``maxSizeDataLine`` is
        the largest number of characters in the fields of one data line
        (separators and quotes not counted: that is what makes the guide's
        example, 66, consistent with its ``computedHeaderSize``). ``globalInvalidLine`` counts lines
        that could not be read as records: always 0 here, since
        :func:`parse_list` refuses such files. ``invalidCountryCounter`` is
        empty (every country is allowed locally). E-mail counters are 0.

    Examples
    --------
    >>> df = parse_list(b"Nom;mobile\\nA;0612345678\\nB;123\\nC;06 12 34 56 78\\n")
    >>> a = analyze_list(df)
    >>> a["validNumberMOBILE"], a["invalidLineList"], a["lineDuplicateMobile"]
    (2, [2], ['3'])
    """
    column = find_mobile_column(frame.columns) if column is None else column
    try:
        if normalized is None:
            norm = normalized_column(frame[column], region)
        elif isinstance(normalized, Normalized):
            norm = normalized
        else:
            norm = compact(normalized)
        dup = _duplicates(norm)
        return _with_lines(_analyze(frame, column, _country_counts(norm), norm.valid), norm.valid, dup)
    except UnicodeEncodeError:
        raise _surrogate_error(frame) from None


def _duplicates(norm: Normalized) -> np.ndarray:
    """Valid mobiles equal to an earlier valid one.

    Keyed by their integer (a valid E.164 number has at most 15 digits), in buckets of keys
    (by their low bits) on a long list, so that the hash table is the size of a bucket: equal
    numbers fall in the same bucket, in row order.
    """
    valid = norm.valid
    dup = np.zeros(len(valid), dtype=bool)
    buckets = 1 << max(0, int(np.ceil(np.log2(max(1, int(valid.sum())) / _BUCKET_ROWS))))
    for b in range(buckets):
        rows, values, at = [], [], 0
        for key in norm.keys:
            hit = np.flatnonzero(valid[at : at + len(key)] & ((key & (buckets - 1)) == b))
            rows.append(hit + at)
            values.append(key[hit])
            at += len(key)
        where = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        found = pd.Series(np.concatenate(values) if values else where).duplicated(keep="first").to_numpy()
        dup[where[found]] = True
    return dup


def _bincount(values: np.ndarray) -> np.ndarray:
    """``np.bincount`` a slice at a time (it converts its input to int64: a copy of the slice only)."""
    counts = np.zeros(0, dtype=np.int64)
    for at in range(0, len(values), _ROWS):
        part = np.bincount(values[at : at + _ROWS])
        if len(part) > len(counts):
            counts = np.pad(counts, (0, len(part) - len(counts)))
        counts[: len(part)] += part
    return counts


def _country_counts(norm: Normalized) -> dict[str, int]:
    """Valid mobiles by country (a country is set for valid mobiles only)."""
    counts = _bincount((norm.country + 1).astype(np.uint16))
    names = norm.regions.to_pylist()
    return {names[i - 1]: int(c) for i, c in enumerate(counts) if i and c}


def _with_lines(facts: dict[str, Any], valid: np.ndarray, dup: np.ndarray) -> dict[str, Any]:
    """``facts`` (from :func:`_analyze`) with its lists of lines, which take a Python object per line."""
    analysis = dict(facts)
    analysis["invalidLineList"] = (np.flatnonzero(~valid) + 1).tolist()
    # strings, like the guide's; made by Arrow, so that no list of ints is held beside them
    analysis["lineDuplicateMobile"] = pa.array(np.flatnonzero(dup) + 1).cast(pa.string()).to_pylist()
    analysis["countDuplicateMobile"] = int(dup.sum())
    return analysis


def _analyze(frame: pd.DataFrame, column: str, counted: dict[str, int], valid: np.ndarray) -> dict[str, Any]:
    """The analysis, but for its lists of lines and duplicates (``None``: :func:`_with_lines` adds them)."""
    countries = sorted(((str(k), int(v)) for k, v in counted.items()), key=lambda kv: (-kv[1], kv[0]))
    n = len(frame)
    header = [str(c) for c in frame.columns]
    sizes: dict[str, dict[str, int]] = {}
    longest: dict[str, str] = {}
    empty_keys: list[str] = []
    line_len = np.zeros(n, dtype=np.int32)
    for name, key in zip(frame.columns, header):
        lengths, value_at, blank = _column_facts(frame[name], blanks=name != column)
        line_len += lengths
        counts = _bincount(lengths)
        sizes[key] = {str(k): int(c) for k, c in enumerate(counts) if c}
        longest[key] = value_at(int(np.argmax(lengths))) if n else ""
        if name != column and n and blank:
            empty_keys.append(key)
    analysis: dict[str, Any] = {
        "size": n,
        "header": header,
        "type": "CSV",
        "charsetDetected": frame.attrs.get("charset", ""),
        "validNumberMOBILE": int(valid.sum()),
        "invalidNumberMOBILE": int(n - valid.sum()),
        "validNumberEMAIL": 0,
        "invalidNumberEMAIL": 0,
        "invalidLineList": None,
        "globalInvalidLine": 0,
        "lineDuplicateMobile": None,
        "countDuplicateMobile": None,
        "lineDuplicateEmail": [],
        "countDuplicateEmail": 0,
        "validCountryCounter": dict(countries),
        "invalidCountryCounter": {},
        "emptyKeys": empty_keys,
        "computedHeaderSize": sizes,
        "maxDatasMap": longest,
        "maxSizeDataLine": int(line_len.max()) if n else 0,
    }
    if "name" in frame.attrs:
        analysis["listName"] = frame.attrs["name"]
    return analysis


# --------------------------------------------------------------------------- cleaning
class _LazyAnalysis:
    """``CleanResult.analysis``: the dict given, or, given none, one made from ``facts`` and ``lines``
    when first read (a field with this default stays a constructor argument, for ``dataclasses.replace``)."""

    def __get__(self, result: CleanResult | None, owner: type | None = None) -> Any:
        if result is None:
            return None  # the field's default: made when first read
        made = result.__dict__.get("_analysis")
        if made is None:
            if result.facts is None or result.lines is None:
                raise AttributeError("CleanResult has no analysis: give analysis, or facts and lines")
            made = result.__dict__["_analysis"] = _with_lines(result.facts, *result.lines)
        return made

    def __set__(self, result: CleanResult, value: dict[str, Any] | None) -> None:
        result.__dict__["_analysis"] = value


@dataclass(repr=False)
class CleanResult:
    """What :func:`clean_recipients` found.

    Attributes
    ----------
    frame : pandas.DataFrame
        Every input row, in order: the list's own columns untouched, plus
        ``mobile_e164``, ``mobile_valid``, ``mobile_country`` and
        ``mobile_issue`` (categories ``empty``, ``invalid``, ``not_mobile``,
        ``duplicate``, ``blacklisted``; NA for a row to send). ``mobile_country``
        is a category of the regions present (1 byte a row), as :func:`read_list`
        keeps a column of repeated values: ``==``, ``isin``, ``value_counts`` and
        ``groupby`` work as on strings; for ``fillna("")``, ``+`` or a comparison
        with another list's column, take ``.astype("string")`` first.
    recipients : pandas.DataFrame
        The rows to send: valid mobiles, first occurrence, not blacklisted
        (selected from ``frame`` when first read, so that cleaning a long list
        holds one frame, not two; then kept: an edit of ``frame`` made after
        that first read does not change it, one made before does).
    analysis : dict
        :func:`analyze_list` of the list (guide section 2.9.1). Its lists of
        lines (``invalidLineList``, ``lineDuplicateMobile``: a Python object per
        line, 800 MB for 12 million duplicates) are made when it is first read.
    column : str
        The mobile column used.
    charset : str
        Charset of the file (``""`` for a DataFrame).
    counts : dict
        ``rows``, ``recipients`` and the number of rows of each
        ``mobile_issue`` category (what the reprs show).
    """

    frame: pd.DataFrame
    analysis: _LazyAnalysis = _LazyAnalysis()  # a dict; given, or made from facts and lines when first read
    column: str = ""
    charset: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    facts: dict[str, Any] | None = field(default=None, repr=False)  # the analysis but for its lists
    lines: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)  # valid, duplicate per line

    @cached_property
    def recipients(self) -> pd.DataFrame:
        return self.frame[self.frame["mobile_issue"].isna().to_numpy()]

    def __repr__(self) -> str:
        c = self.counts
        return (
            f"CleanResult(rows={c.get('rows')}, recipients={c.get('recipients')}, "
            f"invalid={c.get('invalid')}, not_mobile={c.get('not_mobile')}, empty={c.get('empty')}, "
            f"duplicate={c.get('duplicate')}, blacklisted={c.get('blacklisted')}, "
            f"column={self.column!r}, charset={self.charset!r})"
        )

    def _repr_html_(self) -> str:
        c = self.counts
        rows = [
            ("Rows in the list", c.get("rows")),
            ("Recipients to send", c.get("recipients")),
            ("Invalid numbers", c.get("invalid")),
            ("Not mobiles (fixed lines, ...)", c.get("not_mobile")),
            ("Empty", c.get("empty")),
            ("Duplicates", c.get("duplicate")),
            ("Blacklisted", c.get("blacklisted")),
        ]
        made = self.__dict__.get("_analysis")  # the facts while it is not: a summary makes no list of lines
        known: dict[str, Any] = self.facts if made is None and self.facts is not None else self.analysis
        countries = ", ".join(f"{k}: {v:,}" for k, v in list(known["validCountryCounter"].items())[:8])
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:right'>{v:,}</td></tr>"
            for k, v in rows
        )
        return (
            "<div><strong>Recipient list</strong> "
            f"<span>(mobile column {html.escape(repr(self.column))}, "
            f"charset {html.escape(self.charset or 'n/a')})</span>"
            f"<table>{body}<tr><th style='text-align:left'>Valid mobiles by country</th>"
            f"<td>{html.escape(countries)}</td></tr></table></div>"
        )


def _surrogate_error(frame: pd.DataFrame, what: str = "list") -> RecipientListError:
    """The error for a frame holding a lone surrogate (a slow scan: only on that error)."""
    for name in frame.columns:
        for i, value in enumerate(frame[name].tolist()):
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as exc:
                    return _surrogate(value[exc.start], what=what, line=i + 1, field=str(name))
    return _surrogate("\ud800", what=what)


def _surrogate(char: str, *, what: str, line: int | None = None, field: str | None = None) -> RecipientListError:
    error = surrogate_error(char, error=RecipientListError, what=what, line=line, field=field)
    assert isinstance(error, RecipientListError)
    return error


def _load(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        return parse_list(bytes(data))
    if hasattr(data, "read"):
        return parse_list(data.read())
    if isinstance(data, (str, os.PathLike)):
        return read_list(data)
    if isinstance(data, pd.Series) or (
        isinstance(data, (list, tuple)) and all(isinstance(v, str) or v is None for v in data)
    ):
        try:
            return pd.DataFrame({"mobile": pd.Series(list(data), dtype="string")})
        except UnicodeEncodeError:
            raise _surrogate_error(pd.DataFrame({"mobile": pd.Series(list(data), dtype=object)})) from None
    raise RecipientListError(
        f"cannot read a recipient list from {type(data).__name__}: pass a path, a file object, "
        "bytes, a DataFrame, or a list of numbers as text",
        rule="input-type",
    )


def _blacklist_numbers(blacklist: Any, region: str) -> pd.Series:
    if isinstance(blacklist, pd.DataFrame):
        lower = {str(c).strip().lower(): c for c in blacklist.columns}
        name = lower.get("item", lower.get("mobile"))
        if name is None:
            name = find_mobile_column(blacklist.columns)
        values = blacklist[name]
    elif isinstance(blacklist, pd.Series):
        values = blacklist
    elif isinstance(blacklist, (str, bytes)):
        raise RecipientListError(
            "blacklist must be an iterable of numbers, a Series or a DataFrame, not a single string",
            rule="blacklist",
            field="blacklist",
        )
    else:
        values = pd.Series(list(blacklist), dtype=object)
    return normalize_mobiles(values, region=region)["mobile_e164"].dropna()


def _blacklist_keys(blacklist: Any, region: str) -> np.ndarray:
    """The integer keys of the blacklist's numbers (those that can be a valid mobile's)."""
    keys = normalized_column(_blacklist_numbers(blacklist, region), region).keys
    banned = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    return np.unique(banned[banned >= 0])


def clean_recipients(
    data: Any,
    *,
    region: str = "FR",
    column: str | None = None,
    blacklist: Any = None,
) -> CleanResult:
    """Validate, normalise and de-duplicate a recipient list.

    Parameters
    ----------
    data : path, file object, bytes or pandas.DataFrame
        The list. Files are read with :func:`parse_list`.
    region : str, default "FR"
        Region of numbers written without a country code. With ``"FR"``,
        10-digit ``0...`` numbers that are not French mobiles are tried in
        GP, MQ, GF, RE, YT (see :mod:`mfanalytics.lists.phones`).
    column : str, optional
        The mobile column; by default the one named mobile/sms/portable/gsm.
    blacklist : iterable, pandas.Series or pandas.DataFrame, optional
        Numbers not to send to, in any format (normalised like the list). A
        DataFrame's ``item`` or ``mobile`` column is used.

    Returns
    -------
    CleanResult

    Raises
    ------
    RecipientListError
        Unreadable file, no mobile column, wrong field count on a line.

    Notes
    -----
    The numbers are normalised a chunk of rows at a time, two chunks at once in threads
    (:data:`mfanalytics.threads.WORKERS`; ``pyarrow.set_cpu_count(1)`` keeps it to
    one); the result does not depend on it.

    Examples
    --------
    >>> r = clean_recipients(b"mobile\\n0612345678\\n+33 6 12 34 56 78\\n0142685300\\n0756000000\\n",
    ...                      blacklist=["07 56 00 00 00"])
    >>> r.frame["mobile_issue"].tolist()
    [nan, 'duplicate', 'not_mobile', 'blacklisted']
    >>> len(r.recipients)
    1
    """
    source = _load(data)
    if column is None:
        column = find_mobile_column(source.columns)
    elif column not in source.columns:
        raise RecipientListError(
            f"no column {column!r} in the list; the header is {[str(c) for c in source.columns]}",
            rule="mobile-column",
            field=str(column),
        )
    region = region.upper()
    try:
        norm = normalized_column(source[column], region)
        release_memory(len(source))
        valid = norm.valid
        dup = _duplicates(norm)
        facts = _analyze(source, column, _country_counts(norm), valid)
        release_memory(len(source))
    except UnicodeEncodeError:
        raise _surrogate_error(source) from None
    codes = norm.issue
    codes[dup] = ISSUES.index("duplicate")
    if blacklist is not None:
        try:
            banned = _blacklist_keys(blacklist, region)
        except UnicodeEncodeError as exc:
            raise _surrogate(str(exc.object[exc.start]), what="blacklist", field="blacklist") from None
        at = 0
        for key in norm.keys:
            black = valid[at : at + len(key)] & np.isin(key, banned)
            codes[at : at + len(key)][black] = ISSUES.index("blacklisted")
            at += len(key)
    frame = source.copy(deep=False)
    for name, values in norm.frame(source.index).items():
        frame[name] = values  # the Series, same index: its array is not copied (.array would be)
    frame.attrs = dict(source.attrs)
    tally = np.pad(_bincount(codes.view(np.uint8)), (0, 256))  # no copy of the codes: -1 (to send) is 255
    counts = {"rows": len(frame), "recipients": int(tally[255])}
    counts.update({name: int(c) for name, c in zip(ISSUES, tally)})
    return CleanResult(
        frame=frame,
        facts=facts,
        lines=(valid.copy(), dup),  # frame's mobile_valid holds valid: an edit of it is not the list's
        column=str(column),
        charset=source.attrs.get("charset", ""),
        counts=counts,
    )
