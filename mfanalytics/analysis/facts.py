"""The per-row facts of a report frame, built once and read by every analysis.

A :class:`ReportFacts` holds one report frame and what the analysis derives
from its rows: the status group of each row, its status code, the time
columns as Paris times, the rows of campaigns with a link, the 0/1 KPI
indicators, the campaign start times, the country of each number. Each fact is
computed the first time it is asked for and kept, so that a whole
deliverability report (KPIs, plots, trends, countries) makes one pass over the
rows, as seaborn builds its plot data once and draws every layer from it.

The KPI facts of the rows (status groups, indicators, link, campaign starts,
delays, credits) are not defined here: :func:`kpi_table` runs the one
definition of the KPIs, :func:`mfanalytics.analysis.engines.kpi_rows`, with
DuckDB over an Arrow table of the frame's columns, as over an archive.

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
from mfanalytics.reports.status_codes import STATUS_GROUPS

__all__ = [
    "COUNT_COLUMNS",
    "GROUP_DTYPE",
    "GROUP_POSITION",
    "ReportFacts",
    "TZ",
    "check_frame",
    "codes",
    "countries",
    "facts_of",
    "groups_of",
    "kpi_table",
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

#: The dtype of each fact of :func:`kpi_table` (others: int8 0/1 indicators).
_KINDS: dict[str, Any] = {
    "_g": np.int64,
    "_t0": np.float64,
    "_link": np.bool_,
    "clicks": np.int64,
    "credits": np.int64,
    "_deliver_s": np.float64,
    "_click_s": np.float64,
}
_ANY = object()  # an option value not asked for: any of the kept ones does

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
def require(report: Any, required: Sequence[str], *, what: str = "frame") -> None:
    """Raise :class:`ValidationError` (rule ``missing-column``) for a missing column of the report
    ``what`` (a frame, or an engine's table)."""
    for col in required:
        if col not in report.columns:
            raise ValidationError(
                f"the report {what} has no column {col!r}; build it with mfanalytics.reports.parse_report",
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
def codes(report: pd.DataFrame) -> np.ndarray:
    """The status codes as float64 (NaN when missing)."""
    if "status_code" not in report.columns:
        return np.full(len(report), np.nan)
    return pd.to_numeric(report["status_code"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def times(report: pd.DataFrame, col: str) -> pd.Series:
    """A datetime column as tz-aware Europe/Paris (naive values are Paris time)."""
    if col not in report.columns:
        return pd.Series(pd.NaT, index=report.index, dtype=f"datetime64[ns, {TZ}]")
    s = pd.to_datetime(report[col], errors="coerce")
    return s.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT") if s.dt.tz is None else s.dt.tz_convert(TZ)


def groups_of(key: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each row's group (its position among the groups) and the groups, as
    ``groupby(key, dropna=False, sort=True)`` makes them: sorted, a missing key last, in the index
    groupby gives (the values of an object column inferred: ``int64``, ``str``...).

    Examples
    --------
    >>> codes, groups = groups_of(pd.Series([3, None, 1, 3], dtype="Int64", name="campaign_id"))
    >>> codes.tolist(), groups.tolist()
    ([1, 2, 0, 1], [1, 3, <NA>])
    """
    codes, uniques = pd.factorize(key, sort=True, use_na_sentinel=False)
    if not len(key):  # no row: the empty index a frame's groupby gives (its dtype is groupby's own choice)
        empty = pd.DataFrame({"n": np.zeros(0)}, index=key.index).groupby(key, dropna=False, sort=True).sum()
        return codes, empty.index
    if uniques.dtype == object:  # an object column: its values inferred, as groupby does
        return codes, pd.Index(list(uniques), name=key.name)
    return codes, pd.Index(uniques, name=key.name)


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


_QUERIES: dict[Any, str] = {}  # the SQL of kpi_table per table shape and options
_TABLE = "{mfanalytics_frame}"  # where the frame's table name goes in a kept query
_CAMPAIGNS = "{mfanalytics_campaigns}"  # and the name of its campaigns' table


def _kept(key: Any, con: Any, names: Mapping[str, str], build: Any) -> Any:
    """The DuckDB relation, on the Ibis connection ``con``, of the Ibis expression ``build()``,
    whose SQL is kept under ``key`` (None: not kept) with the tables' names (``names``: the
    hole of each, its name now) left out: a kept query needs no Ibis at all."""
    import ibis

    sql = _QUERIES.get(key) if key is not None else None
    if sql is None:
        sql = str(ibis.to_sql(build(), dialect="duckdb"))
        for hole, name in names.items():
            sql = sql.replace(name, hole)
        if key is not None and len(_QUERIES) < 64:
            _QUERIES[key] = sql
    for hole, name in names.items():
        sql = sql.replace(hole, name)
    return con.con.sql(sql)


def kpi_table(facts: ReportFacts, segments: Any = None, send_times: Any = None) -> dict[str, np.ndarray]:
    """The per-row facts of a report frame from the one definition of the KPIs,
    :func:`mfanalytics.analysis.engines.kpi_rows`, which DuckDB runs over an Arrow table
    of the columns it reads (the rows put back in order by their position):
    ``_g`` (status group position), ``_t0`` (campaign start, epoch seconds, NaN when
    unknown), ``_link``, the columns of :data:`COUNT_COLUMNS`, ``credits``, ``_deliver_s`` and ``_click_s``.

    The engine counts time in whole epoch seconds, as it does over an archive.
    """
    from mfanalytics.analysis import engines
    from mfanalytics.analysis.engine_sources import frame_arrow, registered_name

    frame, n = facts.frame, len(facts.frame)
    parts = segments_of(frame, segments)  # checked here, with the rules of a frame
    extra = {}
    if isinstance(segments, pd.Series) or (segments is None and "segments" in frame.columns):
        extra, segments = {"segments": parts}, None
    names = ["_g", "_t0", "_link", *engines.SUM_COLUMNS, *engines.TIME_COLUMNS]
    arrow = frame_arrow(frame, at=facts.times, extra=extra)  # Paris times, kept in the facts
    # The queries depend on the table's columns and types and on the options only: built and
    # compiled by Ibis once per shape (most of the cost of a small frame), then run on each
    # frame's table as SQL, without making an Ibis table of it.
    shape = tuple((field.name, str(field.type)) for field in arrow.schema)
    with registered_name(arrow, "mfanalytics_frame") as (con, table):
        holes = {_TABLE: table}
        camp = _kept(("campaigns", shape), con, holes, lambda: engines.campaign_query(con.table(table)))
        got_camp = engines.campaign_facts(camp.to_arrow_table(), arrow.column_names)
        with registered_name(got_camp, "mfanalytics_campaigns") as (_, campaigns):

            def build() -> Any:
                rows = engines.kpi_rows(
                    con.table(table),
                    segments=segments,
                    send_times=send_times,
                    keep=(engines.ROW,),
                    campaigns=con.table(campaigns),
                )
                small = {c: rows[c].cast("int8") for c in names if c not in _KINDS or c == "_g"}  # 1 byte, not 8
                return rows.select(engines.ROW, *(small.get(c, rows[c]).name(c) for c in names))

            key = ("rows", shape, segments) if send_times is None else None
            got = _kept(key, con, {**holes, _CAMPAIGNS: campaigns}, build).to_arrow_table()
    at = got[engines.ROW].to_numpy()
    out: dict[str, np.ndarray] = {}
    for name in names:
        kind = _KINDS.get(name, np.int8)
        column = got[name].combine_chunks()
        if kind is np.float64:
            column = column.cast("float64")
        values = np.empty(n, dtype=kind)
        values[at] = column.to_numpy(zero_copy_only=False).astype(kind, copy=False)
        out[name] = values
    return out


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

    def items(self) -> list[tuple[tuple[Any, ...], Any]]:
        return list(self._items)


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
        self._rows = _ByIdentity()
        self._t0 = _ByIdentity()
        self.summaries = _ByIdentity()  # used by mfanalytics.analysis.summarize

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return f"<ReportFacts of {len(self.frame)} rows, built: {sorted(self._built())}>"

    def _built(self) -> set[str]:
        return (
            {k for k in ("codes", "indicators", "country") if k in self.__dict__}
            | {f"times[{c}]" for c in self._times}
            | {f"rows{k}" for k, _ in self._rows.items()}
        )

    def rows(self, segments: Any = _ANY, send_times: Any = _ANY) -> dict[str, np.ndarray]:
        """The facts of :func:`kpi_table` for these option values (one not given: any kept one)."""
        for (seg, sent_at), got in self._rows.items():
            if (segments is _ANY or seg is segments) and (send_times is _ANY or sent_at is send_times):
                return dict(got)
        key = (None if segments is _ANY else segments, None if send_times is _ANY else send_times)
        return dict(self._rows.put(key, kpi_table(self, *key)))

    @property
    def index(self) -> pd.Index:
        return self.frame.index

    @property
    def columns(self) -> pd.Index:
        return self.frame.columns

    @cached_property
    def group_index(self) -> np.ndarray:
        """Position of each row's group in STATUS_GROUPS."""
        return self.rows()["_g"]

    @cached_property
    def codes(self) -> np.ndarray:
        """Status codes, float64 with NaN."""
        return codes(self.frame)

    @cached_property
    def link(self) -> np.ndarray:
        """Rows of campaigns with a link (:func:`mfanalytics.analysis.engines.link_mask`)."""
        return self.rows()["_link"]

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """The 0/1 KPI columns (:data:`COUNT_COLUMNS`), one row per recipient."""
        rows = self.rows()
        return pd.DataFrame({c: rows[c] for c in COUNT_COLUMNS}, index=self.frame.index)

    @cached_property
    def delivered(self) -> np.ndarray:
        return self.rows()["delivered"].astype(bool)

    @cached_property
    def sent(self) -> np.ndarray:
        return self.rows()["sent"].astype(bool)

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
        """Per row, its campaign's send time (``send_times=``), else its first delivery (Paris times)."""
        got = self._t0.get((send_times,))
        if got is None:
            secs = self.rows(send_times=send_times)["_t0"]
            known = ~np.isnan(secs)
            ns = np.where(known, secs, 0).astype(np.int64) * 1_000_000_000
            at = pd.DatetimeIndex(np.where(known, ns, np.iinfo(np.int64).min).view("M8[ns]"), tz="UTC")
            dtype = self.times("delivered_at").dtype
            got = self._t0.put((send_times,), pd.Series(at.tz_convert(TZ), index=self.frame.index).astype(dtype))
        return got

    def delays(self, send_times: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Seconds from the campaign start to delivery (delivered rows) and to the first click."""
        rows = self.rows(send_times=send_times)
        return rows["_deliver_s"], rows["_click_s"]

    def credits(self, segments: int | pd.Series | None = None) -> np.ndarray:
        """Segments of the sent rows (0 for rows not sent)."""
        return self.rows(segments=segments)["credits"]

    def kpi_rows(self, segments: Any = None, send_times: Any = None) -> pd.DataFrame:
        """The indicators plus ``credits``, ``_deliver_s`` and ``_click_s`` (one row per recipient)."""
        rows = self.rows(segments, send_times)
        names = (*COUNT_COLUMNS, "credits", "_deliver_s", "_click_s")
        # the arrays as they are (a frame of a dict copies them into 2-D blocks: 92 MB at 1M rows)
        return pd.DataFrame({c: rows[c] for c in names}, index=self.frame.index, copy=False)


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
