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
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["neutralize_formulas", "restore_formulas", "to_safe_csv"]

_PLAIN_NUMBER = r"^[+-]?\d[\d .]*(?:,\d+)?\Z"
_ENDS_CELL = r'[,;\t|\r\n"]'  # what may end a cell when the file is opened another way
_RISKY_ANYWHERE = rf"(?:^|{_ENDS_CELL})'*[=+\-@\t\r]"
_ESCAPE = re.compile(rf"(?:^|(?<={_ENDS_CELL}))(?='*[=+\-@\t\r])")
_RESTORE = re.compile(rf"(?:^|(?<={_ENDS_CELL}))'(?='*[=+\-@\t\r])")
_HAS_ESCAPE = rf"(?:^|{_ENDS_CELL})'+[=+\-@\t\r]"
_PLAIN = re.compile(_PLAIN_NUMBER)


def _is_text(dtype) -> bool:
    return (
        isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))
        or dtype == object
        or pd.api.types.is_string_dtype(dtype)
    )


def _escape(value: str) -> str:
    if _PLAIN.match(value):  # a plain number: only the positions inside it could be risky
        return value
    return _ESCAPE.sub("'", value)


def _restore(value: str) -> str:
    return _RESTORE.sub("", value)


def _map_flagged(text: pd.Series, flag: str, func) -> pd.Series | None:
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
    for i, name in enumerate(out.columns):
        column = out.iloc[:, i]
        if not _is_text(column.dtype):
            continue
        escaped = _map_flagged(column.astype("string"), _RISKY_ANYWHERE, _escape)
        if escaped is not None:
            out.isetitem(i, escaped)
    return out


def restore_formulas(text: pd.Series) -> pd.Series:
    """Undo :func:`neutralize_formulas` on one column of text read from an export.

    Examples
    --------
    >>> import pandas as pd
    >>> restore_formulas(pd.Series(["'=1+1", "''=x", "a,'=b", "+33612345678"], dtype="string")).tolist()
    ['=1+1', "'=x", 'a,=b', '+33612345678']
    """
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
    return text


def to_safe_csv(frame: pd.DataFrame, path: str | os.PathLike, *, sep: str = ";") -> Path:
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
            safe.isetitem(i, _paris_text(safe.iloc[:, i]))
    # every field quoted: a field holding the other separator, a CR or a LF
    # cannot start a new cell (or row) in a spreadsheet
    safe.to_csv(path, sep=sep, index=False, encoding="utf-8-sig", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    return path
