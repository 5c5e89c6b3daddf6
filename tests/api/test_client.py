"""The API client against the embedded sandbox, over real HTTP on loopback."""

from __future__ import annotations

import logging
import pickle
from datetime import timedelta

import pandas as pd
import pytest
import requests

from mfanalytics import errors
from mfanalytics.api.client import Client
from mfanalytics.api.payloads import recipient_payload
from mfanalytics.api.transport import RetryPolicy

PASSWORD = "s3cret-Pa55word"


@pytest.fixture
def sandbox():
    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    with EmbeddedSandbox(seed=3, start="2026-03-02T09:00:00Z", users={"alice": PASSWORD}) as sb:
        yield sb


def make_client(sb, *, sleeps=None, **kwargs) -> Client:
    policy = RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda s: None), random=lambda: 0.5)
    kwargs.setdefault("max_retries", 3)
    return Client(sb.url, username="alice", password=PASSWORD, policy=policy, now=lambda: sb.now, **kwargs)


def stored_campaigns(sb) -> list[dict]:
    body = requests.get(sb.root + "/_sandbox/campaigns", timeout=10).json()
    return body["campaigns"] if isinstance(body, dict) else body


PEOPLE = [
    {"mobile": "06 12 34 56 78", "PRENOM": "Ana", "VILLE": "Lyon"},
    {"mobile": "+33 7 52 34 56 78", "PRENOM": "Bruno", "VILLE": "Nîmes"},
    {"mobile": "0033612345670", "PRENOM": "Chloé", "VILLE": "Paris"},
]


# -- every endpoint ---------------------------------------------------------
def test_prepare_shows_the_counts_and_sends_nothing(sandbox):
    client = make_client(sandbox)
    draft = client.prepare_campaign(
        "Bonjour ${PRENOM}", recipients=PEOPLE + [{"mobile": "06 12 34 56 78", "PRENOM": "Ana"}], sender="MaMarque"
    )
    assert draft.status == "DRAFT"
    assert draft["countRecipient"] == 4
    assert draft["countDuplicateRecipient"] == 1
    assert draft["countValid"] == 3
    assert [c["status"] for c in stored_campaigns(sandbox)] == ["DRAFT"]


def test_send_campaign_then_report_has_every_recipient_with_fields(sandbox):
    client = make_client(sandbox)
    sent = client.send_campaign("Bonjour ${PRENOM}", recipients=PEOPLE, sender="MaMarque")
    assert sent.status == "INJECTED" and sent["countValid"] == 3
    sandbox.advance(3 * 3600)
    report = client.get_report(sent.id)
    assert sorted(report["mobile"]) == ["+33612345670", "+33612345678", "+33752345678"]
    assert (report["campaign_id"] == sent.id).all()
    assert (
        report["status_group"].isin(["delivered", "delivered_stop", "undelivered", "invalid_number", "rejected"]).all()
    )
    assert sorted(report["VILLE"]) == ["Lyon", "Nîmes", "Paris"]
    as_json = client.get_report(sent.id, format="json")
    pd.testing.assert_frame_equal(as_json, report)
    only = client.get_report(sent.id, details=["PRENOM"])
    assert "VILLE" not in only.columns and "PRENOM" in only.columns


def test_recipients_as_numbers_dataframe_and_clean_result(sandbox, tmp_path):
    client = make_client(sandbox)
    a = client.prepare_campaign("Bonjour", recipients=["0612345678", "0752345678"])
    b = client.prepare_campaign("Bonjour ${PRENOM}", recipients=pd.DataFrame(PEOPLE))
    from mfanalytics.lists.cleaning import clean_recipients

    cleaned = clean_recipients(pd.DataFrame(PEOPLE + [{"mobile": "12", "PRENOM": "X", "VILLE": "Y"}]))
    c = client.prepare_campaign("Bonjour ${PRENOM}", recipients=cleaned)
    assert (a["countValid"], b["countValid"], c["countValid"]) == (2, 3, 3)
    assert c["countRecipient"] == 3  # the clean result only sends its valid rows


def test_recipient_payload_uses_extended_keys_as_in_the_guide():
    payload = recipient_payload([{"mobile": "0612345678", "REF": "A1", "NOM": None}])
    assert payload == [
        {
            "mobile": "0612345678",
            "extendedKeys": [{"keyName": "REF", "keyValue": "A1"}, {"keyName": "NOM", "keyValue": ""}],
        }
    ]


