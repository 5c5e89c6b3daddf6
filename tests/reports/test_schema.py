"""Tests of mfanalytics.reports.schema (columns, integers) and reports.dates (report dates).

The column names are the guide's section 4; dates are checked against pandas'
own Paris conversion (``tz_localize("Europe/Paris", ambiguous=True,
nonexistent="shift_forward")``), an oracle this package did not write.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfanalytics.errors import ReportFormatError
from mfanalytics.reports.dates import parse_paris_dates
from mfanalytics.reports.schema import map_columns, match_column, parse_integers, to_list_column


def test_the_guides_column_names_and_their_spellings():
    assert match_column("INT_MOBILE") == ("mobile", "string", None)
    assert match_column(" int_mobile ") == ("mobile", "string", None)
    assert match_column("DELIVERYDATE") == ("delivered_at", "date", None)
    assert match_column("TRACK_3_COUNTER") == ("track_3_clicks", "int32", 3)
    assert match_column("PRENOM") is None  # a list column: kept under its own name
    fields, extra = map_columns(["INT_MOBILE", "STATUS_CODE", "NOM"])
    assert fields[:2] == [("mobile", "string"), ("status_code", "int16")] and extra == [(2, "NOM")]
    with pytest.raises(ReportFormatError) as info:
        map_columns(["STATUS_CODE"])
    assert (info.value.rule, info.value.field) == ("missing-column", "INT_MOBILE")


def test_integers_name_the_first_bad_line():
    assert parse_integers(pa.array(["1", "07", None]), "int32", "line").to_pylist() == [1, 7, None]
    with pytest.raises(ReportFormatError) as info:
        parse_integers(pa.array(["1", "2", "-3"]), "int32", "line")
    assert (info.value.rule, info.value.field, info.value.line) == ("integer", "line", 3)
    with pytest.raises(ReportFormatError) as info:
        parse_integers(pa.array(["1", "40000"]), "int16", "status_code")
    assert info.value.line == 2


def _pandas_oracle(texts: list[str]) -> list[int]:
    wall = pd.to_datetime(pd.Series(texts), format="%d/%m/%Y %H:%M:%S")
    local = wall.dt.tz_localize("Europe/Paris", ambiguous=np.ones(len(texts), bool), nonexistent="shift_forward")
    return (local.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[s]").astype(np.int64)).tolist()


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 60 * 24 * 3), min_size=1, max_size=30),
    st.sampled_from([datetime(2024, 3, 30), datetime(2024, 10, 26), datetime(2025, 6, 1)]),
)
def test_report_dates_agree_with_pandas_around_the_clock_changes(minutes, day):
    texts = [(day + timedelta(minutes=m, seconds=m % 60)).strftime("%d/%m/%Y %H:%M:%S") for m in minutes]
    utc, valid = parse_paris_dates(pa.array(texts), "delivered_at")
    assert valid.all()
    assert utc.tolist() == _pandas_oracle(texts)


@pytest.mark.parametrize("bad", ["31/02/2025 10:00:00", "01/03/25 10:00:00", "01/03/2025 10:00:60", "2025-03-01 10:00"])
def test_a_date_that_is_not_one_is_an_error_naming_its_line(bad):
    with pytest.raises(ReportFormatError) as info:
        parse_paris_dates(pa.array(["01/03/2025 10:00:00", None, bad]), "delivered_at")
    assert (info.value.rule, info.value.field, info.value.line) == ("date", "delivered_at", 3)


_TEXTS = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.text(alphabet="ab é", min_size=6, max_size=30),  # long values that differ in a few bytes only
    st.sampled_from(["Jean Dupont", "12 rue des Lilas 75001 Paris", "12 rue des Lilas 75002 Paris", ""]),
)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(st.lists(_TEXTS, max_size=12), min_size=1, max_size=4), st.integers(0, 3))
def test_a_list_column_is_a_category_exactly_when_its_values_repeat_twice_on_average(chunks, cut):
    values = [v for chunk in chunks for v in chunk]
    arr = pa.chunked_array([pa.array(c, pa.string()) for c in chunks], pa.string())
    arr = arr.slice(min(cut, len(values)))  # a slice starts inside a buffer, as the CSV reader's chunks do
    values = values[min(cut, len(values)) :]
    present = [v for v in values if v is not None]
    out = pd.Series(to_list_column(arr, len(values)))
    # the oracle: Python's own set of the values
    expected = "category" if present and len(set(present)) <= 0.5 * len(present) else "string"
    assert str(out.dtype) == expected
    assert out.astype(object).where(out.notna(), None).tolist() == values


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(_TEXTS, max_size=40), st.integers(0, 5))
def test_the_distinct_count_that_skips_the_dictionary_never_exceeds_the_true_one(values, cut):
    from mfanalytics.reports.schema import _distinct_at_least

    arr = pa.array(values, pa.string()).slice(cut)
    assert _distinct_at_least(arr) <= len({v for v in values[cut:] if v is not None})
    unique = pa.array([f"{v}-{i}" for i, v in enumerate(values)], pa.string())
    assert _distinct_at_least(unique) >= 0.5 * len(values)  # distinct values are (nearly all) seen as such
