"""``mfanalytics.to_excel``: typed, safe workbooks, read back with openpyxl (the oracle).

What is checked: a sheet per table in the order given; numbers, booleans,
dates (Europe/Paris wall time, checked against ``zoneinfo``, not pandas) and
durations as typed cells; rates as percentages; a frozen header and an
autofilter; and no cell, header included, is a formula (openpyxl's data type
``"f"``) or a text that starts like one, whatever the strings (hypothesis).
"""

from __future__ import annotations

import pathlib
import tempfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils.escape import unescape

import mfanalytics
from mfanalytics.export import to_excel

ROOT = pathlib.Path(__file__).resolve().parent
RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")', "a;=b"]


def _plain_number(text: str) -> bool:
    import re

    return re.fullmatch(r"[+-]?[0-9][0-9 .]*(?:,[0-9]+)?", text) is not None


def _cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_no_formula(book) -> None:
    for cell in _cells(book):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str) and cell.value[:1] in RISKY_FIRST:
            assert _plain_number(cell.value), (cell.coordinate, cell.value)


@pytest.fixture(scope="module")
def report():
    return mfanalytics.read_report(ROOT / "data" / "reports" / "campaigns.csv")


def test_a_sheet_per_table_with_typed_cells(report, tmp_path):
    kpis = mfanalytics.summarize(report)
    failures = mfanalytics.failure_reasons(report)
    path = to_excel({"rows": report, "kpis": kpis, "failures": failures}, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["rows", "kpis", "failures"]
    rows = book["rows"]
    header = [c.value for c in rows[1]]
    assert header == list(report.columns)
    assert rows.max_row == len(report) + 1
    assert rows.freeze_panes == "A2"
    assert rows.auto_filter.ref == f"A1:{rows.cell(1, len(header)).column_letter}{len(report) + 1}"
    assert all(c.font.bold for c in rows[1])
    col = {name: i + 1 for i, name in enumerate(header)}
    paris = ZoneInfo("Europe/Paris")
    for r, (_, line) in enumerate(report.iterrows(), start=2):
        code = rows.cell(r, col["status_code"]).value
        assert code == (None if pd.isna(line["status_code"]) else int(line["status_code"]))
        assert isinstance(rows.cell(r, col["is_final"]).value, bool)
        delivered = rows.cell(r, col["delivered_at"])
        if pd.isna(line["delivered_at"]):
            assert delivered.value is None
        else:  # the wall time in Paris, computed here by zoneinfo from the UTC instant
            instant = line["delivered_at"].to_pydatetime().astimezone(UTC)
            assert isinstance(delivered.value, datetime) and delivered.is_date
            assert delivered.value == instant.astimezone(paris).replace(tzinfo=None)
    # the KPI sheet: the index (campaign_id) first, rates as percentages, durations as durations
    k = book["kpis"]
    kh = [c.value for c in k[1]]
    assert kh[0] == "campaign_id"
    assert k.max_row == len(kpis) + 1
    rate = k.cell(2, kh.index("delivery_rate") + 1)
    assert rate.data_type == "n" and "%" in rate.number_format
    assert rate.value == pytest.approx(float(kpis["delivery_rate"].iloc[0]))
    assert isinstance(k.cell(2, kh.index("sent") + 1).value, int)
    median = k.cell(2, kh.index("deliver_time_median") + 1)
    if median.value is not None:
        assert median.is_date  # openpyxl reads an [h]:mm:ss cell back as a timedelta
        assert median.value == pytest.approx(kpis["deliver_time_median"].iloc[0].to_pytimedelta(), abs=timedelta(0.001))
    f = book["failures"]
    fh = [c.value for c in f[1]]
    assert fh[0] == "rank" and "%" in f.cell(2, fh.index("share") + 1).number_format
    _assert_no_formula(book)


def test_one_frame_is_sheet_rows(tmp_path):
    path = to_excel(pd.DataFrame({"a": [1]}), tmp_path / "sub" / "one.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["rows"]


@pytest.mark.parametrize("name", ["", "a" * 32, "a/b", "x?"])
def test_a_sheet_name_excel_refuses_is_a_validation_error(name, tmp_path):
    with pytest.raises(mfanalytics.ValidationError, match="sheet"):
        to_excel({name: pd.DataFrame({"a": [1]})}, tmp_path / "x.xlsx")


def test_hostile_strings_in_cells_and_headers(tmp_path):
    frame = pd.DataFrame({h: pd.Series(HOSTILE, dtype="string") for h in HOSTILE[:3]})
    frame["cat"] = pd.Categorical(HOSTILE)
    frame["obj"] = pd.Series(HOSTILE, dtype=object)
    book = openpyxl.load_workbook(to_excel({"t": frame}, tmp_path / "h.xlsx"))
    _assert_no_formula(book)
    sheet = book["t"]
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0"
    assert sheet["A3"].value == "+1" and sheet["A4"].value == "-2"  # plain numbers stay as they are
    assert sheet["A1"].value == "'=cmd|' /C calc'!A0"  # the header too


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
hostile = st.one_of(
    _text,
    st.sampled_from(HOSTILE),
    st.builds(lambda c, rest: c + rest, st.sampled_from(RISKY_FIRST), _text),
)


@settings(max_examples=40)
@given(st.lists(st.one_of(hostile, st.none()), min_size=1, max_size=8), hostile)
def test_no_cell_is_a_formula_and_text_reads_back(values, header):
    frame = pd.DataFrame({"reply": pd.Series(values, dtype="string")})
    frame[header or "h"] = pd.Series(values, dtype=object)
    with tempfile.TemporaryDirectory() as folder:
        book = openpyxl.load_workbook(to_excel(frame, pathlib.Path(folder) / "p.xlsx"))
    _assert_no_formula(book)
    sheet = book["rows"]
    # Excel shows _xHHHH_ as the character; openpyxl's own unescape is the oracle of that escape
    read = [sheet.cell(r, 1).value for r in range(2, len(values) + 2)]
    read = pd.Series([None if v is None else unescape(v) for v in read], dtype="string")
    restored = mfanalytics.export.restore_formulas(read)
    for got, want in zip(restored, values):
        if not want:  # Excel has no empty text: an empty cell
            assert got is pd.NA
        else:
            assert got == want
    assert unescape(sheet.cell(1, 2).value) == mfanalytics.export.neutralize_formulas(frame).columns[1]


def test_more_rows_than_excel_holds_is_refused_before_writing(tmp_path):
    frame = pd.DataFrame({"a": pd.RangeIndex(1_048_576)})
    with pytest.raises(mfanalytics.ValidationError, match="1,048,575"):
        to_excel(frame, tmp_path / "big.xlsx")
    assert not (tmp_path / "big.xlsx").exists()
