"""The one exception tree of mfanalytics.

Every error the toolkit raises on purpose derives from :class:`MediasflowError`.
Errors that come back from the API carry the HTTP status, the API's own message
and the request method and path; never a header, a body or a credential.
Local validation errors (a bad sender, a message too long, an unreadable list)
are also :class:`ValueError`, and name the rule, the field and, where there is
one, the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "MediasflowError",
    "AuthenticationError",
    "InvalidRequestError",
    "RateLimitError",
    "APIError",
    "APIConnectionError",
    "AmbiguousSendError",
    "IntegrityError",
    "ValidationError",
    "MessageError",
    "SenderError",
    "ScheduleError",
    "RecipientListError",
    "ReportFormatError",
    "ComplianceError",
    "ComplianceWarning",
    "RULE_SURROGATE",
    "RULE_CHARSET",
    "RULE_MIXED_ENCODING",
]

# -- rule names shared by several lanes (an error's ``rule``): one name per concern --
#: A text holds a lone surrogate (half of an emoji, cut off): a message, a list value, a report.
RULE_SURROGATE = "surrogate"
#: Bytes in none of the charsets a reader accepts (UTF-8, Windows-1252; UTF-16 a list only): a list, a report.
RULE_CHARSET = "charset"
#: A UTF-8 file with a byte that is not UTF-8: two encodings in one file, refused rather than guessed.
RULE_MIXED_ENCODING = "mixed-encoding"


class MediasflowError(Exception):
    """Root of every error raised by mfanalytics.

    Parameters
    ----------
    message : str
        What went wrong and, where possible, what to do about it.
    status : int, optional
        HTTP status of the answer, when there was one.
    method, path : str, optional
        The request that failed (path only: no query string, no host secrets).
    api_message : str, optional
        The message the API sent back, verbatim.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        api_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.api_message = api_message
        #: True when the request had been repeated after an attempt that may have
        #: reached the server: that earlier attempt may have taken effect.
        self.retried = False

    def __str__(self) -> str:
        parts = [self.message]
        where = " ".join(p for p in (self.method, self.path) if p)
        if self.status is not None:
            where = f"HTTP {self.status}" + (f" on {where}" if where else "")
        if where:
            parts.append(f"({where})")
        return " ".join(parts)

    def __reduce__(self) -> tuple[Any, ...]:  # keep pickling working with keyword-only arguments
        return (
            _rebuild,
            (type(self), self.message, self.__dict__.copy()),
        )


def _rebuild(cls: type[MediasflowError], message: str, state: dict[str, Any]) -> MediasflowError:
    obj = cls.__new__(cls)
    Exception.__init__(obj, message)
    obj.__dict__.update(state)
    return obj


class AuthenticationError(MediasflowError):
    """Login refused, token missing or expired (401), or address not allowed (403)."""


class InvalidRequestError(MediasflowError):
    """The API refused the request as invalid (400, 404, 409, 422)."""


class RateLimitError(MediasflowError):
    """Too many requests (429). ``retry_after`` is in seconds, when the API said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class APIError(MediasflowError):
    """The server failed (5xx), redirected (never followed), or sent an answer that cannot be read."""


class APIConnectionError(MediasflowError):
    """The request could not reach the server, its answer was lost, or it
    ran past the timeout or the client's ``deadline``."""


class AmbiguousSendError(MediasflowError):
    """A request that may have sent SMS got no answer proving what happened.

    That is any failure after the request may have reached the server: a lost
    or truncated answer, a timeout or the deadline, a redirect, and every
    status except those proving nothing was done (400/422 validation, 401,
    403) — a 429 or a 5xx included. It is never repeated automatically: the
    campaign may or may not exist (at most one does). The message says how to
    check (a period report search) before sending again; after
    ``inject_campaign`` it names the campaign (``campaign_id``), and calling
    it again is safe.
    """


class IntegrityError(MediasflowError):
    """A body did not match its ``X-Content-SHA256`` digest."""


class ValidationError(MediasflowError, ValueError):
    """Local validation failed before anything was sent.

    Attributes
    ----------
    rule : str
        Short name of the rule that was broken, e.g. ``"sender-length"``.
    field : str or None
        The parameter or column concerned.
    line : int or None
        1-based data line of the input, when the error is about one line.
    """

    def __init__(
        self,
        message: str,
        *,
        rule: str = "invalid",
        field: str | None = None,
        line: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.rule = rule
        self.field = field
        self.line = line

    def __str__(self) -> str:
        where = []
        if self.field:
            where.append(f"field {self.field!r}")
        if self.line is not None:
            where.append(f"line {self.line}")
        suffix = f" [{self.rule}" + (f"; {', '.join(where)}" if where else "") + "]"
        return super().__str__() + suffix


class MessageError(ValidationError):
    """The SMS text breaks a rule: encoding, length, personalisation."""


class SenderError(ValidationError):
    """The sender breaks the rule: 3 to 11 of [A-Za-z0-9], not only digits."""


class ScheduleError(ValidationError):
    """``scheduleOn`` is malformed or less than 5 minutes ahead."""


class RecipientListError(ValidationError):
    """A recipient list cannot be read or has no usable mobile column."""


class ReportFormatError(ValidationError):
    """A report payload cannot be read as a Mediasflow report."""


class ComplianceError(ValidationError):
    """A send was stopped before any request: it breaks a French sending rule.

    Attributes
    ----------
    findings : list of Finding
        Every finding of :func:`~mfanalytics.messages.compliance.check_compliance`,
        errors first; ``rule`` is the first error's rule. Pass
        ``compliance="warn"`` to send anyway.
    """

    def __init__(self, message: str, *, findings: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.findings = list(findings)


class ComplianceWarning(UserWarning):
    """A sending rule is broken or doubtful, and the send went ahead (``compliance="warn"``)."""
