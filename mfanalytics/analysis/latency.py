"""Time to delivery, properly: Kaplan–Meier curves with censored lines.

A message still in flight, or that failed, has not been delivered *yet* as far
as the report knows: its time to delivery is at least the time it has been
observed, not missing. Dropping those lines (or counting them as never)
biases every delay; the cumulative-deliveries plot that ignores them climbs
to 100 % of what was delivered and hides the rest. :func:`delivery_latency`
gives the Kaplan–Meier estimate (``statsmodels.duration.survfunc.SurvfuncRight``)
of the share delivered after each delay, per group, with:

- the time origin: the campaign's send time (``send_times=``), else its first
  delivery (as :func:`mfanalytics.summarize` measures ``deliver_time_*``);
- an event at ``delivered_at - origin`` for each delivered line;
- a censored line for each line that was sent and not delivered (in flight,
  pending, undelivered, rejected, invalid number, unknown), at its last known
  time. By default (``censor="report"``) that is when the report was taken
  (``as_of=``, default: the latest time of any column of the frame, a lower
  bound of it): up to then the line was seen not delivered, so the curve
  levels off at the share delivered and a final failure never counts as a
  delivery to come. ``censor="status"`` censors each line at its own
  ``delivered_at`` (the time of its last status, which the platform gives
  every line it reported on; the report time when it has none): the curve
  then describes the delay of a delivery *if* it happens;
- lines never sent (not sent, blacklisted, badly formatted) left out: they
  had no chance of delivery.

Examples
--------
>>> from mfanalytics.analysis.latency import delivery_latency
>>> latency = delivery_latency(report)
>>> list(latency.summary.columns[:4])
['sent', 'delivered', 'censored', 'median']
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis.facts import ReportFacts, facts_of
from mfanalytics.errors import ValidationError

__all__ = ["DeliveryLatency", "delivery_latency", "delivery_latencies", "latency_durations", "km_fit"]

_SUMMARY = ("sent", "delivered", "censored", "median", "median_low", "median_high", "p90", "p90_low", "p90_high")


@dataclass
class DeliveryLatency:
    """What :func:`delivery_latency` returns.

    Attributes
    ----------
    curves : pandas.DataFrame
        One row per group and distinct delivery delay: ``group``, ``time``
        (Timedelta since the origin), ``delivered_share`` (Kaplan–Meier
        estimate of the share delivered by then, ``1 - S(t)``), its
        simultaneous 95 % band ``low`` / ``high`` (Hall–Wellner, from
        ``SurvfuncRight.simultaneous_cb(transform="arcsin")``; NaN where statsmodels gives none),
        ``at_risk`` and ``deliveries`` at that delay.
    summary : pandas.DataFrame
        Per group: ``sent``, ``delivered``, ``censored``, ``median`` and
        ``p90`` (delay by which 50 % / 90 % of the sent lines are delivered,
        ``SurvfuncRight.quantile``), each with its 95 % interval
        (``quantile_ci``, ``*_low`` / ``*_high``). NaT when the curve never
        reaches the share (e.g. p90 of a campaign delivered at 85 %), or the
        data do not bound the interval.
    by : list of str
        The grouping (empty: one group ``"all"``).
    """

    curves: pd.DataFrame
    summary: pd.DataFrame
    by: list[str]

    def _repr_html_(self) -> str:
        return self.summary._repr_html_()  # type: ignore[operator]


def latency_durations(
    report: pd.DataFrame | ReportFacts, *, send_times: Any = None, as_of: Any = None, censor: str = "report"
) -> pd.DataFrame:
    """Per sent line: ``duration_s`` (seconds from its origin to delivery or censoring) and
    ``delivered`` (True: an event; False: censored). Lines never sent are left out.

    Examples
    --------
    >>> d = latency_durations(report)
    >>> bool((d["duration_s"] >= 0).all())
    True
    """
    durations, kept = _durations(facts_of(report), send_times, as_of, censor)
    return durations[kept]


def _durations(facts: ReportFacts, send_times: Any, as_of: Any, censor: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Every row's duration and event, and which rows :func:`latency_durations` keeps."""
    frame = facts.frame
    t0 = facts.t0(send_times)
    at = facts.times("delivered_at")
    if as_of is None:
        cols = [c for c in frame.columns if c.endswith("_at")]
        last = max([t for t in (facts.times(c).max() for c in cols) if pd.notna(t)], default=pd.NaT)
    else:
        last = pd.Timestamp(as_of)
        last = last.tz_localize("Europe/Paris") if last.tz is None else last.tz_convert("Europe/Paris")
    if censor not in ("report", "status"):
        raise ValidationError(f"censor must be 'report' or 'status', not {censor!r}", rule="censor", field="censor")
    delivered = facts.delivered
    own = at.notna() & (delivered if censor == "report" else True)
    when = at.where(own, last)
    seconds = (when - t0).dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    out = pd.DataFrame({"duration_s": np.maximum(seconds, 0.0), "delivered": delivered}, index=frame.index)
    return out, facts.sent & np.isfinite(seconds)


