"""The retry decision: what a repeat of each request may do (:class:`SendSafety`), how long to wait
between attempts (:class:`RetryPolicy`), and a server's ``Retry-After`` read safely.

The loop that applies them is :meth:`mfanalytics.api.transport.Transport.request`, the package's only one.

Examples
--------
>>> policy = RetryPolicy(random=lambda: 0.5)
>>> [policy.delay(n) for n in (1, 2, 3)]
[0.375, 0.75, 1.5]
>>> policy.delay(1, retry_after=1e9)  # a server's wish is capped
30.0
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import requests

__all__ = ["SendSafety", "RetryPolicy", "retry_after"]


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
    """Capped exponential backoff with jitter: retry ``n`` waits between half and all of
    ``min(max_delay, backoff * 2 ** (n - 1))`` seconds.

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
        ceiling = min(self.max_delay, self.backoff * (2.0 ** (attempt - 1)))
        return ceiling * (0.5 + 0.5 * self.random())


def retry_after(response: requests.Response) -> float | None:
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