def test_upload_list_then_send_by_list_id(sandbox, tmp_path):
    client = make_client(sandbox)
    path = tmp_path / "liste.csv"
    path.write_bytes("mobile;PRENOM\n0612345678;Zoé\n0612345678;Zoé\nabc;X\n".encode("cp1252"))
    analysis = client.upload_list(path, filename="liste.csv", description="test")
    assert analysis["charsetDetected"] == "WINDOWS-1252"
    assert analysis["countDuplicateMobile"] == 1
    assert analysis["invalidNumberMOBILE"] == 1
    sent = client.send_campaign("Bonjour ${PRENOM}", list_id=analysis["id"])
    assert sent["countValid"] == 1
    sandbox.advance(3 * 3600)
    report = client.get_report(sent.id)
    assert "Zoé" in report["PRENOM"].tolist()


def test_schedule_then_cancel(sandbox):
    client = make_client(sandbox)
    when = sandbox.now + timedelta(hours=1)
    sent = client.send_campaign("Rappel", recipients=["0612345678"], schedule_on=when)
    assert sent.status == "SCHEDULED"
    cancelled = client.cancel_campaign(sent.id)
    assert cancelled.status == "DRAFT"


def test_blacklist_round_trip(sandbox):
    client = make_client(sandbox)
    client.add_to_blacklist("+33612345678", description="plainte en magasin")
    listed = client.get_blacklist()
    assert "+33612345678" in listed.astype(str).to_numpy().ravel().tolist()
    sent = client.send_campaign("Promo", recipients=["0612345678", "0752345678"])
    assert sent["countInBlackListRecipient"] == 1


def test_period_report_covers_campaigns_of_the_window(sandbox):
    client = make_client(sandbox)
    first = client.send_campaign("Un", recipients=["0612345678"])
    sandbox.advance(86400)
    second = client.send_campaign("Deux", recipients=["0752345678"])
    sandbox.advance(3600)
    day = sandbox.now.date()
    rows = client.get_reports(day - timedelta(days=2), day + timedelta(days=1), progress=False)
    assert len(rows) == 2
    longer = client.get_reports(day - timedelta(days=20), day, progress=False)  # split into 7-day windows
    pd.testing.assert_frame_equal(longer, rows)
    assert set(rows["campaign_id"]) == {first.id, second.id}


# -- local validation: fails before any request ------------------------------
@pytest.mark.parametrize(
    "options, error, rule_part",
    [
        ({"sender": "AB"}, errors.SenderError, "sender"),
        ({"sender": "Ma-Marque!"}, errors.SenderError, "sender"),
        ({"sender": "123456"}, errors.SenderError, "sender"),
        ({"schedule_on": "soon"}, errors.ScheduleError, "schedule"),
    ],
)
def test_bad_options_fail_locally(sandbox, options, error, rule_part):
    client = make_client(sandbox)
    with pytest.raises(error) as info:
        client.send_campaign("Bonjour", recipients=["0612345678"], **options)
    assert rule_part in info.value.rule
    assert stored_campaigns(sandbox) == []


def test_schedule_less_than_five_minutes_ahead_fails_locally(sandbox):
    client = make_client(sandbox)
    with pytest.raises(errors.ScheduleError):
        client.send_campaign(
            "Bonjour", recipients=["0612345678"], schedule_on=sandbox.now + timedelta(minutes=4, seconds=59)
        )
    assert stored_campaigns(sandbox) == []


def test_message_rules_fail_locally(sandbox):
    client = make_client(sandbox)
    with pytest.raises(errors.MessageError) as info:
        client.send_campaign("x" * 161, recipients=["0612345678"])
    assert info.value.rule == "too-long"
    with pytest.raises(errors.MessageError) as info:
        client.send_campaign("Voilà un garçon", recipients=["0612345678"])
    assert "ç" in str(info.value)
    with pytest.raises(TypeError, match="sendr"):
        client.send_campaign("Bonjour", recipients=["0612345678"], sendr="X")
    assert stored_campaigns(sandbox) == []


def test_no_valid_recipient_leaves_the_draft_unsent(sandbox):
    client = make_client(sandbox)
    with pytest.raises(errors.ValidationError) as info:
        client.send_campaign("Bonjour", recipients=["12", "abc"])
    assert info.value.rule == "no-valid-recipient"
    assert [c["status"] for c in stored_campaigns(sandbox)] == ["DRAFT"]


