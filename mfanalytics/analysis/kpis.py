"""Deliverability KPIs computed from report frames, vectorised.

Every function takes a *report frame* (see ``DESIGN.md``: one row per
recipient line, ``status_code``, ``status_group``, ``delivered_at``,
``clicked``...) such as :func:`mfanalytics.reports.parse_report` returns, or
its :class:`~mfanalytics.facts.ReportFacts` (``facts_of(frame)``: the per-row
facts built once and shared by several calls, as the HTML report does), and
never loops over rows in Python. They also take an :class:`mfanalytics.Archive`,
a folder of Parquet report files, an Ibis table or a PySpark DataFrame: the
engine that holds the rows (DuckDB, Spark) computes the per-group counts and
quantiles (:mod:`mfanalytics.analysis.engines`), and the same pandas step as
for a frame makes the published table, so both give the same frame.

Definitions used throughout (also in the HTML report):

recipients
    Rows of the report.
sent
    Rows that left the platform: every row except the groups ``not_sent``
    and ``blocked`` and the code 2 (badly formatted number). Codes 29/30
    (unallocated number) *were* sent and failed at the operator, so they
    count as sent. Rows of the ``unknown`` group count as sent.
delivered
    Rows of the groups ``delivered`` and ``delivered_stop`` (codes 16, 21, 17).
delivery_rate
    ``delivered / sent`` (NaN when nothing was sent). Rows still pending are
    in the denominator, so a campaign in flight has a provisional rate.
pending
    Groups ``pending`` and ``in_flight``: not final yet.
undelivered
    Groups ``undelivered`` and ``rejected`` (sent, failed at the operator).
invalid, blocked, not_sent, unknown
    The groups ``invalid_number`` (codes 2, 29, 30), ``blocked``,
    ``not_sent`` and ``unknown``. So ``delivered + pending + undelivered +
    invalid + blocked + not_sent + unknown == recipients``.
stop_rate
    Rows with ``is_stop`` (or code 17) over ``delivered``.
delivered_with_link
    Delivered rows of campaigns whose message had a link (``${track_N}``),
    as far as the report shows (see "link" below).
click_rate
    ``clicked / delivered_with_link``: clickers of delivered messages with a
    link. NaN for a group with no delivered message with a link; campaigns
    without a link have no click rate and are left out of every click rate
    that pools campaigns (a campaign without a link is not 0 %).
    ``clicks`` is the total of the link counters.
link
    A row had a link when its report carries click tracking (``clicked`` is
    not missing: the platform sends TRACK_N columns exactly for messages with
    links) and, in a frame of several campaigns, its campaign shows a trace
    of one on some row: a click date, a click counter above 0, or a link
    preview (PREVIEW / PREVIEW_COUNTER). The trace is needed because a period
    report carries the TRACK_N columns of every campaign in it, with empty
    dates and counters of 0 for the campaigns without a link (what the
    sandbox sends): there, a campaign with a link nobody clicked or previewed
    looks exactly like one without a link, and gets no click rate rather
    than a wrong 0 %.
time to deliver, time to first click
    ``delivered_at`` (delivered rows) and ``first_click_at`` minus the
    campaign's send time when given with ``send_times=``, else minus the
    campaign's first delivery.
credits
    Segments (SMS parts) of the sent rows: the ``segments=`` argument (an
    int or a Series aligned with the rows), else a ``segments`` column of
    the frame, else 1 per sent row.

Examples
--------
>>> import mfanalytics.analysis.kpis as mfa
>>> mfa.summarize(report)[["recipients", "delivery_rate"]]  # report: a campaign of 300 on the sandbox
             recipients  delivery_rate
campaign_id
1001                300           0.88
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis import engines
from mfanalytics.analysis.facts import (
    ReportFacts,
    check_frame,
    countries,
    facts_of,
    ratio,
    require,
)
from mfanalytics.analysis.intervals import add_intervals
from mfanalytics.analysis.statuses import failure_reasons, status_breakdown  # re-exported
from mfanalytics.analysis.statuses import finish_breakdown as finish_breakdown
from mfanalytics.errors import ValidationError

__all__ = [
    "summarize",
    "status_breakdown",
    "failure_reasons",
    "by_country",
    "by_hour",
    "compare_campaigns",
    "SUMMARY_COLUMNS",
]

#: Columns of :func:`summarize`, in order.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "recipients",
    "sent",
    "delivered",
    "delivery_rate",
    "pending",
    "undelivered",
    "invalid",
    "blocked",
    "not_sent",
    "unknown",
    "stops",
    "stop_rate",
    "clicked",
    "delivered_with_link",
    "click_rate",
    "clicks",
    "deliver_time_median",
    "deliver_time_p90",
    "click_time_median",
    "click_time_p90",
    "credits",
)
_COUNTS = engines.SUM_COLUMNS


def finish_summary(counts: pd.DataFrame, times: pd.DataFrame) -> pd.DataFrame:
    """The table of :func:`summarize` from the per-group sums of :data:`engines.SUM_COLUMNS`
    and the quantiles ``(column, q)`` of :data:`engines.TIME_COLUMNS`, whichever engine computed them."""
    out = counts.astype(np.int64)
    out["delivery_rate"] = ratio(out["delivered"], out["sent"])
    out["stop_rate"] = ratio(out["stops"], out["delivered"])
    # of delivered messages with a link: a campaign without a link has no click rate, it is not 0
    out["click_rate"] = ratio(out["clicked"], out["delivered_with_link"])
    for name, col in (("deliver_time", "_deliver_s"), ("click_time", "_click_s")):
        for suffix, q in (("median", 0.5), ("p90", 0.9)):
            # by position: times has the groups of counts, in their order (a NA key would not align)
            secs = times[(col, q)].to_numpy(dtype="float64") if len(times) else np.full(len(out), np.nan)
            out[f"{name}_{suffix}"] = pd.to_timedelta(np.round(secs, 3), unit="s").astype("timedelta64[ns]")
    return out[list(SUMMARY_COLUMNS)]


# ------------------------------------------------------------ public API
@engines.on_snapshot
def summarize(
    report: pd.DataFrame | ReportFacts,
    *,
    by: str | Sequence[str] | None = "campaign_id",
    segments: int | pd.Series | None = None,
    send_times: Any = None,
) -> pd.DataFrame:
    """KPIs per group of rows: counts, rates, delivery and click delays, credits.

    Parameters
    ----------
    report : pandas.DataFrame, ReportFacts or a source
        A report frame, or an Archive, Parquet folder, Ibis table or Spark
        DataFrame (see :mod:`mfanalytics.analysis.engines`).
    by : str, list of str or None
        Column(s) to group by (``"campaign_id"``; ``"ref_list"``; a list
        column such as ``"AGENCE"``). ``None`` gives one row, indexed ``"all"``.
    segments : int or pandas.Series, optional
        SMS parts per row, for ``credits``. Default: the frame's ``segments``
        column if any, else 1 per sent row.
    send_times : Timestamp, mapping or Series, optional
        The send time of every campaign (a scalar), or per ``campaign_id``
        (mapping or Series indexed by campaign id). Naive times are Paris
        time. Campaigns without one are timed from their first delivery.

    Returns
    -------
    pandas.DataFrame
        One row per group, the columns of :data:`SUMMARY_COLUMNS` (counts are
        int64, rates float64 in [0, 1] or NaN, delays timedelta64). See the
        module docstring for the definitions.

    Examples
    --------
    >>> summarize(report)[["recipients", "sent", "delivery_rate"]]
                 recipients  sent  delivery_rate
    campaign_id
    1001                300   300           0.88
    >>> summarize(report, by=None, segments=2).loc["all", "credits"]
    np.int64(600)
    """
    keys = engines.named_keys(by)
    if engines.is_source(report):
        rows = engines.keyed_rows(report, keys, segments=segments, send_times=send_times)
        return finish_summary(*engines.aggregate_table(rows, keys))
    facts = facts_of(report)
    require(facts.frame, keys)
    return _summary(facts, tuple(keys), [facts.frame[k] for k in keys], segments, send_times)


def _summary(
    facts: ReportFacts, name: tuple[Any, ...], groupers: list[pd.Series], segments: Any, send_times: Any
) -> pd.DataFrame:
    """:func:`summarize` of ``facts`` grouped by ``groupers``, kept in the facts under ``name``."""
    store = facts.summaries.get((segments, send_times))
    if store is None:
        store = facts.summaries.put((segments, send_times), {})
    if name not in store:
        store[name] = aggregate(facts, groupers, segments, send_times)
    return store[name].copy()


def aggregate(
    facts: ReportFacts, groupers: list[pd.Series], segments: Any = None, send_times: Any = None
) -> pd.DataFrame:
    """The KPIs of :data:`SUMMARY_COLUMNS` per group of ``groupers`` (Series aligned
    with the rows; none: one row ``"all"``), from the facts' indicators."""
    ind = facts.kpi_rows(segments, send_times)
    grouper: Any = groupers if groupers else pd.Series("all", index=ind.index)
    gb = ind.groupby(grouper, dropna=False, observed=True, sort=True)
    counts = gb[list(_COUNTS)].sum()
    times = pd.DataFrame(index=counts.index)
    for q in engines.QUANTILES if len(ind) else ():  # one at a time: unstack loses the groups with a NA key
        at = gb[list(engines.TIME_COLUMNS)].quantile(q)
        for col in engines.TIME_COLUMNS:
            times[(col, q)] = at[col].to_numpy()  # the groups of counts, in their order
    out = finish_summary(counts, times)
    if not groupers:
        out.index = pd.Index(["all"] if len(ind) else [], dtype="object")
    if groupers and len(ind) == 0:
        names = [g.name for g in groupers]
        out.index = (
            pd.MultiIndex.from_arrays([[]] * len(names), names=names)
            if len(names) > 1
            else pd.Index([], name=names[0], dtype=groupers[0].dtype)
        )
    return out


