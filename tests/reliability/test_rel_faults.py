"""Faults: every fault kind at 40 % changes nothing a user can see.

- A 30-day period fetch (5 windows of 7 days, 4 workers) returns exactly the
  rows of a fault-free fetch, for each fault kind, and for faults that strike
  after the request took effect.
- ``send_campaign`` under faults on every route never sends a campaign twice,
  and every call that returned maps to exactly one sent campaign.
- A sandbox killed mid-run and restarted on its ``--db`` loses no campaign.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pandas as pd
import pytest
import requests
from relsupport import START, injected_faults, make_client, make_sandbox, stored_campaigns

import mfanalytics

KINDS = ["500", "503", "429", "reset", "slow", "truncated"]
RATE = 0.4
# Documented outcomes of a send that could not be confirmed.
UNCONFIRMED = (
    mfanalytics.AmbiguousSendError,
    mfanalytics.APIConnectionError,
    mfanalytics.APIError,
    mfanalytics.RateLimitError,
)


# -- period fetches ------------------------------------------------------------
@pytest.fixture(scope="module")
def month():
    """15 campaigns of 20 recipients, one every other day, then a clean 30-day fetch."""
    with make_sandbox(seed=21, start="2026-02-01T08:00:00Z") as sb:
        client = make_client(sb)
        ids = []
        for day in range(15):
            people = [{"mobile": f"06{13000000 + day * 100 + i}", "PRENOM": f"Zoé-{day}-{i}"} for i in range(20)]
            ids.append(client.send_campaign(f"Jour {day} ${{PRENOM}}", recipients=people).id)
            sb.advance(2 * 86400)
        start = sb.now - timedelta(days=30)
        clean = client.get_reports(start, sb.now, progress=False)
        yield sb, ids, start, clean


@pytest.mark.parametrize("after", [False, True], ids=["before", "after_processing"])
@pytest.mark.parametrize("kind", KINDS)
def test_thirty_day_fetch_under_faults_equals_the_fault_free_fetch(month, kind, after, figures):
    sb, ids, start, clean = month
    # the fault-free reference really is the whole month: 15 campaigns x 20 lines, once each
    assert sorted(set(clean["campaign_id"])) == ids
    assert len(clean) == 15 * 20 and not clean.duplicated(["campaign_id", "line"]).any()
    sleeps: list[float] = []  # backoff asked of the policy, never slept
    client = mfanalytics.Client(
        sb.url,
        username="demo",
        password="demo",
        max_retries=15,
        now=lambda: sb.now,
        policy=mfanalytics.RetryPolicy(sleep=sleeps.append, random=lambda: 0.5),
    )
    sb.set_faults(rate=RATE, kinds=[kind], after_processing=after, delay=0.05, retry_after=3)
    try:
        t0 = time.perf_counter()
        fetches = [client.get_reports(start, sb.now, workers=w, progress=False) for w in (4, 1, 4)]
        elapsed = (time.perf_counter() - t0) / len(fetches)
        faults = injected_faults(sb)
    finally:
        sb.set_faults(rate=0)
    for faulty in fetches:
        pd.testing.assert_frame_equal(faulty, clean)
    assert faults > 0  # the faults did strike
    if kind == "429":  # the server's Retry-After (3 s) is what the client waits
        assert sleeps and all(s == 3.0 for s in sleeps), sleeps
    figures["rows (fault-free = faulty)"] = len(faulty)
    figures["faults injected"] = faults
    figures["backoff seconds asked (not slept)"] = round(sum(sleeps), 2)
    figures["wall seconds per fetch"] = elapsed


def test_answers_slower_than_the_client_timeout_are_retried_to_the_same_rows(month, figures):
    """A "slow" fault longer than the client's read timeout: the GET times out and is retried."""
    sb, _ids, start, clean = month
    client = make_client(sb, max_retries=15, timeout=0.3)
    sb.set_faults(rate=RATE, kinds=["slow"], delay=0.6)
    try:
        t0 = time.perf_counter()
        faulty = client.get_reports(start, sb.now, workers=4, progress=False)
        elapsed = time.perf_counter() - t0
        faults = injected_faults(sb)
    finally:
        sb.set_faults(rate=0)
    pd.testing.assert_frame_equal(faulty, clean)
    assert faults > 0
    figures["slow answers (0.6 s > 0.3 s timeout)"] = faults
    figures["wall seconds"] = elapsed


