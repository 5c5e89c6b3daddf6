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
from mfanalytics.analysis.advice import ACTIONS, ADVICE, GROUP_LABELS, UNKNOWN_ADVICE
from mfanalytics.analysis.facts import (
    GROUP_DTYPE,
    ReportFacts,
    check_frame,
    countries,
    facts_of,
    link_rows,
    ratio,
    require,
)
from mfanalytics.analysis.intervals import add_intervals
from mfanalytics.errors import ValidationError
from mfanalytics.reports.status_codes import STATUS_GROUPS, STATUS_TABLE

__all__ = [
    "summarize",
    "status_breakdown",
    "failure_reasons",
    "by_country",
    "by_hour",
    "compare_campaigns",
    "SUMMARY_COLUMNS",
]

_FAILED_GROUPS = ("undelivered", "invalid_number", "rejected", "blocked", "not_sent", "unknown")

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
_link_rows = link_rows  # the old name, still read by mfanalytics.periods


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
            secs = times[(col, q)] if len(times) else pd.Series(np.nan, index=out.index)
            out[f"{name}_{suffix}"] = pd.to_timedelta(secs.round(3), unit="s").astype("timedelta64[ns]")
    return out[list(SUMMARY_COLUMNS)]


# ------------------------------------------------------------ public API
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
    quantiles = list(engines.QUANTILES)
    times: pd.DataFrame = (
        gb[list(engines.TIME_COLUMNS)].quantile(quantiles).unstack()  # type: ignore[arg-type,assignment]
        if len(ind)
        else pd.DataFrame()
    )
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


def _code_labels(codes: pd.Index) -> pd.DataFrame:
    """French and English labels and group of distinct codes (NA allowed)."""
    known = STATUS_TABLE.reindex(codes.astype("float64").fillna(-1).astype(np.int64))
    fr = ["Inconnu" if pd.isna(c) else f"Inconnu ({int(c)})" for c in codes]
    en = ["Unknown" if pd.isna(c) else f"Unknown ({int(c)})" for c in codes]
    return pd.DataFrame(
        {
            "label_fr": known["label_fr"].fillna(pd.Series(fr, index=known.index)).to_numpy(),
            "label_en": known["label_en"].fillna(pd.Series(en, index=known.index)).to_numpy(),
        },
        index=codes,
    )


def status_breakdown(report: pd.DataFrame | ReportFacts, *, level: str = "code") -> pd.DataFrame:
    """Counts and shares per status code or per status group.

    Parameters
    ----------
    report : pandas.DataFrame
        A report frame.
    level : {"code", "group"}
        ``"code"``: one row per status code present (NA for a missing code),
        with its group, its French and English labels, its count and share
        of recipients, and its group's count and share. ``"group"``: one row
        per group of :data:`~mfanalytics.status_codes.STATUS_GROUPS`, zeros
        included, in that order.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> round(status_breakdown(report, level="group").loc["delivered", "share"], 3)
    np.float64(0.873)
    """
    if level not in ("code", "group"):
        raise ValidationError(f"level must be 'code' or 'group', not {level!r}", rule="level", field="level")
    if engines.is_source(report):
        return finish_breakdown(engines.status_counts(engines.table_of(report)), level)
    facts = facts_of(report)
    g = facts.group_index
    if level == "group":
        per_group = np.bincount(g, minlength=len(STATUS_GROUPS)).astype(np.int64)
        counts = pd.DataFrame({"g": np.arange(len(STATUS_GROUPS)), "code": np.nan, "count": per_group})
    else:
        frame = pd.DataFrame({"code": pd.array(facts.codes, dtype="Float64"), "g": g})
        counts = frame.groupby(["g", "code"], dropna=False).size().rename("count").reset_index()
    return finish_breakdown(counts, level)


