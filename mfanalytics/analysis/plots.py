"""Deliverability plots of report frames, in the style of seaborn.

Every function is ``plot_x(data, *, ..., lang="fr", ax=None, **kwargs)``: it
draws on ``ax`` (the current Axes when None), passes ``kwargs`` to the main
matplotlib call, returns the Axes, never calls ``plt.show()``, and draws an
Axes saying "Aucune donnée" / "No data" for an empty frame. Titles and labels
are French by default, as the platform; ``lang="en"`` for English.

Colours are the same in every plot (:data:`GROUP_COLORS`): delivered green,
pending grey, failures in red shades, blocked purple.

matplotlib is imported when a plot is drawn, not when this module is imported.

Examples
--------
>>> from matplotlib.figure import Figure
>>> from mfanalytics.analysis.plots import plot_status_breakdown, plot_funnel
>>> a1, a2 = Figure(figsize=(10, 4)).subplots(1, 2)
>>> plot_status_breakdown(report, ax=a1) is a1, plot_funnel(report, lang="en", ax=a2) is a2
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis import kpis as analysis
from mfanalytics.analysis import trends
from mfanalytics.analysis.facts import ReportFacts, facts_of
from mfanalytics.errors import ValidationError

__all__ = [
    "GROUP_COLORS",
    "FUNNEL_COLORS",
    "plot_status_breakdown",
    "plot_funnel",
    "plot_deliveries_over_time",
    "plot_click_timeline",
    "plot_click_heatmap",
    "plot_campaign_comparison",
    "plot_daily_rates",
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
RATE_COLORS = {"delivery_rate": GROUP_COLORS["delivered"], "click_rate": "#1565c0"}
FLAG_COLOR = GROUP_COLORS["undelivered"]

_TEXT: dict[str, dict[str, Any]] = {
    "fr": {
        "no_data": "Aucune donnée",
        "status_title": "Répartition des statuts",
        "recipients": "Destinataires",
        "share": "Part des destinataires",
        "funnel_title": "Entonnoir de la campagne",
        "funnel": ("Destinataires", "Envoyés", "Délivrés", "Cliqueurs"),
        "cum_title": "Livraisons cumulées",
        "cum_y": "Livraisons",
        "cum_y_norm": "Part des envoyés délivrée",
        "time": "Heure (Paris)",
        "minutes": "Minutes depuis l'envoi",
        "campaign": "Campagne",
        "click_title": "Clics par lien",
        "link": "Lien {}",
        "click_y": "Cliqueurs cumulés",
        "heat_title": "Clics par jour et par heure",
        "heat_sends": "Envois par jour et par heure",
        "heat_deliveries": "Livraisons par jour et par heure",
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
    },
    "en": {
        "no_data": "No data",
        "status_title": "Status breakdown",
        "recipients": "Recipients",
        "share": "Share of recipients",
        "funnel_title": "Campaign funnel",
        "funnel": ("Recipients", "Sent", "Delivered", "Clicked"),
        "cum_title": "Cumulative deliveries",
        "cum_y": "Deliveries",
        "cum_y_norm": "Share of sent delivered",
        "time": "Time (Paris)",
        "minutes": "Minutes since sending",
        "campaign": "Campaign",
        "click_title": "Clicks per link",
        "link": "Link {}",
        "click_y": "Cumulative clickers",
        "heat_title": "Clicks by day and hour",
        "heat_sends": "Sends by day and hour",
        "heat_deliveries": "Deliveries by day and hour",
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
    },
}


def _text(lang: str) -> dict[str, Any]:
    if lang not in _TEXT:
        raise ValidationError(f"lang must be 'fr' or 'en', not {lang!r}", rule="lang", field="lang")
    return _TEXT[lang]


def fmt_int(value: Any, lang: str = "fr") -> str:
    """A count with thousands separators: ``12\u202f345`` (fr) or ``12,345`` (en)."""
    if pd.isna(value):
        return "–"
    text = f"{int(value):,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def fmt_pct(value: Any, lang: str = "fr", digits: int = 1) -> str:
    """A share as a percentage: ``97,5\u202f%`` (fr) or ``97.5%`` (en); NaN as a dash."""
    if pd.isna(value):
        return "–"
    text = f"{float(value) * 100:.{digits}f}"
    return text.replace(".", ",") + "\u202f%" if lang == "fr" else text + "%"


def _get_ax(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def _date_axis(ax: Any, lang: str) -> None:
    """Concise date ticks, numeric day/month in French."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=3, maxticks=8)
    if lang == "fr":
        formatter = ConciseDateFormatter(
            locator,
            formats=["%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M", "%S.%f"],
            zero_formats=["", "%Y", "%d/%m", "%d/%m", "%H:%M", "%H:%M"],
            offset_formats=["", "%Y", "%m/%Y", "%d/%m/%Y", "%d/%m/%Y", "%d/%m/%Y %H:%M"],
        )
    else:
        formatter = ConciseDateFormatter(locator)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)


