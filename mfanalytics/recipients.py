"""Recipient lists: read them, clean them, and analyse them as ``/lists/upload`` does.

A list is a CSV file with a header line, separated by ``;`` or ``,`` (or a
tab), in UTF-8 (with or without BOM), UTF-16 (by its BOM) or Windows-1252.
Its columns are kept as strings exactly as written (``CP`` keeps its leading
zero, accents stay accents). The mobile column is the one named ``mobile``,
``sms``, ``portable`` or ``gsm`` (any case, surrounding spaces ignored), as
the API guide says, unless you name it.

Line numbers are 1-based *data* lines: the first line after the header is
line 1, and empty lines are not counted, as in the guide's ``invalidLineList``.

Examples
--------
>>> from mfanalytics.recipients import clean_recipients
>>> result = clean_recipients(b"NOM;mobile\\nDupont;06 12 34 56 78\\nMartin;0612345678\\n")
>>> result.recipients[["NOM", "mobile_e164"]]
      NOM   mobile_e164
0  Dupont  +33612345678
>>> result.analysis["lineDuplicateMobile"]
['2']
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mfanalytics.errors import RecipientListError
from mfanalytics.phones import ISSUE_DTYPE, normalize_mobiles

__all__ = [
    "MOBILE_COLUMN_NAMES",
    "CleanResult",
    "analyze_list",
    "clean_recipients",
    "find_mobile_column",
    "parse_list",
    "read_list",
]

#: Column names recognised as the mobile column (compared stripped, lower case).
MOBILE_COLUMN_NAMES: tuple[str, ...] = ("mobile", "sms", "portable", "gsm")
_STRING = pd.StringDtype("pyarrow")
_ADDED = ("mobile_e164", "mobile_valid", "mobile_country", "mobile_issue")
_MAX_LINES_IN_MESSAGE = 10


# --------------------------------------------------------------------------- reading
# UTF-8 of characters whose Windows-1252 reading is mojibake that French text
# never holds: À..ÿ ("Ã©"), nbsp and ° « » ("Â°"), Œ œ Ÿ ("Å“"), ‐..… with the
# quotes ’ “ ” ("â€™") and € ("â‚¬"). Finding one in a file that is not valid
# UTF-8 means a UTF-8 file with a stray byte, not a Windows-1252 file. The same
# rule as reports._UTF8_MULTIBYTE, plus the \xc2 and \xe2\x80 rows.
_UTF8_MULTIBYTE = re.compile(rb"\xc3[\x80-\xbf]|\xc2[\xa0-\xbf]|\xc5[\x92\x93\xb8]|\xe2\x80[\x90-\xa6]|\xe2\x82\xac")
_NOT_2_BYTE_LEADS = bytes(b for b in range(256) if b not in (0xC2, 0xC3, 0xC5))
_LINE_END = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A last record appended to every list: if it does not come back as the last
# row, an unclosed quote swallowed it (and every line before it).
_END_MARK = "\x00mfanalytics:end-of-list\x00"


def _data_line_at(text: str, pos: int) -> int:
    """1-based data line holding ``text[pos]`` (0: the header), empty lines not counted.

    Counts physical lines, so a quoted field spanning lines shifts it; only
    used to name the line in an error.
    """
    lines = _LINE_END.split(text[:pos].lstrip("\ufeff\r\n"))
    return sum(1 for line in lines[1:-1] if line) + 1 if len(lines) > 1 else 0


def _where(line: int) -> str:
    return "the header" if line == 0 else f"data line {line}"


def _decode(data: bytes) -> tuple[str, str]:
    """Text and charset name: UTF-16 by BOM, strict UTF-8 (BOM aware), else Windows-1252.

    A file that is UTF-8 but for a stray byte is refused (``rule="mixed-encoding"``)
    rather than read whole as Windows-1252, which would change every accent.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc, name = "utf-16", "UTF-16"
    elif len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        enc, name = "utf-16-le", "UTF-16"
    elif len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        enc, name = "utf-16-be", "UTF-16"
    else:
        try:
            return data.decode("utf-8-sig"), "UTF-8"
        except UnicodeDecodeError as exc:
            _refuse_mixed_encodings(data, exc.start)
            enc, name = "cp1252", "WINDOWS-1252"
    try:
        return data.decode(enc), name
    except UnicodeDecodeError as exc:
        raise RecipientListError(
            f"the list is neither UTF-8, UTF-16 nor Windows-1252: byte {data[exc.start]:#04x} "
            f"at offset {exc.start} cannot be decoded; save it as UTF-8 and try again",
            rule="charset",
        ) from None


