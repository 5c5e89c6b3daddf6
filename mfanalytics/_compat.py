"""Old module paths that moved in 0.2, kept importable for one release.

Importing an old path (``mfanalytics.sms``, ``mfanalytics.periods``, ...)
warns once, with a :class:`DeprecationWarning` naming the new path, and gives
the new module itself: ``mfanalytics.sms is mfanalytics.messages.message``, so
every name it had (and a monkeypatch made through it) is the same object. The
old paths have no file: a finder placed first on :data:`sys.meta_path` by
``import mfanalytics`` answers for them (so the files' history follows the
moves). The package itself imports only new paths, so
``python -W error -c "import mfanalytics"`` works.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType
from typing import Any

__all__ = ["MOVED", "moved_module", "moved_names", "install"]

#: Old module path -> new module path.
MOVED: dict[str, str] = {
    "mfanalytics.client": "mfanalytics.api.client",
    "mfanalytics.transport": "mfanalytics.api.transport",
    "mfanalytics.payloads": "mfanalytics.api.payloads",
    "mfanalytics.periods": "mfanalytics.api.periods",
    "mfanalytics.sms": "mfanalytics.messages.message",
    "mfanalytics.gsm7": "mfanalytics.messages.gsm7",
    "mfanalytics.renderers": "mfanalytics.messages.renderers",
    "mfanalytics.campaign_rules": "mfanalytics.messages.campaign_rules",
    "mfanalytics.recipients": "mfanalytics.lists",
    "mfanalytics.phones": "mfanalytics.lists.phones",
    "mfanalytics.report_schema": "mfanalytics.reports.schema",
    "mfanalytics.status_codes": "mfanalytics.reports.status_codes",
    "mfanalytics.trends": "mfanalytics.analysis.trends",
    "mfanalytics.advice": "mfanalytics.analysis.advice",
    "mfanalytics.plots": "mfanalytics.analysis.plots",
    "mfanalytics.html_report": "mfanalytics.analysis.html_report",
    "mfanalytics.facts": "mfanalytics.analysis.facts",
}


def moved_module(old: str, *, stacklevel: int = 3) -> ModuleType:
    """Warn that ``old`` moved, and put the new module in its place.

    Called by the finder's loader for ``import mfanalytics.sms`` (the import
    then hands back the new module: the import system reads ``sys.modules``
    after loading), or by ``mfanalytics.__getattr__`` for ``mfanalytics.sms``
    written as an attribute. Either way it runs once per process: afterwards the old path is
    the new module in ``sys.modules`` and an attribute of the package.
    """
    new = MOVED[old]
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; import {new} instead "
        f"(or the same names from mfanalytics)",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
    module = importlib.import_module(new)
    sys.modules[old] = module
    setattr(sys.modules["mfanalytics"], old.rpartition(".")[2], module)
    return module


def moved_names(package: str, home: str, submodules: tuple[str, ...]) -> Any:
    """The module ``__getattr__`` of a lane that was a module until 0.2.

    ``package`` (``mfanalytics.reports``) keeps its public names; any other name
    of the former module resolves from ``home`` (``parsing``, a submodule of
    the package) with one :class:`DeprecationWarning` naming its new home, for
    one release. Submodules and dunder names are left to the import system.
    """

    def __getattr__(name: str) -> Any:
        if name not in submodules and not name.startswith("__"):
            source = importlib.import_module(f"{package}.{home}")
            if hasattr(source, name):
                warnings.warn(
                    f"{package}.{name} is deprecated; use {package}.{home}.{name}", DeprecationWarning, stacklevel=2
                )
                value = getattr(source, name)
                setattr(sys.modules[package], name, value)  # warned once
                return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


class _MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old paths of :data:`MOVED` (and nothing else)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        moved_module(module.__name__, stacklevel=3)


_FINDER = _MovedFinder()


def install() -> None:
    """Put the finder first on :data:`sys.meta_path` (once): it answers only for the old paths,
    and an old install or an editable one must not answer for them instead."""
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _FINDER)