# -- errors from the API -----------------------------------------------------
def test_wrong_password_is_an_authentication_error(sandbox):
    client = Client(
        sandbox.url, username="alice", password="not-the-Pa55word-9f3", policy=RetryPolicy(sleep=lambda s: None)
    )
    with pytest.raises(errors.AuthenticationError) as info:
        client.get_blacklist()
    assert info.value.status == 401
    assert "not-the-Pa55word-9f3" not in str(info.value)


def test_unknown_campaign_and_double_inject(sandbox):
    client = make_client(sandbox)
    with pytest.raises(errors.InvalidRequestError) as info:
        client.get_report(999999)
    assert info.value.status == 404
    sent = client.send_campaign("Bonjour", recipients=["0612345678"])
    with pytest.raises(errors.InvalidRequestError) as info:
        client.inject_campaign(sent.id)
    assert info.value.status == 409


def test_pasted_token_and_expiry(sandbox):
    client = make_client(sandbox)
    client.login()
    token = client._token.reveal()
    pasted = Client(sandbox.url, token=f"Bearer {token}", policy=RetryPolicy(sleep=lambda s: None))
    assert isinstance(pasted.get_blacklist(), pd.DataFrame)
    sandbox.advance(2 * 3600)  # tokens live one simulated hour
    with pytest.raises(errors.AuthenticationError, match="new token"):
        pasted.get_blacklist()
    # with credentials, the client logs in again by itself
    assert isinstance(client.get_blacklist(), pd.DataFrame)
    assert client._token.reveal() != token


# -- faults ------------------------------------------------------------------
def test_flaky_gets_still_give_complete_identical_reports(sandbox):
    client = make_client(sandbox, max_retries=12)
    people = [{"mobile": "06" + str(12000000 + i), "N": str(i)} for i in range(200)]
    sent = client.send_campaign("Bonjour ${N}", recipients=people)
    sandbox.advance(6 * 3600)
    clean_csv = client.get_report(sent.id)
    clean_json = client.get_report(sent.id, format="json")
    sandbox.set_faults(rate=0.4, kinds=["500", "503", "429", "reset", "truncated"], methods=["GET"])
    for _ in range(5):
        pd.testing.assert_frame_equal(client.get_report(sent.id), clean_csv)
        pd.testing.assert_frame_equal(client.get_report(sent.id, format="json"), clean_json)
    assert requests.get(sandbox.root + "/_sandbox/faults", timeout=5).json()["injected"] > 0


def test_retry_after_is_honoured(sandbox):
    sleeps: list[float] = []
    client = make_client(sandbox, sleeps=sleeps)
    client.login()
    sandbox.set_faults(rate=1.0, kinds=["429"], methods=["GET"], retry_after=7, count=1)
    client.get_blacklist()
    assert sleeps == [7.0]


def test_posts_losing_their_answer_never_send_twice(sandbox):
    """40% of inject POSTs take effect and then lose their answer."""
    client = make_client(sandbox, max_retries=6)
    client.login()
    sandbox.set_faults(
        rate=0.4,
        kinds=["500", "reset", "truncated", "503"],
        methods=["POST"],
        routes=["/api/v1/campaigns/inject"],
        after_processing=True,
    )
    returned: dict[str, int] = {}
    ambiguous: list[str] = []
    for i in range(30):
        msg = f"Campagne {i}"
        try:
            returned[msg] = client.send_campaign(msg, recipients=["0612345678"]).id
        except errors.AmbiguousSendError:
            ambiguous.append(msg)
    sandbox.set_faults(rate=0)
    campaigns = stored_campaigns(sandbox)
    sent = [c for c in campaigns if c["status"] != "DRAFT"]
    per_message: dict[str, list[int]] = {}
    for c in sent:
        per_message.setdefault(c["message"], []).append(c["id"])
    assert all(len(ids) == 1 for ids in per_message.values()), per_message
    for msg, cid in returned.items():
        assert per_message[msg] == [cid]
    assert len(returned) + len(ambiguous) == 30
    assert len(returned) >= 20


def test_one_shot_send_is_not_retried_when_the_answer_is_lost(sandbox):
    client = make_client(sandbox)
    client.login()
    sandbox.set_faults(rate=1.0, kinds=["reset"], methods=["POST"], after_processing=True, count=1)
    with pytest.raises(errors.AmbiguousSendError, match="get_reports"):
        client.send_now("Une fois", recipients=["0612345678"])
    assert [c["status"] for c in stored_campaigns(sandbox)] == ["INJECTED"]


