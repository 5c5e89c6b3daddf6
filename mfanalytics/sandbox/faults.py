"""Fault injection for the sandbox: an ASGI middleware.

Faults are off by default and never touch ``/_sandbox/`` routes. When on, each
matching request draws a number from a counter-based generator seeded by the
sandbox seed (so a run is reproducible) and, with probability ``rate``, gets
one of the configured ``kinds``:

``"500"``, ``"503"``
    a JSON error answer with that status (503 carries ``Retry-After``);
``"429"``
    Too Many Requests with ``Retry-After`` (``retry_after`` seconds);
``"reset"``
    the connection is dropped (TCP reset) without any answer;
``"slow"``
    the answer comes after ``delay`` wall seconds;
``"truncated"``
    ``Content-Length`` announces more bytes than are sent, then the
    connection closes.

With ``after_processing=True`` the request takes effect first and then its
answer is lost (replaced by the fault): the hardest case for a client.

Examples
--------
>>> config = FaultConfig(seed=0)
>>> config.update(rate=1, kinds=["503"], methods=["GET"])["rate"]
1.0
>>> config.draw("GET", "/api/v1/blacklist")
'503'
>>> config.draw("POST", "/api/v1/blacklist") is None
True
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import logging
import math
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the sandbox extra is needed to serve, not to import
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["FAULT_KINDS", "FaultConfig", "FaultMiddleware"]

FAULT_KINDS: tuple[str, ...] = ("500", "503", "429", "reset", "slow", "truncated")

#: Longest ``delay`` of a "slow" fault, in wall seconds.
MAX_DELAY = 60.0

#: Largest ``retry_after``, in seconds.
MAX_RETRY_AFTER = 3600


def _number(value: Any, name: str, lo: float, hi: float, *, whole: bool = False) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not lo <= value <= hi
        or (whole and not float(value).is_integer())
    ):
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{name} must be {kind} from {lo:g} to {hi:g}, not {value!r}")
    return float(value)


@dataclass
class FaultConfig:
    """What faults to inject; thread-safe; see the module docstring."""

    seed: int = 0
    rate: float = 0.0
    kinds: list[str] = field(default_factory=lambda: ["500"])
    methods: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    after_processing: bool = False
    delay: float = 2.0
    retry_after: int = 1
    count: int | None = None
    injected: int = 0
    _counter: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(
        self,
        *,
        rate: float | None = None,
        kinds: list[str] | None = None,
        methods: list[str] | None = None,
        routes: list[str] | None = None,
        after_processing: bool | None = None,
        delay: float | None = None,
        retry_after: int | None = None,
        count: int | None = None,
    ) -> dict[str, Any]:
        """Replace the configuration; unnamed options return to their defaults.

        ``routes`` are path prefixes or regular expressions matched against
        the request path (``"/api/v1/campaigns/inject"``, ``"/api/v1/campaigns/report.*"``).
        ``count`` caps how many faults are injected (None: no cap).
        Returns :meth:`describe`.
        """
        rate = 0.0 if rate is None else _number(rate, "rate", 0.0, 1.0)
        if kinds is not None and (not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds)):
            raise ValueError(f"kinds must be a list of strings among {list(FAULT_KINDS)}")
        kinds = ["500"] if kinds is None else [str(k).lower() for k in kinds]
        unknown = sorted(set(kinds) - set(FAULT_KINDS))
        if unknown or not kinds:
            raise ValueError(f"unknown fault kind(s) {unknown}; known: {list(FAULT_KINDS)}")
        for name, value in (("methods", methods), ("routes", routes)):
            if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
                raise ValueError(f"{name} must be a list of strings")
        routes = list(routes or [])
        for route in routes:
            try:
                re.compile(route)
            except re.error as exc:
                raise ValueError(f"routes: {route!r} is not a regular expression ({exc})") from None
        if after_processing is not None and not isinstance(after_processing, bool):
            raise ValueError("after_processing must be true or false")
        delay = 2.0 if delay is None else _number(delay, "delay", 0.0, MAX_DELAY)
        retry_after = (
            1 if retry_after is None else int(_number(retry_after, "retry_after", 0, MAX_RETRY_AFTER, whole=True))
        )
        count = None if count is None else int(_number(count, "count", 0, 2**31, whole=True))
        with self._lock:
            self.rate = rate
            self.kinds = kinds
            self.methods = [m.upper() for m in (methods or [])]
            self.routes = routes
            self.after_processing = bool(after_processing)
            self.delay = delay
            self.retry_after = retry_after
            self.count = count
            self.injected = 0
        return self.describe()

    def describe(self) -> dict[str, Any]:
        """The configuration as JSON-ready data."""
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "methods": list(self.methods),
            "routes": list(self.routes),
            "after_processing": self.after_processing,
            "delay": self.delay,
            "retry_after": self.retry_after,
            "count": self.count,
            "injected": self.injected,
        }

    def _matches(self, method: str, path: str) -> bool:
        if self.methods and method.upper() not in self.methods:
            return False
        if self.routes:
            return any(path.startswith(r) or re.fullmatch(r, path) for r in self.routes)
        return True

    def draw(self, method: str, path: str) -> str | None:
        """The fault kind for this request, or None; advances the counter."""
        if path.startswith("/_sandbox") or self.rate <= 0:
            return None
        with self._lock:
            if not self._matches(method, path):
                return None
            if self.count is not None and self.injected >= self.count:
                return None
            self._counter += 1
            digest = hashlib.sha256(f"{self.seed}:{self._counter}".encode()).digest()
            u = int.from_bytes(digest[:8], "big") / 2**64
            if u >= self.rate:
                return None
            self.injected += 1
            pick = int.from_bytes(digest[8:16], "big") % len(self.kinds)
            return self.kinds[pick]


def _transport_of(receive: Receive) -> Any:
    """The asyncio transport behind a uvicorn ``receive`` callable, if any."""
    cycle = getattr(receive, "__self__", None)
    return getattr(cycle, "transport", None)


class _QuietDeliberateDrops(logging.Filter):
    """uvicorn reports an answer that never started or finished as an error;
    for the "reset" and "truncated" faults that is the point."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_DROPPED.get() and str(record.msg).startswith("ASGI callable returned without"))


