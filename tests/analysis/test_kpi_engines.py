"""The KPIs where the data lives: DuckDB over Parquet files gives the frames of pandas, to the last digit.

The oracle is pandas on the same rows: each KPI of ``mfanalytics.analysis`` on a report frame
fetched from the sandbox, against the same KPI on those rows written as a Hive-partitioned
Parquet archive (DuckDB computes) and on an Ibis memtable. ``assert_frame_equal(check_exact=True)``:
same index, columns, dtypes and values. Countries are checked against ``phonenumbers`` itself and
Paris hours against the time-zone database.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfanalytics.analysis import engines, kpis, trends
from mfanalytics.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from archives import FolderArchive, sandbox_period, write_archive
from report_frames import make_report


@pytest.fixture(scope="module")
def period() -> pd.DataFrame:
    return sandbox_period()


@pytest.fixture(scope="module")
def archive(period, tmp_path_factory) -> FolderArchive:
    return write_archive(period, tmp_path_factory.mktemp("archive"))


def test_the_period_has_the_cases_worth_checking(period):
    per = kpis.summarize(period)
    assert len(per) >= 10
    assert per["pending"].iloc[-1] > 0  # in flight
    assert per["click_rate"].isna().sum() >= 2 and per["click_rate"].notna().sum() >= 2  # with and without links
    assert per["stops"].sum() > 0
    assert period.groupby("campaign_id")["ref_list"].nunique().max() == 2  # a campaign to two lists
    assert {"RE", "YT", "GP", "MQ", "CA", "US", "GB", "GG", "JE", "RU", "KZ"} <= set(kpis.by_country(period).index)


CASES = {
    "summarize": kpis.summarize,
    "summarize all": partial(kpis.summarize, by=None, segments=2),
    "summarize per list": partial(kpis.summarize, by=["campaign_id", "status_code"]),
    "sent at": partial(kpis.summarize, send_times={1003: "2026-03-22 09:00:00"}),
    "codes": kpis.status_breakdown,
    "groups": partial(kpis.status_breakdown, level="group"),
    "failures": kpis.failure_reasons,
    "countries": kpis.by_country,
    "hours": kpis.by_hour,
    "hours sent at": partial(kpis.by_hour, send_times="2026-03-29 01:30:00"),
    "campaigns": kpis.compare_campaigns,
    "days": trends.daily_rates,
    "flags": trends.flag_campaigns,
}


@pytest.mark.parametrize("name", list(CASES))
def test_duckdb_on_the_archive_gives_the_frame_of_pandas(name, period, archive):
    expected = CASES[name](period)
    assert len(expected)
    pd.testing.assert_frame_equal(CASES[name](archive), expected, check_exact=True)


@pytest.mark.parametrize("name", ["summarize", "countries", "days", "codes"])
def test_a_parquet_folder_and_an_ibis_table_are_sources_too(name, period, archive):
    expected = CASES[name](period)
    pd.testing.assert_frame_equal(CASES[name](archive.path), expected, check_exact=True)
    pd.testing.assert_frame_equal(CASES[name](ibis.memtable(period)), expected, check_exact=True)


def test_one_campaign_with_a_link_nobody_clicked_keeps_its_click_rate_of_zero(period, tmp_path):
    """A lone campaign's TRACK columns are its own: 0 % clicked, not 'no link' (kpis.link)."""
    linked = kpis.summarize(period)["delivered_with_link"]
    cid = linked[linked > 0].index[-1]
    one = period[period["campaign_id"] == cid].reset_index(drop=True)
    for col in ("first_click_at", "track_1_at", "preview_at"):
        one[col] = pd.Series(pd.NaT, index=one.index, dtype=one[col].dtype)
    for col in ("clicks", "track_1_clicks", "preview_count"):
        one[col] = one[col] * 0
    one["clicked"] = one["clicked"] & False
    expected = kpis.summarize(one)
    assert expected["click_rate"].iloc[0] == 0.0
    pd.testing.assert_frame_equal(kpis.summarize(write_archive(one, tmp_path)), expected, check_exact=True)


