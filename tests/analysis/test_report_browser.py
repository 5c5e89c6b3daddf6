"""The HTML report in a real Chromium, on a 390 px phone and a 1280 px desktop.

Nothing may make the page wider than the screen (``scrollWidth <= innerWidth``), the figures
fit their column, the table cells stay readable. Both screenshots are written to the test's
temporary folder (and copied to ``$MFANALYTICS_SCREENSHOT_DIR`` when set, to look at them).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from browser import CHROMIUM_ARGS  # the one browser gate of the suite
from browser import chromium as _chromium

from mfanalytics.analysis.html_report import deliverability_report

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from report_frames import realistic_report

pytestmark = pytest.mark.browser

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}

MEASURE = """() => {
  const doc = document.documentElement;
  const wide = Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > innerWidth + 0.5
                  && !el.closest('.table-wrap'))   // a table's own scroll box may scroll, the page may not
    .map(el => el.tagName + '.' + el.className);
  const imgs = Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.getBoundingClientRect().width]);
  const cells = Array.from(document.querySelectorAll('td')).map(td => parseFloat(getComputedStyle(td).fontSize));
  const scrollers = Array.from(document.querySelectorAll('.table-wrap')).filter(w => w.scrollWidth > w.clientWidth + 1);
  return {scrollWidth: doc.scrollWidth, innerWidth: innerWidth, wide: wide.slice(0, 5), imgs: imgs,
          smallestCell: Math.min(...cells), scrollingTables: scrollers.length};
}"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("report-browser")
    one = realistic_report((900,), seed=7)
    one.loc[one.index[:5], "mobile"] = "n/a"  # a row of "unknown" country
    period = realistic_report((60,) * 12 + (300,), seed=5, bad_campaign=4)
    return {
        "campaign_fr": deliverability_report(one, out / "campaign_fr.html", group_by="AGENCE", title="Soldes d'hiver"),
        "period_en": deliverability_report(period, out / "period_en.html", lang="en", group_by="AGENCE"),
    }


def test_report_fits_phone_and_desktop(reports, tmp_path):
    sync_playwright, exe = _chromium()
    shots = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            for name, path in reports.items():
                for device, (width, height) in WIDTHS.items():
                    page = browser.new_page(viewport={"width": width, "height": height})
                    problems: list[str] = []
                    page.on("pageerror", lambda err, problems=problems: problems.append(str(err)))
                    page.goto(path.as_uri(), wait_until="load")
                    got = page.evaluate(MEASURE)
                    where = f"{name} at {width} px"
                    assert got["scrollWidth"] <= got["innerWidth"], (where, got["scrollWidth"], got["wide"])
                    assert got["wide"] == [], (where, got["wide"])
                    assert got["imgs"] and all(done and natural > 0 for done, natural, _ in got["imgs"]), where
                    assert all(shown <= width for _, _, shown in got["imgs"]), (where, got["imgs"])
                    if device == "phone":  # figures take the phone's width; tables become cards, none scrolls
                        assert all(shown >= 300 for _, _, shown in got["imgs"]), (where, got["imgs"])
                        assert got["scrollingTables"] == 0, where
                    else:  # two figures a row on a desktop
                        assert all(400 <= shown <= 720 for _, _, shown in got["imgs"]), (where, got["imgs"])
                    assert got["smallestCell"] >= 12, (where, got["smallestCell"])
                    assert problems == [], (where, problems)
                    shot = tmp_path / f"{name}_{width}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    shots.append(shot)
                    page.close()
        finally:
            browser.close()
    assert all(s.stat().st_size > 30_000 for s in shots)
    keep = os.environ.get("MFANALYTICS_SCREENSHOT_DIR")
    if keep:  # to look at them: MFANALYTICS_SCREENSHOT_DIR=out/screens pytest tests/analysis/test_report_browser.py
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, Path(keep) / shot.name)
