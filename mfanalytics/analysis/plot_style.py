"""The look of every plot: colours, words, number and date formats, label sizes.

Plain data and small helpers shared by :mod:`mfanalytics.analysis.plots` and
the HTML report, so that a chart and the page around it say the same thing the
same way: counts as ``4 955`` in French and ``4,955`` in English, shares as
``89,7 %`` / ``89.7%``, dates as ``3 Dec 2026`` in English (never day-first
numerals), ``ZZ`` (no country) as "inconnu" / "unknown".

matplotlib is imported inside the helpers that need it, never at import time.

Examples
--------
>>> from mfanalytics.analysis.plot_style import fmt_int, fmt_pct, fmt_date, country_label
>>> fmt_int(4955, "fr"), fmt_int(4955, "en")
('4\\u202f955', '4,955')
>>> fmt_pct(0.897, "fr"), fmt_pct(0.897, "en")
('89,7\\u202f%', '89.7%')
>>> import pandas as pd
>>> fmt_date(pd.Timestamp("2026-11-01 10:00"), "en"), fmt_date(pd.Timestamp("2026-11-01"), "fr")
('1 Nov 2026', '1 nov. 2026')
>>> country_label("ZZ", "en"), country_label("FR", "en")
('unknown', 'FR')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.errors import ValidationError

__all__ = [
    "get_ax",
    "no_data",
    "GROUP_COLORS",
    "FUNNEL_COLORS",
    "RATE_COLORS",
    "FLAG_COLOR",
    "LABEL_SIZE",
    "TEXT",
    "text_for",
    "fmt_int",
    "fmt_pct",
    "fmt_date",
    "fmt_day",
    "country_label",
    "count_axis",
    "percent_axis",
    "date_axis",
    "fit_tick_labels",
    "shorten",
]

#: Colour of each status group, shared by every plot and the HTML report.
GROUP_COLORS: dict[str, str] = {
    "delivered": "#2e7d32",
    "delivered_stop": "#81c784",
    "pending": "#9e9e9e",
    "in_flight": "#cfcfcf",
    "undelivered": "#d32f2f",
    "invalid_number": "#8e0000",
    "rejected": "#ef6c57",
    "blocked": "#7b1fa2",
    "not_sent": "#f4a29a",
    "unknown": "#424242",
}

#: Colours of the funnel steps (recipients, sent, delivered, clicked).
FUNNEL_COLORS: tuple[str, ...] = ("#607d8b", "#90a4ae", GROUP_COLORS["delivered"], "#1565c0")
RATE_COLORS: dict[str, str] = {"delivery_rate": GROUP_COLORS["delivered"], "click_rate": "#1565c0"}
FLAG_COLOR = GROUP_COLORS["undelivered"]

#: Font size (points) of value labels and legends: readable when a figure is shown on a phone.
LABEL_SIZE = 10.0

_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

TEXT: dict[str, dict[str, Any]] = {
    "fr": {
        "no_data": "Aucune donnée",
        "status_title": "Répartition des statuts",
        "recipients": "Destinataires",
        "share": "Part des destinataires",
        "funnel_title": "Entonnoir de la campagne",
        "funnel": ("Destinataires", "Envoyés", "Délivrés", "Cliqueurs"),
        "of_recipients": "des destinataires",
        "of_sent": "des envoyés",
        "of_delivered_link": "des délivrés avec lien",
        "cum_title": "Livraisons cumulées",
        "cum_y": "Livraisons",
        "cum_y_norm": "Part des envoyés délivrée",
        "time": "Heure (Paris)",
        "minutes": "Minutes depuis l'envoi",
        "campaign": "Campagne",
        "others": "Autres campagnes ({})",
        "click_title": "Clics par lien",
        "link": "Lien {}",
        "click_y": "Cliqueurs cumulés",
        "heat_title": "Clics par jour et par heure",
        "heat_sends": "Envois par jour et par heure",
        "heat_deliveries": "Livraisons par jour et par heure",
        "one_slot": "Tout dans un seul créneau :\n{} {} h ({})",
        "hour": "Heure",
        "day": "Jour",
        "weekdays": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
        "cmp_title": "Comparaison des campagnes",
        "delivery_rate": "Taux de délivrabilité (des envoyés)",
        "click_rate": "Taux de clic (des délivrés avec lien)",
        "stop_rate": "Taux de STOP (des délivrés)",
        "rate": "Taux",
        "daily_title": "Taux quotidiens",
        "flagged": "Campagne sous le taux habituel",
        "unknown_country": "inconnu",
    },
    "en": {
        "no_data": "No data",
        "status_title": "Status breakdown",
        "recipients": "Recipients",
        "share": "Share of recipients",
        "funnel_title": "Campaign funnel",
        "funnel": ("Recipients", "Sent", "Delivered", "Clicked"),
        "of_recipients": "of recipients",
        "of_sent": "of sent",
        "of_delivered_link": "of delivered with a link",
        "cum_title": "Cumulative deliveries",
        "cum_y": "Deliveries",
        "cum_y_norm": "Share of sent delivered",
        "time": "Time (Paris)",
        "minutes": "Minutes since sending",
        "campaign": "Campaign",
        "others": "Other campaigns ({})",
        "click_title": "Clicks per link",
        "link": "Link {}",
        "click_y": "Cumulative clickers",
        "heat_title": "Clicks by day and hour",
        "heat_sends": "Sends by day and hour",
        "heat_deliveries": "Deliveries by day and hour",
        "one_slot": "All in one slot:\n{} {}:00 ({})",
        "hour": "Hour",
        "day": "Day",
        "weekdays": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "cmp_title": "Campaign comparison",
        "delivery_rate": "Delivery rate (of sent)",
        "click_rate": "Click rate (of delivered with a link)",
        "stop_rate": "STOP rate (of delivered)",
        "rate": "Rate",
        "daily_title": "Daily rates",
        "flagged": "Campaign below the usual rate",
        "unknown_country": "unknown",
    },
}


def text_for(lang: str) -> dict[str, Any]:
    """The words of ``lang``; :class:`ValidationError` (rule ``lang``) for another language."""
    if lang not in TEXT:
        raise ValidationError(f"lang must be 'fr' or 'en', not {lang!r}", rule="lang", field="lang")
    return TEXT[lang]


def fmt_int(value: Any, lang: str = "fr") -> str:
    """A count with thousands separators: ``12\u202f345`` (fr) or ``12,345`` (en)."""
    if pd.isna(value):
        return "–"
    text = f"{round(float(value)):,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def fmt_pct(value: Any, lang: str = "fr", digits: int = 1) -> str:
    """A share as a percentage: ``97,5\u202f%`` (fr) or ``97.5%`` (en); NaN as a dash."""
    if pd.isna(value):
        return "–"
    text = f"{float(value) * 100:.{digits}f}"
    return text.replace(".", ",") + "\u202f%" if lang == "fr" else text + "%"


def fmt_date(value: Any, lang: str = "fr") -> str:
    """A day with its month in words: ``1 Nov 2026`` (en), ``1 nov. 2026`` (fr); NaT as a dash."""
    if pd.isna(value):
        return "–"
    ts = pd.Timestamp(value)
    return f"{ts.day} {_MONTHS['en' if lang == 'en' else 'fr'][ts.month - 1]} {ts.year}"


def fmt_day(value: Any, lang: str = "fr") -> str:
    """A day as a tick label, as :func:`date_axis` and ``plot_daily_rates`` write days: ``02/03`` (fr,
    day first), ``02 Mar`` (en, the month in words); NaT as a dash.

    Examples
    --------
    >>> fmt_day(pd.Timestamp("2026-03-02"), "fr"), fmt_day(pd.Timestamp("2026-03-02"), "en")
    ('02/03', '02 Mar')
    """
    if pd.isna(value):
        return "–"
    ts = pd.Timestamp(value)
    return f"{ts.day:02d}/{ts.month:02d}" if lang != "en" else f"{ts.day:02d} {_MONTHS['en'][ts.month - 1]}"


def country_label(code: Any, lang: str = "fr") -> str:
    """An ISO region code as shown to people: ``"ZZ"`` (no country found) is "inconnu" / "unknown"."""
    if code is None or pd.isna(code) or str(code) in ("ZZ", ""):
        return str(text_for(lang)["unknown_country"])
    return str(code)


def shorten(label: str, width: int = 28) -> str:
    """``label`` cut to ``width`` characters with an ellipsis."""
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def count_axis(axis: Any, lang: str) -> None:
    """Whole-number ticks written as :func:`fmt_int` writes counts (``4 955``, ``4,955``)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=2))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_int(v, lang)))


