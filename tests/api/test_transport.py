"""The transport's promises, checked from the other side of the wire.

- A request that may send SMS is never repeated once it may have reached the
  server; every other POST is repeated only where repeating is harmless
  (a table over every POST x every sandbox fault kind x before/after processing).
- There is one retry loop: ``max_retries`` means what it says, however it is given.
- Credentials never leave the configured host: no redirect is followed.
- ``http://`` is refused off loopback unless explicitly allowed; a URL never
  carries credentials.
- ``Retry-After`` values that are not a finite, non-negative number of
  seconds are ignored; a trickling answer is cut by the deadline, its headers as well as its body.
"""

from __future__ import annotations

import json
import math
import time
from datetime import timedelta

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loopback import Answer, Loopback
from rawsocket import RawServer

import mfanalytics
from mfanalytics import errors

FAULT_KINDS = ["500", "503", "429", "reset", "slow", "truncated", "slow-beyond-timeout"]
PHASES = ["before", "after_processing"]
PREFIX = "/api/v1"


def _policy(sleeps=None):
    return mfanalytics.RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda s: None), random=lambda: 0.5)


def _stored(sb) -> list[dict]:
    body = requests.get(sb.root + "/_sandbox/campaigns", timeout=10).json()
    return body["campaigns"] if isinstance(body, dict) else body


# -- task 1: the reproducer of the issue ---------------------------------------------
def test_send_now_after_a_429_that_came_after_processing_is_sent_once():
    with mfanalytics.sandbox(seed=0) as sb:
        c = sb.client(policy=mfanalytics.RetryPolicy(sleep=lambda s: None))
        sb.set_faults(rate=1, kinds=["429"], after_processing=True, retry_after=0, count=1)
        with pytest.raises(errors.AmbiguousSendError) as info:
            c.send_now("once", recipients=["0612345678"])
        sent = [x for x in _stored(sb) if x["status"] != "DRAFT"]
    assert len(sent) == 1
    assert "get_reports" in str(info.value)  # says how to check
    assert info.value.status == 429


# -- every POST x every fault kind x both phases -----------------------------------------
@pytest.fixture(scope="module")
def shared_sandbox():
    with mfanalytics.sandbox(seed=11, start="2026-03-02T09:00:00Z") as sb:
        yield sb


class _Case:
    """One POST of the client: how to set it up, call it, and what must hold after."""

    route = ""

    def setup(self, client, sb, tag):
        return None

    def call(self, client, sb, tag, ctx):
        raise NotImplementedError


class SendNow(_Case):
    route = PREFIX + "/campaigns/inject"

    def call(self, client, sb, tag, ctx):
        return client.send_now(f"once {tag}", recipients=["0612345678"])

    def check(self, outcome, sb, tag, ctx, kind, phase):
        sent = [c for c in _stored(sb) if c["message"] == f"once {tag}" and c["status"] != "DRAFT"]
        if kind == "slow":
            assert isinstance(outcome, mfanalytics.Campaign) and [c["id"] for c in sent] == [outcome.id]
            return
        # the answer was not a proof: the caller is told, with how to check
        assert isinstance(outcome, errors.AmbiguousSendError), outcome
        assert "get_reports" in str(outcome)
        if phase == "after_processing":
            assert len(sent) == 1
        elif kind == "slow-beyond-timeout":
            assert len(sent) <= 1
        else:
            assert sent == []


class Prepare(_Case):
    route = PREFIX + "/campaigns/inject"

    def call(self, client, sb, tag, ctx):
        return client.prepare_campaign(f"draft {tag}", recipients=["0612345678"])

    def check(self, outcome, sb, tag, ctx, kind, phase):
        mine = [c for c in _stored(sb) if c["message"] == f"draft {tag}"]
        assert isinstance(outcome, mfanalytics.Campaign) and outcome.status == "DRAFT"
        assert outcome.id in [c["id"] for c in mine]
        assert all(c["status"] == "DRAFT" for c in mine)  # repeating sent nothing