def regions(mobiles: pd.Series) -> pd.Series:
    """ISO region of each number ("ZZ" when unknown): :func:`mfanalytics.analysis.facts.countries`,
    in Arrow kernels (the shared codes +1, +7, +262... by the vectorised replay of phonenumbers)."""
    return countries(mobiles)


@engines.on_snapshot
def by_country(
    report: pd.DataFrame | ReportFacts, *, segments: int | pd.Series | None = None, send_times: Any = None
) -> pd.DataFrame:
    """:func:`summarize` per country of the mobile number.

    The country is ``phonenumbers.region_code_for_number(phonenumbers.parse(mobile))``
    computed once per distinct number (numbers whose country code belongs
    to a single region are resolved from the code, vectorised). Numbers
    without ``+`` are read as international (``33612...`` = ``+33612...``,
    ``0033...`` too); unreadable ones get ``"ZZ"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``country`` (ISO 3166 code), sorted by recipients, the
        columns of :func:`summarize` plus ``share`` of recipients.

    Examples
    --------
    >>> by_country(report)[["recipients", "delivery_rate"]]
             recipients  delivery_rate
    country
    FR              300           0.88
    """
    if engines.is_source(report):
        out = summarize(report, by="country", segments=segments, send_times=send_times)
        total = int(out["recipients"].sum())
    else:
        facts = facts_of(report)
        require(facts.frame, ["mobile"])
        out = _summary(facts, ("<country>",), [facts.country.rename("country")], segments, send_times)
        total = len(facts)
    out.insert(1, "share", ratio(out["recipients"], pd.Series(total, index=out.index)))
    return out.sort_values(["recipients"], ascending=False, kind="stable")


