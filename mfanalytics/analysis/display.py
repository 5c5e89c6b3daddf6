"""Frames shown to people: percentages, durations, dates and full text, the data left as it is.

:func:`styled` returns a pandas ``Styler`` over the frame: in a notebook it shows
``87.0 %`` for a rate of ``0.870466``, ``21.5 s`` for ``0 days 00:00:21.500000``,
``1 Nov 2026 10:03`` for a timestamp and advice text in full, while
``styled(df).data`` is still the frame, untouched, for computing.

A value is a rate (shown as a percentage) when its column, or its row in a
transposed frame such as ``summarize(report).T``, is named like one: ending
in ``rate``, ``share``, ``_low`` or ``_high``, or ``pct``.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"delivery_rate": [0.870466], "median_latency": [pd.Timedelta(seconds=21.5)],
...                       "sent": [4955]})
>>> styled(frame).to_string(delimiter=" | ").splitlines()[1]
'0 | 87.0 % | 21.5 s | 4,955'
>>> styled(frame, lang="fr").to_string(delimiter=" | ").splitlines()[1]
'0 | 87,0\\u202f% | 21,5 s | 4\\u202f955'
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["styled", "format_value", "is_rate_name"]

_RATE = re.compile(r"(rate|share|_low|_high|pct|percent)$", re.IGNORECASE)
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
}
_NARROW_NBSP = "\u202f"


def is_rate_name(name: Any) -> bool:
    """True for a column or row name that holds a rate (a share between 0 and 1)."""
    return isinstance(name, str) and bool(_RATE.search(name))


def _number(value: float, decimals: int, lang: str) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "fr":  # 4 955,5: narrow no-break space for thousands, comma for decimals
        text = text.replace(",", _NARROW_NBSP).replace(".", ",")
    return text


def _duration(td: pd.Timedelta, lang: str) -> str:
    seconds = td.total_seconds()
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{sign}{_number(seconds, 1 if seconds % 1 else 0, lang)} s"
    minutes, sec = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{sign}{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{sign}{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    unit = "j" if lang == "fr" else "d"
    return f"{sign}{days} {unit} {hours:02d} h"


def _date(ts: pd.Timestamp, lang: str) -> str:
    month = _MONTHS[lang][ts.month - 1]
    text = f"{ts.day} {month} {ts.year}"
    if (ts.hour, ts.minute, ts.second) != (0, 0, 0):
        text += f" {ts.hour:02d}:{ts.minute:02d}"
    return text


def format_value(value: Any, *, rate: bool = False, lang: str = "en") -> str:
    """One value as people read it (see the module docstring); missing values as an em dash.

    Examples
    --------
    >>> format_value(0.1111, rate=True), format_value(pd.Timedelta(minutes=62)), format_value(12345)
    ('11.1 %', '1 h 02 min', '12,345')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return "—"
    if isinstance(value, float) and math.isnan(value):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return ("oui" if value else "non") if lang == "fr" else ("yes" if value else "no")
    if isinstance(value, pd.Timedelta):
        return _duration(value, lang)
    if isinstance(value, pd.Timestamp):
        return _date(value, lang)
    if isinstance(value, (int, np.integer)):
        return _number(int(value), 0, lang)
    if isinstance(value, (float, np.floating)):
        if rate:
            return _number(float(value) * 100, 1, lang) + (f"{_NARROW_NBSP}%" if lang == "fr" else " %")
        number = float(value)
        if number.is_integer() and abs(number) < 1e15:
            return _number(number, 0, lang)
        return _number(number, 2 if abs(number) >= 1 else 3, lang)
    return str(value)


def styled(frame: pd.DataFrame | pd.Series, *, lang: str = "en") -> Any:
    """The frame formatted for people, as a pandas ``Styler`` (the data unchanged).

    Parameters
    ----------
    frame : DataFrame or Series
        Any frame: a KPI table, ``summarize(report).T``, a failure list.
    lang : {"en", "fr"}
        Number, date and duration conventions ("4,955" / "4 955").

    Returns
    -------
    pandas.io.formats.style.Styler
        Shows rates as percentages, durations in s / min / h, dates without
        day-first numerals, integers with thousands separators, text in full
        (wrapped, never cut), missing values as "—". ``.data`` is the frame.

    Examples
    --------
    >>> import mfanalytics
    >>> html = styled(mfanalytics.summarize(report).T).to_html()
    >>> "%" in html and "0.87" not in html
    True
    """
    if lang not in _MONTHS:
        raise ValueError(f"lang must be 'en' or 'fr', got {lang!r}")
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    styler = frame.style.format(lambda v: format_value(v, lang=lang))
    for column in frame.columns:
        if is_rate_name(column):
            styler = styler.format(lambda v: format_value(v, rate=True, lang=lang), subset=[column])
    rate_rows = [label for label in frame.index if is_rate_name(label)]
    if rate_rows:
        styler = styler.format(lambda v: format_value(v, rate=True, lang=lang), subset=(rate_rows, slice(None)))
    styler = styler.format_index(lambda v: format_value(v, lang=lang) if not isinstance(v, str) else v, axis=0)
    css: dict[str, Any] = {"white-space": "pre-wrap", "text-align": "right"}
    return styler.set_properties(**css).set_table_styles([{"selector": "td", "props": "max-width: 40em;"}])
