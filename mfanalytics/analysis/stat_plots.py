"""Plots of rates with their intervals and of the Kaplan–Meier delivery curves.

Same contract as :mod:`mfanalytics.analysis.plots` (seaborn's): ``plot_x(data,
*, ..., lang="fr", ax=None, **kwargs)`` draws on ``ax`` (the current Axes when
None) and returns it; matplotlib is imported when drawing.

Examples
--------
>>> from matplotlib.figure import Figure
>>> from mfanalytics.analysis.stat_plots import plot_rates, plot_delivery_latency
>>> a1, a2 = Figure().subplots(1, 2)
>>> plot_rates(week, ax=a1) is a1, plot_delivery_latency(week, lang="en", ax=a2) is a2
(True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis.facts import ReportFacts
from mfanalytics.analysis.intervals import RATES, add_intervals
from mfanalytics.analysis.latency import DeliveryLatency, delivery_latency
from mfanalytics.analysis.plot_style import fmt_day
from mfanalytics.errors import ValidationError

__all__ = ["plot_rates", "plot_delivery_latency"]

_TEXT = {
    "fr": {
        "delivery_rate": "Taux de délivrabilité (des envoyés)",
        "delivery_rate_of_recipients": "Taux de délivrabilité (des destinataires)",
        "click_rate": "Taux de clic (des délivrés avec lien)",
        "stop_rate": "Taux de STOP (des délivrés)",
        "interval": "point : taux ; barre : intervalle de Wilson à 95 %",
        "latency": "Délai de livraison (Kaplan–Meier)",
        "delay": "Délai depuis l'envoi",
        "share": "Part des envoyés délivrée",
        "band": "bande de confiance à 95 %",
        "no_data": "Pas de données",
    },
    "en": {
        "delivery_rate": "Delivery rate (of sent)",
        "delivery_rate_of_recipients": "Delivery rate (of recipients)",
        "click_rate": "Click rate (of delivered with a link)",
        "stop_rate": "STOP rate (of delivered)",
        "interval": "dot: rate; bar: 95 % Wilson interval",
        "latency": "Time to delivery (Kaplan–Meier)",
        "delay": "Delay since the send",
        "share": "Share of sent delivered",
        "band": "95 % confidence band",
        "no_data": "No data",
    },
}
_TICKS = [(1, "1 s"), (10, "10 s"), (60, "1 min"), (600, "10 min"), (3600, "1 h"), (6 * 3600, "6 h"), (86400, "1 d")]


def _ax(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def _t(lang: str) -> dict[str, str]:
    if lang not in _TEXT:
        raise ValidationError(f"lang must be 'fr' or 'en', not {lang!r}", rule="lang", field="lang")
    return _TEXT[lang]


def _empty(ax: Any, t: dict[str, str], title: str) -> Any:
    ax.text(0.5, 0.5, t["no_data"], ha="center", va="center", transform=ax.transAxes, color="#757575")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    return ax


def plot_rates(
    data: pd.DataFrame | ReportFacts,
    *,
    rate: str = "delivery_rate",
    by: str = "campaign_id",
    lang: str = "fr",
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Each group's rate as a dot with its 95 % Wilson interval as a bar.

    Parameters
    ----------
    data : pandas.DataFrame
        A table with ``rate`` and its counts (:func:`mfanalytics.compare_campaigns`,
        :func:`mfanalytics.daily_rates`,
        :func:`mfanalytics.analysis.comparisons.group_counts`), or a report frame
        (grouped ``by``).
    rate : str
        A rate of :data:`mfanalytics.analysis.intervals.RATES`.
    by : str
        The grouping of a report frame.
    **kwargs
        Passed to ``Axes.errorbar`` (``color``, ``capsize``...).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from mfanalytics.analysis.comparisons import group_counts

    t = _t(lang)
    if rate not in RATES:
        raise ValidationError(f"rate must be one of {sorted(RATES)}, not {rate!r}", rule="rate", field="rate")
    ax = _ax(ax)
    if isinstance(data, ReportFacts) or "status_code" in data.columns or "status_group" in data.columns:
        table = group_counts(data, by)
    else:
        table = data
    if f"{rate}_low" not in table.columns:
        table = add_intervals(table, [rate])
    table = table.dropna(subset=[rate])
    title = t[rate]
    if table.empty:
        return _empty(ax, t, title)
    y = np.arange(len(table))
    value = table[rate].to_numpy(dtype="float64")
    low = np.clip(value - table[f"{rate}_low"].to_numpy(dtype="float64"), 0, None)
    high = np.clip(table[f"{rate}_high"].to_numpy(dtype="float64") - value, 0, None)
    style = {"fmt": "o", "capsize": 3, "color": "#1565c0", "ecolor": "#90a4ae", "elinewidth": 2} | kwargs
    ax.errorbar(value, y, xerr=np.vstack([low, high]), **style)
    labels = [fmt_day(k, lang) if isinstance(k, pd.Timestamp) else str(k) for k in table.index]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(title)
    ax.set_xlabel(t["interval"])
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_delivery_latency(
    latency: DeliveryLatency | pd.DataFrame | ReportFacts,
    *,
    by: str | None = None,
    lang: str = "fr",
    ax: Any = None,
    band: bool | None = None,
    **kwargs: Any,
) -> Any:
    """The Kaplan–Meier curves of time to delivery, with their 95 % band.

    Parameters
    ----------
    latency : DeliveryLatency or report frame
        What :func:`mfanalytics.delivery_latency` returned, or a report frame
        (its latency is computed, grouped ``by``).
    band : bool, optional
        Shade the simultaneous 95 % band of each curve (default: when there
        are at most 3 curves).
    **kwargs
        Passed to ``Axes.step``.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The delay axis is logarithmic (1 s to days); a curve levels off at the
    share of the sent lines delivered, not at 100 %: the lines not delivered
    are censored at the time of the report, not dropped.
    """
    t = _t(lang)
    ax = _ax(ax)
    if not isinstance(latency, DeliveryLatency):
        latency = delivery_latency(latency, by=by)
    curves = latency.curves
    if curves.empty:
        return _empty(ax, t, t["latency"])
    groups = list(dict.fromkeys(curves["group"]))
    band = len(groups) <= 3 if band is None else band
    for key in groups:
        c = curves[curves["group"] == key]
        secs = np.maximum(c["time"].dt.total_seconds().to_numpy(dtype="float64"), 1.0)
        label = None if len(groups) == 1 and isinstance(key, str) and key == "all" else str(key)
        (line,) = ax.step(secs, c["delivered_share"].to_numpy(dtype="float64"), where="post", label=label, **kwargs)
        if band and c["low"].notna().any():
            ax.fill_between(
                secs,
                c["low"].to_numpy(dtype="float64"),
                c["high"].to_numpy(dtype="float64"),
                step="post",
                alpha=0.15,
                color=line.get_color(),
                linewidth=0,
            )
    ax.set_xscale("log")
    span = curves["time"].dt.total_seconds().max()
    ticks = [(s, name) for s, name in _TICKS if s <= max(span, 60) * 1.5]
    ax.set_xticks([s for s, _ in ticks], [name for _, name in ticks])
    ax.set_ylim(0, 1.02)
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(t["latency"])
    ax.set_xlabel(t["delay"])
    ax.set_ylabel(t["share"])
    ax.grid(alpha=0.3)
    if len(groups) > 1 and len(groups) <= 12:
        ax.legend(fontsize="small", title=", ".join(latency.by) or None)
    return ax
