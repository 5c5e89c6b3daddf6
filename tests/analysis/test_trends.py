"""The period view: flagged campaigns and daily rates on hand-counted periods."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfanalytics.analysis import trends

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from report_frames import make_report

D = "2026-03-02"  # a Monday


def _period():
    """Five campaigns of 100 sent rows; delivered 95, 94, 96, 95, 60; days 2, 3, 4, 6, 7 March."""
    rows = []
    for cid, (day, ok) in enumerate([(2, 95), (3, 94), (4, 96), (6, 95), (7, 60)], start=1):
        for i in range(100):
            delivered = i < ok
            rows.append(
                {
                    "campaign": cid,
                    "code": 16 if delivered else 20,
                    "delivered_at": f"2026-03-{day:02d} 10:{i % 60:02d}:00" if delivered else None,
                    "track_1_at": f"2026-03-{day:02d} 12:00:00" if i < 10 else None,
                    "track_1_clicks": 1 if i < 10 else 0,
                }
            )
    return make_report(rows)


def test_flag_campaigns():
    out = trends.flag_campaigns(_period())
    assert out["flagged"].tolist() == [False, False, False, False, True]
    assert out["usual_rate"].iloc[0] == pytest.approx(0.95)
    # threshold = usual 0.95 - max(0.05, 3 * 1.4826 * MAD 0.01)
    assert out["threshold"].iloc[0] == pytest.approx(0.90)
    # Wilson upper bound of 60/100 with z = 3: (0.6 + 9/200 + 3 sqrt(0.0024 + 9/40000)) / 1.09
    assert out.loc[5, "rate_upper"] == pytest.approx((0.6 + 0.045 + 3 * math.sqrt(0.0024 + 0.000225)) / 1.09)
    assert out.loc[2, "rate_upper"] > 0.90  # 94 %: a little low, not flagged
    assert out["day"].tolist()[0] == pd.Timestamp("2026-03-02")


def test_flag_campaigns_ignores_noise_of_small_campaigns():
    rows = [{"campaign": c, "code": 16, "delivered_at": f"{D} 10:00:00"} for c in (1, 2, 3) for _ in range(50)]
    rows += [{"campaign": 4, "code": 16, "delivered_at": f"{D} 10:00:00"}, {"campaign": 4, "code": 20}]
    out = trends.flag_campaigns(make_report(rows))
    assert out.loc[4, "delivery_rate"] == 0.5 and not out["flagged"].any()


def test_daily_rates():
    out = trends.daily_rates(_period())
    assert out.index.tolist() == list(pd.date_range("2026-03-02", "2026-03-07", freq="D"))
    assert out["campaigns"].tolist() == [1, 1, 1, 0, 1, 1]
    assert out.loc["2026-03-03", "delivery_rate"] == pytest.approx(0.94)
    assert math.isnan(out.loc["2026-03-05", "delivery_rate"])
    assert out.loc["2026-03-07", "click_rate"] == pytest.approx(10 / 60)
    assert out["flagged"].tolist() == [0, 0, 0, 0, 0, 1]
    assert len(trends.daily_rates(_period().iloc[:0])) == 0


def test_daily_click_rate_unknown_without_tracking():
    frame = _period()
    frame["clicked"] = pd.array([pd.NA] * len(frame), dtype="boolean")
    frame["clicks"] = pd.array([pd.NA] * len(frame), dtype="Int32")
    out = trends.daily_rates(frame)
    assert out["click_rate"].isna().all() and out.loc["2026-03-03", "delivery_rate"] == pytest.approx(0.94)


_TIMES = [None, None, "2026-03-01 23:59:59", "2026-03-02 00:00:00", "2026-03-02 10:00:00", "2026-03-03 08:00:00"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from([1, 2, 3, None]), *[st.sampled_from(_TIMES)] * 3),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([None, {1: "2026-03-01 22:00:00"}, {2: "2026-03-02 23:30:00", 3: "2026-03-01 00:00:00"}]),
)
def test_when_a_campaign_was_sent_is_the_earliest_start_of_its_rows(rows, send_times):
    """Per campaign: the least of its rows' start, where a row without a send time starts at its
    campaign's first delivery, click or preview (pandas' own min and transform, row by row)."""
    from mfanalytics.analysis.facts import facts_of

    frame = make_report(
        [
            {"campaign": c, "code": 16 if d else 20, "delivered_at": d, "preview_at": p}
            | ({"track_1_at": k, "track_1_clicks": 1} if k else {})
            for c, d, k, p in rows
        ]
    )
    frame["campaign_id"] = pd.array([c for c, *_ in rows], dtype="Int64")
    facts = facts_of(frame)
    t0 = facts.t0(send_times)
    first = pd.concat([facts.times(c) for c in ("delivered_at", "first_click_at", "preview_at")], axis=1).min(axis=1)
    first_event = first.groupby(frame["campaign_id"], dropna=False).transform("min")
    want = t0.fillna(first_event).groupby(frame["campaign_id"], dropna=False).min()
    got = trends._campaign_when(facts, send_times)
    pd.testing.assert_series_equal(got, want, check_names=False)
    assert got.index.name == "campaign_id"
