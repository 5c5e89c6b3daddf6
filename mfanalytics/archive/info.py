"""``archive.info()``: what an archive holds, computed by DuckDB over its files, and its manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mfanalytics.archive.manifest import Manifest
from mfanalytics.times import paris_wall

__all__ = ["ArchiveInfo", "archive_info"]


@dataclass(frozen=True)
class ArchiveInfo:
    """The contents of an archive.

    Attributes
    ----------
    path : str
    months : pandas.DataFrame
        One row per month folder: ``month``, ``days``, ``campaigns``, ``rows``, ``in_flight`` (lines not final).
    rows, campaigns : int
    last_sync : dict or None
        The last completed sync (``at``, ``start``, ``end``, windows fetched, rows added and updated).
    in_flight : pandas.DataFrame
        The spans the next sync fetches again: ``day``, ``start``, ``end``, ``lines`` not final when fetched.
    """

    path: str
    months: pd.DataFrame
    rows: int
    campaigns: int
    last_sync: dict[str, Any] | None
    in_flight: pd.DataFrame = field(repr=False)

    def __str__(self) -> str:
        lines = [
            f"archive {self.path}: {self.rows:,} rows of {self.campaigns:,} campaigns in {len(self.months)} months"
        ]
        if len(self.months):
            lines.append(self.months.to_string(index=False))
        if self.last_sync:
            s = self.last_sync
            lines.append(
                f"last sync at {s['at']}: {s['start']} to {s['end']}, {s['windows_fetched']} windows fetched, "
                f"{s['rows_added']:,} rows added, {s['rows_updated']:,} updated"
            )
        else:
            lines.append("never synced")
        if len(self.in_flight):
            lines.append(
                f"still in flight ({int(self.in_flight['lines'].sum()):,} lines, fetched again by the next sync):"
            )
            lines.append(self.in_flight.to_string(index=False))
        else:
            lines.append("nothing in flight: every synced day is final")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<ArchiveInfo {self.path!r}: {self.rows:,} rows, {self.campaigns:,} campaigns, {len(self.months)} months>"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython shows the text, not the repr
        printer.text(str(self))


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def archive_info(archive: Any) -> ArchiveInfo:
    """The :class:`ArchiveInfo` of ``archive`` (DuckDB counts over the files; the manifest's windows)."""
    con = archive.duckdb()
    try:
        months = con.sql(
            "SELECT month, count(DISTINCT campaign_id) AS campaigns, count(*) AS rows, "
            "count(*) FILTER (WHERE is_final IS NOT TRUE) AS in_flight FROM reports GROUP BY month ORDER BY month"
        ).df()
        totals = con.execute("SELECT count(*), count(DISTINCT campaign_id) FROM reports").fetchone()
    finally:
        con.close()
    days: dict[str, int] = {}
    for path in archive.files():
        month = path.parent.name.removeprefix("month=")
        days[month] = days.get(month, 0) + 1
    months.insert(1, "days", [days.get(m, 0) for m in months["month"]])
    for column in ("days", "campaigns", "rows", "in_flight"):
        months[column] = months[column].astype("int64")
    manifest = Manifest.load(archive.manifest_path)
    flight = pd.DataFrame(
        [
            (day, f"{paris_wall(a):%Y-%m-%d %H:%M}", f"{paris_wall(b):%Y-%m-%d %H:%M}", lines)
            for day, a, b, lines in manifest.in_flight()
        ],
        columns=["day", "start", "end", "lines"],
    )
    return ArchiveInfo(
        path=str(archive.path),
        months=months,
        rows=int(totals[0]),
        campaigns=int(totals[1]),
        last_sync=manifest.syncs[-1] if manifest.syncs else None,
        in_flight=flight,
    )
