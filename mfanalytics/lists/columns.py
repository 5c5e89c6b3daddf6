"""A list's columns: built block by block from the parser, the mobile column, the columns cleaning adds.

:class:`ColumnBuilder` takes the record batches of the CSV parser one at a
time and keeps, for each column, either its strings or (for a column of
repeated values) its dictionary codes, so that a list is held about once in
memory. The rule for a column's dtype, decided on the first block of the file
(its first MiB of rows, so the same file always gives the same dtypes):

- ``category`` (categories ``string[pyarrow]``, in order of first appearance)
  when that block has at least :data:`CATEGORY_MIN_ROWS` rows and at most half
  as many distinct values as rows: a town, a first name, a postcode;
- else ``string[pyarrow]``: a mobile number, an e-mail, a customer id.

Either way the values are the strings of the file, exactly.

Examples
--------
>>> find_mobile_column(["Nom", " SMS "])
' SMS '
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.charsets import arrow_strings
from mfanalytics.errors import RecipientListError
from mfanalytics.lists.phones import ISSUE_DTYPE

__all__ = [
    "ADDED_COLUMNS",
    "CATEGORY_MIN_ROWS",
    "MOBILE_COLUMN_NAMES",
    "ColumnBuilder",
    "find_mobile_column",
    "from_export",
]

#: Column names recognised as the mobile column (compared stripped, lower case).
MOBILE_COLUMN_NAMES: tuple[str, ...] = ("mobile", "sms", "portable", "gsm")
#: The columns clean_recipients adds (an export of a cleaned list is recognised by them).
ADDED_COLUMNS = ("mobile_e164", "mobile_valid", "mobile_country", "mobile_issue")
#: Fewest rows in the first block for a column to become ``category`` (a small list keeps strings).
CATEGORY_MIN_ROWS = 1_000
_STRING = pd.StringDtype("pyarrow")


class ColumnBuilder:
    """The columns of a list, from record batches of strings (see the module documentation).

    A ``category`` column keeps, per batch, its codes into the column's own
    dictionary of values (first appearance order), as small integers; a
    string column keeps its Arrow strings. A batch can be released once added.
    """

    def __init__(self, ncols: int) -> None:
        self._chunks: list[list[Any]] = [[] for _ in range(ncols)]
        self._values: list[pa.Array | None] = [None] * ncols  # the dictionary of a category column
        self._coded: list[bool] | None = None
        self.rows = 0

    def add(self, batch: pa.RecordBatch) -> None:
        """Keep one batch: its strings, or their codes."""
        if self._coded is None:
            n = batch.num_rows
            self._coded = [
                n >= CATEGORY_MIN_ROWS and 2 * len(pc.unique(batch.column(i))) <= n for i in range(batch.num_columns)
            ]
        for i, keep in enumerate(self._coded):
            col = batch.column(i)
            self._chunks[i].append(self._codes(i, col) if keep else col)
        self.rows += batch.num_rows

    def _codes(self, i: int, col: pa.Array) -> np.ndarray:
        """The codes of ``col`` into column ``i``'s dictionary, which grows by the values not seen yet."""
        encoded = pc.dictionary_encode(col)
        seen = self._values[i]
        if seen is None:
            self._values[i] = seen = encoded.dictionary
            mapping = np.arange(len(seen), dtype=np.int64)
        else:
            found = pc.index_in(encoded.dictionary, value_set=seen)
            new = found.is_null().to_numpy(zero_copy_only=False)
            mapping = pc.fill_null(found, 0).to_numpy(zero_copy_only=False).astype(np.int64)
            if new.any():
                mapping[new] = len(seen) + np.arange(int(new.sum()))
                self._values[i] = seen = pa.concat_arrays([seen, encoded.dictionary.filter(pa.array(new))])
        codes: np.ndarray = mapping[encoded.indices.to_numpy(zero_copy_only=False)]
        return codes.astype(_code_dtype(len(seen)))

    def frame(self, header: list[str]) -> pd.DataFrame:
        """The frame, every column converted once (the kept chunks are released as they are converted)."""
        coded = self._coded or [False] * len(self._chunks)
        data: dict[int, Any] = {}
        for i, keep in enumerate(coded):
            chunks, self._chunks[i] = self._chunks[i], []
            values, self._values[i] = self._values[i], None
            if keep and values is not None:
                categories = pd.Index(arrow_strings(values), dtype=_STRING)
                codes = np.concatenate(chunks).astype(_code_dtype(len(categories)), copy=False)
                del chunks
                data[i] = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))
            else:
                large = []
                while chunks:  # one chunk at a time: the 64-bit offsets replace the 32-bit ones
                    large.append(chunks.pop(0).cast(pa.large_string()))
                data[i] = arrow_strings(pa.chunked_array(large, pa.large_string()))
        frame = pd.DataFrame(data, index=pd.RangeIndex(self.rows), copy=False)
        frame.columns = header
        return frame


def _code_dtype(k: int) -> type[np.signedinteger[Any]]:
    """The smallest integer type for codes into ``k`` categories."""
    return np.int8 if k < 127 else np.int16 if k < 32_767 else np.int32


def find_mobile_column(columns: Iterable[str]) -> str:
    """The mobile column of a header: ``mobile``, ``sms``, ``portable`` or ``gsm``.

    Names are compared stripped and in lower case; the first match in header
    order wins.

    Raises
    ------
    RecipientListError
        ``rule="mobile-column"`` naming the header that was seen.

    Examples
    --------
    >>> find_mobile_column(["Nom", " SMS "])
    ' SMS '
    """
    columns = list(columns)
    for name in columns:
        if str(name).strip().lower() in MOBILE_COLUMN_NAMES:
            return name
    raise RecipientListError(
        f"no mobile column: the list needs a column named mobile, sms, portable or gsm "
        f"(any case), or pass column=; the header is {[str(c) for c in columns]}",
        rule="mobile-column",
        field="header",
    )


def from_export(frame: pd.DataFrame) -> pd.DataFrame:
    """A :func:`~mfanalytics.lists.cleaning.clean_recipients` frame written by ``to_safe_csv``, as it was.

    Recognised by its last four columns (those :func:`clean_recipients` adds);
    the apostrophes against formulas are removed, empty cells of the added
    columns are missing values again and the columns get their types back.
    Any other list is returned as read.
    """
    from mfanalytics.export import restore_formulas, restore_name

    names = [restore_name(str(c)) for c in frame.columns]
    if tuple(names[-len(ADDED_COLUMNS) :]) != ADDED_COLUMNS:
        return frame
    out = pd.DataFrame({i: restore_formulas(frame.iloc[:, i]) for i in range(frame.shape[1])}, index=frame.index)
    out.columns = names
    for name in ADDED_COLUMNS:
        text = out[name].mask(out[name] == "")
        if name == "mobile_valid":
            out[name] = text.map({"True": True, "False": False}, na_action="ignore").astype("boolean")
        elif name == "mobile_issue":
            out[name] = pd.Categorical(text.astype(object).where(text.notna(), None), dtype=ISSUE_DTYPE)
        elif name == "mobile_country":  # the regions present, sorted, as clean_recipients makes it
            text = text.astype(_STRING)
            out[name] = pd.Categorical(text, categories=pd.Index(sorted(text.dropna().unique()), dtype=_STRING))
        else:
            out[name] = text.astype(_STRING)
    return out
