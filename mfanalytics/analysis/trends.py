"""Trends over a span of campaigns: the outliers flagged, the rates day by day.

Over several campaigns (e.g. what :meth:`mfanalytics.Client.get_reports`
returns for a period), :func:`flag_campaigns` marks those delivered well below
the account's usual rate and :func:`daily_rates` gives the delivery and click
rates of each Paris day. Both take a report frame (or an Archive, an Ibis
table or a Spark DataFrame, see :mod:`mfanalytics.analysis.engines`) and read
the KPIs of :func:`mfanalytics.analysis.summarize` (same definitions).

Examples
--------
>>> import mfanalytics.analysis.trends as trends
>>> trends.flag_campaigns(week)["flagged"].sum()  # campaigns well below the usual rate
np.int64(0)
>>> len(trends.daily_rates(week))  # one row per Paris day
7
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis import engines
from mfanalytics.analysis.facts import TZ, ReportFacts, facts_of, groups_of, ratio, require
from mfanalytics.analysis.intervals import add_intervals
from mfanalytics.analysis.kpis import summarize

__all__ = ["flag_campaigns", "daily_rates"]


def _campaign_when(report: Any, send_times: Any) -> pd.Series:
    """Per campaign_id, when it was sent (send time, first delivery, first event), Paris time."""
    if engines.is_source(report):
        events = engines.campaign_events(report, send_times=send_times)
        secs = events["t0"].fillna(events["first_event"])
        when: pd.Series = pd.to_datetime(secs, unit="s", utc=True).dt.tz_convert(TZ)
        return when.astype(pd.DatetimeTZDtype("s", TZ))
    facts = facts_of(report)
    frame = facts.frame
    dtype = facts.times("delivered_at").dtype
    if not len(frame):
        return pd.Series([], index=pd.Index(frame["campaign_id"], name="campaign_id"), dtype=dtype)
    # per row, in ns (a missing time: the largest int64, so that it loses every minimum)
    never = np.iinfo(np.int64).max

    def ns(times: pd.Series) -> np.ndarray:
        values = times.dt.as_unit("ns").array.asi8
        return np.where(times.isna().to_numpy(), never, values)

    t0 = ns(facts.t0(send_times))
    first = ns(facts.times("delivered_at"))
    for col in ("first_click_at", "preview_at"):
        first = np.minimum(first, ns(facts.times(col)))
    codes, campaigns = groups_of(frame["campaign_id"])  # as groupby(campaign_id, dropna=False) makes them
    least_t0, least_first = np.full(len(campaigns), never), np.full(len(campaigns), never)
    np.minimum.at(least_t0, codes, t0)
    np.minimum.at(least_first, codes, first)
    unknown = np.bincount(codes[t0 == never], minlength=len(campaigns)) > 0
    # a row without a send time starts at its campaign's first event: it only counts if a row has none
    start = np.where(unknown, np.minimum(least_t0, least_first), least_t0)
    at = pd.DatetimeIndex(np.where(start == never, np.iinfo(np.int64).min, start).view("M8[ns]"), tz="UTC")
    return pd.Series(at.tz_convert(TZ), index=campaigns.rename("campaign_id")).astype(dtype)


def campaign_day(when: pd.Series) -> pd.Series:
    """The Paris day of each campaign's send time (naive, midnight)."""
    return when.dt.tz_localize(None).dt.normalize().rename("day")


