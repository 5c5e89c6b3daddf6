"""``connect()``: the first cell of every notebook.

With Mediasflow credentials in the environment it returns a client for that
account. Without them it starts a local sandbox with a month of sample
campaigns and says so, so a notebook runs anywhere and never sends a real
SMS by accident.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any

from mfanalytics.client import Client

__all__ = ["connect"]

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
        Passed to :class:`~mfanalytics.client.Client`.

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
        client = Client.from_env(**options)
        if not quiet:
            print(f"Mediasflow account {client.base_url}: real SMS are sent and billed.")
        return client

    from mfanalytics import sandbox
    from mfanalytics.sandbox.samples import populate

    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=days)
    sb = sandbox(seed=seed, start=start, speed=0).start()
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
