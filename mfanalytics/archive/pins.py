"""Pins: the archive's day files held by hard links while the KPIs read them, one version of each.

The KPIs of an archive read it twice: each day file's footer (the campaigns' facts of
:mod:`mfanalytics.archive.campaigns`, or the campaigns' query), then its rows. A sync
that renames a new version of a day file into place between the two reads would give
the old version's facts with the new version's rows: neither state of the archive (a
first delivery after a delivery, so a negative delay). Some KPIs (``compare_campaigns``,
``flag_campaigns``) also run several queries whose answers must describe the same rows.

A pin is a folder ``<archive>/.pins/<pid>-<random>/reports/month=YYYY-MM/`` holding a
hard link to every day file. A sync's rename replaces the name in ``reports/``, not the
file a link holds, so every read through the pin sees the same version of each file
(the files are linked one after the other: a sync may have renamed one day and not yet
the next, and the pin holds each day whole, which is what the KPIs need). Links copy
nothing and take no space. The pin is removed when the KPIs end, also on an exception or
an interrupt; a sync removes the pins older than :data:`STALE` that a killed process
left behind. A pin used after its end (or removed under it) raises instead of reading
an empty archive. ``.pins`` is a hidden folder beside ``reports/``: neither the
archive's view nor Spark reads it.

Only an :class:`~mfanalytics.archive.store.Archive` is pinned: a folder given as a path (or an
Ibis table of ``archive.duckdb()``) is read as it is at each query.

Where links cannot be made (a read-only archive, a file system without hard links),
the KPIs read the archive itself, as before pins: then a sync writing it at the same
time can give such a mixed answer.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mfanalytics.archive.files import DAY_FILES
from mfanalytics.archive.store import Archive
from mfanalytics.errors import ValidationError

__all__ = ["PINS", "STALE", "PinnedArchive", "pinned", "remove_stale_pins"]

#: The folder of the pins, in the archive's folder.
PINS = ".pins"
#: The age after which a sync removes a pin (a process killed while its KPIs ran).
STALE = 24 * 3600.0


def _link_all(reports: Path, root: Path) -> bool:
    """Hard links under ``root / "reports"`` to the day files of ``reports``; False when links
    cannot be made. Nothing is left behind when it fails or is interrupted (Ctrl-C)."""
    try:
        for src in sorted(reports.glob(DAY_FILES)):
            dst = root / "reports" / src.parent.name / src.name
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(src, dst)
            except FileNotFoundError:  # gone since the listing: the pin holds the archive without it
                continue
        (root / "reports").mkdir(parents=True, exist_ok=True)
    except OSError:  # read-only, no hard links (EPERM, ENOTSUP, EXDEV...): read the archive itself
        shutil.rmtree(root, ignore_errors=True)
        return False
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return True


class PinnedArchive(Archive):
    """An archive over the hard links of a pin: read-only, and its own pin."""

    def __init__(self, root: Path, of: Archive) -> None:
        self.closed = False
        super().__init__(root)
        self.pinned_from = of
        self.manifest_path = of.manifest_path  # read (info), never written: a pin does not sync

    @property
    def reports_path(self) -> Path:  # every read of the files goes through it
        if self.closed or not self._reports.is_dir():
            raise ValidationError(
                f"{self!r} is used after its `with` block ended (or its pin was removed): "
                "read the archive itself, or pin it again",
                rule="archive-pin-closed",
            )
        return self._reports

    @reports_path.setter
    def reports_path(self, value: Path) -> None:
        self._reports = value

    def __repr__(self) -> str:
        return f"<mfanalytics.Archive {str(self.pinned_from.path)!r}, pinned>"

    @contextmanager
    def pinned(self) -> Iterator[Archive]:
        yield self  # a pin does not change: it is its own

    def sync(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError(
            f"{self!r} is a pinned, read-only view of an archive: sync the archive itself",
            rule="archive-pinned",
        )


@contextmanager
def pinned(archive: Any) -> Iterator[Any]:
    """A :class:`PinnedArchive` over hard links to ``archive``'s day files as they are now,
    for the ``with`` block (``archive`` itself when links cannot be made); removed after."""
    root = archive.path / PINS / f"{os.getpid()}-{secrets.token_hex(6)}"
    if not archive.reports_path.is_dir() or not _link_all(archive.reports_path, root):
        yield archive  # nothing to hold (no folder: no .pins made there either), or links cannot be made
        return
    pin = PinnedArchive(root, archive)
    try:
        yield pin
    finally:
        pin.closed = True
        shutil.rmtree(root, ignore_errors=True)


def remove_stale_pins(path: Path, *, older_than: float = STALE) -> int:
    """Remove the pins under ``path`` (an archive's folder) older than ``older_than`` seconds; returns how many."""
    removed, now = 0, time.time()
    pins = Path(path) / PINS
    if pins.is_dir():
        for pin in pins.iterdir():
            try:
                old = now - pin.stat().st_mtime > older_than
            except OSError:
                continue
            if old:
                shutil.rmtree(pin, ignore_errors=True)
                removed += not pin.exists()
    return removed
