"""Plots: Axes contents (bar sizes, lines, labels, legends, colours), not pixels."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # tests only; the package never picks a backend

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from mfanalytics.analysis import plots
from mfanalytics.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from report_frames import make_report, realistic_report

D = "2026-03-02"  # a Monday


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.fixture
def known():
    """Campaign 1: 16, 16 (clicked link 1 twice), 21 (clicked link 2), 17 STOP, 20, 29, 2, 14, 1.
    Campaign 2: 16, 20."""
    rows = [
        {"code": 16, "delivered_at": f"{D} 10:01:00"},
        {"code": 16, "delivered_at": f"{D} 10:03:00", "track_1_at": f"{D} 10:30:00", "track_1_clicks": 2},
        {"code": 21, "delivered_at": f"{D} 10:05:00", "track_2_at": f"{D} 11:00:00", "track_2_clicks": 1},
        {"code": 17, "delivered_at": f"{D} 10:02:00", "reply": "STOP"},
        {"code": 20},
        {"code": 29},
        {"code": 2},
        {"code": 14},
        {"code": 1},
        {
            "campaign": 2,
            "code": 16,
            "delivered_at": "2026-03-04 09:00:00",
            "track_1_at": "2026-03-04 21:10:00",
            "track_1_clicks": 1,
        },
        {"campaign": 2, "code": 20},
    ]
    return make_report(rows, n_tracks=2)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _legend(ax):
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def test_status_breakdown_bars(known, ax):
    out = plots.plot_status_breakdown(known, ax=ax)
    assert out is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # groups present, in STATUS_GROUPS order: delivered 3, delivered_stop 1, pending 1, undelivered 2,
    # invalid_number 2 (29, 2), blocked 1
    assert labels == ["Délivré", "Délivré + STOP", "En attente", "Non délivré", "Numéro invalide", "Bloqué (blacklist)"]
    assert [p.get_width() for p in ax.patches] == [4, 1, 1, 2, 2, 1]
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours == [
        plots.GROUP_COLORS[g]
        for g in ("delivered", "delivered_stop", "pending", "undelivered", "invalid_number", "blocked")
    ]
    assert ax.get_title() == "Répartition des statuts"
    # counts only: the rates, each with its base, are the funnel's and the KPIs'
    assert _texts(ax) == ["4", "1", "1", "2", "2", "1"]


def test_status_breakdown_english_normalized_all_groups(known, ax):
    plots.plot_status_breakdown(known, lang="en", normalize=True, hide_empty=False, ax=ax)
    assert len(ax.patches) == 10
    assert [p.get_width() for p in ax.patches][:2] == pytest.approx([4 / 11, 1 / 11])
    assert ax.get_yticklabels()[-1].get_text() == "Unknown"
    assert ax.get_title() == "Status breakdown" and ax.get_xlabel() == "Share of recipients"


def test_colours_follow_the_issue(ax):
    green = to_hex(plots.GROUP_COLORS["delivered"])
    r, g, b = (int(green[i : i + 2], 16) for i in (1, 3, 5))
    assert g > r and g > b
    for failed in ("undelivered", "invalid_number", "rejected", "not_sent"):
        r, g, b = (int(plots.GROUP_COLORS[failed][i : i + 2], 16) for i in (1, 3, 5))
        assert r > g and r > b, failed
    r, g, b = (int(plots.GROUP_COLORS["blocked"][i : i + 2], 16) for i in (1, 3, 5))
    assert r > g and b > g  # purple
    r, g, b = (int(plots.GROUP_COLORS["pending"][i : i + 2], 16) for i in (1, 3, 5))
    assert r == g == b  # grey


def test_funnel(known, ax):
    plots.plot_funnel(known, ax=ax)
    # recipients 11; sent = 11 - (code 2, 14) = 9; delivered 5; clicked 3
    assert [p.get_width() for p in ax.patches] == [11, 9, 5, 3]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Destinataires", "Envoyés", "Délivrés", "Cliqueurs"]
    assert [to_hex(p.get_facecolor()) for p in ax.patches][2] == plots.GROUP_COLORS["delivered"]
    # each step's rate with its base: 9 of 11 recipients, 5 of 9 sent, 3 clickers of 5 delivered with a link
    assert _texts(ax) == [
        "11",
        "9 · 81,8\u202f% des destinataires",
        "5 · 55,6\u202f% des envoyés",
        "3 · 60,0\u202f% des délivrés avec lien",
    ]
    fig, ax2 = plt.subplots()
    plots.plot_funnel(known, lang="en", ax=ax2)
    assert [t.get_text() for t in ax2.get_yticklabels()] == ["Recipients", "Sent", "Delivered", "Clicked"]
    assert _texts(ax2)[2] == "5 · 55.6% of sent"
    assert ax2.get_title() == "Campaign funnel"
    plt.close(fig)


def test_deliveries_over_time(known, ax):
    plots.plot_deliveries_over_time(known, ax=ax)
    lines = ax.get_lines()
    assert len(lines) == 2
    assert [line.get_ydata()[-1] for line in lines] == [4, 1]
    assert _legend(ax) == ["Campagne 1", "Campagne 2"]
    assert ax.get_title() == "Livraisons cumulées"


def test_deliveries_over_time_relative_normalized(known, ax):
    plots.plot_deliveries_over_time(known, relative=True, normalize=True, lang="en", ax=ax)
    first = ax.get_lines()[0]
    # campaign 1: deliveries 0, 1, 2, 4 minutes after the first; 4 of 7 sent; the curve starts from 0
    assert list(first.get_xdata()) == [0, 0, 1, 2, 4]
    assert list(first.get_ydata()) == pytest.approx([0, 1 / 7, 2 / 7, 3 / 7, 4 / 7])
    assert ax.get_xlabel() == "Minutes since sending"


def test_click_timeline_per_link(known, ax):
    plots.plot_click_timeline(known, ax=ax)
    assert _legend(ax) == ["Lien 1", "Lien 2"]
    assert [line.get_ydata()[-1] for line in ax.get_lines()] == [2, 1]  # clickers per link
    assert ax.get_title() == "Clics par lien"


def test_click_heatmap(known, ax):
    plots.plot_click_heatmap(known, ax=ax)
    grid = np.asarray(ax.images[0].get_array())  # three filled cells: a heatmap
    assert grid.shape == (7, 24)
    # first clicks: Monday 10:30, Monday 11:00, Wednesday 21:10
    assert grid[0, 10] == 1 and grid[0, 11] == 1 and grid[2, 21] == 1 and grid.sum() == 3
    assert next(t.get_text() for t in ax.get_yticklabels()) == "lun."
    fig, ax2 = plt.subplots()
    plots.plot_click_heatmap(known, value="deliveries", lang="en", ax=ax2)
    assert np.asarray(ax2.images[0].get_array()).sum() == 5
    assert ax2.get_yticklabels()[6].get_text() == "Sun" and ax2.get_title() == "Deliveries by day and hour"
    plt.close(fig)
    with pytest.raises(ValidationError):
        plots.plot_click_heatmap(known, value="nope", ax=ax)


def test_campaign_comparison(known, ax):
    plots.plot_campaign_comparison(known, ax=ax)
    widths = [p.get_width() for p in ax.patches]
    # campaign 1: 4 delivered / 7 sent, 2 clickers / 4; campaign 2: 1 / 2, 1 / 1
    assert widths == pytest.approx([4 / 7, 1 / 2, 2 / 4, 1.0])
    assert _legend(ax) == ["Taux de délivrabilité (des envoyés)", "Taux de clic (des délivrés avec lien)"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2"]


def test_campaign_comparison_named(known, ax):
    named = {"Soldes": known[known.campaign_id == 1], "Rentrée": known[known.campaign_id == 2]}
    plots.plot_campaign_comparison(named, metrics=("delivery_rate",), lang="en", ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Soldes", "Rentrée"]
    assert _legend(ax) == ["Delivery rate (of sent)"]
    with pytest.raises(ValidationError):
        plots.plot_campaign_comparison(named, metrics=("clicks",), ax=ax)


def test_daily_rates_marks_flagged_days(ax):
    rows = []
    for cid, (day, ok) in enumerate([(2, 95), (3, 94), (4, 96), (5, 60)], start=1):
        rows += [
            {
                "campaign": cid,
                "code": 16 if i < ok else 20,
                "delivered_at": f"2026-03-{day:02d} 10:00:00" if i < ok else None,
            }
            for i in range(100)
        ]
    plots.plot_daily_rates(make_report(rows), ax=ax)
    delivery = ax.get_lines()[0]
    assert list(delivery.get_ydata()) == pytest.approx([0.95, 0.94, 0.96, 0.60])
    assert _legend(ax) == [
        "Taux de délivrabilité (des envoyés)",
        "Taux de clic (des délivrés avec lien)",
        "Campagne sous le taux habituel",
    ]
    flagged = ax.collections[0].get_offsets()
    assert len(flagged) == 1 and flagged[0][1] == pytest.approx(0.60)


@pytest.mark.parametrize(
    "fn",
    [
        plots.plot_status_breakdown,
        plots.plot_funnel,
        plots.plot_deliveries_over_time,
        plots.plot_click_timeline,
        plots.plot_click_heatmap,
        plots.plot_campaign_comparison,
        plots.plot_daily_rates,
    ],
)
@pytest.mark.parametrize("lang,text", [("fr", "Aucune donnée"), ("en", "No data")])
def test_empty_frame_says_no_data(known, ax, fn, lang, text):
    assert fn(known.iloc[:0], lang=lang, ax=ax) is ax
    assert _texts(ax) == [text]
    assert ax.get_title() != ""


def test_no_clicks_no_timeline(ax):
    assert _texts(plots.plot_click_timeline(make_report([{"code": 16}]), ax=ax)) == ["Aucune donnée"]


def test_bad_lang(known, ax):
    with pytest.raises(ValidationError) as err:
        plots.plot_funnel(known, lang="de", ax=ax)
    assert err.value.field == "lang"


def test_current_axes_kwargs_and_no_show(known, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    fig = plt.figure()
    out = plots.plot_status_breakdown(known, edgecolor="black")
    assert out is fig.axes[0]
    assert to_hex(out.patches[0].get_edgecolor()) == "#000000"
    plt.close(fig)


def test_realistic_report_every_plot(ax):
    r = realistic_report()
    for fn in (
        plots.plot_status_breakdown,
        plots.plot_funnel,
        plots.plot_deliveries_over_time,
        plots.plot_click_timeline,
        plots.plot_click_heatmap,
        plots.plot_campaign_comparison,
        plots.plot_daily_rates,
    ):
        ax.clear()
        assert fn(r, ax=ax) is ax and "Aucune donnée" not in _texts(ax)
    ax.clear()
    plots.plot_funnel(r, ax=ax)
    assert ax.patches[0].get_width() == 3100  # 900 + 1100 + 700 + 400 rows by construction


def test_importing_does_not_import_matplotlib():
    code = textwrap.dedent("""
        import sys
        import mfanalytics.analysis.plots, mfanalytics.analysis.html_report, mfanalytics.analysis.kpis, mfanalytics.analysis.advice
        assert "matplotlib" not in sys.modules, "matplotlib imported at import time"
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


