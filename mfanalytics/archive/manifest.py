"""The archive's manifest: what was synced, when, and what is still in flight.

``<archive>/manifest.json`` (UTF-8 JSON, written whole and renamed into place
after the data files it describes):

- ``windows``: one record per window fetched, oldest first: ``day`` (the Paris
  day of sending the window belongs to), ``start`` and ``end`` (the span of
  sending times it answers for, ISO 8601 with the Paris offset), ``fetched_at``
  (the client's clock, UTC), ``rows`` (lines in the answer), ``in_flight``
  (lines of it not final yet: pending, in flight, 31...), ``bodies`` (each
  request: its ``from`` and ``to`` as sent, the ``sha256`` and ``bytes`` of the
  body). A record fully covered by later ones is dropped: the list stays about
  one record per day.
- ``syncs``: the last syncs that completed (span, windows fetched, rows added
  and updated).

What a span still needs (:meth:`Manifest.needed`): the parts of it not
covered by a window without in-flight lines. The latest window over an
instant decides: a window fetched again replaces what the older ones said
about its span.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from mfanalytics.archive.files import write_atomic
from mfanalytics.errors import ValidationError
from mfanalytics.times import PARIS

__all__ = ["FORMAT", "Manifest", "Window", "iso", "parse_iso"]

#: The manifest's format tag.
FORMAT = "mfanalytics-archive/1"
_KEEP_SYNCS = 50


def iso(moment: datetime, *, paris: bool = True) -> str:
    """An aware moment as ISO 8601: Paris offset (``+01:00``) or UTC (``Z``)."""
    if paris:
        return moment.astimezone(PARIS).isoformat()
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass
class Window:
    """One fetched window of the manifest."""

    day: str
    start: str
    end: str
    fetched_at: str
    rows: int
    in_flight: int
    bodies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def span(self) -> tuple[datetime, datetime]:
        return parse_iso(self.start), parse_iso(self.end)

    @property
    def settled(self) -> bool:
        return self.in_flight == 0


def _subtract(segments: list[tuple[datetime, datetime]], lo: datetime, hi: datetime) -> list[tuple[datetime, datetime]]:
    out = []
    for a, b in segments:
        if b <= lo or a >= hi:
            out.append((a, b))
            continue
        if a < lo:
            out.append((a, lo))
        if b > hi:
            out.append((hi, b))
    return out


@dataclass
class Manifest:
    """The manifest in memory; :meth:`load` and :meth:`save` read and write ``manifest.json``."""

    windows: list[Window] = field(default_factory=list)
    syncs: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            windows = [Window(**w) for w in data.get("windows", [])]
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValidationError(
                f"{path} is not an mfanalytics archive manifest ({exc}).", rule="archive-manifest", field=str(path)
            ) from None
        return cls(windows=windows, syncs=list(data.get("syncs", [])))

    def save(self, path: Path) -> None:
        data = {
            "format": FORMAT,
            "partitioning": "reports/month=YYYY-MM/YYYY-MM-DD.parquet: the Paris day each campaign was sent",
            "windows": [asdict(w) for w in self.windows],
            "syncs": self.syncs[-_KEEP_SYNCS:],
        }
        text = json.dumps(data, ensure_ascii=False, indent=1)

        def write(tmp: Path) -> None:
            tmp.write_text(text, encoding="utf-8")

        write_atomic(path, write)

    # -- coverage -----------------------------------------------------------
    def coverage(self, day: date) -> list[tuple[datetime, datetime, bool]]:
        """The day's spans as the latest window over each says: ``(start, end, settled)``, sorted."""
        state: list[tuple[datetime, datetime, bool]] = []
        for w in self.windows:
            if w.day != day.isoformat():
                continue
            lo, hi = w.span
            kept = []
            for a, b, s in state:
                kept += [(x, y, s) for x, y in _subtract([(a, b)], lo, hi)]
            state = [*kept, (lo, hi, w.settled)]
        return sorted(state)

    def needed(self, day: date, lo: datetime, hi: datetime) -> tuple[datetime, datetime] | None:
        """The one span of ``[lo, hi)`` to fetch for ``day``: from the first to the last instant
        not covered by a settled window (None: nothing to fetch)."""
        todo = [(lo, hi)]
        for a, b, settled in self.coverage(day):
            if settled:
                todo = _subtract(todo, a, b)
        todo = [(a, b) for a, b in todo if a < b]
        if not todo:
            return None
        return min(a for a, _ in todo), max(b for _, b in todo)

    def add(self, window: Window) -> None:
        """Record a window; drop the older records of its day that later ones cover entirely."""
        self.windows.append(window)
        same = [i for i, w in enumerate(self.windows) if w.day == window.day]
        dropped = set()
        for pos, i in enumerate(same):
            rest = [(a, b) for a, b in [self.windows[j].span for j in same[pos + 1 :]]]
            left = [self.windows[i].span]
            for a, b in rest:
                left = _subtract(left, a, b)
            if not [1 for a, b in left if a < b]:
                dropped.add(i)
        self.windows = [w for i, w in enumerate(self.windows) if i not in dropped]

    def in_flight(self) -> list[tuple[str, datetime, datetime, int]]:
        """``(day, start, end, lines)`` of the spans whose latest window still had lines in flight."""
        out = []
        for day in sorted({w.day for w in self.windows}):
            for a, b, settled in self.coverage(date.fromisoformat(day)):
                if not settled:
                    lines = next(
                        w.in_flight for w in reversed(self.windows) if w.day == day and w.span[0] <= a < w.span[1]
                    )
                    out.append((day, a, b, lines))
        return out
