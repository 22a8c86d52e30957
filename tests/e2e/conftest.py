"""A headless Chromium for the browser tests, and a page that records what goes wrong.

The browser is Debian's (``/usr/bin/chromium``, installed by ``make browser``), driven
by Playwright's Python API; no browser is ever downloaded. Without it these tests skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def browser(transactional_db: None, live_server: Any) -> Iterator[Any]:
    """A headless Chromium; a skip when Debian's is not installed.

    Playwright's sync API runs an asyncio loop in this thread, and Django refuses
    database queries while one runs. So the browser starts after the test database
    and the live server, and stops before they are flushed: a test asks for its data
    fixtures before ``page``, and queries nothing while the browser is open. (Launching
    takes about a second, so one per test is cheap.)
    """
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make browser` installs Debian's (as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    assert AXE.is_file(), f"{AXE} is missing: run `make install` (npm ci installs axe-core)"
    return AXE.read_text(encoding="utf-8")


@dataclass
class Problems:
    """Console errors, uncaught exceptions and failed responses seen by one page."""

    console: list[str] = field(default_factory=list)
    responses: list[tuple[str, int]] = field(default_factory=list)

    @property
    def failed(self) -> list[tuple[str, int]]:
        return [(url, status) for url, status in self.responses if status >= 400]


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def page(browser: Any, problems: Problems, tmp_path: Path) -> Iterator[Any]:
    """A fresh context and page. The site's CSP stays on, so a violation is a console
    error; axe is evaluated through the DevTools protocol, which CSP does not govern."""
    context = browser.new_context(accept_downloads=True, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.console.append(f"{message.text} ({message.location['url']})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.console.append(f"uncaught: {error}"))
    page.on("response", lambda response: problems.responses.append((response.url, response.status)))
    yield page
    context.close()
