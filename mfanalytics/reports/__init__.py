"""The reports lane: delivery reports read into the report frame.

:mod:`~mfanalytics.reports.parsing` (``read_report``, ``parse_report``,
``parse_report_json``), :mod:`~mfanalytics.reports.schema` (the frame's
columns and their types) and :mod:`~mfanalytics.reports.status_codes` (the
guide's section 3). The public names of the former module
``mfanalytics.reports`` are here; its other names still resolve, with a
:class:`DeprecationWarning` naming their new home.
"""

from __future__ import annotations

from mfanalytics._compat import moved_names
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


# mfanalytics.reports was a module until 0.2: its other names still resolve, for one release
__getattr__ = moved_names("mfanalytics.reports", "parsing", _SUBMODULES)
