"""HTTP plumbing shared by every endpoint: one request loop, one retry policy,
one mapping from answers to exceptions, one body encoding.

Nothing here knows about campaigns or pandas. :class:`Transport` wraps an
injectable :class:`requests.Session`; it never logs a header or a body, so a
password or a token cannot reach a log line.

Secrets: the Authorization header and a login body are built by callables
(``auth=``, ``secret_body=``) evaluated inside :meth:`Transport._attempt`, the
one call that sends; that frame forgets them before it returns or raises. No
exception of ``requests`` or ``urllib3`` (whose ``.request`` carries headers
and body) leaves this module: each becomes a package error raised outside any
``except`` block, so ``__context__`` and ``__cause__`` are empty, and a
response handed back has its request replaced by one with no headers or body.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
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
    ValidationError,
)

__all__ = [
    "SendSafety",
    "RetryPolicy",
    "Transport",
    "check_base_url",
    "error_from_response",
    "is_loopback_host",
    "sha256_hex",
]

log = logging.getLogger("mfanalytics.http")

#: Header carrying the hex SHA-256 digest of a body (the guide: integrity by SHA-256).
DIGEST_HEADER = "X-Content-SHA256"

#: Answers that prove the request was refused before anything was done.
_PROOF_OF_NOTHING_DONE = frozenset({400, 401, 403, 422})


class SendSafety(Enum):
    """Whether a request may be repeated, and what a repeat's answer proves.

    (Named ``Retry`` until 0.2, a name that hid urllib3's ``Retry`` that
    requests users know; ``Retry`` still works for one release, with a
    :class:`DeprecationWarning`.)

    This is the retry decision of the package, per POST of the guide. The
    sandbox's faults (``500``/``503``/``429`` answers, a dropped connection,
    a slow answer, a truncated body, each before or after the request took
    effect) are the cases considered: from the client's side, *any* failure
    other than a refused connection may come after the server acted.

    ``SAFE``
        Repeating cannot send an SMS, so the request is repeated on lost
        connections, timeouts, truncated bodies, 429 and 5xx, up to
        ``max_retries``: every GET; ``POST /auth/login`` (a repeat issues one
        more token); preparing a campaign with ``startNow=false`` (a repeat
        leaves one more DRAFT, which sends nothing); ``POST /lists/upload``
        (one more list, nothing sent); ``POST /blacklist`` (the number is
        blacklisted twice: the same effect on sending); cancelling a
        scheduled campaign (a repeat can only cancel, never send; when an
        earlier attempt may have reached the server and the repeat is
        refused, e.g. 409 "not SCHEDULED", the error says so and has
        ``retried=True``: the first attempt may have cancelled it).
    ``CONFIRM_BY_409``
        Injecting a prepared campaign (``campaignId`` + ``startNow=true``):
        the platform injects a DRAFT once and answers 409 to any later
        inject, so a repeat cannot send twice. It is repeated like ``SAFE``;
        a 409 to a repeat that follows an attempt which may have reached the
        server proves that attempt went through (raised as
        :class:`InvalidRequestError` with ``retried=True`` for the client to
        confirm). A 409 after attempts that provably never reached the
        server (connection refused) is the campaign's own state, not a
        confirmation. When the attempts run out, or a repeat gets any other
        refusal, the outcome is :class:`AmbiguousSendError`.
    ``NEVER_AMBIGUOUS``
        A request that sends SMS by itself (``send_now``: recipients +
        ``startNow=true``). Repeating it after it may have reached the
        server could send a second campaign, so it is repeated only when
        the connection was refused (nothing was sent) or after a 401 that
        renewed an expired token. Only answers that prove nothing was done
        (400 and 422 validation, 401, 403) raise their own error ("not
        sent"); every other failure, 429 and 5xx included, raises
        :class:`AmbiguousSendError` with how to check.

    No redirect is ever followed, for any request (credentials stay on the
    configured host): a 3xx answer raises an error naming its ``Location``,
    an :class:`AmbiguousSendError` for a request that may have sent SMS.
    """

    SAFE = "safe"
    CONFIRM_BY_409 = "confirm-by-409"
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
    """``Retry-After`` in seconds, or None when it is not a usable number.

    Only delta-seconds are read. An HTTP date, text, a negative number, NaN or
    infinity counts as absent (the backoff applies); a huge value is capped
    by ``RetryPolicy.max_delay`` in :meth:`RetryPolicy.delay`.
    """
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


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
        return RateLimitError(f"Too many requests: {text}", retry_after=_retry_after(response), **kwargs)
    if status in (400, 404, 409, 422) or 400 <= status < 500:
        return InvalidRequestError(text, **kwargs)
    return APIError(f"Server error: {text}", **kwargs)


class _Deadline(Exception):
    """The attempt ran past the transport's deadline (internal)."""


@dataclass(frozen=True)
class _Failure:
    """What went wrong in one attempt: names and flags, never an exception
    object (those of ``requests`` hold the request, headers and body)."""

    kind: str
    #: the request may have reached the server (False only when provably not)
    reached: bool
    timeout: bool = False
    #: repeating cannot help (a malformed URL or header)
    permanent: bool = False


_LOCAL_REFUSALS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidHeader,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.URLRequired,
)
_WIRE_FAILURES = (requests.RequestException, urllib3.exceptions.HTTPError, OSError)


