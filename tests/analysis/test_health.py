"""The health score: a hand-counted campaign through the published formulas, properties, drill-down, sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from mfanalytics.analysis import kpis
from mfanalytics.analysis.health import SUBSCORES, health_score
from mfanalytics.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
sys.path.insert(0, str(Path(__file__).parent))
from report_frames import make_report
from stats_sandbox import period

SENT_AT = pd.Timestamp("2026-03-02 10:00:00")


def _campaign(campaign: int = 1, mix: dict[int, int] | None = None):
    """100 lines: 88 delivered (16) and 2 STOP (17) 30 s after the send, 3 unallocated (29),
    2 blacklisted (14), 3 rejected (27), 2 not delivered (20)."""
    mix = mix or {16: 88, 17: 2, 29: 3, 14: 2, 27: 3, 20: 2}
    rows = []
    for code, n in mix.items():
        at = "2026-03-02 10:00:30" if code in (16, 17, 29, 27, 20) else None
        rows += [{"campaign": campaign, "code": code, "delivered_at": at} for _ in range(n)]
    return make_report(rows)


def _linear(x, good, bad):
    return 100 * min(max((bad - x) / (bad - good), 0), 1)


def test_hand_counted_campaign():
    h = health_score(_campaign(), send_times=SENT_AT)
    row = h.table.loc[1]
    # sent = 100 - 2 blacklisted = 98; delivered = 90; stops = 2
    expected = {
        "delivered": _linear(90 / 98, 0.98, 0.80),
        "latency": 100.0,  # median 30 s, under 60 s
        "invalid": _linear(3 / 100, 0, 0.05),
        "blocked": _linear(2 / 100, 0, 0.05),
        "stop": _linear(2 / 90, 0, 0.02),  # over 2 %: 0
        "rejected": _linear(3 / 98, 0, 0.05),
    }
    assert expected["stop"] == 0 and expected["invalid"] == pytest.approx(40)
    for name, value in expected.items():
        assert row[f"{name}_score"] == pytest.approx(value), name
    weights = {"delivered": 30, "latency": 15, "invalid": 15, "blocked": 10, "stop": 15, "rejected": 15}
    assert {n: s.weight for n, s in SUBSCORES.items()} == weights
    assert row["score"] == pytest.approx(sum(weights[n] * expected[n] for n in weights) / 100)
    assert row["stop_lost"] == pytest.approx(15.0)
    assert row["latency_value"] == pytest.approx(30)
    low, high = proportion_confint(90, 98, method="wilson")
    assert (row["delivered_value_low"], row["delivered_value_high"]) == pytest.approx((low, high))
    assert row["delivered_score_low"] == pytest.approx(_linear(low, 0.98, 0.80))
    assert row["score_low"] <= row["score"] <= row["score_high"]
    assert h.explanation.loc[1].startswith(f"{row['score']:.0f}/100: 15.0 points lost on the STOP share")


def test_drill_down_gives_the_rows_behind_each_subscore():
    frame = pd.concat([_campaign(1), _campaign(2, {16: 50, 20: 10})], ignore_index=True)
    h = health_score(frame)
    assert len(h.rows("stop")) == 2 and set(h.rows("stop")["status_code"]) == {17}
    assert len(h.rows("blocked")) == 2 and len(h.rows("invalid")) == 3 and len(h.rows("rejected")) == 3
    assert len(h.rows("delivered", group=2)) == 10  # sent, not delivered
    slow = h.rows("latency", group=1)
    assert len(slow) == 90 and "delay" in slow and slow["delay"].is_monotonic_decreasing
    with pytest.raises(ValidationError):
        h.rows("opens")
    assert np.isnan(h.table.loc[2, "stop_score"]) or h.table.loc[2, "stop_score"] == 100


def test_a_group_with_no_delivery_has_no_stop_weight_and_nothing_sent_only_recipient_shares():
    frame = pd.concat([_campaign(1, {20: 10}), _campaign(2, {14: 5})], ignore_index=True)
    t = health_score(frame).table
    assert np.isnan(t.loc[1, "stop_score"]) and t.loc[1, "latency_score"] == 0  # median never reached
    # blacklisted only: nothing sent, so only the shares of recipients count (invalid 100, blocked 0)
    assert np.isnan(t.loc[2, "delivered_score"]) and np.isnan(t.loc[2, "rejected_score"])
    assert t.loc[2, "score"] == pytest.approx((15 * 100 + 10 * 0) / 25)
    assert "points lost on the blocked and blacklisted share" in health_score(frame).explanation.loc[2]


codes = st.sampled_from([16, 17, 20, 21, 24, 27, 29, 14, 8, 31, 13])


@settings(max_examples=30)
@given(st.lists(st.tuples(st.integers(1, 3), codes), min_size=1, max_size=80))
def test_scores_are_within_0_100_and_their_range(lines):
    rows = [
        {"campaign": c, "code": code, "delivered_at": f"2026-03-02 10:{i % 60:02d}:00"}
        for i, (c, code) in enumerate(lines)
    ]
    t = health_score(make_report(rows)).table
    ok = t["score"].notna()
    assert ((t.loc[ok, "score_low"] >= 0) & (t.loc[ok, "score_high"] <= 100)).all()
    assert (t.loc[ok, "score_low"] <= t.loc[ok, "score"] + 1e-9).all()
    assert (t.loc[ok, "score"] <= t.loc[ok, "score_high"] + 1e-9).all()


def test_sandbox_any_window_any_group():
    report = period()["report"]
    by_campaign = health_score(report)
    summary = kpis.summarize(report)
    for cid in summary.index:
        assert len(by_campaign.rows("stop", group=cid)) == summary.loc[cid, "stops"]
    assert (by_campaign.table["delivered_value"].to_numpy() == summary["delivery_rate"].to_numpy()).all()
    one_day = report[report["campaign_id"] == summary.index[0]]
    assert health_score(one_day, by=None).table.loc["all", "score"] == pytest.approx(
        by_campaign.table.loc[summary.index[0], "score"]
    )
    assert list(health_score(report, by="country").table.index) == ["FR"]
