"""The guide's section 1.3, followed in a real Chromium on the sandbox's
Swagger page, with the network blocked: log in with demo/demo, copy the
Bearer from the response headers, Authorize, Execute GET /blacklist, see 200."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests
from browser import CHROMIUM_ARGS  # the one browser gate of the suite
from browser import chromium as _chromium

pytestmark = pytest.mark.browser

SHOT = "/tmp/swagger.png"


def test_the_page_loads_nothing_from_elsewhere(sb):
    page = requests.get(sb.root + "/MediasflowApi").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/MediasflowApi/") for s in sources), sources
    assert "cdn" not in page.lower() and "validator.swagger.io" not in page
    for source in sources:
        assert requests.get(sb.root + source).status_code == 200, source


def test_guide_section_1_3_on_the_swagger_page_offline(sb):
    sync_playwright, exe = _chromium()
    elsewhere, problems = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1800})

            def gate(route):  # the network is blocked: only the sandbox on loopback answers
                if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
                    return route.continue_()
                elsewhere.append(route.request.url)
                return route.abort()

            context.route("**/*", gate)
            page = context.new_page()
            page.on("pageerror", lambda e: problems.append(str(e)))
            # 1/ open the Swagger page
            page.goto(sb.root + "/MediasflowApi", wait_until="networkidle")
            # 2/ log in with the login and the password, Execute
            login = page.locator("#operations-auth-login")
            login.locator(".opblock-summary").click()
            login.locator(".try-out__btn").click()
            login.locator("textarea.body-param__text").fill('{"username": "demo", "password": "demo"}')
            login.locator("button.execute").click()
            login.locator(".live-responses-table tr.response td.response-col_status").first.wait_for()
            assert (
                login.locator(".live-responses-table tr.response td.response-col_status").first.inner_text().strip()
                == "200"
            )
            # 3/ in "Response headers", copy the BEARER, with the word Bearer
            headers = (
                login.locator(".live-responses-table tr.response td.response-col_description pre")
                .filter(has_text="content-type")
                .first.inner_text()
            )
            found = re.search(r"authorization:\s*(Bearer \S+)", headers, re.IGNORECASE)
            assert found, login.locator(".live-responses-table").inner_text()[-600:]
            bearer = found.group(1)
            # 4/ the green Authorize button; 5/ paste the bearer in Value, Authorize
            page.locator(".auth-wrapper .btn.authorize").click()
            dialog = page.locator(".modal-ux")
            dialog.locator("input").first.fill(bearer)
            dialog.locator(".auth-btn-wrapper button.authorize").click()
            dialog.locator("button.btn-done").click()
            # 6/ connected: Execute GET /blacklist
            blacklist = page.locator("#operations-blacklist-blacklistGet")
            blacklist.locator(".opblock-summary").click()
            blacklist.locator(".try-out__btn").click()
            blacklist.locator("button.execute").click()
            status = blacklist.locator(".live-responses-table tr.response td.response-col_status").first
            status.wait_for()
            page.screenshot(path=SHOT.replace(".png", "_page.png"))  # the page around the call
            blacklist.locator(".responses-inner").first.screenshot(path=SHOT)  # the call and its 200
            assert status.inner_text().strip() == "200"
            body = blacklist.locator(
                ".live-responses-table tr.response td.response-col_description pre"
            ).first.inner_text()
            assert body.strip() == "[]"
        finally:
            browser.close()
    assert elsewhere == [], f"the page tried to reach the network: {elsewhere}"
    assert problems == []
