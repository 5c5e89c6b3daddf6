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

from mfanalytics._compat import moved_names
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


# mfanalytics.analysis was a module until 0.2: its other names still resolve, for one release
__getattr__ = moved_names("mfanalytics.analysis", "kpis", _SUBMODULES)
