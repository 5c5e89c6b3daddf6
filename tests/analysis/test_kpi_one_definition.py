"""One definition of each KPI: a report frame's per-row facts come from the Ibis expression of the engines.

``ReportFacts`` runs :func:`mfanalytics.analysis.engines.kpi_rows` with DuckDB over an Arrow table
of the frame, so a frame, an Ibis memtable of it and a Parquet archive of it give the same tables,
to the last digit. The delay quantiles are checked against ``numpy.quantile`` of delays computed
here by hand from the rows (campaign start: its send time, else its first delivery).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfanalytics import Archive
from mfanalytics.analysis import engines, kpis
from mfanalytics.analysis.facts import ReportFacts
from mfanalytics.api.periods import mask_unshown_links
from mfanalytics.archive.campaigns import kept_campaign_facts
from mfanalytics.archive.files import day_file, to_table, write_table

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from archives import write_archive
from report_frames import make_report

TZ = "Europe/Paris"
# known codes of every group, codes the status table does not know (55, 99) and none
CODES = [1, 2, 4, 8, 13, 16, 17, 20, 21, 22, 27, 29, 31, 55, 99, None]
LINKED, UNLINKED = 1, 2  # campaign 1 had a link (clicks, dates); campaign 2 none (TRACK columns empty)


@st.composite
def report_frames(draw):
    rows, clicked = [], []
    for _ in range(draw(st.integers(1, 25))):
        campaign = draw(st.sampled_from([LINKED, UNLINKED, 3, None]))
        code = draw(st.sampled_from(CODES))
        row = {"campaign": campaign, "code": code}
        if draw(st.integers(0, 3)) > 0:  # else NaT, whatever the code says
            row["delivered_at"] = (
                f"2026-03-{draw(st.integers(28, 30))} {draw(st.integers(3, 23)):02d}:{draw(st.integers(0, 59)):02d}:{draw(st.integers(0, 59)):02d}"
            )
        if campaign != UNLINKED and draw(st.booleans()):
            row["track_1_at"] = f"2026-03-31 {draw(st.integers(3, 23)):02d}:{draw(st.integers(0, 59)):02d}:07"
            row["track_1_clicks"] = draw(st.integers(0, 3))
        if campaign == 3 and draw(st.integers(0, 4)) == 0:
            row["preview_at"], row["preview_count"] = "2026-03-31 12:00:00", 1
        rows.append(row)
        clicked.append(draw(st.sampled_from([True, False, None])))
    frame = make_report(rows)
    frame["clicked"] = pd.array(clicked, dtype="boolean")  # NA: no click tracking on that row
    return frame


def _archived(frame: pd.DataFrame, path: Path):
    """``frame`` written as an archive, its times in milliseconds as the archive's day files keep them."""
    frame = frame.copy()
    for col in frame.columns[frame.dtypes.astype(str).str.startswith("datetime64")]:
        frame[col] = frame[col].astype(f"datetime64[ms, {TZ}]")
    return write_archive(frame, path)


def _day_files(frame: pd.DataFrame, path: Path, parts: int) -> Archive:
    """``frame`` as an Archive's day files, written by the archive's own writer (each keeps its
    campaigns' facts), its rows cut into ``parts`` files, so that a campaign spans several."""
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), parts)):
        write_table(day_file(path / "reports", date(2026, 3, 28 + i)), to_table(frame.iloc[rows]))
    return Archive(path)


def _routes(frame: pd.DataFrame, fn, parts: int = 1) -> tuple[pd.DataFrame, ...]:
    with tempfile.TemporaryDirectory() as tmp:
        archive = fn(_archived(frame, Path(tmp) / "folder"))
        days = _day_files(frame, Path(tmp) / "days", parts)
        assert kept_campaign_facts(days.reports_path) is not None  # the facts the files keep are used
        kept = fn(days)
    return fn(frame), fn(ibis.memtable(frame)), archive, kept


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_frames(), st.sampled_from(["campaigns", "all", "codes", "sent at"]), st.integers(1, 3))
def test_a_frame_its_memtable_and_its_archive_give_the_same_summary(frame, case, parts):
    """Four routes: the frame, an Ibis memtable, Parquet files written by another tool (the engine
    asks each campaign's facts of the rows) and an Archive's day files (it combines the facts each
    file keeps, the rows cut into ``parts`` files)."""
    fn = {
        "campaigns": kpis.summarize,
        "all": lambda d: kpis.summarize(d, by=None, segments=2),
        "codes": lambda d: kpis.summarize(d, by=["campaign_id", "status_code"]),
        "sent at": lambda d: kpis.summarize(d, send_times={LINKED: "2026-03-28 02:30:00", 3: "2026-03-29 01:00:00"}),
    }[case]
    expected, memtable, archive, kept = _routes(frame, fn, parts)
    pd.testing.assert_frame_equal(memtable, expected, check_exact=True)
    pd.testing.assert_frame_equal(archive, expected, check_exact=True)
    pd.testing.assert_frame_equal(kept, expected, check_exact=True)


