"""Every not-sent code the sandbox decides at injection, list uploads, credits."""

from __future__ import annotations

import hashlib
import pathlib

import pytest
import requests
from sandbox_api import Api

DATA = pathlib.Path(__file__).parents[1] / "data"

# French labels of the guide's section 3, typed from the guide
LABELS = {
    2: "Numéro mal formaté",
    3: "Destination non autorisée",
    4: "Doublons",
    5: "Erreur de personnalisation",
    6: "Caractère UCS2 non autorisé",
    7: "Message trop long",
    8: "Crédit insuffisant",
    14: "Destinataire dans votre blacklist",
    15: "Destinataire dans notre blacklist globale",
    18: "Destinataire dans votre blacklist client",
}


def codes_of(api, cid):
    return [(r["ID_LINE"], r["STATUS_CODE"], r["STATUS_TEXT"]) for r in api.report(cid)]


def test_malformed_destination_and_duplicate(api):
    sent = api.send(["0639980016", "12", "+14155552671", "+33 6 39 98 00 16", "0639980020"], msg="Promo")
    assert (
        sent["countValid"],
        sent["countInvalidRecipient"],
        sent["countNotAllow"],
        sent["countDuplicateRecipient"],
    ) == (2, 1, 1, 1)
    assert [(line, code) for line, code, _ in codes_of(api, sent["id"])] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 1)]
    assert {code: text for _, code, text in codes_of(api, sent["id"]) if code != 1} == {c: LABELS[c] for c in (2, 3, 4)}


def test_check_duplicate_false_sends_twice(api):
    for flag in ("FALSE", False, "false"):
        sent = api.send(["0639980016", "0639980016"], msg="Promo", checkDuplicate=flag)
        assert sent["countValid"] == 2 and sent["creditCount"] == 2.0


def test_allowed_countries_per_account(sb):
    sb.add_user("be_only", "pw", countries=["BE"])
    api = Api(sb, "be_only", "pw")
    sent = api.send(["0639980016", "+32470123456"], msg="Promo")
    assert [code for _, code, _ in codes_of(api, sent["id"])] == [3, 1]


def test_personalisation_and_non_gsm_field_and_too_long(api):
    recipients = [
        {"mobile": "0639980016", "PRENOM": "Ana"},
        {"mobile": "0639980020"},  # no PRENOM, no default: 5
        {"mobile": "0639980021", "PRENOM": "Łukasz"},  # Ł is not GSM-7 and UCS-2 is off: 6
        {"mobile": "0639980025", "PRENOM": "A" * 200},  # over one SMS on an account allowing one: 7
    ]
    api.sb.state.accounts.users["demo"].max_segments = 1
    sent = api.send(recipients, msg="Bonjour ${PRENOM}")
    assert sent["countErrorRendering"] == 3 and sent["countValid"] == 1
    assert [code for _, code, _ in codes_of(api, sent["id"])] == [1, 5, 6, 7]


def test_default_for_header_fills_empty_fields(api):
    sent = api.send(
        [{"mobile": "0639980016"}, {"mobile": "0639980020", "PRENOM": ""}],
        msg="Bonjour ${PRENOM}",
        defaultForHeader={"PRENOM": "client"},
    )
    assert sent["countValid"] == 2
    sample = requests.get(api.sb.root + f"/_sandbox/campaigns/{sent['id']}").json()["sample"]
    assert [s["text"] for s in sample] == ["Bonjour client", "Bonjour client"]


def test_non_gsm_message_without_ucs2_is_not_sent_at_all(api):
    body = {"listRecipient": ["0639980016"], "msg": "Offre spéciale ✓", "startNow": True}
    r = api.post("/campaigns/inject", json=body)
    assert r.status_code == 400 and r.json()["status"] == 400
    assert api.sb.state.campaigns == {}
    assert api.post("/campaigns/inject", json={**body, "allowUCS2": True}).status_code == 200


def test_auto_replace_to_gsm7_keeps_one_sms(api):
    sent = api.send(["0639980016"], msg="Leçon à Noël: " + "x" * 140, autoREPLACETOGSM7=True)
    assert sent["countValid"] == 1 and sent["creditCount"] == 1.0
    text = requests.get(api.sb.root + f"/_sandbox/campaigns/{sent['id']}").json()["sample"][0]["text"]
    assert "ç" not in text


