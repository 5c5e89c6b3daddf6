"""The HTML report shows the health score, rates with intervals, latency curves and the cost."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from mfanalytics.analysis.health import health_score
from mfanalytics.analysis.html_report import deliverability_report
from mfanalytics.analysis.report_sections import statistics_sections

sys.path.insert(0, str(Path(__file__).parent))
from stats_sandbox import period


@pytest.fixture(scope="module")
def page():
    p = period()
    return deliverability_report(p["report"], lang="en", message=p["campaigns"], price_per_sms=0.045)


def test_the_four_sections_are_in_the_report(page):
    for title in ("Health score", "Rates with their 95 % intervals", "Time to delivery", "Cost"):
        assert f"<h2>{title}</h2>" in page
    score = float(re.search(r'data-health-score="([0-9.]+)"', page)[1])
    assert score == pytest.approx(health_score(period()["report"], by=None).table.loc["all", "score"], abs=0.05)
    assert "Characters that caused UCS-2" in page and "LEFT-POINTING DOUBLE ANGLE QUOTATION MARK" in page
    assert "points lost on the" in page  # what cost the score its points
    assert "What moved since the row above" in page
    assert not re.search(r'src="(?!data:)', page)  # images inline, nothing fetched


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
    assert len(parts) == 4 and all(p.startswith("<h2>") for p in parts)
    assert parts[2].count("<img") == 1 and "Médiane" in parts[2]