def km_fit(durations: np.ndarray, delivered: np.ndarray) -> Any:
    """``statsmodels.duration.survfunc.SurvfuncRight(durations, delivered)`` (no warning).

    The rows are given to statsmodels sorted by time (:func:`_by_time`): the fit is the same to
    the last bit, since it only counts rows per time, and its own sort runs several times faster
    on sorted rows.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    time, status = _by_time(np.asarray(durations, dtype="float64"), np.asarray(delivered, dtype="float64"))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return SurvfuncRight(time, status)


#: below this many rows, statsmodels sorts them itself (sorting first gains nothing)
_SORT_FROM = 20_000


def _by_time(time: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (time, status) rows sorted by time then status, in O(n) for whole seconds.

    A Kaplan–Meier fit depends only on how many rows end at each time and how many of them are
    events, so reordering the rows does not change it. Durations in whole seconds (the report's
    times are to the second) up to a few times the number of rows are counted per
    ``2 * time + status`` and rebuilt in order. Other rows are returned as they are.
    """
    n = len(time)
    if n < _SORT_FROM or not np.isin(status, (0.0, 1.0)).all():
        return time, status
    top = np.max(time) if n else 0.0
    if not (np.isfinite(top) and top <= 4 * n + 1_000_000 and np.min(time) >= 0 and (time == np.floor(time)).all()):
        return time, status
    counts = np.bincount(time.astype(np.int64) * 2 + status.astype(np.int64))
    key = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    return (key >> 1).astype(np.float64), (key & 1).astype(np.float64)


def _td(seconds: float) -> float:
    return float(seconds) if np.isfinite(seconds) else np.nan


def _one(durations: np.ndarray, events: np.ndarray, alpha: float) -> tuple[dict[str, Any], pd.DataFrame]:
    summary: dict[str, Any] = {"sent": len(durations), "delivered": int(events.sum())}
    summary["censored"] = summary["sent"] - summary["delivered"]
    empty = pd.DataFrame(columns=["time", "delivered_share", "low", "high", "at_risk", "deliveries"])
    if not events.any():
        return summary | dict.fromkeys(_SUMMARY[3:], np.nan), empty
    sf = km_fit(durations, events)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for name, p in (("median", 0.5), ("p90", 0.9)):
            # p less a hair: the product-limit product of 5/6 * 4/5 * 3/4 is 0.5000000000000001, not 1/2
            summary[name] = _td(sf.quantile(p - 1e-12))
            lo, hi = sf.quantile_ci(p, alpha=alpha)
            summary[f"{name}_low"], summary[f"{name}_high"] = _td(lo), _td(hi)
        try:
            lcb, ucb = sf.simultaneous_cb(alpha=alpha, transform="arcsin")
        except (ValueError, ZeroDivisionError, FloatingPointError):
            lcb = ucb = np.full(len(sf.surv_times), np.nan)
    surv = np.asarray(sf.surv_prob, dtype="float64")
    band = np.full(len(surv), np.nan), np.full(len(surv), np.nan)
    band[0][: len(ucb)], band[1][: len(lcb)] = 1 - np.asarray(ucb), 1 - np.asarray(lcb)
    curve = pd.DataFrame(
        {
            "time": pd.to_timedelta(np.asarray(sf.surv_times, dtype="float64"), unit="s"),
            "delivered_share": 1 - surv,
            "low": band[0],
            "high": band[1],
            "at_risk": np.asarray(sf.n_risk, dtype=np.int64),
            "deliveries": np.asarray(sf.n_events, dtype=np.int64),
        }
    )
    return summary, curve


