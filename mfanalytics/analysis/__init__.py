"""The analysis lane: KPIs, trends, advice, plots and the HTML report.

:mod:`~mfanalytics.analysis.kpis` (``summarize`` and the other tables),
:mod:`~mfanalytics.analysis.trends` (campaigns over a span, day by day),
:mod:`~mfanalytics.analysis.advice` (what to do about each failure),
:mod:`~mfanalytics.analysis.plots` and
:mod:`~mfanalytics.analysis.html_report`. The public names of the former
module ``mfanalytics.analysis`` are here; its other names still resolve, with
a :class:`DeprecationWarning` naming their new home.
"""

from __future__ import annotations

from typing import Any

from mfanalytics.analysis.kpis import (
    SUMMARY_COLUMNS,
    by_country,
    by_hour,
    compare_campaigns,
    failure_reasons,
    status_breakdown,
    summarize,
)

__all__ = [
    "summarize",
    "status_breakdown",
    "failure_reasons",
    "by_country",
    "by_hour",
    "compare_campaigns",
    "SUMMARY_COLUMNS",
]

_SUBMODULES = ("kpis", "trends", "advice", "plots", "html_report")


def __getattr__(name: str) -> Any:
    # mfanalytics.analysis was a module until 0.2: its other names still resolve, for one release
    if name not in _SUBMODULES and not name.startswith("__"):
        from mfanalytics.analysis import kpis

        if hasattr(kpis, name):
            import warnings

            warnings.warn(f"mfanalytics.analysis.{name} is deprecated; use mfanalytics.analysis.kpis.{name}",
                          DeprecationWarning, stacklevel=2)
            value = globals()[name] = getattr(kpis, name)  # warned once
            return value
    raise AttributeError(f"module 'mfanalytics.analysis' has no attribute {name!r}")
