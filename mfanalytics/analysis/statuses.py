"""Rows per status: status_breakdown (per code or group, with labels) and failure_reasons (what to do about each).

Both read the facts of a report frame (:func:`~mfanalytics.analysis.facts.facts_of`),
or count where the data lives (:mod:`mfanalytics.analysis.engines`);
:mod:`mfanalytics.analysis.kpis` re-exports them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mfanalytics.analysis import engines
from mfanalytics.analysis.advice import ACTIONS, ADVICE, GROUP_LABELS, UNKNOWN_ADVICE
from mfanalytics.analysis.facts import GROUP_DTYPE, ReportFacts, facts_of
from mfanalytics.errors import ValidationError
from mfanalytics.reports.status_codes import STATUS_GROUPS, STATUS_TABLE

__all__ = ["status_breakdown", "failure_reasons", "finish_breakdown", "FAILED_GROUPS"]

#: The status groups of a failed line (the rows :func:`failure_reasons` explains).
FAILED_GROUPS = ("undelivered", "invalid_number", "rejected", "blocked", "not_sent", "unknown")


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


@engines.on_snapshot
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
        counts = _code_counts(facts.codes, g)
    return finish_breakdown(counts, level)


#: the largest status code counted in a histogram (a larger one: pandas' groupby)
_HISTOGRAM_CODES = 4096


def _code_counts(codes: np.ndarray, g: np.ndarray) -> pd.DataFrame:
    """Rows per (group position ``g``, status ``code``) that occur: columns ``g``, ``code`` (Float64,
    NA when missing) and ``count``, from one histogram of both when the codes are small whole
    numbers (they are: the platform's codes are below 100)."""
    known = ~np.isnan(codes)
    whole = codes[known]
    if len(whole) and (whole.min() < 0 or whole.max() > _HISTOGRAM_CODES or (whole != np.floor(whole)).any()):
        frame = pd.DataFrame({"code": pd.array(codes, dtype="Float64"), "g": g})
        return frame.groupby(["g", "code"], dropna=False).size().rename("count").reset_index()
    width = _HISTOGRAM_CODES + 2  # 0: a missing code, then 1 + each code
    slot = np.zeros(len(codes), dtype=np.int64)
    slot[known] = whole.astype(np.int64) + 1
    hist = np.bincount(np.asarray(g, dtype=np.int64) * width + slot)
    seen = np.flatnonzero(hist)
    slots = seen % width
    code = pd.arrays.FloatingArray((slots - 1).astype(np.float64), slots == 0)  # slot 0: NA
    return pd.DataFrame({"g": seen // width, "code": code, "count": hist[seen].astype(np.int64)})


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


@engines.on_snapshot
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
    failed = codes[codes["status_group"].isin(FAILED_GROUPS)].copy()
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
