"""Swagger UI at /_local/docs renders in headless Chromium with the network off, and Try it out calls the
local API, with a Cognito ID token from the page's sign-in form.

Debian's chromium is driven by Playwright (`executable_path`, never `playwright install`). Every request
the page makes to a host other than loopback is aborted and recorded, and the test fails if there was
one: the page must need nothing from the internet. It skips only when chromium is not installed, and
then the run ends with a loud note (tests/localcloud/conftest.py).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from tests.support.localcloud import DEMO_PASSWORD
from tests.support.summaries import BROWSER_SKIP_MARK

pytestmark = [pytest.mark.localcloud, pytest.mark.timeout(180)]

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture
def browser_page(tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{BROWSER_SKIP_MARK} ({CHROMIUM} is missing): run `make browser-deps`")
    blocked: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS
        )

        def only_loopback(route) -> None:
            if urlsplit(route.request.url).hostname in LOOPBACK:
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort("internetdisconnected")

        context.route("**/*", only_loopback)
        probe = context.new_page()  # the network is off for this browser, as it is on this machine
        with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
            probe.goto("http://example.com/")
        probe.close()
        assert blocked == ["http://example.com/"]
        blocked.clear()
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
        yield page
        context.close()
    assert blocked == [], f"the docs page tried to reach the network: {blocked}"
    assert problems == [], problems


def test_swagger_ui_renders_the_apis_operations_and_tries_them_out_with_a_token(browser_page, console_app):
    cloud, outputs = console_app
    idp = cloud.aws("cognito-idp")
    idp.sign_up(ClientId=cloud.endpoints["cognito"]["clientId"], Username="ann@example.com", Password=DEMO_PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "ann@example.com"}])  # fmt: skip
    idp.admin_confirm_sign_up(UserPoolId=outputs["UserPoolId"], Username="ann@example.com")
    page = browser_page

    page.goto(f"{cloud.endpoints['console']}/docs")

    operations = page.locator(".opblock")
    expect(operations).to_have_count(3, timeout=30_000)
    summaries = [
        " ".join(operations.nth(i).locator(".opblock-summary").inner_text().split()) for i in range(3)
    ]  # fmt: skip
    assert summaries == [
        "GET /items List the caller's items",
        "POST /items Create an item",
        "GET /health Is the API up",
    ]
    expect(page.locator(".servers select")).to_contain_text(cloud.api_url("ItemsApi"))
    expect(page.locator(".btn.authorize")).to_be_visible()

    health = page.locator(".opblock").filter(has_text="/health")
    _try_it_out(health)
    expect(health.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")

    page.fill("input[name=username]", "ann@example.com")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("text=Get ID token")
    expect(page.locator(".signin .ok")).to_have_text("Signed in as ann@example.com.")
    items = page.locator(".opblock").filter(has_text="List the caller's items")
    expect(items).to_have_count(1, timeout=30_000)
    _try_it_out(items)
    expect(items.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    expect(items.locator(".live-responses-table tbody .response-col_description")).to_contain_text("ann@example.com")


def _try_it_out(operation) -> None:
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
