"""The sandbox served in-process, in a background thread, for notebooks and tests.

Examples
--------
>>> import requests
>>> from mfanalytics.sandbox.embedded import EmbeddedSandbox
>>> with EmbeddedSandbox(seed=0) as sb:
...     r = requests.post(sb.url + "/auth/login", json={"username": "demo", "password": "demo"})
...     r.status_code, r.headers["Authorization"].startswith("Bearer ")
(200, True)
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mfanalytics.sandbox.store import open_state

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp

    from mfanalytics.api.client import Client
    from mfanalytics.sandbox.auth import Account

__all__ = ["EmbeddedSandbox", "build_server"]


def build_server(
    app: ASGIApp,
    sock: socket.socket | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    access_log: bool = False,
) -> uvicorn.Server:
    """A ``uvicorn.Server`` for ``app``; the access log is off (it never shows tokens anyway)."""
    import uvicorn

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=access_log,
        lifespan="off",
        timeout_keep_alive=5,
        server_header=False,
    )
    return uvicorn.Server(config)


class EmbeddedSandbox:
    """A running sandbox on a free loopback port.

    Parameters
    ----------
    seed : int
        Seed of the simulation (outcomes, times, faults).
    users : dict or list, optional
        ``{"name": "password"}`` or a list of dicts for :meth:`add_user`;
        default: ``demo`` / ``demo``. Ignored when ``db`` already holds accounts.
    start : str or datetime, optional
        Simulated time at start; default now.
    speed : float
        Simulated seconds per wall second (0 = the clock moves only when
        told to, the default here: notebooks and tests stay reproducible).
    db : str, optional
        SQLite file to keep the state in.

    Attributes
    ----------
    url : str
        API base URL, ending in ``/api/v1``.
    root : str
        Server root (Swagger at ``root + "/MediasflowApi"``).
    state : SandboxState
        The live state, for tests.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        users: dict[str, str] | list[dict[str, Any]] | None = None,
        start: str | datetime | None = None,
        speed: float = 0.0,
        db: str | None = None,
        faults: bool = True,
    ) -> None:
        from mfanalytics.sandbox.app import create_app

        self.state = open_state(db, seed=seed, start=start, speed=speed)
        if not self.state.accounts.users:
            if users is None:
                users = {"demo": "demo"}
            items = [{"name": k, "password": v} for k, v in users.items()] if isinstance(users, dict) else list(users)
            for spec in items:
                spec = dict(spec)
                self.state.add_user(spec.pop("name"), spec.pop("password"), **spec)
        self.app = create_app(self.state, faults=faults)
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url: str | None = None
        self.root: str | None = None

    # -- lifecycle -----------------------------------------------------------
    def start(self, timeout: float = 10.0) -> EmbeddedSandbox:
        """Serve in a daemon thread; returns once the server accepts connections."""
        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self._sock = sock
        port = sock.getsockname()[1]
        server = self._server = build_server(self.app)
        server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]  # uvicorn < 0.29 had it
        thread = self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"mfanalytics-sandbox-{port}", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        root = self.root = f"http://127.0.0.1:{port}"
        self.url = root + "/api/v1"
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
        return self

    def close(self) -> None:
        """Stop the server and wait for its thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        if self.state.store is not None:
            self.state._save_meta()
            self.state.store.close()
        self._thread = self._server = self._sock = None

    def __enter__(self) -> EmbeddedSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.url or "not started"
        return f"<mfanalytics sandbox {where}, clock {self.state.clock.isoformat()}>"

    # -- controls ------------------------------------------------------------
    @property
    def now(self) -> datetime:
        """The simulated time (aware UTC datetime)."""
        return self.state.clock.datetime()

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward and apply what became due."""
        self.state.advance(seconds)

    def set_clock(self, when: str | datetime) -> None:
        """Set the simulated clock (never backwards)."""
        self.state.set_clock(when)

    def set_speed(self, speed: float) -> None:
        """Run the simulated clock ``speed`` times faster than wall time (0 freezes it)."""
        self.state.clock.set_speed(speed)

    def set_faults(self, **options: Any) -> dict[str, Any]:
        """Configure faults (see :mod:`mfanalytics.sandbox.faults`); ``rate=0`` stops them."""
        return self.state.faults.update(**options)

    def add_user(self, name: str, password: str, **options: Any) -> Account:
        """Add an account (``role``, ``credit``, ``max_segments``, ``countries``, ``allowed_hosts``)."""
        return self.state.add_user(name, password, **options)

    def client(self, username: str = "demo", password: str = "demo", **kwargs: Any) -> Client:
        """A logged-in :class:`mfanalytics.api.client.Client` on this sandbox."""
        from mfanalytics.api.client import Client

        account = self.state.accounts.users.get(username)
        if account is not None:
            kwargs.setdefault("max_segments", account.max_segments)
        kwargs.setdefault("now", lambda: self.now)
        if self.url is None:
            raise RuntimeError("start the sandbox first: with mfanalytics.sandbox() as sb: ...")
        client = Client(self.url, username=username, password=password, **kwargs)
        client.login()
        return client