@engines.on_snapshot
def flag_campaigns(
    report: pd.DataFrame | ReportFacts, *, send_times: Any = None, min_drop: float = 0.05, k: float = 3.0, **kwargs: Any
) -> pd.DataFrame:
    """Per campaign KPIs, flagging campaigns well below the account's usual rate.

    The usual rate is the median delivery rate of the campaigns in
    ``report`` (those with something sent). The threshold is
    ``usual - max(min_drop, k * spread)``, with ``spread`` a robust standard
    deviation of the campaign rates (1.4826 x their median absolute
    deviation). A campaign is flagged when even the upper end of its rate's
    Wilson score interval (``z = k``) is below the threshold, so that a small
    campaign is not flagged on noise (1 delivered out of 2 is not evidence).

    Returns
    -------
    pandas.DataFrame
        :func:`~mfanalytics.analysis.summarize` by ``campaign_id`` plus
        ``day`` (Paris day the campaign was sent, NaT if unknown),
        ``usual_rate``, ``threshold``, ``rate_upper`` (the Wilson upper bound)
        and ``flagged``.

    Examples
    --------
    >>> flagged = flag_campaigns(week)[lambda d: d.flagged]
    """
    if not engines.is_source(report):
        report = facts_of(report)
        require(report.frame, ["campaign_id"])
    out = summarize(report, by="campaign_id", send_times=send_times, **kwargs)
    out.insert(0, "day", campaign_day(_campaign_when(report, send_times)).reindex(out.index))
    rates = out["delivery_rate"].dropna()
    usual = float(rates.median()) if len(rates) else np.nan
    spread = 1.4826 * float((rates - usual).abs().median()) if len(rates) else np.nan
    n = out["sent"].astype("float64").where(out["sent"] > 0)
    p, z2 = out["delivery_rate"], k * k
    upper = (p + z2 / (2 * n) + k * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n)
    out["usual_rate"] = usual
    out["threshold"] = usual - max(min_drop, k * spread)
    out["rate_upper"] = upper.clip(upper=1.0).astype("float64")
    out["flagged"] = (out["rate_upper"] < out["threshold"]).fillna(False).astype(bool)
    return out


@engines.on_snapshot
def daily_rates(report: pd.DataFrame | ReportFacts, *, send_times: Any = None, **kwargs: Any) -> pd.DataFrame:
    """Daily delivery and click rates over a period (e.g. a ``get_reports`` span).

    Each campaign counts on the Paris day it was sent (see
    :func:`flag_campaigns`); campaigns without any date are left out. Days
    between the first and the last with no campaign are kept, with zero
    counts and NaN rates.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``day``: ``campaigns``, ``recipients``, ``sent``,
        ``delivered``, ``delivery_rate`` (of sent), ``clicked``,
        ``delivered_with_link``, ``click_rate`` (clickers of the delivered
        messages with a link; NaN on a day none of whose campaigns had a
        link, see :mod:`mfanalytics.analysis`), ``flagged`` (number of
        flagged campaigns that day), ``stops``, ``stop_rate`` (of delivered), and each
        rate's Wilson 95 % interval in ``<rate>_low`` / ``<rate>_high``.

    Examples
    --------
    >>> rates = daily_rates(week)[["delivery_rate", "click_rate"]]
    """
    return add_intervals(daily_from_flags(flag_campaigns(report, send_times=send_times, **kwargs)))  # Wilson


def daily_from_flags(flags: pd.DataFrame) -> pd.DataFrame:
    camps = flags.dropna(subset=["day"])
    cols = ["recipients", "sent", "delivered", "clicked", "delivered_with_link", "stops"]  # stops: the STOP rate
    if len(camps):
        g = camps.groupby("day")
        out = g[cols].sum()
        out.insert(0, "campaigns", g.size())
        out["flagged"] = g["flagged"].sum()
        out = out.reindex(pd.date_range(out.index.min(), out.index.max(), freq="D", name="day"), fill_value=0)
    else:
        out = pd.DataFrame(0, index=pd.DatetimeIndex([], name="day"), columns=["campaigns", *cols, "flagged"])
    out = out.astype(np.int64)
    out.insert(4, "delivery_rate", ratio(out["delivered"], out["sent"]))
    # of delivered messages with a link: NaN on a day none of whose campaigns had one
    out["click_rate"] = ratio(out["clicked"], out["delivered_with_link"])
    return out[
        [
            "campaigns",
            "recipients",
            "sent",
            "delivered",
            "delivery_rate",
            "clicked",
            "delivered_with_link",
            "click_rate",
            "flagged",
            "stops",
        ]
    ]
