"""What the send form does with a campaign: validate, send, cancel, then follow its status.

:class:`SendActions` is the base of :class:`~mfanalytics.widgets.send.SendForm`,
which holds the inputs and the checks while typing; the methods here read the
form's state and its inputs and say what happened in its ``output`` and
``status``.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

import mfanalytics
from mfanalytics.times import PARIS
from mfanalytics.widgets.common import BAD as _BAD
from mfanalytics.widgets.common import GOOD as _GOOD
from mfanalytics.widgets.common import Poller
from mfanalytics.widgets.common import error as _error
from mfanalytics.widgets.common import out as _out
from mfanalytics.widgets.common import span as _span
from mfanalytics.widgets.status import CampaignWatch, credits_text, status_text
from mfanalytics.widgets.words import COUNTED_LABELS, counted_value, in_send_form_words

__all__ = ["SendActions"]

_words = in_send_form_words


class SendActions(w.VBox):  # (ipywidgets has no type hints)
    """The actions of :class:`~mfanalytics.widgets.send.SendForm` (its base): validate, send, cancel, watch."""

    # set by SendForm.__init__
    draft: Any
    campaign: Any
    _validated: tuple[Any, ...] | None
    _sent: tuple[Any, ...] | None
    watcher: Poller | None
    _watch: CampaignWatch | None
    live_status: str | None

    def _campaign_options(self) -> dict[str, Any]:
        return {
            "sender": self.sender.value.strip() or None,
            "type_select": self.type_select.value,
            "schedule_on": self._schedule_value(),
            "allow_ucs2": self.allow_ucs2.value or None,
            "auto_replace_gsm7": self.auto_replace_gsm7.value or None,
            "auto_replace_emoji": self.auto_replace_emoji.value or None,
            "renderer": None if self.renderer.value == "BASIC" else self.renderer.value,
            "campaign_name": f"Test {self.now().astimezone(PARIS):%Y-%m-%d %H:%M}",  # Paris time, as the reports
        }

    def validate(self) -> Any:
        """Prepare the campaign (nothing is sent) and show what the platform counted.

        Returns the DRAFT campaign, or None (the reason is in ``output``).
        """
        self.stop_watching()
        self.draft, self._validated = None, None
        self.output.outputs = ()
        self.status.value = ""
        self.compliance.reset()
        state = self._state()
        try:
            result = self.clean()
            if not len(result.recipients):
                raise mfanalytics.RecipientListError(
                    "No valid mobile number to send to.", rule="no-recipients", field="recipients"
                )
            if len(result.recipients) > self.max_recipients:
                raise mfanalytics.RecipientListError(
                    f"A test campaign goes to at most {self.max_recipients} recipients; this one has "
                    f"{len(result.recipients)}. Use client.send_campaign for a real campaign.",
                    rule="too-many-recipients",
                    field="recipients",
                )
            self.build_message().check(max_segments=getattr(self.client, "max_segments", 1))
            options = self._campaign_options()
            self.compliance.check(self.message.value, options=options, recipients=result, now=self.now())
            draft = self.client.prepare_campaign(self.message.value, recipients=result, **options)
        except Exception as exc:  # any error is shown in the form, in its words
            _error(self.output, exc, _words(exc))
            self._refresh_send()
            return None
        counted = [(COUNTED_LABELS.get(k, k), counted_value(k, v)) for k, v in draft.summary().items()]
        rows = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in counted
        )
        text = "Platform counted: " + "; ".join(f"{k}: {v}" for k, v in counted)
        _out(
            self.output,
            text,
            f"<b>What the platform counted at validation (nothing was sent by it)</b><table>{rows}</table>",
        )
        if int(draft.get("countValid", 0) or 0) == 0:
            _out(
                self.output,
                "No valid recipient: nothing can be sent.",
                f"<div style='{_BAD}'>No valid recipient: nothing can be sent.</div>",
            )
            self._refresh_send()
            return None
        self.draft, self._validated = draft, state
        self.status.value = _span(
            f"Validated: campaign {draft.id} is {status_text(draft.status or 'DRAFT')}, "
            f"{credits_text(draft.get('creditCount'))}. "
            + (
                "It breaks a French sending rule: see above."
                if self.compliance.blocks
                else "Send it when ready."
                if self.is_sandbox
                else "Tick the box, then send."
            ),
            _BAD if self.compliance.blocks else _GOOD,
        )
        self._refresh_send()
        return draft

    def _busy(self, busy: bool) -> None:
        self._sending = busy
        for widget in (
            *self._inputs(),
            self.validate_button,
            self.confirm,
            self.compliance.override,
            self.replace_button,
            self.clear_upload,
        ):
            widget.disabled = busy
        if not busy:
            self.schedule.disabled = not self.scheduled.value
            self.recipients.disabled = bool(self.upload.value)
            self.clear_upload.disabled = not self.upload.value
        self._refresh_send()

    def send(self) -> Any:
        """Inject the validated campaign; returns it, or None (the reason is in ``output``)."""
        if self._sending:
            return None
        if self.draft is None and self.campaign is not None and self._sent == self._state():
            return None  # a second click on the campaign just sent: nothing to do, nothing to say
        if self.draft is None or self._validated != self._state():
            _out(
                self.output,
                "Validate the form before sending.",
                f"<div style='{_BAD}'>Validate the form before sending.</div>",
            )
            return None
        if not (self.is_sandbox or self.confirm.value):
            _out(
                self.output,
                "Tick 'real SMS will be sent' to send.",
                f"<div style='{_BAD}'>Tick &laquo;real SMS will be sent&raquo; to send.</div>",
            )
            return None
        if self.compliance.blocks:
            said = "This send breaks a French sending rule (see above): tick 'Send anyway' to send regardless."
            _out(self.output, said, f"<div style='{_BAD}'>{html.escape(said)}</div>")
            return None
        draft = self.draft
        self._busy(True)
        try:
            sent = self.client.inject_campaign(draft.id)
        except Exception as exc:  # AmbiguousSendError says how to check; any error is shown here
            _error(self.output, exc, _words(exc))
            return None
        finally:
            self._busy(False)
        self.campaign = mfanalytics.Campaign({**draft, **sent})
        self.draft, self._validated, self._sent = None, None, self._validated
        self.confirm.value = False
        self.compliance.override.value = False
        when = draft.get("scheduleOn") or self._state()[-2]  # (…, schedule, renderer)
        scheduled = str(self.campaign.status).upper() == "SCHEDULED"
        said = (
            f"Campaign {self.campaign.id} "
            + (f"scheduled ({when})" if scheduled else "sent")
            + f", status {status_text(self.campaign.status)}."
        )
        _out(
            self.output,
            said,
            f"<div style='{_GOOD}'><b>{html.escape(said)}</b> Its report: "
            f"<code>client.get_report({self.campaign.id})</code></div>",
        )
        self.status.value = _span(said, _GOOD)
        self.live_status = str(self.campaign.status).upper()
        self.cancel_button.disabled = not scheduled
        self._refresh_send()
        if self.watch is not None:
            self.watch_status(self.watch)
        return self.campaign

    def cancel(self) -> Any:
        """Cancel the scheduled campaign (up to 10 s before its time); it goes back to DRAFT."""
        if self.campaign is None:
            return None
        self.stop_watching()
        try:
            answer = self.client.cancel_campaign(self.campaign.id)
        except Exception as exc:
            _error(self.output, exc, _words(exc))
            return None
        self.live_status = str(answer.status).upper()
        self.cancel_button.disabled = True
        said = f"Campaign {self.campaign.id} cancelled: status {answer.status}. Nothing will be sent."
        _out(self.output, said, f"<div style='{_GOOD}'>{html.escape(said)}</div>")
        self.status.value = _span(said, _GOOD)
        return answer

    # -- the campaign after a send ----------------------------------------------
    def poll_status(self) -> bool:
        """Show where the campaign is in ``status`` (from its report); False once every line is final."""
        if self.campaign is None:
            return False
        if self._watch is None or self._watch.campaign is not self.campaign:
            self._watch = CampaignWatch(self.client, self.campaign, self.status, now=self.now, sandbox=self.is_sandbox)
        going = self._watch.poll()
        self.live_status = self._watch.status
        if self.live_status != "SCHEDULED":
            self.cancel_button.disabled = True
        return going

    def watch_status(self, interval: float = 2.0) -> Poller:
        """Follow the campaign's status in ``status`` every ``interval`` seconds until its lines are final.

        Each poll reads the report at the platform's time: a sandbox's clock
        may run faster than the wall clock, or be moved by hand
        (``sb.advance``). :meth:`stop_watching` stops it; so do a new
        validation, a cancel and :meth:`close`.
        """
        self.stop_watching()
        self.watcher = Poller(self.poll_status, interval=interval, on_error=self._watch_failed).start()
        return self.watcher

    def stop_watching(self) -> None:
        """Stop following the campaign's status."""
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None

    def _watch_failed(self, exc: BaseException) -> None:
        _error(self.output, exc, "could not follow the campaign's status: " + _words(exc))

    def close(self) -> None:
        """Stop following the campaign, then close the widgets."""
        self.stop_watching()
        super().close()

    @property
    def campaign_id(self) -> int | None:
        """Id of the campaign sent last, or None."""
        return None if self.campaign is None else self.campaign.id
