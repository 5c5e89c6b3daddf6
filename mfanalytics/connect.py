"""``connect()``: the first cell of every notebook.

With Mediasflow credentials in the environment it returns a client for that
account. Without them it starts a local sandbox with a month of sample
campaigns and says so, so a notebook runs anywhere and never sends a real
SMS by accident.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from mfanalytics.api.client import DEFAULT_BASE_URL, Client
from mfanalytics.api.transport import is_loopback_host

__all__ = ["connect", "is_sandbox"]

_ENV_KEYS = ("MEDIASFLOW_TOKEN", "MEDIASFLOW_USERNAME", "MEDIASFLOW_PASSWORD", "MEDIASFLOW_BASE_URL")


def connect(*, seed: int = 0, days: int = 30, speed: float = 60.0, quiet: bool = False, **options: Any) -> Client:
    """A client for your account, or for a local sandbox when none is set.

    Parameters
    ----------
    seed : int
        Seed of the sandbox simulation (sandbox only).
    days : int
        Days of sample campaigns the sandbox starts with (0 for none).
    speed : float
        Simulated seconds per wall second in the sandbox once it is ready
        (60: a minute of campaign life per second, so a test campaign
        unfolds while you watch).
    quiet : bool
        Do not print the one-line notice.
    **options
        Passed to :class:`~mfanalytics.api.client.Client`.

    Returns
    -------
    Client
        On the sandbox, ``client.sandbox`` is the running sandbox; it stops
        with ``client.close()``.

    Examples
    --------
    >>> import mfanalytics
    >>> client = mfanalytics.connect(days=3, quiet=True)  # no MEDIASFLOW_* set here
    >>> client.sandbox is not None
    True
    >>> client.close()
    """
    if any(os.environ.get(k) for k in _ENV_KEYS):
        base_url = os.environ.get("MEDIASFLOW_BASE_URL") or DEFAULT_BASE_URL
        clock = _sandbox_clock(base_url)
        if clock is not None and "now" not in options:
            # a served sandbox runs its own clock (often faster than ours): schedule and
            # period checks must use it, not the wall clock
            options["now"] = lambda: _sandbox_now(base_url)
        client = Client.from_env(**options)
        client._is_sandbox = clock is not None
        if not quiet:
            if clock is not None:
                print(f"local sandbox: no real SMS ({client.base_url}, clock {clock.get('now')}).")
            else:
                print(f"Mediasflow account {client.base_url}: real SMS are sent and billed.")
        return client

    from mfanalytics import sandbox
    from mfanalytics.sandbox.samples import populate

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)
    sb = sandbox(seed=seed, start=start, speed=0).start()  # type: ignore[operator]  # the module is callable
    try:
        if days > 0:
            populate(sb, days=days, seed=seed)
        sb.set_speed(speed)
        client = sb.client(now=lambda: sb.now, **options)
    except BaseException:
        sb.close()
        raise
    client.sandbox = sb
    client._closers.append(sb)
    if not quiet:
        print(
            f"local sandbox: no real SMS ({sb.root}, {days} days of sample campaigns). "
            "Set MEDIASFLOW_USERNAME and MEDIASFLOW_PASSWORD to use your account."
        )
    return client


def _root(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def _is_loopback(base_url: str) -> bool:
    return is_loopback_host(urlsplit(base_url).hostname)


def _sandbox_clock(base_url: str, timeout: float = 2.0) -> dict | None:
    """``GET <root>/_sandbox/clock`` on a loopback host: its JSON, or None."""
    if not _is_loopback(base_url):
        return None
    import requests

    try:
        response = requests.get(_root(base_url) + "/_sandbox/clock", timeout=timeout)
        body = response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return None
    return body if isinstance(body, dict) and "now" in body else None


def _sandbox_now(base_url: str) -> datetime:
    """The simulated time of a served sandbox (the wall clock if it stops answering)."""
    clock = _sandbox_clock(base_url)
    if clock is None:
        return datetime.now(UTC)
    return datetime.fromisoformat(str(clock["now"]).replace("Z", "+00:00"))


def is_sandbox(client: Any) -> bool:
    """True only when ``client`` positively talks to a sandbox (no real SMS).

    A client from :func:`connect` without credentials carries its embedded
    sandbox (``client.sandbox``). Otherwise the base URL must be on a loopback
    host *and* answer ``GET /_sandbox/clock`` with JSON, as
    ``mfanalytics sandbox`` does; the real service never does. The answer is
    cached on the client. Anything else, including an unreachable host,
    counts as a real account.

    Parameters
    ----------
    client : Client

    Returns
    -------
    bool

    Examples
    --------
    >>> import mfanalytics
    >>> from mfanalytics.connect import is_sandbox
    >>> with mfanalytics.sandbox(seed=0) as sb:
    ...     is_sandbox(sb.client())
    True
    >>> is_sandbox(mfanalytics.Client(username="u", password="p"))  # the real service: no request made
    False
    """
    if getattr(client, "sandbox", None) is not None:
        return True
    cached = getattr(client, "_is_sandbox", None)
    if cached is not None:
        return bool(cached)
    answer = _sandbox_clock(str(client.base_url)) is not None
    try:
        client._is_sandbox = answer
    except AttributeError:  # a client that takes no attributes: ask again next time
        pass
    return answer
