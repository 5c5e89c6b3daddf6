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
import traceback
import types
from pathlib import Path

import pytest
import requests
from relsupport import make_sandbox

import mfanalytics

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
        elif any(t in text for t in issued(sb)) or any(
            hashlib.sha256(m.encode()).hexdigest() in digests for m in TOKEN_SHAPE.findall(text)
        ):
            found[where] = "token"
    return found


def test_library_logs_reprs_errors_pickles_and_html_hold_no_secret(vault, caplog, tmp_path, figures):
    sb = vault
    caplog.set_level(logging.DEBUG)  # every logger, urllib3 included
    for name in ("urllib3", "requests", "mfanalytics", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    texts: dict[str, str | bytes] = {}
    client = mfanalytics.Client(
        sb.url,
        username="ana",
        password=PASSWORD,
        max_retries=2,
        policy=mfanalytics.RetryPolicy(sleep=lambda s: None),
        now=lambda: sb.now,
    )
    sent = client.send_campaign("Bonjour ${PRENOM}", recipients=[{"mobile": "0612345678", "PRENOM": "Zoé"}])
    sb.advance(2 * 3600)  # the first token expires: the client logs in again
    report = client.get_report(sent.id)
    errors = []
    sb.set_faults(rate=1, kinds=["500"], methods=["GET"], count=10)
    with pytest.raises(mfanalytics.APIError) as info:
        client.get_blacklist()
    errors.append(info.value)
    sb.set_faults(
        rate=1, kinds=["reset"], methods=["POST"], routes=["/api/v1/campaigns/inject"], after_processing=True, count=1
    )
    with pytest.raises(mfanalytics.AmbiguousSendError) as info:
        client.send_now("Une fois", recipients=["0612345678"])
    errors.append(info.value)
    sb.set_faults(rate=0)
    wrong = mfanalytics.Client(
        sb.url, username="ana", password=PASSWORD + "x", policy=mfanalytics.RetryPolicy(sleep=lambda s: None)
    )
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
    texts["html report"] = Path(mfanalytics.deliverability_report(report, tmp_path / "r.html")).read_text(
        encoding="utf-8"
    )
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
        "wrong password": _cli(
            ["report", str(sent.id), "--out", str(tmp_path / "x.html")], {**env, "MEDIASFLOW_PASSWORD": PASSWORD + "x"}
        ),
        "token": _cli(
            ["fetch", "--from", "2026-03-01", "--to", "2026-03-03", "--out", str(tmp_path / "g.csv")],
            {
                **{k: v for k, v in env.items() if k != "MEDIASFLOW_PASSWORD"},
                "MEDIASFLOW_USERNAME": "",
                "MEDIASFLOW_TOKEN": "Bearer " + issued(sb)[-1],
            },
        ),
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
        "%xmode Verbose\nimport mfanalytics, logging\nlogging.basicConfig(level=logging.DEBUG)\nclient = mfanalytics.connect()\nclient",
        "print(client, repr(client))",
        "campaign = client.send_campaign('Code 1234', recipients=['0612345678'], type_select='NOTIFICATION')\ncampaign",
        "from mfanalytics.widgets.send import SendForm\nform = SendForm(client)\nform",
        "client.get_report(999999)",  # an error, shown with its traceback and (Verbose) every frame's locals
        "vars(client)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    env = {"MEDIASFLOW_BASE_URL": sb.url, "MEDIASFLOW_USERNAME": "ana", "MEDIASFLOW_PASSWORD": PASSWORD}
    saved_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        nbclient.NotebookClient(
            nb, timeout=120, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
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
    assert (
        requests.post(sb.url + "/auth/login", json={"username": "ana", "password": "x"}, timeout=10).status_code == 401
    )
    body = requests.post(sb.url + "/auth/login", json={"username": "ana", "password": PASSWORD + "x"}, timeout=10).text
    assert PASSWORD not in body


# -- every error path: the exception, its chain, its frames' locals, the logs ----------------------
_SEEN_TOKENS: list[str] = []  # tokens the clients held, collected at module level (never a frame local)


def _walk(obj, found: list[str], seen: set[int], depth: int = 0) -> None:
    """repr every object reachable from ``obj`` (attributes, slots, items, closures,
    exception chains, traceback frames and their locals), and pickle what pickles."""
    if id(obj) in seen or depth > 12:
        return
    seen.add(id(obj))
    if type(obj).__module__.startswith(("mfanalytics.sandbox", "loopback")) or obj is _SEEN_TOKENS:
        return  # the servers of the test (they know the password), and this test's own record
    try:
        found.append(repr(obj))
    except Exception:
        pass
    if isinstance(obj, (str, bytes, int, float, bool, type(None))):
        if isinstance(obj, bytes):
            found.append(obj.decode("latin-1"))
        return
    if isinstance(obj, BaseException) or depth <= 1:
        try:
            found.append(pickle.dumps(obj).decode("latin-1"))
        except Exception:
            pass
    children: list = []
    if isinstance(obj, BaseException):
        children += [obj.__cause__, obj.__context__, obj.__traceback__, *obj.args]
    if isinstance(obj, types.TracebackType):
        frame = obj.tb_frame
        children += [obj.tb_next, *frame.f_locals.values()]
    if isinstance(obj, dict):
        children += [*obj.keys(), *obj.values()]
    elif isinstance(obj, (list, tuple, set, frozenset)):
        children += list(obj)
    if isinstance(obj, types.FunctionType) and obj.__module__ != __name__:  # not this test's own helpers
        children += [c.cell_contents for c in (obj.__closure__ or ()) if _filled(c)]
        children += list(obj.__defaults__ or ())
    if isinstance(obj, types.MethodType):
        children.append(obj.__self__)
    if isinstance(obj, (types.ModuleType, type)):
        return
    children.append(getattr(obj, "__dict__", None))
    for cls in type(obj).__mro__:
        for slot in getattr(cls, "__slots__", ()) if not isinstance(getattr(cls, "__slots__", ()), str) else ():
            children.append(getattr(obj, slot, None))
    for child in children:
        if child is not None:
            _walk(child, found, seen, depth + 1)


def _filled(cell) -> bool:
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


def _error_paths(sb):
    """(name, callable raising a MediasflowError) for every error path of the client."""
    from loopback import Answer, Loopback

    quick = mfanalytics.RetryPolicy(sleep=lambda s: None)

    def logged_in():
        client = mfanalytics.Client(sb.url, username="ana", password=PASSWORD, policy=quick, max_retries=1)
        client.login()
        _SEEN_TOKENS.append(client._token.reveal())
        return client

    def bad_password():
        mfanalytics.Client(sb.url, username="ana", password=PASSWORD + "x", policy=quick).get_blacklist()

    def server_error():
        client = logged_in()
        sb.set_faults(rate=1, kinds=["500"], methods=["GET"], count=5)
        client.get_blacklist()

    def refused():
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        mfanalytics.Client(
            f"http://127.0.0.1:{port}/api/v1", username="ana", password=PASSWORD, policy=quick, max_retries=1, timeout=2
        ).get_blacklist()

    def timeout():
        client = mfanalytics.Client(sb.url, username="ana", password=PASSWORD, policy=quick, max_retries=1, timeout=0.3)
        client.login()
        _SEEN_TOKENS.append(client._token.reveal())
        sb.set_faults(rate=1, kinds=["slow"], methods=["GET"], delay=0.6, count=2)
        client.get_blacklist()

    def ambiguous():
        client = logged_in()
        sb.set_faults(
            rate=1,
            kinds=["reset"],
            methods=["POST"],
            routes=["/api/v1/campaigns/inject"],
            after_processing=True,
            count=1,
        )
        client.send_now("Une fois", recipients=["0612345678"])

    def integrity():
        class Tamper(requests.Session):
            def request(self, method, url, **kwargs):
                response = super().request(method, url, **kwargs)
                response.headers["X-Content-SHA256"] = "0" * 64
                return response

        client = mfanalytics.Client(
            sb.url, username="ana", password=PASSWORD, policy=quick, max_retries=1, session=Tamper()
        )
        cid = logged_in().send_campaign("Bonjour", recipients=["0612345678"]).id
        client.get_report(cid)

    def expired_pasted_token():
        client = logged_in()
        pasted = mfanalytics.Client(sb.url, token="Bearer " + client._token.reveal(), policy=quick)
        sb.advance(2 * 3600)
        pasted.get_blacklist()

    def redirect():
        def handler(req, i):
            return Answer(307, {"Location": "http://localhost:9/api/v1/auth/login"})

        with Loopback(handler) as srv:
            mfanalytics.Client(srv.url + "/api/v1", username="ana", password=PASSWORD, policy=quick).login()

    def redirect_with_token():
        client = logged_in()
        with Loopback(lambda req, i: Answer(302, {"Location": "http://localhost:9/x"})) as srv:
            client._transport.base_url = srv.url + "/api/v1"
            client.get_blacklist()

    return [
        bad_password,
        server_error,
        refused,
        timeout,
        ambiguous,
        integrity,
        expired_pasted_token,
        redirect,
        redirect_with_token,
    ]


def _raised(fn) -> BaseException:
    try:
        fn()
    except mfanalytics.MediasflowError as exc:
        return exc
    raise AssertionError(f"{fn.__name__} raised nothing")


def test_no_error_path_holds_a_secret_in_its_chain_frames_or_logs(vault, caplog, figures):
    sb = vault
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "requests", "mfanalytics"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    texts: dict[str, str | bytes] = {}
    chained: list[str] = []
    objects = 0
    for path in _error_paths(sb):
        exc = _raised(path)
        sb.set_faults(rate=0)
        found: list[str] = []
        _walk(exc, found, set())
        objects += len(found)
        texts[f"{path.__name__}: walk"] = "\n".join(found)
        texts[f"{path.__name__}: capture_locals"] = "".join(
            traceback.TracebackException.from_exception(exc, capture_locals=True).format()
        )
        texts[f"{path.__name__}: str"] = f"{exc}\n{exc!r}"
        if exc.__cause__ is not None or exc.__context__ is not None:
            chained.append(f"{path.__name__}: {type(exc.__context__ or exc.__cause__).__name__}")
        assert not any(isinstance(v, requests.PreparedRequest) for v in vars(exc).values())
    texts["DEBUG log"] = caplog.text
    texts["log records"] = "\n".join(repr(r.__dict__) for r in caplog.records)
    digests = set(sb.state.accounts._tokens) | {
        hashlib.sha256(t.encode()).hexdigest() for t in issued(sb) + _SEEN_TOKENS
    }
    leaks = {}
    for where, text in texts.items():
        if isinstance(text, bytes):
            text = text.decode("latin-1")
        if PASSWORD in text:
            leaks[where] = "password"
        elif any(t in text for t in issued(sb) + _SEEN_TOKENS) or any(
            hashlib.sha256(m.encode()).hexdigest() in digests for m in TOKEN_SHAPE.findall(text)
        ):
            leaks[where] = "token"
    assert leaks == {}, leaks
    assert chained == []  # errors carry no library exception (whose .request holds headers and body)
    assert len(issued(sb)) >= 5 and caplog.records  # there were tokens to look for, and logs to look in
    figures["error paths walked"] = len(_error_paths(sb))
    figures["objects repr'd in the walk"] = objects
