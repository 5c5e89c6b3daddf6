"""An open health score: 0–100 from published subscores, each with its rows.

Unlike a vendor's weekly, opaque score, :func:`health_score` works on any
report frame (one campaign, a day, a month) and any grouping, and every point
is explained: six subscores (:data:`SUBSCORES`), each a published formula of
one measure with its 95 % interval, its weight, the points it cost and the
rows behind it (:meth:`HealthScore.rows`).

The subscores. A share ``x`` scores ``100 * clip((bad - x) / (bad - good), 0, 1)``
(100 at ``good`` or better, 0 at ``bad`` or worse, linear between):

=========  ===============================================  =====  =====  ======
name       measure ``x``                                     good   bad    weight
=========  ===============================================  =====  =====  ======
delivered  delivered / sent                                  98 %   80 %   30
latency    median time to delivery (Kaplan–Meier), seconds   60 s   1 h    15
invalid    invalid numbers (codes 2, 29, 30) / recipients    0 %    5 %    15
blocked    blacklisted / blocked lines / recipients          0 %    5 %    10
stop       STOP replies / delivered                          0 %    2 %    15
rejected   operator rejections (group rejected) / sent       0 %    5 %    15
=========  ===============================================  =====  =====  ======

``latency`` scores on a log scale: ``100 * clip(log(bad / m) / log(bad / good), 0, 1)``
for a median ``m`` (0 when fewer than half the sent lines were delivered, so
the median is not reached). The delay is measured as
:func:`mfanalytics.analysis.latency.delivery_latency` does (from the send time
when given, else the campaign's first delivery; lines not delivered censored).

The score is the weighted mean of the subscores that exist (a group with no
delivered line has no STOP share: its weight is left out). Each share's
interval is its Wilson interval, the median's is Kaplan–Meier's
(``SurvfuncRight.quantile_ci``), mapped through the same formula;
``score_low`` / ``score_high`` are the score with every subscore at the low /
high end of its interval (a conservative range, wider than a 95 % interval of
the score).

Examples
--------
>>> from mfanalytics.analysis.health import health_score
>>> health = health_score(week)
>>> bool(((health.table["score"] >= 0) & (health.table["score"] <= 100)).all())
True
>>> stops = health.rows("stop")  # the lines that answered STOP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis.comparisons import groupers_of
from mfanalytics.analysis.facts import GROUP_POSITION, ReportFacts, facts_of
from mfanalytics.analysis.intervals import wilson_interval
from mfanalytics.analysis.latency import DeliveryLatency, delivery_latency
from mfanalytics.errors import ValidationError

__all__ = ["HealthScore", "SUBSCORES", "health_score", "share_score", "latency_score"]


@dataclass(frozen=True)
class Subscore:
    """One published subscore: its measure, anchors and weight."""

    name: str
    label: str
    successes: str  # the count column of the measure (latency: none)
    base: str
    good: float
    bad: float
    weight: float


#: The six subscores, in order.
SUBSCORES: dict[str, Subscore] = {
    s.name: s
    for s in (
        Subscore("delivered", "delivered share (of sent)", "delivered", "sent", 0.98, 0.80, 30),
        Subscore("latency", "median time to delivery", "", "sent", 60.0, 3600.0, 15),
        Subscore("invalid", "invalid-number share (of recipients)", "invalid", "recipients", 0.0, 0.05, 15),
        Subscore("blocked", "blocked and blacklisted share (of recipients)", "blocked", "recipients", 0.0, 0.05, 10),
        Subscore("stop", "STOP share (of delivered)", "stops", "delivered", 0.0, 0.02, 15),
        Subscore("rejected", "operator rejections (of sent)", "rejected", "sent", 0.0, 0.05, 15),
    )
}


def share_score(x: Any, good: float, bad: float) -> np.ndarray:
    """``100 * clip((bad - x) / (bad - good), 0, 1)``, NaN for NaN.

    Examples
    --------
    >>> share_score([0.98, 0.89, 0.5], good=0.98, bad=0.80).tolist()
    [100.0, 50.0, 0.0]
    """
    x = np.asarray(x, dtype="float64")
    return 100 * np.clip((bad - x) / (bad - good), 0, 1)


def latency_score(seconds: Any, good: float = 60.0, bad: float = 3600.0) -> np.ndarray:
    """``100 * clip(log(bad / m) / log(bad / good), 0, 1)`` of a median ``m`` in seconds.

    Examples
    --------
    >>> latency_score([30, 60, 3600]).tolist()
    [100.0, 100.0, 0.0]
    """
    m = np.maximum(np.asarray(seconds, dtype="float64"), 1e-9)
    with np.errstate(invalid="ignore"):
        return 100 * np.clip(np.log(bad / m) / np.log(bad / good), 0, 1)


@dataclass
class HealthScore:
    """What :func:`health_score` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        Per group: ``score``, ``score_low``, ``score_high``, then per subscore
        ``<name>_value`` (the measure: a share, or the median delay in
        seconds), ``<name>_value_low`` / ``_value_high`` (its 95 % interval),
        ``<name>_score`` (0–100), ``<name>_score_low`` / ``_score_high``, and
        ``<name>_lost`` (points of the score it cost), and ``recipients``.
    explanation : pandas.Series
        Per group, in words, what cost the score its points.
    details : dict
        Subscore name -> boolean mask of the frame's rows behind it (see :meth:`rows`).
    """

    table: pd.DataFrame
    explanation: pd.Series
    details: dict[str, np.ndarray]
    frame: pd.DataFrame = field(repr=False)
    groups: pd.Series = field(repr=False)
    delays: pd.Series = field(repr=False)

    def rows(self, name: str, group: Any = None) -> pd.DataFrame:
        """The rows behind a subscore (of one group when given).

        ``delivered``: sent lines not delivered; ``latency``: delivered lines,
        slowest first, with their ``delay``; ``invalid``, ``blocked``,
        ``stop``, ``rejected``: the lines counted in that share.
        """
        if name not in self.details:
            raise ValidationError(f"no subscore {name!r}; one of {list(SUBSCORES)}", rule="subscore", field="name")
        mask = self.details[name].copy()
        if group is not None:
            mask &= (self.groups == group).fillna(False).to_numpy(dtype=bool)
        out = self.frame[mask]
        if name == "latency":
            out = out.assign(delay=self.delays[mask]).sort_values("delay", ascending=False, kind="stable")
        return out

    def _repr_html_(self) -> str:
        return self.table[["score", "score_low", "score_high"]]._repr_html_()  # type: ignore[operator]


def _explain(row: pd.Series) -> str:
    lost = sorted(
        ((row[f"{n}_lost"], n) for n in SUBSCORES if pd.notna(row[f"{n}_lost"]) and row[f"{n}_lost"] >= 0.5),
        reverse=True,
    )
    if pd.isna(row["score"]):
        return "no score: nothing was sent"
    if not lost:
        return f"{row['score']:.0f}/100: every subscore at its best"
    parts = []
    for points, n in lost[:3]:
        value = row[f"{n}_value"]
        shown = "not reached" if pd.isna(value) else (f"{value:.0f} s" if n == "latency" else f"{value:.1%}")
        parts.append(f"{points:.1f} points lost on the {SUBSCORES[n].label} ({shown})")
    return f"{row['score']:.0f}/100: " + "; ".join(parts)


def health_score(
    report: pd.DataFrame | ReportFacts,
    *,
    by: str | Sequence[str] | None = "campaign_id",
    send_times: Any = None,
    alpha: float = 0.05,
    latency: DeliveryLatency | None = None,
) -> HealthScore:
    """A 0–100 health score per group, from the published subscores of :data:`SUBSCORES`.

    Parameters
    ----------
    report : pandas.DataFrame
        A report frame of any window (a campaign, a day, a period report).
    by : str, list of str or None
        Groups (``"campaign_id"``, ``"country"``, ``"hour"``, a list column);
        None: one score for all the rows, indexed ``"all"``.
    send_times
        As in :func:`mfanalytics.summarize` (the latency's origin).
    alpha : float
        1 - the confidence of the intervals.
    latency : DeliveryLatency, optional
        :func:`~mfanalytics.analysis.latency.delivery_latency` of the same report, ``by``,
        ``send_times`` and ``alpha``, when the caller already has it (the HTML report draws it too);
        computed here otherwise.

    Returns
    -------
    HealthScore
        ``table``, ``explanation``, ``details`` and :meth:`HealthScore.rows`.
        The formulas are in the module's description.

    Examples
    --------
    >>> health = health_score(report, by=None)
    >>> health.table.loc["all", "score"].round(1)
    np.float64(55.7)
    """
    facts = facts_of(report)
    frame, n = facts.frame, len(facts)
    g, ind = facts.group_index, facts.indicators
    masks = {
        "delivered": facts.sent & ~facts.delivered,
        "latency": facts.delivered.copy(),
        "invalid": ind["invalid"].to_numpy(dtype=bool),
        "blocked": ind["blocked"].to_numpy(dtype=bool),
        "stop": ind["stops"].to_numpy(dtype=bool),
        "rejected": g == GROUP_POSITION["rejected"],
    }
    counts = ind[["recipients", "sent", "delivered", "invalid", "blocked", "stops"]].astype(np.int64)
    counts = counts.assign(rejected=masks["rejected"].astype(np.int64))
    if by is None:
        groupers: list[pd.Series] = [pd.Series("all", index=frame.index, name="group")]
    else:
        groupers = groupers_of(facts, by, send_times)
    table = counts.groupby(groupers, dropna=False, observed=True, sort=True).sum()
    if latency is None:
        latency = delivery_latency(facts, by=by, send_times=send_times, alpha=alpha)
    medians = latency.summary.reindex(table.index)
    weights, scores, lows, highs = {}, {}, {}, {}
    for s in SUBSCORES.values():
        if s.name == "latency":
            base = table["sent"].to_numpy(dtype="float64")
            value = medians["median"].dt.total_seconds().to_numpy(dtype="float64")
            v_low = medians["median_low"].dt.total_seconds().to_numpy(dtype="float64")
            v_high = medians["median_high"].dt.total_seconds().to_numpy(dtype="float64")
            score = np.where(np.isnan(value), 0.0, latency_score(value, s.good, s.bad))
            # slower end of the interval -> lower score; an unbounded end scores 0
            s_low = np.where(np.isnan(v_high), 0.0, latency_score(v_high, s.good, s.bad))
            s_high = np.where(np.isnan(v_low), score, latency_score(v_low, s.good, s.bad))
            s_low, s_high = np.minimum(s_low, score), np.maximum(s_high, score)
        else:
            num = table[s.successes].to_numpy(dtype="float64")
            base = table[s.base].to_numpy(dtype="float64")
            with np.errstate(invalid="ignore", divide="ignore"):
                value = np.where(base > 0, num / np.where(base > 0, base, 1), np.nan)
            v_low, v_high = wilson_interval(num, base, alpha=alpha)
            score = share_score(value, s.good, s.bad)
            better_low = s.good > s.bad  # a higher share is better (delivered)
            s_low = share_score(v_low if better_low else v_high, s.good, s.bad)
            s_high = share_score(v_high if better_low else v_low, s.good, s.bad)
        defined = base > 0
        score, s_low, s_high = (np.where(defined, a, np.nan) for a in (score, s_low, s_high))
        table[f"{s.name}_value"], table[f"{s.name}_value_low"], table[f"{s.name}_value_high"] = value, v_low, v_high
        table[f"{s.name}_score"], table[f"{s.name}_score_low"], table[f"{s.name}_score_high"] = score, s_low, s_high
        weights[s.name] = np.where(defined, s.weight, 0.0)
        scores[s.name], lows[s.name], highs[s.name] = score, s_low, s_high
    total_w = np.sum(list(weights.values()), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        for col, parts in (("score", scores), ("score_low", lows), ("score_high", highs)):
            acc = np.sum([weights[k] * np.nan_to_num(parts[k]) for k in SUBSCORES], axis=0)
            table[col] = np.where(total_w > 0, acc / np.where(total_w > 0, total_w, 1), np.nan)
        for k in SUBSCORES:
            lost = weights[k] * (100 - np.nan_to_num(scores[k], nan=100.0)) / np.where(total_w > 0, total_w, 1)
            table[f"{k}_lost"] = np.where(weights[k] > 0, lost, np.nan)
    head = ["score", "score_low", "score_high"]
    table = table[head + [c for c in table.columns if c not in head]]
    explanation = pd.Series([_explain(r) for _, r in table.iterrows()], index=table.index, dtype="string")
    deliver_s = facts.delays(send_times)[0]
    group_key = groupers[0] if len(groupers) == 1 else pd.Series(list(zip(*groupers)), index=frame.index)
    return HealthScore(
        table=table,
        explanation=explanation.rename("explanation"),
        details=masks,
        frame=frame,
        groups=group_key.reset_index(drop=True).set_axis(frame.index) if n else group_key,
        delays=pd.to_timedelta(pd.Series(deliver_s, index=frame.index), unit="s"),
    )
