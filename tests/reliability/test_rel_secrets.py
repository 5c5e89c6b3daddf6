"""Secrets: the password and every token the sandbox issued are absent from
DEBUG logs, reprs, exception messages, pickles, CLI output, HTML reports and a
saved notebook; the sandbox refuses unknown addresses and expired tokens.

Tokens are found without trusting the code under test: the sandbox records
every token it issues (its ``Accounts.login`` is wrapped), and any text is
scanned for each of them, and for anything shaped like a token whose SHA-256
is one the sandbox stored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

import mfanalytics
from relsupport import make_sandbox

PASSWORD = "Zx9-S3cr3t-Pa55word-q7"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-]{40,}")
_ISSUED: dict[int, list[str]] = {}  # sandbox -> tokens it issued (kept off the sandbox object)


def issued(sb) -> list[str]:
    return _ISSUED[id(sb)]


@pytest.fixture
def vault():
    """A sandbox whose account 'ana' has PASSWORD, recording every token it issues."""
    with make_sandbox(seed=8, users={"ana": PASSWORD}) as sb:
        issued: list[str] = []
        login = sb.state.accounts.login

        def recording_login(name, password, *, now):
            token = login(name, password, now=now)
            if token:
                issued.append(token)
            return token

        sb.state.accounts.login = recording_login
        _ISSUED[id(sb)] = issued
        yield sb
        _ISSUED.pop(id(sb), None)


def _leaks(sb, texts: dict[str, str | bytes]) -> dict[str, str]:
    digests = set(sb.state.accounts._tokens) | {hashlib.sha256(t.encode()).hexdigest() for t in issued(sb)}
    found = {}
    for where, text in texts.items():
        if isinstance(text, bytes):
            text = text.decode("latin-1")
        if PASSWORD in text:
            found[where] = "password"
        elif any(t in text for t in issued(sb)):
            found[where] = "token"
        elif any(hashlib.sha256(m.encode()).hexdigest() in digests for m in TOKEN_SHAPE.findall(text)):
            found[where] = "token"
    return found


def test_library_logs_reprs_errors_pickles_and_html_hold_no_secret(vault, caplog, tmp_path, figures):
    sb = vault
    caplog.set_level(logging.DEBUG)  # every logger, urllib3 included
    for name in ("urllib3", "requests", "mfanalytics", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    texts: dict[str, str | bytes] = {}
    client = mfanalytics.Client(sb.url, username="ana", password=PASSWORD, max_retries=2,
                                policy=mfanalytics.RetryPolicy(sleep=lambda s: None), now=lambda: sb.now)
    sent = client.send_campaign("Bonjour ${PRENOM}", recipients=[{"mobile": "0612345678", "PRENOM": "Zoé"}])
    sb.advance(2 * 3600)  # the first token expires: the client logs in again
    report = client.get_report(sent.id)
    errors = []
    sb.set_faults(rate=1, kinds=["500"], methods=["GET"], count=10)
    with pytest.raises(mfanalytics.APIError) as info:
        client.get_blacklist()
    errors.append(info.value)
    sb.set_faults(rate=1, kinds=["reset"], methods=["POST"], routes=["/api/v1/campaigns/inject"], after_processing=True, count=1)
    with pytest.raises(mfanalytics.AmbiguousSendError) as info:
        client.send_now("Une fois", recipients=["0612345678"])
    errors.append(info.value)
    sb.set_faults(rate=0)
    wrong = mfanalytics.Client(sb.url, username="ana", password=PASSWORD + "x", policy=mfanalytics.RetryPolicy(sleep=lambda s: None))
    with pytest.raises(mfanalytics.AuthenticationError) as info:
        wrong.get_blacklist()
    errors.append(info.value)
    pasted = mfanalytics.Client(sb.url, token="Bearer " + issued(sb)[-1])
    sb.advance(2 * 3600)
    with pytest.raises(mfanalytics.AuthenticationError) as info:
        pasted.get_blacklist()
    errors.append(info.value)
    texts["DEBUG log"] = caplog.text
    for name, obj in {"client": client, "wrong": wrong, "pasted": pasted, "campaign": sent, "sandbox": sb}.items():
        texts[f"repr({name})"] = repr(obj)
        texts[f"str({name})"] = str(obj)
        texts[f"vars({name})"] = str(getattr(obj, "__dict__", ""))
    texts["campaign html"] = sent._repr_html_()
    for i, exc in enumerate(errors):
        texts[f"error {i} str"] = str(exc)
        texts[f"error {i} repr"] = repr(exc)
        texts[f"error {i} vars"] = str(vars(exc))
        texts[f"error {i} pickle"] = pickle.dumps(exc)
    for name, obj in {"client": client, "pasted": pasted}.items():
        try:
            texts[f"pickle({name})"] = pickle.dumps(obj)
        except TypeError:
            pass  # refusing to be pickled is fine
    texts["report pickle"] = pickle.dumps(report)
    texts["html report"] = Path(mfanalytics.deliverability_report(report, tmp_path / "r.html")).read_text(encoding="utf-8")
    texts["/_sandbox/users"] = requests.get(sb.root + "/_sandbox/users", timeout=10).text
    leaks = _leaks(sb, texts)
    assert leaks == {}, leaks
    assert len(issued(sb)) >= 2  # the first token and the one after its expiry: the scan had tokens to look for
    figures["texts scanned"] = len(texts)
    figures["tokens looked for"] = len(issued(sb))


def _cli(args, env, timeout=180):
    exe = str(Path(sys.executable).with_name("mfanalytics"))
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_cli_output_and_files_hold_no_secret(vault, tmp_path, figures):
    sb = vault
    client = sb.client("ana", PASSWORD)
    sent = client.send_campaign("Bonjour", recipients=["0612345678", "0752345678"])
    sb.advance(3600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIASFLOW_")}
    env.update(MEDIASFLOW_BASE_URL=sb.url, MEDIASFLOW_USERNAME="ana", MEDIASFLOW_PASSWORD=PASSWORD)
    texts: dict[str, str | bytes] = {}
    runs = {
        "report": _cli(["report", str(sent.id), "--out", str(tmp_path / "r.html")], env),
        "fetch": _cli(["fetch", "--from", "2026-03-01", "--to", "2026-03-03", "--out", str(tmp_path / "f.csv")], env),
        "wrong password": _cli(["report", str(sent.id), "--out", str(tmp_path / "x.html")], {**env, "MEDIASFLOW_PASSWORD": PASSWORD + "x"}),
        "token": _cli(["fetch", "--from", "2026-03-01", "--to", "2026-03-03", "--out", str(tmp_path / "g.csv")],
                      {**{k: v for k, v in env.items() if k != "MEDIASFLOW_PASSWORD"}, "MEDIASFLOW_USERNAME": "",
                       "MEDIASFLOW_TOKEN": "Bearer " + issued(sb)[-1]}),
    }
    assert runs["report"].returncode == 0, runs["report"].stderr
    assert runs["fetch"].returncode == 0, runs["fetch"].stderr
    assert runs["token"].returncode == 0, runs["token"].stderr
    assert runs["wrong password"].returncode == 2 and "Traceback" not in runs["wrong password"].stderr
    for name, run in runs.items():
        texts[f"{name} stdout"] = run.stdout
        texts[f"{name} stderr"] = run.stderr
    for path in tmp_path.iterdir():
        texts[path.name] = path.read_bytes()
    leaks = _leaks(sb, texts)
    assert leaks == {}, leaks
    figures["CLI runs scanned"] = len(runs)
    figures["tokens looked for"] = len(issued(sb))


def test_a_saved_notebook_holds_no_secret(vault, tmp_path, figures):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    sb = vault
    cells = [
        "import mfanalytics, logging\nlogging.basicConfig(level=logging.DEBUG)\nclient = mfanalytics.connect()\nclient",
        "print(client, repr(client))",
        "campaign = client.send_campaign('Bonjour', recipients=['0612345678'])\ncampaign",
        "from mfanalytics.widgets.send import SendForm\nform = SendForm(client)\nform",
        "client.get_report(999999)",  # an error, shown with its traceback
        "vars(client)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    env = {"MEDIASFLOW_BASE_URL": sb.url, "MEDIASFLOW_USERNAME": "ana", "MEDIASFLOW_PASSWORD": PASSWORD}
    saved_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        for k, v in saved_env.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    path = tmp_path / "saved.ipynb"
    nbformat.write(nb, path)
    text = path.read_text(encoding="utf-8")
    # the notebook did run and log in: only the deliberate error cell failed
    failed = [i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.outputs)]
    assert failed == [4], [c.outputs for c in nb.cells[:4]]
    leaks = _leaks(sb, {"saved notebook": text})
    assert leaks == {}, leaks
    figures["notebook bytes scanned"] = len(text)
    figures["tokens looked for"] = len(issued(sb))


# -- the sandbox's own refusals ---------------------------------------------------
def test_sandbox_refuses_unknown_addresses_expired_and_forged_tokens(vault):
    sb = vault
    sb.add_user("far", "pw-far", allowed_hosts=["203.0.113.7"])
    login = requests.post(sb.url + "/auth/login", json={"username": "far", "password": "pw-far"}, timeout=10)
    if login.status_code == 200:  # refused at login or on each call: both keep the account closed
        r = requests.get(sb.url + "/blacklist", headers={"Authorization": login.headers["Authorization"]}, timeout=10)
        assert r.status_code == 403
    else:
        assert login.status_code == 403
    ok = requests.post(sb.url + "/auth/login", json={"username": "ana", "password": PASSWORD}, timeout=10)
    bearer = {"Authorization": ok.headers["Authorization"]}
    assert requests.get(sb.url + "/blacklist", headers=bearer, timeout=10).status_code == 200
    sb.advance(3601)
    assert requests.get(sb.url + "/blacklist", headers=bearer, timeout=10).status_code == 401
    forged = {"Authorization": "Bearer " + "A" * 43}
    assert requests.get(sb.url + "/blacklist", headers=forged, timeout=10).status_code == 401
    assert requests.get(sb.url + "/blacklist", timeout=10).status_code == 401
    assert requests.post(sb.url + "/auth/login", json={"username": "ana", "password": "x"}, timeout=10).status_code == 401
    body = requests.post(sb.url + "/auth/login", json={"username": "ana", "password": PASSWORD + "x"}, timeout=10).text
    assert PASSWORD not in body
