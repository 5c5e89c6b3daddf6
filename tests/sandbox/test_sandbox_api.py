"""The sandbox's HTTP contract, exercised with plain ``requests`` as a client
written from the guide would."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

import pytest
import requests
from sandbox_api import Api

AUTH_ROUTES = [
    ("POST", "/campaigns/inject"),
    ("POST", "/campaigns/1001/cancel"),
    ("GET", "/campaigns/report/1001"),
    ("GET", "/campaigns/reportjson/1001"),
    ("GET", "/campaigns/reportjson/?from=2026-03-02"),
    ("GET", "/campaigns/report/?from=2026-03-02"),
    ("POST", "/blacklist"),
    ("GET", "/blacklist"),
    ("POST", "/lists/upload"),
]


# -- login, tokens, addresses --------------------------------------------------
def test_login_puts_bearer_in_header_and_body(sb):
    r = requests.post(sb.url + "/auth/login", json={"username": "demo", "password": "demo"})
    assert r.status_code == 200
    token = r.json()["token"]
    assert r.headers["Authorization"] == f"Bearer {token}"
    assert len(token) >= 32


def test_two_logins_give_different_tokens(sb):
    a = requests.post(sb.url + "/auth/login", json={"username": "demo", "password": "demo"}).json()["token"]
    b = requests.post(sb.url + "/auth/login", json={"username": "demo", "password": "demo"}).json()["token"]
    assert a != b


@pytest.mark.parametrize("body", [{"username": "demo", "password": "nope"}, {"username": "who", "password": "demo"}])
def test_wrong_credentials_answer_401_json(sb, body):
    r = requests.post(sb.url + "/auth/login", json=body)
    assert r.status_code == 401
    assert r.json()["status"] == 401 and r.json()["message"]
    assert "Authorization" not in r.headers


@pytest.mark.parametrize("method,path", AUTH_ROUTES)
def test_every_api_route_needs_a_token(sb, method, path):
    r = requests.request(method, sb.url + path)
    assert r.status_code == 401
    assert r.json() == {"status": 401, "message": r.json()["message"]}
    r = requests.request(method, sb.url + path, headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401


def test_token_expires_after_one_hour_of_simulated_time(sb, api):
    assert api.get("/blacklist").status_code == 200
    sb.advance(3599)
    assert api.get("/blacklist").status_code == 200
    sb.advance(1)
    r = api.get("/blacklist")
    assert r.status_code == 401
    assert "expired" in r.json()["message"]


def test_address_outside_allow_list_gets_403(sb):
    sb.add_user("remote", "pw", allowed_hosts=["203.0.113.7"])
    r = requests.post(sb.url + "/auth/login", json={"username": "remote", "password": "pw"})
    assert r.status_code == 403
    assert r.json()["status"] == 403
    # a token obtained earlier does not help either
    token = sb.state.accounts.login("remote", "pw", now=sb.state.now())
    r = requests.get(sb.url + "/blacklist", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


def test_swagger_page_and_openapi(sb):
    r = requests.get(sb.root + "/MediasflowApi")
    assert r.status_code == 200 and "swagger" in r.text.lower()
    spec = requests.get(sb.root + "/MediasflowApi/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/v1/auth/login",
        "/api/v1/campaigns/inject",
        "/api/v1/blacklist",
        "/api/v1/lists/upload",
        "/api/v1/campaigns/report/{campaignId}",
        "/api/v1/campaigns/reportjson/",
    } <= paths


# -- prepare, inject, schedule, cancel -----------------------------------------
def test_prepare_answers_a_draft_with_the_guide_fields(api):
    draft = api.prepare([{"mobile": "0639980016", "PRENOM": "Ana"}, {"mobile": "0639980020", "PRENOM": "Léo"}])
    with open("data_samples/prepare_answer_2.1.3.1.json", encoding="utf-8") as f:
        guide = json.load(f)
    assert set(guide) <= set(draft), set(guide) - set(draft)
    assert draft["status"] == "DRAFT"
    assert draft["countRecipient"] == 2 and draft["countValid"] == 2
    assert draft["creditCount"] == 2.0
    assert draft["message"] == "Bonjour ${PRENOM}"
    assert draft["renderer"] == "BASIC"
    # no sender given: the default marketing short code 36xxx
    assert draft["sender"] == draft["shortCode"]
    assert len(draft["sender"]) == 5 and draft["sender"].startswith("36")


def test_notification_default_sender_is_38xxx_and_a_sender_is_kept(api):
    notif = api.prepare(["0639980016"], msg="Code 1234", typeSelect="NOTIFICATION")
    assert notif["sender"].startswith("38") and len(notif["sender"]) == 5
    named = api.prepare(["0639980016"], msg="Promo", sender="MaMarque")
    assert named["sender"] == "MaMarque" and named["shortCode"].startswith("36")


@pytest.mark.parametrize("sender", ["AB", "ABCDEFGHIJKL", "12345", "Ma-Marque"])
def test_bad_sender_answers_400(api, sender):
    r = api.post(
        "/campaigns/inject", json={"listRecipient": ["0639980016"], "msg": "x", "sender": sender, "startNow": False}
    )
    assert r.status_code == 400
    assert "sender" in r.json()["message"]


def test_inject_a_draft_then_again_is_409(sb, api):
    draft = api.prepare(["0639980016"])
    r = api.post("/campaigns/inject", json={"campaignId": draft["id"], "startNow": True})
    assert r.status_code == 200 and r.json()["status"] == "INJECTED"
    again = api.post("/campaigns/inject", json={"campaignId": draft["id"], "startNow": True})
    assert again.status_code == 409 and again.json()["status"] == 409
    assert sb.state.campaigns[draft["id"]].status == "INJECTED"


def test_start_now_without_campaign_id_prepares_and_injects(api):
    r = api.post(
        "/campaigns/inject", json={"listRecipient": [{"mobile": "0639980016"}], "msg": "Hello", "startNow": True}
    )
    assert r.status_code == 200
    assert r.json()["status"] == "INJECTED" and r.json()["countPosted"] == 1


def test_unknown_campaign_is_404(api):
    assert api.post("/campaigns/inject", json={"campaignId": 99999, "startNow": True}).status_code == 404
    assert api.get("/campaigns/report/99999").status_code == 404
    assert api.post("/campaigns/99999/cancel").status_code == 404


def test_another_users_campaign_is_404(sb, api):
    sb.add_user("other", "pw")
    draft = api.prepare(["0639980016"])
    other = Api(sb, "other", "pw")
    assert other.get(f"/campaigns/report/{draft['id']}").status_code == 404


def test_schedule_must_be_five_minutes_ahead(api):
    soon = {"listRecipient": ["0639980016"], "msg": "x", "startNow": True, "scheduleOn": "2026-03-02T09:04:59Z"}
    r = api.post("/campaigns/inject", json=soon)
    assert r.status_code == 400 and "5 minutes" in r.json()["message"]
    ok = api.post("/campaigns/inject", json={**soon, "scheduleOn": "2026-03-02T09:05:00Z"})
    assert ok.status_code == 200 and ok.json()["status"] == "SCHEDULED"


def test_scheduled_campaign_injects_when_the_clock_gets_there(sb, api):
    body = {"listRecipient": ["0639980016"], "msg": "x", "startNow": True, "scheduleOn": "2026-03-02T10:00:00Z"}
    cid = api.post("/campaigns/inject", json=body).json()["id"]
    assert api.get(f"/campaigns/report/{cid}").status_code == 409  # no report before injection
    sb.advance(3599)
    assert sb.state.campaigns[cid].status == "SCHEDULED"
    sb.advance(1 + 30)
    api.login()
    rows = api.report(cid)
    assert sb.state.campaigns[cid].status == "INJECTED"
    assert rows[0]["STATUS_CODE"] == 16
    assert rows[0]["DELIVERYDATE"] == "02/03/2026 11:00:30"  # 10:00:30 UTC, Paris is UTC+1 in March


def test_cancel_back_to_draft_then_the_window(sb, api):
    body = {"listRecipient": ["0639980016"], "msg": "x", "startNow": True, "scheduleOn": "2026-03-02T09:10:00Z"}
    cid = api.post("/campaigns/inject", json=body).json()["id"]
    r = api.post(f"/campaigns/{cid}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "DRAFT"
    assert api.post(f"/campaigns/{cid}/cancel").status_code == 409  # a DRAFT is not scheduled
    # schedule it again, then try to cancel 10 s and 9 s before
    r = api.post("/campaigns/inject", json={"campaignId": cid, "startNow": True})
    assert r.json()["status"] == "SCHEDULED"
    sb.set_clock("2026-03-02T09:09:50Z")
    assert api.post(f"/campaigns/{cid}/cancel").status_code == 200
    api.post("/campaigns/inject", json={"campaignId": cid, "startNow": True, "scheduleOn": "2026-03-02T09:20:00Z"})
    sb.set_clock("2026-03-02T09:19:51Z")
    late = api.post(f"/campaigns/{cid}/cancel")
    assert late.status_code == 409 and "10 s" in late.json()["message"]
    assert sb.state.campaigns[cid].status == "SCHEDULED"


def test_injecting_a_cancelled_draft_whose_time_passed_is_400(sb, api):
    body = {"listRecipient": ["0639980016"], "msg": "x", "startNow": True, "scheduleOn": "2026-03-02T09:10:00Z"}
    cid = api.post("/campaigns/inject", json=body).json()["id"]
    api.post(f"/campaigns/{cid}/cancel")
    sb.advance(3600)
    api.login()
    r = api.post("/campaigns/inject", json={"campaignId": cid, "startNow": True})
    assert r.status_code == 400 and "scheduleOn" in r.json()["message"]


# -- request encodings and errors ---------------------------------------------
def test_form_encoded_fields_carrying_json(api):
    fields = {
        "listRecipient": json.dumps(
            [{"mobile": "0639980016", "extendedKeys": [{"keyName": "PRENOM", "keyValue": "Ana"}]}]
        ),
        "msg": "Bonjour ${PRENOM}",
        "startNow": "false",
        "checkDuplicate": "TRUE",
    }
    r = api.post("/campaigns/inject", data=fields)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "DRAFT" and r.json()["countValid"] == 1


def test_form_encoded_whole_json_object(api):
    payload = json.dumps({"listRecipient": [{"mobile": "+33639980016"}], "msg": "a+b=c & d", "startNow": False})
    r = api.post(
        "/campaigns/inject",
        data=urlencode({payload: ""})[:-1],
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["message"] == "a+b=c & d"


def test_malformed_json_and_wrong_types_answer_400_json(api):
    r = api.post("/campaigns/inject", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["status"] == 400
    r = api.get("/campaigns/report/abc")
    assert r.status_code == 400 and r.json()["status"] == 400
    r = api.post("/campaigns/inject", json={"msg": "x", "startNow": False})
    assert r.status_code == 400 and "listRecipient" in r.json()["message"]


def test_unknown_renderer_and_renderer_logic_are_400(api):
    r = api.post(
        "/campaigns/inject",
        json={"listRecipient": ["0639980016"], "msg": "{{x}}", "renderer": "MUSTACHE", "startNow": False},
    )
    assert r.status_code == 400 and "renderer" in r.json()["message"]
    r = api.post(
        "/campaigns/inject",
        json={"listRecipient": ["0639980016"], "msg": "{{#if x}}a{{/if}}", "renderer": "HANDLEBARS", "startNow": False},
    )
    assert r.status_code == 400 and "{{#if x}}" in r.json()["message"]


def test_mediasflow_renderer(api):
    cid = api.send([{"mobile": "0639980016", "PRENOM": "Ana"}], msg="Bonjour $$[PRENOM]", renderer="MEDIASFLOW")["id"]
    state = requests.get(api.sb.root + f"/_sandbox/campaigns/{cid}").json()
    assert state["sample"][0]["text"] == "Bonjour Ana"


def test_recipient_keys_and_extended_keys_forms(sb, api):
    recipients = [
        {"sms": "0639980016", "extendedKeys": [{"NOM": "Diaz", "CP": "75001"}]},
        {"portable": "0639980020", "extendedKeys": [{"keyName": "NOM", "keyValue": "Roy"}]},
        {"gsm": "0639980021", "firstName": "Eve", "NOM": "Ba"},
    ]
    cid = api.send(recipients, msg="Bonjour ${NOM}")["id"]
    rows = api.report(cid)
    assert [r["INT_MOBILE"] for r in rows] == ["+33639980016", "+33639980020", "+33639980021"]
    assert [r["NOM"] for r in rows] == ["Diaz", "Roy", "Ba"]
    assert rows[0]["CP"] == "75001" and rows[2]["firstName"] == "Eve"
    r = api.post("/campaigns/inject", json={"listRecipient": [{"NOM": "x"}], "msg": "x", "startNow": False})
    assert r.status_code == 400 and "line 1" in r.json()["message"]


# -- reports ---------------------------------------------------------------------
def test_csv_report_columns_encoding_and_digest(sb, api):
    import hashlib

    tiny = [
        {"index": 0, "isOG": True, "type": "REDIRECT", "urlToRedirect": "https://example.org"},
        {"index": 1, "type": "REDIRECT", "urlToRedirect": "https://example.org/b"},
    ]
    cid = api.send(
        [{"mobile": "0639980116", "PRENOM": "Zoé", "NOM": "Ŕoy;x"}],
        msg="Bonjour ${PRENOM} ${track_1} ${track_2}",
        tinyList=tiny,
        allowUCS2=True,
    )["id"]
    sb.advance(200)
    r = api.get(f"/campaigns/report/{cid}")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["X-Content-SHA256"] == hashlib.sha256(r.content).hexdigest()
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8")), delimiter=";"))
    assert rows[0] == [
        "REF_LIST",
        "ID_LINE",
        "INT_MOBILE",
        "STATUS_CODE",
        "STATUS_TEXT",
        "DELIVERYDATE",
        "REPLY",
        "PREVIEW",
        "PREVIEW_COUNTER",
        "TRACK_1",
        "TRACK_1_COUNTER",
        "TRACK_2",
        "TRACK_2_COUNTER",
        "PRENOM",
        "NOM",
    ]
    # magic 01: delivered at +30 s, preview at +60 s, link k clicked once at +60+60k s
    assert rows[1] == [
        "listRecipient",
        "1",
        "+33639980116",
        "16",
        "Délivré",
        "02/03/2026 10:00:30",
        "",
        "02/03/2026 10:01:00",
        "1",
        "02/03/2026 10:02:00",
        "1",
        "02/03/2026 10:03:00",
        "1",
        "Zoé",
        "Ŕoy;x",
    ]


def test_report_status_filter_and_details(sb, api):
    cid = api.send(
        [
            {"mobile": "0639980016", "PRENOM": "A", "NOM": "X"},
            {"mobile": "0639980020", "PRENOM": "B", "NOM": "Y"},
            {"mobile": "0639980029", "PRENOM": "C", "NOM": "Z"},
        ]
    )["id"]
    sb.advance(60)
    rows = api.report(cid, status="16,29")
    assert [(r["ID_LINE"], r["STATUS_CODE"]) for r in rows] == [(1, 16), (3, 29)]
    r = api.get(f"/campaigns/report/{cid}", params={"details": "nom"})
    header = r.text.splitlines()[0].split(";")
    assert header[-1] == "NOM" and "PRENOM" not in header
    bad = api.get(f"/campaigns/report/{cid}", params={"details": "AGE"})
    assert bad.status_code == 400 and "AGE" in bad.json()["message"]


def test_json_report_same_rows_as_csv(sb, api):
    cid = api.send([{"mobile": "0639980016", "PRENOM": "A"}, {"mobile": "0639980031", "PRENOM": "B"}, "123"])["id"]
    sb.advance(10)
    text = api.get(f"/campaigns/report/{cid}").content.decode()
    csv_rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    json_rows = api.report(cid)
    assert len(csv_rows) == len(json_rows) == 3
    for c, j in zip(csv_rows, json_rows):
        assert set(c) == set(j)
        for key in c:
            assert c[key] == ("" if j[key] is None else str(j[key])), key


# -- period reports --------------------------------------------------------------
def test_period_report_rows_of_every_campaign_with_id(sb, api):
    a = api.send([{"mobile": "0639980016", "PRENOM": "Philippe"}])["id"]
    sb.advance(86400)
    api.login()
    b = api.send([{"mobile": "0639980020", "PRENOM": "Ana"}, {"mobile": "0639980016", "PRENOM": "Philippe"}])["id"]
    sb.advance(60)
    r = api.get("/campaigns/reportjson/", params={"from": "2026-03-02", "to": "2026-03-03"})
    assert r.status_code == 200
    assert [(x["CAMPAIGN_ID"], x["ID_LINE"]) for x in r.json()] == [(a, 1), (b, 1), (b, 2)]
    r = api.get("/campaigns/reportjson/", params={"from": "2026-03-03 00:00", "to": "2026-03-03"})
    assert {x["CAMPAIGN_ID"] for x in r.json()} == {b}
    r = api.get("/campaigns/report/", params={"from": "2026-03-02", "status": "20"})
    lines = r.text.splitlines()
    assert lines[0].startswith("CAMPAIGN_ID;REF_LIST;ID_LINE") and len(lines) == 2 and lines[1].startswith(f"{b};")


def test_period_over_seven_days_is_400_with_a_message(api):
    r = api.get("/campaigns/reportjson/", params={"from": "2026-03-01", "to": "2026-03-08"})
    assert r.status_code == 400 and "7" in r.json()["message"]
    assert api.get("/campaigns/reportjson/", params={"from": "2026-03-01", "to": "2026-03-07"}).status_code == 200
    assert (
        api.get("/campaigns/report/", params={"from": "2026-03-01 10:00", "to": "2026-03-08 10:00"}).status_code == 200
    )
    assert (
        api.get("/campaigns/report/", params={"from": "2026-03-01 10:00", "to": "2026-03-08 10:01"}).status_code == 400
    )
    missing = api.get("/campaigns/reportjson/")
    assert missing.status_code == 400 and "from" in missing.json()["message"]


def test_period_search_fiql(sb, api):
    api.send(
        [
            {"mobile": "0639980016", "PRENOM": "Philippe", "REF": "A1"},
            {"mobile": "0639980020", "PRENOM": "Ana", "REF": "A2"},
            {"mobile": "0639980021", "PRENOM": "Philippe", "REF": "B1"},
        ]
    )
    sb.advance(60)

    def lines(search):
        r = api.get("/campaigns/reportjson/", params={"from": "2026-03-02", "search": search})
        assert r.status_code == 200, r.text
        return [x["ID_LINE"] for x in r.json()]

    assert lines("item==0639980020") == [2]
    assert lines("item==+33639980020") == [2]
    assert lines("fields.prenom==Philippe") == [1, 3]
    assert lines("fields.PRENOM==Philippe;fields.REF==B1") == [3]
    assert lines("fields.REF==A2,fields.REF==B1") == [2, 3]
    assert lines("fields.REF==A*") == [1, 2]
    assert lines("fields.PRENOM!=Philippe") == [2]
    bad = api.get("/campaigns/reportjson/", params={"from": "2026-03-02", "search": "(item==1)"})
    assert bad.status_code == 400


def test_period_types_keyfield_and_userid(sb, api):
    sb.add_user("boss", "pw", role="ADMIN")
    sb.add_user("other", "pw")
    mine = api.send([{"mobile": "0639980016", "PRENOM": "A", "NOM": "B"}])["id"]
    theirs = Api(sb, "other", "pw").send(["0639980020"])["id"]
    q = {"from": "2026-03-02"}
    assert api.get("/campaigns/reportjson/", params={**q, "types": "EMAIL;VOCAL"}).json() == []
    rows = api.get("/campaigns/reportjson/", params={**q, "types": "SMS", "keyField": "NOM"}).json()
    assert [r["CAMPAIGN_ID"] for r in rows] == [mine] and "PRENOM" not in rows[0] and rows[0]["NOM"] == "B"
    boss = Api(sb, "boss", "pw")
    assert {r["CAMPAIGN_ID"] for r in boss.get("/campaigns/reportjson/", params=q).json()} == {mine, theirs}
    other_id = sb.state.accounts.users["other"].user_id
    assert {r["CAMPAIGN_ID"] for r in boss.get("/campaigns/reportjson/", params={**q, "userID": other_id}).json()} == {
        theirs
    }
    assert api.get("/campaigns/reportjson/", params={**q, "userID": other_id}).status_code == 403


# -- accounts acting for others, brands ------------------------------------------
def test_admin_may_act_for_another_user_others_get_403(sb, api):
    sb.add_user("boss", "pw", role="ADMIN")
    sb.add_user("shop", "pw")
    shop_id = sb.state.accounts.users["shop"].user_id
    r = api.post(
        "/campaigns/inject",
        json={"listRecipient": ["0639980016"], "msg": "x", "startNow": False, "userOwnerID": shop_id},
    )
    assert r.status_code == 403 and r.json()["status"] == 403
    boss = Api(sb, "boss", "pw")
    r = boss.post(
        "/campaigns/inject",
        json={"listRecipient": ["0639980016"], "msg": "x", "startNow": False, "userOwnerID": shop_id},
    )
    assert r.status_code == 200 and r.json()["userOwnerID"] == shop_id
    assert (
        Api(sb, "shop", "pw")
        .post("/campaigns/inject", json={"campaignId": r.json()["id"], "startNow": True})
        .status_code
        == 200
    )


# -- blacklist ---------------------------------------------------------------------
def test_blacklist_add_and_list(api):
    r = api.post(
        "/blacklist", json={"item": "06 39 98 00 55", "typeItem": "MOBILE", "createdDescription": "plainte en magasin"}
    )
    assert r.status_code == 200
    assert r.json()["item"] == "+33639980055"
    api.post("/blacklist", json={"item": "+33639980056", "typeItem": "MOBILE", "brand": "Lecoq"})
    listed = api.get("/blacklist").json()
    assert [(e["item"], e["brand"], e["createdDescription"]) for e in listed] == [
        ("+33639980055", None, "plainte en magasin"),
        ("+33639980056", "Lecoq", ""),
    ]
    assert api.post("/blacklist", json={"item": "12", "typeItem": "MOBILE"}).status_code == 400
    assert api.post("/blacklist", json={"item": "+33639980056", "typeItem": "FAX"}).status_code == 400


def test_blacklists_are_per_account(sb, api):
    sb.add_user("other", "pw")
    api.post("/blacklist", json={"item": "+33639980055", "typeItem": "MOBILE"})
    assert Api(sb, "other", "pw").get("/blacklist").json() == []


def test_stop_reply_puts_the_number_on_the_blacklist(sb, api):
    cid = api.send([{"mobile": "0639980017"}], msg="Promo", brand="Lecoq")["id"]
    sb.advance(59)
    assert api.get("/blacklist").json() == []
    assert api.report(cid)[0]["STATUS_CODE"] == 16
    sb.advance(1)
    row = api.report(cid)[0]
    assert (row["STATUS_CODE"], row["REPLY"]) == (17, "STOP")
    entries = api.get("/blacklist").json()
    assert [(e["item"], e["brand"]) for e in entries] == [("+33639980017", "Lecoq")]
    # the next campaign of that brand does not reach it (18); another brand's does
    again = api.send(["0639980017"], msg="Promo", brand="Lecoq")
    assert again["countBlackListBRAND"] == 1 and again["countValid"] == 0
    assert api.report(again["id"])[0]["STATUS_CODE"] == 18
    assert api.send(["0639980017"], msg="Promo", brand="Autre")["countValid"] == 1


# -- sandbox controls ----------------------------------------------------------------
def test_sandbox_clock_route(sb):
    r = requests.post(sb.root + "/_sandbox/clock", json={"advance": 90})
    assert r.json()["now"] == "2026-03-02T09:01:30Z"
    r = requests.post(sb.root + "/_sandbox/clock", json={"set": "2026-03-03T00:00:00Z"})
    assert r.json()["now"] == "2026-03-03T00:00:00Z"
    back = requests.post(sb.root + "/_sandbox/clock", json={"set": "2026-03-02T00:00:00Z"})
    assert back.status_code == 400 and back.json()["status"] == 400
    assert requests.post(sb.root + "/_sandbox/clock", json={}).status_code == 400


def test_sandbox_campaign_routes(sb, api):
    cid = api.send(
        [{"mobile": "0639980016", "PRENOM": "Ana"}],
        msg="Bonjour ${PRENOM} ${track_1}",
        tinyList=[{"index": 0, "urlToRedirect": "https://example.org"}],
    )["id"]
    listed = requests.get(sb.root + "/_sandbox/campaigns").json()
    assert [c["id"] for c in listed] == [cid]
    one = requests.get(sb.root + f"/_sandbox/campaigns/{cid}").json()
    assert one["status"] == "INJECTED" and one["message"] == "Bonjour ${PRENOM} ${track_1}"
    text = one["sample"][0]["text"]
    assert text.startswith("Bonjour Ana https://1mf.eu/")
    assert len(text) == len("Bonjour Ana ") + 22
    assert requests.get(sb.root + "/_sandbox/campaigns/5").status_code == 404


def test_non_loopback_clients_are_refused(sb):
    """Seen from another address (ASGI transport with a chosen client address)."""
    import asyncio

    import httpx

    from mfanalytics.sandbox.app import create_app

    async def run():
        transport = httpx.ASGITransport(app=create_app(sb.state), client=("203.0.113.9", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            control = await client.post("/_sandbox/clock", json={"advance": 60})
            login = await client.post("/api/v1/auth/login", json={"username": "demo", "password": "demo"})
            return control, login

    control, login = asyncio.run(run())
    assert control.status_code == 403 and control.json()["status"] == 403
    assert login.status_code == 403
    assert sb.state.clock.isoformat() == "2026-03-02T09:00:00Z"


def test_the_project_report_parser_reads_csv_and_json_alike(sb, api):
    """One data contract: mfanalytics.reports.parsing reads both report forms to the same frame."""
    import pandas as pd

    from mfanalytics.reports import parsing as reports

    tiny = [
        {"index": 0, "isOG": True, "urlToRedirect": "https://example.org"},
        {"index": 1, "urlToRedirect": "https://example.org/b"},
    ]
    numbers = [f"063998{n:04d}" for n in [*range(40), *range(100, 110), *range(2000, 2050), 1500]] + ["12"]
    cid = api.send(
        [{"mobile": m, "PRENOM": "Zoé"} for m in numbers], msg="Bonjour ${PRENOM} ${track_1} ${track_2}", tinyList=tiny
    )["id"]
    sb.advance(400)
    from_csv = reports.parse_report(api.get(f"/campaigns/report/{cid}").content, campaign_id=cid)
    from_json = reports.parse_report_json(api.get(f"/campaigns/reportjson/{cid}").content, campaign_id=cid)
    pd.testing.assert_frame_equal(from_csv, from_json, check_dtype=False, check_categorical=False)
    by_line = from_csv.set_index("line")
    assert by_line.loc[1, "status_code"] == 16  # 06 39 98 00 00: "00" is not a status, so delivered
    assert by_line.loc[21, "status_code"] == 20 and by_line.loc[30, "status_code"] == 29
    assert by_line.loc[41:50, "clicks"].tolist() == [2] * 10  # the 01 block clicks both links
    assert by_line.loc[101, "status_code"] == 15 and by_line.loc[102, "status_code"] == 2
