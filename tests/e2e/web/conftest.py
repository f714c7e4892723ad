"""Fixtures of the web app's browser tests: Chromium with fake devices, the WebUrl, screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.e2e.web import browser as chromium


@pytest.fixture(scope="session")
def web_url(outputs: dict[str, str]) -> str:
    """The web app's address: the stack output WebUrl (WEB_URL overrides it, e.g. `vite dev`)."""
    url = os.environ.get("WEB_URL") or outputs.get("WebUrl")
    if not url:
        pytest.fail("the stack has no WebUrl output: deploy the web app (`make up`)")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def devices(tmp_path_factory: pytest.TempPathFactory) -> chromium.FakeDevices:
    return chromium.make_devices(Path(tmp_path_factory.mktemp("devices")))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright, devices: chromium.FakeDevices) -> Iterator[Browser]:
    b = playwright.chromium.launch(
        executable_path=chromium.CHROMIUM, headless=True, args=chromium.launch_args(devices)
    )
    yield b
    b.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def screens(request: pytest.FixtureRequest) -> chromium.Screens:
    return chromium.Screens(request.node.name)
