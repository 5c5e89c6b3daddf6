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

from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis import kpis as analysis
from mfanalytics.analysis.campaign_plots import plot_campaign_comparison, plot_daily_rates  # re-exported
from mfanalytics.analysis.facts import ReportFacts, facts_of, groups_of
from mfanalytics.analysis.plot_style import FLAG_COLOR as FLAG_COLOR  # re-exported
from mfanalytics.analysis.plot_style import (
    FUNNEL_COLORS,
    GROUP_COLORS,
    LABEL_SIZE,
    count_axis,
    date_axis,
    fmt_int,
    fmt_pct,
    get_ax,
    no_data,
    percent_axis,
    text_for,
)
from mfanalytics.analysis.plot_style import RATE_COLORS as RATE_COLORS  # re-exported
from mfanalytics.analysis.plot_style import fit_tick_labels as fit_tick_labels  # re-exported
from mfanalytics.analysis.plot_style import shorten as shorten  # re-exported
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

_text = text_for


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
        its y tick label the group's label in ``lang``, each bar labelled with
        its count (its share of recipients when ``normalize``): the rates, each
        with its own base, are the funnel's (:func:`plot_funnel`).

    Examples
    --------
    >>> ax = plot_status_breakdown(report, lang="en")
    """
    t = _text(lang)
    ax = get_ax(ax)
    if len(data) == 0:
        return no_data(ax, t, t["status_title"])
    table = analysis.status_breakdown(data, level="group")
    if hide_empty:
        table = table[table["count"] > 0]
    values = table["share" if normalize else "count"].to_numpy(dtype=float)
    y = np.arange(len(table))
    bars = ax.barh(y, values, color=[GROUP_COLORS[g] for g in table.index], **kwargs)
    ax.set_yticks(y, table[f"label_{lang}"].tolist())
    ax.invert_yaxis()
    labels = [fmt_pct(s, lang) if normalize else fmt_int(c, lang) for c, s in zip(table["count"], table["share"])]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=LABEL_SIZE)
    ax.set_xlim(0, values.max() * 1.22 if len(values) and values.max() > 0 else 1)
    ax.set_xlabel(t["share"] if normalize else t["recipients"])
    if normalize:
        percent_axis(ax.xaxis, lang)
    else:
        count_axis(ax.xaxis, lang)
    ax.set_title(t["status_title"])
    return ax


def plot_funnel(data: pd.DataFrame | ReportFacts, *, lang: str = "fr", ax: Any = None, **kwargs: Any) -> Any:
    """Horizontal bars recipients → sent → delivered → clicked, each step with its rate and its base.

    The rates are those of :func:`mfanalytics.analysis.summarize`: sent of
    recipients, delivered of sent (the delivery rate), clickers of delivered
    messages with a link (the click rate).

    Returns
    -------
    matplotlib.axes.Axes
        Four bars (top to bottom), widths from :func:`mfanalytics.analysis.summarize`.

    Examples
    --------
    >>> ax = plot_funnel(report)
    """
    t = _text(lang)
    ax = get_ax(ax)
    if len(data) == 0:
        return no_data(ax, t, t["funnel_title"])
    s = analysis.summarize(data, by=None).iloc[0]
    values = [int(s["recipients"]), int(s["sent"]), int(s["delivered"]), int(s["clicked"])]
    rates = [
        None,
        (s["sent"] / s["recipients"] if s["recipients"] else np.nan, t["of_recipients"]),
        (s["delivery_rate"], t["of_sent"]),
        (s["click_rate"], t["of_delivered_link"]),
    ]
    y = np.arange(4)
    ax.barh(y, values, color=list(FUNNEL_COLORS), **kwargs)
    ax.set_yticks(y, list(t["funnel"]))
    ax.invert_yaxis()
    top = max(*values, 1)
    ax.set_xlim(0, top * 1.02)
    for i, (value, rate, colour) in enumerate(zip(values, rates, FUNNEL_COLORS)):
        label = fmt_int(value, lang)
        if rate is not None and not pd.isna(rate[0]):
            label += f" · {fmt_pct(rate[0], lang)} {rate[1]}"
        inside = value >= 0.6 * top  # long bars carry their label inside, short ones just after their end
        ax.annotate(
            label,
            (value, i),
            xytext=(-5 if inside else 4, 0),
            textcoords="offset points",
            ha="right" if inside else "left",
            va="center",
            fontsize=LABEL_SIZE,
            color=_ink_on(colour) if inside else "#212121",
            fontweight="bold" if inside else "normal",
        )
    count_axis(ax.xaxis, lang)
    ax.set_xlabel(t["recipients"])
    ax.set_title(t["funnel_title"])
    return ax


def _ink_on(colour: str) -> str:
    """White or near-black text, whichever contrasts more with ``colour`` (WCAG relative luminance)."""
    from matplotlib.colors import to_rgb

    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "white" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.0625) else "#212121"


def _cumulative_step(ax: Any, times: pd.Series, scale: float, label: str | None, **kwargs: Any) -> Any:
    x = np.sort(times.to_numpy())  # as sort_values orders them (a missing time last), without an index
    y = np.arange(1, len(x) + 1) / scale
    if len(x) > 2000:  # a cumulative curve: 2000 evenly spaced points look the same, draw much faster
        keep = np.unique(np.linspace(0, len(x) - 1, 2000).astype(np.int64))
        x, y = x[keep], y[keep]
    if len(x):  # from 0 at the first event: a count before anything happened is none
        x, y = np.concatenate([x[:1], x]), np.concatenate([[0.0], y])
    return ax.step(x, y, where="post", label=label, **kwargs)[0]


#: Above this many campaigns, the cumulative plot colours and names only the most telling ones.
MAX_LINES = 6


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
    """Cumulative deliveries over time, one step line per campaign, every line named.

    Up to :data:`MAX_LINES` campaigns, each line has its colour and its legend
    entry. Above, the lowest three and the highest one (by their last value)
    keep a colour and a name, and the others are drawn thin and grey under one
    legend entry "Autres campagnes (n)" / "Other campaigns (n)".

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
    ax = get_ax(ax)
    facts = facts_of(data) if len(data) else None
    if facts is None or not facts.delivered.any():
        return no_data(ax, t, t["cum_title"])
    frame, ind, delivered = facts.frame, facts.indicators, facts.delivered
    at = facts.times("delivered_at")
    x = (at - facts.t0(send_times)).dt.total_seconds() / 60 if relative else at.dt.tz_localize(None)
    keys = frame[by] if by is not None else pd.Series(0, index=frame.index)
    sent = ind["sent"].groupby(keys, dropna=False, sort=True).sum() if normalize else None
    shown = x[delivered]
    # each campaign's rows by position, the campaigns as groupby(dropna=False, sort=True) has them
    # (a look-up of the index's labels costs more than the sort)
    codes, groups = groups_of(keys[delivered])
    by_group = np.argsort(codes.astype(np.int32), kind="stable")
    positions = np.split(by_group, np.cumsum(np.bincount(codes, minlength=len(groups)))[:-1])
    curves = []
    for key, where in zip(groups, positions, strict=True):
        scale = max(int(sent.get(key, 1)), 1) if sent is not None else 1.0
        xs = shown.iloc[where].dropna()
        curves.append((key, xs, scale, len(xs) / scale))
    named = set(range(len(curves)))
    if len(curves) > MAX_LINES:
        order = sorted(range(len(curves)), key=lambda i: curves[i][3])
        named = set(order[:3]) | {order[-1]}
    others = len(curves) - len(named)
    first_other = True
    for i, (key, xs, scale, last) in enumerate(curves):
        label = f"{t['campaign']} {key}" if by == "campaign_id" else str(key)
        if i in named:
            if others:
                label += f" ({fmt_pct(last, lang, 0) if normalize else fmt_int(last, lang)})"
            _cumulative_step(ax, xs, scale, label if by is not None else None, zorder=3, **kwargs)
        else:
            other = t["others"].format(fmt_int(others, lang)) if first_other else None
            _cumulative_step(ax, xs, scale, other, color="#bdbdbd", linewidth=0.8, zorder=2, **kwargs)
            first_other = False
    if by is not None and len(curves) > 1:
        handles, names = ax.get_legend_handles_labels()
        grey = [i for i, h in enumerate(handles) if h.get_zorder() == 2]  # "other campaigns" last
        order = [i for i in range(len(handles)) if i not in grey] + grey
        ax.legend(
            [handles[i] for i in order],
            [names[i] for i in order],
            fontsize=LABEL_SIZE - 1,
            loc="lower right" if normalize else "upper left",
        )
    ax.set_xlabel(t["minutes"] if relative else t["time"])
    ax.set_ylabel(t["cum_y_norm"] if normalize else t["cum_y"])
    if normalize:
        percent_axis(ax.yaxis, lang)
        ax.set_ylim(0, 1.02)
    else:
        count_axis(ax.yaxis, lang)
    if relative:
        count_axis(ax.xaxis, lang)
    else:
        date_axis(ax, lang)
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
    ax = get_ax(ax)
    facts = facts_of(data)
    links = [(n, facts.times(f"track_{n}_at").dropna()) for n in _track_numbers(facts.frame)]
    links = [(n, times) for n, times in links if len(times)]
    if not links:
        return no_data(ax, t, t["click_title"])
    for n, times in links:
        _cumulative_step(ax, times.dt.tz_localize(None), 1.0, t["link"].format(n), **kwargs)
    ax.legend(fontsize=LABEL_SIZE - 1, loc="lower right")
    ax.set_xlabel(t["time"])
    ax.set_ylabel(t["click_y"])
    count_axis(ax.yaxis, lang)
    date_axis(ax, lang)
    ax.set_title(t["click_title"])
    return ax