def _delays_by_hand(frame: pd.DataFrame, send_times: dict | None = None) -> pd.DataFrame:
    """Per campaign, numpy.quantile of the delays (seconds), from the rows alone."""
    out = {}
    for cid, rows in frame.groupby("campaign_id"):
        delivered = rows["status_code"].isin([16, 17, 21]).to_numpy(bool)
        at = rows["delivered_at"]
        start = at[delivered].min()
        if send_times and cid in send_times:
            start = pd.Timestamp(send_times[cid], tz=TZ)
        deliver = (at[delivered] - start).dt.total_seconds().dropna().to_numpy()
        click = (rows["first_click_at"] - start).dt.total_seconds().dropna().to_numpy()
        got = {}
        for name, values in (("deliver_time", deliver), ("click_time", click)):
            q = np.quantile(values, [0.5, 0.9]) if len(values) else [np.nan, np.nan]
            got[f"{name}_median"], got[f"{name}_p90"] = (pd.to_timedelta(round(v, 3), unit="s") for v in q)
        out[cid] = got
    return pd.DataFrame(out).T


@pytest.mark.parametrize("send_times", [None, {1001: "2026-03-30 07:58:00"}])
def test_delay_quantiles_are_those_of_numpy_on_the_rows(send_times, tmp_path):
    rng = np.random.default_rng(7)
    rows = []
    for cid, n in ((1001, 37), (1002, 12), (1003, 1)):
        base = pd.Timestamp("2026-03-30 08:00:00")
        for _ in range(n):
            code = int(rng.choice([16, 16, 16, 21, 17, 20, 1]))
            row = {"campaign": cid, "code": code}
            if code in (16, 17, 21, 20):
                row["delivered_at"] = str(base + pd.Timedelta(seconds=int(rng.integers(1, 900))))
                if rng.random() < 0.4:
                    row["track_1_at"] = str(base + pd.Timedelta(seconds=int(rng.integers(900, 9000))))
                    row["track_1_clicks"] = 1
            rows.append(row)
    frame = make_report(rows)
    want = _delays_by_hand(frame, send_times)
    assert want["deliver_time_median"].notna().all() and want["click_time_p90"].notna().sum() >= 2
    for got in (
        kpis.summarize(frame, send_times=send_times),
        kpis.summarize(_archived(frame, tmp_path), send_times=send_times),
    ):
        for col in want.columns:
            left = got[col].to_numpy()
            right = pd.to_timedelta(want.loc[got.index, col]).to_numpy(dtype="timedelta64[ns]")
            np.testing.assert_array_equal(left, right, err_msg=col)


def test_the_facts_of_a_frame_keep_its_index_and_row_order():
    """The engine's join does not keep the order: the facts are put back by row position."""
    rows = [{"campaign": c, "code": code} for c in (1, 2, None) for code in (16, 8, 2, 99, None, 13)] * 40
    frame = make_report(rows)
    frame.index = pd.RangeIndex(1000, 1000 + 2 * len(frame), 2)
    facts = ReportFacts(frame)
    ind = facts.indicators
    assert ind.index.equals(frame.index)
    codes = frame["status_code"]  # 8: not sent, 13: rejected, 2: badly formatted, 99 and NA: unknown
    np.testing.assert_array_equal(ind["delivered"].to_numpy(), codes.eq(16).fillna(False).to_numpy(int))
    np.testing.assert_array_equal(ind["not_sent"].to_numpy(), codes.eq(8).fillna(False).to_numpy(int))
    np.testing.assert_array_equal(ind["unknown"].to_numpy(), (codes.isna() | codes.eq(99)).to_numpy(int))
    np.testing.assert_array_equal(facts.sent, ~codes.isin([2, 8]).to_numpy(bool))
    assert facts.t0().dtype == frame["delivered_at"].dtype


def test_naive_times_are_paris_time():
    rows = [{"code": 16, "delivered_at": f"2026-03-29 0{h}:15:00"} for h in (1, 3, 4)] + [{"code": 8}]
    aware = make_report(rows)
    naive = aware.copy()
    for col in ("delivered_at", "first_click_at", "track_1_at", "preview_at"):
        naive[col] = naive[col].dt.tz_localize(None)
    pd.testing.assert_frame_equal(kpis.summarize(naive), kpis.summarize(aware), check_exact=True)
    assert kpis.summarize(naive)["deliver_time_p90"].iloc[0] == pd.Timedelta(
        hours=1, minutes=48
    )  # 01:15 -> 04:15 CEST: 2 h


