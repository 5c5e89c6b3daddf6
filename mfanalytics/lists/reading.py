"""Recipient lists read: a CSV file or its bytes to a frame of strings, refused clearly when damaged.

(Cleaning and the upload analysis: :mod:`mfanalytics.lists.cleaning`.)

A list is a CSV file with a header line, separated by ``;`` or ``,`` (or a
tab), in UTF-8 (with or without BOM), UTF-16 (by its BOM) or Windows-1252.
Its values are kept as the strings written (``CP`` keeps its leading zero,
accents stay accents); a column of repeated values is a ``category`` of them.
The file is read block by block: the frame is about the size of the file or
less, never several copies of it. The mobile column is the one named ``mobile``,
``sms``, ``portable`` or ``gsm`` (any case, surrounding spaces ignored), as
the API guide says, unless you name it.

Line numbers are 1-based *data* lines: the first line after the header is
line 1, and empty lines are not counted, as in the guide's ``invalidLineList``.

Examples
--------
>>> from mfanalytics.lists.cleaning import clean_recipients
>>> result = clean_recipients(b"NOM;mobile\\nDupont;06 12 34 56 78\\nMartin;0612345678\\n")
>>> result.recipients[["NOM", "mobile_e164"]]
      NOM   mobile_e164
0  Dupont  +33612345678
>>> result.analysis["lineDuplicateMobile"]
['2']
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from mfanalytics.charsets import (
    Charset,
    checked_charset,
    decode_blocks,
    encode_utf8,
    sniff_separator,
    where,
)
from mfanalytics.errors import RecipientListError
from mfanalytics.lists.columns import (
    ADDED_COLUMNS,
    MOBILE_COLUMN_NAMES,
    ColumnBuilder,
    find_mobile_column,
    from_export,
)
from mfanalytics.lists.memory import release_memory

__all__ = [
    "MAX_COLUMNS",
    "MAX_HEADER_CHARS",
    "MAX_LINE_BYTES",
    "MOBILE_COLUMN_NAMES",
    "ADDED_COLUMNS",
    "find_mobile_column",
    "parse_list",
    "read_list",
]

_MAX_LINES_IN_MESSAGE = 10


# --------------------------------------------------------------------------- reading
#: Limits no real list reaches (a CRM export has tens of columns, a field a few
#: hundred characters): beyond them a list is refused, in well under a second,
#: with ``rule="column-limit"``, ``"line-size"`` or ``"header-size"``.
MAX_COLUMNS = 2_000
#: Largest data line, in bytes of UTF-8 (so the largest field, too).
MAX_LINE_BYTES = 16 << 20
#: Largest header line, in characters.
MAX_HEADER_CHARS = 1 << 20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A last record appended to every list: if it does not come back as the last
# row, an unclosed quote swallowed it (and every line before it).
_END_MARK = "\x00mfanalytics:end-of-list\x00"


class Utf8Stream(io.RawIOBase):
    """A read-only binary stream of UTF-8 made from text pieces, read as pyarrow asks.

    Each piece is encoded when it is reached and released once read: the
    stream holds one piece at a time.
    """

    def __init__(self, pieces: Iterator[str]) -> None:
        self._pieces = pieces
        self._chunk = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` whole unless the text ends: pyarrow takes a short read for a block."""
        filled = 0
        size = len(buffer)
        while filled < size:
            if not len(self._chunk):
                piece = next(self._pieces, None)
                if piece is None:
                    break
                self._chunk = memoryview(piece.encode("utf-8"))
            n = min(size - filled, len(self._chunk))
            buffer[filled : filled + n] = self._chunk[:n]
            self._chunk = self._chunk[n:]
            filled += n
        return filled


