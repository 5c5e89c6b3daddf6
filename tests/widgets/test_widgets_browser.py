"""The forms in a real browser: Voilà serves notebook 02 on loopback, headless
Chromium (the distribution's package) driven by Playwright types a message,
validates, sends to a sandbox, sees the campaign id, and sees its status
follow the sandbox's clock. At 1280 px (English) and at 390 px (a phone,
French locale) nothing is wider than the window and no label is cut. The
screenshots are kept in ``test-artifacts/send_form.png`` and
``test-artifacts/send_form_390.png``."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from browser import (
    CHROMIUM_ARGS,  # the one browser gate of the suite
    serve_voila,
)
from browser import chromium as _chromium

import mfanalytics

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "02_send_test_campaign.ipynb"
ARTIFACTS = ROOT / "test-artifacts"


PASSWORD = "pw-Browser-93"


@pytest.fixture
def live_sb():
    """A sandbox whose clock starts at the latest Tuesday, 10:00 in Paris, that is not a public holiday
    (within the last 7 days the notebook looks at; inside the marketing sending window), account lab."""
    from datetime import UTC, datetime, timedelta

    import holidays

    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    while start.weekday() != 1 or start > datetime.now(UTC) or start.date() in holidays.France(years=start.year):
        start -= timedelta(days=1)
    with EmbeddedSandbox(seed=0, users={"lab": PASSWORD}, speed=0, start=start) as sandbox:
        client = sandbox.client(username="lab", password=PASSWORD)
        magic = [f"+336399800{code}" for code in (16, 21, 20, 29)]
        client.send_campaign("Bonjour STOP 36184", recipients=magic)  # the explorer's campaign
        sandbox.advance(3600)
        client.close()
        yield sandbox


@pytest.fixture
def voila(live_sb, tmp_path):
    """Voilà serving a copy of notebook 02, its kernel pointed at the sandbox ``sb``."""
    shutil.copy(NOTEBOOK, tmp_path / NOTEBOOK.name)
    (tmp_path / "data_samples").symlink_to(ROOT / "data_samples")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIASFLOW_")}
    env.update(
        MEDIASFLOW_BASE_URL=live_sb.url,
        MEDIASFLOW_USERNAME="lab",
        MEDIASFLOW_PASSWORD=PASSWORD,
        JUPYTER_PLATFORM_DIRS="1",
    )
    with serve_voila(NOTEBOOK.name, tmp_path, env, extra=("--ServerApp.open_browser=False",)) as url:
        yield url


# What a page must never do: be wider than the window, or cut a label, a button or a placeholder.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) problems.push(`page ${doc.scrollWidth} px wide in ${window.innerWidth}`);
  const canvas = document.createElement("canvas").getContext("2d");
  const visible = (el) => el.offsetParent !== null && el.getClientRects().length > 0;
  for (const el of document.querySelectorAll(".widget-label, .widget-button, .widget-toggle-button, .widget-label-basic")) {
    if (visible(el) && el.scrollWidth > el.clientWidth + 1) problems.push(`cut: ${el.textContent.trim()}`);
  }
  for (const el of document.querySelectorAll("input[placeholder]")) {  // (a textarea's wraps)
    if (!visible(el) || el.value) continue;
    const style = getComputedStyle(el);
    canvas.font = `${style.fontSize} ${style.fontFamily}`;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (canvas.measureText(el.placeholder).width > room + 1) problems.push(`placeholder cut: ${el.placeholder}`);
  }
  const boxes = ".widget-box, .widget-inline-hbox, .widget-html, .jp-OutputArea-output, img, table";
  for (const el of document.querySelectorAll(boxes)) {
    const r = el.getBoundingClientRect();
    if (visible(el) && r.right > window.innerWidth + 1 && !el.closest("[style*='overflow-x']"))
      problems.push(`overflows: ${el.className || el.tagName} to ${Math.round(r.right)} px`);
  }
  return problems;
}"""


@pytest.mark.browser
def test_send_a_test_campaign_from_the_form_in_chromium(voila, live_sb):
    sync_playwright, exe = _chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "send_form.png"
    phone_shot = ARTIFACTS / "send_form_390.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        french = None
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2300}, locale="en-GB")
            page.set_default_timeout(60_000)
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(voila, wait_until="domcontentloaded")
            page.get_by_text("Sandbox: no real SMS is sent").wait_for()
            page.get_by_placeholder("One mobile number per line").fill("06 12 34 56 78\n07 81 22 33 44\n12")
            message = page.get_by_placeholder("Bonjour ${PRENOM}, ...")
            text = "Bonjour, voici un test de la boutique. STOP 36184"
            message.fill(text)
            length = int(mfanalytics.count_segments([text]).iloc[0]["length"])
            page.get_by_text(f"{length} / 160 · GSM-7 · 1 SMS").wait_for()  # the live counter
            page.get_by_placeholder("3 to 11 letters or digits; empty: a short number").fill("MaBoutique")
            page.get_by_text("1 invalid (line 3: 12)").wait_for()
            send = page.locator("button", has_text=re.compile(r"^\s*Send\s*$"))  # (its tooltip is its aria name)
            assert send.is_disabled()
            page.locator("button", has_text=re.compile(r"^\s*Validate\s*$")).click()
            page.get_by_text("What the platform counted at validation").wait_for()
            page.get_by_text("Valid numbers (to be sent)").wait_for()  # in words, not countValid
            page.get_by_text("French sending rules: nothing to report").wait_for()  # STOP mention, a Tuesday at 10:00
            send.click()  # waits until it is enabled
            said = page.get_by_text(re.compile(r"Campaign \d+ sent")).first
            said.wait_for()
            campaign_id = int(re.search(r"Campaign (\d+) sent", said.inner_text())[1])
            # the status follows the sandbox's clock, from the kernel's thread to the page
            live_sb.advance(3 * 86400)
            page.get_by_text(re.compile(rf"Campaign {campaign_id}: INJECTED .*final status")).wait_for()
            page.screenshot(path=str(shot), full_page=True)
            assert page.evaluate(LAYOUT_PROBLEMS) == []
            assert PASSWORD not in page.content()

            # a French browser: its date and time inputs read jj/mm/aaaa (the UI language sets them)
            french = pw.chromium.launch(
                executable_path=exe, args=[*CHROMIUM_ARGS, "--lang=fr-FR"], env={**os.environ, "LANG": "fr_FR.UTF-8"}
            )
            phone = french.new_page(viewport={"width": 390, "height": 3200}, locale="fr-FR", is_mobile=True)
            phone.set_default_timeout(60_000)
            phone.on("pageerror", lambda e: problems.append(str(e)))
            phone.goto(voila, wait_until="domcontentloaded")
            phone.get_by_text("Sandbox: no real SMS is sent").wait_for()
            phone.get_by_title("Send later").click()  # the date and time picker, in the browser's locale
            phone.get_by_text("Delivery rate").first.wait_for()  # the explorer, loaded with its campaign
            phone.wait_for_timeout(500)  # let the layout settle (nothing is asserted on time)
            phone.screenshot(path=str(phone_shot), full_page=True)  # first: to look at what fails
            found = phone.evaluate(LAYOUT_PROBLEMS)
            assert found == [], "\n".join(found)
        finally:
            browser.close()
            if french is not None:
                french.close()
    campaign = live_sb.state.campaigns[campaign_id]
    assert campaign.status != "DRAFT"  # injected: it went through the sandbox
    assert problems == []
    assert shot.stat().st_size > 20_000 and phone_shot.stat().st_size > 20_000
