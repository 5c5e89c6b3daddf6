"""lists/columns.py: a list's columns built block by block; repeated values as category, the same strings."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mfanalytics.lists.columns as columns
import mfanalytics.lists.reading as reading
from mfanalytics.lists.reading import parse_list

cell = st.text(alphabet=st.sampled_from(list("abcéœ€ 0;,\"'\n")), max_size=6)


def _csv_oracle(data: bytes) -> list[list[str]]:
    """The rows as Python's csv module reads them (the header dropped)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";"))[1:]


def _values(frame: pd.DataFrame) -> list[list[str]]:
    return [list(map(str, row)) for row in frame.astype(object).itertuples(index=False)]


def _write(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["mobile", "NOM", "VILLE"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_repeated_values_become_a_category_of_the_same_strings_and_unique_ones_stay_strings(monkeypatch):
    monkeypatch.setattr(columns, "CATEGORY_MIN_ROWS", 10)
    rows = [[f"06123456{i:02d}", ["Zoé", "Hélène", "Œuvray"][i % 3], "Orléans"] for i in range(60)]
    data = _write(rows)
    frame = parse_list(data)
    assert str(frame["mobile"].dtype) == "string"
    assert isinstance(frame["NOM"].dtype, pd.CategoricalDtype) and isinstance(frame["VILLE"].dtype, pd.CategoricalDtype)
    assert list(frame["NOM"].cat.categories) == ["Zoé", "Hélène", "Œuvray"]  # order of first appearance
    assert _values(frame) == _csv_oracle(data) == rows


def test_a_small_list_keeps_strings():
    frame = parse_list(_write([["0612345678", "A", "Paris"], ["0612345679", "A", "Paris"]]))
    assert all(str(frame[c].dtype) == "string" for c in frame.columns)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(cell, st.sampled_from(["Zoé", "Ana", ""]), cell), min_size=1, max_size=40))
def test_any_table_read_in_many_blocks_gives_the_strings_csv_reads(rows):
    """Categories grow from block to block: every value still comes back exactly (Python's csv as the oracle)."""
    rows = [list(r) for r in rows]
    data = _write(rows)
    expected = _csv_oracle(data)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(columns, "CATEGORY_MIN_ROWS", 1)
        mp.setattr(reading, "MAX_LINE_BYTES", 256)  # blocks of 256 bytes: many batches
        small_blocks = parse_list(data)
    assert _values(small_blocks) == expected
    assert _values(parse_list(data)) == expected
