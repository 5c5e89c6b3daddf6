"""Campaign reports (CSV or JSON) as the report frame.

Every reader returns the same typed DataFrame, one row per recipient line:

============================  =====================================  ==========================
column                        from                                   dtype
============================  =====================================  ==========================
campaign_id                   CAMPAIGN_ID / campaignId / argument    Int64
ref_list                      REF_LIST                               category
line                          ID_LINE                                Int32
mobile                        INT_MOBILE (as given)                  string[pyarrow]
status_code                   STATUS_CODE                            Int16
status_text                   STATUS_TEXT                            category
status, status_group          decoded (:mod:`~mfanalytics.reports.status_codes`)  category
is_final, is_delivered        decoded (NA for unknown codes)         boolean
delivered_at                  DELIVERYDATE                           datetime64[s, Europe/Paris]
reply                         REPLY                                  string[pyarrow]
is_stop                       code 17, or a reply whose first word   boolean
                              is STOP (any case)
preview_at, preview_count     PREVIEW, PREVIEW_COUNTER               datetime, Int32
track_N_at, track_N_clicks    TRACK_N, TRACK_N_COUNTER (each N)      datetime, Int32
clicks                        sum of track_N_clicks (empty = 0)      Int32
clicked                       clicks > 0 or any track_N_at           boolean
first_click_at                earliest track_N_at                    datetime
(the list's own columns)      names untouched                        category or string[pyarrow]
============================  =====================================  ==========================

Rules:

- Header names match :data:`REPORT_COLUMNS` ignoring case and surrounding
  spaces; INT_MOBILE and STATUS_CODE are required, every other report column
  is optional and, when absent, present in the frame as all-missing. With no
  TRACK column at all, ``clicks``/``clicked`` are NA (unknown, not zero).
- Empty cells are missing values (NA / NaT), in every column.
- A list column becomes ``category`` when it has at most half as many distinct
  values as non-empty values (each value used twice on average), else it stays
  ``string[pyarrow]``. A list column whose name equals a frame column (e.g.
  ``status``) or an earlier list column gets a ``_list`` suffix, with a warning.
- Unknown status codes decode to the group ``"unknown"``; never an error.
- A value that cannot be read (a malformed date, a counter that is not a whole
  number) raises :class:`~mfanalytics.errors.ReportFormatError` naming the
  column and the 1-based data line (the first record after the header is 1).
- A header-only CSV or an empty list of records is an empty frame with the
  same columns and dtypes. A zero-byte (or blank) payload raises
  ``ReportFormatError(rule="empty")``: it is not a report (the platform always
  sends the header), most likely a failed download.
- Dates are Paris wall-clock time, read strictly (see
  :mod:`mfanalytics.reports.schema` for the daylight-saving rule).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from functools import partial
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mfanalytics.charsets import (
    LINE_END_BYTES,
    Charset,
    charset_checked_early,
    charset_error,
    checked_charset,
    decode_utf8,
    encode_utf8,
    sniff_separator,
    without_bom,
)
from mfanalytics.errors import ReportFormatError
from mfanalytics.reports.assembly import Job, assemble_frame, typed_values
from mfanalytics.reports.exports import export_names, from_export
from mfanalytics.reports.schema import (
    REPORT_COLUMNS,
    map_columns,
    match_column,
    parse_integers,
)

__all__ = ["MAX_COLUMNS", "MAX_LINE_BYTES", "REPORT_COLUMNS", "read_report", "parse_report", "parse_report_json"]

_STRING = pd.StringDtype("pyarrow")
_CATEGORICAL = ("ref_list", "status_text")
_ENVELOPE_KEYS = ("rows", "report", "data", "content", "items", "results")
_SNIFF = 1 << 20
#: Limits no real report reaches (the platform sends about 20 columns plus the
#: list's own): beyond them a report is refused, in well under a second, with
#: ``rule="column-limit"`` (CSV columns, or distinct keys of the JSON records),
#: ``"line-size"`` (a CSV line, so a field, above MAX_LINE_BYTES bytes),
#: ``"header-size"`` or ``"json-depth"`` (JSON nested deeper than Python can read).
MAX_COLUMNS = 2_000
MAX_LINE_BYTES = 16 << 20


# -- public API --------------------------------------------------------------
def read_report(
    path_or_buffer: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    campaign_id: int | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Read a report CSV file into the report frame.

    Parameters
    ----------
    path_or_buffer : path or file object
        A CSV report as the platform sends it: ``;`` or ``,`` separated,
        UTF-8 (with or without BOM) or Windows-1252.
    campaign_id : int, optional
        Fills ``campaign_id`` where the file has no campaign id column or an
        empty cell; a conflicting value in the file is an error.
    lang : {"en", "fr"}
        Language of the ``status`` labels.

    Returns
    -------
    pandas.DataFrame
        The report frame (see the module documentation).

    Examples
    --------
    >>> import io
    >>> body = b"INT_MOBILE;STATUS_CODE;DELIVERYDATE\\n+33612345678;16;12/01/2025 09:15:00\\n"
    >>> read_report(io.BytesIO(body), campaign_id=42)[["campaign_id", "status_group", "delivered_at"]]
       campaign_id status_group              delivered_at
    0           42    delivered 2025-01-12 09:15:00+01:00
    """
    if isinstance(path_or_buffer, (str, os.PathLike)):
        path = os.path.expanduser(os.fspath(path_or_buffer))
        with open(path, "rb") as fh:
            prefix = fh.read(_SNIFF)
        return _from_csv(prefix, lambda: pa.memory_map(path), campaign_id=campaign_id, lang=lang)
    data = path_or_buffer.read()
    return parse_report(data, campaign_id=campaign_id, lang=lang)


