"""Plots across campaigns: plot_campaign_comparison (rates side by side) and plot_daily_rates (rates per day).

They follow the conventions of :mod:`mfanalytics.analysis.plots` (which
re-exports them): ``ax=None``, the Axes returned, French words by default.

Examples
--------
>>> from matplotlib.figure import Figure
>>> ax = Figure().subplots()
>>> plot_daily_rates(week, lang="en", ax=ax) is ax
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis import kpis as analysis
from mfanalytics.analysis import trends
from mfanalytics.analysis.facts import ReportFacts
from mfanalytics.analysis.plot_style import (
    FLAG_COLOR,
    GROUP_COLORS,
    LABEL_SIZE,
    RATE_COLORS,
    date_axis,
    fit_tick_labels,
    get_ax,
    no_data,
    percent_axis,
    shorten,
    text_for,
)
from mfanalytics.errors import ValidationError

__all__ = ["plot_campaign_comparison", "plot_daily_rates"]


def plot_campaign_comparison(
    data: Any,
    *,
    metrics: Sequence[str] = ("delivery_rate", "click_rate"),
    lang: str = "fr",
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Grouped horizontal bars of rates per campaign, the campaigns top to bottom.

    Campaign names are on the y axis, cut to 28 characters, in a font small
    enough for the Axes' height that two names never overlap (with very many
    campaigns, only every k-th name is written).

    Parameters
    ----------
    data : DataFrame, list or dict of DataFrame
        What :func:`mfanalytics.analysis.compare_campaigns` takes, or its result.
    metrics : sequence of str
        Rate columns of :func:`~mfanalytics.analysis.summarize`
        (``delivery_rate``, ``click_rate``, ``stop_rate``).

    Examples
    --------
    >>> ax = plot_campaign_comparison({"Soldes": r1, "Rentrée": r2})
    """
    t = text_for(lang)
    for m in metrics:
        if m not in ("delivery_rate", "click_rate", "stop_rate"):
            raise ValidationError(f"unknown metric {m!r}", rule="metric", field="metrics")
    ax = get_ax(ax)
    if isinstance(data, pd.DataFrame) and "delivery_rate" in data.columns and "status_code" not in data.columns:
        table = data
    elif isinstance(data, pd.DataFrame) and len(data) == 0:
        table = data.iloc[:0]
    else:
        table = analysis.compare_campaigns(data)
    if len(table) == 0:
        return no_data(ax, t, t["cmp_title"])
    y = np.arange(len(table))
    height = 0.8 / len(metrics)
    for i, m in enumerate(metrics):
        color = RATE_COLORS.get(m, GROUP_COLORS["delivered_stop"])
        # a rate that does not exist (no link: no click rate) draws no bar, not a bar at 0
        ax.barh(
            y + (i - (len(metrics) - 1) / 2) * height,
            table[m].to_numpy(dtype=float, na_value=np.nan),
            height,
            label=t[m],
            color=color,
            **kwargs,
        )
    ax.set_ylim(len(table) - 0.5, -0.5)  # first campaign on top
    fit_tick_labels(ax, [shorten(str(k)) for k in table.index])
    ax.set_xlim(0, 1.0)
    ax.set_xticks(np.linspace(0, 1, 5))
    percent_axis(ax.xaxis, lang)
    ax.set_ylabel(t["campaign"])
    ax.set_xlabel(t["rate"])
    ax.legend(fontsize=LABEL_SIZE - 1, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(metrics), frameon=False)
    ax.set_title(t["cmp_title"], pad=28)
    return ax


def plot_daily_rates(
    data: pd.DataFrame | ReportFacts,
    *,
    send_times: Any = None,
    lang: str = "fr",
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Daily delivery and click rates over a period; days with a flagged campaign marked.

    Parameters
    ----------
    data : pandas.DataFrame
        A report frame spanning several campaigns (e.g. from ``get_reports``)
        or the result of :func:`mfanalytics.trends.daily_rates`.

    Examples
    --------
    >>> ax = plot_daily_rates(week, lang="en")
    """
    t = text_for(lang)
    ax = get_ax(ax)
    daily: pd.DataFrame | None
    if (
        isinstance(data, pd.DataFrame)
        and {"flagged", "delivery_rate"} <= set(data.columns)
        and "status_code" not in data
    ):
        daily = data
    else:
        daily = trends.daily_rates(data, send_times=send_times) if len(data) else None
    if daily is None or len(daily) == 0:
        return no_data(ax, t, t["daily_title"])
    days = daily.index.to_numpy()
    for m in ("delivery_rate", "click_rate"):
        ax.plot(days, daily[m].to_numpy(dtype=float), marker="o", label=t[m], color=RATE_COLORS[m], **kwargs)
    bad = daily["flagged"].to_numpy() > 0
    if bad.any():
        ax.scatter(
            days[bad],
            daily["delivery_rate"].to_numpy(dtype=float)[bad],
            s=160,
            facecolors="none",
            edgecolors=FLAG_COLOR,
            linewidths=2,
            label=t["flagged"],
            zorder=3,
        )
    ax.set_ylim(0, 1.0)
    ax.set_yticks(np.linspace(0, 1, 5))
    percent_axis(ax.yaxis, lang)
    ax.set_xlabel(t["day"])
    ax.set_ylabel(t["rate"])
    ax.legend(fontsize=LABEL_SIZE - 1, loc="best")
    if len(days) <= 16:
        from matplotlib.dates import DateFormatter

        ax.set_xticks(days)
        ax.xaxis.set_major_formatter(DateFormatter("%d/%m" if lang == "fr" else "%d %b"))
        ax.tick_params(axis="x", labelrotation=45 if len(days) > 5 else 0)
    else:
        date_axis(ax, lang)
    ax.set_title(t["daily_title"])
    return ax
