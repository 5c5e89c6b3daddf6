"""The SendForm shows the French sending rules in plain words; a send that breaks one needs a tick."""

from __future__ import annotations

import pytest

import mfanalytics
from mfanalytics.widgets import SendForm
from mfanalytics.widgets.compliance import LABEL_OVERRIDE

pytestmark = pytest.mark.enforce_compliance

SUNDAY_10 = "2026-12-06T09:00:00Z"  # 10:00 in Paris
TUESDAY_10 = "2026-12-08T09:00:00Z"


def form_on(sb, message: str, recipients: str = "06 12 34 56 78") -> SendForm:
    form = SendForm(sb.client(), watch=None)
    form.recipients.value = recipients
    form.message.value = message
    return form


def test_a_marketing_sunday_send_is_held_until_the_user_ticks_send_anyway():
    with mfanalytics.sandbox(seed=0, start=SUNDAY_10) as sb:
        form = form_on(sb, "Soldes -20% ce week-end")
        draft = form.validate()
        assert draft is not None  # preparing sends nothing: the draft is there to look at
        said = form.compliance.findings_html.value
        assert "Blocks the send" in said and "STOP" in said and "Sunday 06 Dec 2026" in said
        assert "stop-mention" not in said  # plain words, not rule codes
        assert (
            form.compliance.override.layout.display is None and form.compliance.override.description == LABEL_OVERRIDE
        )
        assert form.send_button.disabled and "Send anyway" in form.send_button.tooltip
        assert form.send() is None
        assert sb.state.campaigns[draft.id].status == "DRAFT"  # nothing was injected
        form.compliance.override.value = True
        assert not form.send_button.disabled
        sent = form.send()
        assert sent is not None and sb.state.campaigns[draft.id].status != "DRAFT"
        assert form.compliance.override.value is False  # the tick is for one send


def test_a_clean_tuesday_send_shows_nothing_to_report_and_sends():
    with mfanalytics.sandbox(seed=0, start=TUESDAY_10) as sb:
        form = form_on(sb, "Soldes -20% ce samedi STOP 36184")
        assert form.validate() is not None
        assert "nothing to report" in form.compliance.findings_html.value
        assert form.compliance.override.layout.display == "none"
        assert not form.send_button.disabled
        assert form.send() is not None


def test_a_reunion_recipient_in_the_evening_is_named():
    with mfanalytics.sandbox(seed=0, start="2026-12-08T18:30:00Z") as sb:  # 19:30 Paris, 22:30 Réunion
        form = form_on(sb, "Soldes STOP 36184", recipients="06 12 34 56 78\n0692 12 34 56")
        form.validate()
        said = form.compliance.findings_html.value
        assert "Blocks the send" in said and "Indian/Reunion" in said and "22:30" in said


def test_a_notification_is_not_held_to_the_marketing_rules():
    with mfanalytics.sandbox(seed=0, start=SUNDAY_10) as sb:
        form = form_on(sb, "Votre colis est arrivé.")
        form.type_select.value = "NOTIFICATION"
        form.validate()
        assert "a notification" in form.compliance.findings_html.value
        assert not form.send_button.disabled


def test_every_input_of_the_form_is_shown_once():
    with mfanalytics.sandbox(seed=0, start=TUESDAY_10) as sb:
        form = SendForm(sb.client(), watch=None)
        seen, stack = [], [form]
        while stack:
            node = stack.pop()
            seen.append(id(node))
            stack.extend(getattr(node, "children", ()))
        assert len(seen) == len(set(seen))  # a widget twice in the tree is shown twice on the page
