"""The lists lane: recipient files read, checked and cleaned.

:mod:`~mfanalytics.lists.reading` (``read_list``, ``parse_list``),
:mod:`~mfanalytics.lists.cleaning` (``clean_recipients``, the upload
analysis), :mod:`~mfanalytics.lists.phones` (mobile numbers to E.164) and
:mod:`~mfanalytics.lists.recipients` (the recipients of a send, in any shape,
as one frame: ``recipients_frame``).
The names of the former module ``mfanalytics.recipients`` are here.
"""

from mfanalytics.lists.cleaning import CleanResult, analyze_list, clean_recipients
from mfanalytics.lists.reading import (
    ADDED_COLUMNS,
    MAX_COLUMNS,
    MAX_HEADER_CHARS,
    MAX_LINE_BYTES,
    MOBILE_COLUMN_NAMES,
    find_mobile_column,
    parse_list,
    read_list,
)
from mfanalytics.lists.recipients import recipients_frame

__all__ = [
    "MAX_COLUMNS",
    "MAX_HEADER_CHARS",
    "MAX_LINE_BYTES",
    "MOBILE_COLUMN_NAMES",
    "ADDED_COLUMNS",
    "CleanResult",
    "analyze_list",
    "clean_recipients",
    "find_mobile_column",
    "parse_list",
    "read_list",
    "recipients_frame",
]
