"""The reports lane: delivery reports read into the report frame.

:mod:`~mfanalytics.reports.parsing` (``read_report``, ``parse_report``,
``parse_report_json``), :mod:`~mfanalytics.reports.schema` (the frame's
columns and their types) and :mod:`~mfanalytics.reports.status_codes` (the
guide's section 3). The public names of the former module
``mfanalytics.reports`` are here; its other names still resolve, with a
:class:`DeprecationWarning` naming their new home.
"""

from __future__ import annotations

from typing import Any

from mfanalytics.reports.parsing import (
    MAX_COLUMNS,
    MAX_LINE_BYTES,
    REPORT_COLUMNS,
    parse_report,
    parse_report_json,
    read_report,
)

__all__ = ["MAX_COLUMNS", "MAX_LINE_BYTES", "REPORT_COLUMNS", "read_report", "parse_report", "parse_report_json"]

_SUBMODULES = ("parsing", "schema", "status_codes")


def __getattr__(name: str) -> Any:
    # mfanalytics.reports was a module until 0.2: its other names still resolve, for one release
    if name not in _SUBMODULES and not name.startswith("__"):
        from mfanalytics.reports import parsing

        if hasattr(parsing, name):
            import warnings

            warnings.warn(f"mfanalytics.reports.{name} is deprecated; use mfanalytics.reports.parsing.{name}",
                          DeprecationWarning, stacklevel=2)
            value = globals()[name] = getattr(parsing, name)  # warned once
            return value
    raise AttributeError(f"module 'mfanalytics.reports' has no attribute {name!r}")
