"""The self-contained HTML deliverability report, parsed, then opened in a real browser."""

from __future__ import annotations

import base64
import os
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from browser import CHROMIUM_ARGS  # the one browser gate of the suite
from browser import chromium as _chromium

from mfanalytics.analysis.html_report import deliverability_report
from mfanalytics.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from report_frames import make_report, realistic_report, to_csv

D = "2026-03-02"
EVIL_REPLY = "<script>window.__pwned = 1</script>"
EVIL_AGENCY = '<img src="x" onerror="window.__pwned = 2">'
EVIL_NAME = 'Soldes <b>&</b> "promo"'


class Page(HTMLParser):
    """Collects tags, attributes and the text of data-kpi elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.kpis: dict[str, str] = {}
        self._kpi: str | None = None
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "data-kpi" in attrs:
            self._kpi = attrs["data-kpi"]

    def handle_data(self, data):
        self.text.append(data)
        if self._kpi:
            self.kpis[self._kpi] = data
            self._kpi = None

    def all(self, tag):
        return [a for t, a in self.tags if t == tag]


def small():
    rows = [
        {
            "code": 16,
            "delivered_at": f"{D} 10:01:00",
            "track_1_at": f"{D} 10:30:00",
            "track_1_clicks": 2,
            "AGENCE": EVIL_AGENCY,
        },
        {"code": 16, "delivered_at": f"{D} 10:03:00", "reply": EVIL_REPLY, "AGENCE": "Lyon"},
        {"code": 17, "delivered_at": f"{D} 10:02:00", "reply": "STOP", "AGENCE": "Lyon"},
        {"code": 20, "AGENCE": "Lyon"},
        {"code": 14, "AGENCE": "Lyon"},
        {"code": 6, "AGENCE": "Lyon"},
    ]
    return make_report(rows, list_columns=("AGENCE",))


@pytest.fixture(scope="module")
def small_fr():
    return deliverability_report(small())


def test_returns_text_or_path(tmp_path, small_fr):
    text = small_fr
    assert isinstance(text, str) and text.startswith("<!DOCTYPE html>")
    out = deliverability_report(small(), tmp_path / "r.html")
    assert out == tmp_path / "r.html" and out.read_text(encoding="utf-8") == text


def test_kpis_on_known_frame(small_fr):
    page = Page(small_fr)
    # 6 recipients; sent = 6 - blocked 14 - not sent 6 = 4; delivered 3; 3/4; 1 clicker of 3; 1 STOP
    assert page.kpis["recipients"] == "6" and page.kpis["sent"] == "4" and page.kpis["delivered"] == "3"
    assert page.kpis["delivery_rate"] == "75,0\u202f%"
    assert page.kpis["clicked"] == "1" and page.kpis["click_rate"] == "33,3\u202f%"
    assert page.kpis["stops"] == "1" and page.kpis["credits"] == "4"
    assert page.kpis["deliver_time"] == "1 min 00 s"  # 0, 1, 2 min after the first delivery
    english = Page(deliverability_report(small(), lang="en", segments=2))
    assert english.kpis["delivery_rate"] == "75.0%" and english.kpis["credits"] == "8"


def test_languages_and_title(small_fr):
    fr = small_fr
    assert "<title>Rapport de délivrabilité – campagne 1</title>" in fr
    assert "Causes de non-délivrance et actions" in fr and 'lang="fr"' in fr
    en = deliverability_report(small(), lang="en", title="Weekly <check>")
    assert "<title>Weekly &lt;check&gt;</title>" in en
    assert "Why messages were not delivered, and what to do" in en and "Switch to UCS-2 or transliterate" in en
    with pytest.raises(ValidationError) as err:
        deliverability_report(small(), lang="de")
    assert err.value.field == "lang"
    with pytest.raises(ValidationError) as err:
        deliverability_report(small(), group_by="REGION")
    assert (err.value.rule, err.value.field) == ("missing-column", "REGION")


def test_failure_reasons_with_advice_in_report():
    page = Page(deliverability_report(small(), lang="en"))
    text = " ".join(page.text)
    assert "Recipient in your blacklist" in text and "Remove blacklisted numbers" in text
    assert "UCS-2 character not allowed" in text


def test_values_from_data_are_escaped():
    r = small()
    text = deliverability_report({EVIL_NAME: r, "B": r.assign(campaign_id=2)}, group_by="AGENCE")
    page = Page(text)
    assert page.all("script") == []
    assert [a for a in page.all("img") if not a["src"].startswith("data:image/png;base64,")] == []
    assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
    body = " ".join(page.text)
    assert EVIL_REPLY in body and EVIL_AGENCY in body and EVIL_NAME in body  # shown as text
    assert "&lt;script&gt;window.__pwned" in text


def test_self_contained_and_printable(tmp_path):
    text = deliverability_report(realistic_report())
    page = Page(text)
    for tag, attrs in page.tags:
        for key in ("src", "href", "action", "srcset", "poster", "data"):
            value = attrs.get(key)
            assert value is None or value.startswith("data:"), (tag, key, value)
    assert "http://" not in text and "https://" not in text and "url(" not in text
    assert "@media print" in text and "Content-Security-Policy" in text


def test_realistic_report_size_and_plots(tmp_path):
    out = deliverability_report(realistic_report(bad_campaign=2), tmp_path / "r.html", group_by="AGENCE")
    assert out.stat().st_size >= 20_000
    page = Page(out.read_text(encoding="utf-8"))
    images = page.all("img")
    assert len(images) >= 5
    for img in images:
        png = base64.b64decode(img["src"].split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    assert page.kpis["recipients"] == "3\u202f100"  # 900 + 1100 + 700 + 400 by construction
    assert ' class="flagged"' in out.read_text(encoding="utf-8")  # the bad campaign's row


def test_list_of_reports_compares_campaigns():
    a = make_report([{"campaign": 11, "code": 16, "delivered_at": f"{D} 10:00:00"}, {"campaign": 11, "code": 20}])
    b = make_report([{"campaign": 12, "code": 16, "delivered_at": "2026-03-03 10:00:00"}])
    page = Page(deliverability_report([a, b], lang="en"))
    assert page.kpis["recipients"] == "3" and page.kpis["delivery_rate"] == "66.7%"
    text = " ".join(page.text)
    assert "Per campaign" in text and "2 campaign(s)" in text
    # funnel, statuses, deliveries, clicks + comparison + daily rates (two days); no click: no heatmap;
    # + rates with intervals and latency curves (report_sections)
    assert len(page.all("img")) == 8


def test_empty_report_still_renders():
    page = Page(deliverability_report(small().iloc[:0], lang="en"))
    assert page.kpis["recipients"] == "0" and page.kpis["delivery_rate"] == "–"
    assert len(page.all("img")) == 4  # each saying "No data"; no heatmap of nothing


def test_report_from_a_parsed_csv_matches_the_built_frame():
    from mfanalytics.reports import parsing as reports

    built = realistic_report(bad_campaign=1)
    parsed = reports.parse_report(to_csv(built))
    assert len(parsed) == len(built)
    from mfanalytics.analysis import kpis as analysis

    pd.testing.assert_frame_equal(analysis.summarize(parsed), analysis.summarize(built), check_index_type=False)
    page_parsed = Page(deliverability_report(parsed, group_by="AGENCE"))
    page_built = Page(deliverability_report(built, group_by="AGENCE"))
    assert page_parsed.kpis == page_built.kpis and page_parsed.kpis["recipients"] == "3\u202f100"
    assert " ".join(page_parsed.text) == " ".join(page_built.text)


def test_report_from_the_sandbox(sb):
    """The whole path: send in the sandbox, fetch the period, analyse, write the report."""
    from datetime import timedelta

    from mfanalytics.analysis import kpis as analysis

    client = sb.client()
    for day in range(2):
        recipients = [{"mobile": f"06{12000000 + 500 * day + i:08d}", "PRENOM": "Zoé"} for i in range(150)]
        client.send_campaign("Bonjour ${PRENOM}", recipients=recipients)
        sb.advance(86400)
    frame = client.get_reports(sb.now.date() - timedelta(days=5), progress=False)
    assert len(frame) == 300 and frame["campaign_id"].nunique() == 2
    total = analysis.summarize(frame, by=None).loc["all"]
    page = Page(deliverability_report(frame, lang="en"))
    assert page.kpis["recipients"] == "300" and page.kpis["delivered"] == f"{total['delivered']:,}"
    assert len(page.all("img")) >= 6  # five plots + the comparison of the two campaigns


# ------------------------------------------------------------- real browser


@pytest.mark.browser
def test_report_renders_in_chromium(tmp_path):
    sync_playwright, exe = _chromium()
    report = realistic_report()
    report.loc[5, "reply"] = EVIL_REPLY
    path = deliverability_report(report, tmp_path / "report.html", group_by="AGENCE")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            requests, problems = [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(path.as_uri(), wait_until="load")
            sizes = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
            assert len(sizes) >= 5 and all(done and width > 0 for done, width in sizes), sizes
            for key, expected in (("recipients", "3\u202f100"), ("delivery_rate", None)):
                kpi = page.locator(f'[data-kpi="{key}"]')
                assert kpi.is_visible()
                if expected:
                    assert kpi.inner_text() == expected
            assert page.evaluate("window.__pwned") is None
            assert page.get_by_text(EVIL_REPLY, exact=True).is_visible()
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
            page.emulate_media(media="print")
            assert page.locator("figure img").first.is_visible()
            pdf = page.pdf(format="A4")
            assert pdf[:5] == b"%PDF-"
            assert problems == []
            assert [u for u in requests if u != path.as_uri()] == []
        finally:
            browser.close()
    assert (tmp_path / "report.png").stat().st_size > 50_000
    keep = os.environ.get("MFANALYTICS_SCREENSHOT_DIR")
    if keep:  # to look at it: MFANALYTICS_SCREENSHOT_DIR=out/screens pytest -m browser
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "report.png", Path(keep) / "deliverability_report.png")
        shutil.copy(path, Path(keep) / "deliverability_report.html")


def test_browser_gate_fails_loudly_under_ci(monkeypatch):
    """Under CI=true a missing browser is a failure, not a skip."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(os.path, "exists", lambda p: False)
    with pytest.raises(pytest.fail.Exception):
        _chromium()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        _chromium()
