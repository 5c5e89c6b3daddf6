"""The recipients of one send, in any of the shapes the package takes, read as one frame.

A send names its recipients as a list of numbers, a list of dicts (one per
recipient, the number under a mobile column's name), a Series of numbers, a
DataFrame or a :func:`~mfanalytics.lists.cleaning.clean_recipients` result.
:func:`recipients_frame` reads every shape the same way for the request body
(:mod:`mfanalytics.api.payloads`) and for the sending rules
(:mod:`mfanalytics.messages.compliance`, with :func:`recipient_numbers`), so
that both see the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from mfanalytics.errors import ValidationError
from mfanalytics.lists.columns import find_mobile_column
from mfanalytics.lists.phones import normalize_mobiles

__all__ = ["recipient_numbers", "recipients_frame"]

_SHAPES = "a list of numbers, a list of dicts, a DataFrame or a clean_recipients result"


def recipients_frame(recipients: Any) -> tuple[pd.DataFrame, str]:
    """The recipients of a send as a DataFrame, and the name of its mobile column.

    Parameters
    ----------
    recipients : list of str or int, list of dict, Series, DataFrame or CleanResult
        - numbers (``str`` or ``int``), or a Series of them: one ``mobile``
          column of strings, in order;
        - dicts: one row each, their keys the columns; the mobile column is
          found by its name, as in a list file
          (:func:`~mfanalytics.lists.columns.find_mobile_column`: ``mobile``,
          ``sms``, ``portable`` or ``gsm``, any case);
        - a DataFrame: itself (not copied), its mobile column found by name;
        - a :class:`~mfanalytics.lists.cleaning.CleanResult`: its rows to send,
          with the list's own columns only, the mobile column holding the
          numbers in E.164.

    Returns
    -------
    frame : pandas.DataFrame
        One row per recipient.
    column : str
        The name of its mobile column.

    Raises
    ------
    ValidationError
        ``rule="recipients-type"``, ``field="recipients"``: a single string or
        bytes, something that is not a collection, or a list that mixes
        numbers and dicts (or holds anything else).
    RecipientListError
        ``rule="mobile-column"``: dicts or a frame with no mobile column.

    Examples
    --------
    >>> from mfanalytics.lists.recipients import recipients_frame
    >>> frame, column = recipients_frame([{"Portable": "0612345678", "PRENOM": "Ana"}])
    >>> column, frame.to_dict("records")
    ('Portable', [{'Portable': '0612345678', 'PRENOM': 'Ana'}])
    >>> recipients_frame(["0612345678", 33612345679])[0]["mobile"].tolist()
    ['0612345678', '33612345679']
    """
    if _is_cleaned(recipients):
        frame = recipients.recipients
        own = [c for c in frame.columns if not str(c).startswith("mobile_")]
        out = frame[own].copy()
        out[recipients.column] = frame["mobile_e164"]
        return out, recipients.column
    if isinstance(recipients, pd.DataFrame):
        return recipients, find_mobile_column(recipients.columns)
    if isinstance(recipients, pd.Series):
        return pd.DataFrame({"mobile": recipients.astype("string").reset_index(drop=True)}), "mobile"
    if isinstance(recipients, (str, bytes)) or not isinstance(recipients, Iterable):
        raise ValidationError(f"recipients must be {_SHAPES}.", rule="recipients-type", field="recipients")
    items = list(recipients)
    if all(isinstance(x, (str, int)) for x in items):
        return pd.DataFrame({"mobile": [str(x) for x in items]}, dtype="string"), "mobile"
    if all(isinstance(x, Mapping) for x in items):
        frame = pd.DataFrame(items)
        return frame, find_mobile_column(frame.columns)
    raise ValidationError(
        "recipients mixes numbers and dicts; give one kind.", rule="recipients-type", field="recipients"
    )


def recipient_numbers(recipients: Any, *, region: str = "FR") -> pd.DataFrame:
    """The number of each recipient of :func:`recipients_frame` parsed, as :func:`~mfanalytics.lists.phones.normalize_mobiles` gives it.

    A :class:`~mfanalytics.lists.cleaning.CleanResult` brings the columns it
    computed for its rows to send (they are not parsed twice); ``region`` is
    for numbers written without a country code.

    Examples
    --------
    >>> recipient_numbers(["0612345678", "0692123456", "0142685300"])[["mobile_e164", "mobile_country"]]
         mobile_e164 mobile_country
    0   +33612345678             FR
    1  +262692123456             RE
    2   +33142685300           <NA>
    """
    if _is_cleaned(recipients):
        frame: pd.DataFrame = recipients.recipients
        return frame[["mobile_e164", "mobile_valid", "mobile_country", "mobile_issue"]]
    frame, column = recipients_frame(recipients)
    return normalize_mobiles(frame[column], region=region)


def _is_cleaned(recipients: Any) -> bool:
    """A :func:`~mfanalytics.lists.cleaning.clean_recipients` result (or anything shaped like one)."""
    return hasattr(recipients, "recipients") and hasattr(recipients, "column")