def _curves(ax):
    return {line.get_label(): np.asarray(line.get_ydata()).tolist() for line in ax.get_lines()}


def test_cumulative_deliveries_of_campaigns_without_an_id_and_of_repeated_labels(ax):
    """Each group's line counts its own delivered rows once, in order, over its own sent rows:
    rows with no campaign id are a group of their own ("Campagne <NA>"), a categorical column's
    missing value too, and a frame whose index repeats (two reports concatenated) counts each row
    once."""
    import pandas as pd

    rows = [{"campaign": 1, "code": 16, "delivered_at": "2026-03-02 10:00:00"}, {"campaign": 1, "code": 20}]
    rows += [{"campaign": 2, "code": 16, "delivered_at": f"2026-03-02 10:0{m}:00"} for m in (5, 6)]
    rows += [{"campaign": 2, "code": 20}, {"campaign": 2, "code": 20}]
    frame = make_report(rows)
    frame.loc[[2, 3, 4, 5], "campaign_id"] = pd.NA
    plots.plot_deliveries_over_time(frame, normalize=True, ax=ax)
    assert _curves(ax) == {"Campagne 1": [0.0, 0.5], "Campagne <NA>": [0.0, 0.25, 0.5]}
    _, ax2 = plt.subplots()
    frame["grp"] = pd.Categorical(["a", "a", None, None, None, None], categories=["a", "b"])
    plots.plot_deliveries_over_time(frame, by="grp", ax=ax2)
    assert _curves(ax2) == {"a": [0.0, 1.0], "nan": [0.0, 1.0, 2.0]}
    _, ax3 = plt.subplots()
    twice = pd.concat([make_report(rows[:2]), make_report(rows[2:]).assign(campaign_id=2)])
    assert twice.index.has_duplicates
    plots.plot_deliveries_over_time(twice, ax=ax3)
    assert _curves(ax3) == {"Campagne 1": [0.0, 1.0], "Campagne 2": [0.0, 1.0, 2.0]}
    plt.close("all")