def test_credits_are_segments_times_recipients_and_run_out(sb, api):
    long_msg = "a" * 200  # 2 GSM-7 segments (153 per part)
    sb.state.accounts.users["demo"].max_segments = 2  # an account configured for 306 characters
    sent = api.send(["0639980016", "0639980020", "0639980021"], msg=long_msg)
    assert sent["creditCount"] == 6.0
    assert sb.state.accounts.users["demo"].credit == 1_000_000_000 - 6
    sb.state.accounts.users["demo"].credit = 5  # room for 2 recipients of 2 SMS
    sent = api.send(["0639980016", "0639980020", "0639980021"], msg=long_msg)
    assert sent["countMaxCrediteOver"] == 1 and sent["creditCount"] == 4.0
    assert [code for _, code, _ in codes_of(api, sent["id"])] == [1, 1, 8]
    assert sb.state.accounts.users["demo"].credit == 1


def test_account_brand_and_global_blacklists(sb, api):
    api.post("/blacklist", json={"item": "0639980016", "typeItem": "MOBILE"})
    api.post("/blacklist", json={"item": "0639980020", "typeItem": "MOBILE", "brand": "Lecoq"})
    assert requests.post(sb.root + "/_sandbox/blacklist", json={"items": ["+33639980021"]}).status_code == 200
    numbers = ["0639980016", "0639980020", "0639980021", "0639981500", "0639980025"]
    sent = api.send(numbers, msg="Promo", brand="Lecoq")
    assert (sent["countBlackListCUSTOMER"], sent["countBlackListBRAND"], sent["countBlackListMEDIASFLOW"]) == (1, 1, 2)
    assert sent["countInBlackListRecipient"] == 4 and sent["countValid"] == 1
    assert [(code, text) for _, code, text in codes_of(api, sent["id"])] == [
        (14, LABELS[14]),
        (18, LABELS[18]),
        (15, LABELS[15]),
        (15, LABELS[15]),
        (1, "En cours de traitement"),
    ]
    # without the brand, the brand entry does not apply
    other = api.send(numbers, msg="Promo")
    assert [code for _, code, _ in codes_of(api, other["id"])] == [14, 1, 15, 15, 1]


def test_blacklist_added_between_prepare_and_inject_applies(api):
    draft = api.prepare(["0639980016"], msg="Promo")
    assert draft["countValid"] == 1
    api.post("/blacklist", json={"item": "+33639980016", "typeItem": "MOBILE"})
    injected = api.post("/campaigns/inject", json={"campaignId": draft["id"], "startNow": True}).json()
    assert injected["countValid"] == 0 and injected["creditCount"] == 0.0
    assert codes_of(api, draft["id"])[0][1] == 14


# -- lists ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sandbox_list.csv", "sandbox_list_cp1252.csv"])
def test_upload_list_answers_the_analysis_and_is_usable(api, name):
    content = (DATA / name).read_bytes()
    r = api.post(
        "/lists/upload",
        files={"File": (name, content, "text/csv")},
        data={"filename": name, "description": "demo"},
        headers={"X-Content-SHA256": hashlib.sha256(content).hexdigest()},
    )
    assert r.status_code == 200, r.text
    analysis = r.json()
    assert analysis["charsetDetected"] == ("UTF-8" if "1252" not in name else "WINDOWS-1252")
    assert analysis["size"] == 5 and analysis["header"] == ["mobile", "PRENOM", "NOM", "VILLE", "REF"]
    assert (analysis["validNumberMOBILE"], analysis["invalidNumberMOBILE"]) == (4, 1)
    assert analysis["invalidLineList"] == [4] and analysis["lineDuplicateMobile"] == ["3"]
    assert analysis["emptyKeys"] == ["VILLE"]
    sent = api.send(
        None, msg="Bonjour ${PRENOM} de ${VILLE}", listsId=[analysis["id"]], defaultForHeader={"VILLE": "France"}
    )
    rows = api.report(sent["id"])
    assert [(r["REF_LIST"], r["ID_LINE"], r["STATUS_CODE"], r["PRENOM"]) for r in rows] == [
        ("demo", 1, 1, "Zoé"),
        ("demo", 2, 1, "Léo"),
        ("demo", 3, 4, "Zoé"),
        ("demo", 4, 2, "Ana"),
        ("demo", 5, 6, "Éloïse"),
    ]  # ï is not GSM-7
    assert "mobile" not in rows[0]


def test_upload_with_wrong_digest_is_400(api):
    content = (DATA / "sandbox_list.csv").read_bytes()
    r = api.post(
        "/lists/upload",
        files={"File": ("l.csv", content)},
        data={"filename": "l.csv"},
        headers={"X-Content-SHA256": hashlib.sha256(content + b"x").hexdigest()},
    )
    assert r.status_code == 400 and "SHA-256" in r.json()["message"]
    assert api.sb.state.lists == {}


def test_upload_without_mobile_column_or_file_is_400(api):
    r = api.post("/lists/upload", files={"File": ("l.csv", b"nom;ville\nAna;Paris\n")}, data={"filename": "l.csv"})
    assert r.status_code == 400 and r.json()["status"] == 400
    r = api.post("/lists/upload", data={"filename": "l.csv"})
    assert r.status_code == 400


