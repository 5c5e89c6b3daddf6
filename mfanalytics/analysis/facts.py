"""The per-row facts of a report frame, built once and read by every analysis.

A :class:`ReportFacts` holds one report frame and what the analysis derives
from its rows: the status group of each row, its status code, the time
columns as Paris times, the rows of campaigns with a link, the 0/1 KPI
indicators, the campaign start times, the country of each number. Each fact is
computed the first time it is asked for and kept, so that a whole
deliverability report (KPIs, plots, trends, countries) makes one pass over the
rows, as seaborn builds its plot data once and draws every layer from it.

Every public function of :mod:`mfanalytics.analysis`, :mod:`mfanalytics.plots`
and :mod:`mfanalytics.trends` takes either a report frame (its facts are then
built for that call) or a :class:`ReportFacts` (built with :func:`facts_of`
and passed around, e.g. by :func:`mfanalytics.html_report.deliverability_report`).
A ``ReportFacts`` is a snapshot of its frame: do not change the frame while
its facts are in use (build new facts instead). There is no hidden cache keyed
on frames.

The names here have no leading underscore: they are the package's internal
API for the analysis modules (not part of ``mfanalytics.__all__``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis.number_countries import countries  # re-exported
from mfanalytics.errors import ValidationError
from mfanalytics.reports.status_codes import STATUS_GROUPS, decode_status

__all__ = [
    "COUNT_COLUMNS",
    "GROUP_DTYPE",
    "GROUP_POSITION",
    "ReportFacts",
    "TZ",
    "campaign_t0",
    "check_frame",
    "codes",
    "countries",
    "facts_of",
    "flags",
    "group_index",
    "indicators",
    "link_rows",
    "ratio",
    "require",
    "segments_of",
    "send_time_series",
    "times",
]

TZ = "Europe/Paris"
GROUP_DTYPE = pd.CategoricalDtype(list(STATUS_GROUPS))
#: Position of each status group in STATUS_GROUPS.
GROUP_POSITION: dict[str, int] = {name: i for i, name in enumerate(STATUS_GROUPS)}
_G = GROUP_POSITION

#: The count columns of the indicators, in the order of ``summarize``.
COUNT_COLUMNS: tuple[str, ...] = (
    "recipients",
    "sent",
    "delivered",
    "pending",
    "undelivered",
    "invalid",
    "blocked",
    "not_sent",
    "unknown",
    "stops",
    "clicked",
    "delivered_with_link",
    "clicks",
)


# ------------------------------------------------------------ frame checks
def require(report: pd.DataFrame, required: Sequence[str]) -> None:
    """Raise :class:`ValidationError` (rule ``missing-column``) for a missing column."""
    for col in required:
        if col not in report.columns:
            raise ValidationError(
                f"the report frame has no column {col!r}; build it with mfanalytics.reports.parse_report",
                rule="missing-column",
                field=col,
            )


def check_frame(report: Any, required: Sequence[str] = ()) -> pd.DataFrame:
    """The report frame itself, checked: a DataFrame with the ``required``
    columns and a status (``status_code`` or ``status_group``)."""
    if isinstance(report, ReportFacts):
        require(report.frame, required)
        return report.frame
    if not isinstance(report, pd.DataFrame):
        raise ValidationError(
            f"expected a report frame (pandas.DataFrame), got {type(report).__name__}",
            rule="not-a-report-frame",
        )
    require(report, required)
    if "status_code" not in report.columns and "status_group" not in report.columns:
        raise ValidationError(
            "the report frame has neither 'status_code' nor 'status_group'",
            rule="missing-column",
            field="status_code",
        )
    return report


# ---------------------------------------------------------- per-row builders
def group_index(report: pd.DataFrame) -> np.ndarray:
    """Position of each row's status group in STATUS_GROUPS (unknown for NA)."""
    if "status_group" in report.columns:
        group = report["status_group"]
    else:
        group = decode_status(report["status_code"])["status_group"]
    if not isinstance(group.dtype, pd.CategoricalDtype):
        group = group.astype("object").astype(GROUP_DTYPE)
    # map the frame's categories onto STATUS_GROUPS positions; NA (code -1) and strangers -> unknown
    lookup = np.array([_G.get(str(c), _G["unknown"]) for c in group.cat.categories] + [_G["unknown"]], dtype=np.int64)
    return lookup[group.cat.codes.to_numpy()]


