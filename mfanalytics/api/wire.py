"""One attempt on the wire: the deadline enforced from the request to the last byte of the answer,
the body read under it, and a request scrubbed of its headers and body before it is kept.

The deadline. ``requests`` has a timeout per socket read only, so a server that sends one byte
a second (of the headers or of the body) holds a call forever. A :class:`Watchdog` is armed for
each attempt: at the deadline it shuts down the attempt's socket, which ends any read or write
blocked on it at once, whatever phase it is in. The socket is handed to it by the connections of
a :class:`DeadlineAdapter`, which :func:`guard_session` mounts for the API's host on a session
whose adapter is requests' own (a custom adapter is kept: then only the body read, checked
between reads, is under the deadline).
"""

from __future__ import annotations

import contextvars
import hashlib
import socket
import threading
import time
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import requests
import urllib3.connection
import urllib3.connectionpool
from requests.adapters import HTTPAdapter
from urllib3.poolmanager import PoolManager

from mfanalytics.api.urls import shown_url

__all__ = ["Deadline", "DeadlineAdapter", "Watchdog", "guard_session", "read_body", "scrubbed"]

_CHUNK = 64 * 1024


class Deadline(Exception):
    """The attempt ran past the transport's deadline (internal: the transport turns it into its error)."""


class Watchdog:
    """Shuts down the sockets of one attempt when its deadline passes.

    Use it as a context manager around the attempt, in the thread that makes
    it: the connections of a :class:`DeadlineAdapter` hand it their socket
    (:meth:`watch`). Leaving the block disarms it; a socket handed over after
    the deadline is shut down at once.

    Examples
    --------
    >>> import socket
    >>> a, b = socket.socketpair()
    >>> with Watchdog(0.05) as dog:
    ...     dog.watch(a)
    ...     a.recv(1)  # blocks until the deadline shuts the socket down
    ...     dog.fired
    b''
    True
    >>> a.close(); b.close()
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline_at = time.monotonic() + seconds
        #: True once the deadline passed while the attempt was still going
        self.fired = False
        self._done = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._token: contextvars.Token[Watchdog | None] | None = None

    def __enter__(self) -> Watchdog:
        self._token = _CURRENT.set(self)
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
            self._sockets.clear()
        self._timer.cancel()
        if self._token is not None:
            _CURRENT.reset(self._token)

    def expired(self) -> bool:
        """True when the deadline has passed (fired, or about to)."""
        return self.fired or time.monotonic() >= self.deadline_at

    def watch(self, sock: socket.socket | None) -> None:
        """Shut ``sock`` down at the deadline (at once when it has passed)."""
        if sock is None:
            return
        with self._lock:
            if self._done:
                return
            if self.fired:
                _shut(sock)
            else:
                self._sockets.append(sock)

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


_CURRENT: contextvars.ContextVar[Watchdog | None] = contextvars.ContextVar("mfanalytics_watchdog", default=None)


def _shut(sock: socket.socket) -> None:
    """Shut down the socket under any TLS layer (the reader then sees the end of the stream)."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, TypeError):  # already closed, or not a plain socket (TLS in TLS)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _watch(sock: Any) -> None:
    dog = _CURRENT.get()
    if dog is not None and isinstance(sock, socket.socket):
        dog.watch(sock)


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self.sock)  # a kept-alive connection: its socket is already open
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: dict[str, type[urllib3.connectionpool.HTTPConnectionPool]] = {
    "http": _WatchedHTTPPool,
    "https": _WatchedHTTPSPool,
}


class DeadlineAdapter(HTTPAdapter):
    """requests' own adapter, whose connections hand their socket to the attempt's :class:`Watchdog`.

    Outside an attempt of the transport it behaves exactly like :class:`requests.adapters.HTTPAdapter`.
    """

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS managers have pools of their own
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


def guard_session(session: requests.Session, base_url: str) -> None:
    """Mount a :class:`DeadlineAdapter` for the host of ``base_url`` on ``session``, with the
    settings of the adapter it replaces, when that one is requests' own; leave any other alone."""
    try:
        adapter = session.get_adapter(base_url)
    except (AttributeError, requests.exceptions.InvalidSchema):  # a stand-in for a session, or no adapter
        return
    if type(adapter) is not HTTPAdapter:  # already guarded, or the caller's own adapter
        return
    parts = urlsplit(base_url)
    guarded = DeadlineAdapter(
        pool_connections=adapter._pool_connections,
        pool_maxsize=adapter._pool_maxsize,
        max_retries=adapter.max_retries,
        pool_block=adapter._pool_block,
    )
    session.mount(f"{parts.scheme}://{parts.netloc}/", guarded)


def read_body(response: requests.Response, watchdog: Watchdog, sink: BinaryIO | None = None) -> None:
    """Read the whole body into ``response``, or raise :class:`Deadline` once ``watchdog``'s deadline
    passes (its socket is shut down then, so a trickling body ends at the deadline).

    With ``sink``, the body of a 2xx answer is written to it chunk by chunk instead (it is never held
    whole), ``response.content`` is then empty and ``response.body_sha256`` holds the hex SHA-256 of
    what was written; the body of any other answer (an error's JSON) is read into ``response`` as without.
    """
    raw = response.raw
    if raw is None or response._content_consumed:
        # an injected session (the test seam) may answer with the body already read
        if sink is not None and response.ok:
            body = response.content or b""
            sink.write(body)
            response.body_sha256 = hashlib.sha256(body).hexdigest()  # type: ignore[attr-defined]
            response._content = b""
        return
    read = getattr(raw, "read1", None) or raw.read
    chunks: list[bytes] = []
    digest = hashlib.sha256() if sink is not None and response.ok else None
    while True:
        if watchdog.expired():
            raise Deadline
        chunk = read(_CHUNK, decode_content=True)
        if not chunk:
            break
        if digest is not None:
            sink.write(chunk)  # type: ignore[union-attr]  # digest is set only with a sink
            digest.update(chunk)
        else:
            chunks.append(chunk)
    if watchdog.fired:  # the end of the stream was the watchdog's shutdown, not the server's
        raise Deadline
    response._content = b"".join(chunks)
    response._content_consumed = True
    if digest is not None:
        response.body_sha256 = digest.hexdigest()  # type: ignore[attr-defined]  # the streamed body's digest
    release = getattr(raw, "release_conn", None)
    if release is not None:
        release()
    response.raw = None


def scrubbed(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """A copy of ``request`` with only its method and URL (no query): no headers, no body."""
    clean = requests.PreparedRequest()
    clean.method = request.method
    clean.url = shown_url(request.url or "")
    clean.headers = requests.structures.CaseInsensitiveDict()
    clean.body = None
    return clean
