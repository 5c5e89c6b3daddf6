"""Every campaign status and status code of the guide can be seen through the
client: INPROGRESS and INJECTING (2.1.3.1) for their documented times, codes
12, 19 and 23 (section 3) from their documented triggers, and the guide's
default length (160 GSM-7 / 70 UCS-2 characters, one SMS) in the sandbox, the
client and the guide alike."""

from __future__ import annotations

import pytest
import requests
from sandbox_api import Api

from mfanalytics.api.client import Client
from mfanalytics.errors import InvalidRequestError, MessageError
from mfanalytics.sandbox.auth import Account

# the guide's section 3, typed from the guide
LABELS = {12: "Erreur de traitement", 19: "Tarif manquant", 23: "Message supprimé", 9: "En cours d'envoi"}


def _status(sb, cid):
    return requests.get(sb.root + f"/_sandbox/campaigns/{cid}", timeout=10).json()["status"]


def _codes(client, cid):
    report = client.get_report(cid)
    return dict(zip(report["mobile"], report["status_code"].astype(int))), dict(
        zip(report["status_code"].astype(int), report["status_text"])
    )


# -- codes 12, 19, 23 ---------------------------------------------------------------
def test_magic_numbers_give_codes_12_19_and_23(sb):
    client = sb.client()
    sent = client.send_campaign("Promo", recipients=["0639980012", "0639980019", "0639980023", "0639980016"])
    assert sent["countValid"] == 3 and sent["creditCount"] == 3.0  # 19 is not sent, so not charged
    sb.advance(1.5)
    codes, texts = _codes(client, sent.id)
    assert codes == {"+33639980012": 9, "+33639980019": 19, "+33639980023": 9, "+33639980016": 9}
    sb.advance(0.5)  # +2 s: 12 and 23 end before the operator, never 24 or 10
    codes, texts = _codes(client, sent.id)
    assert codes == {"+33639980012": 12, "+33639980019": 19, "+33639980023": 23, "+33639980016": 24}
    assert {c: texts[c] for c in (12, 19, 23)} == {c: LABELS[c] for c in (12, 19, 23)}
    sb.advance(3600)
    codes, _ = _codes(client, sent.id)
    assert (codes["+33639980012"], codes["+33639980023"], codes["+33639980016"]) == (12, 23, 16)


def test_a_destination_without_price_is_code_19(sb):
    sb.add_user("world", "pw", countries=["FR", "BR"])  # Brazil is allowed but the sandbox has no price for it
    client = sb.client("world", "pw")
    sent = client.send_campaign("Promo", recipients=["+5511912345678", "0639980016"])
    assert sent["countValid"] == 1 and sent["countNotAllow"] == 0
    codes, texts = _codes(client, sent.id)
    assert codes["+5511912345678"] == 19 and texts[19] == LABELS[19]


# -- INPROGRESS and INJECTING -----------------------------------------------------------
def _ten_thousand(client):
    numbers = "\n".join(f"063998{n:04d}" for n in range(10_000))  # 100 of them (15xx) are on the global blacklist
    return client.upload_list("mobile\n" + numbers + "\n", filename="big.csv")["id"]


def test_a_campaign_is_inprogress_then_injecting_then_injected(sb):
    client = sb.client()
    list_id = _ten_thousand(client)
    draft = client.prepare_campaign("Promo", list_id=list_id)
    assert draft.status == "INPROGRESS"  # 10,000 recipients at 10,000 per second: 1 s of processing
    queued = client.inject_campaign(draft.id)
    assert queued.status == "INPROGRESS"  # injected as soon as it is processed
    with pytest.raises(InvalidRequestError) as err:  # never twice
        client.inject_campaign(draft.id)
    assert err.value.status == 409
    sb.advance(0.9)
    assert _status(sb, draft.id) == "INPROGRESS"
    sb.advance(0.1)
    # processed at +1 s and injected then: 9,899 sendable at 500 per second, INJECTING for 19 s
    assert _status(sb, draft.id) == "INJECTING"
    codes, _ = _codes(client, draft.id)
    assert set(codes.values()) >= {1, 15, 19}
    sb.advance(18.9)
    assert _status(sb, draft.id) == "INJECTING"
    sb.advance(0.1)
    assert _status(sb, draft.id) == "INJECTED"


