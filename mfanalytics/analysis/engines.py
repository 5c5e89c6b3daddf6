"""The KPIs where the data lives: the per-row definitions as one Ibis expression.

The functions of :mod:`mfanalytics.analysis.kpis` and
:mod:`mfanalytics.analysis.trends` take a report frame, or any of these
*sources*, whose rows they never bring into pandas:

- an :class:`mfanalytics.Archive` (anything with ``reports_path`` and
  ``duckdb()``): DuckDB reads its Parquet files;
- a folder of (Hive-partitioned) Parquet report files, as a path;
- an Ibis table (``ibis.memtable(frame)``, a table of any Ibis backend);
- a PySpark ``DataFrame`` (``spark.read.parquet(archive.reports_path)``): Spark computes.

The engine computes the per-group counts, sums and quantiles of the indicators
defined once here (:func:`kpi_rows`); the small aggregated table then goes
through the same pandas step as a frame's (:func:`mfanalytics.analysis.kpis.finish_summary`
and its siblings), so both give the same frame, to the last digit.

Country codes (:mod:`mfanalytics.analysis.engine_countries`): :func:`country_expr` resolves the numbers whose calling code
belongs to one region with a join on a table of 3-digit prefixes built from
the ``phonenumbers`` metadata; the other numbers (shared codes such as +1,
+262, +590, unassigned codes, odd strings) are few distinct values that the
engine lists and :func:`mfanalytics.analysis.kpis.regions` classifies, joined
back in the engine.

Local times: Paris hours and days are computed from epoch seconds with the EU
summer-time rule (from the last Sunday of March to the last Sunday of October,
01:00 UTC, the rule of France since 1996), in integer arithmetic every engine has.

Examples
--------
>>> import ibis
>>> from mfanalytics.analysis import summarize
>>> summarize(ibis.memtable(report))[["recipients", "delivery_rate"]]  # DuckDB computes
             recipients  delivery_rate
campaign_id
1001                300           0.88
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis.engine_countries import country_expr
from mfanalytics.analysis.engine_sources import ROW, frame_table, is_source, on_snapshot, table_of
from mfanalytics.analysis.engine_sources import require_columns as _require
from mfanalytics.analysis.facts import COUNT_COLUMNS, GROUP_POSITION, send_time_series
from mfanalytics.errors import ValidationError
from mfanalytics.reports.status_codes import STATUS_TABLE

__all__ = [
    "CAMPAIGN_FACTS_VERSION",
    "KEY_DTYPES",
    "QUANTILES",
    "SUM_COLUMNS",
    "TIME_COLUMNS",
    "aggregate_table",
    "campaign_events",
    "campaign_facts",
    "campaign_query",
    "campaign_schema",
    "country_expr",
    "hour_counts",
    "is_source",
    "on_snapshot",
    "keyed_rows",
    "kpi_rows",
    "link_mask",
    "named_keys",
    "paris_local_seconds",
    "source_campaigns",
    "status_counts",
    "table_of",
]

#: The sums and quantiles of every KPI table (the frame's groupby reads them too).
SUM_COLUMNS: tuple[str, ...] = (*COUNT_COLUMNS, "credits")
TIME_COLUMNS: tuple[str, ...] = ("_deliver_s", "_click_s")
QUANTILES: tuple[float, ...] = (0.5, 0.9)

#: The pandas dtype of a grouping key, as the report frame holds it.
KEY_DTYPES: dict[str, Any] = {"campaign_id": "Int64", "line": "Int32", "status_code": "Int16", "country": "string"}

_EVENTS = ("delivered_at", "first_click_at", "preview_at")
_NO_KEY = -1  # the campaign key of rows without campaign_id (ids are positive)
#: The definition of :func:`campaign_query`, as the archive's day files keep its answer
#: (:mod:`mfanalytics.archive.campaigns`): change it with the query, and facts kept before are not used.
CAMPAIGN_FACTS_VERSION = 1


# ------------------------------------------------------------ per-row facts
def _group(t: Any) -> Any:
    """Each row's status group (strangers and NA: ``unknown``)."""
    import ibis

    names = {i: name for name, i in GROUP_POSITION.items()}
    return _group_position(t).substitute(names, else_=ibis.literal("unknown"))


