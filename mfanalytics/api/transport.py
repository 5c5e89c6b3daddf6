"""The one seam every request goes through: :class:`Transport`, the package's one request loop.

It sends with an injectable :class:`requests.Session`, repeats a request only as its
:class:`~mfanalytics.api.retries.SendSafety` allows, under one :class:`~mfanalytics.api.retries.RetryPolicy`,
maps answers to the package's errors (:mod:`mfanalytics.api.failures`) and holds each attempt to a
deadline (:mod:`mfanalytics.api.wire`). Nothing here knows about campaigns or pandas, and it never
logs a header or a body, so a password or a token cannot reach a log line.

Secrets: the Authorization header and a login body are built by callables
(``auth=``, ``secret_body=``) evaluated inside :meth:`Transport._attempt`, the
one call that sends; that frame forgets them before it returns or raises. No
exception of ``requests`` or ``urllib3`` (whose ``.request`` carries headers
and body) leaves this module: each becomes a package error raised outside any
``except`` block, so ``__context__`` and ``__cause__`` are empty, and a
response handed back has its request replaced by one with no headers or body.

The names of the retry decision and of the base URL check live in their own modules and are
importable from here as before (``from mfanalytics.api.transport import SendSafety``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import requests

from mfanalytics.api.failures import (
    DEADLINE,
    PROOF_OF_NOTHING_DONE,
    Failure,
    ambiguous_error,
    api_message,
    describe,
    error_from_response,
    failure_of,
    shown_location,
)
from mfanalytics.api.retries import RetryPolicy, SendSafety, retry_after
from mfanalytics.api.urls import check_base_url, is_loopback_host
from mfanalytics.api.wire import Deadline, Watchdog, guard_session, read_body, scrubbed
from mfanalytics.errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    IntegrityError,
    MediasflowError,
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


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


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
        answer, however slowly the server trickles its headers or its body:
        at the deadline the attempt's socket is shut down (see
        :mod:`mfanalytics.api.wire`). The session's adapter for ``base_url``
        is replaced by a :class:`~mfanalytics.api.wire.DeadlineAdapter` with
        the same settings when it is requests' own; with an adapter of the
        caller's, only the body read is held to the deadline.
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
        guard_session(session, self.base_url)

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
        sink: BinaryIO | None = None,
        sink_start: int = 0,
    ) -> requests.Response | Failure:
        """Send once, read the whole answer before the deadline: the answer or what went wrong; never raises a
        library exception.

        The one call where secrets exist in clear: ``auth()`` and
        ``secret_body()`` run here, and their values are dropped (in
        ``finally``) before this returns, so no frame kept by a traceback
        holds them. With ``sink``, a 2xx body is written to it from ``sink_start`` (where the request
        began: a repeat writes over what an earlier attempt wrote, and keeps what the file held before)
        rather than read into the answer (see :func:`~mfanalytics.api.wire.read_body`).
        """
        if sink is not None:
            sink.seek(sink_start)
            sink.truncate()
        sent_headers: dict[str, str] = dict(headers or {})
        extra: dict[str, Any] = {}
        response: requests.Response | None = None
        failure: Failure | None = None
        interrupted: tuple[type[BaseException], tuple[Any, ...]] | None = None
        with Watchdog(self.deadline) as watchdog:
            try:
                if auth is not None:
                    sent_headers.update(auth())
                if secret_body is not None:
                    extra.update(secret_body())
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
                sent_headers.clear()
                extra.clear()
                read_body(response, watchdog, sink)
            except Deadline:
                failure = DEADLINE
            except Exception as exc:
                # the watchdog's shutdown surfaces as whatever the read was doing (a reset, a short read)
                failure = DEADLINE if watchdog.expired() else failure_of(exc)
            except BaseException as exc:  # KeyboardInterrupt: re-raised below, without the frames that saw secrets
                interrupted = (type(exc), exc.args if isinstance(exc, SystemExit) else ())
            finally:
                sent_headers.clear()
                extra.clear()
        if response is not None:
            if failure is not None or interrupted is not None:
                if response.raw is not None:
                    response.close()
                response = None
            else:
                if response.request is not None:
                    response.request = scrubbed(response.request)
                # with allow_redirects=False, requests keeps the *next* request of a redirect,
                # headers and body included: drop it
                response._next = None
                response.history = []
        if interrupted is not None:
            raise interrupted[0](*interrupted[1])
        if response is None:  # only a failure leaves no answer
            return failure or Failure("no answer", reached=True)
        return response

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
        sink: BinaryIO | None = None,
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
        sink : binary file, optional
            Where the body of the 2xx answer goes, chunk by chunk, instead of ``response.content``
            (a large report is never held whole); seekable: the body is written from where the
            file stood, and each repeat goes back there first. The digest is checked on what was
            written.
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
        sink_start = sink.tell() if sink is not None else 0
        while True:
            started = time.perf_counter()
            outcome = self._attempt(method, url, headers, auth, secret_body, kwargs, sink, sink_start)
            elapsed = time.perf_counter() - started
            if isinstance(outcome, Failure):
                failure = outcome
                log.debug("%s %s failed after %.3fs: %s", method, shown, elapsed, failure.kind)
                what = describe(failure, self.deadline)
                if retry is SendSafety.NEVER_AMBIGUOUS and failure.reached:
                    raise ambiguous_error(
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
                    raise ambiguous_error(f"After {retries + 1} attempts, {what}", method, shown, hint=hint)
                raise APIConnectionError(
                    f"Could not complete the request after {retries + 1} attempt(s): {what}. "
                    "Check the network and the base URL.",
                    method=method,
                    path=shown,
                )
            response = outcome
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
                refusal = error_from_response(response, method, shown)
                if isinstance(refusal, AuthenticationError) and on_unauthorized(refusal):
                    continue
            if retry is SendSafety.NEVER_AMBIGUOUS and status not in PROOF_OF_NOTHING_DONE:
                raise ambiguous_error(
                    f"The server answered {status} to a request that may have sent SMS",
                    method,
                    shown,
                    status=status,
                    api_message=api_message(response),
                    hint=hint,
                )
            if status in policy.statuses and retries < policy.max_retries:
                reached = True
                retries += 1
                policy.sleep(policy.delay(retries, retry_after(response) if status == 429 else None))
                continue
            error = error_from_response(response, method, shown)
            if reached and retry is SendSafety.CONFIRM_BY_409 and status != 409:
                raise ambiguous_error(
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
                raise ambiguous_error(
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

    def _redirect_error(
        self, response: requests.Response, method: str, shown: str, retry: SendSafety, hint: str
    ) -> MediasflowError:
        status = response.status_code
        where = shown_location(self.base_url + "/", response.headers.get("Location"))
        host = urlsplit(self.base_url).hostname
        what = (
            f"The server answered {status}, a redirect to {where}; redirects are never followed, so "
            f"credentials stay on {host}. If the service moved, set base_url to its new address"
        )
        if retry is not SendSafety.SAFE:
            error: MediasflowError = ambiguous_error(what, method, shown, status=status, hint=hint)
        else:
            error = APIError(what + ".", status=status, method=method, path=shown)
        error.location = where  # type: ignore[attr-defined]  # an attribute of redirect errors only
        return error

    @staticmethod
    def _digest_matches(response: requests.Response) -> bool:
        expected = response.headers.get(DIGEST_HEADER)
        if not expected:
            return True
        actual = getattr(response, "body_sha256", None) or sha256_hex(response.content)
        return bool(actual == expected.strip().lower())


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
