"""The campaign status after a send, in words, and what its report says of it.

The guide has no route that answers a campaign's status; the inject answer
gives it once (``INPROGRESS``, ``INJECTING``, ``INJECTED``, ``SCHEDULED``).
After that, the campaign's report tells where it is: no report yet (HTTP 409)
while it is being processed or waits for its time; lines still "Processing"
(code 1) while it is being injected; then every line on its way, until each
has a final status. :class:`~mfanalytics.widgets.SendForm` polls it with a
:class:`~mfanalytics.widgets.common.Poller`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["STATUSES", "status_text", "live_status", "progress_text", "credits_text"]

#: What each campaign status of the guide's 2.1.3.1 means, for the form.
STATUSES = {
    "DRAFT": "a draft: nothing is sent until it is injected",
    "INPROGRESS": "being processed by the platform; it is injected as soon as processing ends",
    "INJECTING": "being injected: its recipients are being handed to the operators",
    "INJECTED": "injected: its SMS are on their way",
    "SCHEDULED": "scheduled: it is injected at its time",
}
#: The report's status groups as the form says them, in the order it says them.
_GROUP_WORDS = (
    ("delivered", "delivered"),
    ("pending", "processing"),
    ("in_flight", "on their way"),
    ("undelivered", "not delivered"),
    ("invalid_number", "invalid number"),
    ("rejected", "rejected"),
    ("blocked", "blocked"),
    ("not_sent", "not sent"),
    ("unknown", "unknown status"),
)
#: Status code 1, "En cours de traitement": a line the platform has not handed on yet.
PROCESSING_CODE = 1


def status_text(status: object) -> str:
    """A campaign status with what it means (guide, 2.1.3.1).

    Examples
    --------
    >>> status_text("INJECTING")
    'INJECTING (being injected: its recipients are being handed to the operators)'
    """
    key = str(status).upper()
    return f"{key} ({STATUSES[key]})" if key in STATUSES else str(status)


def live_status(report: pd.DataFrame) -> tuple[str, dict[str, int], bool]:
    """``(status, rows per status group, every line final)`` of a campaign that has a report.

    ``INJECTING`` while a line is still "Processing" (code 1), else ``INJECTED``.

    Examples
    --------
    >>> from mfanalytics import parse_report
    >>> live_status(parse_report("INT_MOBILE;STATUS_CODE\\n+33600000001;1\\n+33600000002;16\\n"))
    ('INJECTING', {'pending': 1, 'delivered': 1}, False)
    """
    codes = report["status_code"]
    processing = bool((codes == PROCESSING_CODE).fillna(False).any())
    groups = report["status_group"].astype("string").fillna("unknown").value_counts()
    counts = {str(g): int(n) for g, n in groups.items() if n}
    done = bool(len(report)) and bool(report["is_final"].fillna(False).all())
    return ("INJECTING" if processing else "INJECTED"), counts, done


def progress_text(counts: dict[str, int]) -> str:
    """``"3 lines: 2 delivered, 1 on their way"``.

    Examples
    --------
    >>> progress_text({"in_flight": 1, "delivered": 2})
    '3 lines: 2 delivered, 1 on their way'
    """
    total = sum(counts.values())
    parts = [f"{counts[g]:,} {words}" for g, words in _GROUP_WORDS if counts.get(g)]
    return f"{total:,} line{'s' if total != 1 else ''}: " + ", ".join(parts)


def credits_text(value: Any) -> str:
    """Credits as a number: ``2`` -> ``"2 credits"``, ``1.0`` -> ``"1 credit"``, ``1.5`` -> ``"1.5 credits"``.

    Examples
    --------
    >>> credits_text(2.0), credits_text(1), credits_text(1.5), credits_text(None)
    ('2 credits', '1 credit', '1.5 credits', 'credits not counted')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "credits not counted"
    number = float(value)
    shown = f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}".rstrip("0")
    return f"{shown} credit{'' if number == 1 else 's'}"


class CampaignWatch:
    """Where a campaign is after its send, from its report, shown in an ``HTML`` widget.

    Parameters
    ----------
    client : mfanalytics.Client
    campaign : mfanalytics.Campaign
        The campaign as the send answered it (its ``status``).
    widget : ipywidgets.HTML
        Where the status is shown.
    now : callable
        The platform's time (a sandbox's clock).
    sandbox : bool
        Say "sandbox clock" next to the time.
    """

    def __init__(self, client: Any, campaign: Any, widget: Any, *, now: Any, sandbox: bool = False) -> None:
        self.client, self.campaign, self.widget, self.now, self.sandbox = client, campaign, widget, now, sandbox
        self.status = str(campaign.status).upper()

    def poll(self) -> bool:
        """Read the report and show where the campaign is; False when there is nothing more to follow.

        Before the platform has a report (HTTP 409: the campaign is still
        being processed, or waits for its scheduled time) the status stays
        the one the send answered.
        """
        from mfanalytics.errors import MediasflowError
        from mfanalytics.times import PARIS
        from mfanalytics.widgets.common import GOOD, span

        if self.status == "DRAFT":
            return False
        at = f"{self.now().astimezone(PARIS):%H:%M:%S} Paris time" + (", sandbox clock" if self.sandbox else "")
        try:
            report = self.client.get_report(self.campaign.id)
        except MediasflowError as exc:
            if exc.status != 409:
                raise
            self.widget.value = span(
                f"Campaign {self.campaign.id}: {status_text(self.status)}; no report yet ({at}).", GOOD
            )
            return True
        status, counts, done = live_status(report)
        if self.status == "INJECTED":
            status = "INJECTED"  # never a step back
        self.status = status
        said = f"Campaign {self.campaign.id}: {status_text(status)}; {progress_text(counts)} ({at})."
        self.widget.value = span(said + (" Every line has its final status." if done else ""), GOOD)
        return not done
