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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any, Literal

import pandas as pd

from mfanalytics.errors import ComplianceError, SenderError, ValidationError
from mfanalytics.messages.sending_window import (
    STRICT_WINDOW,
    TERRITORY_ZONES,
    SendingWindow,
    alsace_moselle_holidays,
    local_check,
    next_allowed,
    received_outside_window,
    zones_of_foreign,
)
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

_STOP = re.compile(r"\bSTOP\b", re.IGNORECASE)
_STOP_NUMBER = re.compile(r"\bSTOP\b\s*(?:(?:au|SMS|:|-)\s*)*\d{5}\b", re.IGNORECASE)


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


def _recipient_regions(recipients: Any, region: str) -> tuple[pd.Series, pd.Series]:
    """(E.164 number, ISO region or <NA>) of each valid recipient, read as the request body reads them."""
    from mfanalytics.lists.recipients import recipient_numbers

    parsed = recipient_numbers(recipients, region=region)
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
    recipients : list of str, list of dict, Series, DataFrame or CleanResult, optional
        Whose local time counts, read as the request body reads them
        (:func:`~mfanalytics.lists.recipients.recipients_frame`: a list that
        mixes numbers and dicts is refused, ``rule="recipients-type"``). When
        None, the recipients are taken to be in metropolitan France, and a
        warning says so.
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
            zones = sorted(zones_of_foreign(numbers[regions.fillna("ZZ") == territory].unique()))
            if not zones:
                unknown += int(n)
                continue
        for zone in zones:
            rule, where = local_check(moment, zone, territory if territory != "ZZ" else None, window)
            if rule is not None:
                broken[rule].append((territory, int(n), where))
                break
        else:
            if territory in ("FR", "MC"):
                local = moment.astimezone(PARIS).date()
                extra = alsace_moselle_holidays(local.year).get(local) if window.holidays else None
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
