"""Joining report frames: each recipient line once, none lost (issue 11, "rows lost").

A recipient line is (campaign, list, line); line numbers restart in every list.
The oracle is the campaign's own report (``get_report``), which is never joined.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mfanalytics
from mfanalytics.reports import parsing as reports
from mfanalytics.reports.lines import dedupe_lines


@pytest.fixture(scope="module")
def two_lists():
    """Campaign 1: two lists of 2 (lines 1, 2 in each); campaign 2: 3 direct recipients."""
    with mfanalytics.sandbox(seed=0, start="2026-03-02T09:00:00Z") as sb:
        c = sb.client()
        a = c.upload_list(b"mobile\n0612345601\n0612345602\n", filename="a.csv")["id"]
        b = c.upload_list(b"mobile\n0612345603\n0612345604\n", filename="b.csv")["id"]
        lists = c.send_campaign("Bonjour", list_id=[a, b]).id
        direct = c.send_campaign("Salut", recipients=["0612345605", "0612345606", "0612345607"]).id
        sb.advance(3600)
        yield sb, c, lists, direct


def _lines(frame: pd.DataFrame) -> list[tuple]:
    return sorted(
        zip(frame["campaign_id"], frame["ref_list"].astype(str), frame["line"], frame["mobile"], frame["status_code"])
    )


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_period_fetch_keeps_every_line_of_a_campaign_sent_to_several_lists(two_lists, fmt):
    _sb, c, lists, direct = two_lists
    expected = _lines(c.get_report(lists)) + _lines(c.get_report(direct))
    assert len(expected) == 7
    period = c.get_reports("2026-03-01", format=fmt, progress=False)
    assert _lines(period) == sorted(expected)


def test_direct_recipients_are_a_list_of_their_own(two_lists):
    """What ref_list is for recipients sent without a list: the sandbox says "listRecipient"."""
    _sb, c, _lists, direct = two_lists
    report = c.get_report(direct)
    assert set(report["ref_list"].astype(str)) == {"listRecipient"} and report["line"].tolist() == [1, 2, 3]


def test_overlapping_windows_give_each_line_once(two_lists):
    """The same answer fetched twice (two windows that overlap) is each line once."""
    _sb, c, _lists, _direct = two_lists
    window = c.get_reports("2026-03-01", progress=False)
    for fmt in ("json", "csv"):
        body = c.get_bytes("/campaigns/reportjson/" if fmt == "json" else "/campaigns/report/", {"from": "2026-03-01"})
        frame = reports.parse_report_json(body) if fmt == "json" else reports.parse_report(body)
        joined = dedupe_lines([frame, frame.iloc[2:], frame])
        assert _lines(joined) == _lines(window)
        assert isinstance(joined["status_text"].dtype, pd.CategoricalDtype)


def test_report_explorer_period_keeps_every_line(two_lists, tmp_path):
    from mfanalytics.widgets import ReportExplorer

    _sb, c, lists, direct = two_lists
    explorer = ReportExplorer(c, out_dir=tmp_path)
    explorer.source.value = "period"
    explorer.start.value = pd.Timestamp("2026-02-20").date()
    explorer.end.value = pd.Timestamp("2026-03-03").date()  # two windows
    frame = explorer.load()
    assert _lines(frame) == sorted(_lines(c.get_report(lists)) + _lines(c.get_report(direct)))


def test_compare_campaigns_of_overlapping_fetches_counts_each_line_once(two_lists):
    _sb, c, lists, direct = two_lists
    period = c.get_reports("2026-03-01", progress=False)
    out = mfanalytics.compare_campaigns([period, period])
    assert out["recipients"].to_dict() == {lists: 4, direct: 3}


def _frame(rows, **columns) -> pd.DataFrame:
    base = {
        "campaign_id": pd.array([r[0] for r in rows], dtype="Int64"),
        "ref_list": pd.array([r[1] for r in rows], dtype="string"),
        "line": pd.array([r[2] for r in rows], dtype="Int64"),
        "mobile": pd.array([r[3] for r in rows], dtype="string"),
    }
    return pd.DataFrame({**base, **columns})


def test_rows_without_a_key_are_never_merged():
    """JSON records without ID_LINE: one row per record, however alike."""
    records = [{"CAMPAIGN_ID": 7, "INT_MOBILE": f"+3361234560{i}", "STATUS_CODE": 16} for i in range(3)]
    frame = reports.parse_report_json(records)
    assert frame["line"].isna().all()
    assert len(dedupe_lines([frame, frame])) == 6  # doubled rather than lost: nothing says they are the same
    assert len(dedupe_lines([frame])) == 3


def test_two_lists_with_the_same_name_are_not_merged_within_one_answer():
    rows = [(1, "clients.csv", 1, "+33600000001"), (1, "clients.csv", 1, "+33600000002")]
    frame = _frame(rows)
    assert len(dedupe_lines([frame])) == 2
    assert dedupe_lines([frame, frame])["mobile"].tolist() == ["+33600000001", "+33600000002"]


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_of_two_copies_the_more_final_status_is_kept(order):
    codes = ([1], [24], [16])  # pending, posted, delivered: the line's life in three fetches
    copies = [
        reports.parse_report_json(
            [
                {
                    "CAMPAIGN_ID": 3,
                    "REF_LIST": "a",
                    "ID_LINE": 1,
                    "INT_MOBILE": "+33600000001",
                    "STATUS_CODE": code[0],
                    "DELIVERYDATE": "02/03/2026 10:00:00" if code[0] == 16 else None,
                }
            ]
        )
        for code in codes
    ]
    for a, b in ((0, 1), (1, 2), (0, 2)):
        pair = [copies[a], copies[b]]
        pair = [pair[i] for i in order]
        assert dedupe_lines(pair)["status_code"].tolist() == [codes[b][0]]


key = st.tuples(st.integers(1, 3), st.sampled_from(["a.csv", "b.csv", "listRecipient"]), st.integers(1, 4))


@settings(derandomize=True, max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=st.lists(key, unique=True, min_size=1, max_size=25), data=st.data())
def test_any_overlapping_cut_of_an_answer_gives_it_back(keys, data):
    """Cut one answer into windows that overlap anywhere: joining them gives the answer back."""
    rows = [(*k, f"+336000000{i:02d}") for i, k in enumerate(keys)]
    whole = _frame(rows)
    n = len(whole)
    cuts = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n)), min_size=1, max_size=5))
    windows = [whole.iloc[min(a, b - 1) : max(a + 1, b)] for a, b in cuts]
    covered = set().union(*[set(w.index) for w in windows])
    windows += [whole.loc[sorted(set(whole.index) - covered)]]
    joined = dedupe_lines(data.draw(st.permutations(windows)))
    assert sorted(map(tuple, joined.astype(str).to_numpy())) == sorted(map(tuple, whole.astype(str).to_numpy()))