class Inject(_Case):
    route = PREFIX + "/campaigns/inject"

    def setup(self, client, sb, tag):
        return client.prepare_campaign(f"inject {tag}", recipients=["0612345678"]).id

    def call(self, client, sb, tag, ctx):
        return client.inject_campaign(ctx)

    def check(self, outcome, sb, tag, ctx, kind, phase):
        mine = [c for c in _stored(sb) if c["message"] == f"inject {tag}"]
        assert [c["status"] for c in mine] == ["INJECTED"]
        # a repeat of an inject is answered 409 once the first went through: confirmed, not sent twice
        assert isinstance(outcome, mfanalytics.Campaign) and outcome.id == ctx


class Cancel(_Case):
    route = r"/api/v1/campaigns/\d+/cancel"

    def setup(self, client, sb, tag):
        return client.send_campaign(
            f"cancel {tag}", recipients=["0612345678"], schedule_on=sb.now + timedelta(hours=2)
        ).id

    def call(self, client, sb, tag, ctx):
        return client.cancel_campaign(ctx)

    def check(self, outcome, sb, tag, ctx, kind, phase):
        mine = [c for c in _stored(sb) if c["id"] == ctx]
        assert [c["status"] for c in mine] == ["DRAFT"]
        if isinstance(outcome, mfanalytics.Campaign):
            assert outcome.status == "DRAFT"
        else:
            # the repeat was refused because the first attempt had already cancelled it
            assert isinstance(outcome, errors.InvalidRequestError) and outcome.status == 409
            assert outcome.retried and "earlier attempt" in str(outcome)
            assert phase == "after_processing"


class UploadList(_Case):
    route = PREFIX + "/lists/upload"

    def call(self, client, sb, tag, ctx):
        return client.upload_list(b"mobile\n0612345601\n", filename=f"{tag}.csv")

    def check(self, outcome, sb, tag, ctx, kind, phase):
        assert isinstance(outcome, dict) and isinstance(outcome.get("id"), int)


class Blacklist(_Case):
    route = PREFIX + "/blacklist"

    def call(self, client, sb, tag, ctx):
        return client.add_to_blacklist("+33699999999", description=tag)

    def check(self, outcome, sb, tag, ctx, kind, phase):
        assert isinstance(outcome, dict)
        rows = requests.get(
            sb.url + "/blacklist",
            timeout=10,
            headers={
                "Authorization": requests.post(
                    sb.url + "/auth/login", json={"username": "demo", "password": "demo"}, timeout=10
                ).headers["Authorization"]
            },
        ).json()
        assert tag in [r.get("createdDescription") for r in rows]


class Login(_Case):
    route = PREFIX + "/auth/login"

    def call(self, client, sb, tag, ctx):
        client._token = None
        return client.login()

    def check(self, outcome, sb, tag, ctx, kind, phase):
        assert outcome is None and client_has_token(self.client)


def client_has_token(client) -> bool:
    return client._token is not None


POSTS = {
    "send_now": SendNow,
    "prepare": Prepare,
    "inject": Inject,
    "cancel": Cancel,
    "upload_list": UploadList,
    "add_to_blacklist": Blacklist,
    "login": Login,
}


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("post", list(POSTS))
def test_every_post_under_every_fault(shared_sandbox, post, kind, phase):
    sb = shared_sandbox
    beyond = kind == "slow-beyond-timeout"

    def make(timeout):
        client = mfanalytics.Client(
            sb.url,
            username="demo",
            password="demo",
            policy=_policy(),
            max_retries=3,
            now=lambda: sb.now,
            timeout=timeout,
        )
        client.login()
        return client

    client = make(0.5 if beyond else 10)  # only the call under test has the short timeout
    case = POSTS[post]()
    case.client = client
    tag = f"{post}-{kind}-{phase}"
    ctx = case.setup(make(10), sb, tag)
    sb.set_faults(
        rate=1,
        kinds=["slow" if beyond else kind],
        methods=["POST"],
        routes=[case.route],
        after_processing=phase == "after_processing",
        count=1,
        retry_after=0,
        delay=1.0 if beyond else 0.05,
    )
    try:
        try:
            outcome = case.call(client, sb, tag, ctx)
        except errors.MediasflowError as exc:
            outcome = exc
    finally:
        sb.set_faults(rate=0)
    if beyond:
        time.sleep(2.0)  # let the 1.0 s delayed request finish on the server before looking (a loaded machine)
    case.check(outcome, sb, tag, ctx, kind, phase)


