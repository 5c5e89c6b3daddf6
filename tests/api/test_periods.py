"""Period reports: 7-day windows, FIQL building, 30 days with faults."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mfanalytics import errors
from mfanalytics.api.client import Client
from mfanalytics.api.periods import build_search, mask_unshown_links, split_period
from mfanalytics.api.transport import RetryPolicy

FMT = "%Y-%m-%d %H:%M"


PARIS = "Europe/Paris"


def _moment(text: str) -> pd.Timestamp:
    """What the server can read from a bound: it must be one moment (pandas is the oracle)."""
    return pd.Timestamp(text).tz_localize(PARIS, ambiguous="raise", nonexistent="raise")


def _check_windows(windows, lo: pd.Timestamp, hi: pd.Timestamp) -> None:
    """Each bound is a moment the Paris clock shows once; the windows chain, cover [lo, hi)
    and last at most 7 days on the wall clock and in elapsed time."""
    for a, b in windows:
        for text in (a, b):
            _moment(text)  # raises on an ambiguous or skipped time
            assert datetime.strptime(text, FMT).strftime(FMT) == text
    moments = [(_moment(a), _moment(b)) for a, b in windows]
    assert moments[0][0] <= lo and moments[-1][1] >= hi
    for (_, b), (c, _) in itertools.pairwise(moments):
        assert c <= b  # chained (a window may begin before the previous one ends, never after)
    for (a, b), (ta, tb) in zip(windows, moments):
        assert timedelta(0) < tb - ta <= timedelta(days=7)
        assert datetime.strptime(b, FMT) - datetime.strptime(a, FMT) <= timedelta(days=7)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    minutes=st.integers(min_value=1, max_value=400 * 24 * 60),
)
def test_windows_chain_cover_the_span_last_at_most_seven_days_and_are_never_ambiguous(start, minutes):
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=minutes)
    windows = split_period(start, end)
    _check_windows(windows, pd.Timestamp(start), pd.Timestamp(end))
    wall = pd.Timestamp(start).tz_convert(PARIS).strftime(FMT)
    if pd.Timestamp(wall).tz_localize(PARIS, ambiguous="NaT", nonexistent="NaT") is not pd.NaT:
        assert windows[0][0] == wall  # moved only when it had to be


# minutes around the two 2026 changes: 29 March 01:00 UTC (02:00 -> 03:00), 25 October 01:00 UTC (03:00 -> 02:00)
CHANGES = [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]
near_change = st.builds(
    lambda change, minutes: change + timedelta(minutes=minutes), st.sampled_from(CHANGES), st.integers(-3 * 60, 3 * 60)
)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(a=near_change, b=near_change, days=st.integers(0, 20), naive=st.booleans())
def test_bounds_near_the_clock_changes_are_never_ambiguous(a, b, days, naive):
    lo, hi = sorted([a, b + timedelta(days=days)])
    hi = max(hi, lo + timedelta(minutes=1))
    if naive:  # the same moments as Paris wall-clock text, as a user types them
        args = [pd.Timestamp(x).tz_convert(PARIS).strftime(FMT) for x in (lo, hi)]
        reads = [
            pd.Timestamp(t).tz_localize(PARIS, ambiguous=i == 0, nonexistent="shift_forward")
            for i, t in enumerate(args)
        ]
        if reads[1] <= reads[0]:
            return
        _check_windows(split_period(*args), *reads)
    else:
        _check_windows(split_period(lo, hi), pd.Timestamp(lo), pd.Timestamp(hi))


def test_an_end_in_the_repeated_hour_goes_past_it():
    # 01:40 UTC on 25 October is 02:40 in winter time; 02:40 in summer time was an hour earlier
    assert split_period("2026-10-24", datetime(2026, 10, 25, 1, 40, tzinfo=UTC)) == [
        ("2026-10-24 00:00", "2026-10-25 03:00")
    ]
    # as text, the later reading of an end keeps every row
    assert split_period("2026-10-24", "2026-10-25 02:40") == [("2026-10-24 00:00", "2026-10-25 03:00")]
    # a start in the repeated hour begins before it
    assert split_period("2026-10-25 02:10", "2026-10-25 05:00") == [("2026-10-25 01:59", "2026-10-25 05:00")]


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
    return Client(
        sb.url,
        username="demo",
        password="demo",
        max_retries=12,
        policy=RetryPolicy(sleep=lambda s: None),
        now=lambda: sb.now,
        **kw,
    )


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
        client.get_bytes("/campaigns/reportjson/", {"from": "2026-02-01", "to": "2026-02-20"})
    assert info.value.status == 400 and "7" in str(info.value)


# -- the click columns of a campaign without a link: one rule, two scopes --------------------------
CLICK_COLUMNS = ["clicks", "clicked", "first_click_at", "track_1_clicks"]
AT = pd.Timestamp("2026-03-02 10:00", tz=PARIS)
AT_DTYPE = pd.DatetimeTZDtype("ns", PARIS)


@st.composite
def report_rows(draw) -> pd.DataFrame:
    """Rows of a few campaigns, each row with or without a trace of its link (a click, a date, a counter)."""
    rows = draw(
        st.lists(
            st.tuples(st.integers(1, 4), st.sampled_from(["none", "untracked", "click", "preview", "counter"])),
            min_size=1,
            max_size=12,
        )
    )
    clicked = [None if kind == "untracked" else kind == "click" for _, kind in rows]
    return pd.DataFrame(
        {
            "campaign_id": pd.array([c for c, _ in rows], dtype="Int64"),
            "clicked": pd.array(clicked, dtype="boolean"),
            "clicks": pd.array([int(kind == "click") for _, kind in rows], dtype="Int32"),
            "first_click_at": pd.Series([AT if kind == "click" else pd.NaT for _, kind in rows], dtype=AT_DTYPE),
            "track_1_clicks": pd.array([int(kind in ("click", "counter")) for _, kind in rows], dtype="Int32"),
            "preview_at": pd.Series([AT if kind == "preview" else pd.NaT for _, kind in rows], dtype=AT_DTYPE),
        }
    )


def masked_by_hand(frame: pd.DataFrame) -> list[bool]:
    """Per row: its campaign's rows show no click, click date, counter or preview (row by row, plain Python)."""
    shown = {}
    for row in frame.itertuples():
        trace = bool(row.clicked is True or row.clicks > 0 or row.track_1_clicks > 0) or not (
            pd.isna(row.first_click_at) and pd.isna(row.preview_at)
        )
        shown[row.campaign_id] = shown.get(row.campaign_id, False) or trace
    return [not pd.isna(row.clicked) and not shown[row.campaign_id] for row in frame.itertuples()]


