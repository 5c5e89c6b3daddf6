"""A local, stateful simulator of the Mediasflow API.

The module itself is callable: ``mfanalytics.sandbox(seed=0)`` returns an
:class:`~mfanalytics.sandbox.embedded.EmbeddedSandbox`, to use as a context
manager. Importing it needs neither FastAPI nor uvicorn (the ``sandbox``
extra); starting one does.

Examples
--------
>>> import mfanalytics.sandbox
>>> with mfanalytics.sandbox(seed=0) as sb:
...     sb.url.endswith("/api/v1")
True
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mfanalytics.sandbox.embedded import EmbeddedSandbox

__all__ = ["EmbeddedSandbox", "sandbox"]


def sandbox(seed: int = 0, **options: Any) -> EmbeddedSandbox:
    """Start-able sandbox on a free loopback port (see :class:`EmbeddedSandbox`).

    Parameters
    ----------
    seed : int
        Seed of the simulation.
    **options
        ``users``, ``start``, ``speed`` (default 0: the clock moves only with
        ``sb.advance``), ``db``, ``faults``.

    Examples
    --------
    >>> import mfanalytics.sandbox
    >>> with mfanalytics.sandbox(seed=1, start="2026-01-05T09:00:00Z") as sb:
    ...     sb.advance(60)
    ...     sb.now.isoformat()
    '2026-01-05T09:01:00+00:00'
    """
    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    return EmbeddedSandbox(seed, **options)


def __getattr__(name: str) -> Any:
    if name == "EmbeddedSandbox":
        from mfanalytics.sandbox.embedded import EmbeddedSandbox

        return EmbeddedSandbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    """Makes ``mfanalytics.sandbox(...)`` work while it stays a package."""

    def __call__(self, seed: int = 0, **options: Any) -> EmbeddedSandbox:
        return sandbox(seed, **options)


sys.modules[__name__].__class__ = _CallableModule