@pytest.mark.parametrize("retries", [0, 1])
@pytest.mark.parametrize("kind", ["500", "503", "429", "reset", "truncated"])
@pytest.mark.parametrize("how", ["inject", "send_campaign", "send_now"])
def test_a_send_that_went_out_is_never_reported_as_not_sent(shared_sandbox, how, kind, retries):
    """Every attempt fails after the platform acted, and the attempts run out: the caller must not be
    told "not sent" (a plain error) while the campaign went out, or a resend pays twice."""
    sb = shared_sandbox
    client = mfanalytics.Client(
        sb.url, username="demo", password="demo", policy=_policy(), max_retries=retries, now=lambda: sb.now, timeout=10
    )
    client.login()
    tag = f"out {how}-{kind}-{retries}"
    draft = client.prepare_campaign(tag, recipients=["0612345678"]).id if how == "inject" else None
    sb.set_faults(
        rate=1,
        kinds=[kind],
        methods=["POST"],
        routes=[PREFIX + "/campaigns/inject"],
        after_processing=True,
        count=retries + 1,
        retry_after=0,
        delay=0.05,
    )
    try:
        if how == "inject":
            outcome = client.inject_campaign(draft)
        elif how == "send_campaign":
            outcome = client.send_campaign(tag, recipients=["0612345678"])
        else:
            outcome = client.send_now(tag, recipients=["0612345678"])
    except errors.MediasflowError as exc:
        outcome = exc
    finally:
        sb.set_faults(rate=0)
    sent = [c for c in _stored(sb) if c["message"] == tag and c["status"] != "DRAFT"]
    assert len(sent) <= 1
    if sent:
        assert isinstance(outcome, (mfanalytics.Campaign, errors.AmbiguousSendError)), repr(outcome)
        if isinstance(outcome, errors.AmbiguousSendError):
            assert "get_reports" in str(outcome) or "again" in str(outcome)


# -- task 2: one retry loop --------------------------------------------------------------
@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n=st.integers(0, 7),
    k=st.integers(0, 9),
    how=st.sampled_from(["policy", "argument"]),
    status=st.sampled_from([500, 502, 503, 504, 429]),
)
def test_a_get_is_tried_exactly_min_k_n_plus_one_times(n, k, how, status):
    def handler(req, i):
        if i <= k:
            return Answer(status, {"Content-Type": "application/json"}, b'{"message": "down"}')
        return Answer(200, {"Content-Type": "application/json"}, b"[]")

    with Loopback(handler) as srv:
        if how == "policy":
            client = mfanalytics.Client(
                srv.url + "/api/v1", token="t0k3n", policy=mfanalytics.RetryPolicy(max_retries=n, sleep=lambda s: None)
            )
        else:
            client = mfanalytics.Client(srv.url + "/api/v1", token="t0k3n", max_retries=n, policy=_policy())
        try:
            client.get_blacklist()
            ok = True
        except errors.MediasflowError:
            ok = False
        attempts = len(srv.received)
    assert attempts == min(k, n) + 1
    assert ok == (k <= n)