def hour_grid(data: pd.DataFrame | ReportFacts, value: str = "clicks", send_times: Any = None) -> np.ndarray:
    """The 7 × 24 counts (weekday Monday first × hour, Paris time) of :func:`mfanalytics.analysis.by_hour`'s
    column ``value``, counted with one ``bincount`` over the facts' times."""
    facts = facts_of(data)
    if value == "sends":
        times, mask = facts.t0(send_times), facts.sent
    elif value == "deliveries":
        times, mask = facts.times("delivered_at"), facts.delivered
    else:
        times, mask = facts.times("first_click_at"), None
    t = (times[mask] if mask is not None else times).dropna()
    cells = t.dt.day_of_week.to_numpy(dtype=np.int64) * 24 + t.dt.hour.to_numpy(dtype=np.int64)
    return np.bincount(cells, minlength=168).reshape(7, 24)


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

    A grid with a single filled cell says so in words (which day, which hour,
    how many) rather than drawing one coloured square.

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
    ax = get_ax(ax)
    cells = hour_grid(data, value, send_times) if len(data) else None
    if cells is None or cells.sum() == 0:
        return no_data(ax, t, title[value])
    filled = np.argwhere(cells > 0)
    if len(filled) == 1:
        day, hour = filled[0]
        message = t["one_slot"].format(t["weekdays"][day], int(hour), fmt_int(cells[day, hour], lang))
        return no_data(ax, t, title[value], message)
    kwargs.setdefault("cmap", "Blues")
    image = ax.imshow(cells, aspect="auto", interpolation="nearest", **kwargs)
    ax.set_yticks(range(7), list(t["weekdays"]))
    ax.set_xticks(range(0, 24, 3), [str(h) for h in range(0, 24, 3)])
    ax.set_xlabel(t["hour"])
    ax.set_ylabel(t["day"])
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.85)
    count_axis(bar.ax.yaxis, lang)
    ax.set_title(title[value])
    return ax
