"""Exports that are safe to open in a spreadsheet, and that read back exactly.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read as a formula by Excel and LibreOffice (CSV injection). A reply
``=HYPERLINK(...)`` or a list field written by someone else must not run when
a colleague opens the export. Following OWASP's CSV-injection guidance:

- every field is quoted (and a quote inside a field doubled), so a separator
  inside a field never ends the cell, whatever separator the file is opened
  with;
- a risky cell gets a leading apostrophe, which spreadsheets show as text;
  so does a risky character that follows a character that may end a cell
  when the file is opened with another separator or a reader that ignores
  the quotes (``,`` ``;`` tab ``|`` a line break or ``"``): ``"a,=cmd"``
  is written ``"a,'=cmd"``;
- apostrophes already there before a risky character get one more, so that
  :func:`restore_formulas` can undo exactly what :func:`neutralize_formulas`
  did. The readers (:func:`~mfanalytics.reports.parsing.read_report`,
  :func:`~mfanalytics.read_list`) recognise an export by its header
  (the report frame's own column names, or the four columns that
  :func:`~mfanalytics.clean_recipients` adds) and undo it.

Plain numbers (``-12.5``, ``+33612345678``) are left as they are, in every
column: they cannot run anything, and phone numbers keep their ``+`` (an
exported list's numbers stay valid; text that needed an apostrophe keeps it
in the file, so upload the frame itself rather than the export). Opened with another
separator, a first cell ``+33612345678`` may run on into the next field
(``+33612345678;"x"``), which is not a formula a spreadsheet can evaluate, and
whatever risky text the next field holds carries its own apostrophe.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

__all__ = ["neutralize_formulas", "restore_formulas", "to_safe_csv", "to_excel", "ooxml_escape", "is_rate_column"]

_PLAIN_NUMBER = r"^[+-]?\d[\d .]*(?:,\d+)?\Z"
_ENDS_CELL = r'[,;\t|\r\n"]'  # what may end a cell when the file is opened another way
_RISKY_ANYWHERE = rf"(?:^|{_ENDS_CELL})'*[=+\-@\t\r]"
_ESCAPE = re.compile(rf"(?:^|(?<={_ENDS_CELL}))(?='*[=+\-@\t\r])")
_RESTORE = re.compile(rf"(?:^|(?<={_ENDS_CELL}))'(?='*[=+\-@\t\r])")
_HAS_ESCAPE = rf"(?:^|{_ENDS_CELL})'+[=+\-@\t\r]"
_PLAIN = re.compile(_PLAIN_NUMBER)


def _is_text(dtype: Any) -> bool:
    return (
        isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))
        or (isinstance(dtype, np.dtype) and dtype.kind == "O")
        or pd.api.types.is_string_dtype(dtype)
    )


def _escape(value: str) -> str:
    if _PLAIN.match(value):  # a plain number: only the positions inside it could be risky
        return value
    return _ESCAPE.sub("'", value)


def _restore(value: str) -> str:
    return _RESTORE.sub("", value)


def _map_flagged(text: pd.Series, flag: str, func: Callable[[str], str]) -> pd.Series | None:
    """``func`` applied to the values matching the regex ``flag`` (vectorised filter); None if none match."""
    flagged = text.str.contains(flag, regex=True).fillna(False).to_numpy(dtype=bool)
    if not flagged.any():
        return None
    out = text.copy()
    out[flagged] = [func(v) for v in text[flagged]]
    return out


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as formulas.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        Text, categorical and object columns are strings; risky cells and
        column names get apostrophes (see the module documentation). Other
        columns are untouched.

    Examples
    --------
    >>> import pandas as pd
    >>> from mfanalytics.export import neutralize_formulas
    >>> neutralize_formulas(pd.DataFrame({"reply": ["=1+1", "+33612345678", "-5", "@SUM(A1)", "a,=b"]}))["reply"].tolist()
    ["'=1+1", '+33612345678', '-5', "'@SUM(A1)", "a,'=b"]
    """
    out = frame.copy()
    out.columns = [_escape(n) if isinstance(n, str) else n for n in out.columns]
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if not _is_text(column.dtype):
            continue
        escaped = _map_flagged(column.astype("string"), _RISKY_ANYWHERE, _escape)
        if escaped is not None:
            out.isetitem(i, cast(Any, escaped))
    return out


def restore_formulas(text: pd.Series) -> pd.Series:
    """Undo :func:`neutralize_formulas` on one column of text read from an export.

    Examples
    --------
    >>> import pandas as pd
    >>> restore_formulas(pd.Series(["'=1+1", "''=x", "a,'=b", "+33612345678"], dtype="string")).tolist()
    ['=1+1', "'=x", 'a,=b', '+33612345678']
    """
    if isinstance(text.dtype, pd.CategoricalDtype):  # read_list's repeated values: restore the categories
        categories = pd.Series(text.cat.categories, dtype="string")
        names = restore_formulas(categories)
        if names is categories:
            return text
        if names.is_unique:
            return text.cat.rename_categories(pd.Index(names, dtype=text.cat.categories.dtype))
        text = text.astype(text.cat.categories.dtype)  # two restored to one: not an export of ours
    restored = _map_flagged(text, _HAS_ESCAPE, _restore)
    return text if restored is None else restored