def test_the_inject_answer_says_injecting(sb):
    client = sb.client()
    draft = client.prepare_campaign("Promo", list_id=_ten_thousand(client))
    sb.advance(1)
    assert _status(sb, draft.id) == "DRAFT"
    sent = client.inject_campaign(draft.id)
    assert sent.status == "INJECTING" and sent["countPosted"] == 9_899
    sb.advance(19)
    assert _status(sb, draft.id) == "INJECTED"


def test_small_campaigns_are_injected_at_once(sb):
    sent = sb.client().send_campaign("Promo", recipients=[f"0639980{n:03d}" for n in range(499)])
    assert sent.status == "INJECTED"
    # 0639980019 has no price (19): 501 numbers, 500 sent, handed over in 1 s
    sent = sb.client().send_campaign("Promo", recipients=[f"0639980{n:03d}" for n in range(501)])
    assert sent.status == "INJECTING" and sent["countPosted"] == 500
    sb.advance(1)
    assert _status(sb, sent.id) == "INJECTED"


def test_the_send_form_shows_inprogress_and_injecting(sb):
    from mfanalytics.widgets import SendForm

    client = sb.client()
    form = SendForm(client, max_recipients=20_000)
    form.recipients.value = "\n".join(f"06{n:08d}" for n in range(12_000_000, 12_010_000))
    form.message.value = "Promo STOP 36184"  # a marketing message with its STOP mention, on a Monday at 10:00
    draft = form.validate()
    assert draft.status == "INPROGRESS" and "INPROGRESS (being processed" in form.status.value
    sb.advance(1)
    sent = form.send()
    assert sent.status == "INJECTING" and "INJECTING (being injected" in form.status.value


# -- the guide's default length ------------------------------------------------------------
def test_the_guides_160_and_70_in_sandbox_client_and_guide(sb):
    assert Account.__dataclass_fields__["max_segments"].default == 1
    api = Api(sb)
    for msg, ucs2, ok in (
        ("a" * 160, False, True),
        ("a" * 161, False, False),
        ("ê" * 70, True, True),
        ("ê" * 71, True, False),
    ):
        r = api.post(
            "/campaigns/inject",
            json={"listRecipient": ["0639980016"], "msg": msg, "allowUCS2": ucs2, "startNow": False},
        )
        assert (r.status_code == 200) == ok, (len(msg), r.text)
    client = Client(sb.url, username="demo", password="demo")
    assert client.max_segments == 1
    client.prepare_campaign("a" * 160, recipients=["0639980016"])
    with pytest.raises(MessageError) as err:
        client.prepare_campaign("a" * 161, recipients=["0639980016"])
    assert err.value.rule == "too-long" and "160" in str(err.value)
    with pytest.raises(MessageError):
        client.prepare_campaign("ê" * 71, recipients=["0639980016"], allow_ucs2=True)


def test_the_client_takes_the_accounts_maximum(sb):
    sb.add_user("long", "pw", max_segments=3)  # configured on request: 3 x 153 = 459 characters
    client = Client(sb.url, username="long", password="pw")
    draft = client.prepare_campaign("a" * 459, recipients=["0639980016"])
    assert client.max_segments == 3 and draft["creditCount"] == 3.0
    with pytest.raises(MessageError):
        client.prepare_campaign("a" * 460, recipients=["0639980016"])
    r = Api(sb, "long", "pw").post("/campaigns/inject", json={"listRecipient": ["0639980016"], "msg": "a" * 460})
    assert r.status_code == 400
    # an explicit max_segments is the user's word
    assert Client(sb.url, username="long", password="pw", max_segments=1).max_segments == 1
    with pytest.raises(MessageError):
        Client(sb.url, username="long", password="pw", max_segments=1).prepare_campaign(
            "a" * 200, recipients=["0639980016"]
        )