def test_an_expired_token_is_renewed_once_inside_the_same_loop():
    logins = []

    def handler(req, i):
        if req.path.endswith("/auth/login"):
            logins.append(json.loads(req.body))
            return Answer(200, {"Authorization": f"Bearer fresh-{len(logins)}"})
        if req.headers.get("Authorization") == "Bearer fresh-2":
            return Answer(200, {"Content-Type": "application/json"}, b"[]")
        return Answer(401, {"Content-Type": "application/json"}, b'{"message": "expired"}')

    with Loopback(handler) as srv:
        client = mfanalytics.Client(srv.url + "/api/v1", username="u", password="pw-pw", policy=_policy())
        assert client.get_blacklist().empty
        assert len(logins) == 2
        gets = [r for r in srv.received if r.method == "GET"]
        assert [g.headers["Authorization"] for g in gets] == ["Bearer fresh-1", "Bearer fresh-2"]
        # a second 401 after the renewal is final, not a loop
        logins.clear()
        srv.received.clear()
        client._token = None
        srv.handler = lambda req, i: (
            Answer(200, {"Authorization": "Bearer other"})
            if req.path.endswith("/auth/login")
            else Answer(401, {}, b'{"message": "no"}')
        )
        with pytest.raises(errors.AuthenticationError):
            client.get_blacklist()
        assert [r.method for r in srv.received] == ["POST", "GET", "POST", "GET"]


# -- task 3: redirects --------------------------------------------------------------------
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_login_redirected_to_another_host_sends_nothing_there(status):
    with Loopback(
        lambda req, i: Answer(200, {"Authorization": "Bearer stolen-token"}, b'{"token": "stolen-token"}')
    ) as evil:

        def api(req, i):
            return Answer(status, {"Location": evil.url.replace("127.0.0.1", "localhost") + "/api/v1/auth/login?x=1"})

        with Loopback(api) as srv:
            client = mfanalytics.Client(srv.url + "/api/v1", username="u", password="pw-secret-1", policy=_policy())
            with pytest.raises(errors.MediasflowError) as info:
                client.login()
        assert evil.received == []
        assert client._token is None
        assert "localhost" in str(info.value) and "/api/v1/auth/login" in str(info.value)
        assert "redirect" in str(info.value).lower()
        assert "pw-secret-1" not in str(info.value)


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_get_is_never_redirected_with_the_token(status):
    with Loopback(lambda req, i: Answer(200, {"Content-Type": "application/json"}, b"[]")) as other:
        with Loopback(lambda req, i: Answer(status, {"Location": other.url + "/api/v1/blacklist"})) as srv:
            client = mfanalytics.Client(srv.url + "/api/v1", token="tok-abc-123", policy=_policy())
            with pytest.raises(errors.MediasflowError, match="redirect"):
                client.get_blacklist()
        assert other.received == []
        assert len(srv.received) == 1  # a redirect is an answer, not a failure to retry


def test_a_send_now_answered_with_a_redirect_is_ambiguous_and_not_followed():
    with Loopback(lambda req, i: Answer(200, {"Content-Type": "application/json"}, b'{"id": 1}')) as other:

        def api(req, i):
            if req.path.endswith("/auth/login"):
                return Answer(200, {"Authorization": "Bearer tt"})
            return Answer(307, {"Location": other.url + "/api/v1/campaigns/inject"})

        with Loopback(api) as srv:
            client = mfanalytics.Client(srv.url + "/api/v1", username="u", password="pw-x", policy=_policy())
            with pytest.raises(errors.AmbiguousSendError, match="redirect"):
                client.send_now("Bonjour", recipients=["0612345678"])
        assert other.received == []


# -- task 4: http off loopback, credentials in the URL -------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "http://app.mediasflow.com/api/v1",
        "http://10.0.0.7/api/v1",
        "http://127.0.0.1.example.com/api",
        "http://[2001:db8::1]/api",
    ],
)
def test_plain_http_off_loopback_is_refused(url):
    with pytest.raises(errors.ValidationError) as info:
        mfanalytics.Client(url, username="u", password="p")
    assert info.value.rule == "insecure-http"
    assert "allow_insecure_http" in str(info.value)
    client = mfanalytics.Client(url, username="u", password="p", allow_insecure_http=True)
    assert client.base_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/api/v1",
        "http://127.9.9.9/api",
        "http://[::1]:8000/api",
        "http://localhost:8000/api",
        "https://app.mediasflow.com/api/v1",
    ],
)
def test_loopback_and_https_are_accepted(url):
    assert mfanalytics.Client(url, token="x").base_url == url


