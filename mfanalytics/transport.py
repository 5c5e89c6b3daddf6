"""HTTP plumbing shared by every endpoint: one request loop, one retry policy,
one mapping from answers to exceptions, one body encoding.

Nothing here knows about campaigns or pandas. :class:`Transport` wraps an
injectable :class:`requests.Session`; it never logs a header or a body, so a
password or a token cannot reach a log line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from mfanalytics.errors import (
    AmbiguousSendError,
    APIConnectionError,
    APIError,
    AuthenticationError,
    IntegrityError,
    InvalidRequestError,
    MediasflowError,
    RateLimitError,
)

__all__ = ["Retry", "RetryPolicy", "Transport", "error_from_response", "sha256_hex"]

log = logging.getLogger("mfanalytics.http")

#: Header carrying the hex SHA-256 digest of a body (the guide: integrity by SHA-256).
DIGEST_HEADER = "X-Content-SHA256"


class Retry(Enum):
    """How a request may be retried.

    ``SAFE``: it has no effect the server could apply twice that matters
    (GETs, login, preparing a DRAFT, adding to a blacklist): retried on lost
    connections, 429 and 5xx. ``NEVER_AMBIGUOUS``: it may send SMS (a
    ``startNow=true`` campaign): retried only when the failure proves the
    request never reached the server (connection refused, 429); any other
    failure raises :class:`~mfanalytics.errors.AmbiguousSendError`.
    """

    SAFE = "safe"
    NEVER_AMBIGUOUS = "never-ambiguous"


@dataclass
class RetryPolicy:
    """Capped exponential backoff with full jitter.

    Parameters
    ----------
    max_retries : int
        Retries after the first attempt.
    backoff : float
        First delay in seconds; doubles each retry.
    max_delay : float
        Cap on one delay, and on a server's ``Retry-After``.
    sleep, random : callable
        Injectable so tests run instantly and deterministically.
    """

    max_retries: int = 3
    backoff: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = random.random
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({429, 500, 502, 503, 504}))

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        ceiling = min(self.max_delay, self.backoff * (2 ** (attempt - 1)))
        return ceiling * (0.5 + 0.5 * self.random())


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _api_message(response: requests.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        text = (response.text or "").strip()
        return text[:300] or None
    if isinstance(body, Mapping):
        for key in ("message", "error", "detail"):
            if isinstance(body.get(key), str):
                return body[key]
    return None


def error_from_response(response: requests.Response, method: str, path: str) -> MediasflowError:
    """Map an HTTP error answer to the exception class a user catches.

    This is the one place where statuses become classes. The message carries
    the API's own message, never a header or the request body.
    """
    status = response.status_code
    api_message = _api_message(response)
    text = api_message or response.reason or "no message"
    kwargs = {"status": status, "method": method, "path": path, "api_message": api_message}
    if status == 401:
        return AuthenticationError(f"Authentication refused: {text}", **kwargs)
    if status == 403:
        return AuthenticationError(
            f"Forbidden: {text}. The account may not act for this user, or this "
            "machine's address is not on the account's allow-list.",
            **kwargs,
        )
    if status == 429:
        return RateLimitError(
            f"Too many requests: {text}", retry_after=_retry_after(response), **kwargs
        )
    if status in (400, 404, 409, 422) or 400 <= status < 500:
        return InvalidRequestError(text, **kwargs)
    return APIError(f"Server error: {text}", **kwargs)


def _never_reached_server(exc: requests.RequestException) -> bool:
    """True when the failure proves the request was not sent."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        return isinstance(inner, NewConnectionError)
    return False