# -- sends ---------------------------------------------------------------------
def _send_many(n: int, kinds: list[str], after: bool, figures: dict, seed: int) -> None:
    with make_sandbox(seed=seed) as sb:
        client = make_client(sb, max_retries=6)
        sb.set_faults(rate=RATE, kinds=kinds, after_processing=after, delay=0.05)
        confirmed: dict[str, int] = {}
        unconfirmed: dict[str, str] = {}
        t0 = time.perf_counter()
        for i in range(n):
            msg = f"Campagne {i} ${{PRENOM}}"
            people = [
                {"mobile": f"06{14000000 + i}", "PRENOM": "Zoé"},
                {"mobile": f"07{14000000 + i}", "PRENOM": "Loïc"},
            ]
            try:
                confirmed[msg] = client.send_campaign(msg, recipients=people).id
            except UNCONFIRMED as exc:
                assert str(exc)  # says what happened
                unconfirmed[msg] = type(exc).__name__
        elapsed = time.perf_counter() - t0
        faults = injected_faults(sb)
        sb.set_faults(rate=0)
        campaigns = stored_campaigns(sb)
    sent: dict[str, list[int]] = {}
    for c in campaigns:
        if c["status"] != "DRAFT":
            sent.setdefault(c["message"], []).append(c["id"])
    duplicates = {m: v for m, v in sent.items() if len(v) > 1}
    assert duplicates == {}, f"campaigns sent twice: {duplicates}"
    for msg, cid in confirmed.items():
        assert sent.get(msg) == [cid], f"{msg!r} confirmed as {cid}, the sandbox sent {sent.get(msg)}"
    assert len(confirmed) + len(unconfirmed) == n
    assert faults > 0
    figures["send_campaign calls"] = n
    figures["confirmed (each = one sent campaign)"] = len(confirmed)
    figures["unconfirmed (documented error)"] = len(unconfirmed)
    figures["sent but unconfirmed"] = sum(1 for m in unconfirmed if m in sent)
    figures["duplicate sends"] = len(duplicates)
    figures["drafts left (nothing sent)"] = sum(1 for c in campaigns if c["status"] == "DRAFT")
    figures["faults injected"] = faults
    figures["wall seconds"] = elapsed


@pytest.mark.parametrize("after", [False, True], ids=["before", "after_processing"])
def test_send_campaign_under_every_fault_kind_never_sends_twice(after, figures):
    _send_many(20, KINDS, after, figures, seed=5)


@pytest.mark.parametrize("after", [False, True], ids=["before", "after_processing"])
def test_send_now_under_every_fault_kind_is_never_repeated(after, figures):
    """send_now at 40 % faults of every kind: each call that returned is one sent
    campaign; each AmbiguousSendError is at most one; nothing else is raised,
    and no campaign is ever sent twice (a 429 or a 5xx is not a proof that
    nothing was done, so it is not repeated either)."""
    with make_sandbox(seed=9) as sb:
        client = make_client(sb, max_retries=6)
        client.login()
        sb.set_faults(
            rate=RATE,
            kinds=KINDS,
            methods=["POST"],
            routes=["/api/v1/campaigns/inject"],
            after_processing=after,
            delay=0.05,
        )
        confirmed: dict[str, int] = {}
        ambiguous: list[str] = []
        for i in range(30):
            msg = f"Flash {i}"
            try:
                confirmed[msg] = client.send_now(msg, recipients=[f"06{16000000 + i}"]).id
            except mfanalytics.AmbiguousSendError as exc:
                assert "get_reports" in str(exc)
                ambiguous.append(msg)
        faults = injected_faults(sb)
        sb.set_faults(rate=0)
        time.sleep(0.1)
        campaigns = stored_campaigns(sb)
    sent: dict[str, list[int]] = {}
    for c in campaigns:
        if c["status"] != "DRAFT":
            sent.setdefault(c["message"], []).append(c["id"])
    assert all(len(v) == 1 for v in sent.values()), sent
    for msg, cid in confirmed.items():
        assert sent[msg] == [cid]
    assert len(confirmed) + len(ambiguous) == 30 and faults > 0
    if after:  # every fault struck after the send took effect: each ambiguous call did send, once
        assert all(msg in sent for msg in ambiguous)
    figures["send_now calls"] = 30
    figures["confirmed"] = len(confirmed)
    figures["ambiguous (sent)"] = sum(1 for m in ambiguous if m in sent)
    figures["ambiguous (not sent)"] = sum(1 for m in ambiguous if m not in sent)
    figures["faults injected"] = faults


