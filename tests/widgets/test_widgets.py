"""The ipywidgets forms, without a browser: set ``.value``, ``.click()``, look at
the client calls (a real sandbox behind a recording proxy) and at the Output."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import ipywidgets as w
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mfanalytics
from mfanalytics.connect import is_sandbox
from mfanalytics.widgets import ReportExplorer, SendForm
from mfanalytics.widgets import send as send_module

COUNTED = (
    "prepare_campaign",
    "inject_campaign",
    "cancel_campaign",
    "get_report",
    "get_reports",
    "send_campaign",
    "send_now",
)


class Spy:
    """A client that records the calls the form makes and passes them to a real one.

    ``before`` maps a method name to a function run just before the real
    call (to look at the form mid-call, or to raise)."""

    def __init__(self, client, before=None) -> None:
        self._client = client
        self.calls: list[tuple[str, tuple, dict]] = []
        self.before = dict(before or {})

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if name not in COUNTED:
            return attr

        def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            if name in self.before:
                self.before[name](*args, **kwargs)
            return attr(*args, **kwargs)

        return call

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]


def outputs(widget: w.Output) -> str:
    return "\n".join(o["data"].get("text/plain", "") for o in widget.outputs if "data" in o)


def everything_shown(widget) -> str:
    """Every value and every output of a widget tree, as text (what a user could see)."""
    parts = []
    stack = [widget]
    while stack:
        node = stack.pop()
        for trait in ("value", "description", "placeholder", "tooltip"):
            value = getattr(node, trait, None)
            if isinstance(value, str):
                parts.append(value)
        if isinstance(node, w.Output):
            parts.append(json.dumps(node.outputs, default=str))
        stack.extend(getattr(node, "children", ()))
    return "\n".join(parts)


@pytest.fixture
def client(sb):
    c = sb.client()
    yield Spy(c)
    c.close()


def filled(client, **kw) -> SendForm:
    kw.setdefault("watch", None)  # the live status is tested on its own: no thread polling here
    form = SendForm(client, **kw)
    form.recipients.value = "06 12 34 56 78\n07 81 22 33 44"
    form.message.value = "Bonjour, ceci est un test."
    form.sender.value = "MaBoutique"
    # a test message, not marketing: the French marketing rules (STOP, hours) are tested in
    # tests/widgets/test_send_compliance.py
    form.type_select.value = "NOTIFICATION"
    return form


# ---------------------------------------------------------------- the counter
def test_counter_reads_like_the_spec(client):
    form = SendForm(client)
    form.message.value = "a" * 134
    assert form.counter.value == "134 / 160 · GSM-7 · 1 SMS"
    form.message.value = "a" * 161
    assert form.counter.value == "161 / 306 · GSM-7 · 2 SMS"
    form.message.value = "Leçon"
    assert form.counter.value == "5 / 70 · UCS-2 · 1 SMS"


def test_counter_agrees_with_count_segments_for_any_message(client):
    form = SendForm(client)
    texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400).filter(
        lambda t: "${" not in t and "$$[" not in t
    )

    @settings(max_examples=150, deadline=None)
    @given(texts)
    def check(text):
        form.message.value = text
        expected = mfanalytics.count_segments([text]).iloc[0]
        said = re.match(r"^(\d+) / (\d+) · (GSM-7|UCS-2) · (\d+) SMS$", form.counter.value)
        assert said, form.counter.value
        length, limit, encoding, segments = int(said[1]), int(said[2]), said[3], int(said[4])
        assert (length, encoding, segments) == (
            int(expected["length"]),
            expected["encoding"],
            int(expected["segments"]),
        )
        single, part = (160, 153) if encoding == "GSM-7" else (70, 67)
        assert limit == (single if segments <= 1 else part * min(segments, 6))

    check()


def test_non_gsm_characters_are_listed_and_can_be_replaced(client):
    form = SendForm(client)
    form.message.value = "Leçon « œuf » à 5 €"
    assert "ç" in form.non_gsm.value and "œ" in form.non_gsm.value and "«" in form.non_gsm.value
    assert "à" not in re.sub(r"<[^>]+>", "", form.non_gsm.value).split("Not in GSM-7:")[1].split(".")[0]
    assert form.replace_button.layout.display != "none"
    form.replace_button.click()
    assert mfanalytics.count_segments([form.message.value]).iloc[0]["encoding"] == "GSM-7"
    assert "à" in form.message.value and "€" in form.message.value  # GSM-7 characters are kept
    assert form.non_gsm.value == "" and form.replace_button.layout.display == "none"
    form.message.value = "Merci 😀"
    assert "😀" in form.non_gsm.value and form.replace_button.layout.display == "none"  # no look-alike
    form.allow_ucs2.value = True
    assert "UCS-2" in form.non_gsm.value and "refuses" not in form.non_gsm.value


# ---------------------------------------------------------------- live checks
@pytest.mark.parametrize(
    "sender, ok",
    [
        ("MaBoutique", True),
        ("", True),
        ("AB", False),
        ("12345", False),
        ("Ma Boutique", False),
        ("Boutique2024X", False),
    ],
)
def test_sender_is_checked_while_typing(client, sender, ok):
    form = SendForm(client)
    form.sender.value = sender
    assert ("#b00020" not in form.sender_info.value) is ok, form.sender_info.value


def test_invalid_and_duplicate_lines_are_shown(client):
    form = SendForm(client)
    form.recipients.value = "06 12 34 56 78\n12\n\n+33612345678\n01 42 68 53 00\n0781223344"
    info = re.sub(r"<[^>]+>", "", form.recipients_info.value)
    assert info.startswith("2 recipient(s) to send")
    assert "1 invalid (line 2: 12)" in info
    assert "1 duplicate (line 4: +33612345678)" in info
    assert "1 not mobile (line 5: 01 42 68 53 00)" in info


def test_csv_upload_is_cleaned_and_personalises_the_preview(client, sb):
    content = ("Prénom;Portable\nZoé;06 12 34 56 78\nLoïc;0612345678\nAnaïs;abc\nHélène;07 81 22 33 44\n").encode(
        "cp1252"
    )
    form = SendForm(client)
    form.upload.value = (
        {
            "name": "liste.csv",
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": pd.Timestamp("2026-03-02", tz="UTC").to_pydatetime(),
        },
    )
    info = re.sub(r"<[^>]+>", "", form.recipients_info.value)
    assert "liste.csv" in info and "2 recipient(s)" in info
    assert "invalid (line 4: abc)" in info and "duplicate (line 3: 0612345678)" in info  # file lines, header is 1
    assert form.recipients.disabled
    form.message.value = "Bonjour ${Prénom} !"
    assert "Bonjour Zoé !" in form.preview.value and "Bonjour Hélène !" in form.preview.value
    assert form.validate() is not None
    ((name, _, kwargs),) = client.calls
    assert name == "prepare_campaign"
    sent = kwargs["recipients"].recipients
    assert sent["Prénom"].tolist() == ["Zoé", "Hélène"]
    form.clear_upload.click()
    assert form.upload.value == () and not form.recipients.disabled


def test_schedule_must_be_five_minutes_ahead_of_the_sandbox_clock(client, sb):
    form = filled(client)
    form.scheduled.value = True
    assert not form.schedule.disabled
    form.schedule.value = sb.now + timedelta(minutes=2)
    assert "5 minutes" in form.schedule_info.value
    assert form.validate() is None and client.calls == []
    assert "ScheduleError" in outputs(form.output)


def test_the_renderer_is_chosen_and_logic_is_flagged_as_an_estimate(client, sb):
    content = "PRENOM;mobile\nZoé & Cie;06 12 34 56 78\n".encode()
    form = SendForm(client)
    form.type_select.value = "NOTIFICATION"  # not about the marketing rules
    assert [value for _, value in form.renderer.options] == list(mfanalytics.messages.message.RENDERERS)
    form.upload.value = (
        {
            "name": "l.csv",
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": pd.Timestamp("2026-03-02", tz="UTC").to_pydatetime(),
        },
    )
    form.renderer.value = "HANDLEBARS"
    form.message.value = "Bonjour {{PRENOM}} !"
    assert "fields PRENOM" in form.counter.value and "estimate" not in form.counter.value
    assert (
        "Bonjour Zoé &amp;amp; Cie !" in form.preview.value
    )  # Handlebars escapes the value; the page escapes it again
    form.message.value = "Bonjour {{#if PRENOM}}{{PRENOM}}{{/if}} !"
    assert "estimate" in form.counter.value and "{{#if PRENOM}}" in form.counter.value
    form.renderer.value = "MEDIASFLOW_B"
    form.message.value = "Bonjour $$[record]PRENOM$$ !"
    draft = form.validate()
    assert draft is not None and draft["renderer"] == "MEDIASFLOW_B"
    assert client.calls[-1][2]["renderer"] == "MEDIASFLOW_B"
    sent = form.send()
    assert "status INJECTED (injected" in form.status.value and sent["renderer"] == "MEDIASFLOW_B"


# ---------------------------------------------------------------- validate, send
def test_validate_prepares_without_sending_and_shows_the_counts(client, sb):
    form = filled(client)
    assert form.send_button.disabled
    draft = form.validate()
    assert client.names() == ["prepare_campaign"]
    assert sb.state.campaigns[draft.id].status == "DRAFT"  # nothing sent
    shown = outputs(form.output)
    html_shown = json.dumps(form.output.outputs)
    # in words, not the API's keys; credits as a number
    assert f"Campaign id: {draft.id}" in shown and "Valid numbers (to be sent): 2" in shown
    assert f"Credits: {int(draft['creditCount'])} credits" in shown
    assert "countInBlackListRecipient" not in html_shown and "countValid" not in html_shown
    assert "credit(s)" not in form.status.value and ".0 credit" not in form.status.value
    assert not form.send_button.disabled


def test_send_is_disabled_again_when_the_form_changes(client):
    form = filled(client)
    form.validate_button.click()
    assert not form.send_button.disabled
    form.message.value += "!"
    assert form.send_button.disabled and "validate again" in form.status.value
    form.send()
    assert "inject_campaign" not in client.names()
    form.message.value = form.message.value[:-1]  # back to what was validated
    assert not form.send_button.disabled


def test_send_once_even_on_a_double_click_and_show_the_id(sb):
    seen = []
    client = Spy(sb.client(), before={"inject_campaign": lambda *a, **k: seen.append(form.send_button.disabled)})
    form = filled(client)
    form.validate_button.click()
    form.send_button.click()
    form.send_button.click()
    assert client.names() == ["prepare_campaign", "inject_campaign"]
    assert seen == [True]  # disabled while the request was in flight
    campaign_id = form.campaign.id
    assert client.calls[1][1] == (campaign_id,)  # the id of the campaign prepared by Validate
    assert form.campaign["countValid"] == 2
    assert f"Campaign {campaign_id} sent" in outputs(form.output)
    assert "Validate the form" not in outputs(form.output)  # the second click says nothing confusing
    assert sb.state.campaigns[campaign_id].status != "DRAFT"
    assert form.send_button.disabled and form.cancel_button.disabled


def test_a_real_account_needs_the_confirmation_tick(client, monkeypatch):
    monkeypatch.setattr(send_module, "is_sandbox", lambda c: False)
    form = filled(client)
    assert form.confirm.layout.display != "none" and "real SMS will be sent" in form.mode.value
    form.validate_button.click()
    assert form.send_button.disabled
    form.send()
    assert "inject_campaign" not in client.names()
    form.confirm.value = True
    assert not form.send_button.disabled
    form.send_button.click()
    assert client.names() == ["prepare_campaign", "inject_campaign"]
    assert form.confirm.value is False  # ticked for one send only


def test_the_sandbox_needs_no_tick(client):
    form = SendForm(client)
    assert form.is_sandbox and form.confirm.layout.display == "none"
    assert "no real SMS" in form.mode.value


def test_too_many_recipients_for_a_test(client):
    form = filled(client, max_recipients=1)
    assert "too many" in form.recipients_info.value
    assert form.validate() is None and client.calls == []
    assert "at most 1 recipients" in outputs(form.output)


def test_errors_are_shown_in_the_form(sb):
    def boom(*args, **kwargs):
        raise mfanalytics.APIError("The API is down (503).", status=503)

    client = Spy(sb.client(), before={"prepare_campaign": boom})
    form = filled(client)
    form.validate_button.click()
    assert "APIError: The API is down (503)." in outputs(form.output)
    assert form.send_button.disabled


def test_an_ambiguous_send_is_shown_and_can_be_retried_on_the_same_campaign(sb):
    attempts = []

    def lost(campaign_id):
        attempts.append(campaign_id)
        if len(attempts) == 1:
            raise mfanalytics.AmbiguousSendError("The answer was lost: check before sending again.")

    client = Spy(sb.client(), before={"inject_campaign": lost})
    form = filled(client)
    draft = form.validate()
    assert form.send() is None
    assert "AmbiguousSendError" in outputs(form.output)
    assert not form.send_button.disabled  # same draft: injecting it again is safe
    assert form.send().id == draft.id
    assert attempts == [draft.id, draft.id]


def test_schedule_then_cancel(client, sb):
    form = filled(client)
    form.scheduled.value = True
    form.schedule.value = sb.now + timedelta(hours=2)
    form.validate_button.click()
    form.send_button.click()
    assert form.campaign.status == "SCHEDULED"
    assert not form.cancel_button.disabled
    form.cancel_button.click()
    assert client.names()[-1] == "cancel_campaign" and client.calls[-1][1] == (form.campaign.id,)
    assert sb.state.campaigns[form.campaign.id].status == "DRAFT"
    assert "cancelled" in outputs(form.output) and form.cancel_button.disabled


def test_a_scheduled_send_says_when_even_if_the_platform_does_not_echo_it(client, sb):
    form = filled(client)
    form.scheduled.value = True
    when = sb.now + timedelta(hours=2)
    form.schedule.value = when
    form.validate_button.click()
    form.draft.pop("scheduleOn", None)  # an answer without the schedule: the form's own value is said
    form.send_button.click()
    assert form.campaign.status == "SCHEDULED"
    said = outputs(form.output)
    assert f"scheduled ({form.schedule.value})" in said
    assert "(BASIC)" not in said


def test_passwords_and_tokens_never_show(sb):
    sb.add_user("ana", "pw-Zq81-secret")
    good = sb.client("ana", "pw-Zq81-secret")
    token = good._token.reveal()
    form = filled(good)
    form.validate_button.click()
    form.send_button.click()
    shown = everything_shown(form)
    assert str(form.campaign.id) in shown
    assert "pw-Zq81-secret" not in shown and token not in shown
    bad = mfanalytics.Client(sb.url, username="ana", password="wrong-Kx42-pw")
    form = filled(bad)
    form.validate_button.click()
    shown = everything_shown(form)
    assert "AuthenticationError" in shown and "wrong-Kx42-pw" not in shown


# ---------------------------------------------------------------- is_sandbox
def test_is_sandbox_only_when_positively_known(sb):
    assert is_sandbox(sb.client())
    real = mfanalytics.Client("https://app.mediasflow.com/api/v1", username="u", password="p")
    assert not is_sandbox(real)  # not loopback: no request at all
    assert real._is_sandbox is False
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:  # loopback, but not a sandbox (answers 501 to everything)
        url = f"http://127.0.0.1:{server.server_port}/api/v1"
        assert not is_sandbox(mfanalytics.Client(url, username="u", password="p"))
    finally:
        server.shutdown()
    assert not is_sandbox(mfanalytics.Client("http://127.0.0.1:9/api/v1", username="u", password="p"))  # nothing there


def test_connect_says_sandbox_for_a_served_sandbox(sb, monkeypatch, capsys):
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", sb.url)
    monkeypatch.setenv("MEDIASFLOW_USERNAME", "demo")
    monkeypatch.setenv("MEDIASFLOW_PASSWORD", "demo")
    monkeypatch.delenv("MEDIASFLOW_TOKEN", raising=False)
    client = mfanalytics.connect()
    said = capsys.readouterr().out
    assert "local sandbox: no real SMS" in said and "real SMS are sent" not in said and "demo" not in said
    assert is_sandbox(client)
    sb.advance(7200)
    form = SendForm(client)
    assert abs((form.now() - sb.now).total_seconds()) < 5  # the sandbox's clock, not the wall clock
    client.close()


# ---------------------------------------------------------------- ReportExplorer
def magic(code: int, n: int = 0) -> str:
    return f"+3363998{n:02d}{code:02d}" if n else f"+336399800{code:02d}"


def test_explorer_loads_a_campaign_and_filters_and_exports(sb, tmp_path):
    api = sb.client()
    people = [
        {"mobile": magic(16), "NOM": '=HYPERLINK("http://x")'},
        {"mobile": magic(21), "NOM": "Diaz"},
        {"mobile": magic(20), "NOM": "Roux"},
        {"mobile": magic(29), "NOM": "Petit"},
    ]
    campaign = api.send_campaign("Bonjour ${NOM}", recipients=people, sender="MaBoutique")
    sb.advance(3600)
    client = Spy(api)
    explorer = ReportExplorer(client, lang="en", out_dir=tmp_path)
    explorer.campaign_id.value = str(campaign.id)
    explorer.load_button.click()
    assert client.calls[0][:2] == ("get_report", (campaign.id,))
    assert explorer.progress.value == explorer.progress.max == 1
    kpi = dict(re.findall(r"data-kpi='([^']+)'>([^<]*)<", explorer.kpis.value))
    assert kpi["Recipients"] == "4" and kpi["Delivered"] == "2" and kpi["Delivery rate"] == "50.0%"
    shown = outputs(explorer.output)
    assert "plots of campaign" in shown and "Diaz" in shown
    assert any("image/png" in o["data"] for o in explorer.output.outputs)
    groups = {value: label for label, value in explorer.status_filter.options}
    assert set(groups) >= {"delivered", "undelivered", "invalid_number"}
    assert groups["invalid_number"] == "Invalid number"  # words, not the group's code
    explorer.status_filter.value = ("delivered",)
    assert len(explorer.filtered) == 2
    assert "KPIs (campaign" in outputs(explorer.output) and "2 of 4 rows" in explorer.kpis.value
    path = explorer.export_csv()
    text = path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "Roux" not in text  # formulas neutralised; only the filtered rows
    assert str(path) in outputs(explorer.output)
    page = explorer.export_html()
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_explorer_loads_a_period_longer_than_seven_days(sb, tmp_path):
    api = sb.client()
    first = api.send_campaign("Premier", recipients=[magic(16)])
    sb.advance(12 * 86400)
    second = api.send_campaign("Second", recipients=[magic(16), magic(20)])
    sb.advance(3600)
    explorer = ReportExplorer(Spy(api), out_dir=tmp_path)
    explorer.source.value = "period"
    explorer.start.value = (sb.now - timedelta(days=20)).date()
    explorer.end.value = sb.now.date()
    frame = explorer.load()
    assert sorted(frame["campaign_id"].unique()) == [first.id, second.id]
    assert explorer.progress.max == 3 and explorer.progress.value == 3  # 21 days in 7-day windows
    assert isinstance(frame["status_group"].dtype, pd.CategoricalDtype)
    assert "2 campaign(s)" in explorer.kpis.value


def test_explorer_shows_errors(sb, tmp_path):
    explorer = ReportExplorer(sb.client(), out_dir=tmp_path)
    explorer.campaign_id.value = "12a"
    assert explorer.load() is None
    assert "campaign id is a number" in outputs(explorer.output)
    explorer.campaign_id.value = "999999"
    explorer.load_button.click()
    assert "InvalidRequestError" in outputs(explorer.output) and explorer.progress.bar_style == "danger"
    assert explorer.export_csv_button.disabled


def test_docstring_examples():
    import doctest
    import importlib

    for name in (
        "mfanalytics.widgets",
        "mfanalytics.widgets.send",
        "mfanalytics.widgets.status",
        "mfanalytics.widgets.words",
        "mfanalytics.widgets.common",
        "mfanalytics.connect",
    ):
        module = importlib.import_module(name)
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, name


# ---------------------------------------------------------------- issue 16: the forms in their words
def _campaign_of_four(sb):
    api = sb.client()
    people = [{"mobile": magic(c)} for c in (16, 21, 20, 29)]
    campaign = api.send_campaign("Bonjour", recipients=people)
    sb.advance(3600)
    return api, campaign


def test_explorer_status_filter_highlights_what_it_applies(sb, tmp_path):
    api, campaign = _campaign_of_four(sb)
    explorer = ReportExplorer(api, out_dir=tmp_path)
    explorer.campaign_id.value = str(campaign.id)
    explorer.load()
    options = [value for _, value in explorer.status_filter.options]
    # what the browser highlights is `index`; what the filter applies is `value`: they must agree
    assert explorer.status_filter.index == tuple(range(len(options)))
    explorer.status_filter.value = ("delivered",)
    assert explorer.status_filter.index == (options.index("delivered"),)
    assert set(explorer.filtered["status_group"].astype(str)) == {"delivered"}
    # a click in the browser sets `index`: the value, the rows and the KPIs follow
    explorer.status_filter.index = (options.index("undelivered"),)
    assert explorer.status_filter.value == ("undelivered",)
    assert set(explorer.filtered["status_group"].astype(str)) == {"undelivered"}
    assert "1 of 4 rows" in explorer.kpis.value
    # loading again keeps value and index together
    explorer.load()
    assert explorer.status_filter.index == tuple(range(len(explorer.status_filter.options)))


def test_send_form_errors_use_the_words_on_the_form(client, sb):
    form = filled(client)
    form.message.value = "Leçon de français"
    # the library's own error keeps its parameter names, for code users
    with pytest.raises(mfanalytics.MessageError, match="allow_ucs2 is False"):
        form.build_message().check()
    assert form.validate() is None and client.calls == []
    said = outputs(form.output)
    assert '"Allow UCS-2" is not ticked' in said and '"Replace with GSM-7 look-alikes" would replace' in said
    assert "(Message)" in said
    assert not re.search(r"allow_ucs2|auto_replace_gsm7|allowUCS2", said), said
    # the words are those of the form's inputs
    assert form.allow_ucs2.description.startswith("Allow UCS-2")
    assert form.replace_button.description == "Replace with GSM-7 look-alikes"
    form.scheduled.value = True
    form.schedule.value = sb.now + timedelta(minutes=2)
    info = html.unescape(form.schedule_info.value)
    assert '"Send at"' in info and "scheduleOn" not in info


def test_no_label_is_cut_to_the_default_width(client, sb):
    """ipywidgets gives a description 90 px unless told otherwise: every labelled input says 'initial'."""
    forms = [SendForm(client, watch=None), ReportExplorer(client)]
    stack = list(forms)
    while stack:
        node = stack.pop()
        stack.extend(getattr(node, "children", ()))
        if isinstance(node, (w.Button, w.Checkbox, w.HTML, w.Label, w.Output, w.Box)):
            continue
        if getattr(node, "description", ""):
            assert node.style.description_width == "initial", (type(node).__name__, node.description)
    send = forms[0]
    assert send.replace_button.layout.width == "auto" and send.cancel_button.layout.width == "auto"


def _scheduled_send(client, sb, **kw):
    form = filled(client, **kw)
    form.scheduled.value = True
    form.schedule.value = sb.now + timedelta(minutes=10)
    form.validate_button.click()
    form.send_button.click()
    assert form.campaign.status == "SCHEDULED"
    return form


def test_the_status_follows_a_scheduled_campaign_on_the_sandbox_clock(client, sb):
    form = _scheduled_send(client, sb)
    assert form.poll_status() is True  # no report before its time: still SCHEDULED
    assert "SCHEDULED" in form.status.value and "no report yet" in form.status.value
    sb.advance(10 * 60 + 1)  # its time has come: injected, its lines on their way
    assert form.poll_status() is True
    assert "INJECTED" in form.status.value and "2 lines" in form.status.value
    assert form.cancel_button.disabled  # too late to cancel
    sb.advance(3 * 86400)
    assert form.poll_status() is False  # every line is final: nothing more to follow
    report = client.get_report(form.campaign.id)
    delivered = int(report["is_delivered"].fillna(False).sum())
    assert "final status" in form.status.value
    assert (f"{delivered} delivered" in form.status.value) == (delivered > 0)


def test_the_status_goes_through_inprogress_and_injecting(sb, tmp_path):
    """10,000 recipients: the sandbox processes them for 1 s (INPROGRESS), then hands them on (INJECTING)."""
    client = sb.client()
    lines = "mobile\n" + "".join(f"06 12 34 {i // 100:02d} {i % 100:02d}\n" for i in range(10_000))
    form = SendForm(client, max_recipients=10_000, watch=None)
    form.type_select.value = "NOTIFICATION"  # not about the marketing rules
    upload = {"name": "big.csv", "type": "text/csv", "size": len(lines), "content": memoryview(lines.encode())}
    form.upload.value = ({**upload, "last_modified": pd.Timestamp("2026-03-02", tz="UTC").to_pydatetime()},)
    form.message.value = "Bonjour"
    assert form.validate() is not None, outputs(form.output)
    sb.advance(1)  # the prepared campaign is processed: DRAFT
    form.validate()  # the same form, validated again: a campaign INPROGRESS when it is sent
    form.send()
    assert form.campaign.status == "INPROGRESS"
    form.poll_status()
    assert "INPROGRESS (being processed" in form.status.value and "no report yet" in form.status.value
    sb.advance(2)
    form.poll_status()
    assert "INJECTING (being injected" in form.status.value and "processing" in form.status.value
    sb.advance(60)
    form.poll_status()
    assert "INJECTED (injected" in form.status.value and "processing" not in form.status.value
    client.close()


def test_the_status_is_followed_by_a_thread_that_stops(client, sb):
    form = _scheduled_send(client, sb, watch=0.01)
    watcher = form.watcher
    assert watcher is not None and watcher.running
    sb.advance(11 * 60 + 3 * 86400)  # its time, then long enough for every line to be final
    watcher.thread.join(timeout=60)
    assert not watcher.running
    assert "final status" in form.status.value
    # stopping by hand: a new send is followed until stop_watching
    form2 = _scheduled_send(client, sb, watch=0.01)
    form2.stop_watching()
    assert form2.watcher is None and not form2.cancel_button.disabled


def test_explorer_shows_any_exception_in_the_form(sb, tmp_path):
    api, campaign = _campaign_of_four(sb)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    explorer = ReportExplorer(Spy(api, before={"get_report": broken}), out_dir=tmp_path)
    explorer.campaign_id.value = str(campaign.id)
    assert explorer.load() is None
    assert "RuntimeError: the disk is on fire" in outputs(explorer.output)
    assert explorer.progress.bar_style == "danger"


def test_explorer_count_axes_are_whole_numbers(sb, tmp_path):
    api, campaign = _campaign_of_four(sb)
    explorer = ReportExplorer(api, out_dir=tmp_path)
    explorer.campaign_id.value = str(campaign.id)
    explorer.load()
    axes = explorer.figure.axes
    breakdown, funnel = axes[0], axes[1]
    ticks = list(breakdown.get_xticks()) + list(funnel.get_yticks())
    assert ticks and all(float(t).is_integer() for t in ticks), ticks


def test_explorer_says_the_period_in_unambiguous_days(sb, tmp_path):
    from datetime import date

    explorer = ReportExplorer(sb.client(), lang="en", out_dir=tmp_path)
    explorer.source.value = "period"
    explorer.start.value, explorer.end.value = date(2026, 11, 1), date(2026, 11, 12)
    assert "1 Nov 2026 to 12 Nov 2026" in explorer.period_info.value


def test_the_schedule_is_said_unambiguously_in_paris_time(client, sb):
    from zoneinfo import ZoneInfo

    form = filled(client)
    form.scheduled.value = True
    when = (sb.now + timedelta(hours=2)).replace(second=0, microsecond=0)
    form.schedule.value = when
    paris = when.astimezone(ZoneInfo("Europe/Paris"))  # zoneinfo, not the package's conversion
    said = re.sub(r"<[^>]+>", "", form.schedule_info.value)
    assert f"{paris.day} {paris:%b %Y}, {paris:%H:%M} Paris time ({when:%H:%M} UTC)" in said, said


def test_explorer_exports_an_excel_workbook(sb, tmp_path):
    import openpyxl

    api, campaign = _campaign_of_four(sb)
    explorer = ReportExplorer(api, out_dir=tmp_path)
    explorer.campaign_id.value = str(campaign.id)
    explorer.load()
    explorer.status_filter.value = ("delivered", "undelivered")
    path = explorer.export_excel()
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["rows", "kpis", "failures"]
    assert book["rows"].max_row == 1 + len(explorer.filtered) == 1 + 3  # 16, 21 delivered; 20 not
    assert str(path) in outputs(explorer.output)
