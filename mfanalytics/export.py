"""Exports that are safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read as a formula by Excel and LibreOffice (CSV injection). A reply
``=HYPERLINK(...)`` or a list field written by someone else must not run when
a colleague opens the export. Such cells get a leading apostrophe, which
spreadsheets show as text. Plain numbers (``-12.5``, ``+33612345678``) are
left as they are: they cannot run anything, and phone numbers keep their
``+``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

__all__ = ["neutralize_formulas", "to_safe_csv"]

_PLAIN_NUMBER = r"^[+-]?\d[\d .]*(?:,\d+)?\Z"
_RISKY = r"^[=+\-@\t\r]"  # what makes a spreadsheet read a cell as a formula


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as formulas.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        Text, categorical and object columns are strings; risky cells and
        column names start with an apostrophe. Other columns are untouched.

    Examples
    --------
    >>> import pandas as pd
    >>> from mfanalytics.export import neutralize_formulas
    >>> neutralize_formulas(pd.DataFrame({"reply": ["=1+1", "+33612345678", "-5", "@SUM(A1)"]}))["reply"].tolist()
    ["'=1+1", '+33612345678', '-5', "'@SUM(A1)"]
    """
    out = frame.copy()
    out.columns = _neutralize_names(out.columns)
    for name in out.columns:
        column = out[name]
        dtype = column.dtype
        if not (
            isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))
            or dtype == object
            or pd.api.types.is_string_dtype(dtype)
        ):
            continue
        text = column.astype("string")
        risky = text.str.contains(_RISKY, regex=True).fillna(False) & ~text.str.contains(
            _PLAIN_NUMBER, regex=True
        ).fillna(False)
        if risky.any():
            out[name] = text.mask(risky, "'" + text)
    return out


def _neutralize_names(names: pd.Index) -> list:
    """Header cells follow the same rule: a list column may be named ``=HYPERLINK(...)``."""
    text = pd.Series([str(n) for n in names], dtype="string")
    risky = text.str.contains(_RISKY, regex=True) & ~text.str.contains(_PLAIN_NUMBER, regex=True)
    return [("'" + t) if r else n for n, t, r in zip(names, text, risky)]


def to_safe_csv(frame: pd.DataFrame, path: str | os.PathLike, *, sep: str = ";") -> Path:
    """Write ``frame`` as a CSV that spreadsheets open safely.

    UTF-8 with a byte-order mark (so Excel shows accents), ``;`` separated
    (French Excel's default), rows ending in CRLF, dates as ``DD/MM/YYYY HH:MM:SS`` Paris time as
    in the platform's reports, formulas neutralised.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = neutralize_formulas(frame)
    for name in safe.columns:
        if isinstance(safe[name].dtype, pd.DatetimeTZDtype):
            safe[name] = safe[name].dt.tz_convert("Europe/Paris").dt.strftime("%d/%m/%Y %H:%M:%S")
    # CRLF rows: a field holding a lone CR or LF is then quoted, so it cannot
    # start a new row (and a new, unneutralised cell) in a spreadsheet.
    safe.to_csv(path, sep=sep, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path