def test_list_of_another_account_is_not_usable(sb, api):
    content = (DATA / "sandbox_list.csv").read_bytes()
    list_id = api.post("/lists/upload", files={"File": ("l.csv", content)}, data={"filename": "l.csv"}).json()["id"]
    sb.add_user("other", "pw")
    r = Api(sb, "other", "pw").post("/campaigns/inject", json={"listsId": [list_id], "msg": "x", "startNow": False})
    assert r.status_code == 404


def test_campaign_5000_sample_uploads_and_sends(sb, api):
    path = pathlib.Path("data_samples/campaign_5000.csv")
    content = path.read_bytes()
    analysis = api.post("/lists/upload", files={"File": (path.name, content)}, data={"filename": path.name}).json()
    assert analysis["size"] >= 5000
    sent = api.send(None, msg="Bonjour ${PRENOM}, -20% ce week-end", listsId=[analysis["id"]], autoREPLACETOGSM7=True)
    # 5,000 recipients are handed to the operators at 500 per second: INJECTING for 10 s
    assert sent["status"] == "INJECTING" and sent["countRecipient"] == analysis["size"]
    sb.advance(3 * 86400)
    api.login()
    rows = api.report(sent["id"])
    assert len(rows) == analysis["size"]


def test_upload_of_the_guides_example_list_gives_the_guides_analysis(api):
    """The guide's 2.9.1 answer (data_samples/upload_analysis_2.9.1.json) is the oracle;
    only identities, dates and paths differ."""
    import json

    guide = json.loads(pathlib.Path("data_samples/upload_analysis_2.9.1.json").read_text(encoding="utf-8"))
    content = pathlib.Path("data_samples/liste_demo.csv").read_bytes()
    got = api.post(
        "/lists/upload",
        files={"File": ("liste_demo.csv", content)},
        data={"filename": "liste_demo.csv", "description": "liste_demo"},
    ).json()
    assert set(guide) <= set(got)
    for key in set(guide) - {"creationDate", "filePath", "id", "userOwnerID", "customerID", "emptyKeys"}:
        assert got[key] == guide[key], key
    assert sorted(got["emptyKeys"]) == sorted(guide["emptyKeys"])
    assert got["userOwnerID"] == api.sb.state.accounts.users["demo"].user_id


# -- issue 12, section 2: what the guide allows is used, what it does not is refused ----------
def test_lists_id_together_with_list_recipient(api):
    content = b"mobile;PRENOM\n0639980016;Ana\n0639980020;Bea\n0639980016;Ana bis\n"
    list_id = api.post("/lists/upload", files={"File": ("l.csv", content)}, data={"filename": "l.csv"}).json()["id"]
    sent = api.send(
        [{"mobile": "0639980021", "PRENOM": "Cy"}, {"mobile": "0639980020", "PRENOM": "Dan"}],
        msg="Bonjour ${PRENOM}",
        listsId=[list_id],
    )
    assert sent["countRecipient"] == 5 and sent["countValid"] == 3 and sent["countDuplicateRecipient"] == 2
    rows = api.report(sent["id"])
    assert [(r["REF_LIST"], r["ID_LINE"], r["STATUS_CODE"]) for r in rows] == [
        ("l.csv", 1, 1),
        ("l.csv", 2, 1),
        ("l.csv", 3, 4),
        ("listRecipient", 1, 1),
        ("listRecipient", 2, 4),
    ]
    # the campaign's list: its lines 3 and 5 repeat a number seen before
    assert sent["listInCampaign"]["lineDuplicateMobile"] == [
        "3",
        "5",
    ]  # strings, as the guide and /lists/upload write them
    assert sent["listInCampaign"]["countDuplicateMobile"] == 2


def test_line_duplicate_mobile_lists_the_lines(api):
    draft = api.prepare(["0639980016", "0639980020", "+33639980016", "0639980020", "0639980021"], msg="Promo")
    assert draft["listInCampaign"]["countDuplicateMobile"] == 2
    assert draft["listInCampaign"]["lineDuplicateMobile"] == ["3", "4"]
    assert api.prepare(["0639980016"], msg="Promo")["listInCampaign"]["lineDuplicateMobile"] == []


def test_a_link_without_tinylist_entry_is_refused(api):
    r = api.post(
        "/campaigns/inject", json={"listRecipient": ["0639980016"], "msg": "Promo ${track_1}", "startNow": True}
    )
    assert r.status_code == 400
    assert "${track_1}" in r.json()["message"] and "field 'tinyList'" in r.json()["message"]
    assert api.sb.state.campaigns == {}  # nothing prepared, nothing sent
