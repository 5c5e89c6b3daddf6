"""The SendForm's French sending rules: the findings in plain words, and the tick that overrides them.

:class:`ComplianceBox` runs :func:`~mfanalytics.messages.compliance.check_compliance`
when the form is validated. An error (no STOP mention in a marketing message,
a recipient outside Monday to Saturday 08:00-20:00 in their own time, a
Sunday, a public holiday) blocks the send until the user ticks "Send anyway";
a warning only informs.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

import ipywidgets as w

from mfanalytics.messages.compliance import Findings, check_compliance
from mfanalytics.widgets.common import BAD, GOOD, NOTE, auto_layout

__all__ = ["ComplianceBox", "LABEL_OVERRIDE"]

LABEL_OVERRIDE = "Send anyway: I have read the rules above and take responsibility for this send"


class ComplianceBox(w.VBox):
    """What the French sending rules say about the form's campaign.

    Attributes
    ----------
    findings_html : ipywidgets.HTML
        The findings, or a line saying that none applies.
    override : ipywidgets.Checkbox
        Shown only when a finding is an error; sending needs it ticked.
    findings : Findings or None
        The findings of the last check.
    """

    def __init__(self) -> None:
        self.findings: Findings | None = None
        self.findings_html = w.HTML()
        self.override = w.Checkbox(description=LABEL_OVERRIDE, value=False, indent=False, layout=auto_layout())
        self.override.layout.display = "none"
        super().__init__(children=[self.findings_html, self.override])

    @property
    def blocks(self) -> bool:
        """True when an error finding is not overridden by the tick."""
        return self.findings is not None and not self.findings.ok and not self.override.value

    def reset(self) -> None:
        """Forget the last check (the form changed, or a campaign was sent)."""
        self.findings = None
        self.findings_html.value = ""
        self.override.value = False
        self.override.layout.display = "none"

    def check(self, message: str, *, options: dict[str, Any], recipients: Any, now: datetime) -> Findings:
        """Check the campaign the form would send and show the findings."""
        findings = check_compliance(
            message,
            type_select=options.get("type_select") or "MKG",
            schedule_on=options.get("schedule_on"),
            sender=options.get("sender"),
            recipients=recipients,
            now=now,
        )
        self.findings = findings
        self.override.value = False
        self.override.layout.display = None if not findings.ok else "none"
        self.findings_html.value = findings_text(findings, marketing=(options.get("type_select") or "MKG") == "MKG")
        return findings


def findings_text(findings: Findings, *, marketing: bool = True) -> str:
    """The findings as the form shows them (HTML)."""
    if not findings:
        said = (
            "French sending rules: nothing to report (STOP mention, sending hours in each recipient's time, "
            "Sundays and public holidays, sender)."
            if marketing
            else "French sending rules: a notification, so the STOP mention and the marketing hours do not apply."
        )
        return f"<span style='{GOOD}'>{html.escape(said)}</span>"
    items = []
    for f in findings:
        style, word = (BAD, "Blocks the send") if f.severity == "error" else (NOTE, "To check")
        items.append(f"<li><b style='{style}'>{word}:</b> {html.escape(f.found)} {html.escape(f.todo)}</li>")
    head = "French sending rules" + (
        ": tick &laquo;Send anyway&raquo; below to send regardless." if not findings.ok else "."
    )
    return f"<div><b>{head}</b><ul style='margin:0.2em 0 0.2em 1.2em;padding:0'>{''.join(items)}</ul></div>"