def test_one_shot_send_is_not_repeated_after_a_429(sandbox):
    """A 429 does not prove the request was not processed (a proxy may answer it after the
    server acted): a send_now is never repeated, the caller is told how to check."""
    client = make_client(sandbox)
    client.login()
    sandbox.set_faults(rate=1.0, kinds=["429"], methods=["POST"], count=1)
    with pytest.raises(errors.AmbiguousSendError, match="get_reports") as info:
        client.send_now("Une fois", recipients=["0612345678"])
    assert info.value.status == 429
    assert stored_campaigns(sandbox) == []  # this 429 came before processing; nothing was repeated


def test_one_shot_send_is_repeated_when_the_connection_was_refused():
    """A refused connection proves nothing was sent: that, and only that, is repeated."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: connecting is refused
    client = Client(
        f"http://127.0.0.1:{port}/api/v1", token="x", policy=RetryPolicy(sleep=lambda s: None), max_retries=2, timeout=2
    )
    with pytest.raises(errors.APIConnectionError, match="3 attempt"):
        client.send_now("Bonjour", recipients=["0612345678"])


def test_tampered_download_raises_integrity_error(sandbox):
    class Tamper(requests.Session):
        def request(self, method, url, **kwargs):
            response = super().request(method, url, **kwargs)
            if "/campaigns/report/" in url:
                response._content = response.content.replace(b"+33", b"+34")
            return response

    client = make_client(sandbox, session=Tamper(), max_retries=1)
    sent = client.send_campaign("Bonjour", recipients=["0612345678"])
    with pytest.raises(errors.IntegrityError):
        client.get_report(sent.id)


def test_unreachable_server_is_a_connection_error():
    client = Client(
        "http://127.0.0.1:9/api/v1", token="x", timeout=2, policy=RetryPolicy(sleep=lambda s: None), max_retries=1
    )
    with pytest.raises(errors.APIConnectionError):
        client.get_blacklist()


# -- secrets -----------------------------------------------------------------
def test_secrets_never_reach_logs_reprs_errors_or_pickles(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(sandbox)
    sent = client.send_campaign("Bonjour", recipients=["0612345678"])
    token = client._token.reveal()
    sandbox.set_faults(rate=1.0, kinds=["500"], methods=["GET"], count=4)
    with pytest.raises(errors.APIError) as info:
        client.get_report(sent.id)
    texts = [caplog.text, repr(client), str(client.__dict__), str(info.value), repr(info.value)]
    texts.append(pickle.dumps(info.value).decode("latin-1"))
    for text in texts:
        assert PASSWORD not in text
        assert token not in text
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)


def test_from_env_reads_at_call_time(monkeypatch, sandbox):
    monkeypatch.delenv("MEDIASFLOW_TOKEN", raising=False)
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", sandbox.url)
    monkeypatch.setenv("MEDIASFLOW_USERNAME", "alice")
    monkeypatch.setenv("MEDIASFLOW_PASSWORD", PASSWORD)
    client = Client.from_env()
    assert isinstance(client.get_blacklist(), pd.DataFrame)
    monkeypatch.delenv("MEDIASFLOW_PASSWORD")
    with pytest.raises(errors.ValidationError, match="MEDIASFLOW_PASSWORD"):
        Client.from_env()


# -- what a notebook shows ---------------------------------------------------------
def test_campaign_html_escapes_what_the_api_sent(sandbox):
    client = make_client(sandbox)
    name = "<script>alert(1)</script>"
    draft = client.prepare_campaign("Bonjour", recipients=["0612345678"], campaign_name=name)
    assert draft["campaignName"] == name  # the sandbox sent it back as given
    shown = draft._repr_html_()
    assert "<script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


def test_repr_never_shows_url_credentials():
    # a URL with user:password@ is refused; even a base URL set afterwards shows no userinfo
    client = Client("https://app.mediasflow.com/api/v1", token="x")
    client._transport.base_url = "https://bob:hunter2-pw@app.mediasflow.com/api/v1"
    assert "hunter2-pw" not in repr(client) and "bob" not in repr(client)
    with pytest.raises(errors.ValidationError, match="username="):
        Client("https://bob:hunter2-pw@app.mediasflow.com/api/v1", token="x")


def test_max_retries_given_only_in_the_policy_is_kept():
    client = Client(token="x", policy=RetryPolicy(max_retries=5))
    assert client._transport.policy.max_retries == 5
    assert Client(token="x", policy=RetryPolicy(max_retries=5), max_retries=1)._transport.policy.max_retries == 1
    assert Client(token="x")._transport.policy.max_retries == 3
    with pytest.raises(errors.ValidationError, match="max_retries"):
        Client(token="x", max_retries=-1)