def test_credentials_in_the_url_are_refused_without_echoing_them():
    with pytest.raises(errors.ValidationError) as info:
        mfanalytics.Client("https://bob:hunter2-pw@app.mediasflow.com/api/v1", token="x")
    assert info.value.rule == "url-credentials"
    assert "hunter2-pw" not in str(info.value) and "hunter2-pw" not in repr(info.value)


def test_the_refusal_of_credentials_in_the_url_keeps_them_out_of_its_traceback_locals():
    """A notebook under ``%xmode Verbose`` prints every frame's locals: none may hold the password,
    and printing them must not fail on the half-built client."""
    import traceback

    try:
        mfanalytics.Client("https://bob:hunter2-pw@app.mediasflow.com/api/v1", username="bob", password="hunter2-pw")
    except errors.ValidationError as exc:
        error = exc
    summary = traceback.TracebackException.from_exception(error, capture_locals=True)
    assert "url-credentials" in "".join(summary.format())  # formatting the locals does not fail
    ours = [frame for frame in summary.stack if "/mfanalytics/" in frame.filename]  # not this test's own line
    assert [frame.name for frame in ours] == ["__init__", "check_base_url"]
    shown = [f"{name}={value}" for frame in ours for name, value in (frame.locals or {}).items()]
    assert not [item for item in shown if "hunter2-pw" in item]
    assert "self=<mfanalytics.Client (not constructed)>" in shown  # the half-built client's repr works


@pytest.mark.parametrize("scheme", ["ftp://app.mediasflow.com/api", "app.mediasflow.com/api", "https:///api"])
def test_a_base_url_that_is_not_http_is_refused(scheme):
    with pytest.raises(errors.ValidationError) as info:
        mfanalytics.Client(scheme, token="x")
    assert info.value.rule == "base-url"


# -- task 7: Retry-After and the deadline -------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("nan", None),
        ("NaN", None),
        ("inf", None),
        ("-inf", None),
        ("-3", None),
        ("", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("1e308", 30.0),
        ("7", 7.0),
        ("0", 0.0),
        ("2.5", 2.5),
    ],
)
def test_retry_after_that_is_not_a_sane_number_of_seconds_is_ignored(value, expected):
    sleeps: list[float] = []

    def handler(req, i):
        if i == 1:
            return Answer(429, {"Retry-After": value, "Content-Type": "application/json"}, b'{"message": "slow down"}')
        return Answer(200, {"Content-Type": "application/json"}, b"[]")

    with Loopback(handler) as srv:
        client = mfanalytics.Client(
            srv.url + "/api/v1",
            token="t",
            policy=mfanalytics.RetryPolicy(sleep=sleeps.append, random=lambda: 0.5, backoff=0.5, max_delay=30.0),
        )
        client.get_blacklist()
    assert len(sleeps) == 1 and math.isfinite(sleeps[0]) and 0 <= sleeps[0] <= 30.0
    if expected is None:
        assert sleeps == [0.5 * 0.75]  # the backoff: as if no Retry-After was sent
    else:
        assert sleeps == [expected]


def test_a_trickling_answer_is_cut_by_the_deadline():
    body = json.dumps([{"item": f"+336{i:08d}"} for i in range(3)]).encode()  # ~80 bytes at 0.1 s each: 8 s

    def handler(req, i):
        return Answer(200, {"Content-Type": "application/json"}, body, trickle=0.1)

    with Loopback(handler) as srv:
        client = mfanalytics.Client(
            srv.url + "/api/v1", token="t", timeout=1.0, deadline=1.0, max_retries=0, policy=_policy()
        )
        with pytest.raises(errors.APIConnectionError, match="deadline"):
            client.get_blacklist()
        assert srv.hung_up.wait(5)  # the client hung up mid-body
        assert srv.sent_bytes < len(body)


