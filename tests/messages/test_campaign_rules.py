"""Tests of mfanalytics.messages.campaign_rules: the sender and scheduleOn rules of the
API guide (section 2.1), worked by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mfanalytics.errors import ScheduleError, SenderError
from mfanalytics.messages.campaign_rules import validate_schedule, validate_sender


# ---------------------------------------------------------------- sender
@pytest.mark.parametrize("sender", ["abc", "ABCDEFGHIJK", "Shop75", "1234a", "a1b"])
def test_valid_senders(sender):
    assert validate_sender(sender) == sender


@pytest.mark.parametrize(
    ("sender", "rule"),
    [
        ("ab", "sender-length"),
        ("", "sender-length"),
        ("ABCDEFGHIJKL", "sender-length"),
        ("12345", "sender-all-digits"),
        ("36184", "sender-all-digits"),
        ("Hello!", "sender-charset"),
        ("My Shop", "sender-charset"),
        ("Café", "sender-charset"),
        ("Emetteur_du_SMS", "sender-charset"),  # the guide's placeholder is not itself valid
        ("ab!", "sender-charset"),
        (12345, "sender-type"),
    ],
)
def test_invalid_senders(sender, rule):
    with pytest.raises(SenderError) as err:
        validate_sender(sender)
    assert err.value.rule == rule and err.value.field == "sender"
    assert isinstance(err.value, ValueError)


def test_sender_absent_and_type_select():
    assert validate_sender(None) is None
    assert validate_sender(None, type_select="NOTIFICATION") is None
    with pytest.raises(SenderError, match="38xxx"):
        validate_sender("38123", type_select="NOTIFICATION")
    with pytest.raises(SenderError) as err:
        validate_sender("Shop", type_select="MARKETING")
    assert err.value.rule == "type-select"


# ---------------------------------------------------------------- schedule
NOW = datetime(2030, 6, 24, 9, 0, 0, tzinfo=UTC)  # Paris is UTC+2 in June


@pytest.mark.parametrize(
    ("when", "result"),
    [
        ("2030-06-24T09:05:00Z", "2030-06-24T09:05:00Z"),  # exactly 5:00 ahead
        (NOW + timedelta(minutes=5), "2030-06-24T09:05:00Z"),
        (datetime(2030, 6, 24, 11, 5, 0), "2030-06-24T09:05:00Z"),  # naive = Paris
        (datetime(2030, 6, 24, 15, 0, tzinfo=ZoneInfo("Asia/Kolkata")), "2030-06-24T09:30:00Z"),
        (NOW + timedelta(minutes=5, microseconds=500_000), "2030-06-24T09:05:00Z"),
        (datetime(2031, 1, 15, 10, 0, 0), "2031-01-15T09:00:00Z"),  # winter: UTC+1
        (None, None),
    ],
)
def test_valid_schedules(when, result):
    assert validate_schedule(when, now=NOW) == result


@pytest.mark.parametrize(
    ("when", "rule"),
    [
        ("2030-06-24T09:04:59Z", "schedule-too-soon"),  # 4:59 ahead
        (NOW + timedelta(minutes=4, seconds=59, microseconds=900_000), "schedule-too-soon"),
        (datetime(2030, 6, 24, 11, 4, 59), "schedule-too-soon"),
        ("2020-01-01T00:00:00Z", "schedule-too-soon"),
        (datetime(2030, 6, 24, 14, 5, tzinfo=ZoneInfo("Asia/Kolkata")), "schedule-too-soon"),  # 08:35Z
        ("2030-06-24 09:30:58", "schedule-format"),
        ("2030-06-24T09:30:58", "schedule-format"),
        ("2030-06-24T09:30:58+00:00", "schedule-format"),
        ("2030-06-24T09:30:58.000Z", "schedule-format"),
        ("24/06/2030 09:30", "schedule-format"),
        ("2030-13-01T00:00:00Z", "schedule-format"),
        (datetime(2031, 3, 30, 2, 30), "schedule-nonexistent"),  # Paris springs forward
        (date(2030, 7, 1), "schedule-type"),
        (1700000000, "schedule-type"),
    ],
)
def test_invalid_schedules(when, rule):
    with pytest.raises(ScheduleError) as err:
        validate_schedule(when, now=NOW)
    assert err.value.rule == rule and err.value.field == "scheduleOn"


def test_schedule_default_now_is_the_clock():
    soon = datetime.now(UTC) + timedelta(hours=1)
    assert validate_schedule(soon) == soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(ScheduleError):
        validate_schedule(datetime.now(UTC) + timedelta(minutes=1))
