"""``mfanalytics archive sync`` and ``mfanalytics archive info``: the archive from the command line.

``add_archive(subparsers)`` registers the command (:mod:`mfanalytics.cli`
calls it). ``sync`` takes the account from the environment, as ``fetch``
does; on a served sandbox (``MEDIASFLOW_BASE_URL`` on loopback) it uses the
sandbox's clock, so that the span synced is the one the sandbox lived.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="mfanalytics")
>>> add_archive(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["archive", "sync", "--path", "arch", "--from", "2026-01-01"]).end is None
True
"""

from __future__ import annotations

import argparse
import os
from typing import Any

__all__ = ["add_archive", "run_info", "run_sync"]


def add_archive(subparsers: Any) -> None:
    """Register ``archive sync`` and ``archive info``."""
    p = subparsers.add_parser(
        "archive",
        help="keep report rows in a local Parquet archive (sync, info)",
        description="A local archive of report rows: Hive-partitioned Parquet files plus a manifest, read by DuckDB.",
    )
    sub = p.add_subparsers(dest="archive_command", metavar="ACTION", parser_class=type(p))
    s = sub.add_parser(
        "sync",
        help="fetch what the archive lacks for a period (incremental; safe to kill)",
        description=(
            "Fetch the period reports the archive lacks, day by day, and upsert them by line. Days whose lines "
            "were all final are never fetched again. Credentials come from the environment."
        ),
    )
    s.add_argument("--path", required=True, help="the archive's folder")
    s.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (Paris time)")
    s.add_argument("--to", dest="end", default=None, help="end of the period (default now; a date includes that day)")
    s.add_argument("--workers", type=int, default=4, help="days fetched at once (default 4)")
    s.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    s.set_defaults(func=run_sync)
    i = sub.add_parser("info", help="months, rows, campaigns, last sync, what is still in flight")
    i.add_argument("--path", required=True, help="the archive's folder")
    i.set_defaults(func=run_info)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _client() -> Any:
    """The account of the environment (a served sandbox's clock when it is one)."""
    from mfanalytics.api.client import Client
    from mfanalytics.connect import connect

    has_credentials = os.environ.get("MEDIASFLOW_TOKEN") or (
        os.environ.get("MEDIASFLOW_USERNAME") and os.environ.get("MEDIASFLOW_PASSWORD")
    )
    if not has_credentials:
        return Client.from_env()  # raises the error that says which variables to set
    return connect(quiet=True)


def run_sync(args: argparse.Namespace) -> int:
    from mfanalytics.archive.store import Archive

    archive = Archive(args.path)
    with _client() as client:
        result = archive.sync(client, args.start, args.end, workers=args.workers, progress=args.progress)
    print(repr(result).strip("<>"))
    return 0


def run_info(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mfanalytics.archive.store import Archive
    from mfanalytics.errors import ValidationError

    if not (Path(args.path) / "manifest.json").exists():
        raise ValidationError(f"{args.path} is not an archive (no manifest.json).", rule="archive-path", field="--path")
    print(Archive(args.path).info())
    return 0
