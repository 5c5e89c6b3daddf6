"""Wilson intervals on every rate: by hand, against statsmodels, as properties, in the KPI tables."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from mfanalytics.analysis import kpis, trends
from mfanalytics.analysis.intervals import add_intervals, wilson_interval
from mfanalytics.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from report_frames import make_report

sys.path.insert(0, str(Path(__file__).parent))
from stats_sandbox import period


def _wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_wilson_7_of_50_by_hand_and_by_statsmodels():
    low, high = wilson_interval(7, 50)
    hand = _wilson_by_hand(7, 50)
    assert low[0] == pytest.approx(hand[0], abs=1e-12) and high[0] == pytest.approx(hand[1], abs=1e-12)
    assert (round(low[0], 4), round(high[0], 4)) == (0.0695, 0.2619)
    sm = proportion_confint(7, 50, method="wilson")
    assert (low[0], high[0]) == pytest.approx(sm, abs=1e-15)


def test_no_base_gives_nan_and_bad_counts_are_refused():
    low, high = wilson_interval([0, 3], [0, 10])
    assert np.isnan(low[0]) and np.isnan(high[0]) and not np.isnan(low[1])
    with pytest.raises(ValidationError) as err:
        wilson_interval(11, 10)
    assert err.value.rule == "rate-counts"


@given(st.integers(1, 100_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_low_le_rate_le_high_and_equal_to_statsmodels(kn):
    k, n = kn
    low, high = wilson_interval(k, n)
    assert 0 <= low[0] <= k / n <= high[0] <= 1
    sm_low, sm_high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert low[0] == pytest.approx(sm_low, abs=1e-12) and high[0] == pytest.approx(sm_high, abs=1e-12)


def test_add_intervals_places_columns_after_each_rate_and_leaves_nan_rates_nan():
    table = pd.DataFrame(
        {"delivered": [7, 0], "sent": [50, 0], "clicked": [1, 0], "delivered_with_link": [7, 0], "stops": [0, 0]}
    )
    table["delivery_rate"] = table["delivered"] / table["sent"].where(table["sent"] > 0)
    out = add_intervals(table)
    cols = list(out.columns)
    assert cols[cols.index("delivery_rate") + 1 : cols.index("delivery_rate") + 3] == [
        "delivery_rate_low",
        "delivery_rate_high",
    ]
    assert {"click_rate", "click_rate_low", "stop_rate_high"} <= set(cols)  # rates added from their counts
    assert out.loc[1, ["delivery_rate_low", "delivery_rate_high", "click_rate_low", "stop_rate_low"]].isna().all()
    assert out.loc[0, "click_rate_low"] == pytest.approx(proportion_confint(1, 7, method="wilson")[0])
    assert "delivery_rate_low" not in table.columns  # the input is not changed
    with pytest.raises(ValidationError) as err:
        add_intervals(table.drop(columns=["sent"]), ["delivery_rate"])
    assert err.value.rule == "missing-column" and err.value.field == "sent"


def _two_campaigns():
    rows = [{"campaign": 1, "code": 16, "delivered_at": "2026-03-02 10:00:00"} for _ in range(7)]
    rows += [{"campaign": 1, "code": 20} for _ in range(43)]
    rows += [
        {"campaign": 2, "code": 16, "delivered_at": "2026-03-03 10:00:00", "reply": "STOP" if i < 2 else None}
        for i in range(40)
    ]
    rows += [{"campaign": 2, "code": 2} for _ in range(10)]  # badly formatted: not sent
    rows[0] |= {"track_1_at": "2026-03-02 11:00:00", "track_1_clicks": 1}
    return make_report(rows)


def test_compare_campaigns_carries_the_intervals_of_its_three_rates():
    out = kpis.compare_campaigns(_two_campaigns())
    for rate, (num, den) in {
        "delivery_rate": ("delivered", "sent"),
        "click_rate": ("clicked", "delivered_with_link"),
        "stop_rate": ("stops", "delivered"),
    }.items():
        for cid in (1, 2):
            k, n = int(out.loc[cid, num]), int(out.loc[cid, den])
            if n == 0 or pd.isna(out.loc[cid, rate]):
                assert pd.isna(out.loc[cid, f"{rate}_low"])
                continue
            assert (out.loc[cid, f"{rate}_low"], out.loc[cid, f"{rate}_high"]) == pytest.approx(_wilson_by_hand(k, n))
    assert out.loc[1, "delivery_rate_low"] == pytest.approx(0.0695, abs=5e-5)  # 7 of 50 sent
    assert out.loc[2, "sent"] == 40 and out.loc[2, "delivery_rate_high"] == 1.0  # 40 of 40 sent
    assert out.loc[2, "stop_rate"] == pytest.approx(2 / 40)


def test_daily_rates_carry_intervals_and_the_stop_rate():
    out = trends.daily_rates(_two_campaigns())
    assert list(out.index) == [pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-03")]
    assert out["stops"].tolist() == [0, 2]
    assert out.loc["2026-03-03", "stop_rate"] == pytest.approx(2 / 40)
    for rate in ("delivery_rate", "click_rate", "stop_rate"):
        assert (out[f"{rate}_low"].fillna(0) <= out[rate].fillna(0)).all()
        assert (out[rate].fillna(1) <= out[f"{rate}_high"].fillna(1)).all()
    assert out.loc["2026-03-02", "delivery_rate_low"] == pytest.approx(_wilson_by_hand(7, 50)[0])


def test_sandbox_period_rates_match_statsmodels():
    week = period()["report"]
    out = kpis.compare_campaigns(week)
    sm_low, sm_high = proportion_confint(out["delivered"], out["sent"], method="wilson")
    assert np.allclose(out["delivery_rate_low"], sm_low) and np.allclose(out["delivery_rate_high"], sm_high)
    daily = trends.daily_rates(week)
    assert len(daily) == 4 and daily["click_rate_low"].notna().all()


def test_counts_that_are_not_a_proportion_get_no_interval():
    """A STOP reply on a line the report does not show delivered: stops > delivered, no interval, no error."""
    table = pd.DataFrame({"stops": [3, 1], "delivered": [2, 10]})
    out = add_intervals(table, ["stop_rate"])
    assert out.loc[0, "stop_rate"] == 1.5 and out.loc[0, ["stop_rate_low", "stop_rate_high"]].isna().all()
    assert out.loc[1, "stop_rate_low"] == pytest.approx(proportion_confint(1, 10, method="wilson")[0])


def test_a_campaign_without_id_is_drawn_and_compared():
    frame = _two_campaigns()
    frame["campaign_id"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame.loc[frame.index[-1], "reply"] = "STOP"  # on a line not delivered
    frame["is_stop"] = frame["reply"].fillna("").eq("STOP").astype("boolean")
    out = kpis.compare_campaigns(frame)
    assert out["stops"].iloc[0] == 3 and out["delivery_rate_low"].notna().all()