def parse_list(data: bytes | str) -> pd.DataFrame:
    """Read a recipient list from bytes (charset detected) or text.

    Parameters
    ----------
    data : bytes or str
        The file's content. Bytes are decoded by the rule of
        :mod:`mfanalytics.charsets` (shared with the report readers): UTF-16
        by its BOM (or its zero bytes), UTF-8 (BOM removed) when valid and
        plausible, else Windows-1252. Valid UTF-8 that holds no French accent
        in its UTF-8 form and whose UTF-8 reading holds a character no list
        holds (``"Éœ"`` in Windows-1252 is the UTF-8 of ``"ɜ"``) is
        Windows-1252.

    Returns
    -------
    pandas.DataFrame
        One row per data line, every value the string of the file (quotes
        removed, nothing trimmed, empty fields are ``""``): a column of
        repeated values (a town, a postcode) is ``category``, the others
        ``string[pyarrow]`` (the rule: :mod:`mfanalytics.lists.columns`).
        ``attrs["charset"]`` is ``"UTF-8"``, ``"WINDOWS-1252"`` or ``"UTF-16"``
        (``"UTF-8"`` for text), ``attrs["separator"]`` the separator.
        A file written by :func:`mfanalytics.export.to_safe_csv` from a
        :func:`clean_recipients` frame reads back to that frame: its
        apostrophes against formulas are removed and its ``mobile_valid``
        and ``mobile_issue`` columns typed again.

    Raises
    ------
    RecipientListError
        ``rule="empty-file"`` for an empty file, ``"duplicate-header"`` when
        two columns have the same name, ``"field-count"`` (with ``line``) when
        a line has more or fewer fields than the header, ``"unclosed-quote"``
        (with the line where it opened) when a quote is never closed,
        ``"charset"``, ``"mixed-encoding"`` (with ``line``) for a UTF-8 file
        holding a byte that is not UTF-8, ``"surrogate"`` (with ``line``) for
        text holding a lone surrogate, ``"not-csv"`` when the first line is
        binary data, ``"header"`` or ``"csv"`` when it cannot be read as CSV.
        Limits: ``"column-limit"`` above :data:`MAX_COLUMNS` columns,
        ``"line-size"`` for a data line above :data:`MAX_LINE_BYTES` bytes,
        ``"header-size"`` for a header above :data:`MAX_HEADER_CHARS`
        characters. Lines may end with LF, CRLF or CR; a header without a
        final line end is a list of 0 rows.

    Examples
    --------
    >>> df = parse_list("CP;mobile\\n01000;0612345678\\n".encode("cp1252"))
    >>> df["CP"].tolist(), df.attrs["charset"], df.attrs["separator"]
    (['01000'], 'UTF-8', ';')
    >>> parse_list("NOM;mobile\\nÉœ;0612345678\\n".encode("cp1252"))["NOM"].tolist()
    ['Éœ']
    """
    if isinstance(data, str):
        payload = encode_utf8(data, error=RecipientListError, what="list")
        return _parse(lambda: io.BytesIO(payload), Charset("utf-8", "UTF-8"))
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        return _parse(lambda: io.BytesIO(data))
    raise RecipientListError(
        f"parse_list takes bytes or text, not {type(data).__name__}; use read_list for a path",
        rule="input-type",
    )


def _text_blocks(opener: Callable[[], IO[bytes]], charset: Charset) -> Iterator[str]:
    return decode_blocks(opener, charset, error=RecipientListError, what="list")


def _head(blocks: Iterator[str]) -> tuple[str, bool]:
    """The first MAX_HEADER_CHARS characters or more (leading line ends removed), and whether that is all."""
    head = ""
    for block in blocks:
        head = (head + block).lstrip("\r\n") if not head else head + block
        if len(head) > MAX_HEADER_CHARS:
            return head, False
    return head, True


def _parse(opener: Callable[[], IO[bytes]], charset: Charset | None = None) -> pd.DataFrame:
    """Read a list from ``opener()`` (called once per pass), in blocks: memory about the size of the table."""
    if charset is None:
        charset = checked_charset(opener, error=RecipientListError, what="list")
    first_blocks = _text_blocks(opener, charset)
    text, whole = _head(first_blocks)
    blocks: Iterator[str] | None = first_blocks
    if whole and not text.strip():
        raise RecipientListError("the list is empty: no header line", rule="empty-file")
    end = text.find("\n")
    cr = text.find("\r", 0, len(text) if end < 0 else end)  # CR-only line ends: old Mac exports
    end = cr if cr >= 0 else end
    if end < 0 and not whole:
        raise _header_too_long()
    first = text if end < 0 else text[:end]
    sep = sniff_separator(first)
    # a quoted header may span lines; newline="" lets csv see \r, \n and \r\n as line ends
    source = io.StringIO(text, newline="") if '"' in first else [first]
    try:
        header = next(csv.reader(source, delimiter=sep))
    except (csv.Error, StopIteration) as exc:
        if not whole:
            raise _header_too_long() from None
        raise RecipientListError(
            f"the header line cannot be read as CSV ({exc}); the first line must be the column names",
            rule="header",
            line=0,
        ) from None
    body = text
    if isinstance(source, io.StringIO) and source.tell() >= len(text):  # the header ran to the end
        if not whole:
            raise _header_too_long()
        try:
            next(csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True))
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise RecipientListError(
                    "a quote opened in the header is never closed, so the whole file would be read as "
                    'the header; close the quote (a quote inside a name is written twice: "")',
                    rule="unclosed-quote",
                    line=0,
                ) from None
    if isinstance(source, io.StringIO) and source.tell() > len(first) + 2:
        # a quoted header name holding a line break: the parser skips one
        # physical line, so give it a one-line stand-in for the header
        body = "header\n" + text[source.tell() :]
    if _CONTROL.search("".join(header)):
        raise RecipientListError(
            "the file is not a CSV list: its first line holds control characters (binary data?); "
            "export the list as CSV with a header line such as mobile;NOM",
            rule="not-csv",
            line=0,
        )
    if len(header) > MAX_COLUMNS:
        raise RecipientListError(
            f"the header has {len(header):,} columns; a list has at most {MAX_COLUMNS:,} (is the separator right?)",
            rule="column-limit",
            line=0,
        )
    dupes = sorted(h for h, k in Counter(header).items() if k > 1)
    if dupes:
        raise RecipientListError(
            f"the header has duplicate column names {dupes[:20]}: header {header[:50]}",
            rule="duplicate-header",
            line=0,
        )
    names = [f"c{i}" for i in range(len(header))]
    end_mark = _END_MARK + sep * (len(names) - 1) + "\n"

    def pieces(rest: Iterator[str]) -> Iterator[str]:
        last = body
        yield body
        for piece in rest:
            last = piece
            yield piece
        # The end mark makes sure the parser sees a last line end (a header-only
        # list saved without one is 0 rows) and shows a quote left open.
        yield ("" if last.endswith(("\n", "\r")) else "\n") + end_mark

    def stream() -> Utf8Stream:
        nonlocal blocks
        if blocks is None:  # a second read: the block size grew
            blocks = _text_blocks(opener, charset)
            _head(blocks)  # the same first characters, read again
        rest, blocks = blocks, None
        return Utf8Stream(pieces(rest))

    columns, bad = _read_csv(stream, names, sep)
    if bad:
        shown = ", ".join(f"line {n} has {k}" for n, k in bad[:_MAX_LINES_IN_MESSAGE])
        more = f" and {len(bad) - _MAX_LINES_IN_MESSAGE} more" if len(bad) > _MAX_LINES_IN_MESSAGE else ""
        raise RecipientListError(
            f"{len(bad)} line(s) do not have the {len(header)} fields of the header: {shown}{more}",
            rule="field-count",
            line=bad[0][0],
        )
    frame = from_export(columns.frame(header))
    frame.attrs["charset"] = charset.name
    frame.attrs["separator"] = sep
    release_memory(len(frame))  # the file's blocks, read and freed
    return frame