def delivery_latency(
    report: pd.DataFrame | ReportFacts,
    by: str | Sequence[str] | None = None,
    *,
    send_times: Any = None,
    as_of: Any = None,
    censor: str = "report",
    alpha: float = 0.05,
) -> DeliveryLatency:
    """Kaplan–Meier curves of time to delivery, per group, with censored lines.

    Parameters
    ----------
    report : pandas.DataFrame
        A report frame (or its facts).
    by : str or list of str, optional
        Columns (or ``"country"``, ``"hour"``, see
        :func:`mfanalytics.analysis.comparisons.groupers_of`) to draw one curve
        per group; None: one curve of all the lines.
    send_times
        The campaigns' send times, as in :func:`mfanalytics.summarize`;
        without them a campaign is timed from its first delivery.
    as_of : Timestamp, optional
        When the report was taken (naive: Paris), the censoring time of lines
        without any time; default: the latest time in the frame.
    censor : {"report", "status"}
        Where a line not delivered is censored: at the report's time (default)
        or at its own last status (see the module's description).
    alpha : float
        1 - the confidence of the intervals.

    Returns
    -------
    DeliveryLatency
        ``curves`` and ``summary`` (see :class:`DeliveryLatency`).

    Examples
    --------
    >>> lat = delivery_latency(week, by="campaign_id")
    >>> len(lat.summary)
    7
    >>> bool(lat.curves.groupby("group")["delivered_share"].is_monotonic_increasing.all())
    True
    """
    return delivery_latencies(report, [by], send_times=send_times, as_of=as_of, censor=censor, alpha=alpha)[0]


def delivery_latencies(
    report: pd.DataFrame | ReportFacts,
    bys: Sequence[str | Sequence[str] | None],
    *,
    send_times: Any = None,
    as_of: Any = None,
    censor: str = "report",
    alpha: float = 0.05,
) -> list[DeliveryLatency]:
    """:func:`delivery_latency` for each grouping of ``bys``, the durations measured once for all.

    Examples
    --------
    >>> per_campaign, pooled = delivery_latencies(week, ["campaign_id", None])
    >>> list(pooled.summary.index)
    ['all']
    """
    from mfanalytics.analysis.comparisons import groupers_of

    facts = facts_of(report)
    durations, kept = _durations(facts, send_times, as_of, censor)
    d = durations[kept]
    return [_latency_of(facts, d, kept, by, send_times, alpha, groupers_of) for by in bys]


def _latency_of(
    facts: ReportFacts, d: pd.DataFrame, kept: np.ndarray, by: Any, send_times: Any, alpha: float, groupers_of: Any
) -> DeliveryLatency:
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if keys:
        groupers = [g[kept] for g in groupers_of(facts, keys, send_times)]  # the rows of d, in order
        groups = d.groupby(groupers, dropna=False, observed=True, sort=True)
    else:
        groups = d.groupby(pd.Series("all", index=d.index, name="group"))  # type: ignore[assignment]
    summaries: dict[Any, dict[str, Any]] = {}
    curves: list[pd.DataFrame] = []
    for group_key, part in groups:  # one fit per group, not per row
        key: Any = group_key[0] if isinstance(group_key, tuple) and len(group_key) == 1 else group_key
        one, curve = _one(part["duration_s"].to_numpy(), part["delivered"].to_numpy(dtype=bool), alpha)
        summaries[key] = one
        curves.append(curve.assign(group=[key] * len(curve)))
    names = keys if keys else ["group"]
    index = (
        pd.MultiIndex.from_tuples(list(summaries), names=names)
        if len(names) > 1
        else pd.Index(list(summaries), name=names[0])
    )
    summary = pd.DataFrame(list(summaries.values()), index=index, columns=list(_SUMMARY))
    for col in _SUMMARY[3:]:
        summary[col] = pd.to_timedelta(summary[col].astype("float64").round(3), unit="s")
    summary[list(_SUMMARY[:3])] = summary[list(_SUMMARY[:3])].fillna(0).astype(np.int64)
    columns = ["group", "time", "delivered_share", "low", "high", "at_risk", "deliveries"]
    nonempty = [c for c in curves if len(c)]
    curve = pd.concat(nonempty, ignore_index=True)[columns] if nonempty else pd.DataFrame(columns=columns)
    return DeliveryLatency(curves=curve, summary=summary, by=keys)