def parse_report(
    data: bytes | bytearray | memoryview | str,
    *,
    campaign_id: int | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Parse a report CSV given as bytes or text (e.g. an HTTP body).

    Parameters and result as :func:`read_report`.

    Examples
    --------
    >>> csv = "INT_MOBILE;STATUS_CODE;DELIVERYDATE\\n+33612345678;16;05/03/2025 09:15:00\\n"
    >>> parse_report(csv, campaign_id=1)["delivered_at"].iloc[0]
    Timestamp('2025-03-05 09:15:00+0100', tz='Europe/Paris')
    """
    if isinstance(data, str):
        data = encode_utf8(data, error=ReportFormatError, what="report")
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"parse_report takes bytes or str, not {type(data).__name__}; use read_report for files")
    data = bytes(data) if not isinstance(data, bytes) else data
    return _from_csv(data[:_SNIFF], lambda: pa.BufferReader(data), campaign_id=campaign_id, lang=lang)


def parse_report_json(
    records: Sequence[Mapping[str, Any]] | Mapping[str, Any] | str | bytes,
    *,
    campaign_id: int | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Turn JSON report records (``/campaigns/reportjson``) into the report frame.

    Parameters
    ----------
    records : list of dict, dict, str or bytes
        The records: one dict per recipient line, keyed like the CSV columns
        (any case; ``campaignId`` accepted); values strings, numbers or null.
        JSON text or bytes is decoded first. An envelope dict holding the list
        under one of the keys ``rows``, ``report``, ``data``, ``content``,
        ``items`` or ``results`` is accepted; its ``campaignId`` (if any) is
        used when ``campaign_id`` is not given. A record value that is itself
        a dict (e.g. ``"fields": {"PRENOM": ...}``) is spread into list columns.
        Other keys become list columns.
    campaign_id, lang
        As :func:`read_report`.

    Examples
    --------
    >>> parse_report_json([{"INT_MOBILE": "+33612345678", "STATUS_CODE": 17}])["is_stop"].tolist()
    [True]
    """
    if isinstance(records, (bytes, bytearray, memoryview, str)):
        text = (
            records
            if isinstance(records, str)
            else decode_utf8(bytes(records), error=ReportFormatError, what="JSON report")
        )
        if not text.strip():
            raise ReportFormatError("The JSON report is empty.", rule="empty")
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReportFormatError(f"The JSON report is not valid JSON: {exc}", rule="json", line=exc.lineno) from exc
        except RecursionError:
            raise ReportFormatError(
                "The JSON report is nested deeper than it can be read: records are flat objects.", rule="json-depth"
            ) from None
    if isinstance(records, Mapping):
        key = next((k for k in records if k in _ENVELOPE_KEYS and isinstance(records[k], list)), None)
        if key is None:
            raise ReportFormatError(
                f"A JSON report dict must hold its records under one of {', '.join(_ENVELOPE_KEYS)}.",
                rule="json-shape",
            )
        if campaign_id is None:
            campaign_id = next((records[k] for k in records if (match_column(k) or ("",))[0] == "campaign_id"), None)
        records = records[key]
    if not isinstance(records, list):
        raise ReportFormatError("A JSON report must be a list of records.", rule="json-shape")
    if not all(type(r) is dict for r in records):
        bad = next((i for i, r in enumerate(records) if not isinstance(r, Mapping)), None)
    else:
        bad = None
    if bad is not None:
        raise ReportFormatError(f"Record {bad + 1} is not an object.", rule="json-shape", line=bad + 1)
    _check_keys(records, "")
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    columns: list[tuple[str, Any]] = []
    for name in frame.columns:
        col = frame[name]
        first = col.dropna().iloc[0] if col.notna().any() else None
        if isinstance(first, Mapping):
            inner = [v if isinstance(v, Mapping) else {} for v in col]
            _check_keys(inner, f" under {str(name)[:40]!r}", len(frame.columns) + len(columns))
            spread = pd.DataFrame.from_records(inner, index=frame.index)
            columns.extend((str(k), spread[k]) for k in spread.columns)
        else:
            columns.append((str(name), col))
    report_cols, extras = map_columns([n for n, _ in columns], required=bool(records))
    jobs: list[Job] = [
        (t[0], t[1], partial(_json_values, col, t[1], name))
        for (name, col), t in zip(columns, report_cols)
        if t is not None
    ]
    jobs += [(out, "list", partial(_json_values, columns[i][1], "string", columns[i][0])) for i, out in extras]
    return assemble_frame(jobs, len(frame), campaign_id=campaign_id, lang=lang)


def _check_keys(records: Sequence[Mapping[str, Any]], where: str, already: int = 0) -> None:
    """Refuse records with more distinct keys than MAX_COLUMNS, before building a frame of them."""
    keys = set().union(*records) if records else set()
    if len(keys) + already > MAX_COLUMNS:
        raise ReportFormatError(
            f"The JSON records hold {len(keys):,} distinct keys{where}; a report has at most {MAX_COLUMNS:,} columns.",
            rule="column-limit",
        )


# -- CSV ---------------------------------------------------------------------
def _from_csv(prefix: bytes, source: Callable[[], Any], *, campaign_id: int | None, lang: str) -> pd.DataFrame:
    """Sniff BOM, encoding and separator; ``source()`` opens the whole body."""
    if lang not in ("en", "fr"):
        raise ValueError(f"lang must be 'en' or 'fr', not {lang!r}")
    body = without_bom(prefix)
    if not body.strip():
        raise ReportFormatError("The report is empty: not even a header line.", rule="empty")
    first_end = LINE_END_BYTES.search(body)
    if first_end is None and len(prefix) >= _SNIFF:
        raise ReportFormatError(
            f"The header line is longer than {_SNIFF:,} bytes: not a report (is the separator right?).",
            rule="header-size",
            line=1,
        )
    header_bytes = body[: first_end.start()] if first_end else body
    if not header_bytes.strip():
        raise ReportFormatError("The first line is empty: a report starts with its header line.", rule="header", line=1)
    # A quote in the header could make the reader skip more than its first line: then the file is checked whole.
    early = b'"' not in header_bytes
    charset, whole = charset_checked_early(source, error=ReportFormatError, what="report", utf16=False, early=early)
    try:
        return _csv_frame(charset, body, source, campaign_id=campaign_id, lang=lang)
    except Exception:
        if not whole:  # the rest of the file was left to Arrow's UTF-8 reading: a mixed file is refused as before
            checked_charset(source, error=ReportFormatError, what="report", utf16=False)
        raise


def _csv_frame(
    charset: Charset,
    body: bytes,
    source: Callable[[], Any],
    *,
    campaign_id: int | None,
    lang: str,
) -> pd.DataFrame:
    """The frame of a CSV report whose charset is known (UTF-8 fields are validated by Arrow as read);
    ``body`` is the start of the file, its BOM left out."""
    encoding = "utf8" if charset.codec == "utf-8" else charset.codec
    first_end = LINE_END_BYTES.search(body)
    header_bytes = body[: first_end.start()] if first_end else body
    try:
        header_text = header_bytes.decode(charset.codec)
    except UnicodeDecodeError as exc:
        raise charset_error(ReportFormatError, "report", "header is neither UTF-8 nor Windows-1252") from exc
    sep = sniff_separator(header_text)
    if header_text.count(sep) >= MAX_COLUMNS:
        raise ReportFormatError(
            f"The header has {header_text.count(sep) + 1:,} columns; a report has at most {MAX_COLUMNS:,}.",
            rule="column-limit",
            line=1,
        )
    names = next(csv.reader([header_text], delimiter=sep))
    names, export = export_names(names)
    report_cols, extras = ([], []) if export else map_columns(names)
    int_types = {i: t[1] for i, t in enumerate(report_cols) if t is not None and t[1].startswith("int")}
    # columns that the reader dictionary-encodes as it goes: the report's categories, and the list
    # columns that repeat values at the start of the file (the frame's rule is still applied after)
    dicts = {i for i, t in enumerate(report_cols) if t is not None and t[0] in _CATEGORICAL}
    dicts |= _repeating(body, len(names), sep, encoding, [i for i, _ in extras]) if extras else set()
    if first_end is None:  # a header without a line end: no rows
        table = pa.table({f"c{i}": pa.array([], pa.string()) for i in range(len(names))})
    else:
        table = _read_table(source, len(names), sep, encoding, {} if export else int_types, set() if export else dicts)
    if export:
        return from_export(table, names, campaign_id=campaign_id, lang=lang)
    jobs: list[Job] = [
        (t[0], t[1], partial(typed_values, table.column(i), t[1], names[i]))
        for i, t in enumerate(report_cols)
        if t is not None
    ]
    jobs += [(out, "list", partial(table.column, i)) for i, out in extras]
    return assemble_frame(jobs, table.num_rows, campaign_id=campaign_id, lang=lang)


def _repeating(body: bytes, ncols: int, sep: str, encoding: str, columns: list[int]) -> set[int]:
    """The ``columns`` whose values repeat in the first lines of the file (:data:`_SNIFF` bytes).

    A guess, made to read them as dictionaries: a column of which at most 90 % of the values are
    distinct in those lines is most likely a category (the frame's rule is applied to the whole
    column after); none when those lines cannot be read.
    """
    end = max(body.rfind(b"\n"), body.rfind(b"\r"))
    names = [f"c{i}" for i in range(ncols)]
    try:
        sample = pacsv.read_csv(
            pa.BufferReader(body[: end + 1]),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=encoding, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={names[i]: pa.string() for i in columns},
                include_columns=[names[i] for i in columns],
                null_values=[""],
                strings_can_be_null=True,
            ),
        )
    except (pa.ArrowException, ValueError):  # a guess: the reading proper reports what is wrong
        return set()
    out = set()
    for i in columns:
        col = sample.column(names[i])
        if int(pc.count_distinct(col).as_py()) <= 0.9 * (len(col) - col.null_count):
            out.add(i)
    return out


