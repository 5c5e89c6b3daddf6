"""The facts of each campaign that a day file keeps in its own footer.

The KPIs of :mod:`mfanalytics.analysis.engines` start with one small query over all
the rows, :func:`~mfanalytics.analysis.engines.campaign_query`: per campaign, whether
some row shows a click date, a click counter or a preview (``_shown``), and its first
delivery (``_first``). Over an archive that query reads ten columns of every row
(2.2 s at 50M rows, alone, about a quarter of ``summarize``). Each day file the archive writes
therefore keeps that query's answer over its own rows in its Parquet key-value
metadata (key ``mfanalytics.campaigns``), in the same file and the same atomic rename
as the rows: a file can never hold rows and facts from two different writes. The
answer over the archive is the combination of the files' answers (any ``_shown``,
the least ``_first``), which is what the query gives over the union of their rows.

A file without them (written by another tool, or before they were kept) or with facts
of another definition (:data:`mfanalytics.analysis.engines.CAMPAIGN_FACTS_VERSION`)
makes :func:`kept_campaign_facts` answer ``None``, and the engine runs the query.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from mfanalytics.archive.files import DAY_FILES

__all__ = ["KEY", "kept_campaign_facts", "with_campaign_facts"]

#: The key of the facts in a day file's Parquet metadata.
KEY = b"mfanalytics.campaigns"


def with_campaign_facts(table: pa.Table) -> pa.Table:
    """``table`` (a day's rows, in the storage types) with the answer of
    :func:`~mfanalytics.analysis.engines.campaign_query` over its rows in its metadata."""
    from mfanalytics.analysis import engines
    from mfanalytics.analysis.engine_sources import registered

    with registered(table, "mfanalytics_day") as t:
        got = engines.campaign_query(t).to_pyarrow()
    got = got.cast(engines.campaign_schema(got.column_names))
    facts = {
        "version": engines.CAMPAIGN_FACTS_VERSION,
        "rows": [[r["_ck"], r["_shown"], r["_first"]] for r in got.to_pylist()],
    }
    metadata = dict(table.schema.metadata or {})
    metadata[KEY] = json.dumps(facts, separators=(",", ":")).encode()
    return table.replace_schema_metadata(metadata)


def _facts_of(path: Path, version: int) -> list[list[Any]] | None:
    metadata = pq.read_schema(path).metadata or {}
    if KEY not in metadata:
        return None
    try:
        facts = json.loads(metadata[KEY])
    except ValueError:
        return None
    if not isinstance(facts, dict) or facts.get("version") != version:
        return None
    rows = facts.get("rows")
    return rows if isinstance(rows, list) else None


def kept_campaign_facts(reports: Path) -> pa.Table | None:
    """The facts kept by the day files under ``reports`` (``month=*/*.parquet``, the files of
    :meth:`mfanalytics.Archive.duckdb`'s view), combined: one row per campaign key, columns
    ``_ck``, ``_shown``, ``_first``; ``None`` when a file keeps none of this definition (or no file is there)."""
    from mfanalytics.analysis.engines import CAMPAIGN_FACTS_VERSION, campaign_schema

    files = sorted(Path(reports).glob(DAY_FILES))
    if not files:
        return None
    rows: list[list[Any]] = []
    for path in files:
        try:
            got = _facts_of(path, CAMPAIGN_FACTS_VERSION)
        except (OSError, pa.ArrowException):  # renamed away or unreadable: let the engine read the rows
            return None
        if got is None:
            return None
        rows += got
    schema = campaign_schema()
    try:
        table = pa.table({f.name: pa.array([r[i] for r in rows], f.type) for i, f in enumerate(schema)})
    except (pa.ArrowException, IndexError, TypeError):
        return None
    combined = table.group_by("_ck").aggregate([("_shown", "any"), ("_first", "min")])
    return combined.rename_columns({"_shown_any": "_shown", "_first_min": "_first"}).select(schema.names)
