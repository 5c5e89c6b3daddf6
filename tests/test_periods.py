"""Period reports: 7-day windows, FIQL building, 30 days with faults."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from mfanalytics import errors
from mfanalytics.client import Client
from mfanalytics.periods import build_search, split_period
from mfanalytics.transport import RetryPolicy

FMT = "%Y-%m-%d %H:%M"


@given(
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    minutes=st.integers(min_value=1, max_value=400 * 24 * 60),
)
def test_windows_are_contiguous_at_most_seven_days_and_cover_the_span(start, minutes):
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=minutes)
    windows = split_period(start, end)
    parsed = [(datetime.strptime(a, FMT), datetime.strptime(b, FMT)) for a, b in windows]
    assert parsed[0][0] == start and parsed[-1][1] == end
    for (a, b), (c, _) in zip(parsed, parsed[1:]):
        assert b == c
    assert all(timedelta(0) < b - a <= timedelta(days=7) for a, b in parsed)


def test_a_date_alone_includes_the_whole_end_day():
    assert split_period("2026-03-01", "2026-03-01") == [("2026-03-01 00:00", "2026-03-02 00:00")]


def test_period_errors_name_the_rule():
    with pytest.raises(errors.ValidationError) as info:
        split_period("2026-03-10", "2026-03-01")
    assert info.value.rule == "period-order"
    with pytest.raises(errors.ValidationError) as info:
        split_period("10/03/2026", "2026-03-11")
    assert info.value.rule == "date-format"


def test_build_search():
    assert build_search(item="0612345678") == "item==0612345678"
    assert build_search(fields={"prenom": "Philippe"}) == "fields.prenom==Philippe"
    # (a or b) and c, written without parentheses since ';' binds tighter than ','
    assert (
        build_search(item=["0612345678", "0752345678"], fields={"REF": "X1"})
        == "item==0612345678;fields.REF==X1,item==0752345678;fields.REF==X1"
    )
    with pytest.raises(errors.ValidationError) as info:
        build_search(fields={"prenom": "a,b"})
    assert info.value.rule == "fiql-value"
    with pytest.raises(errors.ValidationError):
        build_search()


@pytest.fixture(scope="module")
def month():
    """A sandbox with a campaign every other day for 30 days."""
    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    with EmbeddedSandbox(seed=11, start="2026-02-01T08:00:00Z") as sb:
        client = sb.client(now=lambda: sb.now)
        ids = []
        for day in range(15):
            people = [{"mobile": f"06{12000000 + day * 100 + i}", "PRENOM": f"P{day}-{i}"} for i in range(40)]
            ids.append(client.send_campaign(f"Jour {day}", recipients=people).id)
            sb.advance(2 * 86400)
        yield sb, ids


def flaky_client(sb, **kw) -> Client:
    return Client(sb.url, username="demo", password="demo", max_retries=12,
                  policy=RetryPolicy(sleep=lambda s: None), now=lambda: sb.now, **kw)


def test_thirty_days_with_faults_equal_the_fault_free_fetch(month):
    sb, ids = month
    start = sb.now - timedelta(days=31)
    client = flaky_client(sb)
    clean = client.get_reports(start, sb.now, progress=False)
    assert sorted(set(clean["campaign_id"])) == ids
    assert len(clean) == 15 * 40
    assert not clean.duplicated(["campaign_id", "line"]).any()
    assert isinstance(clean["status_text"].dtype, pd.CategoricalDtype)  # windows keep categoricals
    sb.set_faults(rate=0.4, kinds=["500", "503", "429", "reset", "truncated"], methods=["GET"])
    try:
        for workers in (1, 4):
            faulty = client.get_reports(start, sb.now, workers=workers, progress=False)
            pd.testing.assert_frame_equal(faulty, clean)
        assert requests.get(sb.root + "/_sandbox/faults", timeout=5).json()["injected"] > 0
    finally:
        sb.set_faults(rate=0)


def test_csv_variant_with_key_field_and_search(month):
    sb, ids = month
    client = flaky_client(sb)
    start = sb.now - timedelta(days=31)
    rows = client.get_reports(start, sb.now, format="csv", key_field=["PRENOM"], progress=False)
    assert len(rows) == 15 * 40 and "PRENOM" in rows.columns
    one = client.get_reports(start, sb.now, search=build_search(fields={"PRENOM": "P3-7"}), progress=False)
    assert one["PRENOM"].tolist() == ["P3-7"] and one["campaign_id"].tolist() == [ids[3]]


def test_the_api_itself_refuses_more_than_seven_days(month):
    sb, _ = month
    client = flaky_client(sb)
    with pytest.raises(errors.InvalidRequestError) as info:
        client._get_bytes("/campaigns/reportjson/", {"from": "2026-02-01", "to": "2026-02-20"})
    assert info.value.status == 400 and "7" in str(info.value)