@pytest.mark.parametrize("kind", KINDS + ["slow-beyond-timeout"])
def test_an_inject_whose_answer_is_lost_is_confirmed_or_ambiguous(kind, sandbox, figures):
    """The inject takes effect, then its answer is replaced by the fault (once).
    The README: a retry answering 409 proves the first attempt went through."""
    beyond = kind == "slow-beyond-timeout"
    client = make_client(sandbox, max_retries=3, **({"timeout": 0.3} if beyond else {}))
    draft = client.prepare_campaign("Bonjour", recipients=["0612345678"])
    sandbox.set_faults(
        rate=1,
        kinds=["slow" if beyond else kind],
        methods=["POST"],
        routes=["/api/v1/campaigns/inject"],
        after_processing=True,
        count=1,
        delay=0.6 if beyond else 0.05,
    )
    try:
        outcome = client.inject_campaign(draft.id)
    except mfanalytics.AmbiguousSendError as exc:
        outcome = exc
        assert f"inject_campaign({draft.id})" in str(exc)  # says how to check
    finally:
        sandbox.set_faults(rate=0)
    states = [c["status"] for c in stored_campaigns(sandbox)]
    assert states == ["INJECTED"]
    if isinstance(outcome, mfanalytics.Campaign):
        assert outcome.id == draft.id and outcome.status == "INJECTED"
    figures["outcome"] = type(outcome).__name__


@pytest.mark.slow
@pytest.mark.parametrize("after", [False, True], ids=["before", "after_processing"])
@pytest.mark.parametrize("kind", KINDS)
def test_two_hundred_sends_per_fault_kind_never_send_twice(kind, after, figures):
    _send_many(200, [kind], after, figures, seed=7)


# -- restart on --db -------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: str, port: int) -> subprocess.Popen:
    exe = os.path.join(os.path.dirname(sys.executable), "mfanalytics")
    proc = subprocess.Popen(
        [exe, "sandbox", "--host", "127.0.0.1", "--port", str(port), "--db", db, "--speed", "0", "--start", START]
        + ["--samples", "0"],  # only the campaigns of this test (the CLI starts with sample ones by default)
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/_sandbox/clock", timeout=1)
            return proc
        except requests.ConnectionError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode(errors="replace")) from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the sandbox did not start")


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_sandbox_restarted_mid_run_on_its_db_loses_no_campaign(tmp_path, how, figures):
    db, port = str(tmp_path / "sandbox.db"), _free_port()
    root = f"http://127.0.0.1:{port}"
    proc = _serve(db, port)
    procs = [proc]
    # real (short) backoff sleeps: the client rides out the restart
    client = mfanalytics.Client(
        root + "/api/v1",
        username="demo",
        password="demo",
        max_retries=40,
        policy=mfanalytics.RetryPolicy(backoff=0.1, max_delay=0.5),
    )
    confirmed: dict[str, int] = {}
    errors: list[str] = []
    restarted = threading.Event()

    def restart():
        time.sleep(0.5)
        procs[0].send_signal(getattr(signal, how))
        procs[0].wait(timeout=30)
        procs.append(_serve(db, port))
        restarted.set()

    try:
        n = 0
        worker = None
        t0 = time.perf_counter()
        while n < 60 and not (restarted.is_set() and n >= 30):
            msg = f"Relance {n}"
            try:
                confirmed[msg] = client.send_campaign(msg, recipients=[f"06{15000000 + n}"]).id
            except UNCONFIRMED as exc:
                errors.append(f"{msg}: {type(exc).__name__}")
            n += 1
            if n == 10:
                worker = threading.Thread(target=restart)
                worker.start()
        worker.join(timeout=90)
        assert restarted.is_set(), "the restart did not happen"
        elapsed = time.perf_counter() - t0
        held = requests.get(root + "/_sandbox/campaigns", timeout=30).json()
        held = held["campaigns"] if isinstance(held, dict) else held
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=30)
    by_message: dict[str, list[dict]] = {}
    for c in held:
        by_message.setdefault(c["message"], []).append(c)
    for msg, cid in confirmed.items():
        sent = [c for c in by_message.get(msg, []) if c["status"] != "DRAFT"]
        assert [c["id"] for c in sent] == [cid], f"{msg!r} was confirmed as campaign {cid}; after the restart: {sent}"
    assert all(len([c for c in v if c["status"] != "DRAFT"]) <= 1 for v in by_message.values())
    assert errors == [], errors
    figures["send_campaign calls"] = n
    figures["confirmed, all present after restart"] = len(confirmed)
    figures["campaigns held after restart"] = len(held)
    figures["wall seconds (incl. restart)"] = elapsed