@engines.on_snapshot
def by_hour(report: pd.DataFrame | ReportFacts, *, send_times: Any = None) -> pd.DataFrame:
    """Sends, deliveries and clicks by day of week and hour of day (Paris time).

    ``sends`` places each sent row at its campaign's send time (or first
    delivery when unknown), ``deliveries`` at ``delivered_at`` of delivered
    rows, ``clicks`` at ``first_click_at`` (one per recipient who clicked).

    Returns
    -------
    pandas.DataFrame
        168 rows indexed by (``weekday`` 0 = Monday .. 6, ``hour`` 0..23),
        columns ``sends``, ``deliveries``, ``clicks`` (int64).

    Examples
    --------
    >>> by_hour(report)["clicks"].unstack("hour").shape  # weekday x hour
    (7, 24)
    """
    if engines.is_source(report):
        return finish_hours(engines.hour_counts(report, send_times=send_times))
    facts = facts_of(report)
    counts = {}
    for name, times, mask in (
        ("sends", facts.t0(send_times), facts.sent),
        ("deliveries", facts.times("delivered_at"), facts.delivered),
        ("clicks", facts.times("first_click_at"), np.ones(len(facts), dtype=bool)),
    ):
        t = times[mask].dropna()
        counts[name] = (
            pd.Series(1, index=t.index).groupby([t.dt.day_of_week.rename("weekday"), t.dt.hour.rename("hour")]).sum()
        )
    return finish_hours(counts)


