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
from mfanalytics.reports.schema import map_columns, match_column, parse_integers


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
