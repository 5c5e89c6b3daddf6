"""Tests of mfanalytics.times: Paris wall-clock times, the clock changes, Paris to UTC.

The oracle is zoneinfo and pandas (the system's time-zone database), not this module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfanalytics.errors import ValidationError
from mfanalytics.times import PARIS, as_paris_wall, clear_of_folds, instant, paris_to_utc, paris_wall, unambiguous


def test_paris_is_the_zone_of_the_database():
    assert ZoneInfo("Europe/Paris") == PARIS


def test_wall_clock_readings_of_dates_texts_and_aware_times():
    assert as_paris_wall(date(2026, 3, 1), end=False) == datetime(2026, 3, 1)
    assert as_paris_wall(date(2026, 3, 1), end=True) == datetime(2026, 3, 2)  # the day is included
    assert as_paris_wall("2026-03-01 10:15", end=False) == datetime(2026, 3, 1, 10, 15)
    assert as_paris_wall(datetime(2026, 7, 1, 8, tzinfo=UTC), end=False) == datetime(2026, 7, 1, 10)
    with pytest.raises(ValidationError) as info:
        as_paris_wall("01/03/2026", end=True)
    assert (info.value.rule, info.value.field) == ("date-format", "end")


def test_the_repeated_and_the_skipped_hour():
    assert not unambiguous(datetime(2026, 10, 25, 2, 30)) and not unambiguous(datetime(2026, 3, 29, 2, 30))
    assert unambiguous(datetime(2026, 10, 25, 3, 0))
    assert instant("2026-10-25 02:30", end=False) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert instant("2026-10-25 02:30", end=True) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    moment = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 the first time
    earlier, later = clear_of_folds(moment, -1), clear_of_folds(moment, +1)
    assert unambiguous(paris_wall(earlier)) and unambiguous(paris_wall(later)) and earlier < moment < later


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 2 * 365 * 24 * 3600), min_size=1, max_size=50))
def test_paris_to_utc_agrees_with_pandas(offsets):
    start = int(pd.Timestamp("2024-01-01").timestamp())
    local = np.array([start + o for o in offsets], np.int64)
    wall = pd.Series(local.astype("datetime64[s]"))
    expected = wall.dt.tz_localize("Europe/Paris", ambiguous=np.ones(len(local), bool), nonexistent="shift_forward")
    assert (
        paris_to_utc(local).tolist()
        == expected.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[s]").astype(np.int64).tolist()
    )


def test_a_whole_minute_of_wall_time_steps_forward_by_a_minute_of_utc_outside_the_changes():
    base = datetime(2026, 6, 1, 12)
    assert instant(base + timedelta(minutes=1), end=False) - instant(base, end=False) == timedelta(minutes=1)