def _no_data(ax: Any, t: dict[str, Any], title: str) -> Any:
    ax.text(0.5, 0.5, t["no_data"], ha="center", va="center", transform=ax.transAxes, fontsize=12, color="#757575")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    return ax


def _percent_axis(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0))


def plot_status_breakdown(
    data: pd.DataFrame | ReportFacts,
    *,
    lang: str = "fr",
    normalize: bool = False,
    hide_empty: bool = True,
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Horizontal bars of recipients per status group, coloured by group.

    Parameters
    ----------
    data : pandas.DataFrame or ReportFacts
        A report frame, or its facts (:func:`mfanalytics.facts.facts_of`).
    lang : {"fr", "en"}
    normalize : bool
        Bar lengths as shares of recipients instead of counts.
    hide_empty : bool
        Leave out groups with no row.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``ax.barh``.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per group (top to bottom in the order of ``STATUS_GROUPS``),
        its y tick label the group's label in ``lang``.

    Examples
    --------
    >>> ax = plot_status_breakdown(report, lang="en")
    """
    t = _text(lang)
    ax = _get_ax(ax)
    if len(data) == 0:
        return _no_data(ax, t, t["status_title"])
    table = analysis.status_breakdown(data, level="group")
    if hide_empty:
        table = table[table["count"] > 0]
    values = table["share" if normalize else "count"].to_numpy(dtype=float)
    y = np.arange(len(table))
    bars = ax.barh(y, values, color=[GROUP_COLORS[g] for g in table.index], **kwargs)
    ax.set_yticks(y, table[f"label_{lang}"].tolist())
    ax.invert_yaxis()
    labels = [f"{fmt_int(c, lang)} ({fmt_pct(s, lang)})" for c, s in zip(table["count"], table["share"])]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=8)
    ax.set_xlim(0, values.max() * 1.25 if len(values) and values.max() > 0 else 1)
    ax.set_xlabel(t["share"] if normalize else t["recipients"])
    if normalize:
        _percent_axis(ax.xaxis)
    ax.set_title(t["status_title"])
    return ax


def plot_funnel(data: pd.DataFrame | ReportFacts, *, lang: str = "fr", ax: Any = None, **kwargs: Any) -> Any:
    """Bars recipients → sent → delivered → clicked, with the share of recipients.

    Returns
    -------
    matplotlib.axes.Axes
        Four bars, heights from :func:`mfanalytics.analysis.summarize`.

    Examples
    --------
    >>> ax = plot_funnel(report)
    """
    t = _text(lang)
    ax = _get_ax(ax)
    if len(data) == 0:
        return _no_data(ax, t, t["funnel_title"])
    s = analysis.summarize(data, by=None).iloc[0]
    values = [int(s["recipients"]), int(s["sent"]), int(s["delivered"]), int(s["clicked"])]
    bars = ax.bar(t["funnel"], values, color=list(FUNNEL_COLORS), **kwargs)
    labels = [f"{fmt_int(v, lang)}\n{fmt_pct(v / values[0], lang)}" for v in values]
    ax.bar_label(bars, labels=labels, padding=2, fontsize=8)
    ax.set_ylim(0, max(values) * 1.2)
    ax.set_ylabel(t["recipients"])
    ax.set_title(t["funnel_title"])
    return ax


def _cumulative_step(ax: Any, times: pd.Series, scale: float, label: str, **kwargs: Any) -> None:
    x = times.sort_values().to_numpy()
    y = np.arange(1, len(x) + 1) / scale
    if len(x) > 4000:  # a cumulative curve: 4000 evenly spaced points look the same, draw much faster
        keep = np.unique(np.linspace(0, len(x) - 1, 4000).astype(np.int64))
        x, y = x[keep], y[keep]
    ax.step(x, y, where="post", label=label, **kwargs)


def plot_deliveries_over_time(
    data: pd.DataFrame | ReportFacts,
    *,
    by: str | None = "campaign_id",
    relative: bool = False,
    normalize: bool = False,
    send_times: Any = None,
    lang: str = "fr",
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Cumulative deliveries over time, one step line per campaign.

    Parameters
    ----------
    by : str or None
        Column giving one line per value (None: one line).
    relative : bool
        x = minutes since the campaign's send time (``send_times=``, else its
        first delivery) instead of the Paris clock time.
    normalize : bool
        y = share of the campaign's sent rows delivered so far.

    Examples
    --------
    >>> ax = plot_deliveries_over_time(report, relative=True, normalize=True)
    """
    t = _text(lang)
    ax = _get_ax(ax)
    facts = facts_of(data) if len(data) else None
    if facts is None or not facts.delivered.any():
        return _no_data(ax, t, t["cum_title"])
    frame, ind, delivered = facts.frame, facts.indicators, facts.delivered
    at = facts.times("delivered_at")
    x = (at - facts.t0(send_times)).dt.total_seconds() / 60 if relative else at.dt.tz_localize(None)
    keys = frame[by] if by is not None else pd.Series(0, index=frame.index)
    for key, idx in keys[delivered].groupby(keys[delivered], sort=True, dropna=False).groups.items():
        sent = ind.loc[keys == key, "sent"].sum() if normalize else 1
        label = f"{t['campaign']} {key}" if by == "campaign_id" else str(key)
        _cumulative_step(ax, x.loc[idx].dropna(), max(sent, 1), label, **kwargs)
    if by is not None and 1 < keys.nunique() <= 12:
        ax.legend(fontsize=8)
    ax.set_xlabel(t["minutes"] if relative else t["time"])
    ax.set_ylabel(t["cum_y_norm"] if normalize else t["cum_y"])
    if normalize:
        _percent_axis(ax.yaxis)
        ax.set_ylim(0, 1.02)
    if not relative:
        _date_axis(ax, lang)
    ax.set_title(t["cum_title"])
    return ax


def _track_numbers(data: pd.DataFrame) -> list[int]:
    cols = data.columns[data.columns.str.fullmatch(r"track_\d+_at")]
    return sorted(int(c.split("_")[1]) for c in cols)


def plot_click_timeline(data: pd.DataFrame | ReportFacts, *, lang: str = "fr", ax: Any = None, **kwargs: Any) -> Any:
    """Cumulative clickers over time, one step line per tracked link (``track_N_at``).

    Examples
    --------
    >>> ax = plot_click_timeline(report, lang="en")  # one line per link
    """
    t = _text(lang)
    ax = _get_ax(ax)
    facts = facts_of(data)
    links = [(n, facts.times(f"track_{n}_at").dropna()) for n in _track_numbers(facts.frame)]
    links = [(n, times) for n, times in links if len(times)]
    if not links:
        return _no_data(ax, t, t["click_title"])
    for n, times in links:
        _cumulative_step(ax, times.dt.tz_localize(None), 1.0, t["link"].format(n), **kwargs)
    ax.legend(fontsize=8)
    ax.set_xlabel(t["time"])
    ax.set_ylabel(t["click_y"])
    _date_axis(ax, lang)
    ax.set_title(t["click_title"])
    return ax


def plot_click_heatmap(
    data: pd.DataFrame | ReportFacts,
    *,
    value: str = "clicks",
    send_times: Any = None,
    lang: str = "fr",
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Heatmap weekday (rows, Monday first) × hour of day (columns), Paris time.

    Parameters
    ----------
    value : {"clicks", "deliveries", "sends"}
        Which count of :func:`mfanalytics.analysis.by_hour` to show.
    **kwargs
        Passed to ``ax.imshow`` (default ``cmap="Blues"``).

    Examples
    --------
    >>> ax = plot_click_heatmap(report)
    """
    t = _text(lang)
    title = {"clicks": t["heat_title"], "deliveries": t["heat_deliveries"], "sends": t["heat_sends"]}
    if value not in title:
        raise ValidationError(f"value must be one of {sorted(title)}, not {value!r}", rule="value", field="value")
    ax = _get_ax(ax)
    grid = analysis.by_hour(data, send_times=send_times)[value].unstack("hour") if len(data) else None
    if grid is None or grid.to_numpy().sum() == 0:
        return _no_data(ax, t, title[value])
    kwargs.setdefault("cmap", "Blues")
    image = ax.imshow(grid.to_numpy(), aspect="auto", interpolation="nearest", **kwargs)
    ax.set_yticks(range(7), list(t["weekdays"]))
    ax.set_xticks(range(0, 24, 2), [str(h) for h in range(0, 24, 2)])
    ax.set_xlabel(t["hour"])
    ax.set_ylabel(t["day"])
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(title[value])
    return ax


def plot_campaign_comparison(
    data: Any,
    *,
    metrics: Sequence[str] = ("delivery_rate", "click_rate"),
    lang: str = "fr",
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Grouped bars of rates per campaign.

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
    t = _text(lang)
    for m in metrics:
        if m not in ("delivery_rate", "click_rate", "stop_rate"):
            raise ValidationError(f"unknown metric {m!r}", rule="metric", field="metrics")
    ax = _get_ax(ax)
    if isinstance(data, pd.DataFrame) and "delivery_rate" in data.columns and "status_code" not in data.columns:
        table = data
    elif isinstance(data, pd.DataFrame) and len(data) == 0:
        table = data.iloc[:0]
    else:
        table = analysis.compare_campaigns(data)
    if len(table) == 0:
        return _no_data(ax, t, t["cmp_title"])
    x = np.arange(len(table))
    width = 0.8 / len(metrics)
    for i, m in enumerate(metrics):
        color = RATE_COLORS.get(m, GROUP_COLORS["delivered_stop"])
        # a rate that does not exist (no link: no click rate) draws no bar, not a bar at 0
        ax.bar(
            x + (i - (len(metrics) - 1) / 2) * width,
            table[m].to_numpy(dtype=float, na_value=np.nan),
            width,
            label=t[m],
            color=color,
            **kwargs,
        )
    ax.set_xticks(
        x,
        [str(k) for k in table.index],
        rotation=30 if len(table) > 4 else 0,
        ha="right" if len(table) > 4 else "center",
    )
    ax.set_ylim(0, 1.22)
    ax.set_yticks(np.linspace(0, 1, 6))
    _percent_axis(ax.yaxis)
    ax.set_xlabel(t["campaign"])
    ax.set_ylabel(t["rate"])
    ax.legend(fontsize=8, loc="upper center", ncol=len(metrics))
    ax.set_title(t["cmp_title"])
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
    t = _text(lang)
    ax = _get_ax(ax)
    if "flagged" in data.columns and "delivery_rate" in data.columns and "status_code" not in data.columns:
        daily = data
    else:
        daily = trends.daily_rates(data, send_times=send_times) if len(data) else None
    if daily is None or len(daily) == 0:
        return _no_data(ax, t, t["daily_title"])
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
    ax.set_ylim(0, 1.22)
    ax.set_yticks(np.linspace(0, 1, 6))
    _percent_axis(ax.yaxis)
    ax.set_xlabel(t["day"])
    ax.set_ylabel(t["rate"])
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    if len(days) <= 16:
        from matplotlib.dates import DateFormatter

        ax.set_xticks(days)
        ax.xaxis.set_major_formatter(DateFormatter("%d/%m" if lang == "fr" else "%b %d"))
        ax.tick_params(axis="x", labelrotation=30 if len(days) > 7 else 0)
    else:
        _date_axis(ax, lang)
    ax.set_title(t["daily_title"])
    return ax