def finish_hours(counts: Mapping[str, pd.Series]) -> pd.DataFrame:
    """The table of :func:`by_hour` from, per name, the rows per (weekday, hour)."""
    full = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    out = pd.DataFrame(index=full)
    for name in ("sends", "deliveries", "clicks"):
        out[name] = counts[name].reindex(full, fill_value=0).astype(np.int64)
    return out


def combine_reports(reports: Any) -> tuple[pd.DataFrame | ReportFacts, str]:
    """(one frame, or the facts given, and the column naming its campaigns) of what
    :func:`compare_campaigns` takes."""
    if isinstance(reports, ReportFacts):
        require(reports.frame, ["campaign_id"])
        return reports, "campaign_id"
    if isinstance(reports, pd.DataFrame):
        return check_frame(reports, ["campaign_id"]), "campaign_id"
    if isinstance(reports, Mapping):
        frames = [check_frame(f).assign(campaign=str(name)) for name, f in reports.items()]
        key = "campaign"
    elif isinstance(reports, Sequence) and not isinstance(reports, str):
        frames = [check_frame(f, ["campaign_id"]) for f in reports]
        key = "campaign_id"
    else:
        raise ValidationError(
            "expected a report frame, a list of them or a dict name -> frame", rule="not-a-report-frame"
        )
    if not frames:
        raise ValidationError("no report frame given", rule="empty-input")
    if key == "campaign_id":  # frames of the same campaigns (overlapping fetches): each recipient line once
        from mfanalytics.reports.lines import dedupe_lines

        return dedupe_lines(frames), key
    frames = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(frames, ignore_index=True), key


@engines.on_snapshot
def compare_campaigns(reports: Any, **kwargs: Any) -> pd.DataFrame:
    """:func:`summarize` side by side for several campaigns.

    Parameters
    ----------
    reports : DataFrame, list of DataFrame or dict of name -> DataFrame
        One frame holding several campaigns (grouped by ``campaign_id``), a
        list of frames, or named frames (grouped by name, in the dict's order).
    **kwargs
        Passed to :func:`summarize` (``segments``, ``send_times``).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`summarize` plus ``delivery_rate_vs_all`` and
        ``click_rate_vs_all``: the difference to the rate of all campaigns pooled.
        Each rate has its Wilson 95 % interval in ``<rate>_low`` / ``<rate>_high``
        (:func:`mfanalytics.analysis.intervals.add_intervals`): delivery of sent, click of
        delivered with a link, STOP of delivered.

    Examples
    --------
    >>> compare_campaigns({"Soldes": r1, "Rentrée": r2})["recipients"].tolist()
    [300, 300]
    """
    if engines.is_source(reports):
        return add_intervals(campaign_table(reports, "campaign_id", None, **kwargs))
    frame, key = combine_reports(reports)
    order = [str(k) for k in reports] if key == "campaign" and isinstance(reports, Mapping) else None
    return add_intervals(campaign_table(facts_of(frame), key, order, **kwargs))  # Wilson: <rate>_low, <rate>_high


def campaign_table(
    facts: ReportFacts | Any,
    key: str,
    order: Sequence[str] | None = None,
    *,
    segments: int | pd.Series | None = None,
    send_times: Any = None,
) -> pd.DataFrame:
    """:func:`compare_campaigns` of the facts of a combined frame (or of a source), its
    campaigns in column ``key`` (in the order ``order`` when given)."""
    kwargs = {"segments": segments, "send_times": send_times}
    out = summarize(facts, by=key, **kwargs)
    if order is not None:
        out = out.reindex([k for k in order if k in out.index])
    total = summarize(facts, by=None, **kwargs)
    for rate in ("delivery_rate", "click_rate"):
        pooled = total[rate].iloc[0] if len(total) else np.nan
        out[f"{rate}_vs_all"] = out[rate] - pooled
    return out
