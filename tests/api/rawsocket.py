"""A raw-socket HTTP server on 127.0.0.1 for answers no HTTP library writes: headers that trickle
in a byte at a time, a body that ends with the connection and not with a length.

``with RawServer(script) as srv:`` — for each request, ``script(conn, path, stop)`` writes the
answer on the socket ``conn`` (``stop`` is set when the server closes); ``srv.received`` lists the
paths in arrival order, and ``srv.hung_up`` is set when a write failed because the client left.
Nothing here uses the package under test.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

Script = Callable[[socket.socket, str, threading.Event], None]


class RawServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.received: list[str] = []
        self.hung_up = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                while not self._stop.is_set():
                    path = self._read_request(conn)
                    if path is None:
                        return
                    self.received.append(path)
                    self.script(conn, path, self._stop)
            except OSError:
                self.hung_up.set()

    @staticmethod
    def _read_request(conn: socket.socket) -> str | None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            head += chunk
        top, _, body = head.partition(b"\r\n\r\n")
        lines = top.split(b"\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            body += conn.recv(65536)
        return lines[0].split()[1].decode()

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._listener.close()
