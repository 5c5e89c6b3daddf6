"""``SendForm``: send a test campaign from a notebook, safely.

The form checks everything it can while you type (the recipients, the
message's length and encoding, the sender, the schedule). "Validate" prepares
the campaign on the platform (``startNow=false``: nothing is sent) and shows
what the platform counted. "Send" is enabled only after a successful
validation of the form as it is now, and, on a real account, once the
"real SMS will be sent" box is ticked; it injects the validated campaign id,
disables itself while the request is in flight, and shows the campaign id.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

import ipywidgets as w
import pandas as pd

import mfanalytics
from mfanalytics.connect import is_sandbox
from mfanalytics.messages.message import max_length
from mfanalytics.messages.renderers import RENDERERS
from mfanalytics.times import PARIS as PARIS  # re-exported
from mfanalytics.widgets.common import BAD as _BAD
from mfanalytics.widgets.common import FORM_CLASS, FORM_CSS, FULL_WIDTH, Poller, moment_text
from mfanalytics.widgets.common import GOOD as _GOOD
from mfanalytics.widgets.common import NOTE as _NOTE
from mfanalytics.widgets.common import WIDE as _WIDE
from mfanalytics.widgets.common import auto_layout as _auto
from mfanalytics.widgets.common import span as _span
from mfanalytics.widgets.compliance import ComplianceBox
from mfanalytics.widgets.sample_size import SampleSizePanel
from mfanalytics.widgets.send_actions import SendActions
from mfanalytics.widgets.status import CampaignWatch, status_text
from mfanalytics.widgets.status import credits_text as credits_text  # re-exported
from mfanalytics.widgets.words import COUNTED_LABELS as COUNTED_LABELS  # re-exported
from mfanalytics.widgets.words import (
    LABEL_EMOJI,
    LABEL_PLATFORM_GSM7,
    LABEL_REPLACE,
    LABEL_UCS2,
    in_send_form_words,
)
from mfanalytics.widgets.words import counted_value as counted_value  # re-exported

__all__ = ["SendForm", "status_text", "counter_text"]

_words = in_send_form_words


def counter_text(message: Any) -> str:
    """The live counter of a :class:`mfanalytics.Message`: ``"134 / 160 · GSM-7 · 1 SMS"``.

    The limit is the longest text for the message's number of SMS (160 for
    one GSM-7 SMS, 306 for two...).

    Examples
    --------
    >>> import mfanalytics
    >>> counter_text(mfanalytics.Message("Leçon"))
    '5 / 70 · UCS-2 · 1 SMS'
    """
    segments = max(1, min(int(message.segments), 6))
    return f"{message.length} / {max_length(message.encoding, segments)} · {message.encoding} · {message.segments} SMS"


def _text_box() -> w.Layout:
    return w.Layout(width=FULL_WIDTH, max_width="640px", height="90px")


def _wrap() -> w.Layout:
    """A row that wraps on a narrow screen (a phone) instead of overflowing."""
    return w.Layout(flex_flow="row wrap", max_width="100%")


class SendForm(SendActions):  # a VBox (ipywidgets has no type hints)
    """A form to send a test campaign, for JupyterLab.

    Parameters
    ----------
    client : mfanalytics.Client
        Where to send (``mfanalytics.connect()``).
    max_recipients : int
        Most recipients a test campaign may have.
    now : callable, optional
        Current time for the schedule check; default: the sandbox's clock
        when there is one, else the client's, else the system clock.
    watch : float or None
        After a send, follow the campaign's status (from its report) every
        ``watch`` seconds until every line has a final status
        (:meth:`watch_status`); None: do not.

    Attributes
    ----------
    recipients, upload, message, sender, type_select, schedule, ... : ipywidgets
        The inputs; set ``.value`` (and ``.click()`` the buttons) from code.
    draft : mfanalytics.Campaign or None
        The campaign prepared by the last successful validation.
    campaign : mfanalytics.Campaign or None
        The campaign sent last (``campaign.id``).
    output : ipywidgets.Output
        What the form says: counts, errors, the campaign id.
    """

    def __init__(
        self,
        client: Any,
        *,
        max_recipients: int = 20,
        now: Callable[[], datetime] | None = None,
        watch: float | None = 2.0,
    ) -> None:
        self.client = client
        self.watch = watch
        self.watcher: Poller | None = None
        self._watch: CampaignWatch | None = None
        #: The campaign's status as its report last told it (after a send).
        self.live_status: str | None = None
        self.max_recipients = int(max_recipients)
        self.is_sandbox = is_sandbox(client)
        self._now = now
        self.draft: Any = None
        self.campaign: Any = None
        self._validated: tuple[Any, ...] | None = None
        self._sent: tuple[Any, ...] | None = None
        self._sending = False

        where = html.escape(str(client.base_url))
        self.mode = w.HTML(
            FORM_CSS  # (a style element: the form fits a phone)
            + f"<b style='{_GOOD}'>Sandbox: no real SMS is sent</b> <span style='{_NOTE}'>({where})</span>"
            if self.is_sandbox
            else FORM_CSS
            + f"<b style='{_BAD}'>Real account: real SMS will be sent and billed</b> <span style='{_NOTE}'>({where})</span>"
        )
        self.recipients = w.Textarea(
            placeholder="One mobile number per line, e.g. 06 12 34 56 78",
            description="Recipients",
            layout=_text_box(),
        )
        self.upload = w.FileUpload(accept=".csv,.txt", multiple=False, description="CSV list")
        self.clear_upload = w.Button(description="Forget the file", disabled=True, layout=_auto())
        self.recipients_info = w.HTML()
        self.message = w.Textarea(placeholder="Bonjour ${PRENOM}, ...", description="Message", layout=_text_box())
        self.counter = w.Label()
        self.non_gsm = w.HTML()
        self.replace_button = w.Button(
            description=LABEL_REPLACE, layout=w.Layout(display="none", width="auto", max_width="100%")
        )
        self.allow_ucs2 = w.Checkbox(
            description=f"{LABEL_UCS2} (accents, emoji; 70 characters per SMS)", indent=False, layout=_auto()
        )
        self.auto_replace_gsm7 = w.Checkbox(
            description=f"{LABEL_PLATFORM_GSM7} (autoREPLACETOGSM7)", indent=False, layout=_auto()
        )
        self.auto_replace_emoji = w.Checkbox(description=f"{LABEL_EMOJI} (needs UCS-2)", indent=False, layout=_auto())
        self.sender = w.Text(
            placeholder="3 to 11 letters or digits; empty: a short number",
            description="Sender",
            layout=w.Layout(width=FULL_WIDTH, max_width="470px"),
        )
        self.sender_info = w.HTML()
        self.type_select = w.ToggleButtons(
            options=["MKG", "NOTIFICATION"], value="MKG", description="Type", layout=w.Layout(flex_flow="row wrap")
        )
        self.renderer = w.Dropdown(
            options=[(f"{r.name}  {r.syntax}", r.name) for r in RENDERERS.values()],
            value="BASIC",
            description="Fields as",
            layout=w.Layout(width=FULL_WIDTH, max_width="360px"),
        )
        self.sample_size = SampleSizePanel()  # recipients per arm of an A/B test (mfanalytics.sample_size)
        self.scheduled = w.Checkbox(description="Send later", indent=False, layout=w.Layout(width="120px"))
        # the browser's own date and time input: it shows them in the user's locale
        self.schedule = w.DatetimePicker(description="Send at", disabled=True, style=_WIDE)
        self.schedule_info = w.HTML()
        self.preview = w.HTML()
        self.validate_button = w.Button(
            description="Validate",
            button_style="info",
            icon="check",
            tooltip="Prepare the campaign on the platform: nothing is sent",
        )
        self.confirm = w.Checkbox(
            description="I understand: real SMS will be sent and billed",
            indent=False,
            layout=w.Layout(width="auto", display="none" if self.is_sandbox else None),
        )
        self.send_button = w.Button(
            description="Send", button_style="danger", icon="paper-plane", disabled=True, tooltip="Validate first"
        )
        self.cancel_button = w.Button(description="Cancel the scheduled send", disabled=True, layout=_auto())
        for widget in (self.recipients, self.message, self.sender, self.renderer, self.type_select, self.upload):
            widget.style.description_width = "initial"  # labels whole, never cut
        self.status = w.HTML()
        self.output = w.Output()
        #: The French sending rules for this campaign, checked at validation (an error needs the override tick).
        self.compliance = ComplianceBox()

        super().__init__(
            children=[
                self.mode,
                w.HBox([self.recipients, w.VBox([self.upload, self.clear_upload])], layout=_wrap()),
                self.recipients_info,
                self.message,
                w.HBox([self.counter, self.replace_button], layout=_wrap()),
                self.non_gsm,
                w.VBox([self.allow_ucs2, self.auto_replace_gsm7, self.auto_replace_emoji]),
                w.HBox([self.sender, self.sender_info], layout=_wrap()),
                self.type_select,
                self.renderer,
                w.HBox([self.scheduled, self.schedule], layout=_wrap()),
                self.sample_size,
                self.schedule_info,
                self.preview,
                self.compliance,
                w.HBox([self.validate_button, self.confirm, self.send_button, self.cancel_button], layout=_wrap()),
                self.status,
                self.output,
            ]
        )
        self.add_class(FORM_CLASS)
        for widget in self._inputs():
            widget.observe(self._changed, names="value")
        self.confirm.observe(lambda _: self._refresh_send(), names="value")
        self.compliance.override.observe(lambda _: self._refresh_send(), names="value")
        self.replace_button.on_click(lambda _: self.replace_non_gsm())
        self.clear_upload.on_click(lambda _: setattr(self.upload, "value", ()))
        self.validate_button.on_click(lambda _: self.validate())
        self.send_button.on_click(lambda _: self.send())
        self.cancel_button.on_click(lambda _: self.cancel())
        self.refresh()

    # -- state -----------------------------------------------------------
    def _inputs(self) -> list[w.ValueWidget]:
        return [
            self.recipients,
            self.upload,
            self.message,
            self.allow_ucs2,
            self.auto_replace_gsm7,
            self.auto_replace_emoji,
            self.sender,
            self.type_select,
            self.scheduled,
            self.schedule,
            self.renderer,
        ]

    def _state(self) -> tuple[Any, ...]:
        """Everything that changes what would be sent (not the confirmation tick)."""
        files = tuple((f.get("name"), bytes(f.get("content", b""))) for f in self.upload.value)
        return (
            self.recipients.value,
            files,
            self.message.value,
            self.allow_ucs2.value,
            self.auto_replace_gsm7.value,
            self.auto_replace_emoji.value,
            self.sender.value.strip(),
            self.type_select.value,
            self.scheduled.value,
            self.schedule.value if self.scheduled.value else None,
            self.renderer.value,
        )

    def now(self) -> datetime:
        """The time the schedule is checked against (the sandbox's clock on a sandbox)."""
        if self._now is not None:
            return self._now()
        now: datetime = self.client.now()
        return now

    def _changed(self, change: dict[str, Any]) -> None:
        if change["owner"] is self.scheduled:
            self.schedule.disabled = not self.scheduled.value
        self.refresh()

    # -- live checks -------------------------------------------------------
    def build_message(self) -> Any:
        """The :class:`mfanalytics.Message` of the form's text and options."""
        return mfanalytics.Message(
            self.message.value,
            allow_ucs2=self.allow_ucs2.value,
            auto_replace_gsm7=self.auto_replace_gsm7.value,
            auto_replace_emoji=self.auto_replace_emoji.value,
            renderer=self.renderer.value,
        )

    def clean(self) -> Any:
        """The recipients as a :class:`mfanalytics.CleanResult` (file if one is loaded, else the text)."""
        if self.upload.value:
            item = self.upload.value[0]
            return mfanalytics.clean_recipients(bytes(item["content"]))
        lines = [line.strip() for line in self.recipients.value.splitlines()]
        numbered = [(i + 1, line) for i, line in enumerate(lines) if line]
        frame = pd.DataFrame(
            {"mobile": pd.array([x for _, x in numbered], dtype="string")},
            index=pd.Index([i for i, _ in numbered], name="line"),
        )
        return mfanalytics.clean_recipients(frame)

    def refresh(self) -> None:
        """Update the counter, the checks and the preview; disable Send if the form changed."""
        self.clear_upload.disabled = not self.upload.value
        self.recipients.disabled = bool(self.upload.value)
        self._refresh_message()
        self._refresh_sender()
        self._refresh_schedule()
        self._refresh_recipients()
        self._refresh_send()

    def _refresh_message(self) -> None:
        try:
            message = self.build_message()
        except mfanalytics.MediasflowError as exc:
            self.counter.value, self.non_gsm.value = "", _span(_words(exc), _BAD)
            return
        self.counter.value = counter_text(message)
        if message.fields:
            self.counter.value += " · fields " + ", ".join(message.fields)
        if message.is_estimate:
            self.counter.value += " · estimate: " + message.estimate_reason
        bad = message.non_gsm_chars
        if bad and not self.allow_ucs2.value:
            fixable = [c for c in bad if mfanalytics.to_gsm7(c) != c]
            note = f"Not in GSM-7: {' '.join(bad)}. Without UCS-2 the platform refuses this message"
            note += "; replace them, or allow UCS-2." if fixable else "; allow UCS-2 (they have no GSM-7 look-alike)."
            self.non_gsm.value = _span(note, _BAD)
            self.replace_button.layout.display = None if fixable else "none"
        elif bad:
            self.non_gsm.value = _span(f"UCS-2 because of {' '.join(bad)}: 70 characters per SMS, 67 per part beyond.")
            self.replace_button.layout.display = None if any(mfanalytics.to_gsm7(c) != c for c in bad) else "none"
        else:
            self.non_gsm.value = ""
            self.replace_button.layout.display = "none"

    def replace_non_gsm(self) -> None:
        """Rewrite the message with GSM-7 look-alikes (``ç`` → ``c``, ``œ`` → ``oe``, ``’`` → ``'``)."""
        self.message.value = mfanalytics.to_gsm7(self.message.value)

    def _refresh_sender(self) -> None:
        value = self.sender.value.strip() or None
        try:
            mfanalytics.validate_sender(value, type_select=self.type_select.value)
        except mfanalytics.ValidationError as exc:
            self.sender_info.value = _span(_words(exc), _BAD)
            return
        default = "36xxx" if self.type_select.value == "MKG" else "38xxx"
        said = "✓" if value else f"no sender: sent from a {default} number"
        self.sender_info.value = _span(said, _GOOD if value else _NOTE)

    def _schedule_value(self) -> str | None:
        if not self.scheduled.value:
            return None
        if self.schedule.value is None:
            raise mfanalytics.ScheduleError(
                "Pick the date and time of the send (at least 5 minutes ahead).",
                rule="schedule-missing",
                field="scheduleOn",
            )
        return mfanalytics.validate_schedule(self.schedule.value, now=self.now())

    def _refresh_schedule(self) -> None:
        try:
            when = self._schedule_value()
        except mfanalytics.ValidationError as exc:
            self.schedule_info.value = _span(_words(exc), _BAD)
            return
        if not when:
            self.schedule_info.value = ""
            return
        moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
        self.schedule_info.value = _span(f"scheduled for {moment_text(moment)}", _GOOD)

    def _refresh_recipients(self) -> None:
        if not self.upload.value and not self.recipients.value.strip():
            self.recipients_info.value = _span(f"Up to {self.max_recipients} numbers for a test campaign.")
            self.preview.value = ""
            return
        try:
            result = self.clean()
        except mfanalytics.ValidationError as exc:
            self.recipients_info.value = _span(_words(exc), _BAD)
            self.preview.value = ""
            return
        self.recipients_info.value = self._describe(result)
        self.preview.value = self._preview(result)

    def _describe(self, result: Any) -> str:
        frame = result.frame
        source = f"file {self.upload.value[0]['name']} ({result.charset}), " if self.upload.value else ""
        lines = frame.index + 2 if self.upload.value else frame.index  # a file's line 1 is its header
        parts = [f"{source}{len(result.recipients)} recipient(s) to send"]
        issues = frame["mobile_issue"]
        for kind in ("invalid", "not_mobile", "empty", "duplicate"):
            hit = (issues == kind).fillna(False).to_numpy(dtype=bool)
            if hit.any():
                values = frame[result.column][hit][:8].astype("string").fillna("")
                shown = [f"line {n}: {v}" for n, v in zip(lines[hit][:8], values)]
                more = f" and {int(hit.sum()) - 8} more" if hit.sum() > 8 else ""
                parts.append(f"{int(hit.sum())} {kind.replace('_', ' ')} ({'; '.join(shown)}{more})")
        style = _BAD if len(result.recipients) > self.max_recipients else _NOTE
        if len(result.recipients) > self.max_recipients:
            parts.append(f"too many for a test campaign (at most {self.max_recipients})")
        return _span(" · ".join(parts), style)

    def _preview(self, result: Any) -> str:
        if not len(result.recipients) or not self.message.value.strip():
            return ""
        try:
            message = self.build_message()
            head = result.recipients.head(3)
            rendered = message.render(head, max_segments=getattr(self.client, "max_segments", 1))
        except mfanalytics.MediasflowError as exc:
            return _span(f"preview: {_words(exc)}", _BAD)
        rows = "".join(
            f"<tr><td>{html.escape(str(m))}</td><td>{html.escape(str(t))}</td>"
            f"<td style='{_BAD}'>{'' if pd.isna(e) else html.escape(str(e))}</td></tr>"
            for m, t, e in zip(head["mobile_e164"], rendered["text"], rendered["error"])
        )
        return (
            "<details open><summary>Preview of the first recipients</summary>"
            f"<div style='overflow-x:auto;max-width:100%'><table>{rows}</table></div></details>"
        )

    # -- actions -----------------------------------------------------------
    def _refresh_send(self) -> None:
        ready = self.draft is not None and self._validated == self._state()
        if self.draft is not None and not ready:
            self.status.value = _span("The form changed since it was validated: validate again.", _BAD)
        confirmed = self.is_sandbox or self.confirm.value
        allowed = not self.compliance.blocks
        self.send_button.disabled = self._sending or not (ready and confirmed and allowed)
        self.send_button.tooltip = (
            "Validate first"
            if not ready
            else "Tick 'real SMS will be sent' first"
            if not confirmed
            else "Tick 'Send anyway' below the French sending rules first"
            if not allowed
            else "Send the validated campaign"
        )
