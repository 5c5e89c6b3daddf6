"""The sources of :mod:`mfanalytics.analysis.engines`: the Ibis table of report rows wherever they are.

- an :class:`mfanalytics.Archive` (anything with ``reports_path`` and ``duckdb()``):
  DuckDB reads its Parquet files;
- a folder of (Hive-partitioned) Parquet report files, as a path;
- an Ibis table (``ibis.memtable(frame)``, a table of any Ibis backend);
- a PySpark ``DataFrame``: Spark computes;
- a report frame itself (:func:`frame_table`): DuckDB scans an Arrow table of
  only the columns the KPIs read, with the row position ``_row``, which is how
  :class:`mfanalytics.analysis.facts.ReportFacts` gets its per-row facts.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

from mfanalytics.analysis.facts import ReportFacts, require, times
from mfanalytics.errors import ValidationError

__all__ = [
    "ROW",
    "frame_arrow",
    "frame_table",
    "is_source",
    "kpi_columns",
    "on_snapshot",
    "registered",
    "registered_name",
    "require_columns",
    "table_of",
]

#: The row position column of :func:`frame_table`.
ROW = "_row"

_NUMBERS = ("campaign_id", "status_code", "clicks", "preview_count")
_FLAGS = ("clicked", "is_stop")
_TIMES = ("delivered_at", "first_click_at", "preview_at")


def is_source(data: Any) -> bool:
    """Whether ``data`` is an engine source (archive, path, Ibis table, Spark DataFrame), not a frame."""
    if isinstance(data, (pd.DataFrame, ReportFacts)):
        return False
    if hasattr(data, "reports_path") or isinstance(data, (str, Path)):
        return True
    module = type(data).__module__
    return module.startswith(("ibis.", "pyspark.sql"))


F = TypeVar("F", bound=Callable[..., Any])


def on_snapshot(func: F) -> F:
    """``func(data, ...)`` run on a snapshot of ``data`` when it is a source that can give one
    (an Archive's ``pinned()``: its day files held as they are now), so that every query
    ``func`` makes sees the same rows, whatever a sync renames meanwhile."""

    first = next(iter(inspect.signature(func).parameters))  # ``report``, also given by keyword

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        data = args[0] if args else kwargs.get(first)
        pinned = getattr(data, "pinned", None) if is_source(data) else None
        if not callable(pinned):
            return func(*args, **kwargs)
        with pinned() as snapshot:
            if args:
                return func(snapshot, *args[1:], **kwargs)
            return func(**{**kwargs, first: snapshot})

    return cast(F, run)


def table_of(data: Any) -> Any:
    """The Ibis table of the report rows of a source (see :func:`is_source`)."""
    import ibis

    if hasattr(data, "reports_path"):
        return ibis.duckdb.from_connection(data.duckdb()).table("reports")
    if isinstance(data, (str, Path)):
        root = Path(data)
        if (root / "reports").is_dir():
            root = root / "reports"
        if not root.exists():
            raise ValidationError(f"no Parquet files at {str(root)!r}", rule="no-archive", field="path")
        con = ibis.duckdb.connect()
        return con.read_parquet(str(root / "**" / "*.parquet"), hive_partitioning=True)
    module = type(data).__module__
    if module.startswith("pyspark.sql"):
        name = f"mfanalytics_reports_{id(data):x}"
        data.createOrReplaceTempView(name)
        return ibis.pyspark.connect(data.sparkSession).table(name)
    if module.startswith("ibis."):
        return data
    raise ValidationError(
        f"expected a report frame, an Archive, a Parquet folder, an Ibis table or a Spark DataFrame, "
        f"got {type(data).__name__}",
        rule="not-a-report-frame",
    )


def require_columns(t: Any, cols: Sequence[str]) -> None:
    """Raise :class:`ValidationError` (rule ``missing-column``) for a column the table lacks."""
    require(t, cols, what="table")


def kpi_columns(columns: Sequence[str]) -> list[str]:
    """The columns of a report the KPIs read (statuses, flags, counters, times, TRACK columns)."""
    fixed = {*_NUMBERS, *_FLAGS, *_TIMES, "status_group", "segments"}
    return [
        c
        for c in columns
        if c in fixed or (isinstance(c, str) and c.startswith("track_") and c.endswith(("_at", "_clicks")))
    ]


def _arrow(frame: pd.DataFrame, col: str, at: Any) -> Any:
    import pyarrow as pa

    s = frame[col]
    if col in _TIMES or col.endswith("_at"):
        s = at(col)  # naive times are Paris time: converted before Arrow sees them
    elif col in _FLAGS:
        s = s.astype("boolean")
    elif col == "status_group":
        if not isinstance(s.dtype, (pd.CategoricalDtype, pd.StringDtype)):
            s = s.astype("string")  # (strings go to Arrow as they are: a category costs a hash of every row)
    else:
        s = pd.to_numeric(s, errors="coerce")
    array = pa.array(s, from_pandas=True)
    if pa.types.is_timestamp(array.type) and array.type.unit == "ns":  # DuckDB's TIMESTAMPTZ_NS: unknown to Ibis
        array = array.cast(pa.timestamp("us", array.type.tz), safe=False)
    return array


_LOCAL = threading.local()  # one DuckDB connection per thread: a connection runs one query at a time
_NAMES = itertools.count()


def _connection() -> Any:
    con = getattr(_LOCAL, "con", None)
    if con is None:
        import ibis

        con = _LOCAL.con = ibis.duckdb.connect()
    return con


@contextmanager
def registered_name(table: Any, prefix: str = "mfanalytics_table") -> Iterator[tuple[Any, str]]:
    """(this thread's DuckDB connection (Ibis), a new name that starts with ``prefix``) under which
    the Arrow table ``table`` is scanned in place while the ``with`` block lasts.

    No Ibis table is made (``con.table(name)`` asks DuckDB for the schema): a caller whose
    SQL is already compiled runs it on ``con.con`` as it is.
    """
    con = _connection()
    name = f"{prefix}_{next(_NAMES)}"
    con.con.register(name, table)
    try:
        yield con, name
    finally:
        con.con.unregister(name)


@contextmanager
def registered(table: Any, prefix: str = "mfanalytics_table") -> Iterator[Any]:
    """The DuckDB table (Ibis) of the Arrow table ``table``, scanned in place on this thread's
    connection while the ``with`` block lasts, under a new name that starts with ``prefix``."""
    with registered_name(table, prefix) as (con, name):
        yield con.table(name)


def frame_arrow(frame: pd.DataFrame, *, at: Any = None, extra: dict[str, Any] | None = None) -> Any:
    """The Arrow table of the columns of ``frame`` the KPIs read, plus :data:`ROW`, each
    row's position, and the columns ``extra`` (arrays aligned with the rows).

    ``at(col)`` gives a time column as Paris times (default: :func:`mfanalytics.analysis.facts.times`).
    """
    import pyarrow as pa

    at = at or (lambda col: times(frame, col))
    arrays = {c: _arrow(frame, c, at) for c in kpi_columns(list(frame.columns))}
    arrays.update({k: pa.array(v, from_pandas=True) for k, v in (extra or {}).items()})
    arrays[ROW] = pa.array(np.arange(len(frame), dtype=np.int64))
    return pa.table(arrays)


@contextmanager
def frame_table(frame: pd.DataFrame, *, at: Any = None, extra: dict[str, Any] | None = None) -> Iterator[Any]:
    """The DuckDB table (Ibis) of :func:`frame_arrow` while the ``with`` block lasts: an Arrow
    table DuckDB scans in place, on this thread's connection."""
    with registered(frame_arrow(frame, at=at, extra=extra), "mfanalytics_frame") as table:
        yield table