def _failure_of(exc: BaseException) -> _Failure:
    """Classify an exception of one attempt; True ``reached`` unless proven otherwise."""
    name = type(exc).__name__
    if isinstance(exc, _LOCAL_REFUSALS):  # refused by requests before anything was sent
        return _Failure(name, reached=False, permanent=True)
    if isinstance(exc, requests.ConnectTimeout):  # no TCP connection: nothing was sent
        return _Failure(name, reached=False, timeout=True)
    inner = exc
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
    if isinstance(inner, NewConnectionError):  # refused or unresolvable: nothing was sent
        return _Failure(name, reached=False)
    if not isinstance(exc, _WIRE_FAILURES):  # not a network failure: repeating will not help
        return _Failure(name, reached=True, permanent=True)
    timeout = isinstance(exc, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError))
    return _Failure(name, reached=True, timeout=timeout)


def _describe(failure: _Failure, deadline: float) -> str:
    if failure.kind == "deadline":
        return f"the answer was not complete within the deadline of {deadline:g} s"
    if failure.timeout:
        return f"the server did not answer in time ({failure.kind})"
    return f"the connection failed ({failure.kind})"


def _scrubbed(request: requests.PreparedRequest | None) -> requests.PreparedRequest | None:
    """A copy of ``request`` with only its method and URL (no query): no headers, no body."""
    if request is None:
        return None
    clean = requests.PreparedRequest()
    clean.method = request.method
    parts = urlsplit(request.url or "")
    clean.url = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    clean.headers = requests.structures.CaseInsensitiveDict()
    clean.body = None
    return clean


def _shown_location(base: str, location: str | None) -> str:
    """Where a redirect points, without userinfo or query (they may carry secrets)."""
    if not location:
        return "(no Location header)"
    parts = urlsplit(urljoin(base, location))
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


_CHUNK = 64 * 1024


