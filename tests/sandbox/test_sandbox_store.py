"""SQLite persistence: a sandbox restarted on the same file finds everything."""

from __future__ import annotations

import pathlib
import sqlite3

import requests
from sandbox_api import START, Api

from mfanalytics.sandbox.embedded import EmbeddedSandbox

DATA = pathlib.Path(__file__).parents[1] / "data"


def test_state_survives_a_restart(tmp_path):
    db = str(tmp_path / "sandbox.db")
    with EmbeddedSandbox(
        seed=0,
        start=START,
        db=db,
        users=[{"name": "demo", "password": "demo"}, {"name": "boss", "password": "pw", "role": "ADMIN", "credit": 50}],
    ) as sb:
        api = Api(sb)
        list_id = api.post(
            "/lists/upload",
            files={"File": ("l.csv", (DATA / "sandbox_list.csv").read_bytes())},
            data={"filename": "l.csv"},
        ).json()["id"]
        sent = api.send(
            None,
            msg="Promo ${PRENOM} ${track_1}",
            listsId=[list_id],
            tinyList=[{"index": 0, "urlToRedirect": "https://e.org"}],
        )
        stop = api.send(["0639980017"], msg="Promo", brand="Lecoq")
        draft = api.prepare(["0639980016"], msg="Plus tard")
        scheduled = api.send(["0639980016"], msg="Demain", scheduleOn="2026-03-03T09:00:00Z")
        api.post("/blacklist", json={"item": "0639980055", "typeItem": "MOBILE", "createdDescription": "magasin"})
        sb.advance(120)
        before = {
            "report": api.get(f"/campaigns/report/{sent['id']}").content,
            "blacklist": api.get("/blacklist").json(),
            "credit": sb.state.accounts.users["demo"].credit,
            "clock": sb.state.now(),
        }
        token = api.session.headers["Authorization"]
    with EmbeddedSandbox(seed=0, db=db) as sb:
        assert sb.state.now() >= before["clock"]
        assert sorted(sb.state.accounts.users) == ["boss", "demo"]
        assert sb.state.accounts.users["boss"].role == "ADMIN" and sb.state.accounts.users["boss"].credit == 50
        # tokens are not kept: log in again, with the same password
        assert requests.get(sb.url + "/blacklist", headers={"Authorization": token}).status_code == 401
        api = Api(sb)
        assert api.get(f"/campaigns/report/{sent['id']}").content == before["report"]
        assert api.get("/blacklist").json() == before["blacklist"]
        assert [e["item"] for e in before["blacklist"]] == ["+33639980055", "+33639980017"]  # the STOP came at +60 s
        assert sb.state.accounts.users["demo"].credit == before["credit"]
        states = {c["id"]: c["status"] for c in requests.get(sb.root + "/_sandbox/campaigns").json()}
        assert states == {
            sent["id"]: "INJECTED",
            stop["id"]: "INJECTED",
            draft["id"]: "DRAFT",
            scheduled["id"]: "SCHEDULED",
        }
        # ids keep counting, the list is still usable, the draft can still be injected
        again = api.send(None, msg="Encore", listsId=[list_id])
        assert again["id"] == scheduled["id"] + 1
        assert (
            api.post("/campaigns/inject", json={"campaignId": draft["id"], "startNow": True}).json()["status"]
            == "INJECTED"
        )
        # the schedule still fires
        sb.set_clock("2026-03-03T09:01:00Z")
        assert sb.state.campaigns[scheduled["id"]].status == "INJECTED"
    # a third start sees what the second one did, and nothing twice
    with EmbeddedSandbox(seed=0, db=db) as sb:
        assert sb.state.campaigns[scheduled["id"]].status == "INJECTED"
        assert sb.state.campaigns[draft["id"]].status == "INJECTED"
        assert len(sb.state.blacklist) == 2


def test_no_clear_password_or_token_in_the_file(tmp_path):
    db = tmp_path / "sandbox.db"
    with EmbeddedSandbox(seed=0, start=START, db=str(db), users={"demo": "s3cr3t-pass"}) as sb:
        api = Api(sb, "demo", "s3cr3t-pass")
        token = api.session.headers["Authorization"].split()[1]
        api.send(["0639980016"], msg="x")
    raw = db.read_bytes()
    assert b"s3cr3t-pass" not in raw and token.encode() not in raw
    with sqlite3.connect(db) as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")} >= {
            "users",
            "campaigns",
            "blacklist",
            "lists",
            "meta",
        }