def codes(report: pd.DataFrame) -> np.ndarray:
    """The status codes as float64 (NaN when missing)."""
    if "status_code" not in report.columns:
        return np.full(len(report), np.nan)
    return pd.to_numeric(report["status_code"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def flags(report: pd.DataFrame, col: str) -> np.ndarray:
    """A boolean column as a numpy bool array (missing column or value: False)."""
    if col not in report.columns:
        return np.zeros(len(report), dtype=bool)
    return report[col].astype("boolean").fillna(False).to_numpy(dtype=bool)


def times(report: pd.DataFrame, col: str) -> pd.Series:
    """A datetime column as tz-aware Europe/Paris (naive values are Paris time)."""
    if col not in report.columns:
        return pd.Series(pd.NaT, index=report.index, dtype=f"datetime64[ns, {TZ}]")
    s = pd.to_datetime(report[col], errors="coerce")
    return s.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT") if s.dt.tz is None else s.dt.tz_convert(TZ)


def segments_of(report: pd.DataFrame, segments: int | pd.Series | None) -> np.ndarray:
    """SMS parts per row: ``segments`` (int or Series), else the frame's column, else 1."""
    if segments is None and "segments" in report.columns:
        segments = report["segments"]
    if segments is None:
        return np.ones(len(report), dtype=np.int64)
    if isinstance(segments, pd.Series):
        if len(segments) != len(report):
            raise ValidationError(
                f"segments has {len(segments)} values for {len(report)} rows",
                rule="segments-length",
                field="segments",
            )
        values = pd.to_numeric(segments, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    elif isinstance(segments, (int, np.integer)) and not isinstance(segments, bool):
        values = np.full(len(report), float(segments))
    else:
        raise ValidationError("segments must be an int or a Series", rule="segments-type", field="segments")
    if np.isnan(values).any() or (values < 1).any() or (values != np.floor(values)).any():
        raise ValidationError("segments must be whole numbers >= 1", rule="segments-value", field="segments")
    return values.astype(np.int64)


def send_time_series(send_times: Any) -> pd.Series | pd.Timestamp | None:
    """``send_times`` (scalar, mapping or Series) as Paris times."""
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


def _any_column(report: pd.DataFrame, names: Sequence[str], test: Any) -> np.ndarray:
    out = np.zeros(len(report), dtype=bool)
    for name in names:
        out |= np.asarray(test(report[name]), dtype=bool)
    return out


def link_rows(report: pd.DataFrame, *, per_campaign: bool = False) -> np.ndarray:
    """Rows of campaigns whose message had a link, as far as the frame shows
    (the "link" of :mod:`mfanalytics.analysis`). A frame of one campaign is its
    own report, whose TRACK columns are its own, unless ``per_campaign``: then
    each campaign is judged by its rows even alone (the archive's day files)."""
    if "clicked" not in report.columns:
        return np.zeros(len(report), dtype=bool)
    tracked = report["clicked"].notna().to_numpy(dtype=bool)
    if "campaign_id" not in report.columns or not tracked.any():
        return tracked
    campaign = report["campaign_id"]
    if not per_campaign and campaign.nunique(dropna=False) <= 1:  # one campaign: its TRACK columns are its own
        return tracked
    columns = list(report.columns)
    dates = [c for c in columns if c.startswith("track_") and c.endswith("_at")] + ["first_click_at", "preview_at"]
    counters = [c for c in columns if c.startswith("track_") and c.endswith("_clicks")] + ["clicks", "preview_count"]
    trace = flags(report, "clicked").copy()  # (may be a view of the frame: never changed in place)
    trace |= _any_column(report, [c for c in dates if c in columns], lambda s: s.notna().to_numpy(dtype=bool))
    trace |= _any_column(
        report,
        [c for c in counters if c in columns],
        lambda s: pd.Series(pd.to_numeric(s, errors="coerce")).fillna(0).to_numpy(dtype="float64") > 0,
    )
    shown = pd.Series(trace, index=report.index).groupby(campaign, dropna=False, observed=True).transform("any")
    return tracked & shown.to_numpy(dtype=bool)


def campaign_t0(report: Any, delivered: np.ndarray | None = None, send_times: Any = None) -> pd.Series:
    """Per row, its campaign's send time when known, else its first delivery.

    ``report`` is a frame or a :class:`ReportFacts` (whose delivery times are
    then reused); ``delivered`` defaults to the delivered rows.
    """
    facts = report if isinstance(report, ReportFacts) else ReportFacts(report)
    frame = facts.frame
    if delivered is None:
        delivered = facts.delivered
    at = facts.times("delivered_at").where(delivered)
    if "campaign_id" in frame.columns:
        key = frame["campaign_id"]
        first = at.groupby(key, dropna=False).transform("min") if len(frame) else at
    else:
        key = pd.Series(0, index=frame.index)
        first = pd.Series(at.min(), index=frame.index, dtype=at.dtype)
    sent_at = send_time_series(send_times)
    if sent_at is None:
        return first
    if isinstance(sent_at, pd.Timestamp):
        return pd.Series(sent_at, index=frame.index, dtype=at.dtype)
    mapped = key.map(sent_at).astype(at.dtype)
    return mapped.fillna(first)


def indicators(facts: ReportFacts) -> pd.DataFrame:
    """One row per recipient, one 0/1 (or count) column per KPI of :data:`COUNT_COLUMNS`."""
    report, g, code = facts.frame, facts.group_index, facts.codes
    not_sent, blocked = g == _G["not_sent"], g == _G["blocked"]
    sent = ~(not_sent | blocked | (code == 2))
    delivered = (g == _G["delivered"]) | (g == _G["delivered_stop"])
    clicks = (
        pd.to_numeric(report["clicks"], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
        if "clicks" in report.columns
        else np.zeros(len(report), dtype=np.int64)
    )
    link = facts.link
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
            "stops": (flags(report, "is_stop") | (g == _G["delivered_stop"])).astype(np.int8),
            "clicked": (flags(report, "clicked") & link).astype(np.int8),
            "delivered_with_link": (delivered & link).astype(np.int8),
            "clicks": np.where(link, clicks, 0),
        },
        index=report.index,
    )


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """``num / den`` as float64, NaN where ``den`` is 0."""
    num, den = num.astype("float64"), den.astype("float64")
    return (num / den.where(den > 0)).astype("float64")


# ------------------------------------------------------------------ the facts
class _ByIdentity:
    """A small cache keyed by the identity of option values (kept alive here)."""

    def __init__(self) -> None:
        self._items: list[tuple[tuple[Any, ...], Any]] = []

    def get(self, key: tuple[Any, ...]) -> Any:
        for k, v in self._items:
            if len(k) == len(key) and all(a is b for a, b in zip(k, key)):
                return v
        return None

    def put(self, key: tuple[Any, ...], value: Any) -> Any:
        self._items.append((key, value))
        return value


class ReportFacts:
    """The per-row facts of one report frame, each built on first use and kept.

    Parameters
    ----------
    report : pandas.DataFrame
        A report frame (checked here once).

    Attributes
    ----------
    frame : pandas.DataFrame
        The report frame (not copied: do not change it while these facts are used).

    Notes
    -----
    Facts that depend on ``segments=`` or ``send_times=`` (credits, delays,
    campaign start times, summaries) are kept per value of those options,
    compared by identity.

    Examples
    --------
    >>> from mfanalytics.analysis import kpis as analysis, plots
    >>> facts = facts_of(report)  # report: a report frame
    >>> total = analysis.summarize(facts, by=None)  # builds the indicators
    >>> ax = plots.plot_funnel(facts)  # reads them, no new pass over the rows
    """

    def __init__(self, report: pd.DataFrame) -> None:
        self.frame = check_frame(report)
        self._times: dict[str, pd.Series] = {}
        self._t0 = _ByIdentity()
        self._delays = _ByIdentity()
        self._credits = _ByIdentity()
        self.summaries = _ByIdentity()  # used by mfanalytics.analysis.summarize

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return f"<ReportFacts of {len(self.frame)} rows, built: {sorted(self._built())}>"

    def _built(self) -> set[str]:
        return {k for k in ("group_index", "codes", "link", "indicators", "country") if k in self.__dict__} | {
            f"times[{c}]" for c in self._times
        }

    @property
    def index(self) -> pd.Index:
        return self.frame.index

    @property
    def columns(self) -> pd.Index:
        return self.frame.columns

    @cached_property
    def group_index(self) -> np.ndarray:
        """Position of each row's group in STATUS_GROUPS."""
        return group_index(self.frame)

    @cached_property
    def codes(self) -> np.ndarray:
        """Status codes, float64 with NaN."""
        return codes(self.frame)

    @cached_property
    def link(self) -> np.ndarray:
        """Rows of campaigns with a link."""
        return link_rows(self.frame)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """The 0/1 KPI columns (:data:`COUNT_COLUMNS`), one row per recipient."""
        return indicators(self)

    @cached_property
    def delivered(self) -> np.ndarray:
        return self.indicators["delivered"].to_numpy(dtype=bool)

    @cached_property
    def sent(self) -> np.ndarray:
        return self.indicators["sent"].to_numpy(dtype=bool)

    @cached_property
    def country(self) -> pd.Series:
        """ISO region of each ``mobile`` (``"ZZ"`` when unknown)."""
        from mfanalytics.analysis.kpis import regions

        require(self.frame, ["mobile"])
        return regions(self.frame["mobile"])

    def times(self, col: str) -> pd.Series:
        """The column ``col`` as Paris times (NaT when the column is missing)."""
        if col not in self._times:
            self._times[col] = times(self.frame, col)
        return self._times[col]

    def t0(self, send_times: Any = None) -> pd.Series:
        """Per row, its campaign's send time (``send_times=``), else its first delivery."""
        got = self._t0.get((send_times,))
        if got is None:
            got = self._t0.put((send_times,), campaign_t0(self, self.delivered, send_times))
        return got

    def delays(self, send_times: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Seconds from the campaign start to delivery (delivered rows) and to the first click."""
        got = self._delays.get((send_times,))
        if got is None:
            t0 = self.t0(send_times)
            deliver = (self.times("delivered_at") - t0).dt.total_seconds().where(self.delivered)
            click = (self.times("first_click_at") - t0).dt.total_seconds()
            got = self._delays.put(
                (send_times,),
                (deliver.to_numpy(dtype="float64", na_value=np.nan), click.to_numpy(dtype="float64", na_value=np.nan)),
            )
        return got

    def credits(self, segments: int | pd.Series | None = None) -> np.ndarray:
        """Segments of the sent rows (0 for rows not sent)."""
        got = self._credits.get((segments,))
        if got is None:
            got = self._credits.put((segments,), segments_of(self.frame, segments) * self.sent)
        return got

    def kpi_rows(self, segments: Any = None, send_times: Any = None) -> pd.DataFrame:
        """The indicators plus ``credits``, ``_deliver_s`` and ``_click_s`` (one row per recipient)."""
        deliver_s, click_s = self.delays(send_times)
        out = self.indicators.copy(deep=False)
        out["credits"] = self.credits(segments)
        out["_deliver_s"] = deliver_s
        out["_click_s"] = click_s
        return out


def facts_of(data: Any) -> ReportFacts:
    """The facts of a report frame (built now), or ``data`` itself when it is already a :class:`ReportFacts`.

    Raises
    ------
    ValidationError
        ``not-a-report-frame`` or ``missing-column`` for anything but a report frame.
    """
    if isinstance(data, ReportFacts):
        return data
    return ReportFacts(data)