def _group_position(t: Any) -> Any:
    """Each row's status group as its position in STATUS_GROUPS (strangers and NA: ``unknown``)."""
    unknown = GROUP_POSITION["unknown"]
    if "status_group" in t.columns:
        return t.status_group.cast("string").substitute(GROUP_POSITION, else_=unknown).cast("int8")
    if "status_code" in t.columns:
        table = {int(str(c)): GROUP_POSITION.get(str(r), unknown) for c, r in STATUS_TABLE["group"].items()}
        return t.status_code.cast("int64").substitute(table, else_=unknown).cast("int8")
    raise ValidationError(
        "the report table has neither 'status_code' nor 'status_group'", rule="missing-column", field="status_code"
    )


def _flag(t: Any, col: str) -> Any:
    import ibis

    return t[col].cast("boolean").fill_null(False) if col in t.columns else ibis.literal(False)


def _epoch(t: Any, col: str) -> Any:
    """Epoch seconds of a time column (NULL when missing): on DuckDB, ``EPOCH`` of the
    zone-aware value itself, not of its cast to a local time, which costs an ICU
    conversion per row (0.55 s a column at 10M rows, most of the query)."""
    import ibis

    if col not in t.columns:
        return ibis.null("int64")
    x = t[col]
    if x.type().is_timestamp() and x.type().timezone is not None and _backend(t) == "duckdb":
        return _duckdb_epoch(x).cast("int64")
    return x.epoch_seconds().cast("int64")


def _backend(t: Any) -> str:
    try:
        return str(t.get_backend().name)
    except Exception:  # an unbound expression: the default backend, DuckDB
        return "duckdb"


@lru_cache(maxsize=1)
def _epoch_builtin() -> Any:
    import ibis
    import ibis.expr.datatypes as dt

    def epoch(x: Any) -> Any:
        """DuckDB's EPOCH: seconds since 1970-01-01 00:00 UTC."""

    return ibis.udf.scalar.builtin(epoch, name="epoch", signature=((dt.Timestamp(timezone="UTC"),), dt.float64))


def _duckdb_epoch(x: Any) -> Any:
    return _epoch_builtin()(x)


def _campaign_key(x: Any) -> Any:
    import ibis

    if "campaign_id" not in x.columns:
        return ibis.literal(_NO_KEY, "int64")
    return x.campaign_id.cast("int64").fill_null(_NO_KEY)


def campaign_query(t: Any, *, kpis: bool = True) -> Any:
    """One row per campaign key ``_ck`` of ``t`` (its ``campaign_id``, -1 for none): ``_shown``,
    whether some row shows a click date, a click counter above 0 or a preview; with ``kpis``
    also ``_first``, the campaign's first delivery (epoch seconds).

    :func:`campaign_facts` applies the one-campaign rule to its answer; the per-row query then
    joins the small table it returns instead of aggregating the rows again inside its own
    plan (which made DuckDB scan and join the whole table twice in one pipeline: 3.4 s
    against 2.1 s for both queries at 10M rows, in one run on a loaded machine). Over an
    :class:`mfanalytics.Archive` it does not run: each day file keeps its answer
    (:func:`source_campaigns`)."""
    import ibis

    key = _campaign_key(t)
    # each trace aggregated on its own column (any of the rows' ORs costs a pass of 7 expressions)
    traces = [t.clicked.cast("boolean").any()] if "clicked" in t.columns else []
    for col in t.columns:
        if (col.startswith("track_") and col.endswith("_at")) or col in ("first_click_at", "preview_at"):
            traces.append(t[col].count() > 0)
        elif (col.startswith("track_") and col.endswith("_clicks")) or col in ("clicks", "preview_count"):
            x = t[col]
            traces.append(x.max() > 0 if x.type().is_numeric() else (x.cast("float64").fill_null(0) > 0).any())
    metrics: dict[str, Any] = {f"_s{i}": shown for i, shown in enumerate(traces)}
    timed = kpis and "delivered_at" in t.columns
    if timed:  # the first delivery: the epoch of the earliest time (the same second as the earliest epoch)
        metrics["delivered_at"] = t.delivered_at.min(where=_delivered(t))
    got = t.group_by(_ck=key).aggregate(_n=t.count(), **metrics)
    shown = ibis.literal(False)
    for i in range(len(traces)):
        shown = shown | got[f"_s{i}"].fill_null(False)
    first = {"_first": _epoch(got, "delivered_at") if timed else ibis.null("int64")} if kpis else {}
    return got.select("_ck", _shown=shown, **first)


