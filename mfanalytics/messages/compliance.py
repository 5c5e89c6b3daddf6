"""French sending rules, checked before a campaign is sent.

:func:`check_compliance` returns the findings of four rules for one send:

``stop-mention``
    A marketing (MKG) message must tell the recipient how to opt out, free of
    charge. *Source:* CPCE article L34-5 (prior consent and a simple, free way
    to object "à chaque message"), CNIL, "La prospection commerciale par SMS"
    (the opt-out "STOP" mention with the short number); the Mediasflow guide's
    own MKG examples end with ``STOP 36184``.
``sending-hours``
    A marketing send must reach every recipient inside the sending window, in
    the recipient's own local time. *Source:* the aggregators' terms for
    marketing SMS in France (the strictest published window: Monday to
    Saturday, 08:00 to 20:00, public holidays excluded; see the Fédération
    Française des Télécoms' code of practice for SMS+ and the AF2M
    recommendations). The window is configurable (:class:`SendingWindow`).
``sending-day``
    A marketing send on a Sunday or on a public holiday of the recipient's
    territory. *Source:* the same aggregator terms; public holidays as listed
    by the Code du travail, articles L3133-1 (national) and L3422-2 (Alsace-
    Moselle), with the overseas abolition days of law 83-550, as the
    ``holidays`` package provides them per territory.
``sender-*``
    The sender name breaks the guide's rule (3 to 11 of ``[A-Za-z0-9]``, not
    only digits), as :func:`~mfanalytics.messages.campaign_rules.validate_sender`
    states it.

"Local time" is the recipient's: metropolitan France and Monaco on
Europe/Paris, Réunion UTC+4, Mayotte UTC+3, Guadeloupe, Martinique,
Saint-Barthélemy and Saint-Martin UTC−4, Guyane UTC−3, Saint-Pierre-et-Miquelon,
New Caledonia, French Polynesia and Wallis-et-Futuna on their own zones, each
with its own public holidays. Numbers of other countries are checked on the
zones phonenumbers gives for them and on that country's holidays.

Examples
--------
>>> from datetime import datetime
>>> from mfanalytics.messages.compliance import check_compliance
>>> from mfanalytics.times import PARIS
>>> sunday = datetime(2026, 12, 6, 10, tzinfo=PARIS)
>>> findings = check_compliance("Soldes -20% ce week-end", schedule_on=sunday, recipients=["0612345678"])
>>> [f.rule for f in findings]
['stop-mention', 'sending-day']
>>> tuesday = datetime(2026, 12, 8, 10, tzinfo=PARIS)
>>> list(check_compliance("Soldes -20% ! STOP 36184", schedule_on=tuesday, recipients=["0612345678"]))
[]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from html import escape
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pandas as pd

from mfanalytics.errors import ComplianceError, SenderError, ValidationError
from mfanalytics.times import PARIS

__all__ = [
    "Finding",
    "Findings",
    "SendingWindow",
    "STRICT_WINDOW",
    "check_compliance",
    "compliance_error",
    "next_allowed",
    "received_outside_window",
    "TERRITORY_ZONES",
]

Severity = Literal["error", "warning"]

#: The time zone of each French territory (ISO region of the number).
TERRITORY_ZONES: dict[str, str] = {
    "FR": "Europe/Paris",
    "MC": "Europe/Monaco",
    "RE": "Indian/Reunion",
    "YT": "Indian/Mayotte",
    "GP": "America/Guadeloupe",
    "MQ": "America/Martinique",
    "BL": "America/St_Barthelemy",
    "MF": "America/Marigot",
    "GF": "America/Cayenne",
    "PM": "America/Miquelon",
    "NC": "Pacific/Noumea",
    "PF": "Pacific/Tahiti",
    "WF": "Pacific/Wallis",
}
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# "STOP", then (optionally "au"/"SMS"/":") the short number to answer to.
_STOP = re.compile(r"\bSTOP\b", re.IGNORECASE)
_STOP_NUMBER = re.compile(r"\bSTOP\b\s*(?:(?:au|SMS|:|-)\s*)*\d{5}\b", re.IGNORECASE)


@dataclass(frozen=True)
class SendingWindow:
    """When marketing SMS may reach a recipient, in their local time.

    Parameters
    ----------
    days : tuple of int
        Allowed weekdays, Monday = 0. Default Monday to Saturday.
    start, end : datetime.time
        Allowed from ``start`` (included) to ``end`` (excluded).
    holidays : bool
        Whether public holidays are excluded.

    Examples
    --------
    >>> from datetime import time
    >>> SendingWindow(days=(0, 1, 2, 3, 4), start=time(9), end=time(19)).describe()
    'Monday to Friday, 09:00-19:00, no public holidays'
    """

    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
    start: time = time(8)
    end: time = time(20)
    holidays: bool = True

    def __post_init__(self) -> None:
        if not self.days or any(d not in range(7) for d in self.days):
            raise ValidationError(
                f"window days must be weekdays 0 (Monday) to 6 (Sunday), got {self.days!r}",
                rule="window",
                field="days",
            )
        if not self.start < self.end:
            raise ValidationError(
                f"the window must start before it ends ({self.start:%H:%M} to {self.end:%H:%M})",
                rule="window",
                field="start",
            )

    def describe(self) -> str:
        """The window in words."""
        days = sorted(set(self.days))
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            when = f"{_DAYS_EN[days[0]]} to {_DAYS_EN[days[-1]]}"
        else:
            when = ", ".join(_DAYS_EN[d] for d in days)
        text = f"{when}, {self.start:%H:%M}-{self.end:%H:%M}"
        return text + (", no public holidays" if self.holidays else "")


#: Monday to Saturday, 08:00-20:00, no public holidays: the strictest window the aggregators publish.
STRICT_WINDOW = SendingWindow()


@dataclass(frozen=True)
class Finding:
    """One broken (or doubtful) rule: what was found and what to do.

    Attributes
    ----------
    rule : str
        ``stop-mention``, ``stop-number``, ``sending-hours``, ``sending-day``,
        ``local-holiday``, ``recipients-unknown``, or a ``sender-*`` rule.
    severity : {"error", "warning"}
        An error blocks the send unless the caller says ``compliance="warn"``.
    found, todo : str
        Plain words for people.
    recipients : int or None
        How many recipients the finding concerns, when it is about them.
    regions : tuple of str
        The territories concerned (ISO regions of the numbers).
    """

    rule: str
    severity: Severity
    found: str
    todo: str
    recipients: int | None = None
    regions: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.severity}: {self.found} {self.todo} [{self.rule}]"


class Findings(list[Finding]):
    """The findings of :func:`check_compliance`, errors first; empty when clean."""

    @property
    def errors(self) -> list[Finding]:
        """The findings that block a send."""
        return [f for f in self if f.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not self.errors

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self) if self else "no finding: the send follows the rules checked"

    def _repr_html_(self) -> str:
        if not self:
            return "<p>No finding: the send follows the rules checked.</p>"
        rows = "".join(
            f"<tr><td>{escape(f.severity)}</td><td><code>{escape(f.rule)}</code></td>"
            f"<td>{escape(f.found)}</td><td>{escape(f.todo)}</td></tr>"
            for f in self
        )
        head = "<tr><th>severity</th><th>rule</th><th>found</th><th>what to do</th></tr>"
        return f"<table>{head}{rows}</table>"


# -- territories, zones, holidays ---------------------------------------------
@cache
def _holidays(region: str, year: int) -> Mapping[date, str] | None:
    import holidays

    try:
        return holidays.country_holidays(region, years=year)
    except NotImplementedError:
        return None


@cache
def _alsace_moselle(year: int) -> dict[date, str]:
    import holidays

    national = holidays.country_holidays("FR", years=year)
    local = holidays.country_holidays("FR", subdiv="57", years=year)
    return {d: name for d, name in local.items() if d not in national}


def _zones_of_foreign(numbers: Iterable[str]) -> set[str]:
    import phonenumbers
    from phonenumbers import timezone as pn_timezone

    zones: set[str] = set()
    for number in numbers:
        try:
            parsed = phonenumbers.parse(number)
        except phonenumbers.NumberParseException:
            continue
        zones.update(z for z in pn_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")
    return zones


def _recipient_regions(recipients: Any, region: str) -> tuple[pd.Series, pd.Series]:
    """(E.164 number, ISO region or <NA>) of each valid recipient."""
    from mfanalytics.lists.phones import normalize_mobiles

    if hasattr(recipients, "recipients") and hasattr(recipients, "column"):  # a clean_recipients result
        frame = recipients.recipients
        return frame["mobile_e164"].astype("string"), frame["mobile_country"].astype("string")
    if isinstance(recipients, pd.DataFrame):
        from mfanalytics.lists.reading import find_mobile_column

        values = recipients[find_mobile_column(recipients.columns)]
    elif isinstance(recipients, pd.Series):
        values = recipients
    elif isinstance(recipients, (str, bytes)) or not isinstance(recipients, Iterable):
        raise ValidationError(
            "recipients must be a list of numbers, a list of dicts, a DataFrame or a clean_recipients result.",
            rule="recipients-type",
            field="recipients",
        )
    else:
        items = list(recipients)
        values = pd.Series(
            [str(x.get("mobile", "")) if isinstance(x, Mapping) else str(x) for x in items], dtype="string"
        )
    parsed = normalize_mobiles(values, region=region)
    valid = parsed["mobile_valid"].fillna(False).astype(bool)
    return parsed.loc[valid, "mobile_e164"].astype("string"), parsed.loc[valid, "mobile_country"].astype("string")


def _as_instant(when: datetime | str | None, now: datetime | None) -> datetime:
    if when is None:
        return (now or datetime.now(UTC)).astimezone(UTC)
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                f"schedule_on {when!r} is not an ISO date and time", rule="schedule-format", field="schedule_on"
            ) from None
    if when.tzinfo is None:  # a wall-clock time: Paris, as the client reads schedule_on
        when = when.replace(tzinfo=PARIS)
    return when.astimezone(UTC)


def _local_check(moment: datetime, zone: str, region: str | None, window: SendingWindow) -> tuple[str | None, str]:
    """(rule broken or None, local description) for one zone."""
    local = moment.astimezone(ZoneInfo(zone))
    text = f"{_DAYS_EN[local.weekday()]} {local:%d %b %Y %H:%M} ({zone})"
    holiday = None
    if window.holidays and region is not None:
        table = _holidays(region, local.year)
        holiday = table.get(local.date()) if table is not None else None
    if holiday is not None:
        return "sending-day", f"{text}, {holiday}"
    if local.weekday() not in window.days:
        return "sending-day", text
    if not window.start <= local.time().replace(tzinfo=None) < window.end:
        return "sending-hours", text
    return None, text


def check_compliance(
    message: Any,
    *,
    type_select: str = "MKG",
    schedule_on: datetime | str | None = None,
    sender: str | None = None,
    recipients: Any = None,
    window: SendingWindow = STRICT_WINDOW,
    now: datetime | None = None,
    region: str = "FR",
) -> Findings:
    """Check a send against the French rules for SMS before it leaves.

    Parameters
    ----------
    message : str or Message
        The text as written (with its ``${FIELD}`` personalisation).
    type_select : {"MKG", "NOTIFICATION"}
        Marketing, the API's default, or a notification (alerts, password
        reminders, appointment confirmations): the STOP and window rules
        apply to marketing only.
    schedule_on : datetime or str, optional
        When the campaign starts; a naive datetime is Paris wall time, as for
        ``send_campaign``. None means now (``now``, or the machine's clock).
    sender : str, optional
        The sender name, checked against the guide's rule.
    recipients : list of str, list of dict, DataFrame or CleanResult, optional
        Whose local time counts. When None, the recipients are taken to be in
        metropolitan France, and a warning says so.
    window : SendingWindow
        The allowed window; :data:`STRICT_WINDOW` by default.
    now : datetime, optional
        The current time (the client passes its own clock).
    region : str
        Region for numbers written without a country code.

    Returns
    -------
    Findings
        A list of :class:`Finding`, errors first; ``.ok`` is True when none is
        an error.

    Examples
    --------
    >>> from datetime import datetime
    >>> from mfanalytics.times import PARIS
    >>> tuesday = datetime(2026, 12, 8, 10, tzinfo=PARIS)
    >>> f = check_compliance("Promo STOP 36184", schedule_on=tuesday, recipients=["0612345678", "0692123456"])
    >>> f.ok, [x.rule for x in f]
    (True, [])
    >>> f = check_compliance("Promo STOP 36184", schedule_on=datetime(2026, 12, 8, 19, 30, tzinfo=PARIS),
    ...                      recipients=["0612345678", "0692123456"])
    >>> print(f)  # 19:30 in Paris is 22:30 in Réunion
    error: 1 recipient(s) would receive it outside the sending window (Monday to Saturday, 08:00-20:00, no public holidays): RE at Tuesday 08 Dec 2026 22:30 (Indian/Reunion). Schedule it inside the window in every recipient's time, or send those recipients separately. [sending-hours]
    """
    from mfanalytics.messages import campaign_rules

    text = getattr(message, "text", message)
    if not isinstance(text, str):
        raise ValidationError(
            f"message must be a str or a Message, not {type(message).__name__}", rule="message-type", field="message"
        )
    type_select = str(type_select or "MKG").upper()
    out: list[Finding] = []
    try:
        campaign_rules.validate_sender(sender, type_select=type_select)
    except SenderError as exc:
        out.append(Finding(exc.rule, "error", str(exc.args[0]) + ".", "Change the sender, or leave it out.", None, ()))
    if type_select != "MKG":
        return _sorted(out)
    if not _STOP.search(text):
        out.append(
            Finding(
                "stop-mention",
                "error",
                "This marketing message has no STOP mention.",
                'End it with the opt-out mention, for example "STOP 36184".',
            )
        )
    elif not _STOP_NUMBER.search(text):
        out.append(
            Finding(
                "stop-number",
                "warning",
                "The STOP mention gives no short number to answer to.",
                'Write it with the number, for example "STOP 36184".',
            )
        )
    moment = _as_instant(schedule_on, now)
    out.extend(_window_findings(moment, recipients, window, region))
    return _sorted(out)


def _window_findings(moment: datetime, recipients: Any, window: SendingWindow, region: str) -> list[Finding]:
    out: list[Finding] = []
    if recipients is None:
        numbers = pd.Series([], dtype="string")
        regions = pd.Series(["FR"], dtype="string")
        out.append(
            Finding(
                "recipients-unknown",
                "warning",
                "The recipients are not known here (a list id, or none given): "
                "the window was checked in metropolitan France only.",
                "Pass the recipients to check each territory's local time.",
            )
        )
    else:
        numbers, regions = _recipient_regions(recipients, region)
    counts = regions.fillna("ZZ").value_counts(sort=False)
    broken: dict[str, list[tuple[str, int, str]]] = {"sending-hours": [], "sending-day": []}
    unknown = 0
    for territory, n in counts.items():
        territory = str(territory)
        if territory in TERRITORY_ZONES:
            zones = [TERRITORY_ZONES[territory]]
        else:
            zones = sorted(_zones_of_foreign(numbers[regions.fillna("ZZ") == territory].unique()))
            if not zones:
                unknown += int(n)
                continue
        for zone in zones:
            rule, where = _local_check(moment, zone, territory if territory != "ZZ" else None, window)
            if rule is not None:
                broken[rule].append((territory, int(n), where))
                break
        else:
            if territory in ("FR", "MC"):
                local = moment.astimezone(PARIS).date()
                extra = _alsace_moselle(local.year).get(local) if window.holidays else None
                if extra is not None:
                    out.append(
                        Finding(
                            "local-holiday",
                            "warning",
                            f"{local:%d %b %Y} is a public holiday in Alsace-Moselle ({extra}).",
                            "Numbers don't tell the department: avoid this day if you send to Moselle, "
                            "Bas-Rhin or Haut-Rhin.",
                            int(n),
                            (territory,),
                        )
                    )
    for rule, hits in broken.items():
        if not hits:
            continue
        total = sum(n for _, n, _ in hits)
        places = "; ".join(f"{t} at {where}" for t, _, where in hits)
        if rule == "sending-hours":
            found = f"{total} recipient(s) would receive it outside the sending window ({window.describe()}): {places}."
            todo = "Schedule it inside the window in every recipient's time, or send those recipients separately."
        else:
            found = f"{total} recipient(s) would receive it on a Sunday or a public holiday: {places}."
            todo = f"Schedule it on an allowed day ({window.describe()})."
        out.append(Finding(rule, "error", found, todo, total, tuple(t for t, _, _ in hits)))
    if unknown:
        out.append(
            Finding(
                "recipients-unknown",
                "warning",
                f"{unknown} recipient(s) have numbers whose time zone is unknown: their local time was not checked.",
                "Check their numbers, or their country's rules, by hand.",
                unknown,
            )
        )
    return out


def _sorted(findings: list[Finding]) -> Findings:
    return Findings(sorted(findings, key=lambda f: f.severity != "error"))


def compliance_error(findings: Findings) -> ComplianceError:
    """The error that stops a send with these findings (their errors in plain words)."""
    errors = findings.errors
    lines = " ".join(f"{f.found} {f.todo}" for f in errors)
    return ComplianceError(
        f"Nothing was sent. {lines} To send anyway, pass compliance='warn'.",
        findings=findings,
        rule=errors[0].rule if errors else "compliance",
        field="compliance",
    )


def received_outside_window(
    report: pd.DataFrame,
    *,
    campaign_types: Mapping[int, str] | None = None,
    window: SendingWindow = STRICT_WINDOW,
    regions: pd.Series | None = None,
) -> pd.DataFrame:
    """Recipients of marketing campaigns who received them outside the window.

    "Received" is the delivery time of the report (``delivered_at``), in the
    recipient's local time (see the module docstring).

    Parameters
    ----------
    report : DataFrame
        A report frame.
    campaign_types : mapping of campaign id to "MKG" or "NOTIFICATION", optional
        Campaigns missing from it are marketing, the API's default type.
    window : SendingWindow
        The allowed window.
    regions : Series, optional
        The ISO region of each row's number, when already known (aligned on
        the report's index); computed with
        :func:`~mfanalytics.lists.phones.normalize_mobiles` otherwise.

    Returns
    -------
    DataFrame
        Per marketing campaign (index ``campaign_id``): ``delivered``,
        ``outside_window`` (recipients, any reason), ``outside_hours`` and
        ``on_closed_day`` (Sundays, other days outside ``window.days`` and
        public holidays).

    Examples
    --------
    >>> import mfanalytics
    >>> import warnings
    >>> with mfanalytics.sandbox(seed=0, start="2026-12-05T20:30:00Z") as sb, warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the send is at 21:30 in Paris: compliance="warn" sends with a warning
    ...     c = sb.client()
    ...     cid = c.send_campaign("Promo STOP 36184", recipients=["0612345601", "0612345602"], compliance="warn").id
    ...     sb.advance(3600)
    ...     received_outside_window(c.get_report(cid))["outside_window"].tolist()
    [2]
    """
    columns = ["delivered", "outside_window", "outside_hours", "on_closed_day"]
    types = {int(k): str(v).upper() for k, v in (campaign_types or {}).items()}
    if report.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="campaign_id"), dtype="int64")
    campaign = report["campaign_id"].astype("Int64")
    marketing = ~campaign.map(lambda c: types.get(int(c), "MKG") != "MKG" if pd.notna(c) else False).astype(bool)
    rows = report[marketing & report["delivered_at"].notna()]
    if rows.empty:
        empty = pd.Index(sorted(campaign[marketing].dropna().unique()), name="campaign_id")
        return pd.DataFrame(0, columns=columns, index=empty, dtype="int64")
    if regions is None:
        from mfanalytics.lists.phones import normalize_mobiles

        regions = normalize_mobiles(rows["mobile"])["mobile_country"]
    territory = regions.reindex(rows.index).astype("string").fillna("ZZ").to_numpy(dtype=object)
    at = rows["delivered_at"].dt.tz_convert(UTC)
    hours = pd.Series(False, index=rows.index)
    closed = pd.Series(False, index=rows.index)
    for place in pd.unique(territory):
        zone = TERRITORY_ZONES.get(str(place), "Europe/Paris" if place == "ZZ" else None)
        mask = territory == place
        if zone is None:
            zones = sorted(_zones_of_foreign(rows.loc[mask, "mobile"].dropna().unique()))
            zone = zones[0] if zones else "Europe/Paris"
        local = at[mask].dt.tz_convert(zone)
        day_closed = ~local.dt.day_of_week.isin(window.days)
        if window.holidays and place != "ZZ":
            stamp = local.dt.year * 10_000 + local.dt.month * 100 + local.dt.day
            closed_days = [
                d.year * 10_000 + d.month * 100 + d.day
                for y in local.dt.year.unique()
                for d in (_holidays(str(place), int(y)) or {})
            ]
            day_closed |= stamp.isin(closed_days)
        clock = local.dt.hour * 60 + local.dt.minute
        start = window.start.hour * 60 + window.start.minute
        end = window.end.hour * 60 + window.end.minute
        closed[mask] = day_closed.to_numpy()
        hours[mask] = (~day_closed & ((clock < start) | (clock >= end))).to_numpy()
    key = rows["campaign_id"].astype("Int64")
    out = pd.DataFrame(
        {
            "delivered": key.groupby(key).size(),
            "outside_hours": hours.groupby(key).sum(),
            "on_closed_day": closed.groupby(key).sum(),
        }
    )
    out["outside_window"] = out["outside_hours"] + out["on_closed_day"]
    out.index.name = "campaign_id"
    return out[columns].astype("int64")


def next_allowed(moment: datetime, *, zone: str = "Europe/Paris", window: SendingWindow = STRICT_WINDOW) -> datetime:
    """The first instant at or after ``moment`` inside ``window`` in ``zone``.

    Examples
    --------
    >>> from mfanalytics.times import PARIS
    >>> next_allowed(datetime(2026, 12, 6, 10, tzinfo=PARIS)).astimezone(PARIS).isoformat()
    '2026-12-07T08:00:00+01:00'
    """
    tz = ZoneInfo(zone)
    region = next((r for r, z in TERRITORY_ZONES.items() if z == zone), None)
    local = moment.astimezone(tz)
    for _ in range(370 * 2):
        rule, _where = _local_check(local, zone, region, window)
        if rule is None:
            return local
        if rule == "sending-hours" and local.time().replace(tzinfo=None) < window.start:
            local = local.replace(hour=window.start.hour, minute=window.start.minute, second=0, microsecond=0)
        else:
            nxt = (local + timedelta(days=1)).date()
            local = datetime.combine(nxt, window.start, tzinfo=tz)
    raise ValidationError("no allowed time within two years", rule="window", field="window")
