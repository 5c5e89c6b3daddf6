"""The charts a reader sees: ticks in the report's language, labels big enough for a phone,
campaign names that never overlap, many campaigns still named, a lone heatmap cell said in words.

Everything is read from the Axes after a real draw (tick label texts, font sizes, the renderer's
extents of the labels), at the size the HTML report draws its figures.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # tests only; the package never picks a backend

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mfanalytics.analysis import kpis, plots
from mfanalytics.analysis.html_parts import FIGSIZE
from mfanalytics.analysis.plot_style import LABEL_SIZE

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from report_frames import make_report, realistic_report

#: Width (CSS px) a report figure gets on a 390 px phone: the page's 12 px padding and the figure's frame.
PHONE_FIGURE_PX = 390 - 2 * 12 - 2 * 7


def drawn(fn, data, size=FIGSIZE, **kwargs):
    fig = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    fn(data, ax=ax, **kwargs)
    fig.tight_layout()
    fig.canvas.draw()
    return fig, ax


@pytest.fixture(scope="module")
def big():
    """One campaign of 4,955 rows: ticks in the thousands."""
    rows = [{"code": 16, "delivered_at": f"2026-11-02 10:{i % 60:02d}:00"} for i in range(4955)]
    return make_report(rows)


@pytest.fixture(scope="module")
def many():
    """21 campaigns over 21 days (the period report of a busy month)."""
    return realistic_report((60,) * 21, seed=3)


def _ticks(labels):
    return [t.get_text() for t in labels if t.get_text()]


@pytest.mark.parametrize("fn", [plots.plot_funnel, plots.plot_status_breakdown])
def test_count_ticks_are_written_in_the_reports_language(big, fn):
    _, fr = drawn(fn, big, lang="fr")
    _, en = drawn(fn, big, lang="en")
    fr_ticks, en_ticks = _ticks(fr.get_xticklabels()), _ticks(en.get_xticklabels())
    assert any("\u202f" in t for t in fr_ticks), fr_ticks  # "4 000", a narrow no-break space
    assert any("," in t for t in en_ticks), en_ticks  # "4,000"
    for t in fr_ticks + en_ticks:
        assert not re.fullmatch(r"\d{4,}", t), t  # never "6000"
    # the same numbers in both languages, only the separator differs
    assert [t.replace("\u202f", "") for t in fr_ticks] == [t.replace(",", "") for t in en_ticks]


def test_cumulative_counts_and_percentages_in_french(many):
    _, ax = drawn(plots.plot_deliveries_over_time, many, relative=True, normalize=True, lang="fr")
    assert all(t.endswith("\u202f%") for t in _ticks(ax.get_yticklabels()))
    _, ax = drawn(plots.plot_deliveries_over_time, many, relative=True, lang="fr")
    assert all(re.fullmatch(r"-?[\d\u202f]+", t) for t in _ticks(ax.get_yticklabels()))


@pytest.mark.parametrize("fn", [plots.plot_funnel, plots.plot_status_breakdown])
def test_value_labels_are_readable_on_a_phone(big, fn):
    _, ax = drawn(fn, big, lang="fr")
    assert ax.texts
    for text in ax.texts:
        size_pt = text.get_fontsize()
        assert size_pt >= 9, (text.get_text(), size_pt)
        # the report's figures are FIGSIZE inches wide and shown PHONE_FIGURE_PX wide on a phone
        shown_px = size_pt * PHONE_FIGURE_PX / (FIGSIZE[0] * 72)
        assert shown_px >= 9, (text.get_text(), shown_px)


def _overlaps(boxes):
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]


@pytest.mark.parametrize("n", [3, 12, 40, 120])
def test_campaign_labels_never_overlap(n):
    names = [f"Campagne de relance n°{i} – soldes d'hiver, clients fidèles" for i in range(n)]
    table = pd.DataFrame(
        {"delivery_rate": [0.9 - i / (3 * n) for i in range(n)], "click_rate": [0.1] * n},
        index=pd.Index(names, name="campaign"),
    )
    height = max(FIGSIZE[1], 1.6 + 0.32 * min(n, 40))  # the report's height for n campaigns
    fig, ax = drawn(plots.plot_campaign_comparison, table, size=(FIGSIZE[0], height))
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    assert labels and len(labels) >= min(n, 40) // 3  # most names are written
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert _overlaps(boxes) == []
    assert all(len(t.get_text()) <= 28 for t in labels)  # long names cut, with an ellipsis
    assert any(t.get_text().endswith("…") for t in labels)
    # and the names stay inside the figure
    fig_box = fig.bbox
    assert all(b.x0 >= fig_box.x0 - 1 and b.y0 >= fig_box.y0 - 1 and b.y1 <= fig_box.y1 + 1 for b in boxes)


def test_many_campaigns_every_coloured_line_is_named(many):
    _, ax = drawn(plots.plot_deliveries_over_time, many, relative=True, normalize=True, lang="en")
    lines = ax.get_lines()
    assert len(lines) == 21
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) <= plots.MAX_LINES
    assert legend[-1] == "Other campaigns (17)"
    grey = [line for line in lines if matplotlib.colors.to_hex(line.get_color()) == "#bdbdbd"]
    coloured = [line for line in lines if line not in grey]
    assert len(coloured) == 4 and len(grey) == 17
    named = {line.get_label() for line in coloured}
    assert all(label in legend for label in named)  # each coloured line has its legend entry
    # the named ones are the three lowest and the highest, by their last value, as summarize says
    rates = kpis.summarize(many)["delivery_rate"].sort_values(kind="stable")
    expected = {int(k) for k in rates.index[:3]} | {int(rates.index[-1])}
    assert {int(re.search(r"Campaign (\d+)", label).group(1)) for label in named} == expected
    # few campaigns: one colour and one name each
    few = many[many["campaign_id"].isin([1000, 1001, 1002])]
    _, ax = drawn(plots.plot_deliveries_over_time, few, lang="en")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Campaign 1000", "Campaign 1001", "Campaign 1002"]


def test_a_heatmap_with_one_filled_cell_says_so():
    rows = [
        {"code": 16, "delivered_at": "2026-03-04 10:00:00", "track_1_at": "2026-03-04 10:20:00", "track_1_clicks": 1}
        for _ in range(5)
    ]
    _, ax = drawn(plots.plot_click_heatmap, make_report(rows), lang="fr")
    assert len(ax.images) == 0
    assert [t.get_text() for t in ax.texts] == ["Tout dans un seul créneau :\nmer. 10 h (5)"]  # 2026-03-04: a Wednesday
    _, ax = drawn(plots.plot_click_heatmap, make_report(rows), lang="en")
    assert [t.get_text() for t in ax.texts] == ["All in one slot:\nWed 10:00 (5)"]


def test_english_dates_never_day_first(many):
    for fn in (plots.plot_click_timeline, plots.plot_deliveries_over_time, plots.plot_daily_rates):
        _, ax = drawn(fn, many, lang="en")
        ticks = _ticks(ax.get_xticklabels()) + [ax.xaxis.get_major_formatter().get_offset()]
        assert ticks
        for t in ticks:
            assert not re.search(r"\b\d{1,2}/\d{1,2}\b", t), (fn.__name__, t)  # "03/12" would be ambiguous
        assert any(re.search(r"[A-Z][a-z]{2}", t) for t in ticks) or all(re.fullmatch(r"\d\d:\d\d", t) for t in ticks)


def test_legend_and_label_sizes():
    assert LABEL_SIZE >= 10


@pytest.mark.parametrize("value", ["clicks", "deliveries", "sends"])
def test_hour_grid_is_by_hour(many, value):
    """The heatmap's own count (one bincount) is the grid of kpis.by_hour."""
    expected = kpis.by_hour(many)[value].unstack("hour").to_numpy()
    assert expected.sum() > 0
    assert (plots.hour_grid(many, value) == expected).all()


