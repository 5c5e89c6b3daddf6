"""mfanalytics: Mediasflow SMS campaigns in JupyterLab.

Fetch delivery reports as DataFrames, clean recipient lists, price and check a
message before it costs anything, send test campaigns, and draw
deliverability reports, all runnable on a local sandbox of the API.

Importing this package does no I/O: no network, no file, no environment read.

Examples
--------
>>> import mfanalytics
>>> mfanalytics.Message("Bonjour ${PRENOM}, -20% ce week-end").segments
1
>>> mfanalytics.clean_recipients(["06 12 34 56 78", "0612345678", "12"]).analysis["countDuplicateMobile"]
1
"""

from mfanalytics import _compat, sandbox
from mfanalytics.analysis.comparisons import compare_rates, sample_size  # rates that hold (issue 15)
from mfanalytics.analysis.cost import cost_breakdown
from mfanalytics.analysis.display import styled
from mfanalytics.analysis.health import health_score
from mfanalytics.analysis.html_report import deliverability_report
from mfanalytics.analysis.kpis import (
    by_country,
    by_hour,
    compare_campaigns,
    failure_reasons,
    status_breakdown,
    summarize,
)
from mfanalytics.analysis.latency import delivery_latency
from mfanalytics.analysis.plots import (
    plot_campaign_comparison,
    plot_click_heatmap,
    plot_click_timeline,
    plot_daily_rates,
    plot_deliveries_over_time,
    plot_funnel,
    plot_status_breakdown,
)
from mfanalytics.analysis.stat_plots import plot_delivery_latency, plot_rates
from mfanalytics.analysis.trends import daily_rates, flag_campaigns
from mfanalytics.api.client import Campaign, Client
from mfanalytics.api.periods import build_search, split_period
from mfanalytics.api.transport import RetryPolicy
from mfanalytics.archive import Archive
from mfanalytics.connect import connect, is_sandbox
from mfanalytics.errors import (
    AmbiguousSendError,
    APIConnectionError,
    APIError,
    AuthenticationError,
    ComplianceError,
    ComplianceWarning,
    IntegrityError,
    InvalidRequestError,
    MediasflowError,
    MessageError,
    RateLimitError,
    RecipientListError,
    ReportFormatError,
    ScheduleError,
    SenderError,
    ValidationError,
)
from mfanalytics.export import to_excel
from mfanalytics.lists.cleaning import CleanResult, clean_recipients
from mfanalytics.lists.phones import normalize_mobiles
from mfanalytics.lists.reading import read_list
from mfanalytics.messages.campaign_rules import validate_schedule, validate_sender
from mfanalytics.messages.compliance import SendingWindow, check_compliance, received_outside_window
from mfanalytics.messages.message import (
    CreditEstimate,
    Message,
    count_segments,
    estimate_credits,
    to_gsm7,
)
from mfanalytics.reports.parsing import REPORT_COLUMNS, parse_report, parse_report_json, read_report
from mfanalytics.reports.status_codes import STATUS_GROUPS, decode_status, status_table

__version__ = "0.1.0"

_compat.install()  # the module paths of 0.1 (mfanalytics.sms, ...) still import, with a warning


def __getattr__(name: str) -> object:
    # The forms need ipywidgets, imported only when a form is first asked for.
    if name in ("SendForm", "ReportExplorer"):
        from mfanalytics import widgets

        return getattr(widgets, name)
    # a module that moved in 0.2 (mfanalytics.sms, ...): its old path warns and gives the new module
    from mfanalytics._compat import MOVED, moved_module

    if f"mfanalytics.{name}" in MOVED:
        return moved_module(f"mfanalytics.{name}", stacklevel=3)
    raise AttributeError(f"module 'mfanalytics' has no attribute {name!r}")


__all__ = [
    # connecting and sending
    "connect",
    "Client",
    "Campaign",
    "RetryPolicy",
    "sandbox",
    "is_sandbox",
    "SendForm",
    "ReportExplorer",
    # messages
    "Message",
    "CreditEstimate",
    "count_segments",
    "estimate_credits",
    "to_gsm7",
    "validate_sender",
    "validate_schedule",
    # French sending rules
    "check_compliance",
    "SendingWindow",
    "received_outside_window",
    # recipient lists
    "clean_recipients",
    "read_list",
    "CleanResult",
    "normalize_mobiles",
    # reports
    "REPORT_COLUMNS",
    "read_report",
    "parse_report",
    "parse_report_json",
    "build_search",
    "split_period",
    "STATUS_GROUPS",
    "decode_status",
    "status_table",
    # analysis, plots, shareable report
    "summarize",
    "status_breakdown",
    "failure_reasons",
    "by_country",
    "by_hour",
    "compare_campaigns",
    "daily_rates",
    "flag_campaigns",
    "plot_status_breakdown",
    "plot_funnel",
    "plot_deliveries_over_time",
    "plot_click_timeline",
    "plot_click_heatmap",
    "plot_campaign_comparison",
    "plot_daily_rates",
    "deliverability_report",
    "styled",
    "to_excel",
    # statistics: intervals, tests, latency, health, cost
    "compare_rates",
    "sample_size",
    "plot_rates",
    "delivery_latency",
    "plot_delivery_latency",
    "health_score",
    "cost_breakdown",
    # archive
    "Archive",
    # errors
    "MediasflowError",
    "AuthenticationError",
    "InvalidRequestError",
    "RateLimitError",
    "APIError",
    "APIConnectionError",
    "AmbiguousSendError",
    "IntegrityError",
    "ValidationError",
    "MessageError",
    "SenderError",
    "ScheduleError",
    "RecipientListError",
    "ReportFormatError",
    "ComplianceError",
    "ComplianceWarning",
]
