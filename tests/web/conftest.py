"""Browser tests: the web app in headless Chromium (Debian's ``chromium``, driven by Playwright's Python API with
``executable_path``; ``playwright install`` is never used) against one local stack per session.

Without ``/usr/bin/chromium`` the tests skip with how to install it, unless ``BOEKSTUK_REQUIRE_BROWSER=1``
(set by ``.ci/run``), which turns that skip into a failure. Every test here shares one stack and one browser
(``xdist_group``: scripts/test.sh distributes with ``--dist loadgroup``). Screenshots of each screen go to
``tests/web/artifacts/`` (gitignored).
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

CHROMIUM = os.environ.get("BOEKSTUK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 30_000
WAIT_SECONDS = 90


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test runs on one xdist worker: one stack, one browser, one onboarded office."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.xdist_group("browser"))
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


def _require_browser() -> None:
    reason = None
    if not Path(CHROMIUM).exists():
        reason = (f"browser tests need Chromium at {CHROMIUM}: install it with "
                  "`sudo apt-get install -y chromium` (Debian/Ubuntu), or set BOEKSTUK_CHROMIUM")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "browser tests need the playwright package: ./scripts/setup.sh dev"
    if reason is None:
        return
    if os.environ.get("BOEKSTUK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BOEKSTUK_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def stack_url() -> Iterator[str]:
    """A started local stack (or BOEKSTUK_WEB_URL: one you started yourself with `boekstuk up`)."""
    _require_browser()
    given = os.environ.get("BOEKSTUK_WEB_URL")
    if given:
        yield given.rstrip("/")
        return
    from boekstuk_local.stack import start_stack_in_thread, wait_until_healthy

    handle = start_stack_in_thread(port=0)
    try:
        wait_until_healthy(handle.url, timeout=60)
        yield handle.url
    finally:
        handle.stop()


@pytest.fixture(scope="session")
def browser(stack_url: str) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Screen:
    """One browser page with what the tests need around it: console and CSP errors, screenshots, axe."""

    page: Any
    url: str
    name: str
    errors: list[str] = field(default_factory=list)
    violations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    # Note: page.wait_for_function evaluates its predicate with eval, which the app's CSP refuses (rightly);
    # poll with page.evaluate (DevTools, not the page's eval) through wait_for instead.

    def go(self, route: str) -> None:
        """Open a hash route ("/login") of the app."""
        self.page.goto(f"{self.url}/#{route}")

    def shot(self, name: str) -> Path:
        """A full-page screenshot in tests/web/artifacts/."""
        path = ARTIFACTS / f"{self.name}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self, name: str) -> list[dict[str, Any]]:
        """axe-core on the current screen; returns (and remembers) the serious and critical violations."""
        self.page.wait_for_load_state("load")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Through DevTools, not a <script> tag: the app's CSP (rightly) refuses inline scripts.
            self.page.evaluate("() => {\n" + AXE.read_text(encoding="utf-8") + "\nreturn typeof window.axe;\n}")
        results = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
            }""")
        self.violations[name] = results
        return list(results)

    def check(self, name: str) -> None:
        """Screenshot and axe for one screen; no serious or critical violation allowed."""
        self.shot(name)
        found = self.axe(name)
        assert not found, f"axe on {name}: {found}"

    def app_errors(self) -> list[str]:
        """Script errors and Content-Security-Policy violations (answers like the expected 404 of the optional
        config.json, or a 422 a test provokes, are not the app's errors)."""
        return [e for e in self.errors if "Failed to load resource" not in e]


@pytest.fixture(scope="session")
def new_screen(browser: Any, stack_url: str) -> Iterator[Callable[..., Screen]]:
    """Open a page (desktop by default, or a phone: 390 x 844 with touch) collecting console errors."""
    contexts: list[Any] = []

    def make(name: str, *, phone: bool = False, storage_state: Any = None) -> Screen:
        options: dict[str, Any] = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam",
                                   "storage_state": storage_state}
        if phone:
            options.update(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                           has_touch=True)
        else:
            options.update(viewport={"width": 1366, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        screen = Screen(page, stack_url, name)
        page.on("console", lambda m: screen.errors.append(f"console: {m.text} ({m.location.get('url', '')})")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: screen.errors.append(f"pageerror: {e}"))
        return screen

    yield make
    for context in contexts:
        context.close()


# --- the API and the local-only endpoints, for setting up and checking ------------------------------------------


def api(url: str, method: str, path: str, body: Any = None, token: str | None = None, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{url}{path}", json=body, headers=headers, timeout=30, **kwargs)


def mail_code(url: str, to: str, after: int = 0) -> str:
    """The six-digit code of the newest e-mail to ``to`` (waiting for the ``after``+1-th message)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        messages = requests.get(f"{url}/_local/mail", params={"to": to}, timeout=10).json()["messages"]
        if len(messages) > after:
            newest = messages[-1]
            codes = newest.get("codes") or re.findall(r"\b\d{6}\b", newest["body"])
            assert codes, newest
            return str(codes[0])
        time.sleep(0.3)
    raise AssertionError(f"no e-mail to {to}")


def mail_count(url: str, to: str) -> int:
    return len(requests.get(f"{url}/_local/mail", params={"to": to}, timeout=10).json()["messages"])


def wait_for(check: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.4)
    raise AssertionError(f"timed out waiting for {what}")


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


def drop_files(page: Any, selector: str, files: list[tuple[str, str, bytes]]) -> None:
    """Drop files on ``selector`` as a person does: dragenter, dragover and drop events carrying a DataTransfer."""
    payload = [{"name": name, "type": kind, "b64": base64.b64encode(content).decode()} for name, kind, content in files]
    page.evaluate(
        """([selector, files]) => {
            const data = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.b64), c => c.charCodeAt(0));
                data.items.add(new File([bytes], f.name, {type: f.type}));
            }
            const zone = document.querySelector(selector);
            for (const type of ['dragenter', 'dragover', 'drop']) {
                zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
            }
        }""",
        [selector, payload])


@dataclass
class Office:
    """The office the onboarding test created through the wizard, for the tests after it."""

    office: str
    username: str
    password: str
    email: str
    token: str
    snelstart_administration_id: str
    snelstart_code: str
    exact_administration_id: str
    storage_state: Any = None
