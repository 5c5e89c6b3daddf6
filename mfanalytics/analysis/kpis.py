"""Deliverability KPIs computed from report frames, vectorised.

Every function takes a *report frame* (see ``DESIGN.md``: one row per
recipient line, ``status_code``, ``status_group``, ``delivered_at``,
``clicked``...) such as :func:`mfanalytics.reports.parse_report` returns, and
never loops over rows in Python.

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

from mfanalytics.analysis.advice import ACTIONS, ADVICE, GROUP_LABELS, UNKNOWN_ADVICE
from mfanalytics.errors import ValidationError
from mfanalytics.reports.status_codes import STATUS_GROUPS, STATUS_TABLE, decode_status

__all__ = [
    "summarize",
    "status_breakdown",
    "failure_reasons",
    "by_country",
    "by_hour",
    "compare_campaigns",
    "SUMMARY_COLUMNS",
]

TZ = "Europe/Paris"
_GROUP_DTYPE = pd.CategoricalDtype(list(STATUS_GROUPS))
_G = {name: i for i, name in enumerate(STATUS_GROUPS)}
_FAILED_GROUPS = ("undelivered", "invalid_number", "rejected", "blocked", "not_sent", "unknown")

#: Columns of :func:`summarize`, in order.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "recipients", "sent", "delivered", "delivery_rate", "pending", "undelivered",
    "invalid", "blocked", "not_sent", "unknown", "stops", "stop_rate", "clicked",
    "delivered_with_link", "click_rate", "clicks", "deliver_time_median", "deliver_time_p90",
    "click_time_median", "click_time_p90", "credits",
)
_COUNTS = ("recipients", "sent", "delivered", "pending", "undelivered", "invalid",
           "blocked", "not_sent", "unknown", "stops", "clicked", "delivered_with_link", "clicks", "credits")


# ----------------------------------------------------------------- helpers
def _check_frame(report: Any, required: Sequence[str] = ()) -> pd.DataFrame:
    if not isinstance(report, pd.DataFrame):
        raise ValidationError(
            f"expected a report frame (pandas.DataFrame), got {type(report).__name__}",
            rule="not-a-report-frame",
        )
    for col in required:
        if col not in report.columns:
            raise ValidationError(
                f"the report frame has no column {col!r}; build it with "
                "mfanalytics.reports.parse_report",
                rule="missing-column",
                field=col,
            )
    if "status_code" not in report.columns and "status_group" not in report.columns:
        raise ValidationError(
            "the report frame has neither 'status_code' nor 'status_group'",
            rule="missing-column",
            field="status_code",
        )
    return report


def _group_index(report: pd.DataFrame) -> np.ndarray:
    """Position of each row's status group in STATUS_GROUPS (unknown for NA)."""
    if "status_group" in report.columns:
        group = report["status_group"]
    else:
        group = decode_status(report["status_code"])["status_group"]
    if not isinstance(group.dtype, pd.CategoricalDtype):
        group = group.astype("object").astype(_GROUP_DTYPE)
    # map the frame's categories onto STATUS_GROUPS positions; NA (code -1) and strangers -> unknown
    lookup = np.array([_G.get(str(c), _G["unknown"]) for c in group.cat.categories] + [_G["unknown"]], dtype=np.int64)
    return lookup[group.cat.codes.to_numpy()]


def _codes(report: pd.DataFrame) -> np.ndarray:
    if "status_code" not in report.columns:
        return np.full(len(report), np.nan)
    return pd.to_numeric(report["status_code"], errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )


def _bool(report: pd.DataFrame, col: str) -> np.ndarray:
    if col not in report.columns:
        return np.zeros(len(report), dtype=bool)
    return report[col].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _times(report: pd.DataFrame, col: str) -> pd.Series:
    """A datetime column as tz-aware Europe/Paris (naive values are Paris time)."""
    if col not in report.columns:
        return pd.Series(pd.NaT, index=report.index, dtype=f"datetime64[ns, {TZ}]")
    s = pd.to_datetime(report[col], errors="coerce")
    return s.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT") if s.dt.tz is None else s.dt.tz_convert(TZ)


