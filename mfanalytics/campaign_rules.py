"""The guide's rules for the sender and the scheduleOn of a campaign.

A sender is 3 to 11 characters from ``[A-Za-z0-9]``, not only digits (without
one, the platform sends from its 36xxx or 38xxx number); ``scheduleOn`` is a UTC
time written ``yyyy-MM-ddTHH:mm:ssZ``, at least 5 minutes after the request.
The client checks them before a request leaves; the sandbox, acting as the
server, applies the same functions.

Examples
--------
>>> from datetime import datetime, timezone
>>> from mfanalytics.campaign_rules import validate_schedule, validate_sender
>>> validate_sender("MaMarque")
'MaMarque'
>>> validate_schedule(datetime(2030, 1, 15, 10, 0), now=datetime(2030, 1, 15, 8, 0, tzinfo=timezone.utc))
'2030-01-15T09:00:00Z'
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from mfanalytics.errors import ScheduleError, SenderError

__all__ = ["validate_sender", "validate_schedule"]

_PARIS = "Europe/Paris"


def validate_sender(sender: str | None, *, type_select: str = "MKG") -> str | None:
    """Check a sender name against the API rule; return it, or None when absent.

    3 to 11 characters from ``[A-Za-z0-9]``, not only digits. Without a sender,
    the platform sends from a 5-digit number: 36xxx for MKG campaigns, 38xxx for
    NOTIFICATION ones.

    Raises
    ------
    SenderError
        ``rule`` is one of ``sender-type``, ``sender-charset``, ``sender-length``,
        ``sender-all-digits``, ``type-select``.

    Examples
    --------
    >>> validate_sender("Boutique75")
    'Boutique75'
    >>> validate_sender(None) is None
    True
    """
    if type_select not in ("MKG", "NOTIFICATION"):
        raise SenderError(f"typeSelect must be 'MKG' or 'NOTIFICATION', got {type_select!r}",
                          rule="type-select", field="typeSelect")
    if sender is None:
        return None
    if not isinstance(sender, str):
        raise SenderError(f"the sender must be a str, not {type(sender).__name__}",
                          rule="sender-type", field="sender")
    bad = [c for c in dict.fromkeys(sender) if not (c.isascii() and c.isalnum())]
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise SenderError(f"sender {sender!r} may only hold letters A-Z, a-z and digits 0-9; "
                          f"remove {shown}", rule="sender-charset", field="sender")
    if not 3 <= len(sender) <= 11:
        raise SenderError(f"sender {sender!r} has {len(sender)} characters; it needs 3 to 11",
                          rule="sender-length", field="sender")
    if sender.isdigit():
        default = "36xxx" if type_select == "MKG" else "38xxx"
        raise SenderError(f"sender {sender!r} cannot be only digits (leave it out to send "
                          f"from the default {default} number)", rule="sender-all-digits",
                          field="sender")
    return sender


_SCHEDULE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _to_utc(value: datetime, what: str) -> datetime:
    from zoneinfo import ZoneInfo

    if value.tzinfo is None or value.utcoffset() is None:
        local = value.replace(tzinfo=ZoneInfo(_PARIS))
        back = local.astimezone(timezone.utc).astimezone(ZoneInfo(_PARIS))
        if back.replace(tzinfo=None) != value:
            raise ScheduleError(f"{what} {value.isoformat()} does not exist in Europe/Paris "
                                "(clocks jump forward at that time)", rule="schedule-nonexistent",
                                field="scheduleOn")
        value = local
    return value.astimezone(timezone.utc)


def validate_schedule(when: datetime | str | None, *, now: datetime | None = None) -> str | None:
    """Check ``scheduleOn``; return it as ``yyyy-MM-ddTHH:mm:ssZ`` (UTC), or None.

    Parameters
    ----------
    when : datetime, str or None
        A datetime (naive means Europe/Paris local time; aware is converted) or a
        string already in the API format. None means "send now".
    now : datetime, optional
        The reference time (default: the current time). Naive means Europe/Paris.

    Raises
    ------
    ScheduleError
        ``rule`` is ``schedule-format``, ``schedule-type``, ``schedule-nonexistent``
        or ``schedule-too-soon`` (less than 5 minutes after ``now``).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> validate_schedule("2030-06-24T09:30:58Z", now=datetime(2030, 6, 24, 9, 25, 58, tzinfo=timezone.utc))
    '2030-06-24T09:30:58Z'
    >>> validate_schedule(datetime(2030, 6, 24, 11, 30), now=datetime(2030, 6, 24, 9, 0, tzinfo=timezone.utc))
    '2030-06-24T09:30:00Z'
    """
    if when is None:
        return None
    if isinstance(when, str):
        if not _SCHEDULE_RE.match(when):
            raise ScheduleError(f"scheduleOn {when!r} must look like 2021-06-24T09:30:58Z "
                                "(yyyy-MM-ddTHH:mm:ssZ, UTC)", rule="schedule-format",
                                field="scheduleOn")
        try:
            moment = datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError as exc:
            raise ScheduleError(f"scheduleOn {when!r} is not a real date and time ({exc})",
                                rule="schedule-format", field="scheduleOn") from None
    elif isinstance(when, datetime):
        moment = _to_utc(when, "scheduleOn").replace(microsecond=0)
    else:
        kind = "a date without a time" if isinstance(when, date) else type(when).__name__
        raise ScheduleError(f"scheduleOn must be a datetime or a str, not {kind}",
                            rule="schedule-type", field="scheduleOn")
    reference = datetime.now(timezone.utc) if now is None else _to_utc(now, "now")
    if moment - reference < timedelta(minutes=5):
        ahead = moment - reference
        said = f"{ahead} ahead" if ahead >= timedelta(0) else f"{-ahead} in the past"
        raise ScheduleError(f"scheduleOn {moment:%Y-%m-%dT%H:%M:%SZ} is {said}; it must be at "
                            "least 5 minutes after the request", rule="schedule-too-soon",
                            field="scheduleOn")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
