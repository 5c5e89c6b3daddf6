"""The sandbox's simulated clock.

Simulated time is a float of seconds since the Unix epoch (UTC). It follows
wall time at ``speed`` times its pace (``speed=0`` freezes it, which is what
tests want), and it can be moved forward with :meth:`SimClock.advance` or set
with :meth:`SimClock.set`. It never goes backwards.

Examples
--------
>>> clock = SimClock(start="2026-01-05T09:00:00Z", speed=0)
>>> clock.advance(90)
>>> clock.isoformat()
'2026-01-05T09:01:30Z'
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime
from datetime import datetime as Datetime  # the name datetime is also SimClock's method

__all__ = ["SimClock", "parse_instant", "format_utc", "MAX_SPEED", "MAX_INSTANT"]

#: Fastest pace of the clock: simulated seconds per wall second (about 11.6 days a second).
MAX_SPEED = 1_000_000.0

#: Latest simulated instant, 2200-01-01T00:00:00Z: every date the sandbox
#: writes (tokens, schedules, report dates in pandas' nanoseconds) stays exact.
MAX_INSTANT = 7_258_118_400.0


def check_speed(speed: float) -> float:
    if (
        isinstance(speed, bool)
        or not isinstance(speed, (int, float))
        or not math.isfinite(speed)
        or not 0 <= speed <= MAX_SPEED
    ):
        raise ValueError(f"speed must be a number from 0 to {MAX_SPEED:g}, not {speed!r}")
    return float(speed)


def _check_instant(seconds: float) -> float:
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_INSTANT:
        raise ValueError(
            f"the sandbox clock stays between 1970-01-01 and {format_utc(MAX_INSTANT)}: "
            f"{seconds!r} seconds since 1970 is outside"
        )
    return seconds


def parse_instant(value: str | datetime | float | int) -> float:
    """Turn an ISO string, a datetime or epoch seconds into epoch seconds.

    A naive datetime or an ISO string without offset is taken as UTC.

    Examples
    --------
    >>> parse_instant("1970-01-01T00:01:00Z")
    60.0
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not an ISO 8601 instant: {value!r}") from exc
    if not isinstance(value, datetime):
        raise TypeError(f"expected an ISO string, a datetime or epoch seconds, not {type(value).__name__}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def format_utc(seconds: float) -> str:
    """Format epoch seconds as ``yyyy-MM-ddTHH:mm:ssZ``.

    Examples
    --------
    >>> format_utc(0)
    '1970-01-01T00:00:00Z'
    """
    return datetime.fromtimestamp(int(seconds), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SimClock:
    """A clock that runs ``speed`` times faster than wall time and can jump.

    Parameters
    ----------
    start : str, datetime or float, optional
        Simulated time at creation; default: the current wall time, to the second.
    speed : float
        Simulated seconds per wall second; 0 freezes the clock between jumps.
    """

    def __init__(self, start: str | datetime | float | None = None, speed: float = 1.0) -> None:
        speed = check_speed(speed)
        self._lock = threading.Lock()
        self._anchor_sim = float(int(time.time())) if start is None else _check_instant(parse_instant(start))
        self._anchor_wall = time.monotonic()
        self._speed = float(speed)

    @property
    def speed(self) -> float:
        """Simulated seconds per wall second."""
        return self._speed

    def now(self) -> float:
        """Current simulated time, epoch seconds."""
        with self._lock:
            return min(self._anchor_sim + (time.monotonic() - self._anchor_wall) * self._speed, MAX_INSTANT)

    def datetime(self) -> datetime:
        """Current simulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def isoformat(self) -> str:
        """Current simulated time as ``yyyy-MM-ddTHH:mm:ssZ``."""
        return format_utc(self.now())

    def _rebase(self, sim: float) -> None:
        self._anchor_sim = sim
        self._anchor_wall = time.monotonic()

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (>= 0, finite, not past :data:`MAX_INSTANT`)."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
            raise ValueError(f"advance by a finite number of seconds, not {seconds!r}")
        if seconds < 0:
            raise ValueError("the sandbox clock never goes backwards: advance by >= 0 seconds")
        with self._lock:
            current = self._anchor_sim + (time.monotonic() - self._anchor_wall) * self._speed
            if current + float(seconds) > MAX_INSTANT:
                raise ValueError(f"advance by {seconds!r} s would take the clock past {format_utc(MAX_INSTANT)}")
            self._rebase(current + float(seconds))

    def set(self, when: str | Datetime | float) -> None:
        """Set the clock to ``when``, which must not be in the simulated past."""
        if isinstance(when, bool):
            raise TypeError("set the clock to an ISO string, a datetime or epoch seconds, not a boolean")
        target = _check_instant(parse_instant(when))
        with self._lock:
            current = self._anchor_sim + (time.monotonic() - self._anchor_wall) * self._speed
            if target < current - 1e-6:
                raise ValueError(
                    f"the sandbox clock never goes backwards: {format_utc(target)} is before {format_utc(current)}"
                )
            self._rebase(target)

    def set_speed(self, speed: float) -> None:
        """Change the pace without a jump (0 to :data:`MAX_SPEED`)."""
        speed = check_speed(speed)
        with self._lock:
            current = self._anchor_sim + (time.monotonic() - self._anchor_wall) * self._speed
            self._rebase(current)
            self._speed = float(speed)