_QUIET = _QuietDeliberateDrops()
_DROPPED: contextvars.ContextVar[bool] = contextvars.ContextVar("mfanalytics_sandbox_dropped", default=False)


class FaultMiddleware:
    """ASGI middleware applying a :class:`FaultConfig` to HTTP requests."""

    def __init__(self, app: ASGIApp, config: FaultConfig) -> None:
        self.app = app
        self.config = config
        logging.getLogger("uvicorn.error").addFilter(_QUIET)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        kind = self.config.draw(scope["method"], scope["path"])
        if kind is None:
            return await self.app(scope, receive, send)
        captured: list[Message] = []
        if self.config.after_processing:

            async def capture(message: Message) -> None:
                captured.append(message)

            await self.app(scope, receive, capture)
        if kind == "slow":
            await asyncio.sleep(self.config.delay)
            if self.config.after_processing:
                for message in captured:
                    await send(message)
                return
            return await self.app(scope, receive, send)
        if kind in ("reset", "truncated"):
            _DROPPED.set(True)
        if kind == "reset":
            transport = _transport_of(receive)
            if transport is not None:
                transport.abort()
                return
            raise ConnectionResetError("sandbox fault: connection reset")
        if kind == "truncated":
            body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
            if not captured:
                body = json.dumps({"status": 200, "message": "truncated by a sandbox fault"}).encode()
            start = next((m for m in captured if m["type"] == "http.response.start"), None)
            status = start["status"] if start else 200
            headers = [
                (k, v)
                for k, v in (start["headers"] if start else [(b"content-type", b"application/json")])
                if k.lower() != b"content-length"
            ]
            headers.append((b"content-length", str(len(body) + 1000).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body[: max(1, len(body) // 2)], "more_body": True})
            transport = _transport_of(receive)
            if transport is not None:
                await asyncio.sleep(0.01)
                transport.close()
            return
        status = int(kind)
        text = {
            500: "Internal server error (simulated by the sandbox)",
            503: "Service unavailable (simulated by the sandbox)",
            429: "Too many requests (simulated by the sandbox)",
        }[status]
        payload = json.dumps({"status": status, "message": text}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ]
        if status in (429, 503):
            headers.append((b"retry-after", str(self.config.retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
