"""Helpers of the reliability suite (sandbox and client factories).

Kept out of ``conftest.py`` on purpose: ``tests/conftest.py`` is imported as
the module ``conftest`` by other test files (``from conftest import Api``),
so this suite never imports from ``conftest`` itself.
"""

from __future__ import annotations

import requests

START = "2026-03-02T09:00:00Z"  # a Monday; Paris is UTC+1


def make_sandbox(seed: int = 0, **kwargs):
    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    kwargs.setdefault("start", START)
    return EmbeddedSandbox(seed=seed, **kwargs)


def make_client(sb, *, username: str = "demo", password: str = "demo", max_retries: int = 12, **kwargs):
    """A client whose backoff sleeps are instantaneous (faults cost no wall time)."""
    import mfanalytics

    return mfanalytics.Client(
        sb.url,
        username=username,
        password=password,
        policy=mfanalytics.RetryPolicy(sleep=lambda s: None),
        max_retries=max_retries,
        now=lambda: sb.now,
        **kwargs,
    )


def stored_campaigns(sb) -> list[dict]:
    """What the sandbox itself holds (its control route, never faulted)."""
    body = requests.get(sb.root + "/_sandbox/campaigns", timeout=30).json()
    return body["campaigns"] if isinstance(body, dict) else body


def injected_faults(sb) -> int:
    return int(requests.get(sb.root + "/_sandbox/faults", timeout=10).json()["injected"])
