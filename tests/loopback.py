"""A tiny scripted HTTP server on 127.0.0.1 that records what it received.

It is the other side of the wire for transport tests the sandbox cannot play:
redirects to a second host, a server that fails exactly ``k`` times, a
``Retry-After: nan``, a body that trickles one byte at a time. Nothing here
uses the package under test.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: seconds between bytes of the body (0: send at once)
    trickle: float = 0.0


class Loopback:
    """``with Loopback(handler) as srv:`` — ``handler(Received, n) -> Answer``.

    ``srv.url`` is ``http://127.0.0.1:<port>``; ``srv.received`` lists every
    request in arrival order; ``srv.sent_bytes`` counts body bytes written
    before the client hung up.
    """

    def __init__(self, handler: Callable[[Received, int], Answer]) -> None:
        self.handler = handler
        self.received: list[Received] = []
        self.sent_bytes = 0
        self.hung_up = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                got = Received(self.command, self.path, dict(self.headers.items()), body)
                with outer._lock:
                    outer.received.append(got)
                    n = len(outer.received)
                answer = outer.handler(got, n)
                self.send_response(answer.status)
                headers = {"Content-Length": str(len(answer.body)), **answer.headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    if answer.trickle:
                        for i in range(len(answer.body)):
                            self.wfile.write(answer.body[i : i + 1])
                            self.wfile.flush()
                            outer.sent_bytes += 1
                            time.sleep(answer.trickle)
                    else:
                        self.wfile.write(answer.body)
                        outer.sent_bytes += len(answer.body)
                except OSError:
                    outer.hung_up.set()
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> Loopback:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
