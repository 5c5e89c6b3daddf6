"""A campaign without a link has no click rate, and is left out of pooled click rates (issue 11).

The oracle is the linked campaign's own report (``get_report``), which carries
its TRACK columns only: its click rate is what every pooled rate must equal
when the other campaigns of the period had no link.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

import mfanalytics
from mfanalytics.analysis import kpis as analysis
from mfanalytics.analysis import trends
from mfanalytics.analysis.plots import fmt_pct
from mfanalytics.reports import parsing as reports

LINK = [
    {
        "associateToDomain": "1mf.eu",
        "host": "1mf.eu",
        "index": 0,
        "isOG": False,
        "type": "REDIRECT",
        "urlToRedirect": "https://www.example.com/offre",
    }
]


@pytest.fixture(scope="module")
def period_pair():
    """Campaign with a link and one without, the same morning; two days later."""
    with mfanalytics.sandbox(seed=3, start="2026-03-02T08:00:00Z") as sb:
        c = sb.client()
        linked = c.send_campaign(
            "Offre ${track_1} STOP 36184", tiny_list=LINK, recipients=[f"06123450{i:02d}" for i in range(60)]
        ).id
        plain = c.send_campaign("Votre commande est prete.", recipients=[f"06123451{i:02d}" for i in range(60)]).id
        sb.advance(2 * 86400)
        own = {cid: c.get_report(cid) for cid in (linked, plain)}
        periods = {fmt: c.get_reports("2026-03-01", format=fmt, progress=False) for fmt in ("json", "csv")}
        yield sb, c, linked, plain, own, periods


def test_the_fixture_has_clicks_on_the_linked_campaign_and_no_track_column_on_the_other(period_pair):
    _sb, c, linked, plain, own, _periods = period_pair
    assert own[linked]["clicked"].sum() > 0
    assert not [col for col in own[plain].columns if col.startswith("track_")]
    assert own[plain]["clicked"].isna().all()
    # what the period report sends for the campaign without a link: the TRACK columns of the other, empty and 0
    body = c.get_bytes("/campaigns/report/", {"from": "2026-03-01"})
    raw = reports.parse_report(body)
    rows = raw[raw["campaign_id"] == plain]
    assert rows["track_1_at"].isna().all() and (rows["track_1_clicks"] == 0).all()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_per_campaign_click_rate_is_na_without_a_link(period_pair, fmt):
    _sb, _c, linked, plain, own, periods = period_pair
    expected = analysis.summarize(own[linked]).loc[linked, "click_rate"]
    assert 0 < expected < 1
    flags = trends.flag_campaigns(periods[fmt])
    assert flags.loc[linked, "click_rate"] == pytest.approx(expected)
    assert math.isnan(flags.loc[plain, "click_rate"])
    cmp = analysis.compare_campaigns(periods[fmt])
    assert math.isnan(cmp.loc[plain, "click_rate"]) and cmp.loc[linked, "click_rate_vs_all"] == pytest.approx(0)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_pooled_click_rates_leave_out_campaigns_without_a_link(period_pair, fmt):
    _sb, _c, linked, _plain, own, periods = period_pair
    expected = analysis.summarize(own[linked]).loc[linked, "click_rate"]
    total = analysis.summarize(periods[fmt], by=None).loc["all"]
    assert total["click_rate"] == pytest.approx(expected)
    assert total["delivered_with_link"] == analysis.summarize(own[linked]).loc[linked, "delivered"]
    daily = trends.daily_rates(periods[fmt])
    assert daily["click_rate"].dropna().tolist() == pytest.approx([expected])


def test_period_rows_of_a_campaign_without_a_link_have_no_click_values(period_pair):
    _sb, _c, linked, plain, _own, periods = period_pair
    for frame in periods.values():
        rows = frame[frame["campaign_id"] == plain]
        assert rows["clicked"].isna().all() and rows["clicks"].isna().all()
        assert frame.loc[frame["campaign_id"] == linked, "clicked"].notna().all()


def test_the_html_headline_gives_the_rate_of_messages_with_a_link_and_says_so(period_pair):
    _sb, _c, linked, _plain, own, periods = period_pair
    expected = analysis.summarize(own[linked]).loc[linked, "click_rate"]
    for lang, base in (("en", "of delivered with a link"), ("fr", "des délivrés avec lien")):
        page = mfanalytics.deliverability_report(periods["json"], lang=lang)
        shown = re.search(r'data-kpi="click_rate"[^>]*>([^<]*)<', page).group(1)
        assert shown == fmt_pct(expected, lang)
        assert base in page
    assert "of sent" in mfanalytics.deliverability_report(periods["json"], lang="en")


def test_the_report_explorer_states_the_base_of_its_rates(period_pair, tmp_path):
    from mfanalytics.widgets import ReportExplorer

    _sb, c, linked, _plain, own, _periods = period_pair
    explorer = ReportExplorer(c, out_dir=tmp_path)
    explorer.source.value = "period"
    explorer.start.value, explorer.end.value = pd.Timestamp("2026-03-01").date(), pd.Timestamp("2026-03-04").date()
    explorer.load()
    kpi = dict(re.findall(r"data-kpi='([^']+)'>([^<]*)<", explorer.kpis.value))
    expected = analysis.summarize(own[linked]).loc[linked, "click_rate"]
    assert kpi["Click rate"] == f"{expected:.1%}"
    assert "of delivered with a link" in explorer.kpis.value and "of sent" in explorer.kpis.value


def _records(campaign, n, *, track, clicks=(), previews=()):
    out = []
    for i in range(n):
        r = {
            "CAMPAIGN_ID": campaign,
            "REF_LIST": "listRecipient",
            "ID_LINE": i + 1,
            "INT_MOBILE": f"+3361234{i:04d}",
            "STATUS_CODE": 16,
            "DELIVERYDATE": "02/03/2026 10:00:00",
            "PREVIEW": None,
            "PREVIEW_COUNTER": 0,
            "TRACK_1": None,
            "TRACK_1_COUNTER": 0,
        }
        if i in clicks:
            r.update(TRACK_1="02/03/2026 11:00:00", TRACK_1_COUNTER=1)
        if i in previews:
            r.update(PREVIEW="02/03/2026 10:30:00", PREVIEW_COUNTER=1)
        if not track:
            r.update(TRACK_1=None, TRACK_1_COUNTER=0)
        out.append(r)
    return out


def test_a_link_is_recognised_by_a_click_or_a_preview_and_its_zero_kept():
    """Campaign 1: clicks; 2: no link; 3: a link nobody clicked but whose preview was shown."""
    frame = reports.parse_report_json(
        _records(1, 10, track=True, clicks={0, 1})
        + _records(2, 10, track=False)
        + _records(3, 10, track=True, previews={4})
    )
    before = frame.copy()
    out = analysis.summarize(frame)
    assert out.loc[1, "click_rate"] == pytest.approx(0.2)
    assert math.isnan(out.loc[2, "click_rate"])
    assert out.loc[3, "click_rate"] == 0
    assert analysis.summarize(frame, by=None).loc["all", "click_rate"] == pytest.approx(2 / 20)
    pd.testing.assert_frame_equal(frame, before)  # summarize never changes its input


def test_one_campaign_report_with_a_link_and_no_click_has_a_zero_click_rate():
    frame = reports.parse_report_json(_records(1, 10, track=True))
    assert analysis.summarize(frame).loc[1, "click_rate"] == 0


def test_the_comparison_plot_draws_no_click_bar_for_a_campaign_without_a_link(period_pair):
    from matplotlib.figure import Figure

    _sb, _c, linked, plain, own, periods = period_pair
    ax = Figure().add_subplot()
    mfanalytics.plot_campaign_comparison(periods["json"], lang="en", ax=ax)
    heights = [p.get_width() for p in ax.patches]  # horizontal bars: delivery of both campaigns, then clicks
    expected = analysis.summarize(own[linked]).loc[linked, "click_rate"]
    order = sorted([linked, plain])
    assert heights[2 + order.index(linked)] == pytest.approx(expected)
    assert math.isnan(heights[2 + order.index(plain)])  # not a bar at 0 %
    assert "Click rate (of delivered with a link)" in [t.get_text() for t in ax.get_legend().get_texts()]
