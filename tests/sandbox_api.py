"""A client written from the guide with nothing but ``requests``, for the sandbox tests.

Imported by the tests as ``from sandbox_api import Api, START`` (a plain
module, so it never clashes with a ``conftest`` of a sub-folder).
"""

from __future__ import annotations

import requests

START = "2026-03-02T09:00:00Z"  # a Monday, Paris is UTC+1


class Api:
    """A ``requests`` session logged in to a sandbox: what a client written
    from the guide with nothing but ``requests`` does."""

    def __init__(self, sb, username: str = "demo", password: str = "demo") -> None:
        self.sb = sb
        self.url = sb.url
        self.session = requests.Session()
        self.username, self.password = username, password
        self.login()

    def login(self) -> None:
        """Log in again (tokens live one hour of simulated time)."""
        r = self.session.post(
            self.url + "/auth/login", json={"username": self.username, "password": self.password}, timeout=10
        )
        assert r.status_code == 200, r.text
        self.session.headers["Authorization"] = r.headers["Authorization"]

    def get(self, path: str, **kw) -> requests.Response:
        return self.session.get(self.url + path, timeout=30, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.session.post(self.url + path, timeout=30, **kw)

    def prepare(self, recipients, msg: str = "Bonjour ${PRENOM}", **params) -> dict:
        body = {"listRecipient": recipients, "msg": msg, "startNow": False, **params}
        r = self.post("/campaigns/inject", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def send(self, recipients, msg: str = "Bonjour ${PRENOM}", **params) -> dict:
        draft = self.prepare(recipients, msg, **params)
        r = self.post("/campaigns/inject", json={"campaignId": draft["id"], "startNow": True})
        assert r.status_code == 200, r.text
        return r.json()

    def report(self, campaign_id: int, **params) -> list[dict]:
        r = self.get(f"/campaigns/reportjson/{campaign_id}", params=params)
        assert r.status_code == 200, r.text
        return r.json()