def _refuse_mixed_encodings(data: bytes, start: int) -> None:
    """Refuse a UTF-8 list with a stray byte at ``start`` (the first byte that is not UTF-8)."""
    if data.startswith(b"\xef\xbb\xbf"):
        start += 3  # utf-8-sig reports offsets after its BOM
    maybe = bool(data.translate(None, _NOT_2_BYTE_LEADS)) or b"\xe2\x80" in data or b"\xe2\x82\xac" in data
    if not (maybe and _UTF8_MULTIBYTE.search(data)):  # cheap tests first: "â" is common in French
        return  # no UTF-8 accent anywhere: a Windows-1252 file
    line = _data_line_at(data[:start].decode("utf-8", errors="replace"), start)
    raise RecipientListError(
        f"the list is UTF-8 but {_where(line)} holds a byte that is not UTF-8 "
        f"({data[start]:#04x} at offset {start}): mixed encodings; fix that line or "
        "save the whole list again as UTF-8",
        rule="mixed-encoding",
        line=line,
    )


def _separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda s: counts[s])  # ties: ';' first, as the guide's lists
    return best if counts[best] else ";"


def parse_list(data: bytes | str) -> pd.DataFrame:
    """Read a recipient list from bytes (charset detected) or text.

    Parameters
    ----------
    data : bytes or str
        The file's content. Bytes are decoded as UTF-16 when they start with
        a UTF-16 BOM, else as UTF-8 (BOM removed) when that is valid, else as
        Windows-1252.

    Returns
    -------
    pandas.DataFrame
        One row per data line, every column ``string[pyarrow]`` exactly as in
        the file (quotes removed, nothing trimmed, empty fields are ``""``).
        ``attrs["charset"]`` is ``"UTF-8"``, ``"WINDOWS-1252"`` or ``"UTF-16"``
        (``"UTF-8"`` for text), ``attrs["separator"]`` the separator.

    Raises
    ------
    RecipientListError
        ``rule="empty-file"`` for an empty file, ``"duplicate-header"`` when
        two columns have the same name, ``"field-count"`` (with ``line``) when
        a line has more or fewer fields than the header, ``"unclosed-quote"``
        (with the line where it opened) when a quote is never closed,
        ``"charset"``, ``"mixed-encoding"`` (with ``line``) for a UTF-8 file
        holding a byte that is not UTF-8, ``"surrogate"`` (with ``line``) for
        text holding a lone surrogate, ``"not-csv"`` when the first line is
        binary data, ``"header"`` or ``"csv"`` when it cannot be read as CSV.
        Lines may end with LF, CRLF or CR; a header without a final line end
        is a list of 0 rows.

    Examples
    --------
    >>> df = parse_list("CP;mobile\\n01000;0612345678\\n".encode("cp1252"))
    >>> df["CP"].tolist(), df.attrs["charset"], df.attrs["separator"]
    (['01000'], 'UTF-8', ';')
    """
    if isinstance(data, str):
        text, charset = data.removeprefix("\ufeff"), "UTF-8"
    elif isinstance(data, (bytes, bytearray, memoryview)):
        text, charset = _decode(bytes(data))
    else:
        raise RecipientListError(
            f"parse_list takes bytes or text, not {type(data).__name__}; use read_list for a path",
            rule="input-type",
        )
    if not text.strip():
        raise RecipientListError("the list is empty: no header line", rule="empty-file")
    text = text.lstrip("\r\n")
    end = text.find("\n")
    cr = text.find("\r", 0, len(text) if end < 0 else end)  # CR-only line ends: old Mac exports
    end = cr if cr >= 0 else end
    first = text if end < 0 else text[:end]
    sep = _separator(first)
    # a quoted header may span lines; newline="" lets csv see \r, \n and \r\n as line ends
    source = io.StringIO(text, newline="") if '"' in first else [first]
    try:
        header = next(csv.reader(source, delimiter=sep))
    except (csv.Error, StopIteration) as exc:
        raise RecipientListError(
            f"the header line cannot be read as CSV ({exc}); the first line must be the column names",
            rule="header",
            line=0,
        ) from None
    body = text
    if isinstance(source, io.StringIO) and source.tell() >= len(text):  # the header ran to the end
        try:
            next(csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True))
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise RecipientListError(
                    "a quote opened in the header is never closed, so the whole file would be read as "
                    'the header; close the quote (a quote inside a name is written twice: "")',
                    rule="unclosed-quote",
                    line=0,
                ) from None
    if isinstance(source, io.StringIO) and source.tell() > len(first) + 2:
        # a quoted header name holding a line break: the parser skips one
        # physical line, so give it a one-line stand-in for the header
        body = "header\n" + text[source.tell():]
    if _CONTROL.search("".join(header)):
        raise RecipientListError(
            "the file is not a CSV list: its first line holds control characters (binary data?); "
            "export the list as CSV with a header line such as mobile;NOM",
            rule="not-csv",
            line=0,
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise RecipientListError(
            f"the header has duplicate column names {dupes}: header {header}",
            rule="duplicate-header",
            line=0,
        )
    names = [f"c{i}" for i in range(len(header))]
    bad: list[tuple[int, int]] = []

    def on_bad_row(row) -> str:
        bad.append((row.number - 1 if row.number is not None else -1, row.actual_columns))
        return "skip"

    try:
        payload = body.encode("utf-8")
    except UnicodeEncodeError:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            line = _data_line_at(text, exc.start)
            raise RecipientListError(
                f"{_where(line)} holds {text[exc.start]!r}, half of a UTF-16 surrogate pair, which no file "
                "can hold (text decoded with errors='surrogateescape'?); decode the file with its real "
                "charset, or pass the bytes",
                rule="surrogate",
                line=line,
            ) from None
        raise
    # The end mark makes sure the parser sees a last line end (a header-only
    # list saved without one is 0 rows) and shows a quote left open.
    ending = "" if body.endswith(("\n", "\r")) else "\n"
    payload += (ending + _END_MARK + sep * (len(names) - 1) + "\n").encode("utf-8")
    table = _read_csv(payload, names, sep, on_bad_row)
    last = table.num_rows - 1
    if last < 0 or table.column(0)[last].as_py() != _END_MARK:
        line = table.num_rows + len(bad)  # the quote opened on the last record read
        start = table.column(len(names) - 1)[last].as_py() if last >= 0 and not bad else None
        shown = f" ({start.split(chr(10))[0][:30]!r}...)" if start else ""
        raise RecipientListError(
            f"a quote opened on {_where(line)}{shown} is never closed, so every line after it would be "
            f"read as one field; close the quote (a quote inside a value is written twice: \"\")",
            rule="unclosed-quote",
            line=line,
        )
    table = table.slice(0, last)
    if bad:
        shown = ", ".join(f"line {n} has {k}" for n, k in bad[:_MAX_LINES_IN_MESSAGE])
        more = f" and {len(bad) - _MAX_LINES_IN_MESSAGE} more" if len(bad) > _MAX_LINES_IN_MESSAGE else ""
        raise RecipientListError(
            f"{len(bad)} line(s) do not have the {len(header)} fields of the header: {shown}{more}",
            rule="field-count",
            line=bad[0][0],
        )
    frame = table.to_pandas(types_mapper={pa.string(): _STRING}.get)
    frame.columns = header
    frame.attrs["charset"] = charset
    frame.attrs["separator"] = sep
    return frame


def _read_csv(payload: bytes, names: list[str], sep: str, on_bad_row) -> pa.Table:
    """Every field as a string; a field larger than a block is read with one block."""
    block = 1 << 20
    while True:
        try:
            return pacsv.read_csv(
                io.BytesIO(payload),
                read_options=pacsv.ReadOptions(
                    column_names=names, skip_rows=1, use_threads=False, block_size=block
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=sep, quote_char='"', newlines_in_values=True, invalid_row_handler=on_bad_row
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            if "straddl" in str(exc) and block < len(payload):
                block = min(len(payload) + 1, (1 << 31) - 1)
                continue
            raise RecipientListError(
                f"the list cannot be read as CSV ({exc}); export it as CSV, ';' or ',' separated, "
                "with a header line",
                rule="csv",
            ) from None


def read_list(path: str | os.PathLike) -> pd.DataFrame:
    """Read a recipient list file; see :func:`parse_list`.

    ``attrs["name"]`` is the file name without extension.

    Examples
    --------
    >>> df = read_list("data_samples/liste_demo.csv")
    >>> df.attrs["charset"]
    'WINDOWS-1252'
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL or a lone surrogate in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        hint = (
            "; this looks like the list's text, not a path: pass it as bytes (text.encode()) "
            "or use parse_list"
            if any(c in str(path) for c in "\n\r") else ""
        )
        raise RecipientListError(
            f"cannot read the list {str(path)[:80]!r}: {reason}{hint}", rule="file"
        ) from None
    frame = parse_list(data)
    frame.attrs["name"] = path.stem
    return frame


def find_mobile_column(columns: Iterable[str]) -> str:
    """The mobile column of a header: ``mobile``, ``sms``, ``portable`` or ``gsm``.

    Names are compared stripped and in lower case; the first match in header
    order wins.

    Raises
    ------
    RecipientListError
        ``rule="mobile-column"`` naming the header that was seen.

    Examples
    --------
    >>> find_mobile_column(["Nom", " SMS "])
    ' SMS '
    """
    columns = list(columns)
    for name in columns:
        if str(name).strip().lower() in MOBILE_COLUMN_NAMES:
            return name
    raise RecipientListError(
        f"no mobile column: the list needs a column named mobile, sms, portable or gsm "
        f"(any case), or pass column=; the header is {[str(c) for c in columns]}",
        rule="mobile-column",
        field="header",
    )


# --------------------------------------------------------------------------- analysis
def _as_text(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.StringDtype):
        return series
    return series.astype(_STRING)


def analyze_list(
    frame: pd.DataFrame,
    *,
    column: str | None = None,
    region: str = "FR",
    normalized: pd.DataFrame | None = None,
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
    normalized : pandas.DataFrame, optional
        :func:`~mfanalytics.phones.normalize_mobiles` of the mobile column, if
        already computed.

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
            normalized = normalize_mobiles(frame[column], region=region)
        valid, dup = _valid_and_duplicates(normalized)
        return _analyze(frame, column, normalized, valid, dup)
    except UnicodeEncodeError:
        raise _surrogate_error(frame) from None


def _valid_and_duplicates(normalized: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Valid mobiles, and those equal to an earlier valid one (duplicates)."""
    valid = normalized["mobile_valid"].to_numpy(dtype=bool, na_value=False)
    e164 = pa.array(normalized["mobile_e164"].array).cast(pa.string())
    digits = pc.utf8_slice_codeunits(e164.filter(pa.array(valid)), 1)
    if len(digits) and pc.max(pc.utf8_length(digits)).as_py() > 18:  # not int64-safe: hash strings
        codes = pd.factorize(normalized["mobile_e164"], use_na_sentinel=True)[0][valid]
    else:  # a valid E.164 number is "+" and at most 15 digits: an integer key is exact
        codes = digits.cast(pa.int64()).to_numpy()
    dup = np.zeros(len(valid), dtype=bool)
    dup[valid] = pd.Series(codes).duplicated(keep="first").to_numpy()
    return valid, dup


def _analyze(frame: pd.DataFrame, column, normalized: pd.DataFrame, valid: np.ndarray, dup: np.ndarray) -> dict:
    countries = normalized["mobile_country"][valid].value_counts(sort=False)
    countries = sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))
    n = len(frame)
    header = [str(c) for c in frame.columns]
    sizes: dict[str, dict[str, int]] = {}
    longest: dict[str, str] = {}
    empty_keys: list[str] = []
    line_len = np.zeros(n, dtype=np.int64)
    for name, key in zip(frame.columns, header):
        text = _as_text(frame[name])
        lengths = text.str.len().fillna(0).to_numpy(dtype=np.int64)
        line_len += lengths
        counts = np.bincount(lengths) if n else np.zeros(0, dtype=np.int64)
        sizes[key] = {str(k): int(c) for k, c in enumerate(counts) if c}
        longest[key] = str(text.iloc[int(np.argmax(lengths))]) if n else ""
        if name != column and n and (text.isna() | (text.str.strip() == "")).any():
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
        "invalidLineList": (np.flatnonzero(~valid) + 1).tolist(),
        "globalInvalidLine": 0,
        "lineDuplicateMobile": [str(i) for i in (np.flatnonzero(dup) + 1).tolist()],
        "countDuplicateMobile": int(dup.sum()),
        "lineDuplicateEmail": [],
        "countDuplicateEmail": 0,
        "validCountryCounter": {str(k): int(v) for k, v in countries},
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
@dataclass(repr=False)
class CleanResult:
    """What :func:`clean_recipients` found.

    Attributes
    ----------
    frame : pandas.DataFrame
        Every input row, in order: the list's own columns untouched, plus
        ``mobile_e164``, ``mobile_valid``, ``mobile_country`` and
        ``mobile_issue`` (categories ``empty``, ``invalid``, ``not_mobile``,
        ``duplicate``, ``blacklisted``; NA for a row to send).
    recipients : pandas.DataFrame
        The rows to send: valid mobiles, first occurrence, not blacklisted.
    analysis : dict
        :func:`analyze_list` of the list (guide section 2.9.1).
    column : str
        The mobile column used.
    charset : str
        Charset of the file (``""`` for a DataFrame).
    counts : dict
        ``rows``, ``recipients`` and the number of rows of each
        ``mobile_issue`` category (what the reprs show).
    """

    frame: pd.DataFrame
    recipients: pd.DataFrame
    analysis: dict
    column: str
    charset: str
    counts: dict = field(default_factory=dict)

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
        countries = ", ".join(f"{k}: {v:,}" for k, v in list(self.analysis["validCountryCounter"].items())[:8])
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


def _surrogate_error(frame: pd.DataFrame) -> RecipientListError:
    """The error for a frame holding a lone surrogate (a slow scan: only on that error)."""
    for name in frame.columns:
        for i, value in enumerate(frame[name].tolist()):
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as exc:
                    return RecipientListError(
                        f"column {str(name)!r}, data line {i + 1} holds {value[exc.start]!r}, half of a "
                        "UTF-16 surrogate pair, which no list can hold; decode the source with its real charset",
                        rule="surrogate",
                        field=str(name),
                        line=i + 1,
                    )
    return RecipientListError(
        "the list holds a lone UTF-16 surrogate, which no list can hold; decode the source with its real charset",
        rule="surrogate",
    )


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
        GP, MQ, GF, RE, YT (see :mod:`mfanalytics.phones`).
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
        norm = normalize_mobiles(source[column], region=region)
        valid, dup = _valid_and_duplicates(norm)
        analysis = _analyze(source, column, norm, valid, dup)
    except UnicodeEncodeError:
        raise _surrogate_error(source) from None
    black = np.zeros(len(norm), dtype=bool)
    if blacklist is not None:
        try:
            banned = _blacklist_numbers(blacklist, region)
        except UnicodeEncodeError:
            raise RecipientListError(
                "the blacklist holds a lone UTF-16 surrogate, which no number can hold; "
                "decode its source with its real charset",
                rule="surrogate",
                field="blacklist",
            ) from None
        black = valid & norm["mobile_e164"].isin(banned).to_numpy(dtype=bool, na_value=False)
    codes = norm["mobile_issue"].cat.codes.to_numpy().copy()
    codes[dup] = ISSUE_DTYPE.categories.get_loc("duplicate")
    codes[black] = ISSUE_DTYPE.categories.get_loc("blacklisted")
    issue = pd.Categorical.from_codes(codes, dtype=ISSUE_DTYPE)
    frame = source.copy(deep=False)
    for name in _ADDED[:-1]:
        frame[name] = norm[name].array
    frame["mobile_issue"] = issue
    frame.attrs = dict(source.attrs)
    recipients = frame[codes < 0]
    counts = {"rows": len(frame), "recipients": len(recipients)}
    counts.update({k: int(v) for k, v in pd.Series(issue).value_counts(sort=False).items()})
    return CleanResult(
        frame=frame,
        recipients=recipients,
        analysis=analysis,
        column=str(column),
        charset=source.attrs.get("charset", ""),
        counts=counts,
    )
