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

from mfanalytics import sandbox
from mfanalytics.analysis import (
    by_country,
    by_hour,
    compare_campaigns,
    failure_reasons,
    status_breakdown,
    summarize,
)
from mfanalytics.campaign_rules import validate_schedule, validate_sender
from mfanalytics.client import Campaign, Client
from mfanalytics.connect import connect, is_sandbox
from mfanalytics.errors import (
    AmbiguousSendError,
    APIConnectionError,
    APIError,
    AuthenticationError,
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
from mfanalytics.html_report import deliverability_report
from mfanalytics.periods import build_search, split_period
from mfanalytics.phones import normalize_mobiles
from mfanalytics.plots import (
    plot_campaign_comparison,
    plot_click_heatmap,
    plot_click_timeline,
    plot_daily_rates,
    plot_deliveries_over_time,
    plot_funnel,
    plot_status_breakdown,
)
from mfanalytics.recipients import CleanResult, clean_recipients, read_list
from mfanalytics.reports import REPORT_COLUMNS, parse_report, parse_report_json, read_report
from mfanalytics.sms import (
    CreditEstimate,
    Message,
    count_segments,
    estimate_credits,
    to_gsm7,
)
from mfanalytics.status_codes import STATUS_GROUPS, decode_status, status_table
from mfanalytics.transport import RetryPolicy
from mfanalytics.trends import daily_rates, flag_campaigns

__version__ = "0.1.0"


def __getattr__(name: str):
    # The forms need ipywidgets, imported only when a form is first asked for.
    if name in ("SendForm", "ReportExplorer"):
        from mfanalytics import widgets

        return getattr(widgets, name)
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
]