def _header_too_long() -> RecipientListError:
    return RecipientListError(
        f"the header (first line) is longer than {MAX_HEADER_CHARS:,} characters, or a quote opened in it "
        "is never closed; the first line must be the column names",
        rule="header-size",
        line=0,
    )


def _read_csv(stream: Callable[[], Any], names: list[str], sep: str) -> tuple[ColumnBuilder, list[tuple[int, int]]]:
    """Every field as a string, read from ``stream()`` block by block; a line larger than a block is read
    with a larger one. The last record must be the end mark (else a quote was left open)."""
    block = min(1 << 20, MAX_LINE_BYTES)
    while True:
        bad: list[tuple[int, int]] = []

        def on_bad_row(row: Any, bad: list[tuple[int, int]] = bad) -> str:
            bad.append((row.number - 1 if row.number is not None else -1, row.actual_columns))
            return "skip"

        try:
            reader = pacsv.open_csv(
                stream(),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, block_size=block),
                parse_options=pacsv.ParseOptions(
                    delimiter=sep, quote_char='"', newlines_in_values=True, invalid_row_handler=on_bad_row
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            columns = ColumnBuilder(len(names))
            held: pa.RecordBatch | None = None  # one batch behind: the last one holds the end mark
            for batch in reader:
                if held is not None:
                    columns.add(held)
                held = batch
            del reader
        except pa.ArrowInvalid as exc:
            if "straddl" in str(exc):
                if block < MAX_LINE_BYTES:
                    block = MAX_LINE_BYTES
                    continue
                raise RecipientListError(
                    f"a line of the list is longer than {MAX_LINE_BYTES:,} bytes (or a quote opened on it "
                    "is never closed); no list holds such a field",
                    rule="line-size",
                ) from None
            raise RecipientListError(
                f"the list cannot be read as CSV ({exc}); export it as CSV, ';' or ',' separated, with a header line",
                rule="csv",
            ) from None
        last = held.num_rows - 1 if held is not None else -1
        if held is None or last < 0 or held.column(0)[last].as_py() != _END_MARK:
            line = columns.rows + (last + 1) + len(bad)  # the quote opened on the last record read
            start = held.column(len(names) - 1)[last].as_py() if held is not None and last >= 0 and not bad else None
            shown = f" ({start.split(chr(10))[0][:30]!r}...)" if start else ""
            raise RecipientListError(
                f"a quote opened on {where(line)}{shown} is never closed, so every line after it would be "
                f'read as one field; close the quote (a quote inside a value is written twice: "")',
                rule="unclosed-quote",
                line=line,
            )
        columns.add(held.slice(0, last))
        return columns, bad


def read_list(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a recipient list file; see :func:`parse_list`.

    The file is read in blocks, twice (once for its charset, once for its
    rows): memory stays about the size of the frame, not several copies of
    the file. ``attrs["name"]`` is the file name without extension.

    Examples
    --------
    >>> df = read_list("data_samples/liste_demo.csv")
    >>> df.attrs["charset"]
    'WINDOWS-1252'
    """
    path = Path(path)
    try:
        with open(path, "rb"):
            pass
    except (OSError, ValueError) as exc:  # ValueError: a NUL or a lone surrogate in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        hint = (
            "; this looks like the list's text, not a path: pass it as bytes (text.encode()) or use parse_list"
            if any(c in str(path) for c in "\n\r")
            else ""
        )
        raise RecipientListError(f"cannot read the list {str(path)[:80]!r}: {reason}{hint}", rule="file") from None

    def opener() -> IO[bytes]:
        return open(path, "rb")  # called once per pass, closed by the pass

    frame = _parse(opener)
    frame.attrs["name"] = path.stem
    return frame
