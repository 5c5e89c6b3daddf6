"""The HTML report shows the health score, rates with intervals, latency curves and the cost."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint

from mfanalytics.analysis.health import health_score
from mfanalytics.analysis.html_parts import Section
from mfanalytics.analysis.html_report import deliverability_report
from mfanalytics.analysis.report_sections import MAX_CURVES, statistics_sections

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from report_frames import realistic_report
from stats_sandbox import period


@pytest.fixture(scope="module")
def page():
    p = period()
    return deliverability_report(p["report"], lang="en", message=p["campaigns"], price_per_sms=0.045)


def _section(text: str, key: str) -> str:
    match = re.search(rf'<section id="{key}">(.*?)</section>', text, re.S)
    assert match, key
    return match[1]


def test_the_four_sections_are_in_the_report(page):
    for key, title in (
        ("health", "Health score"),
        ("rates", "Rates with their 95 % intervals"),
        ("latency", "Time to delivery"),
        ("cost", "Cost"),
    ):
        assert _section(page, key).startswith(f"<h2>{title}</h2>")
    score = float(re.search(r'data-health-score="([0-9.]+)"', page)[1])
    assert score == pytest.approx(health_score(period()["report"], by=None).table.loc["all", "score"], abs=0.05)
    cost = _section(page, "cost")
    assert "Characters that caused UCS-2" in cost and "LEFT-POINTING DOUBLE ANGLE QUOTATION MARK" in cost
    assert "Cost per delivered" in cost  # a price was given: money, not credits
    health = _section(page, "health")
    assert "points lost on the" in health and "What moved since the row above" in health
    assert not re.search(r'src="(?!data:)', page)  # images inline, nothing fetched
    for key in ("rates", "latency"):
        alts = re.findall(r'<img alt="([^"]*)"', _section(page, key))
        assert len(alts) == 1 and len(alts[0]) > 20, (key, alts)


def test_the_intervals_are_the_wilson_intervals_of_statsmodels(page):
    cells = re.findall(
        r'data-rate="(\w+)" data-num="(\d+)" data-den="(\d+)">[^<]*</span> <span class="note">\(([\d.]+)–([\d.]+)\)',
        _section(page, "rates"),
    )
    assert {c[0] for c in cells} == {"delivery_rate", "click_rate", "stop_rate"} and len(cells) >= 12
    for _rate, num, den, low, high in cells:
        lo, hi = proportion_confint(int(num), int(den), method="wilson")
        assert (float(low), float(high)) == (round(100 * lo, 1), round(100 * hi, 1))


def test_values_from_the_data_are_escaped():
    report = period()["report"]
    named = {
        "<b>Soldes</b>": report[report["campaign_id"] == 1001],
        "Rentrée & co": report[report["campaign_id"] == 1002],
    }
    html_text = deliverability_report(named, lang="fr")
    assert "<b>Soldes</b>" not in html_text and "&lt;b&gt;Soldes&lt;/b&gt;" in html_text
    assert "Rentrée &amp; co" in html_text and "<h2>Score de santé</h2>" in html_text


def test_sections_of_one_campaign_without_message():
    report = period()["report"]
    parts = statistics_sections(report[report["campaign_id"] == 1001], lang="fr", key=None)
    assert all(isinstance(p, Section) for p in parts)
    assert [p.key for p in parts] == ["health", "rates", "latency", "cost"]
    latency = parts[2].body
    assert latency.count("<img") == 1 and "Délai médian" in latency
    assert "<table" not in parts[0].body  # one group: the headline says it all, no one-row table
    assert " ; " in parts[0].body and "%" not in parts[0].body.split('class="health"')[1]  # counts, not shares


def test_nothing_sent_leaves_the_sections_out():
    report = period()["report"]
    assert statistics_sections(report.iloc[:0], lang="en") == []


def test_many_campaigns_draw_one_pooled_curve():
    frame = realistic_report((40,) * (MAX_CURVES + 2), seed=3)
    latency = next(s for s in statistics_sections(frame, lang="en") if s.key == "latency")
    assert f"pools the {MAX_CURVES + 2} campaigns into one curve" in latency.body
    assert latency.body.count('<td class="key"') == MAX_CURVES + 2  # the table keeps every campaign


def test_named_campaigns_keep_the_order_they_were_given_in():
    report = period()["report"]
    named = {"Zeta": report[report["campaign_id"] == 1001], "Alpha": report[report["campaign_id"] == 1002]}
    text = deliverability_report(named, lang="en")
    for key in ("health", "rates", "latency", "cost"):
        keys = re.findall(r'<td class="key" data-label="Campaign">([^<]*)</td>', _section(text, key))
        assert keys == ["Zeta", "Alpha"], (key, keys)