def percent_axis(axis: Any, lang: str = "fr") -> None:
    """Share ticks (0..1) written as percentages in ``lang`` (``50 %``, ``50%``)."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_pct(v, lang, digits=0)))


#: Narrowest span of a time axis (matplotlib date units, days): one hour.
MIN_TIME_SPAN = 1 / 24


def date_axis(ax: Any, lang: str) -> None:
    """Concise date ticks: day/month numerals in French, ``3 Dec`` in English (never day-first numerals).

    Data that spans less than :data:`MIN_TIME_SPAN` (every line delivered in the same second) is shown
    over the hour around it: matplotlib would widen a zero-width date range to two years either side.
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    lo, hi = ax.dataLim.intervalx
    if np.isfinite(lo) and np.isfinite(hi) and 0 <= hi - lo < MIN_TIME_SPAN:
        middle = (lo + hi) / 2
        ax.set_xlim(middle - MIN_TIME_SPAN / 2, middle + MIN_TIME_SPAN / 2)

    locator = AutoDateLocator(minticks=3, maxticks=7)
    if lang == "fr":
        formats = ["%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M", "%S.%f"]
        zero = ["", "%Y", "%d/%m", "%d/%m", "%H:%M", "%H:%M"]
        offset = ["", "%Y", "%m/%Y", "%d/%m/%Y", "%d/%m/%Y", "%d/%m/%Y %H:%M"]
    else:
        formats = ["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"]
        zero = ["", "%Y", "%b", "%d %b", "%H:%M", "%H:%M"]
        offset = ["", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"]
    formatter = ConciseDateFormatter(locator, formats=formats, zero_formats=zero, offset_formats=offset)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)


