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
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mfanalytics.errors import RULE_SURROGATE, ValidationError
from mfanalytics.lists.recipients import recipients_frame

__all__ = ["recipient_payload", "list_bytes"]

# the characters for which pandas (Python's csv module, QUOTE_MINIMAL, CRLF rows) quotes a value or a name;
# Arrow's quoting_style="none" refuses exactly these in a value (ArrowInvalid)
_NEEDS_QUOTES = re.compile('[;"\r\n]')
_BATCH_ROWS = 65_536
_ARROW_CSV = pacsv.WriteOptions(
    include_header=False,
    batch_size=_BATCH_ROWS,
    delimiter=";",
    eol="\r\n",
    null_string="",
    quoting_style="none",
)


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
    """A list as ``;`` CSV in UTF-8, byte for byte what ``frame.to_csv(sep=";",
    index=False, lineterminator="\r\n")`` writes; CRLF rows, so a cell holding a
    lone CR is quoted.

    A frame of text columns whose names and values need no quotes is written by
    Arrow's CSV writer, batch by batch (:func:`_arrow_text_table`); any other
    frame, or one where Arrow meets a value holding ``;``, ``"``, CR or LF, is
    written by pandas.

    Parameters
    ----------
    frame : pandas.DataFrame
        The list; its index is not written.

    Returns
    -------
    bytes
        The header line then one line per row, every line ending in CRLF; an
        empty cell for a missing value.

    Raises
    ------
    ValidationError
        ``rule="surrogate"``: a value holds a lone surrogate (its column and
        1-based line named, :func:`_surrogate_error`).
    """
    table = _arrow_text_table(frame)
    if table is not None:
        try:
            return _arrow_csv(table)
        except pa.ArrowInvalid:  # a value holds ; " CR or LF, which pandas quotes: pandas writes it
            pass
    text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _surrogate_error(frame) from exc


def _arrow_csv(table: pa.Table) -> bytes:
    """``table`` as ``;`` CSV with CRLF rows and no quotes, the header written as it is.

    Raises
    ------
    pyarrow.ArrowInvalid
        A value holds ``;``, ``"``, CR or LF (it would need quotes).
    """
    sink = pa.BufferOutputStream()
    sink.write((";".join(table.column_names) + "\r\n").encode("utf-8"))
    with pacsv.CSVWriter(sink, table.schema, write_options=_ARROW_CSV) as writer:
        for batch in table.to_batches(max_chunksize=_BATCH_ROWS):
            writer.write_batch(batch)
    data: bytes = sink.getvalue().to_pybytes()
    return data


def _arrow_text_table(frame: pd.DataFrame) -> pa.Table | None:
    """The frame's columns as Arrow text, in order, when Arrow can write pandas' bytes for it.

    Returns
    -------
    pyarrow.Table or None
        None, for pandas to write the frame, unless: there is at least one
        column; the column names are distinct ``str`` that encode in UTF-8 and
        hold none of ``;``, ``"``, CR, LF; every column is text
        (:func:`_arrow_text`); and, for a single column, neither its name nor
        any value is empty or missing (pandas writes such a line as ``""``).
        Values holding characters to quote are left to :func:`_arrow_csv`
        to refuse.
    """
    names = list(frame.columns)
    if not names or len(set(names)) != len(names):
        return None
    for name in names:
        if not isinstance(name, str) or _NEEDS_QUOTES.search(name):
            return None
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            return None
    arrays = []
    for position in range(len(names)):
        array = _arrow_text(frame.iloc[:, position])
        if array is None:
            return None
        arrays.append(array)
    if len(arrays) == 1 and (names[0] == "" or _has_empty(arrays[0])):
        return None
    return pa.table(arrays, names=names)


def _arrow_text(column: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """A text column as Arrow ``large_string`` (dictionary-encoded for a categorical), missing values null.

    Returns
    -------
    pyarrow.Array, pyarrow.ChunkedArray or None
        For a pandas string dtype (``str``, ``string[pyarrow]``,
        ``string[python]``), a categorical whose categories are such text, or an
        object column holding only ``str`` and missing values; None for any
        other column, or for text holding a lone surrogate (pandas' path names
        it).
    """
    dtype = column.dtype
    try:
        if isinstance(dtype, pd.StringDtype):
            return pa.array(column.array, type=pa.large_string())
        if isinstance(dtype, pd.CategoricalDtype):
            categories = _arrow_text(pd.Series(dtype.categories))
            if categories is None:
                return None
            if isinstance(categories, pa.ChunkedArray):
                categories = categories.combine_chunks()
            codes = column.cat.codes.to_numpy()
            return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), categories)
        if dtype == np.dtype(object):
            values = column.to_numpy(dtype=object, copy=True)
            missing = pd.isna(values)
            if pd.api.types.infer_dtype(values[~missing], skipna=False) not in ("string", "empty"):
                return None
            values[missing] = None
            return pa.array(values, type=pa.large_string())
    except UnicodeEncodeError:
        return None
    return None


def _has_empty(array: pa.Array | pa.ChunkedArray) -> bool:
    """Whether a text column holds a missing or an empty value."""
    if array.null_count:
        return True
    lengths = pc.binary_length(pc.cast(array, pa.large_string()))
    return bool(len(lengths)) and pc.min(lengths).as_py() == 0


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
