"""Period fetches across the 2026 clock changes: no send lost, none twice (issue 11).

The sandbox reads a bare ``to`` in the repeated autumn hour in its first (summer)
reading, as the real service was seen to: a client that sends such a bound
loses up to an hour of sends. The oracle is each campaign's own report.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mfanalytics
from mfanalytics.api.periods import end_of_minute, fetch_period

CHANGES = [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]


def _lines(frame: pd.DataFrame) -> list[tuple]:
    return sorted(zip(frame["campaign_id"], frame["ref_list"].astype(str), frame["line"], frame["mobile"]))


def test_autumn_sends_in_the_repeated_hour_are_in_the_period_fetched_at_0140_utc():
    """The probe's reproducer: sends between 00:41 and 01:40 UTC vanished."""
    with mfanalytics.sandbox(seed=0, start="2026-10-24T12:00:00Z") as sb:
        c = sb.client()
        sent = []
        for when in (
            "2026-10-24T22:30:00Z",
            "2026-10-25T00:10:00Z",
            "2026-10-25T00:50:00Z",
            "2026-10-25T01:20:00Z",
            "2026-10-25T01:39:00Z",
        ):
            sb.set_clock(when)
            sent.append(c.send_campaign("Bonjour", recipients=["0612345601"]).id)
        sb.set_clock("2026-10-25T01:40:00Z")
        assert sorted(c.get_reports("2026-10-24", progress=False)["campaign_id"]) == sent
        end = end_of_minute(c.now())
        assert sorted(fetch_period(c.get_bytes, "2026-10-24", end, progress=False)["campaign_id"]) == sent


@pytest.mark.parametrize("change", CHANGES, ids=["29-march", "25-october"])
@settings(derandomize=True, max_examples=10, deadline=None)
@given(
    offsets=st.lists(st.integers(-150 * 60, 150 * 60), min_size=1, max_size=4),
    wait=st.integers(0, 150 * 60),
    fmt=st.sampled_from(["json", "csv"]),
    start_at=st.sampled_from(["day before", "first send", "first send, as Paris text"]),
)
def test_every_line_sent_near_a_clock_change_appears_exactly_once(change, offsets, wait, fmt, start_at):
    sends = sorted(change + timedelta(seconds=s) for s in offsets)
    now = sends[-1] + timedelta(seconds=wait)
    with mfanalytics.sandbox(seed=0, start=(change - timedelta(hours=4)).isoformat()) as sb:
        c = sb.client()
        ids = []
        for i, when in enumerate(sends):
            sb.set_clock(when)
            people = [f"06123456{i}{k}" for k in range(2)]
            ids.append(c.send_campaign(f"Bonjour {i}", recipients=people).id)
        sb.set_clock(now)
        expected = sorted(line for cid in ids for line in _lines(c.get_report(cid)))
        if start_at == "day before":
            start = (change - timedelta(days=1)).date()
        elif start_at == "first send":
            start = sends[0]
        else:  # the wall-clock text a user would type, possibly in the repeated hour
            start = pd.Timestamp(sends[0]).tz_convert("Europe/Paris").strftime("%Y-%m-%d %H:%M")
        period = c.get_reports(start, format=fmt, progress=False)
        assert _lines(period) == expected


def test_get_reports_ends_at_the_client_clock_not_the_system_clock():
    """On a sandbox whose clock is far ahead of the machine's, the default end is the sandbox's now."""
    with mfanalytics.sandbox(seed=0, start="2099-06-01T09:00:00Z") as sb:
        c = sb.client()
        cid = c.send_campaign("Bonjour", recipients=["0612345601"]).id
        sb.advance(600)
        assert c.get_reports("2099-05-31", progress=False)["campaign_id"].tolist() == [cid]


def test_report_explorer_default_days_are_paris_days(tmp_path):
    """At 23:30 UTC it is already tomorrow in Paris: the default period includes today's sends."""
    from mfanalytics.widgets import ReportExplorer

    with mfanalytics.sandbox(seed=0, start="2026-03-02T23:20:00Z") as sb:  # 00:20 on 3 March in Paris
        c = sb.client()
        cid = c.send_campaign("Bonjour", recipients=["0612345601"]).id
        sb.advance(600)
        explorer = ReportExplorer(c, out_dir=tmp_path)
        assert explorer.end.value == date(2026, 3, 3)
        explorer.source.value = "period"
        assert explorer.load()["campaign_id"].tolist() == [cid]


def test_fetch_period_needs_only_a_function_that_gets_bytes():
    """No client: one GET per API window, the answers joined, each line once."""
    from pathlib import Path

    from mfanalytics.api.periods import split_period
    from mfanalytics.reports.parsing import parse_report_json

    body = (Path(__file__).parents[1] / "data" / "reports" / "report.json").read_bytes()  # six lines of one campaign
    asked = []

    def get_bytes(path, params):
        asked.append((path, params["from"], params["to"], params["status"]))
        return body

    frame = fetch_period(get_bytes, "2026-03-01", "2026-03-20", params={"status": "1"}, workers=2, progress=False)
    windows = split_period("2026-03-01", "2026-03-20")
    assert len(windows) == 3
    assert sorted(asked) == sorted(("/campaigns/reportjson/", a, b, "1") for a, b in windows)
    assert _lines(frame) == _lines(parse_report_json(body))
    assert len(frame) == 6  # the same six lines in three windows, once each