def _read_body(response: requests.Response, deadline_at: float) -> None:
    """Read the whole body into ``response`` unless the monotonic clock passes
    ``deadline_at``; each read returns after one socket read, so a trickling
    body is cut at most one read timeout after the deadline."""
    raw = response.raw
    if raw is None or response._content_consumed:
        # an injected session (the test seam) may answer with the body already read
        return
    read = getattr(raw, "read1", None) or raw.read
    chunks: list[bytes] = []
    while True:
        if time.monotonic() > deadline_at:
            raise _Deadline
        chunk = read(_CHUNK, decode_content=True)
        if not chunk:
            break
        chunks.append(chunk)
    response._content = b"".join(chunks)
    response._content_consumed = True
    release = getattr(raw, "release_conn", None)
    if release is not None:
        release()
    response.raw = None


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` (and ``*.localhost``), 127.0.0.0/8 and ``::1``."""
    host = (host or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str, *, allow_insecure_http: bool = False) -> str:
    """``base_url`` without a trailing slash, or a :class:`ValidationError`.

    Rules: ``base-url`` (an ``http(s)://host/...`` URL), ``url-credentials``
    (no ``user:password@`` in it: give ``username=``/``password=``), and
    ``insecure-http`` (``http://`` only to a loopback host, unless
    ``allow_insecure_http=True``: a password would travel in clear).
    """
    parts = urlsplit(str(base_url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "base_url must be an http(s) URL with a host, e.g. https://app.mediasflow.com/api/v1.",
            rule="base-url",
            field="base_url",
        )
    if "@" in parts.netloc:
        parts = base_url = None
        raise ValidationError(
            "base_url carries credentials (user:password@host); they would show in reprs and logs. "
            "Give username= and password= (or token=) instead.",
            rule="url-credentials",
            field="base_url",
        )
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback_host(parts.hostname):
        raise ValidationError(
            f"base_url is plain http:// to {parts.hostname}, which is not a loopback host: the password "
            "and token would travel in clear. Use https://, or pass allow_insecure_http=True if you know why.",
            rule="insecure-http",
            field="base_url",
        )
    return str(base_url).rstrip("/")


class Transport:
    """Send requests to one API root: the package's one retry loop.

    Parameters
    ----------
    base_url : str
        API root, e.g. ``https://app.mediasflow.com/api/v1`` (checked by the client).
    session : requests.Session
        The session to use (the test seam).
    timeout : float
        Seconds for connecting and for each read; always on.
    policy : RetryPolicy
        Retry behaviour; ``policy.max_retries`` is the only retry count.
    body_encoding : {"json", "form"}
        How JSON structures travel in POST bodies: ``"json"`` sends
        ``application/json``; ``"form"`` sends them form-encoded, the
        structures as JSON strings (the guide's wording).
    deadline : float
        Seconds one attempt may take from sending to the last byte of the
        answer, however slowly the server trickles it. Checked between
        reads, so an attempt ends at most one ``timeout`` after it.
    """

    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session,
        timeout: float,
        policy: RetryPolicy,
        body_encoding: str = "json",
        deadline: float = 300.0,
    ) -> None:
        if body_encoding not in ("json", "form"):
            raise ValueError("body_encoding must be 'json' or 'form'")
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.timeout = timeout
        self.policy = policy
        self.body_encoding = body_encoding
        self.deadline = deadline
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

    def _attempt(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        auth: Callable[[], Mapping[str, str]] | None,
        secret_body: Callable[[], Mapping[str, Any]] | None,
        kwargs: Mapping[str, Any],
    ) -> tuple[requests.Response | None, _Failure | None]:
        """Send once, read the whole answer; never raises a library exception.

        The one call where secrets exist in clear: ``auth()`` and
        ``secret_body()`` run here, and their values are dropped (in
        ``finally``) before this returns, so no frame kept by a traceback
        holds them.
        """
        sent_headers: dict[str, str] | None = dict(headers or {})
        extra: dict[str, Any] | None = {}
        response: requests.Response | None = None
        failure: _Failure | None = None
        interrupted: tuple[type[BaseException], tuple] | None = None
        started = time.monotonic()
        try:
            if auth is not None:
                sent_headers.update(auth())
            if secret_body is not None:
                extra = dict(secret_body())
            response = self.session.request(
                method,
                url,
                headers=sent_headers,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
                **kwargs,
                **extra,
            )
            sent_headers = extra = None
            _read_body(response, started + self.deadline)
        except _Deadline:
            failure = _Failure("deadline", reached=True, timeout=True)
        except Exception as exc:
            failure = _failure_of(exc)
        except BaseException as exc:  # KeyboardInterrupt: re-raised below, without the frames that saw secrets
            interrupted = (type(exc), exc.args if isinstance(exc, SystemExit) else ())
        finally:
            sent_headers = extra = None
        if response is not None:
            if failure is not None or interrupted is not None:
                if response.raw is not None:
                    response.close()
                response = None
            else:
                response.request = _scrubbed(response.request)
                # with allow_redirects=False, requests keeps the *next* request of a redirect,
                # headers and body included: drop it
                response._next = None
                response.history = []
        if interrupted is not None:
            raise interrupted[0](*interrupted[1])
        return response, failure

    def request(
        self,
        method: str,
        path: str,
        *,
        retry: SendSafety = SendSafety.SAFE,
        headers: Mapping[str, str] | None = None,
        auth: Callable[[], Mapping[str, str]] | None = None,
        secret_body: Callable[[], Mapping[str, Any]] | None = None,
        on_unauthorized: Callable[[AuthenticationError], bool] | None = None,
        verify_digest: bool = False,
        hint: str = "",
        **kwargs: Any,
    ) -> requests.Response:
        """Send one logical request, repeating it per ``retry``; raise on failure.

        Parameters
        ----------
        method, path : str
            ``path`` is under the base URL.
        retry : SendSafety
            What a repeat may do (see :class:`SendSafety`).
        headers : mapping, optional
            Headers that are not secret.
        auth : callable, optional
            Returns the secret headers (``Authorization``); called at each attempt.
        secret_body : callable, optional
            Returns ``requests`` keyword arguments holding a secret (the login body).
        on_unauthorized : callable, optional
            Called once on a 401 with the error; returns True when it renewed
            the credentials (the request is then sent again, outside the
            retry count: a 401 proves nothing was done), False to raise, or
            raises its own error.
        verify_digest : bool
            Check the body against ``X-Content-SHA256``.
        hint : str
            Appended to an :class:`AmbiguousSendError` (how to check this request).
        **kwargs
            Passed to :meth:`requests.Session.request` (``json``, ``data``,
            ``files``, ``params``).

        Returns
        -------
        requests.Response
            The whole answer, read; its ``.request`` holds no header or body.

        Raises
        ------
        MediasflowError
            Always a subclass; raised outside any ``except`` block, so it has
            no ``__context__`` holding a library exception.
        """
        url = self.base_url + path
        shown = self._base_path + path
        policy = self.policy
        retries = 0
        reached = False  # an earlier attempt may have reached the server
        renewed = False
        while True:
            started = time.perf_counter()
            response, failure = self._attempt(method, url, headers, auth, secret_body, kwargs)
            elapsed = time.perf_counter() - started
            if failure is not None:
                log.debug("%s %s failed after %.3fs: %s", method, shown, elapsed, failure.kind)
                what = _describe(failure, self.deadline)
                if retry is SendSafety.NEVER_AMBIGUOUS and failure.reached:
                    raise self._ambiguous(
                        f"{what[0].upper()}{what[1:]} after the request may have reached the server",
                        method,
                        shown,
                        hint=hint,
                    )
                if not failure.permanent and retries < policy.max_retries:
                    reached = reached or failure.reached
                    retries += 1
                    policy.sleep(policy.delay(retries))
                    continue
                if retry is SendSafety.CONFIRM_BY_409 and (reached or failure.reached):
                    raise self._ambiguous(f"After {retries + 1} attempts, {what}", method, shown, hint=hint)
                raise APIConnectionError(
                    f"Could not complete the request after {retries + 1} attempt(s): {what}. "
                    "Check the network and the base URL.",
                    method=method,
                    path=shown,
                )
            status = response.status_code
            log.debug("%s %s -> %s in %.3fs", method, shown, status, elapsed)
            if 300 <= status < 400:
                raise self._redirect_error(response, method, shown, retry, hint)
            if response.ok:
                if verify_digest and not self._digest_matches(response):
                    if retry is SendSafety.SAFE and retries < policy.max_retries:
                        retries += 1
                        policy.sleep(policy.delay(retries))
                        continue
                    raise IntegrityError(
                        "The downloaded body does not match its X-Content-SHA256 digest: "
                        "it was altered or cut in transit. Fetch it again.",
                        status=status,
                        method=method,
                        path=shown,
                    )
                return response
            if status == 401 and on_unauthorized is not None and not renewed:
                renewed = True
                if on_unauthorized(error_from_response(response, method, shown)):
                    continue
            if retry is SendSafety.NEVER_AMBIGUOUS and status not in _PROOF_OF_NOTHING_DONE:
                raise self._ambiguous(
                    f"The server answered {status} to a request that may have sent SMS",
                    method,
                    shown,
                    status=status,
                    api_message=_api_message(response),
                    hint=hint,
                )
            if status in policy.statuses and retries < policy.max_retries:
                reached = True
                retries += 1
                policy.sleep(policy.delay(retries, _retry_after(response) if status == 429 else None))
                continue
            error = error_from_response(response, method, shown)
            if reached and retry is SendSafety.CONFIRM_BY_409 and status != 409:
                raise self._ambiguous(
                    f"A repeat was answered {status} after an earlier attempt may have reached the server",
                    method,
                    shown,
                    status=status,
                    api_message=error.api_message,
                    hint=hint,
                )
            if retry is SendSafety.CONFIRM_BY_409 and (status == 429 or status >= 500):
                # the attempts ran out on an answer that does not say nothing was done: the
                # platform may have injected before answering, so this is no "not sent"
                raise self._ambiguous(
                    f"The server answered {status} to an inject that may have taken effect",
                    method,
                    shown,
                    status=status,
                    api_message=error.api_message,
                    hint=hint,
                )
            error.retried = reached
            if reached and method != "GET":
                error.message += (
                    " This was a repeat: an earlier attempt of this request may have taken effect "
                    "before its answer was lost."
                )
                error.args = (error.message,)
            raise error

    @staticmethod
    def _ambiguous(
        what: str,
        method: str,
        shown: str,
        *,
        status: int | None = None,
        api_message: str | None = None,
        hint: str = "",
    ) -> AmbiguousSendError:
        return AmbiguousSendError(
            f"{what}; the campaign may or may not have been sent, so the request was not "
            "repeated. Check before sending again: client.get_reports(start, search=...) for a "
            "recipient, or your account's campaign list." + (f" {hint}" if hint else ""),
            status=status,
            method=method,
            path=shown,
            api_message=api_message,
        )

    def _redirect_error(
        self, response: requests.Response, method: str, shown: str, retry: SendSafety, hint: str
    ) -> MediasflowError:
        status = response.status_code
        where = _shown_location(self.base_url + "/", response.headers.get("Location"))
        host = urlsplit(self.base_url).hostname
        what = (
            f"The server answered {status}, a redirect to {where}; redirects are never followed, so "
            f"credentials stay on {host}. If the service moved, set base_url to its new address"
        )
        if retry is not SendSafety.SAFE:
            error: MediasflowError = self._ambiguous(what, method, shown, status=status, hint=hint)
        else:
            error = APIError(what + ".", status=status, method=method, path=shown)
        error.location = where
        return error

    @staticmethod
    def _digest_matches(response: requests.Response) -> bool:
        expected = response.headers.get(DIGEST_HEADER)
        return not expected or sha256_hex(response.content) == expected.strip().lower()


def __getattr__(name: str) -> Any:
    if name == "Retry":  # its name until 0.2
        import warnings

        warnings.warn(
            "mfanalytics.api.transport.Retry is deprecated; use SendSafety (same values)",
            DeprecationWarning,
            stacklevel=2,
        )
        return SendSafety
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