def _read_table(
    source: Callable[[], Any],
    ncols: int,
    sep: str,
    encoding: str,
    int_types: dict[int, str],
    dictionaries: Collection[int] = (),
) -> pa.Table:
    """Read the CSV body: integer columns typed by the reader, the ``dictionaries`` columns as
    dictionaries of text, the rest as text.

    On failure, retries with quoted newlines allowed, then with every column
    as text so that the value parsers can name the column and line of a bad
    value. A line longer than a block is read with blocks of
    :data:`MAX_LINE_BYTES`; a longer one is refused.
    """
    names = [f"c{i}" for i in range(ncols)]
    typed = {n: pa.string() for n in names}
    typed.update({names[i]: pa.dictionary(pa.int32(), pa.string()) for i in dictionaries})
    typed.update({names[i]: getattr(pa, kind)() for i, kind in int_types.items()})
    text = {n: pa.string() for n in names}
    attempts = [(typed, False), (typed, True), (text, True)]
    last: Exception | None = None
    block = min(1 << 20, MAX_LINE_BYTES)  # pyarrow's default; grown once for a long line
    while True:
        for types, newlines in attempts:
            try:
                return pacsv.read_csv(
                    source(),
                    read_options=pacsv.ReadOptions(
                        column_names=names, skip_rows=1, encoding=encoding, block_size=block
                    ),
                    parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=newlines),
                    convert_options=pacsv.ConvertOptions(
                        column_types=types, null_values=[""], strings_can_be_null=True
                    ),
                )
            except pa.ArrowInvalid as exc:
                last = exc
                if "straddl" in str(exc):  # one line spans blocks
                    break
            except UnicodeDecodeError as exc:
                raise charset_error(
                    ReportFormatError, "report", f"is neither UTF-8 nor Windows-1252 (byte at offset {exc.start:,})"
                ) from None
        else:
            raise _structure_error(source, names, sep, last)
        if block >= MAX_LINE_BYTES:
            raise ReportFormatError(
                f"A line of the report is longer than {MAX_LINE_BYTES:,} bytes (or a quote opened on it is "
                "never closed): no report holds such a field.",
                rule="line-size",
            )
        block = MAX_LINE_BYTES


