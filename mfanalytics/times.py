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

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd

from mfanalytics.errors import ValidationError

__all__ = ["PARIS_NAME", "PARIS", "API_TIME_FORMAT", "as_paris_wall", "instant", "paris_wall", "unambiguous",
           "clear_of_folds"]

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
        return value.astimezone(timezone.utc)
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
            return wall.replace(tzinfo=PARIS).astimezone(timezone.utc)
    raise AssertionError(f"no unambiguous Paris time near {moment}")  # pragma: no cover
