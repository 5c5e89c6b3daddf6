"""``Archive``: a folder of Hive-partitioned Parquet report rows, synced from the API, read by DuckDB.

The folder::

    <path>/manifest.json                          what was synced (mfanalytics.archive.manifest)
    <path>/reports/month=2026-03/2026-03-05.parquet  the rows of the campaigns sent that Paris day

The Parquet files hold the report frame's columns (``get_reports``), one row
per recipient line, each line once. DuckDB, Spark, Trino or BigQuery external
tables read ``reports/`` as it is (Hive partitioning on ``month``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from mfanalytics.archive.files import DAY_FILES, arrow_type, column_order, day_of_file, to_frame
from mfanalytics.archive.sync import SyncResult, sync_archive
from mfanalytics.errors import ValidationError
from mfanalytics.times import instant, paris_wall

__all__ = ["Archive"]

_MONTH = re.compile(r"^month=(\d{4})-(\d{2})$")
_KNOWN = re.compile(r"^track_\d+_(at|clicks)$")


def _paris_day(value: Any, *, end: bool, field: str) -> date:
    moment = instant(value, end=end)
    wall = paris_wall(moment)
    if (wall.hour, wall.minute, wall.second, wall.microsecond) != (0, 0, 0, 0):
        raise ValidationError(
            f"The archive knows the Paris day each campaign was sent, not its time: give {field} as a date "
            f"(YYYY-MM-DD), not {value!r}.",
            rule="archive-day",
            field=field,
        )
    return wall.date()


class Archive:
    """A local archive of report rows: Parquet files plus a manifest.

    Parameters
    ----------
    path : str or Path
        The archive's folder (created by the first sync).

    Attributes
    ----------
    path : Path
        The folder.
    reports_path : Path
        The Parquet dataset's root, ``path / "reports"`` (``month=YYYY-MM`` folders).
    manifest_path : Path
        ``path / "manifest.json"``.

    Examples
    --------
    >>> import tempfile, mfanalytics
    >>> from mfanalytics.sandbox.samples import populate
    >>> with mfanalytics.sandbox(seed=0, start="2026-03-01T08:00:00Z") as sb, tempfile.TemporaryDirectory() as tmp:
    ...     _ = populate(sb, days=4)
    ...     archive = mfanalytics.Archive(tmp)
    ...     first = archive.sync(sb.client(), "2026-03-01", progress=False)
    ...     again = archive.sync(sb.client(), "2026-03-01", progress=False)
    ...     (first.rows_added == len(archive.frame()), again.windows_fetched == first.windows_in_flight)
    (True, True)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.reports_path = self.path / "reports"
        self.manifest_path = self.path / "manifest.json"

    def __repr__(self) -> str:
        return f"<mfanalytics.Archive {str(self.path)!r}>"

    def __fspath__(self) -> str:
        return str(self.path)

    # -- writing --------------------------------------------------------------
    def sync(
        self,
        client: Any,
        start: date | datetime | str,
        end: date | datetime | str | None = None,
        *,
        workers: int = 4,
        progress: bool = True,
    ) -> SyncResult:
        """Fetch what the archive lacks for ``[start, end)`` and upsert it.

        A day whose lines were all final when it was fetched is never fetched
        again; a day that had lines in flight is fetched again until they are
        final (later statuses and clicks replace earlier ones). A sync with
        nothing new makes no report request. It can be killed at any point:
        the next sync completes it, with no line lost or doubled.

        Parameters
        ----------
        client : Client
            Its clock (``client.now()``) bounds the span: the archive holds
            only whole minutes that have passed, so a campaign sent in the
            current minute comes with the next sync (``SyncResult.end`` says
            where this one stopped; ``archive.frame()`` then equals
            ``client.get_reports(start, result.end)``).
        start, end : date, datetime or str
            Paris time of sending, as :meth:`Client.get_reports
            <mfanalytics.Client.get_reports>` reads them; ``end`` defaults to
            the client's clock; a date alone for ``end`` includes that day.
        workers : int
            Days fetched at once (1 to 8).
        progress : bool
            A progress bar over the windows.

        Returns
        -------
        SyncResult
            Windows fetched, rows added and updated, windows still in flight.
        """
        return sync_archive(self, client, start, end, workers=workers, progress=progress)

    # -- reading ----------------------------------------------------------------
    def files(self, start: Any = None, end: Any = None) -> list[Path]:
        """The day files of the campaigns sent in ``[start, end)`` (Paris dates), oldest first;
        only the month folders in range are listed."""
        first = _paris_day(start, end=False, field="start") if start is not None else None
        stop = _paris_day(end, end=True, field="end") if end is not None else None
        if not self.reports_path.is_dir():
            return []
        out = []
        for folder in sorted(self.reports_path.iterdir()):
            m = _MONTH.match(folder.name)
            if not m or not folder.is_dir():
                continue
            month = date(int(m[1]), int(m[2]), 1)
            after = (month + timedelta(days=32)).replace(day=1)
            if (first is not None and after <= first) or (stop is not None and month >= stop):
                continue  # the month's folder is not even listed
            for path in sorted(folder.glob("*.parquet")):
                day = day_of_file(path)
                if day is None or (first is not None and day < first) or (stop is not None and day >= stop):
                    continue
                out.append(path)
        return out

    def frame(
        self,
        start: date | datetime | str | None = None,
        end: date | datetime | str | None = None,
        *,
        campaigns: Iterable[int] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The archived rows as the report frame, with exactly the dtypes of ``get_reports``.

        Parameters
        ----------
        start, end : date or str, optional
            Paris days of sending (``end`` included when a date), as
            ``get_reports`` reads them; times other than midnight are refused
            (rule ``archive-day``): the archive knows each campaign's day.
        campaigns : iterable of int, optional
            Only these campaigns.
        columns : sequence of str, optional
            Only these columns, in this order. A report column that no file
            in range holds (``track_2_at`` ...) comes back all missing.

        Returns
        -------
        pandas.DataFrame
            Ordered by campaign, then as the API listed the lines; only the
            month folders and day files in range, and the columns asked for,
            are read.
        """
        import pyarrow as pa
        import pyarrow.dataset as ds
        import pyarrow.parquet as pq

        files = self.files(start, end)
        schema = pa.unify_schemas([_plain(pq.read_schema(f)) for f in files]) if files else None
        names = list(schema.names) if schema is not None else []
        if columns is None:
            wanted = column_order(names or _empty_columns())
        else:
            wanted = [str(c) for c in columns]
            unknown = [c for c in wanted if c not in names and c not in _empty_columns() and not _KNOWN.match(c)]
            if unknown:
                raise ValidationError(
                    f"No column {unknown[0]!r} in the archive for this period (columns: {', '.join(names)}).",
                    rule="archive-column",
                    field="columns",
                )
        read = [c for c in wanted if c in names]
        if "campaign_id" in names and "campaign_id" not in read:
            read.append("campaign_id")  # to order the rows
        if files:
            dataset = ds.dataset([str(f) for f in files], schema=schema, format="parquet")
            condition = None
            if campaigns is not None:
                ids = pa.array([int(c) for c in campaigns], pa.int64())
                condition = ds.field("campaign_id").isin(ids)
            table = dataset.to_table(columns=read, filter=condition)
        else:
            table = pa.table({c: pa.array([], arrow_type(c)) for c in read})
        if "campaign_id" in table.column_names and table.num_rows:
            import pyarrow.compute as pc

            order = pc.sort_indices(table, sort_keys=[("campaign_id", "ascending")])  # nulls last
            table = table.take(order)  # stable: within a campaign, the API's order
        for c in wanted:
            if c not in table.column_names:
                table = table.append_column(pa.field(c, arrow_type(c)), pa.nulls(table.num_rows, arrow_type(c)))
        return to_frame(table.select(wanted))

    def duckdb(self, connection: Any = None) -> Any:
        """A DuckDB connection with a view ``reports`` over the archive's files.

        The view reads ``reports/month=*/*.parquet`` with ``hive_partitioning=1``
        (a ``month`` column, ``'YYYY-MM'``) and ``union_by_name`` (days may
        differ in their TRACK and list columns); it sees each sync as soon as
        it renamed its files. The connection's time zone is Europe/Paris, so
        ``hour(delivered_at)`` is a Paris hour.

        Examples
        --------
        >>> import tempfile, mfanalytics
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     mfanalytics.Archive(tmp).duckdb().execute("select count(*) from reports").fetchone()
        (0,)
        """
        import duckdb
        import pyarrow as pa

        con = connection if connection is not None else duckdb.connect()
        con.execute("SET TimeZone = 'Europe/Paris'")
        if any(self.reports_path.glob(DAY_FILES)):
            glob = str(self.reports_path / DAY_FILES).replace("'", "''")
            con.execute(
                f"CREATE OR REPLACE VIEW reports AS SELECT * FROM read_parquet('{glob}', hive_partitioning = 1, "
                "union_by_name = 1, hive_types = {'month': VARCHAR})"
            )
        else:
            columns = _empty_columns()
            empty = pa.table({c: pa.array([], arrow_type(c)) for c in columns}).append_column(
                "month", pa.array([], pa.string())
            )
            con.register("mfanalytics_archive_empty", empty)
            con.execute("CREATE OR REPLACE VIEW reports AS SELECT * FROM mfanalytics_archive_empty")
        return con

    def pinned(self) -> Any:
        """A context manager giving this archive as it is now, for as long as the ``with`` block
        lasts, whatever a sync renames meanwhile: an archive over hard links to the day files
        (:mod:`mfanalytics.archive.pins`). The KPIs on an archive read through one, so that all their
        reads see one version of each file.

        Examples
        --------
        >>> import tempfile, mfanalytics
        >>> with tempfile.TemporaryDirectory() as tmp, mfanalytics.Archive(tmp).pinned() as now:
        ...     len(now.frame())
        0
        """
        from mfanalytics.archive.pins import pinned

        return pinned(self)

    def kept_campaign_facts(self) -> Any:
        """Each campaign's facts (``_ck``, ``_shown``, ``_first``) as the day files keep them in
        their footers, combined: the answer of the KPIs' campaigns query over every row, without
        reading the rows; None when a file keeps none (:mod:`mfanalytics.archive.campaigns`)."""
        from mfanalytics.archive.campaigns import kept_campaign_facts

        return kept_campaign_facts(self.reports_path)

    def info(self) -> Any:
        """What the archive holds: months, rows, campaigns, the last sync, what is in flight
        (:class:`~mfanalytics.archive.info.ArchiveInfo`)."""
        from mfanalytics.archive.info import archive_info

        return archive_info(self)


def _empty_columns() -> list[str]:
    from mfanalytics.reports.schema import fixed_columns

    return fixed_columns([])


def _plain(schema: Any) -> Any:
    """``schema`` with its dictionary fields as their values' type: day files written by other
    tools may hold dictionaries whose index types differ, or that do not combine into one."""
    import pyarrow as pa

    fields = [f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in schema]
    return pa.schema(fields, metadata=schema.metadata)