def _structure_error(source: Callable[[], Any], names: list[str], sep: str, exc: Exception | None) -> ReportFormatError:
    """Find the first row with the wrong number of fields, single-threaded."""
    bad: list[Any] = []

    def handler(row: Any) -> str:
        bad.append(row)
        return "error"

    try:
        pacsv.read_csv(
            source(),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, encoding="latin-1"),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}),
        )
    except pa.ArrowInvalid:
        pass
    if bad:
        row = bad[0]
        line = row.number - 1 if row.number is not None else None
        return ReportFormatError(
            f"Data line {line} (line {row.number} of the file) has {row.actual_columns} fields, "
            f"the header has {row.expected_columns}.",
            rule="column-count",
            line=line,
        )
    return ReportFormatError(f"The report cannot be read as CSV: {exc}", rule="csv")


# -- JSON values -------------------------------------------------------------
def _json_values(col: pd.Series, kind: str, field: str) -> Any:
    """One JSON column to what :func:`_typed` returns, via text where needed."""
    if (
        kind.startswith("int")
        and pd.api.types.is_numeric_dtype(col.dtype)
        and not pd.api.types.is_bool_dtype(col.dtype)
    ):
        values = col.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isnan(values) | (np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2**53))
        if not whole.all():
            i = int(np.argmax(~whole))
            raise ReportFormatError(
                f"Column {field!r}, data line {i + 1}: {values[i]!r} is not a whole number >= 0.",
                rule="integer",
                field=field,
                line=i + 1,
            )
        ints = pa.array(np.nan_to_num(values, nan=0).astype(np.int64), mask=np.isnan(values))
        return parse_integers(ints, kind, field)
    if pd.api.types.is_float_dtype(col.dtype):  # whole numbers with nulls: no "75001.0"
        values = col.to_numpy(dtype="float64", na_value=np.nan)
        finite = values[~np.isnan(values)]
        if np.all((finite == np.round(finite)) & (np.abs(finite) < 2**53)):
            col = col.astype("Int64")
    text = col.astype(_STRING)
    arr = pa.array(text.array)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return typed_values(arr, kind, field)
