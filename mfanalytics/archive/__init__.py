"""The archive: report rows kept as Hive-partitioned Parquet files, synced from the API, read by DuckDB.

:class:`~mfanalytics.archive.store.Archive` is the entry point
(``mfanalytics.Archive``); :mod:`~mfanalytics.archive.sync` fetches and
upserts, :mod:`~mfanalytics.archive.files` writes and reads the files,
:mod:`~mfanalytics.archive.manifest` records what was synced.
"""

from mfanalytics.archive.store import Archive
from mfanalytics.archive.sync import SyncResult

__all__ = ["Archive", "SyncResult"]
