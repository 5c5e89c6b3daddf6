"""Archive sync: the period reports of a span, fetched day by day, upserted into the day files.

How a sync proceeds (:func:`sync_archive`, behind :meth:`Archive.sync <mfanalytics.Archive.sync>`):

1. The span ``[start, end)`` (Paris time, as :meth:`Client.get_reports
   <mfanalytics.Client.get_reports>` reads it) stops at the last whole minute
   of the client's clock: a span that has not happened yet is not fetched,
   and never recorded as synced.
2. It is cut at Paris midnights. For each day, the manifest says what is left
   (:meth:`Manifest.needed <mfanalytics.archive.manifest.Manifest.needed>`):
   parts never fetched, and parts whose latest window still had lines in
   flight. A day with nothing left makes no request.
3. Each day's remaining span is fetched with :func:`~mfanalytics.api.periods.fetch_period`
   (its 7-day windows, the client's GET with login, retries and digest
   check), ``workers`` days at once, with a progress bar over the windows.
4. The rows are upserted into the day's file by line key (campaign, list,
   line) with :func:`~mfanalytics.reports.lines.dedupe_lines`, which keeps the
   copy further in the line's life: later statuses, clicks and replies
   replace earlier ones. A campaign of the day that shows no click and no
   preview has its click columns missing, judged on its own rows
   (:func:`~mfanalytics.api.periods.mask_unshown_links`, ``scope="campaign"``).
   The file is replaced atomically
   (:func:`~mfanalytics.archive.files.write_atomic`).
5. Only then is the window recorded in the manifest (written atomically too,
   at most every :data:`SAVE_EVERY` seconds and at the end).
   A sync killed at any point leaves files that are each whole, and a
   manifest that claims nothing the files do not hold: the next sync fetches
   again what was not recorded, and the upsert keeps each line once.

Partitioning: a campaign belongs to the Paris day (and month) in which it
was sent, as the period report selects it (``from``/``to`` are sending
times): the day of the window that returned it.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.archive.files import day_file, read_day, remove_temporaries, to_table, write_table
from mfanalytics.archive.manifest import Manifest, Window, iso
from mfanalytics.errors import ValidationError
from mfanalytics.reports.lines import LINE_KEY, dedupe_lines
from mfanalytics.times import instant, paris_wall

__all__ = ["SyncResult", "day_bounds", "paris_days", "sync_archive", "upsert"]

#: Seconds between two saves of the manifest during a sync (a kill loses at most that much to fetch again).
SAVE_EVERY = 0.5
#: Columns whose values change during a line's life (what makes a row "updated").
_CHANGING = ("status_code", "delivered_at", "reply", "preview_at", "preview_count", "clicks", "first_click_at")


@dataclass(frozen=True)
class SyncResult:
    """What one :meth:`Archive.sync <mfanalytics.Archive.sync>` did.

    Attributes
    ----------
    start, end : datetime
        The span synced (aware; ``end`` is at most the client's clock).
    windows_fetched : int
        Report requests made (one per day that needed one).
    rows_added : int
        Lines new to the archive.
    rows_updated : int
        Lines already archived whose status, dates, reply, previews or clicks changed.
    windows_in_flight : int
        Windows fetched that still hold lines in flight: the next sync fetches them again.
    lines_in_flight : int
        Lines not final yet in those windows.
    """

    start: datetime
    end: datetime
    windows_fetched: int = 0
    rows_added: int = 0
    rows_updated: int = 0
    windows_in_flight: int = 0
    lines_in_flight: int = 0

    def __repr__(self) -> str:
        span = f"{paris_wall(self.start):%Y-%m-%d %H:%M} to {paris_wall(self.end):%Y-%m-%d %H:%M} (Paris)"
        text = (
            f"<SyncResult {span}: {self.windows_fetched} window{'s' if self.windows_fetched != 1 else ''} fetched, "
            f"{self.rows_added:,} rows added, {self.rows_updated:,} updated"
        )
        if self.windows_in_flight:
            text += (
                f"; {self.windows_in_flight} window{'s' if self.windows_in_flight != 1 else ''} still in flight "
                f"({self.lines_in_flight:,} line{'s' if self.lines_in_flight != 1 else ''})"
            )
        return text + ">"


def paris_days(lo: datetime, hi: datetime) -> list[date]:
    """The Paris days that ``[lo, hi)`` touches."""
    first = paris_wall(lo).date()
    last = paris_wall(hi - timedelta(microseconds=1)).date()
    return [first + timedelta(days=k) for k in range((last - first).days + 1)] if hi > lo else []


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants of a Paris day's first and next midnight (23, 24 or 25 hours apart)."""
    return instant(day, end=False), instant(day, end=True)


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Line key plus the occurrence of the key in the frame (rows of one answer are never merged)."""
    keys = pd.DataFrame(
        {
            "campaign_id": frame["campaign_id"].astype("Int64").astype("string"),
            "ref_list": frame["ref_list"].astype("string"),
            "line": frame["line"].astype("Int64").astype("string"),
        }
    ).fillna("\x00")
    keys["occurrence"] = keys.groupby(list(LINE_KEY), sort=False).cumcount()
    return keys


def _fingerprint(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    parts = []
    for name in columns:
        col = frame[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            parts.append(pd.Series(col.dt.tz_convert("UTC").astype("int64"), copy=False))
        elif name == "reply":
            parts.append(col.astype("string").fillna("\x00"))
        else:
            parts.append(pd.to_numeric(col, errors="coerce").astype("float64").fillna(-1.0))
    if not parts:
        return np.zeros(len(frame), np.uint64)
    return pd.util.hash_pandas_object(pd.concat(parts, axis=1, ignore_index=True), index=False).to_numpy()


def upsert(old: pd.DataFrame | None, new: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """``old`` with the lines of ``new`` added or replaced: ``(merged, added, updated)``."""
    if old is None or not len(old):
        return new.reset_index(drop=True), len(new), 0
    if not len(new):
        return old, 0, 0
    merged = dedupe_lines([old, new])
    ko, kn = _keys(old), _keys(new)
    columns = [c for c in _CHANGING if c in old.columns and c in new.columns]
    ko["print"], kn["print"] = _fingerprint(old, columns), _fingerprint(new, columns)
    both = kn.merge(ko, on=[*LINE_KEY, "occurrence"], how="left", suffixes=("", "_old"), indicator=True)
    added = int((both["_merge"] == "left_only").sum())
    seen = both["_merge"] == "both"
    updated = int((both.loc[seen, "print"] != both.loc[seen, "print_old"]).sum())
    return merged, added, updated


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One sync at a time per archive (an advisory lock the system drops if the process dies)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        yield
        return
    with open(folder / ".lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValidationError(
                f"Another sync is running on the archive {folder}; wait for it to finish.",
                rule="archive-busy",
                field="path",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _span(start: Any, end: Any, now: datetime) -> tuple[datetime, datetime]:
    lo = _minute(instant(start, end=False))
    limit = _minute(now)
    if end is None:
        return lo, limit
    hi = instant(end, end=True)
    if hi <= lo:
        raise ValidationError(
            f"The period ends ({paris_wall(hi):%Y-%m-%d %H:%M}) before it starts ({paris_wall(lo):%Y-%m-%d %H:%M}).",
            rule="period-order",
            field="end",
        )
    if hi != _minute(hi):
        hi = _minute(hi) + timedelta(minutes=1)
    return lo, min(hi, limit)


def sync_archive(
    archive: Any, client: Any, start: Any, end: Any = None, *, workers: int = 4, progress: bool = True
) -> SyncResult:
    """Bring ``archive`` up to date for ``[start, end)`` from ``client``: see the module's text."""
    from tqdm.auto import tqdm

    from mfanalytics.api.periods import fetch_period, mask_unshown_links
    from mfanalytics.archive.pins import remove_stale_pins  # (pins import the Archive, which imports this)

    now = client.now()
    lo, hi = _span(start, end, now)
    result = {"windows_fetched": 0, "rows_added": 0, "rows_updated": 0, "windows_in_flight": 0, "lines_in_flight": 0}
    if hi <= lo:
        return SyncResult(lo, max(lo, hi), **result)
    get_bytes = client.get_bytes  # the client's GET (login, retries, digest check): fetch_period's seam
    with _locked(archive.path):
        remove_temporaries(archive.path)
        remove_stale_pins(archive.path)
        manifest = Manifest.load(archive.manifest_path)
        tasks = []
        for day in paris_days(lo, hi):
            d0, d1 = day_bounds(day)
            todo = manifest.needed(day, max(lo, d0), min(hi, d1))
            if todo is not None:
                tasks.append((day, *todo))
        ensure_login = getattr(client, "ensure_login", None)
        if tasks and ensure_login is not None:
            ensure_login()  # once, before the windows are fetched in parallel (as get_reports does)

        def one(day: date, a: datetime, b: datetime) -> tuple[Window, int, int]:
            bodies: list[dict[str, Any]] = []

            def recorded(path: str, params: Mapping[str, str]) -> bytes:
                body = bytes(get_bytes(path, params))
                digest = hashlib.sha256(body).hexdigest()
                bodies.append({"from": params["from"], "to": params["to"], "sha256": digest, "bytes": len(body)})
                return body

            fetched = fetch_period(recorded, a, b, workers=1, progress=False)
            path = day_file(archive.reports_path, day)
            merged, added, updated = upsert(read_day(path), fetched)
            if added or updated:
                write_table(path, to_table(mask_unshown_links(merged, scope="campaign")))
            final = (
                fetched["is_final"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                if len(fetched)
                else np.zeros(0, bool)
            )
            window = Window(
                day=day.isoformat(),
                start=iso(a),
                end=iso(b),
                fetched_at=iso(now, paris=False),
                rows=len(fetched),
                in_flight=int((~final).sum()),
                bodies=bodies,
            )
            return window, added, updated

        workers = max(1, min(int(workers), 8))
        bar = tqdm(total=len(tasks), disable=not progress, desc="archive sync", unit="window")
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mfanalytics-archive")
        failed: Exception | None = None
        unsaved, saved_at = 0, time.monotonic()
        try:
            pending = {pool.submit(one, *task) for task in tasks}
            while pending and failed is None:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        window, added, updated = future.result()
                    except Exception as exc:  # the days done are recorded, then it is raised
                        failed = failed or exc
                        continue
                    manifest.add(window)  # recorded once its day's file is in place: it never claims more
                    unsaved += 1
                    result["windows_fetched"] += 1
                    result["rows_added"] += added
                    result["rows_updated"] += updated
                    if window.in_flight:
                        result["windows_in_flight"] += 1
                        result["lines_in_flight"] += window.in_flight
                    bar.update(1)
                if unsaved and time.monotonic() - saved_at >= SAVE_EVERY:
                    manifest.save(archive.manifest_path)  # lagging the files is safe: they are fetched again
                    unsaved, saved_at = 0, time.monotonic()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            bar.close()
        if failed is not None:
            if unsaved:
                manifest.save(archive.manifest_path)
            raise failed
        manifest.syncs.append({"at": iso(now, paris=False), "start": iso(lo), "end": iso(hi), **result})
        manifest.save(archive.manifest_path)
    return SyncResult(lo, hi, **result)