def finish_breakdown(counts: pd.DataFrame, level: str) -> pd.DataFrame:
    """The table of :func:`status_breakdown` from the rows per (group position ``g``,
    status ``code``): columns ``g``, ``code`` (float, NaN when missing), ``count``."""
    g_all = counts["g"].to_numpy(dtype=np.int64)
    n = int(counts["count"].sum())
    group_counts = np.bincount(g_all, weights=counts["count"], minlength=len(STATUS_GROUPS)).astype(np.int64)
    group_share = group_counts / n if n else np.full(len(STATUS_GROUPS), np.nan)
    if level == "group":
        return pd.DataFrame(
            {
                "label_fr": [GROUP_LABELS[x]["fr"] for x in STATUS_GROUPS],
                "label_en": [GROUP_LABELS[x]["en"] for x in STATUS_GROUPS],
                "count": group_counts,
                "share": group_share,
            },
            index=pd.Index(list(STATUS_GROUPS), name="status_group"),
        )
    counts = counts[counts["count"] > 0]
    codes = pd.Index(counts["code"].astype("float64"))
    labels = _code_labels(codes)
    out = pd.DataFrame(
        {
            "status_code": pd.Series(counts["code"].to_numpy(), dtype="Float64").astype("Int16").to_numpy(),
            "status_group": pd.Categorical.from_codes(counts["g"].to_numpy(), dtype=GROUP_DTYPE),
            "label_fr": labels["label_fr"].to_numpy(),
            "label_en": labels["label_en"].to_numpy(),
            "count": counts["count"].to_numpy(dtype=np.int64),
        }
    )
    out["share"] = out["count"] / n if n else np.nan
    out["group_count"] = group_counts[counts["g"].to_numpy()]
    out["group_share"] = group_share[counts["g"].to_numpy()]
    out = out.sort_values(["status_group", "count", "status_code"], ascending=[True, False, True], kind="stable")
    return out.reset_index(drop=True)


def failure_reasons(report: pd.DataFrame | ReportFacts) -> pd.DataFrame:
    """The codes behind every non-delivery, ranked, with what to do about each.

    Non-deliveries are the rows of the groups undelivered, invalid_number,
    rejected, blocked, not_sent and unknown; rows still pending or in
    flight are not failures (yet) and are left out.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``rank`` (1 = most frequent): ``status_code``,
        ``status_group``, ``label_fr``, ``label_en``, ``count``, ``share``
        (of the failures), ``share_of_recipients``, ``action`` (a short name
        from :data:`mfanalytics.advice.ACTIONS`), ``action_fr``,
        ``action_en``, ``advice_fr``, ``advice_en``.

    Examples
    --------
    >>> reasons = failure_reasons(report)[["status_code", "count", "advice_en"]]
    """
    codes = status_breakdown(report, level="code")
    failed = codes[codes["status_group"].isin(_FAILED_GROUPS)].copy()
    failed = failed.sort_values(["count", "status_code"], ascending=[False, True], kind="stable")
    total = int(failed["count"].sum())
    entries = [UNKNOWN_ADVICE if pd.isna(c) else ADVICE.get(int(c), UNKNOWN_ADVICE) for c in failed["status_code"]]
    actions = [e["action"] for e in entries]
    out = pd.DataFrame(
        {
            "status_code": failed["status_code"].to_numpy(),
            "status_group": failed["status_group"].to_numpy(),
            "label_fr": failed["label_fr"].to_numpy(),
            "label_en": failed["label_en"].to_numpy(),
            "count": failed["count"].to_numpy(dtype=np.int64),
            "share": (failed["count"] / total).to_numpy(dtype="float64") if total else np.array([], dtype="float64"),
            "share_of_recipients": failed["share"].to_numpy(dtype="float64"),
            "action": actions,
            "action_fr": [ACTIONS[a]["fr"] for a in actions],
            "action_en": [ACTIONS[a]["en"] for a in actions],
            "advice_fr": [e["fr"] for e in entries],
            "advice_en": [e["en"] for e in entries],
        },
        index=pd.RangeIndex(1, len(failed) + 1, name="rank"),
    )
    out["status_group"] = out["status_group"].astype(GROUP_DTYPE)
    return out


def regions(mobiles: pd.Series) -> pd.Series:
    """ISO region of each number ("ZZ" when unknown): :func:`mfanalytics.analysis.facts.countries`,
    in Arrow kernels (the shared codes +1, +7, +262... by the vectorised replay of phonenumbers)."""
    return countries(mobiles)


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
        return finish_hours(engines.hour_counts(engines.table_of(report), send_times=send_times))
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