def fit_tick_labels(ax: Any, labels: Sequence[str], *, axis: str = "y", largest: float = 9.0) -> float:
    """Tick labels for ``len(labels)`` evenly spaced categories, with a font size small enough
    that neighbours never overlap in the Axes' height (``axis="y"``); returns that size (points)."""
    fig = ax.figure
    height_in = ax.get_position().height * fig.get_figheight()
    room = height_in * 72 / max(len(labels), 1)  # points per category
    size = max(min(largest, room * 0.72), 4.0)
    shown = list(labels)
    if room * 0.72 < 4.0:  # too many to show them all: every k-th label, the others blank
        step = int(-(-4.0 // (room * 0.72)))
        shown = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    if axis == "y":
        ax.set_yticks(range(len(labels)), shown, fontsize=size)
    else:
        ax.set_xticks(range(len(labels)), shown, fontsize=size)
    return float(size)


def get_ax(ax: Any) -> Any:
    """``ax``, or the current Axes of matplotlib when None."""
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def no_data(ax: Any, t: dict[str, Any], title: str, message: str | None = None) -> Any:
    """Draw "no data" (or ``message``) on ``ax``, without ticks, titled ``title``; return ``ax``."""
    ax.text(
        0.5,
        0.5,
        message or t["no_data"],
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=12,
        color="#616161",
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    return ax
