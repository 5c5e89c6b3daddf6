"""What the API's POST bodies carry about recipients.

``/campaigns/inject`` takes the recipients inline as ``listRecipient``: the
number under ``mobile`` and every other column as ``extendedKeys``
(``keyName``/``keyValue``, guide example 2.1.2), from a list of numbers, a
list of dicts, a DataFrame or a ``clean_recipients`` result (whose numbers
travel in E.164). ``/lists/upload`` takes a list as a file: a DataFrame or a
``clean_recipients`` result becomes ``;``-separated CSV bytes; a path, bytes or
text is sent as it is.

Examples
--------
>>> from mfanalytics.api.payloads import recipient_payload
>>> recipient_payload([{"mobile": "0612345678", "PRENOM": "Ana"}])
[{'mobile': '0612345678', 'extendedKeys': [{'keyName': 'PRENOM', 'keyValue': 'Ana'}]}]
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Mapping
from typing import Any

import pandas as pd

from mfanalytics.errors import RULE_SURROGATE, ValidationError
from mfanalytics.lists.recipients import recipients_frame

__all__ = ["recipient_payload", "list_bytes"]


def recipient_payload(recipients: Any, *, region: str = "FR") -> list[dict[str, Any]]:
    """``listRecipient`` for the API: the number under ``mobile``, every other
    column as ``extendedKeys`` (``keyName``/``keyValue``), as in the guide's
    example 2.1.2. Empty values travel as empty strings so that
    ``defaultForHeader`` applies."""
    try:
        frame, column = recipients_frame(recipients)
    except UnicodeEncodeError:
        rows = (
            recipients
            if isinstance(recipients, pd.DataFrame)
            else pd.DataFrame([dict(r) if isinstance(r, Mapping) else {"mobile": r} for r in recipients], dtype=object)
        )
        raise _surrogate_error(rows) from None
    others = [c for c in frame.columns if c != column]
    try:
        mobiles = frame[column].astype("string").fillna("").tolist()
        values = [frame[c].astype("string").fillna("").tolist() for c in others]
    except UnicodeEncodeError:
        raise _surrogate_error(frame) from None
    if not others:
        return [{"mobile": m} for m in mobiles]
    names = [str(c) for c in others]
    return [
        {"mobile": m, "extendedKeys": [{"keyName": n, "keyValue": v} for n, v in zip(names, row)]}
        for m, *row in zip(mobiles, *values)
    ]


def list_bytes(data: Any) -> bytes:
    """The bytes of a list file for ``/lists/upload``: bytes as they are, a path read, text in UTF-8,
    a DataFrame or a ``clean_recipients`` result as ``;`` CSV (numbers in E.164)."""
    if isinstance(data, bytes):
        return data
    if hasattr(data, "recipients") and hasattr(data, "column"):
        frame, _ = recipients_frame(data)
        return _csv_bytes(frame)
    if isinstance(data, pd.DataFrame):
        return _csv_bytes(data)
    if isinstance(data, (str, os.PathLike)) and not (isinstance(data, str) and "\n" in data):
        path = pathlib.Path(data)
        if path.exists():
            return path.read_bytes()
        raise ValidationError(f"No such file: {path}", rule="file-not-found", field="data")
    if isinstance(data, str):
        return data.encode("utf-8")
    raise ValidationError(
        "data must be a path, bytes, text, a DataFrame or a clean_recipients result.", rule="list-type", field="data"
    )


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    """A list as ``;`` CSV in UTF-8; CRLF rows, so a cell holding a lone CR is quoted."""
    text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _surrogate_error(frame) from exc


def _surrogate_error(frame: pd.DataFrame) -> ValidationError:
    """Name the column and 1-based line of the first text holding a lone surrogate."""
    for column in frame.columns:
        for line, value in enumerate(frame[column].tolist(), start=1):
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return ValidationError(
                        f"column {column!r}, line {line} holds a lone surrogate (half of an emoji, cut off): fix the value",
                        rule=RULE_SURROGATE,
                        field=str(column),
                        line=line,
                    )
    return ValidationError(
        "a value holds text that cannot be encoded in UTF-8", rule=RULE_SURROGATE, field="recipients"
    )