def test_sub_second_times_count_in_whole_seconds_on_every_route():
    """The engine counts in whole epoch seconds (rounded), on a frame as on an archive."""
    rows = [{"code": 16, "delivered_at": "2026-03-30 08:00:00"}, {"code": 16, "delivered_at": "2026-03-30 08:00:00"}]
    frame = make_report(rows)
    frame.loc[1, "delivered_at"] += pd.Timedelta(milliseconds=1600)
    got = kpis.summarize(frame)
    assert got["deliver_time_p90"].iloc[0] == pd.Timedelta(seconds=1.8)  # 0.9 of 2 s, not of 1.6 s
    pd.testing.assert_frame_equal(kpis.summarize(ibis.memtable(frame)), got, check_exact=True)


def test_one_link_rule_for_frames_tables_and_the_period_mask():
    frame = make_report(
        [
            {"campaign": 1, "code": 16, "track_1_at": "2026-03-30 10:00:00", "track_1_clicks": 1},
            {"campaign": 1, "code": 16},
            {"campaign": 2, "code": 16},
            {"campaign": 2, "code": 8},
        ]
    )
    np.testing.assert_array_equal(engines.link_mask(frame), [True, True, False, False])
    alone = frame[frame["campaign_id"] == 2]
    assert engines.link_mask(alone).all() and not engines.link_mask(alone, per_campaign=True).any()
    table = engines.link_mask(ibis.memtable(frame)).select("campaign_id", "_link").to_pandas()
    assert table.groupby("campaign_id")["_link"].all().to_dict() == {1: True, 2: False}
    np.testing.assert_array_equal(ReportFacts(frame).link, engines.link_mask(frame))
    assert mask_unshown_links(frame)["clicks"].isna().tolist() == [False, False, True, True]


def test_frames_are_computed_from_several_threads_at_once():
    """fetch_period and the archive's sync mask links from worker threads: each has its DuckDB connection."""
    from concurrent.futures import ThreadPoolExecutor

    frame = make_report([{"campaign": c, "code": 16, "track_1_at": "2026-03-30 10:00:00"} for c in (1, 2)] * 50)
    expected = kpis.summarize(frame)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: (kpis.summarize(frame), engines.link_mask(frame)), range(12)))
    for summary, link in got:
        pd.testing.assert_frame_equal(summary, expected, check_exact=True)
        assert link.all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=report_frames(), second=report_frames())
def test_the_kept_query_of_a_table_shape_gives_what_a_query_built_for_the_frame_gives(first, second):
    """kpi_table keeps the compiled query per table shape and options. Two frames of one shape (one
    or several campaigns, linked or not) in either order give what a query built afresh for each
    gives: nothing of one frame leaks into the other's query."""
    from mfanalytics.analysis import facts as facts_module

    def fresh(frame):
        facts_module._QUERIES.clear()
        return kpis.summarize(frame, by=None), kpis.summarize(frame)

    alone = [fresh(first), fresh(second)]
    facts_module._QUERIES.clear()
    for frame, (total, per_campaign) in zip([first, second, first], [*alone, alone[0]]):
        pd.testing.assert_frame_equal(kpis.summarize(frame, by=None), total, check_exact=True)
        pd.testing.assert_frame_equal(kpis.summarize(frame), per_campaign, check_exact=True)


def test_a_kept_query_of_several_campaigns_is_not_used_for_one_campaign_of_the_same_columns():
    """A frame of one campaign is its own report (its TRACK columns are its own: a link even with
    no click), a frame of several is judged campaign by campaign: the kept query of the second
    must not serve the first, though their columns are the same."""
    from mfanalytics.analysis import facts as facts_module

    rows = [
        {"campaign": LINKED, "code": 16, "delivered_at": "2026-03-30 10:00:00", "track_1_at": "2026-03-30 11:00:00"},
        {"campaign": LINKED, "code": 16, "delivered_at": "2026-03-30 10:01:00"},
        {"campaign": UNLINKED, "code": 16, "delivered_at": "2026-03-30 10:02:00"},
        {"campaign": UNLINKED, "code": 16, "delivered_at": "2026-03-30 10:03:00"},
    ]
    several = make_report(rows)
    several["track_1_clicks"] = pd.array([1, 0, 0, 0], dtype="Int32")
    several["clicked"] = pd.array([True, False, False, False], dtype="boolean")
    alone = several[several["campaign_id"] == UNLINKED].reset_index(drop=True)
    facts_module._QUERIES.clear()
    assert kpis.summarize(several).loc[UNLINKED, "delivered_with_link"] == 0  # no trace of a link among several
    assert kpis.summarize(alone).loc[UNLINKED, "delivered_with_link"] == 2  # alone: its TRACK columns are its own
