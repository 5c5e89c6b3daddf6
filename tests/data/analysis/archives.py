"""Report archives for the engine tests: sandbox periods written as Hive-partitioned Parquet.

:class:`FolderArchive` offers what ``mfanalytics.Archive`` promises the analysis
(``path``, ``reports_path``, ``duckdb()`` with a ``reports`` view) over a folder
that :func:`write_archive` fills, so the engine tests do not depend on the sync.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

import mfanalytics
from mfanalytics.sandbox.samples import populate

LINK = [
    {
        "associateToDomain": "1mf.eu",
        "host": "1mf.eu",
        "index": 0,
        "isOG": True,
        "type": "REDIRECT",
        "urlToRedirect": "https://www.example.com/offre",
    }
]
# numbers whose calling code several regions share (+1, +7, +44, +262, +590), and odd strings
ABROAD = [
    "+14165550123",
    "+12125550123",
    "+447911123456",
    "+447797123456",
    "+447400123456",
    "+79161234567",
    "+77012345678",
    "+262269612345",
    "+262692123456",
    "+590690123456",
    "+590690876543",
    "0033612345678",
    "33612345679",
    "+32470123456",
    "+999123456789",
]


class FolderArchive:
    """What the contract says an ``mfanalytics.Archive`` offers, over a folder written here."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reports_path = path / "reports"

    def duckdb(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        glob = str(self.reports_path / "**" / "*.parquet")
        con.execute(f"CREATE VIEW reports AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)")
        return con


def write_archive(frame: pd.DataFrame, path: Path) -> FolderArchive:
    """``frame`` as Hive-partitioned Parquet (``month=YYYY-MM``: the month of each campaign's first date)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    when = frame["delivered_at"].fillna(frame["preview_at"]) if len(frame) else frame["delivered_at"]
    month = when.groupby(frame["campaign_id"], dropna=False).transform("min").dt.strftime("%Y-%m").fillna("2026-01")
    table = table.append_column("month", pa.array(month.to_numpy(dtype=object), pa.string()))
    ds.write_dataset(
        table,
        path / "reports",
        format="parquet",
        partitioning=["month"],
        partitioning_flavor="hive",
        existing_data_behavior="overwrite_or_ignore",
        max_rows_per_file=2000,  # several files per month, as a synced archive has
        max_rows_per_group=2000,
    )
    return FolderArchive(path)


def sandbox_period(days: int = 16, seed: int = 3) -> pd.DataFrame:
    """``days`` of the sandbox's sample campaigns (with and without links, STOPs, overseas
    numbers), then a campaign to two lists, one to numbers abroad, and a last one still in flight."""
    with mfanalytics.sandbox(seed=seed, start="2026-03-20T08:00:00Z") as sb:
        populate(sb, days=days, seed=seed)
        client = sb.client(now=lambda: sb.now)
        lists = []
        for i, numbers in enumerate((["0612345602", "0639980017", "0698765432"], ["0612345603", "0639980020"])):
            content = ("mobile\n" + "\n".join(numbers) + "\n").encode()
            lists.append(client.upload_list(content, filename=f"liste-{i}.csv")["id"])
        client.send_campaign("Soldes : ${track_1} STOP 36111", list_id=lists, tiny_list=LINK)
        sb.advance(3600)
        people = [{"mobile": m} for m in ABROAD] + [{"mobile": f"06{20_000_000 + i:08d}"} for i in range(40)]
        client.send_campaign("Bonjour, nouvelle collection en boutique. STOP 36111", recipients=people)
        sb.advance(2 * 86400)
        client.send_campaign("Derniers jours : ${track_1}", recipients=people[len(ABROAD) :], tiny_list=LINK)
        sb.advance(20)  # its lines are still on their way
        frame = client.get_reports(sb.now - timedelta(days=days + 4), sb.now + timedelta(hours=1), progress=False)
        client.close()
    return frame
