"""Kaplan–Meier time to delivery: a tiny censored sample by hand, statsmodels, properties, the sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.duration.survfunc import SurvfuncRight

from mfanalytics.analysis import kpis
from mfanalytics.analysis.latency import delivery_latency, km_fit, latency_durations
from mfanalytics.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
sys.path.insert(0, str(Path(__file__).parent))
from report_frames import make_report
from stats_sandbox import period

SENT_AT = pd.Timestamp("2026-03-02 10:00:00")
AS_OF = "2026-03-02 10:10:00"


def _tiny():
    """Sent at 10:00: delivered after 1, 2, 4, 5 min; failed (20) at 10:03; in flight (24) since 10:02;
    one line never sent (code 8)."""
    rows = [{"code": 16, "delivered_at": f"2026-03-02 10:0{m}:00"} for m in (1, 2, 4, 5)]
    rows += [{"code": 20, "delivered_at": "2026-03-02 10:03:00"}, {"code": 24, "delivered_at": "2026-03-02 10:02:00"}]
    rows += [{"code": 8}]
    return make_report(rows)


def test_censored_at_the_report_time_by_hand():
    """Events 60, 120, 240, 300 s; two lines censored at 600 s. S = 5/6, 4/6, 3/6, 2/6."""
    lat = delivery_latency(_tiny(), send_times=SENT_AT, as_of=AS_OF)
    c = lat.curves
    assert c["time"].dt.total_seconds().tolist() == [60, 120, 240, 300]
    assert c["delivered_share"].tolist() == pytest.approx([1 / 6, 2 / 6, 3 / 6, 4 / 6])
    assert c["at_risk"].tolist() == [6, 5, 4, 3]
    s = lat.summary.loc["all"]
    assert (s["sent"], s["delivered"], s["censored"]) == (6, 4, 2)  # the code-8 line was never sent
    assert s["median"] == pd.Timedelta(minutes=4)  # first time the delivered share reaches 1/2
    assert pd.isna(s["p90"])  # 4 of 6 delivered: 90 % is never reached


def test_censored_at_each_line_last_status_by_hand():
    """censor="status": censored at 120 s (in flight) and 180 s (failed). S = 5/6, 5/6·4/5, ·1/2, ·0."""
    lat = delivery_latency(_tiny(), send_times=SENT_AT, as_of=AS_OF, censor="status")
    c = lat.curves
    assert c["time"].dt.total_seconds().tolist() == [60, 120, 240, 300]
    assert c["delivered_share"].tolist() == pytest.approx([1 / 6, 2 / 6, 4 / 6, 1.0])
    assert c["at_risk"].tolist() == [6, 5, 2, 1]  # a line censored at 120 s is still at risk at 120 s
    s = lat.summary.loc["all"]
    assert s["median"] == pd.Timedelta(minutes=4) and s["p90"] == pd.Timedelta(minutes=5)
    with pytest.raises(ValidationError):
        delivery_latency(_tiny(), censor="never")


def test_same_as_statsmodels_directly():
    d = latency_durations(_tiny(), send_times=SENT_AT, as_of=AS_OF)
    assert d["duration_s"].tolist() == [60, 120, 240, 300, 600, 600]
    assert d["delivered"].tolist() == [True] * 4 + [False] * 2
    sf = SurvfuncRight(d["duration_s"].to_numpy(), d["delivered"].to_numpy(dtype=float))
    lat = delivery_latency(_tiny(), send_times=SENT_AT, as_of=AS_OF)
    assert np.allclose(lat.curves["delivered_share"], 1 - sf.surv_prob)
    lo, hi = sf.quantile_ci(0.5)
    s = lat.summary.loc["all"]
    assert s["median_low"].total_seconds() == pytest.approx(lo)
    assert (np.isinf(hi) and pd.isna(s["median_high"])) or s["median_high"].total_seconds() == pytest.approx(hi)
    _, ucb = sf.simultaneous_cb(transform="arcsin")
    assert np.allclose(lat.curves["low"].to_numpy()[: len(ucb)], 1 - ucb, equal_nan=True)


@settings(max_examples=40)
@given(
    st.lists(st.tuples(st.floats(0, 1e5, allow_nan=False), st.booleans()), min_size=1, max_size=60),
)
def test_km_is_monotone_and_bounded(sample):
    durations = np.array([t for t, _ in sample])
    events = np.array([e for _, e in sample])
    if not events.any():
        return
    sf = km_fit(durations, events)
    share = 1 - np.asarray(sf.surv_prob)
    assert (np.diff(share) >= -1e-12).all() and (share >= -1e-12).all() and (share <= 1 + 1e-12).all()
    if events.all():  # nothing censored: the empirical distribution, all delivered at the end
        assert share[-1] == pytest.approx(1.0)
        assert np.allclose(share, [(durations <= t).mean() for t in sf.surv_times])


def test_sandbox_curve_levels_off_at_the_delivery_rate_per_campaign():
    """Nothing censored before the last delivery (report time after it): KM = the share delivered."""
    p = period()
    report = p["report"]
    lat = delivery_latency(report, by="campaign_id", as_of=p["as_of"])
    summary = kpis.summarize(report)
    assert lat.summary["sent"].tolist() == summary["sent"].tolist()
    assert lat.summary["delivered"].tolist() == summary["delivered"].tolist()
    last = lat.curves.groupby("group")["delivered_share"].last()
    assert np.allclose(last.to_numpy(), summary["delivery_rate"].to_numpy())
    assert lat.curves.groupby("group")["delivered_share"].is_monotonic_increasing.all()
    medians = lat.summary["median"].dt.total_seconds()
    assert ((lat.summary["median_low"].dt.total_seconds() <= medians) & (medians > 0)).all()
    # the KPI's median delay ignores the censored lines: it is the median of the delivered ones only, never later
    assert (summary["deliver_time_median"].to_numpy() <= lat.summary["median"].to_numpy()).all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.integers(0, 400), st.floats(0, 400, allow_nan=False)), st.booleans()),
        min_size=1,
        max_size=300,
    ),
    st.randoms(use_true_random=False),
)
def test_sorting_the_rows_first_leaves_the_fit_and_every_figure_of_it_unchanged(sample, rnd):
    """km_fit hands statsmodels the rows sorted by time (rebuilt from counts for whole seconds):
    every array of the fit, its quantiles and their intervals and the simultaneous band are equal,
    to the last bit, to statsmodels' own fit of the rows in their given order."""
    from mfanalytics.analysis import latency

    sample = list(sample)
    rnd.shuffle(sample)
    durations = np.array([float(t) for t, _ in sample])
    events = np.array([e for _, e in sample], dtype=float)
    old, latency._SORT_FROM = latency._SORT_FROM, 0  # sort even these few rows
    try:
        got = km_fit(durations, events)
    finally:
        latency._SORT_FROM = old
    want = SurvfuncRight(durations, events)
    for attr in ("surv_times", "surv_prob", "surv_prob_se", "n_risk", "n_events"):
        assert np.array_equal(getattr(got, attr), getattr(want, attr), equal_nan=True), attr
    if not events.any():
        return
    with np.errstate(all="ignore"):
        for p in (0.5, 0.9):
            assert np.array_equal(got.quantile(p - 1e-12), want.quantile(p - 1e-12), equal_nan=True)
            assert np.array_equal(got.quantile_ci(p), want.quantile_ci(p), equal_nan=True)
        try:
            band = want.simultaneous_cb(transform="arcsin")
        except (ValueError, ZeroDivisionError, FloatingPointError):
            with pytest.raises((ValueError, ZeroDivisionError, FloatingPointError)):
                got.simultaneous_cb(transform="arcsin")
        else:
            assert np.array_equal(got.simultaneous_cb(transform="arcsin"), band, equal_nan=True)