def _delivered(t: Any) -> Any:
    """Whether each row is in the group delivered or delivered_stop (``_group_position`` in 0, 1)."""
    G = GROUP_POSITION
    if "status_group" in t.columns:
        names = [name for name, i in G.items() if i in (G["delivered"], G["delivered_stop"])]
        return t.status_group.cast("string").isin(names).fill_null(False)
    return _group_position(t).isin([G["delivered"], G["delivered_stop"]])


def campaign_schema(names: Sequence[str] = ("_ck", "_shown", "_first")) -> Any:
    """The Arrow schema of the columns ``names`` of :func:`campaign_query`'s answer."""
    import pyarrow as pa

    kinds = {"_ck": pa.int64(), "_shown": pa.bool_(), "_first": pa.int64()}
    return pa.schema([(name, kinds[name]) for name in names])


def campaign_facts(got: Any, columns: Sequence[str], *, per_campaign: bool = False) -> Any:
    """The Arrow table of :func:`campaign_query` as :func:`link_mask` reads it: a table of one
    campaign (one key) is its own report, whose TRACK columns are its own (``_shown`` true),
    unless ``per_campaign``; so is a table without ``campaign_id``."""
    import pyarrow as pa

    got = got.cast(campaign_schema(got.column_names))  # the same types, whichever engine answered
    if "campaign_id" not in columns or (not per_campaign and got.num_rows <= 1):
        shown = pa.array([True] * got.num_rows, pa.bool_())  # typed: no row is not a column of nulls
        got = got.set_column(got.schema.get_field_index("_shown"), "_shown", shown)
    return got


def source_campaigns(data: Any, t: Any) -> Any:
    """The Ibis table of :func:`campaign_facts` of a source whose rows are ``t``, when the source
    keeps them (an :class:`mfanalytics.Archive` whose day files all keep them:
    ``kept_campaign_facts()``), else None: the query runs."""
    import ibis

    kept_by = getattr(data, "kept_campaign_facts", None)
    kept = kept_by() if callable(kept_by) else None
    return None if kept is None else ibis.memtable(campaign_facts(kept, t.columns))


def _campaigns(t: Any, *, per_campaign: bool, kpis: bool) -> Any:
    """The Ibis table of :func:`campaign_facts` of ``t`` (run now, on ``t``'s engine)."""
    import ibis

    return ibis.memtable(
        campaign_facts(campaign_query(t, kpis=kpis).to_pyarrow(), t.columns, per_campaign=per_campaign)
    )


def _with_link(t: Any, campaigns: Any = None, *, per_campaign: bool = False, kpis: bool = True) -> Any:
    """``t`` with its campaign key ``_ck`` and ``_link``, the rule of :func:`link_mask`; with ``kpis``
    also its status group ``_g`` and its campaign's first delivery ``_first`` (epoch seconds).
    ``campaigns``: the Ibis table of :func:`campaign_facts` when the caller has it."""
    import ibis

    if campaigns is None:
        campaigns = _campaigns(t, per_campaign=per_campaign, kpis=kpis)
    base = t.mutate(_ck=_campaign_key(t), _g=_group_position(t)) if kpis else t.mutate(_ck=_campaign_key(t))
    r = base.left_join(campaigns, "_ck")
    tracked = r.clicked.notnull() if "clicked" in t.columns else ibis.literal(False)
    return r.mutate(_link=tracked & r._shown.fill_null(False))