def _segments(report: pd.DataFrame, segments: int | pd.Series | None) -> np.ndarray:
    if segments is None and "segments" in report.columns:
        segments = report["segments"]
    if segments is None:
        return np.ones(len(report), dtype=np.int64)
    if isinstance(segments, pd.Series):
        if len(segments) != len(report):
            raise ValidationError(
                f"segments has {len(segments)} values for {len(report)} rows",
                rule="segments-length", field="segments",
            )
        values = pd.to_numeric(segments, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    elif isinstance(segments, (int, np.integer)) and not isinstance(segments, bool):
        values = np.full(len(report), float(segments))
    else:
        raise ValidationError("segments must be an int or a Series", rule="segments-type", field="segments")
    if np.isnan(values).any() or (values < 1).any() or (values != np.floor(values)).any():
        raise ValidationError("segments must be whole numbers >= 1", rule="segments-value", field="segments")
    return values.astype(np.int64)


def _send_time_series(send_times: Any) -> pd.Series | pd.Timestamp | None:
    if send_times is None:
        return None
    if isinstance(send_times, Mapping):
        send_times = pd.Series(dict(send_times), dtype="object")
    if isinstance(send_times, pd.Series):
        s = pd.to_datetime(send_times, errors="raise")
        s = s.dt.tz_localize(TZ) if s.dt.tz is None else s.dt.tz_convert(TZ)
        return s
    ts = pd.Timestamp(send_times)
    return ts.tz_localize(TZ) if ts.tz is None else ts.tz_convert(TZ)


def _campaign_t0(report: pd.DataFrame, delivered: np.ndarray, send_times: Any) -> pd.Series:
    """Per row, its campaign's send time when known, else its first delivery."""
    at = _times(report, "delivered_at").where(delivered)
    if "campaign_id" in report.columns:
        key = report["campaign_id"]
        first = at.groupby(key, dropna=False).transform("min") if len(report) else at
    else:
        key = pd.Series(0, index=report.index)
        first = pd.Series(at.min(), index=report.index, dtype=at.dtype)
    sent_at = _send_time_series(send_times)
    if sent_at is None:
        return first
    if isinstance(sent_at, pd.Timestamp):
        return pd.Series(sent_at, index=report.index, dtype=at.dtype)
    mapped = key.map(sent_at).astype(at.dtype)
    return mapped.fillna(first)


def _keys(report: pd.DataFrame, by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    keys = [by] if isinstance(by, str) else list(by)
    _check_frame(report, keys)
    return keys


def _any_column(report: pd.DataFrame, names: Sequence[str], test: Any) -> np.ndarray:
    out = np.zeros(len(report), dtype=bool)
    for name in names:
        out |= np.asarray(test(report[name]), dtype=bool)
    return out


def _link_rows(report: pd.DataFrame) -> np.ndarray:
    """Rows of campaigns whose message had a link, as far as the frame shows
    (the module docstring's "link")."""
    if "clicked" not in report.columns:
        return np.zeros(len(report), dtype=bool)
    tracked = report["clicked"].notna().to_numpy(dtype=bool)
    if "campaign_id" not in report.columns or not tracked.any():
        return tracked
    campaign = report["campaign_id"]
    if campaign.nunique(dropna=False) <= 1:  # one campaign: its TRACK columns are its own
        return tracked
    columns = list(report.columns)
    dates = [c for c in columns if c.startswith("track_") and c.endswith("_at")] + ["first_click_at", "preview_at"]
    counters = [c for c in columns if c.startswith("track_") and c.endswith("_clicks")] + ["clicks", "preview_count"]
    trace = _bool(report, "clicked").copy()  # (may be a view of the frame: never changed in place)
    trace |= _any_column(report, [c for c in dates if c in columns], lambda s: s.notna().to_numpy(dtype=bool))
    trace |= _any_column(report, [c for c in counters if c in columns],
                         lambda s: pd.to_numeric(s, errors="coerce").fillna(0).to_numpy(dtype="float64") > 0)
    shown = pd.Series(trace, index=report.index).groupby(campaign, dropna=False, observed=True).transform("any")
    return tracked & shown.to_numpy(dtype=bool)


def _indicators(report: pd.DataFrame, segments: Any = None, send_times: Any = None) -> pd.DataFrame:
    """One row per recipient, one 0/1 (or count) column per KPI, plus times."""
    g = _group_index(report)
    code = _codes(report)
    not_sent, blocked = g == _G["not_sent"], g == _G["blocked"]
    sent = ~(not_sent | blocked | (code == 2))
    delivered = (g == _G["delivered"]) | (g == _G["delivered_stop"])
    clicks = (
        pd.to_numeric(report["clicks"], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
        if "clicks" in report.columns else np.zeros(len(report), dtype=np.int64)
    )
    link = _link_rows(report)
    t0 = _campaign_t0(report, delivered, send_times)
    deliver_s = (_times(report, "delivered_at") - t0).dt.total_seconds().where(delivered)
    click_s = (_times(report, "first_click_at") - t0).dt.total_seconds()
    return pd.DataFrame(
        {
            "recipients": np.ones(len(report), dtype=np.int8),
            "sent": sent.astype(np.int8),
            "delivered": delivered.astype(np.int8),
            "pending": ((g == _G["pending"]) | (g == _G["in_flight"])).astype(np.int8),
            "undelivered": ((g == _G["undelivered"]) | (g == _G["rejected"])).astype(np.int8),
            "invalid": (g == _G["invalid_number"]).astype(np.int8),
            "blocked": blocked.astype(np.int8),
            "not_sent": not_sent.astype(np.int8),
            "unknown": (g == _G["unknown"]).astype(np.int8),
            "stops": (_bool(report, "is_stop") | (g == _G["delivered_stop"])).astype(np.int8),
            "clicked": (_bool(report, "clicked") & link).astype(np.int8),
            "delivered_with_link": (delivered & link).astype(np.int8),
            "clicks": np.where(link, clicks, 0),
            "credits": _segments(report, segments) * sent,
            "_deliver_s": deliver_s.to_numpy(dtype="float64", na_value=np.nan),
            "_click_s": click_s.to_numpy(dtype="float64", na_value=np.nan),
        },
        index=report.index,
    )


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    num, den = num.astype("float64"), den.astype("float64")
    return (num / den.where(den > 0)).astype("float64")


def _finish(counts: pd.DataFrame, times: pd.DataFrame) -> pd.DataFrame:
    out = counts.astype(np.int64)
    out["delivery_rate"] = _ratio(out["delivered"], out["sent"])
    out["stop_rate"] = _ratio(out["stops"], out["delivered"])
    # of delivered messages with a link: a campaign without a link has no click rate, it is not 0
    out["click_rate"] = _ratio(out["clicked"], out["delivered_with_link"])
    for name, col in (("deliver_time", "_deliver_s"), ("click_time", "_click_s")):
        for suffix, q in (("median", 0.5), ("p90", 0.9)):
            secs = times[(col, q)] if len(times) else pd.Series(np.nan, index=out.index)
            out[f"{name}_{suffix}"] = pd.to_timedelta(secs.round(3), unit="s").astype("timedelta64[ns]")
    return out[list(SUMMARY_COLUMNS)]


# ------------------------------------------------------------ public API
def summarize(
    report: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "campaign_id",
    segments: int | pd.Series | None = None,
    send_times: Any = None,
) -> pd.DataFrame:
    """KPIs per group of rows: counts, rates, delivery and click delays, credits.

    Parameters
    ----------
    report : pandas.DataFrame
        A report frame.
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
    _check_frame(report)
    keys = _keys(report, by)
    ind = _indicators(report, segments, send_times)
    if keys:
        grouper: Any = [report[k] for k in keys]
    else:
        grouper = pd.Series("all", index=report.index)
    gb = ind.groupby(grouper, dropna=False, observed=True, sort=True)
    counts = gb[list(_COUNTS)].sum()
    times = gb[["_deliver_s", "_click_s"]].quantile([0.5, 0.9]).unstack() if len(ind) else pd.DataFrame()
    out = _finish(counts, times)
    if not keys:
        out.index = pd.Index(["all"] if len(report) else [], dtype="object")
    if keys and len(report) == 0:
        out.index = pd.MultiIndex.from_arrays([[]] * len(keys), names=keys) if len(keys) > 1 else pd.Index([], name=keys[0], dtype=report[keys[0]].dtype)
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


def status_breakdown(report: pd.DataFrame, *, level: str = "code") -> pd.DataFrame:
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
    _check_frame(report)
    n = len(report)
    g = _group_index(report)
    group_counts = np.bincount(g, minlength=len(STATUS_GROUPS)).astype(np.int64)
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
    if level != "code":
        raise ValidationError(f"level must be 'code' or 'group', not {level!r}", rule="level", field="level")
    frame = pd.DataFrame({"code": pd.array(_codes(report), dtype="Float64"), "g": g})
    counts = frame.groupby(["g", "code"], dropna=False).size().rename("count").reset_index()
    codes = pd.Index(counts["code"].astype("float64"))
    labels = _code_labels(codes)
    out = pd.DataFrame(
        {
            "status_code": counts["code"].astype("Int16").to_numpy(),
            "status_group": pd.Categorical.from_codes(counts["g"].to_numpy(), dtype=_GROUP_DTYPE),
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


def failure_reasons(report: pd.DataFrame) -> pd.DataFrame:
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
    entries = [
        UNKNOWN_ADVICE if pd.isna(c) else ADVICE.get(int(c), UNKNOWN_ADVICE)
        for c in failed["status_code"]
    ]
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
    out["status_group"] = out["status_group"].astype(_GROUP_DTYPE)
    return out


def _regions(mobiles: pd.Series) -> pd.Series:
    """ISO region of each number ("ZZ" when unknown), once per distinct value."""
    import phonenumbers

    codes, uniques = pd.factorize(mobiles.astype("string"), use_na_sentinel=True)
    u = pd.Series(uniques, dtype="string").str.strip()
    u = u.str.replace(r"^00", "+", regex=True)
    u = u.where(u.str.startswith("+"), "+" + u)
    digits = u.str.slice(1)
    region = pd.Series(pd.NA, index=u.index, dtype="string")
    simple = digits.str.fullmatch(r"[0-9]{6,17}").fillna(False)
    # Country calling codes are prefix-free: a number's code is its only 1-3 digit prefix in the table.
    for width in (1, 2, 3):
        single = {str(cc): r[0] for cc, r in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()
                  if len(str(cc)) == width and len(r) == 1}
        hit = simple & region.isna() & digits.str.slice(0, width).isin(list(single))
        region = region.mask(hit, digits.str.slice(0, width).map(single))
    rest = region.isna()
    if rest.any():  # shared codes (+1, +7, +44, +262...) and odd strings: ask phonenumbers
        def one(value: str) -> str:
            try:
                return phonenumbers.region_code_for_number(phonenumbers.parse(value)) or "ZZ"
            except phonenumbers.NumberParseException:
                return "ZZ"
        region[rest] = [one(v) for v in u[rest].fillna("")]
    region = region.fillna("ZZ").to_numpy(dtype=object)
    return pd.Series(np.where(codes < 0, "ZZ", region[np.maximum(codes, 0)] if len(region) else "ZZ"),
                     index=mobiles.index, dtype="string")


def by_country(report: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
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
    _check_frame(report, ["mobile"])
    frame = report.assign(country=_regions(report["mobile"]))
    out = summarize(frame, by="country", **kwargs)
    out.insert(1, "share", _ratio(out["recipients"], pd.Series(len(report), index=out.index)))
    return out.sort_values(["recipients"], ascending=False, kind="stable")


def by_hour(report: pd.DataFrame, *, send_times: Any = None) -> pd.DataFrame:
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
    _check_frame(report)
    ind = _indicators(report, None, send_times)
    delivered = ind["delivered"].to_numpy(dtype=bool)
    t0 = _campaign_t0(report, delivered, send_times)
    full = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    out = pd.DataFrame(index=full)
    for name, times, mask in (
        ("sends", t0, ind["sent"].to_numpy(dtype=bool)),
        ("deliveries", _times(report, "delivered_at"), delivered),
        ("clicks", _times(report, "first_click_at"), np.ones(len(report), dtype=bool)),
    ):
        t = times[mask].dropna()
        counts = pd.Series(1, index=t.index).groupby([t.dt.day_of_week.rename("weekday"), t.dt.hour.rename("hour")]).sum()
        out[name] = counts.reindex(full, fill_value=0).astype(np.int64)
    return out


def _combine(reports: Any) -> tuple[pd.DataFrame, str]:
    if isinstance(reports, pd.DataFrame):
        return _check_frame(reports, ["campaign_id"]), "campaign_id"
    if isinstance(reports, Mapping):
        frames = [_check_frame(f).assign(campaign=str(name)) for name, f in reports.items()]
        key = "campaign"
    elif isinstance(reports, Sequence) and not isinstance(reports, str):
        frames = [_check_frame(f, ["campaign_id"]) for f in reports]
        key = "campaign_id"
    else:
        raise ValidationError("expected a report frame, a list of them or a dict name -> frame",
                              rule="not-a-report-frame")
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

    Examples
    --------
    >>> compare_campaigns({"Soldes": r1, "Rentrée": r2})["recipients"].tolist()
    [300, 300]
    """
    frame, key = _combine(reports)
    out = summarize(frame, by=key, **kwargs)
    if key == "campaign" and isinstance(reports, Mapping):
        out = out.reindex([str(k) for k in reports if str(k) in out.index])
    total = summarize(frame, by=None, **kwargs)
    for rate in ("delivery_rate", "click_rate"):
        pooled = total[rate].iloc[0] if len(total) else np.nan
        out[f"{rate}_vs_all"] = out[rate] - pooled
    return out