class Transport:
    """Send requests to one API root with the retry policy and error mapping.

    Parameters
    ----------
    base_url : str
        API root, e.g. ``https://app.mediasflow.com/api/v1``.
    session : requests.Session
        The session to use (the test seam).
    timeout : float
        Seconds for connect and for each read; always on.
    policy : RetryPolicy
        Retry behaviour.
    body_encoding : {"json", "form"}
        How JSON structures travel in POST bodies: ``"json"`` sends
        ``application/json``; ``"form"`` sends them form-encoded, the
        structures as JSON strings (the guide's wording).
    """

    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session,
        timeout: float,
        policy: RetryPolicy,
        body_encoding: str = "json",
    ) -> None:
        if body_encoding not in ("json", "form"):
            raise ValueError("body_encoding must be 'json' or 'form'")
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.timeout = timeout
        self.policy = policy
        self.body_encoding = body_encoding
        self._base_path = urlsplit(self.base_url).path.rstrip("/")

    def encode_body(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Keyword arguments for ``requests`` carrying ``payload``."""
        if self.body_encoding == "json":
            return {"json": payload}
        return {
            "data": {
                k: json.dumps(v) if isinstance(v, (dict, list, bool)) else v
                for k, v in payload.items()
                if v is not None
            }
        }

    def request(
        self,
        method: str,
        path: str,
        *,
        retry: Retry = Retry.SAFE,
        headers: Mapping[str, str] | None = None,
        verify_digest: bool = False,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one logical request, retrying per ``retry``; raise on failure.

        Returns the successful :class:`requests.Response`. Errors are always
        :class:`~mfanalytics.errors.MediasflowError` subclasses.
        """
        url = self.base_url + path
        shown = self._base_path + path
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = self.session.request(
                    method, url, headers=headers, timeout=self.timeout, **kwargs
                )
                response.content  # read the body now: a truncated one fails here
            except requests.RequestException as exc:
                log.debug("%s %s failed after %.3fs: %s", method, shown, time.perf_counter() - started, type(exc).__name__)
                not_sent = _never_reached_server(exc)
                if retry is Retry.NEVER_AMBIGUOUS and not not_sent:
                    raise AmbiguousSendError(
                        "The connection failed after the request may have reached the "
                        f"server ({type(exc).__name__}); the campaign may or may not have "
                        "been sent, so it was not retried. Check before sending again: "
                        "client.get_reports(start, search=...) for a recipient, or your "
                        "account's campaign list.",
                        method=method,
                        path=shown,
                    ) from None
                if attempt < self.policy.max_retries:
                    attempt += 1
                    self.policy.sleep(self.policy.delay(attempt))
                    continue
                raise APIConnectionError(
                    f"Could not complete the request after {attempt + 1} attempts: "
                    f"{type(exc).__name__}. Check the network and the base URL.",
                    method=method,
                    path=shown,
                ) from None
            log.debug("%s %s -> %s in %.3fs", method, shown, response.status_code, time.perf_counter() - started)
            if response.ok:
                if verify_digest and not self._digest_matches(response):
                    if retry is Retry.SAFE and attempt < self.policy.max_retries:
                        attempt += 1
                        self.policy.sleep(self.policy.delay(attempt))
                        continue
                    raise IntegrityError(
                        "The downloaded body does not match its X-Content-SHA256 digest: "
                        "it was altered or cut in transit. Fetch it again.",
                        status=response.status_code,
                        method=method,
                        path=shown,
                    )
                return response
            status = response.status_code
            retryable = status in self.policy.statuses
            if retry is Retry.NEVER_AMBIGUOUS and status >= 500:
                raise AmbiguousSendError(
                    f"The server answered {status} to a request that may have sent SMS; "
                    "it was not retried. Check before sending again: "
                    "client.get_reports(start, search=...) for a recipient.",
                    status=status,
                    method=method,
                    path=shown,
                    api_message=_api_message(response),
                )
            if retryable and attempt < self.policy.max_retries:
                attempt += 1
                self.policy.sleep(self.policy.delay(attempt, _retry_after(response) if status == 429 else None))
                continue
            error = error_from_response(response, method, shown)
            error.retried = attempt > 0  # an earlier attempt of this request may have taken effect
            raise error

    @staticmethod
    def _digest_matches(response: requests.Response) -> bool:
        expected = response.headers.get(DIGEST_HEADER)
        return not expected or sha256_hex(response.content) == expected.strip().lower()