def link_mask(data: Any, *, per_campaign: bool = False) -> Any:
    """The rows of campaigns whose message had a link, as far as the rows show (the "link" of
    :mod:`mfanalytics.analysis.kpis`): ``clicked`` is not missing, and the campaign shows a
    click date, a click counter above 0 or a preview on some row. A table of one campaign is
    its own report, whose TRACK columns are its own, unless ``per_campaign``: then each
    campaign is judged by its rows even alone (the archive's day files).

    ``data`` is a report frame (a numpy bool array is returned, one value per row) or an Ibis
    table (the table with a boolean column ``_link`` is returned).
    """
    if not isinstance(data, pd.DataFrame):
        return _with_link(data, per_campaign=per_campaign, kpis=False)
    out = np.zeros(len(data), dtype=bool)
    if "clicked" not in data.columns or not len(data):
        return out
    with frame_table(data) as t:
        got = _with_link(t, per_campaign=per_campaign, kpis=False).select(ROW, "_link").to_pyarrow()
    out[got[ROW].to_numpy()] = got["_link"].to_numpy()
    return out


def _t0(key: Any, first: Any, send_times: Any) -> Any:
    """The campaign start (epoch seconds): its send time when given, else its first delivery."""
    import ibis

    sent_at = send_time_series(send_times)
    if sent_at is None:
        return first
    if isinstance(sent_at, pd.Timestamp):
        return ibis.literal(int(sent_at.timestamp()), "int64")
    known = {
        int(str(k)): int(v.timestamp()) for k, v in sent_at.dropna().items() if str(k) not in ("nan", "<NA>", "None")
    }
    if not known:
        return first
    return key.substitute(known, else_=ibis.null("int64")).fill_null(first)


def kpi_rows(
    t: Any, *, segments: Any = None, send_times: Any = None, keep: Sequence[str] = (), campaigns: Any = None
) -> Any:
    """One row per recipient line: the 0/1 indicators of :data:`SUM_COLUMNS` and
    the delays of :data:`TIME_COLUMNS` (the definitions of :mod:`mfanalytics.analysis.kpis`),
    plus the columns ``keep`` and ``_g`` (status group position), ``_t0``, ``_sent``, ``_delivered``, ``_link``
    (:func:`link_mask`) and the
    epoch seconds ``_at_delivered_at``, ``_at_first_click_at``, ``_at_preview_at``.
    ``campaigns``: the Ibis table of :func:`campaign_facts` of ``t``, when the caller has it
    (else :func:`campaign_query` runs now)."""
    import ibis

    if segments is not None and not (isinstance(segments, int) and not isinstance(segments, bool) and segments >= 1):
        raise ValidationError(
            "on an archive or a table, segments must be a whole number >= 1 (or a 'segments' column)",
            rule="segments-type",
            field="segments",
        )
    cols = t.columns
    G = GROUP_POSITION
    r = _with_link(t, campaigns)
    link = r._link
    t0 = _t0(r._ck, r._first, send_times)
    if segments is None and "segments" in cols:
        parts = r.segments.cast("int64")
    else:
        parts = ibis.literal(1 if segments is None else int(segments), "int64")
    g = r._g
    code2 = (r.status_code.cast("int64") == 2).fill_null(False) if "status_code" in cols else ibis.literal(False)
    sent = ~(g.isin([G["not_sent"], G["blocked"]]) | code2)
    delivered = g.isin([G["delivered"], G["delivered_stop"]])
    one = ibis.literal(1, "int64")
    zero = ibis.literal(0, "int64")

    def n(cond: Any) -> Any:  # 1 or 0 (the conditions are never NULL): a cast costs less than a CASE
        return cond.cast("int64")  # (int64: the type the sums are taken in, no second cast)

    clicks = r.clicks.cast("int64").fill_null(0) if "clicks" in cols else zero
    return r.select(
        *keep,
        _g=g,
        _t0=t0,
        _sent=sent,
        _delivered=delivered,
        _link=link,
        recipients=one,
        sent=n(sent),
        delivered=n(delivered),
        pending=n(g.isin([G["pending"], G["in_flight"]])),
        undelivered=n(g.isin([G["undelivered"], G["rejected"]])),
        invalid=n(g == G["invalid_number"]),
        blocked=n(g == G["blocked"]),
        not_sent=n(g == G["not_sent"]),
        unknown=n(g == G["unknown"]),
        stops=n(_flag(r, "is_stop") | (g == G["delivered_stop"])),
        clicked=n(_flag(r, "clicked") & link),
        delivered_with_link=n(delivered & link),
        clicks=ibis.ifelse(link, clicks, zero),
        credits=ibis.ifelse(sent, parts, zero),
        # whole seconds subtracted as integers, then one cast (exact: both are far below 2**53)
        _deliver_s=ibis.ifelse(delivered, (_epoch(r, "delivered_at") - t0).cast("float64"), ibis.null("float64")),
        _click_s=(_epoch(r, "first_click_at") - t0).cast("float64"),
        **{f"_at_{c}": _epoch(r, c) for c in _EVENTS},
    )


