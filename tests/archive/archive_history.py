"""A sandbox history for the archive tests: small campaigns over some days, some lines long in flight.

Imported as ``from archive_history import ...`` (a plain module of tests/archive/). Campaigns are
sent with plain ``requests`` (tests/sandbox_api.py), not with the package under test.
"""

from __future__ import annotations

import random
import threading
from urllib.parse import urlsplit

import pandas as pd
import pandas.testing as pdt
import requests
from sandbox_api import Api

import mfanalytics
from mfanalytics.reports.lines import LINE_KEY

START = "2026-03-20T08:00:00Z"  # Paris is UTC+1 until the 29th, then UTC+2: a clock change inside
LINK = [{"index": 0, "type": "REDIRECT", "urlToRedirect": "https://www.example.com/offre"}]
NAMES = ("Camille", "Léa", "Hugo", "Zoé", "Loïc", "Anaïs")


def recipients(rng: random.Random, n: int, *, in_flight: bool) -> list[dict]:
    people = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.1:
            mobile = "06399801" + f"{rng.randrange(100):02d}"  # always clicks
        elif kind < 0.15:
            mobile = "0639980031"  # 31: in flight for an hour, then delivered
        elif in_flight and kind < 0.2:
            mobile = "0639980022"  # 31, then expired (22) at 48 h
        else:
            mobile = "06" + f"{rng.randrange(10**8):08d}"
        people.append({"mobile": mobile, "PRENOM": rng.choice(NAMES), "VILLE": rng.choice(("Paris", "Lyon"))})
    return people


def send(api: Api, rng: random.Random, *, link: bool = True, in_flight: bool = False, n: int | None = None) -> int:
    """One campaign injected now (one POST, startNow); returns its id."""
    body = {
        "msg": "Bonjour ${PRENOM}, nos offres ${track_1} STOP 36184" if link else "Bonjour ${PRENOM} de ${VILLE}",
        "listRecipient": recipients(rng, n or rng.randrange(20, 60), in_flight=in_flight),
        "startNow": True,
        "autoREPLACETOGSM7": True,
        "checkDuplicate": False,
    }
    if link:
        body["tinyList"] = LINK
    r = api.post("/campaigns/inject", json=body)
    assert r.status_code == 200, r.text
    return int(r.json()["id"])


def history(sb, days: int, *, seed: int = 0, settle: float = 600.0) -> list[int]:
    """``days`` days of campaigns from the sandbox's clock on (one or two a day, at various hours).

    The last three days have lines that expire at 48 h; the clock ends ``settle`` seconds after
    the last send, so the last days still have lines in flight.
    """
    rng = random.Random(seed)
    api = Api(sb)
    ids = []
    for day in range(days):
        hour = rng.randrange(0, 6 * 3600)
        sb.advance(hour)
        api.login()  # a token lives one simulated hour
        for k in range(rng.choice((1, 1, 2))):
            ids.append(send(api, rng, link=k == 0, in_flight=day >= days - 3))
        sb.advance(86400 - hour if day < days - 1 else settle)
    return ids


class CountingSession(requests.Session):
    """A session that records the path of every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []
        self.codes: list[int | None] = []
        self.lock = threading.Lock()  # the archive's workers share the session

    def request(self, method, url, *args, **kwargs):
        with self.lock:
            at = len(self.paths)
            self.paths.append(urlsplit(url).path)
            self.codes.append(None)
        response = super().request(method, url, *args, **kwargs)
        self.codes[at] = response.status_code
        return response

    def reports(self, *, answered: bool = False) -> int:
        """Report requests sent; ``answered``: only those not refused with a 401 (an expired token)."""
        return sum("/campaigns/report" in p and not (answered and c == 401) for p, c in zip(self.paths, self.codes))


def counting_client(sb) -> tuple[mfanalytics.Client, CountingSession]:
    session = CountingSession()
    client = mfanalytics.Client(sb.url, username="demo", password="demo", session=session, now=lambda: sb.now)
    return client, session


def by_key(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(LINE_KEY), kind="stable").reset_index(drop=True)


def assert_same_report(archived: pd.DataFrame, fetched: pd.DataFrame) -> None:
    """Same columns, the same dtypes exactly (categories included), the same rows."""
    assert list(archived.columns) == list(fetched.columns)
    assert archived.dtypes.to_dict() == fetched.dtypes.to_dict()
    pdt.assert_frame_equal(by_key(archived), by_key(fetched), check_categorical=False)
    assert not archived.duplicated(list(LINE_KEY)).any()