def _luminance(colour):
    rgb = matplotlib.colors.to_rgb(colour)
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_funnel_labels_inside_bars_contrast_with_them(big):
    fig, ax = drawn(plots.plot_funnel, big, lang="en")
    renderer = fig.canvas.get_renderer()
    inside = 0
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        for bar in ax.patches:
            if bar.get_window_extent(renderer).contains(box.x0 + 1, (box.y0 + box.y1) / 2):
                a, b = _luminance(text.get_color()), _luminance(bar.get_facecolor())
                ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
                assert ratio >= 4.0, (text.get_text(), ratio)  # WCAG: 4.5 for body text, 3 for large text
                inside += 1
    assert inside >= 2


@pytest.mark.parametrize("fn", [plots.plot_deliveries_over_time, plots.plot_click_timeline])
def test_a_time_axis_over_one_instant_shows_that_hour_not_four_years(fn):
    """Every line delivered (and clicked) in the same second: matplotlib widens a zero-width date range
    to two years either side, and the period view showed 2024-2028 with one vertical line (seen in
    Chromium, session 4). The axis shows the hour around the instant, its ticks clock times."""
    rows = [
        {"code": 16, "delivered_at": "2026-03-03 14:59:00", "track_1_at": "2026-03-03 14:59:00", "track_1_clicks": 1}
        for _ in range(5)
    ]
    _, ax = drawn(fn, make_report(rows), lang="en")
    lo, hi = ax.get_xlim()  # matplotlib date units: days
    assert 0 < (hi - lo) * 24 <= 2, f"the x axis spans {(hi - lo) * 24:.1f} hours"
    instant = matplotlib.dates.date2num(pd.Timestamp("2026-03-03 14:59:00"))
    assert lo < instant < hi
    assert all(re.fullmatch(r"\d\d:\d\d", t) for t in _ticks(ax.get_xticklabels()))