def test_a_trickling_answer_to_send_now_is_ambiguous():
    def handler(req, i):
        if req.path.endswith("/auth/login"):
            return Answer(200, {"Authorization": "Bearer tt"})
        return Answer(
            200, {"Content-Type": "application/json"}, b'{"id": 5, "status": "INJECTED"}' + b" " * 60, trickle=0.1
        )

    with Loopback(handler) as srv:
        client = mfanalytics.Client(
            srv.url + "/api/v1", username="u", password="p", timeout=1.0, deadline=1.0, policy=_policy()
        )
        with pytest.raises(errors.AmbiguousSendError, match="deadline"):
            client.send_now("Bonjour", recipients=["0612345678"])
        assert len([r for r in srv.received if r.path.endswith("/campaigns/inject")]) == 1


@pytest.mark.parametrize("deadline", [0, -1, float("nan")])
def test_a_deadline_must_be_positive(deadline):
    with pytest.raises(errors.ValidationError) as info:
        mfanalytics.Client(token="x", deadline=deadline)
    assert info.value.rule == "deadline"


def test_an_interrupt_while_sending_leaves_no_secret_in_its_frames():
    """Ctrl-C during a request (a notebook with %xmode Verbose prints every frame's locals)."""
    import traceback

    class Interrupting(requests.Session):
        def request(self, method, url, **kwargs):
            raise KeyboardInterrupt

    client = mfanalytics.Client("https://app.mediasflow.com/api/v1", token="tok-interrupt-42", session=Interrupting())
    with pytest.raises(KeyboardInterrupt) as info:
        client.get_blacklist()
    text = "".join(traceback.TracebackException.from_exception(info.value, capture_locals=True).format())
    assert "tok-interrupt-42" not in text
    assert info.value.__context__ is None


def trickling_headers(pause: float = 0.2, login_token: str | None = None):
    """A script for :class:`rawsocket.RawServer`: a status line, then one header byte every ``pause``
    seconds, never ending the headers (``requests``' own servers write whole header blocks)."""

    def script(conn, path, stop):
        if login_token and path.endswith("/auth/login"):
            conn.sendall(
                f"HTTP/1.1 200 OK\r\nAuthorization: Bearer {login_token}\r\nContent-Length: 2\r\n\r\n{{}}".encode()
            )
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not stop.is_set():
            conn.sendall(b"x")  # never a line end
            time.sleep(pause)

    return script


@pytest.mark.timeout(60)
def test_headers_that_trickle_are_cut_by_the_deadline():
    with RawServer(trickling_headers()) as srv:
        client = mfanalytics.Client(
            srv.url + "/api/v1", token="t", timeout=1.0, deadline=1.5, max_retries=0, policy=_policy()
        )
        started = time.monotonic()
        with pytest.raises(errors.APIConnectionError, match=r"deadline of 1\.5 s"):
            client.get_blacklist()
        assert time.monotonic() - started < 30  # a sanity bound, not a timing promise: without the fix it never ends
        assert srv.hung_up.wait(10)  # the client hung up while the headers were still coming


@pytest.mark.timeout(60)
def test_headers_that_trickle_to_send_now_are_ambiguous_and_sent_once():
    with RawServer(trickling_headers(login_token="tt")) as srv:
        client = mfanalytics.Client(
            srv.url + "/api/v1", username="u", password="p", timeout=1.0, deadline=1.5, policy=_policy()
        )
        with pytest.raises(errors.AmbiguousSendError, match=r"deadline of 1\.5 s") as info:
            client.send_now("Bonjour", recipients=["0612345678"])
        assert info.value.__context__ is None and info.value.__cause__ is None
    assert [p for p in srv.received if p.endswith("/campaigns/inject")] == ["/api/v1/campaigns/inject"]


@pytest.mark.timeout(60)
def test_headers_that_trickle_to_a_get_are_tried_again_each_under_its_own_deadline():
    with RawServer(trickling_headers()) as srv:
        client = mfanalytics.Client(
            srv.url + "/api/v1", token="t", timeout=1.0, deadline=0.5, max_retries=2, policy=_policy()
        )
        with pytest.raises(errors.APIConnectionError, match="after 3 attempt"):
            client.get_blacklist()
    assert srv.received == ["/api/v1/blacklist"] * 3