# -------------------------------------------------------------- aggregates
def _fetch(expr: Any) -> pd.DataFrame:
    frame: pd.DataFrame = expr.to_pyarrow().to_pandas()
    return frame


def aggregate_table(rows: Any, keys: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sums of :data:`SUM_COLUMNS`, quantiles of :data:`TIME_COLUMNS`) per group of
    ``keys``, computed by the engine: the counts frame and the times frame of
    :func:`mfanalytics.analysis.kpis.finish_summary`, sorted by the keys (missing last)."""
    metrics: dict[str, Any] = {c: rows[c].sum() for c in SUM_COLUMNS}
    for col in TIME_COLUMNS:  # both quantiles from one selection per group
        metrics[f"{col}@q"] = rows[col].quantile(list(QUANTILES))
    expr = rows.group_by(list(keys)).aggregate(**metrics) if keys else rows.aggregate(**metrics)
    got = _fetch(expr)
    if not keys:
        got = got[got["recipients"].fillna(0) > 0]
        got.index = pd.Index(["all"] * len(got), dtype="object")
    else:
        got = got.sort_values(list(keys), na_position="last", kind="stable")
        for key in keys:
            if key in KEY_DTYPES:
                got[key] = got[key].astype(KEY_DTYPES[key])
        got = got.set_index(list(keys))
    counts = got[list(SUM_COLUMNS)].fillna(0).astype("int64")
    times = pd.DataFrame(index=got.index)
    for col in TIME_COLUMNS:
        values = [v if v is not None and len(v) else [None] * len(QUANTILES) for v in got[f"{col}@q"]]
        for i, q in enumerate(QUANTILES):
            times[(col, q)] = pd.Series([v[i] for v in values], index=got.index, dtype="float64")
    return counts, times


def status_counts(t: Any) -> pd.DataFrame:
    """Rows per (status group position ``g``, status code ``code``): columns g, code, count."""
    import ibis

    code = t.status_code.cast("float64") if "status_code" in t.columns else ibis.null("float64")
    r = t.select(_g=_group(t), code=code)
    got = _fetch(r.group_by(["_g", "code"]).aggregate(count=r.count()))
    got["g"] = got.pop("_g").map(GROUP_POSITION).astype("int64")
    return got[["g", "code", "count"]]


def _days_from_civil(y: Any) -> Any:
    """Days from 1970-01-01 to January 1st of year ``y`` (integer arithmetic)."""
    p = y - 1
    return 365 * (y - 1970) + (p // 4 - 1969 // 4) - (p // 100 - 1969 // 100) + (p // 400 - 1969 // 400)


def _last_sunday(y: Any, month_end_doy: Any) -> Any:
    """Days since the epoch of the last Sunday on or before day-of-year ``month_end_doy`` (0-based) of ``y``."""
    d = _days_from_civil(y) + month_end_doy
    weekday = (d + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return d - (weekday + 1) % 7


def paris_local_seconds(epoch: Any) -> Any:
    """Epoch seconds (UTC) shifted to Paris wall-clock seconds (CET/CEST, EU rule)."""
    import ibis

    y = epoch // 31_556_952 + 1970  # off by one only around New Year, in winter for either year
    leap = ibis.ifelse(((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0), 1, 0)
    start = _last_sunday(y, 89 + leap) * 86400 + 3600  # March 31st: day 89 (+1 in a leap year)
    end = _last_sunday(y, 303 + leap) * 86400 + 3600  # October 31st: day 303 (+1)
    return epoch + ibis.ifelse((epoch >= start) & (epoch < end), 7200, 3600)


def hour_counts(data: Any, *, send_times: Any = None) -> dict[str, pd.Series]:
    """Per name (sends, deliveries, clicks), the rows per (weekday, hour) of Paris time."""
    import ibis

    t = table_of(data)
    rows = kpi_rows(t, send_times=send_times, keep=(), campaigns=source_campaigns(data, t))
    out = {}
    for name, when, mask in (
        ("sends", rows._t0, rows._sent),
        ("deliveries", rows._at_delivered_at, rows._delivered),
        ("clicks", rows._at_first_click_at, ibis.literal(True)),
    ):
        local = paris_local_seconds(when)
        picked = rows.filter(mask & when.notnull()).select(
            weekday=((local // 86400 + 3) % 7).cast("int64"), hour=((local % 86400) // 3600).cast("int64")
        )
        got = _fetch(picked.group_by(["weekday", "hour"]).aggregate(n=picked.count()))
        out[name] = got.set_index(["weekday", "hour"])["n"]
    return out


def campaign_events(data: Any, *, send_times: Any = None) -> pd.DataFrame:
    """Per campaign_id: its start ``t0`` and its first delivery, click or preview ``first_event``
    (epoch seconds, NaN when none), for the day of :func:`mfanalytics.analysis.trends.daily_rates`."""
    t = table_of(data)
    _require(t, ["campaign_id"])
    rows = kpi_rows(t, send_times=send_times, keep=("campaign_id",), campaigns=source_campaigns(data, t))
    got = _fetch(
        rows.group_by("campaign_id").aggregate(
            t0=rows._t0.min(), **{f"e{i}": rows[f"_at_{c}"].min() for i, c in enumerate(_EVENTS)}
        )
    )
    got = got.sort_values("campaign_id", na_position="last", kind="stable")
    got["first_event"] = got[["e0", "e1", "e2"]].astype("float64").min(axis=1)
    got["campaign_id"] = got["campaign_id"].astype("Int64")
    return got.set_index("campaign_id")[["t0", "first_event"]].astype("float64")


def named_keys(by: str | Sequence[str] | None) -> list[str]:
    return [] if by is None else ([by] if isinstance(by, str) else list(by))


def keyed_rows(data: Any, keys: Sequence[str], *, segments: Any = None, send_times: Any = None) -> Any:
    """:func:`kpi_rows` of a source, keeping ``keys`` (``country`` computed from ``mobile``)."""
    t = table_of(data)
    campaigns = source_campaigns(data, t)
    if "country" in keys and "country" not in t.columns:
        t = country_expr(t)
    _require(t, keys)
    return kpi_rows(t, segments=segments, send_times=send_times, keep=tuple(keys), campaigns=campaigns)
