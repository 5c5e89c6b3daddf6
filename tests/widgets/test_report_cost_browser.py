"""The period view's cost in a real browser: Voilà serves a notebook whose ReportExplorer loads a
sandbox's period (three campaigns, the answers of two of them saved when they were sent), headless
Chromium (the distribution's package) driven by Playwright sees the cost table, the unknown campaign
said as unknown, and the total that leaves it out; at 1280 px and at 390 px (a phone) nothing is wider
than the window and no label is cut. The screenshots are kept in ``test-artifacts/period_cost.png`` and
``test-artifacts/period_cost_390.png``."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from browser import (
    CHROMIUM_ARGS,  # the one browser gate of the suite
    serve_voila,
)
from browser import chromium as _chromium
from test_widgets_browser import LAYOUT_PROBLEMS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "pw-Period-41"
CELLS = [
    (
        "import json\nimport mfanalytics\nfrom mfanalytics.widgets import ReportExplorer\n"
        "client = mfanalytics.connect()\n"
        "answers = json.load(open('answers.json'))  # what send_campaign answered, saved when sent"
    ),
    (
        "explorer = ReportExplorer(client, lang='en', campaigns=answers)\n"
        "explorer.source.value = 'period'\nexplorer.price.value = '0.045'\nexplorer.load()\nexplorer"
    ),
]


#: The cost panel's notes end inside the window (a flex item as wide as the table beside them would cut them).
NOTES_CUT = """() => [...document.querySelectorAll("[data-cost='notes'] > div")]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map((el) => `note cut at ${Math.round(el.getBoundingClientRect().right)} px: ${el.textContent.slice(0, 40)}`)"""


@pytest.fixture
def period_sb(tmp_path):
    """A sandbox (clock stopped on a Tuesday morning) with three campaigns; the answers of two in answers.json."""
    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    with EmbeddedSandbox(seed=2, speed=0, start="2026-03-03T09:00:00Z") as sandbox:
        sandbox.add_user("lab", PASSWORD, max_segments=4)  # an account that takes long messages
        client = sandbox.client(username="lab", password=PASSWORD, max_segments=4)
        kw = {"type_select": "NOTIFICATION", "allow_ucs2": True}
        people = [{"mobile": f"06399801{i:02d}", "PRENOM": "Marie-Éléonore " * (i % 9 + 1)} for i in range(40)]
        sent = [
            client.send_campaign("Bonjour ${PRENOM}, votre rendez-vous est confirmé.", recipients=people, **kw),
            client.send_campaign("Leçon de français demain à 10 h", recipients=["0639980101", "0639980017"], **kw),
            client.send_campaign("Bonjour, à demain", recipients=["0639980150", "0639980151", "0639980152"], **kw),
        ]
        sandbox.advance(6 * 3600)
        client.close()
        (tmp_path / "answers.json").write_text(json.dumps([dict(a) for a in sent[:2]]), "utf-8")
        yield sandbox, sent


@pytest.fixture
def voila(period_sb, tmp_path):
    """Voilà serving the notebook of CELLS, its kernel pointed at the sandbox."""
    cells = [
        {"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None} for src in CELLS
    ]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "period_cost.ipynb").write_text(json.dumps(notebook), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIASFLOW_")}
    env.update(
        MEDIASFLOW_BASE_URL=period_sb[0].url,
        MEDIASFLOW_USERNAME="lab",
        MEDIASFLOW_PASSWORD=PASSWORD,
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONPATH=str(ROOT),
    )
    with serve_voila("period_cost.ipynb", tmp_path, env) as url:
        yield url


@pytest.mark.browser
def test_the_period_cost_in_chromium_at_1280_and_390_px(voila, period_sb):
    sync_playwright, exe = _chromium()
    _, sent = period_sb
    ARTIFACTS.mkdir(exist_ok=True)
    shots = {1280: ARTIFACTS / "period_cost.png", 390: ARTIFACTS / "period_cost_390.png"}
    known = int(sent[0]["creditCount"] + sent[1]["creditCount"])
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            for width, shot in shots.items():
                page = browser.new_page(viewport={"width": width, "height": 1800}, is_mobile=width < 600)
                page.set_default_timeout(90_000)
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.goto(voila, wait_until="domcontentloaded")
                table = page.locator("table[data-cost='campaigns']")
                table.wait_for()
                page.get_by_text(re.compile(r"Total, 2 campaigns \(excluding 1 unknown\)")).wait_for()
                page.wait_for_timeout(500)  # let the layout settle (nothing is asserted on time)
                page.screenshot(path=str(shot), full_page=True)  # first: to look at what fails
                text = table.inner_text()
                assert f"{known:,}" in text and "unknown: no message text" in text
                assert f"Credits unknown for campaign {sent[2].id}" in page.content()
                assert page.get_by_text("Message of campaign").first.is_visible()
                found = page.evaluate(LAYOUT_PROBLEMS) + page.evaluate(NOTES_CUT)
                assert found == [], "\n".join(found)
                assert PASSWORD not in page.content()
                page.close()
        finally:
            browser.close()
    assert problems == []
    assert all(shot.stat().st_size > 20_000 for shot in shots.values())
