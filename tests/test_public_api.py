"""The public surface: `__all__` is explicit and importing does no I/O."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types

import mfanalytics


def test_all_names_exist_and_are_unique():
    assert len(mfanalytics.__all__) == len(set(mfanalytics.__all__))
    for name in mfanalytics.__all__:
        assert hasattr(mfanalytics, name), name


def test_no_public_name_outside_all():
    """Every public attribute is either in __all__ or a submodule."""
    public = {n for n in vars(mfanalytics) if not n.startswith("_")}
    stray = {n for n in public - set(mfanalytics.__all__) if not isinstance(getattr(mfanalytics, n), types.ModuleType)}
    assert stray == set()


def test_to_excel_is_public():
    from mfanalytics.export import to_excel

    assert "to_excel" in mfanalytics.__all__ and mfanalytics.to_excel is to_excel


def test_errors_share_one_root():
    for name in mfanalytics.__all__:
        obj = getattr(mfanalytics, name)
        if isinstance(obj, type) and issubclass(obj, Warning):  # warnings are not errors: UserWarning's
            assert issubclass(obj, UserWarning) and obj.__module__ == "mfanalytics.errors", name
        elif isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, mfanalytics.MediasflowError), name


def test_import_does_no_network_file_or_heavy_import():
    """Import in a fresh interpreter under an audit hook."""
    code = textwrap.dedent(
        r"""
        import os, sys
        events = []
        roots = tuple(os.path.realpath(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
        def hook(event, args):
            if event == "socket.connect":
                events.append((event, str(args[1:])))
            elif event == "open" and args and isinstance(args[0], (str, bytes)):
                path = os.path.realpath(os.fsdecode(args[0]))
                here = os.path.realpath(os.path.dirname(os.path.dirname(os.path.abspath("mfanalytics/__init__.py"))))
                if not (path.startswith(roots) or path.startswith(here) or path.startswith("/usr/") or path.startswith("/proc/") or path.startswith("/sys/") or path.startswith("/etc/")):
                    events.append((event, path))
        sys.addaudithook(hook)
        import mfanalytics
        heavy = [m for m in ("matplotlib", "fastapi", "uvicorn", "ipywidgets", "tqdm", "openpyxl") if m in sys.modules]
        print("EVENTS", events)
        print("HEAVY", heavy)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}
    ).stdout
    assert "EVENTS []" in out, out
    assert "HEAVY []" in out, out
