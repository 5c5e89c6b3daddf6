"""One attempt on the wire (mfanalytics.api.wire): the watchdog ends whatever blocks on the
attempt's socket at the deadline, and only then; the adapter that hands it the socket is mounted
only where requests' own adapter was; a body cut by the watchdog is never taken for a whole one."""

from __future__ import annotations

import socket
import time

import pytest
import requests
from loopback import Answer, Loopback
from rawsocket import RawServer

import mfanalytics
from mfanalytics import errors
from mfanalytics.api.wire import DeadlineAdapter, Watchdog, guard_session


@pytest.fixture
def pair():
    a, b = socket.socketpair()
    yield a, b
    a.close()
    b.close()


@pytest.mark.timeout(30)
def test_the_watchdog_ends_a_blocked_read_at_the_deadline(pair):
    a, _b = pair
    with Watchdog(0.2) as dog:
        dog.watch(a)
        assert a.recv(1) == b""  # the end of the stream: shut down, not closed by the peer
        assert dog.fired and dog.expired()


@pytest.mark.timeout(30)
def test_a_socket_handed_over_after_the_deadline_is_shut_at_once(pair):
    a, _b = pair
    with Watchdog(0.01) as dog:
        while not dog.fired:
            time.sleep(0.01)
        dog.watch(a)
        assert a.recv(1) == b""


def test_leaving_the_block_disarms_the_watchdog(pair):
    a, b = pair
    with Watchdog(0.05) as dog:
        dog.watch(a)
    time.sleep(0.2)  # past the deadline: nothing may fire now
    assert not dog.fired
    b.sendall(b"x")
    assert a.recv(1) == b"x"


def test_guard_session_replaces_only_requests_own_adapter_and_keeps_its_settings():
    session = requests.Session()
    session.mount("https://", requests.adapters.HTTPAdapter(pool_maxsize=3, max_retries=2))
    guard_session(session, "https://app.mediasflow.com/api/v1")
    guarded = session.get_adapter("https://app.mediasflow.com/api/v1/blacklist")
    assert isinstance(guarded, DeadlineAdapter)
    assert guarded._pool_maxsize == 3 and guarded.max_retries.total == 2
    assert type(session.get_adapter("https://elsewhere.example/")) is requests.adapters.HTTPAdapter  # other hosts

    class Mine(requests.adapters.HTTPAdapter):
        pass

    custom = requests.Session()
    custom.mount("https://", Mine())
    guard_session(custom, "https://app.mediasflow.com/api/v1")
    assert type(custom.get_adapter("https://app.mediasflow.com/api/v1")) is Mine  # the caller's own is kept


def test_a_guarded_session_works_as_before_outside_an_attempt():
    with Loopback(lambda req, n: Answer(200, {"Content-Type": "text/plain"}, b"ok")) as srv:
        session = requests.Session()
        guard_session(session, srv.url + "/api/v1")
        assert session.get(srv.url + "/api/v1/x", timeout=10).text == "ok"
        assert session.get(srv.url + "/api/v1/y", timeout=10).text == "ok"  # a kept-alive connection


def test_a_client_made_session_is_guarded():
    client = mfanalytics.Client("https://app.mediasflow.com/api/v1", token="t")
    assert isinstance(client._transport.session.get_adapter(client.base_url), DeadlineAdapter)


def _body_until_close(pause: float):
    """An answer with no Content-Length: its body ends when the connection does (HTTP/1.0 style)."""

    def script(conn, path, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[")
        while not stop.is_set():
            conn.sendall(b" ")
            time.sleep(pause)

    return script


@pytest.mark.timeout(60)
def test_a_body_cut_by_the_deadline_is_a_timeout_not_a_short_answer():
    with RawServer(_body_until_close(0.1)) as srv:
        client = mfanalytics.Client(srv.url + "/api/v1", token="t", timeout=2.0, deadline=1.0, max_retries=0)
        with pytest.raises(errors.APIConnectionError, match=r"deadline of 1 s"):
            client.get_blacklist()
        assert srv.hung_up.wait(10)
