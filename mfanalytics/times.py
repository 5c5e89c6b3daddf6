"""Paris time: the one time zone of the API, its clock changes, unambiguous API times.

The API reads and writes naive ``YYYY-MM-DD HH:MM`` Paris wall-clock times.
Twice a year that clock is not a clock: in spring an hour is skipped, in
autumn an hour is shown twice. Everything here is about that, for every lane
(search windows, schedules, report dates, exports, the sandbox).

Examples
--------
>>> from datetime import datetime
>>> unambiguous(datetime(2026, 10, 25, 2, 30))  # shown twice that night
False
>>> instant("2026-10-25 02:30", end=False).isoformat()  # a start keeps every row: the first reading
'2026-10-25T00:30:00+00:00'
>>> instant("2026-10-25 02:30", end=True).isoformat()  # an end: the second
'2026-10-25T01:30:00+00:00'
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from mfanalytics.errors import ValidationError

__all__ = [
    "PARIS_NAME",
    "PARIS",
    "API_TIME_FORMAT",
    "as_paris_wall",
    "instant",
    "paris_wall",
    "unambiguous",
    "clear_of_folds",
    "paris_to_utc",
    "distinct_ticks",
]

#: The API's time zone, by name (pandas dtypes) and as a tzinfo.
PARIS_NAME = "Europe/Paris"
PARIS = ZoneInfo(PARIS_NAME)
#: How the API writes a time (Paris wall clock, to the minute).
API_TIME_FORMAT = "%Y-%m-%d %H:%M"


def as_paris_wall(value: date | datetime | str, *, end: bool) -> datetime:
    """Wall-clock Paris time (naive). A date alone is the start of that day,
    or, for an end, the start of the next day (the day is included)."""
    if isinstance(value, str):
        text = value.strip().replace("T", " ")
        for fmt in ("%Y-%m-%d", API_TIME_FORMAT, "%Y-%m-%d %H:%M:%S"):
            try:
                parsed = datetime.strptime(text, fmt)
            except ValueError:
                continue
            if fmt == "%Y-%m-%d":
                return parsed + timedelta(days=1) if end else parsed
            return parsed
        raise ValidationError(
            f"Dates are YYYY-MM-DD or YYYY-MM-DD HH:MM (Paris time), not {value!r}.",
            rule="date-format",
            field="end" if end else "start",
        )
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(PARIS).replace(tzinfo=None)
        return value
    day = datetime.combine(value, time())
    return day + timedelta(days=1) if end else day


def instant(value: date | datetime | str, *, end: bool) -> datetime:
    """The moment ``value`` stands for, aware UTC. A Paris wall-clock time
    that the clock showed twice (the autumn's repeated hour) is read in the
    reading that keeps every row: the first for a start, the second for an
    end; one it never showed (the spring's skipped hour) is the jump itself."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    wall = pd.Timestamp(as_paris_wall(value, end=end))
    local = wall.tz_localize(PARIS_NAME, ambiguous=not end, nonexistent="shift_forward")
    return local.tz_convert("UTC").to_pydatetime()


def paris_wall(moment: datetime) -> datetime:
    return moment.astimezone(PARIS).replace(tzinfo=None)


def unambiguous(wall: datetime) -> bool:
    """True when the Paris clock shows ``wall`` exactly once (not in the
    autumn's repeated hour, not in the spring's skipped one)."""
    return wall.replace(tzinfo=PARIS, fold=0).utcoffset() == wall.replace(tzinfo=PARIS, fold=1).utcoffset()


def clear_of_folds(moment: datetime, direction: int) -> datetime:
    """``moment`` (a whole minute) moved, minute by minute in ``direction``
    (-1 earlier, +1 later), until its Paris wall-clock time is unambiguous."""
    wall = paris_wall(moment)
    if unambiguous(wall):
        return moment
    for _ in range(24 * 60):  # a repeated hour is 60 minutes; bounded all the same
        wall += timedelta(minutes=direction)
        if unambiguous(wall):
            return wall.replace(tzinfo=PARIS).astimezone(UTC)
    raise AssertionError(f"no unambiguous Paris time near {moment}")  # pragma: no cover


# -- vectorised: a column of Paris wall-clock seconds to UTC ----------------------
@functools.lru_cache(maxsize=16)
def _transitions(y0: int, y1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paris DST transitions of years y0..y1: local keys, offsets, UTC instants."""
    hours = pd.date_range(f"{y0}-01-01", f"{y1 + 1}-01-01", freq="h", tz="UTC", unit="s")
    utc = hours.tz_localize(None).asi8
    offset = hours.tz_convert(PARIS_NAME).tz_localize(None).asi8 - utc
    idx = np.flatnonzero(np.diff(offset)) + 1
    keys = utc[idx] + offset[idx - 1]  # local time at which the old clock reaches the change
    offsets = np.concatenate([offset[:1], offset[idx]])
    floors = np.concatenate([[np.iinfo(np.int64).min], utc[idx]])
    return keys, offsets, floors


def paris_to_utc(local: np.ndarray) -> np.ndarray:
    """Convert Paris wall-clock epoch seconds to UTC epoch seconds, vectorised.

    Ambiguous times take the first occurrence; times in the spring gap move to
    the end of the gap (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> local = np.array(["2024-10-27T02:30:00", "2024-03-31T02:30:00"], "M8[s]").astype(np.int64)
    >>> paris_to_utc(local).astype("M8[s]")  # doctest: +NORMALIZE_WHITESPACE
    array(['2024-10-27T00:30:00', '2024-03-31T01:00:00'], dtype='datetime64[s]')
    """
    if local.size == 0:
        return local.astype(np.int64)
    lowest, highest = int(local.min()), int(local.max())

    def year(seconds: int) -> int:
        return 1970 + seconds // 31_556_952

    y0 = min(max(year(lowest) - 1, 1970), 2200)
    y1 = max(min(year(highest) + 1, 2200), 1970)
    keys, offsets, floors = _transitions(y0, y1)
    lo, hi = np.searchsorted(keys, [lowest, highest], side="right")
    # Period j (UTC offset offsets[j], from the instant floors[j]) starts at
    # local time keys[j - 1]; a value of period j is max(local - offsets[j], floors[j]).
    utc = np.subtract(local, offsets[lo], dtype=np.int64)
    np.maximum(utc, floors[lo], out=utc)
    for j in range(lo + 1, hi + 1):  # the transitions inside the data's range: usually 0 or 1
        # values from keys[j - 1] on hold local - offsets[j - 1] (>= floors[j]); move
        # them by the change of offset, clamped at floors[j] when the clock jumps forward
        delta = offsets[j] - offsets[j - 1]
        step = np.minimum(utc - floors[j], delta) if delta > 0 else delta
        utc -= (local >= keys[j - 1]) * step
    return np.asarray(utc, dtype=np.int64)


#: the widest span of ticks counted with one table (16M: 32 years of minutes, 194 days of seconds)
SPAN_TICKS = 1 << 24


def distinct_ticks(ticks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``ticks`` (int64: seconds or minutes since the epoch), sorted, and each
    row's position among them: ``np.unique(ticks, return_inverse=True)``, in O(rows + span) when
    the span is at most :data:`SPAN_TICKS` (``np.unique`` sorts the rows).

    Examples
    --------
    >>> values, where = distinct_ticks(np.array([30, 10, 30, 20]))
    >>> values.tolist(), where.tolist()
    ([10, 20, 30], [2, 0, 2, 1])
    """
    ticks = np.asarray(ticks, dtype=np.int64)
    if not len(ticks):
        return ticks, np.zeros(0, dtype=np.intp)
    lo, hi = int(ticks.min()), int(ticks.max())
    if hi - lo >= SPAN_TICKS:
        return np.unique(ticks, return_inverse=True)
    offset = ticks - lo
    present = np.zeros(hi - lo + 1, dtype=bool)
    present[offset] = True
    rank = np.cumsum(present, dtype=np.intp) - 1
    return np.flatnonzero(present).astype(np.int64) + lo, rank[offset]
