"""The send form's words: its labels, the library's errors said with them, what the platform counted.

The library's exceptions name parameters (``allow_ucs2``) and API fields
(``scheduleOn``) for the people who write code; the form shows the same
errors in the words on its inputs ("Allow UCS-2", "Send at").
"""

from __future__ import annotations

from typing import Any

from mfanalytics.widgets.common import in_form_words
from mfanalytics.widgets.status import credits_text, status_text

__all__ = [
    "LABEL_UCS2",
    "LABEL_REPLACE",
    "LABEL_PLATFORM_GSM7",
    "LABEL_EMOJI",
    "FORM_WORDS",
    "FORM_FIELDS",
    "COUNTED_LABELS",
    "in_send_form_words",
    "counted_value",
]

#: The inputs' labels (the words the form's messages use).
LABEL_UCS2 = "Allow UCS-2"
LABEL_REPLACE = "Replace with GSM-7 look-alikes"
LABEL_PLATFORM_GSM7 = "Let the platform replace non-GSM characters"
LABEL_EMOJI = "Turn :-) into emoji"
#: The library's words (parameter and API names) -> the form's, for what the form shows.
FORM_WORDS = (
    (r"auto_replace_gsm7=True would replace", f'"{LABEL_REPLACE}" would replace'),
    (r"allow_ucs2 is False", f'"{LABEL_UCS2}" is not ticked'),
    (r"allow_ucs2=True sends it", f'ticking "{LABEL_UCS2}" sends it'),
    (r"auto_replace_gsm7(=True)?", f'"{LABEL_PLATFORM_GSM7}"'),
    (r"auto_replace_emoji(=True)?", f'"{LABEL_EMOJI}"'),
    (r"\bscheduleOn\b", '"Send at"'),
    (r"\btypeSelect\b", '"Type"'),
)
#: The fields errors name -> the labels on the form.
FORM_FIELDS = {
    "msg": "Message",
    "message": "Message",
    "scheduleOn": "Send at",
    "sender": "Sender",
    "typeSelect": "Type",
    "recipients": "Recipients",
    "mobile": "Recipients",
    "renderer": "Fields as",
}
#: What the platform counted at validation, in words (the campaign's own keys otherwise).
COUNTED_LABELS = {
    "id": "Campaign id",
    "status": "Status",
    "campaignName": "Campaign name",
    "countRecipient": "Lines in the campaign",
    "countValid": "Valid numbers (to be sent)",
    "countInvalidRecipient": "Invalid numbers",
    "countInBlackListRecipient": "On a blacklist (STOP)",
    "countDuplicateRecipient": "Duplicates",
    "creditCount": "Credits",
    "sender": "Sender",
}


def _words(exc: BaseException) -> str:
    return in_form_words(exc, FORM_WORDS, FORM_FIELDS)


def in_send_form_words(exc: BaseException) -> str:
    """What ``exc`` says, in the send form's words.

    Examples
    --------
    >>> import mfanalytics
    >>> try:
    ...     mfanalytics.Message("Leçon").check()
    ... except mfanalytics.MessageError as exc:
    ...     print(in_send_form_words(exc))
    the message holds characters outside GSM-7 ('ç') and "Allow UCS-2" is not ticked, so the campaign would not be sent; "Replace with GSM-7 look-alikes" would replace 'ç'; ticking "Allow UCS-2" sends it in UCS-2 (70 characters per SMS) (Message)
    """
    return in_form_words(exc, FORM_WORDS, FORM_FIELDS)


def counted_value(key: str, value: Any) -> str:
    """One figure of what the platform counted, for people (credits and status in words)."""
    if key == "creditCount":
        return credits_text(value)
    if key == "status":
        return status_text(value)
    if key.startswith("count") and isinstance(value, (int, float)) and float(value).is_integer():
        return f"{int(value):,}"
    return "–" if value is None else str(value)