@given(report_rows())
def test_per_campaign_the_click_columns_of_a_campaign_that_shows_no_link_are_missing(frame):
    by_hand = masked_by_hand(frame)
    out = mask_unshown_links(frame, scope="campaign")
    for column in CLICK_COLUMNS:
        assert out[column].isna().tolist() == [m or pd.isna(v) for m, v in zip(by_hand, frame[column])], column
    pd.testing.assert_frame_equal(out.drop(columns=CLICK_COLUMNS), frame.drop(columns=CLICK_COLUMNS))
    # each campaign on its own rows: the frame cut into its campaigns gives the same
    parts = [mask_unshown_links(part, scope="campaign") for _, part in frame.groupby("campaign_id", sort=False)]
    pd.testing.assert_frame_equal(pd.concat(parts).loc[frame.index], out)
    # a period report of two campaigns or more applies the same rule; one of a single campaign is its own report
    period = mask_unshown_links(frame)
    if frame["campaign_id"].nunique() > 1:
        pd.testing.assert_frame_equal(period, out)
    else:
        assert period is frame


def test_the_scope_is_named():
    frame = pd.DataFrame({"campaign_id": [1], "clicked": pd.array([False], dtype="boolean")})
    with pytest.raises(errors.ValidationError) as info:
        mask_unshown_links(frame, scope="day")
    assert (info.value.rule, info.value.field) == ("mask-scope", "scope")
