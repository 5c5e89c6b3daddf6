"""What went wrong, as the package's errors: HTTP error answers mapped to classes, a lost attempt
classified (could it have reached the server?), and the errors of an ambiguous send or a redirect.

This is the one place where statuses become classes. A message carries the API's own message,
never a header or a request body; no exception of ``requests`` is kept (it holds the request).

Examples
--------
>>> import requests
>>> answer = requests.Response()
>>> answer.status_code, answer._content = 403, b'{"message": "host not allowed"}'
>>> error = error_from_response(answer, "GET", "/api/v1/blacklist")
>>> type(error).__name__, error.status
('AuthenticationError', 403)
>>> failure_of(requests.ConnectTimeout()).reached  # no connection: nothing was sent
False
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
import urllib3.exceptions
from urllib3.exceptions import NewConnectionError

from mfanalytics.api.retries import retry_after
from mfanalytics.api.urls import shown_url
from mfanalytics.errors import (
    AmbiguousSendError,
    APIError,
    AuthenticationError,
    InvalidRequestError,
    MediasflowError,
    RateLimitError,
)

__all__ = [
    "PROOF_OF_NOTHING_DONE",
    "Failure",
    "DEADLINE",
    "ambiguous_error",
    "api_message",
    "describe",
    "error_from_response",
    "failure_of",
    "shown_location",
]

#: Answers that prove the request was refused before anything was done.
PROOF_OF_NOTHING_DONE = frozenset({400, 401, 403, 422})


def api_message(response: requests.Response) -> str | None:
    """The API's own message in an error answer (``message``, ``error`` or ``detail``), or its text."""
    try:
        body = response.json()
    except ValueError:
        text = (response.text or "").strip()
        return text[:300] or None
    if isinstance(body, Mapping):
        for key in ("message", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str):
                return value
    return None


def error_from_response(response: requests.Response, method: str, path: str) -> MediasflowError:
    """Map an HTTP error answer to the exception class a user catches.

    This is the one place where statuses become classes. The message carries
    the API's own message, never a header or the request body.
    """
    status = response.status_code
    message = api_message(response)
    text = message or response.reason or "no message"
    if status == 401:
        return AuthenticationError(
            f"Authentication refused: {text}", status=status, method=method, path=path, api_message=message
        )
    if status == 403:
        return AuthenticationError(
            f"Forbidden: {text}. The account may not act for this user, or this "
            "machine's address is not on the account's allow-list.",
            status=status,
            method=method,
            path=path,
            api_message=message,
        )
    if status == 429:
        return RateLimitError(
            f"Too many requests: {text}",
            retry_after=retry_after(response),
            status=status,
            method=method,
            path=path,
            api_message=message,
        )
    if 400 <= status < 500:
        return InvalidRequestError(text, status=status, method=method, path=path, api_message=message)
    return APIError(f"Server error: {text}", status=status, method=method, path=path, api_message=message)


@dataclass(frozen=True)
class Failure:
    """What went wrong in one attempt: names and flags, never an exception
    object (those of ``requests`` hold the request, headers and body)."""

    kind: str
    #: the request may have reached the server (False only when provably not)
    reached: bool
    timeout: bool = False
    #: repeating cannot help (a malformed URL or header)
    permanent: bool = False


#: The attempt ran past the transport's deadline (headers or body still coming).
DEADLINE = Failure("deadline", reached=True, timeout=True)

_LOCAL_REFUSALS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidHeader,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.URLRequired,
)
_WIRE_FAILURES = (requests.RequestException, urllib3.exceptions.HTTPError, OSError)


def failure_of(exc: BaseException) -> Failure:
    """Classify an exception of one attempt; True ``reached`` unless proven otherwise."""
    name = type(exc).__name__
    if isinstance(exc, _LOCAL_REFUSALS):  # refused by requests before anything was sent
        return Failure(name, reached=False, permanent=True)
    if isinstance(exc, requests.ConnectTimeout):  # no TCP connection: nothing was sent
        return Failure(name, reached=False, timeout=True)
    inner: object = exc
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
    if isinstance(inner, NewConnectionError):  # refused or unresolvable: nothing was sent
        return Failure(name, reached=False)
    if not isinstance(exc, _WIRE_FAILURES):  # not a network failure: repeating will not help
        return Failure(name, reached=True, permanent=True)
    timeout = isinstance(exc, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError))
    return Failure(name, reached=True, timeout=timeout)


def describe(failure: Failure, deadline: float) -> str:
    """The failure in words, for an error message."""
    if failure.kind == DEADLINE.kind:
        return f"the answer was not complete within the deadline of {deadline:g} s"
    if failure.timeout:
        return f"the server did not answer in time ({failure.kind})"
    return f"the connection failed ({failure.kind})"


def shown_location(base: str, location: str | None) -> str:
    """Where a redirect points, without userinfo or query (they may carry secrets)."""
    if not location:
        return "(no Location header)"
    return shown_url(urljoin(base, location))


def ambiguous_error(
    what: str,
    method: str,
    shown: str,
    *,
    status: int | None = None,
    api_message: str | None = None,
    hint: str = "",
) -> AmbiguousSendError:
    """The error of a request that may or may not have sent SMS, with how to check."""
    return AmbiguousSendError(
        f"{what}; the campaign may or may not have been sent, so the request was not "
        "repeated. Check before sending again: client.get_reports(start, search=...) for a "
        "recipient, or your account's campaign list." + (f" {hint}" if hint else ""),
        status=status,
        method=method,
        path=shown,
        api_message=api_message,
    )