def test_countries_in_the_engine_are_those_of_phonenumbers(period, archive):
    t = engines.country_expr(engines.table_of(archive)).select("mobile", "country").distinct()
    got = t.to_pyarrow().to_pandas()

    def oracle(raw: str) -> str:
        s = raw.strip()
        s = "+" + s[2:] if s.startswith("00") else s if s.startswith("+") else "+" + s
        try:
            return phonenumbers.region_code_for_number(phonenumbers.parse(s)) or "ZZ"
        except phonenumbers.NumberParseException:
            return "ZZ"

    assert len(got) > 100
    assert got["country"].tolist() == [oracle(m) for m in got["mobile"]]


def test_paris_hours_from_epoch_seconds_follow_the_time_zone_database():
    epochs = np.random.default_rng(0).integers(946_684_800, 4_102_444_800, 5000).tolist()
    # every summer-time change of 2000..2100, one second either side, and random instants
    hours = pd.date_range("2000-01-01", "2100-12-31", freq="h", tz="Europe/Paris")
    offset = hours.tz_localize(None) - hours.tz_convert("UTC").tz_localize(None)
    jumps = hours[1:][offset[1:] != offset[:-1]]
    edges = [int(j.timestamp()) + d for j in jumps for d in (-3601, -1, 0, 1)]
    values = np.array(edges + epochs, dtype=np.int64)
    t = ibis.memtable(pd.DataFrame({"epoch": values}))
    got = t.select(local=engines.paris_local_seconds(t.epoch)).to_pandas()["local"].to_numpy()
    paris = pd.to_datetime(values, unit="s", utc=True).tz_convert("Europe/Paris").tz_localize(None)
    assert len(jumps) == 2 * 101
    np.testing.assert_array_equal(got, (paris - pd.Timestamp(0)).total_seconds().astype(np.int64))


CODES = [1, 2, 4, 8, 9, 13, 14, 16, 17, 20, 21, 22, 27, 29, 31, 99, None]
MOBILES = ["+33612345678", "+262692123456", "+262269612345", "0596696123456", "+14165550123", "n/a", None]


HOURS = st.sampled_from([h for h in range(24) if h != 2])  # 02:xx does not exist on 29 March 2026


@st.composite
def report_frames(draw):
    rows = []
    for _ in range(draw(st.integers(1, 30))):
        code = draw(st.sampled_from(CODES))
        row = {
            "campaign": draw(st.sampled_from([1, 2, 3, None])),
            "code": code,
            "mobile": draw(st.sampled_from(MOBILES)),
        }
        if code in (16, 17, 21) or draw(st.integers(0, 5)) == 0:
            day, minute = draw(st.integers(28, 30)), draw(st.integers(0, 59))
            row["delivered_at"] = f"2026-03-{day} {draw(HOURS):02d}:{minute:02d}:00"  # 29th: summer time begins
            if draw(st.booleans()):
                row["track_1_at"] = f"2026-03-30 {draw(HOURS):02d}:{minute:02d}:17"
                row["track_1_clicks"] = draw(st.integers(0, 3))
        if draw(st.integers(0, 6)) == 0:
            row["reply"] = draw(st.sampled_from(["STOP", "merci"]))
        rows.append(row)
    frame = make_report(rows)
    for col in frame.columns[frame.dtypes.astype(str).str.startswith("datetime64")]:
        frame[col] = frame[col].astype("datetime64[s, Europe/Paris]")  # as get_reports and Archive.frame give them
    return frame


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(report_frames(), st.sampled_from(list(CASES)))
def test_duckdb_equals_pandas_on_generated_frames(frame, name):
    pd.testing.assert_frame_equal(CASES[name](ibis.memtable(frame)), CASES[name](frame), check_exact=True)


def test_errors_name_the_rule_and_the_field(archive):
    with pytest.raises(ValidationError) as err:
        kpis.summarize(archive, segments=pd.Series([1, 2]))
    assert err.value.rule == "segments-type" and err.value.field == "segments"
    with pytest.raises(ValidationError) as err:
        kpis.summarize(archive, by="AGENCE")
    assert err.value.rule == "missing-column" and err.value.field == "AGENCE"
    with pytest.raises(ValidationError) as err:
        kpis.summarize(archive.path / "nowhere")
    assert err.value.rule == "no-archive"