def restore_name(name: str) -> str:
    """Undo :func:`neutralize_formulas` on a column name."""
    return _restore(name)


def _paris_text(column: pd.Series) -> pd.Series:
    """``DD/MM/YYYY HH:MM:SS`` Paris time; the second pass of October's repeated hour adds ``+01:00``.

    Read back by the report readers' rule (the first pass when no offset is
    given), every instant keeps its value.
    """
    from mfanalytics.times import PARIS_NAME, paris_to_utc

    local = column.dt.tz_convert(PARIS_NAME)
    text = local.dt.strftime("%d/%m/%Y %H:%M:%S")
    valid = local.notna().to_numpy()
    if valid.any():
        utc = (
            column[valid].dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[s]").to_numpy().astype(np.int64)
        )
        wall = local[valid].dt.tz_localize(None).astype("datetime64[s]").to_numpy().astype(np.int64)
        second = paris_to_utc(wall) != utc
        if second.any():
            rows = np.flatnonzero(valid)[second]
            text.iloc[rows] = text.iloc[rows] + local.iloc[rows].dt.strftime(" %z").str.replace(
                r"(\d\d)(\d\d)$", r"\1:\2", regex=True
            )
    return cast(pd.Series, text)


def to_safe_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, sep: str = ";") -> Path:
    """Write ``frame`` as a CSV that spreadsheets open safely.

    UTF-8 with a byte-order mark (so Excel shows accents), ``;`` separated
    (French Excel's default), every field quoted, rows ending in CRLF, dates
    as ``DD/MM/YYYY HH:MM:SS`` Paris time as in the platform's reports (with
    ``+01:00`` in October's repeated hour, second pass, so that no instant
    changes), formulas neutralised.

    A report frame or a :func:`~mfanalytics.clean_recipients`
    frame written here reads back to the same frame with
    :func:`~mfanalytics.reports.parsing.read_report` or
    :func:`~mfanalytics.read_list`.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = neutralize_formulas(frame)
    for i in range(safe.shape[1]):
        if isinstance(safe.iloc[:, i].dtype, pd.DatetimeTZDtype):
            safe.isetitem(i, cast(Any, _paris_text(safe.iloc[:, i])))
    # every field quoted: a field holding the other separator, a CR or a LF
    # cannot start a new cell (or row) in a spreadsheet
    safe.to_csv(path, sep=sep, index=False, encoding="utf-8-sig", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    return path


# -- Excel -----------------------------------------------------------------------
#: Excel's last row (the header takes one) and its longest sheet name.
EXCEL_MAX_ROWS = 1_048_576
_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
#: What OOXML text escapes as ``_xHHHH_``: control characters other than tab and LF (XML
#: cannot hold most of them, and turns a CR into a LF), and the ``_`` of a literal ``_xHHHH_``.
_OOXML_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
_DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
_DURATION_FORMAT = "[h]:mm:ss"
_PERCENT_FORMAT = "0.0%"


def is_rate_column(name: object) -> bool:
    """Whether a column holds a share in [0, 1] (``delivery_rate``, ``share_of_recipients``...)."""
    text = str(name).lower()
    return text.endswith(("rate", "_share")) or text.startswith("share")


def ooxml_escape(value: object) -> str:
    """Text as an OOXML cell holds it: a CR is ``_x000D_``, a literal ``_x0041_`` is ``_x005F_x0041_``.

    Excel shows the characters themselves; ``openpyxl.utils.escape.unescape`` undoes it.

    Examples
    --------
    >>> ooxml_escape("a\\rb_x0041_")
    'a_x000D_b_x005F_x0041_'
    """
    text = str(value)
    return _OOXML_ESCAPE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text) if _OOXML_ESCAPE.search(text) else text


def _excel_values(column: pd.Series) -> tuple[list[Any], str | None]:
    """The cells of one column as Python values openpyxl writes typed, and their number format."""
    dtype = column.dtype
    missing = column.isna().to_numpy(dtype=bool)
    if isinstance(dtype, pd.DatetimeTZDtype):
        from mfanalytics.times import PARIS_NAME

        wall = column.dt.tz_convert(PARIS_NAME).dt.tz_localize(None)  # Excel has no time zone: Paris wall time
        values = list(wall.dt.to_pydatetime())
        fmt: str | None = _DATE_FORMAT
    elif pd.api.types.is_datetime64_dtype(dtype):
        values, fmt = list(column.dt.to_pydatetime()), _DATE_FORMAT
    elif pd.api.types.is_timedelta64_dtype(dtype):
        values, fmt = (column.dt.total_seconds() / 86400).tolist(), _DURATION_FORMAT  # Excel durations are days
    elif pd.api.types.is_bool_dtype(dtype):
        values, fmt = [bool(v) for v in column.fillna(False)], None
    elif pd.api.types.is_integer_dtype(dtype):
        values, fmt = [int(v) for v in column.fillna(0)], "0"
    elif pd.api.types.is_float_dtype(dtype):
        values = column.astype("float64").tolist()
        fmt = _PERCENT_FORMAT if is_rate_column(column.name) else None
    else:  # text: already neutralised, then escaped the OOXML way
        values, fmt = [None if v is None else ooxml_escape(v) for v in column.astype(object).tolist()], None
    if missing.any():
        for i in np.flatnonzero(missing):
            values[i] = None
    return values, fmt


def _sheet_name(name: object, taken: set[str]) -> str:
    from mfanalytics.errors import ValidationError

    text = str(name)
    if not text or len(text) > _SHEET_NAME_MAX or _SHEET_NAME_BAD.search(text) or text.lower() in taken:
        raise ValidationError(
            f"{text!r} cannot name a sheet: 1 to {_SHEET_NAME_MAX} characters, none of [ ] : * ? / \\, each name once.",
            rule="sheet-name",
            field="frames",
        )
    taken.add(text.lower())
    return text


def to_excel(frames: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write frames to an Excel workbook (``.xlsx``), one sheet per frame, safe to open.

    Cells are typed: numbers are numbers, booleans booleans, dates Excel
    dates, durations ``[h]:mm:ss``, and the columns of rates and shares
    (names ending in ``rate`` or starting with ``share``) percentages. Excel
    has no time zone: **time-zone-aware dates are written as Europe/Paris wall
    time** (the time the platform's reports show), so the two passes of
    October's repeated hour look the same. Every text cell, and every column
    name, goes through :func:`neutralize_formulas` (the rule of the CSV
    export: a leading apostrophe before ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return), so no cell is a formula; then control characters
    (a CR, ...) are escaped the OOXML way, ``_x000D_``, which Excel shows as
    the character (:func:`ooxml_escape`).
    Each sheet has a bold, frozen header row and an autofilter. A named or
    non-default index (``summarize``'s ``campaign_id``) is written as the
    first column(s).

    Parameters
    ----------
    frames : pandas.DataFrame or mapping of str to pandas.DataFrame
        One frame (sheet ``rows``), or sheet name -> frame, in order
        (``{"rows": report, "kpis": summarize(report), "failures": failure_reasons(report)}``).
    path : str or path-like
        The ``.xlsx`` file to write (its folder is created).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    mfanalytics.ValidationError
        A sheet name Excel refuses, or a frame longer than Excel's
        1,048,575 data rows.

    Examples
    --------
    >>> import pandas as pd, tempfile, openpyxl
    >>> from mfanalytics.export import to_excel
    >>> kpis = pd.DataFrame({"sent": [3], "delivery_rate": [2 / 3], "reply": ["=1+1"]})
    >>> path = to_excel({"kpis": kpis}, tempfile.mkdtemp() + "/kpis.xlsx")
    >>> sheet = openpyxl.load_workbook(path)["kpis"]
    >>> [(c.value, c.data_type, c.number_format) for c in sheet[2]]
    [(3, 'n', '0'), (0.6666666666666666, 'n', '0.0%'), ("'=1+1", 's', 'General')]
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from mfanalytics.errors import ValidationError

    sheets = {"rows": frames} if isinstance(frames, pd.DataFrame) else dict(frames)
    path = Path(path)
    book = Workbook(write_only=True)
    taken: set[str] = set()
    for name, frame in sheets.items():
        title = _sheet_name(name, taken)
        if len(frame) >= EXCEL_MAX_ROWS:
            raise ValidationError(
                f"Sheet {title!r} has {len(frame):,} rows; Excel holds at most {EXCEL_MAX_ROWS - 1:,} "
                "below its header. Write a CSV or Parquet file instead.",
                rule="excel-rows",
                field=title,
            )
        if not isinstance(frame.index, pd.RangeIndex) or any(n is not None for n in frame.index.names):
            frame = frame.reset_index()
        safe = neutralize_formulas(frame)
        sheet = book.create_sheet(title)
        columns = [_excel_values(safe.iloc[:, i]) for i in range(safe.shape[1])]
        headers = [ooxml_escape(n) for n in safe.columns]
        for i, (header, (values, _)) in enumerate(zip(headers, columns), start=1):
            longest = max([len(header)] + [len(str(v)) for v in values[:200] if v is not None])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
        sheet.freeze_panes = "A2"
        if headers:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(frame) + 1}"
        bold = Font(bold=True)
        head = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            head.append(cell)
        sheet.append(head)
        formats = [fmt for _, fmt in columns]
        for row in zip(*(values for values, _ in columns)):
            cells: list[Any] = []
            for value, fmt in zip(row, formats):
                if fmt is None or value is None:
                    cells.append(value)  # text is neutralised: openpyxl cannot take it for a formula
                else:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = fmt
                    cells.append(cell)
            sheet.append(cells)
    if not sheets:
        book.create_sheet("rows")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
