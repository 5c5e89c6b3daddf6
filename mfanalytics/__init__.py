"""mfanalytics: Mediasflow SMS campaigns in JupyterLab.

Fetch delivery reports as DataFrames, clean recipient lists, price and check a
message before it costs anything, send test campaigns, and draw
deliverability reports, all runnable on a local sandbox of the API.

Importing this package does no I/O: no network, no file, no environment read.
"""

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
from mfanalytics.status_codes import STATUS_GROUPS, decode_status, status_table

__version__ = "0.1.0"

__all__ = [
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
    # status codes
    "STATUS_GROUPS",
    "decode_status",
    "status_table",
]
