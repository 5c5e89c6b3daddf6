"""plot_rates and plot_delivery_latency draw what they are given and return the Axes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from mfanalytics.analysis import kpis
from mfanalytics.analysis.latency import delivery_latency
from mfanalytics.analysis.stat_plots import plot_delivery_latency, plot_rates
from mfanalytics.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parent))
from stats_sandbox import period


def _ax():
    return Figure().add_subplot()


def test_plot_rates_draws_each_rate_and_its_interval():
    table = kpis.compare_campaigns(period()["report"])
    ax = _ax()
    assert plot_rates(table, rate="click_rate", ax=ax, lang="en") is ax
    (points,) = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert np.allclose(points.get_xdata(), table["click_rate"].to_numpy())
    bars = ax.collections[0].get_segments()  # one horizontal bar per campaign: low to high
    assert np.allclose([s[0][0] for s in bars], table["click_rate_low"]) and len(bars) == len(table)
    assert np.allclose([s[1][0] for s in bars], table["click_rate_high"])
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(i) for i in table.index]
    assert ax.get_title().startswith("Click rate")


def test_plot_rates_of_a_report_frame_and_nothing_to_draw():
    ax = plot_rates(period()["report"], rate="delivery_rate", by="campaign_id", ax=_ax())
    assert len(ax.get_yticklabels()) == 4
    empty = plot_rates(kpis.compare_campaigns(period()["report"]).iloc[:0], ax=_ax())
    assert empty.texts and empty.texts[0].get_text() == "Pas de données"
    with pytest.raises(ValidationError):
        plot_rates(period()["report"], rate="open_rate", ax=_ax())


def test_plot_delivery_latency_draws_the_km_steps():
    lat = delivery_latency(period()["report"], by="campaign_id")
    ax = _ax()
    assert plot_delivery_latency(lat, ax=ax, lang="en") is ax
    lines = ax.get_lines()
    assert len(lines) == 4 and ax.get_xscale() == "log"
    first = lat.curves[lat.curves["group"] == lat.summary.index[0]]
    assert np.allclose(lines[0].get_ydata(), first["delivered_share"].to_numpy())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [str(i) for i in lat.summary.index]
    assert not ax.collections  # 4 curves: no band unless asked
    banded = plot_delivery_latency(period()["report"], ax=_ax(), band=True)
    assert len(banded.get_lines()) == 1 and banded.collections


def test_plot_rates_writes_days_as_the_other_plots_do():
    # a table per day (as trends.daily_rates gives): day first, "02/03" in French, "02 Mar" in English,
    # as plot_daily_rates writes its ticks; never the month-first "03-02"
    import pandas as pd

    days = pd.DatetimeIndex(["2026-03-02", "2026-03-13"], name="day")
    table = pd.DataFrame({"delivery_rate": [0.9, 0.8], "delivered": [90, 80], "sent": [100, 100]}, index=days)
    fr = [t.get_text() for t in plot_rates(table, ax=_ax()).get_yticklabels()]
    en = [t.get_text() for t in plot_rates(table, lang="en", ax=_ax()).get_yticklabels()]
    assert fr == ["02/03", "13/03"]
    assert en == ["02 Mar", "13 Mar"]
