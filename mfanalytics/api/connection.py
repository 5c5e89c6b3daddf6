"""What every route of :class:`~mfanalytics.Client` stands on: the login and its Bearer token, one
authenticated call (a refused token renewed once, inside the transport's loop), the clock, and the
client's life (repr, pickling refused, close).

:class:`Connection` is the base class of :class:`~mfanalytics.api.client.Client`, which sets its
attributes in ``__init__``; it is not meant to be built alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO, NoReturn, Self

import requests

from mfanalytics.api.answers import Secret, max_segments_of, token_of
from mfanalytics.api.retries import SendSafety
from mfanalytics.api.transport import Transport
from mfanalytics.api.urls import shown_url
from mfanalytics.errors import APIError, AuthenticationError

__all__ = ["Connection"]


class Connection:
    """The token, the authenticated call and the life of a client (see :class:`~mfanalytics.Client`)."""

    username: str | None
    login_path: str
    max_segments: int
    region: str
    #: The embedded sandbox this client talks to, when it came from connect().
    sandbox: Any
    _password: Secret | None
    _token: Secret | None
    _max_from_account: bool
    _owns_session: bool
    _transport: Transport
    _closers: list[Any]
    _now: Callable[[], datetime] | None
    #: set by :func:`mfanalytics.connect` when it knows whether the host is a sandbox
    _is_sandbox: bool

    def now(self) -> datetime:
        """The current time for this connection: the sandbox's simulated clock
        on a sandbox (given as ``now=``), else the system clock (aware UTC)."""
        return self._now() if self._now is not None else datetime.now(UTC)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def __repr__(self) -> str:
        if "_transport" not in self.__dict__:  # a construction that failed (shown in traceback locals)
            return "<mfanalytics.Client (not constructed)>"
        how = "token" if self._password is None else "password"
        user = f" user={self.username!r}" if self.username else ""
        return f"<mfanalytics.Client {shown_url(self.base_url)}{user} auth={how}>"  # never userinfo, even if one got in

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "A Client holds credentials and cannot be pickled; build one where it is needed with Client.from_env()."
        )

    def close(self) -> None:
        """Close the session (if the client made it) and anything it started."""
        if self._owns_session:
            self._transport.session.close()
        while self._closers:
            self._closers.pop().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- authentication ---------------------------------------------------
    def login(self) -> None:
        """Log in with the credentials and keep the Bearer token."""
        if self._password is None or self.username is None:
            raise AuthenticationError(
                "The token was refused (expired or invalid) and no credentials were given: "
                "paste a new token from the Swagger page, or give username and password."
            )
        secret = self._password
        username = self.username
        response = self._transport.request(
            "POST",
            self.login_path,
            retry=SendSafety.SAFE,
            secret_body=lambda: {"json": {"username": username, "password": secret.reveal()}},
        )
        token, status = token_of(response), response.status_code
        said = max_segments_of(response) if self._max_from_account else None
        del response  # it holds the token in its headers: not in this frame if we raise
        if token is None:
            raise APIError(
                "The login answer carried no Bearer token.",
                status=status,
                method="POST",
                path=self.login_path,
            )
        self._token = token
        if said is not None:
            self.max_segments = said

    def _authorization(self) -> dict[str, str]:
        """The Authorization header; called only by the transport's sending call."""
        if self._token is None:  # _call logs in first; a renewal that failed leaves no token
            raise AuthenticationError("No token: log in first.")
        return {"Authorization": f"Bearer {self._token.reveal()}"}

    def _renew(self, error: AuthenticationError) -> bool:
        """The transport's hook on a 401: log in again once, or say what to do."""
        if self._password is None:
            raise AuthenticationError(
                "The token was refused (expired or invalid): paste a new token from "
                "the Swagger page, or give username and password so the client can "
                "log in again by itself.",
                status=401,
                method=error.method,
                path=error.path,
                api_message=error.api_message,
            )
        self.login()
        return True

    def ensure_login(self) -> None:
        """Log in now if there is no token yet (before requests run in parallel threads)."""
        if self._token is None:
            self.login()

    def _call(self, method: str, path: str, *, retry: SendSafety = SendSafety.SAFE, **kwargs: Any) -> requests.Response:
        """One request with the token; a 401 renews it once inside the transport's loop."""
        self.ensure_login()
        return self._transport.request(
            method, path, retry=retry, auth=self._authorization, on_unauthorized=self._renew, **kwargs
        )

    def get_bytes(self, path: str, params: Mapping[str, str]) -> bytes:
        """The body of a GET whose answer carries a digest (reports), checked against it.

        The seam of period fetching (:func:`~mfanalytics.api.periods.fetch_period`) and of
        :meth:`mfanalytics.Archive.sync`: login, retries of the transport, digest check.
        """
        return self._call("GET", path, params=dict(params), verify_digest=True).content

    def get_into(self, path: str, params: Mapping[str, str], sink: BinaryIO) -> None:
        """:meth:`get_bytes` with the body written to ``sink`` as it arrives, never held whole.

        ``sink`` is a seekable binary file: the body is written from where it stands (what it held
        before stays), and a repeat of the request goes back there first. The digest is checked on
        what was written; on a failure ``sink`` may hold part of a body after that point.
        """
        self._call("GET", path, params=dict(params), verify_digest=True, sink=sink)
