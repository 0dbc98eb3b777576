"""Browser tests: the web app in headless Chromium (Debian's ``chromium``, driven by Playwright's Python API with
``executable_path``; ``playwright install`` is never used) against one local stack per session.

Without ``/usr/bin/chromium`` the tests skip with how to install it, unless ``BOEKSTUK_REQUIRE_BROWSER=1``
(set by ``.ci/run``), which turns that skip into a failure. Every test here shares one stack and one browser
(``xdist_group``: scripts/test.sh distributes with ``--dist loadgroup``). The fixtures are package-scoped, like
tests/e2e's stack: the stack stops (restoring the process environment) as soon as the last browser test ran, so
the in-process moto harnesses of the other folders never see its endpoint. Screenshots of each screen go to
``tests/web/artifacts/`` (gitignored).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from boekstuk_local.simulators.registry import DEMO_LOGINS
from boekstuk_local.simulators.seed import ADMINISTRATIONS
from tests.e2e.conftest import unique

CHROMIUM = os.environ.get("BOEKSTUK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 30_000


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


@pytest.fixture(scope="package")
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


@pytest.fixture(scope="package")
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


@pytest.fixture(scope="package")
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


def mail_link(url: str, to: str, contains: str) -> str:
    """The link containing ``contains`` in the e-mails to ``to`` (waiting for it to be sent)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        messages = requests.get(f"{url}/_local/mail", params={"to": to}, timeout=10).json()["messages"]
        links = [link for m in messages for link in m.get("links") or [] if contains in link]
        if links:
            return str(links[-1])
        time.sleep(0.3)
    raise AssertionError(f"no e-mail to {to} links to {contains}")


def mail_count(url: str, to: str) -> int:
    return len(requests.get(f"{url}/_local/mail", params={"to": to}, timeout=10).json()["messages"])


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


# --- the office the tests share: onboarded through the wizard ------------------------------------------------


def expect_text(locator: Any, pattern: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_contain_text(re.compile(pattern))


def _taken_office_code(url: str) -> str:
    """An office code someone else already activated (over the API), so the wizard must offer free ones."""
    code = unique("bezet")
    email = f"{code}@example.nl"
    signup = api(url, "POST", "/v1/signups", {"company_name": "Bezet B.V.", "contact_name": "Bea Bezet", "email": email,
                                              "plan": "trial", "plan_confirmation": "trial", "accept_terms": True})
    assert signup.status_code == 201, signup.text
    confirmed = api(url, "POST", f"/v1/signups/{signup.json()['signup_id']}/confirmation", {"code": mail_code(url, email)})
    token = confirmed.json()["activation_token"]
    activated = api(url, "POST", "/v1/activations", {"activation_token": token, "office_code": code, "username": "sync",
                                                     "password": PASSWORD})
    assert activated.status_code == 201, activated.text
    return code


@pytest.fixture(scope="package")
def office(new_screen: Callable[..., Screen], stack_url: str) -> Office:
    """A new office onboarded through the wizard as a person does it, checking every step and its errors."""
    from playwright.sync_api import expect

    screen = new_screen("onboarding")
    page = screen.page
    company = unique("Bakkerij Test")
    email = f"{unique('anna')}@example.nl"

    # Step 1: signup, the plan chosen and confirmed
    screen.go("/onboarding/signup")
    expect(page.get_by_role("heading", name="Aanmelden", exact=True)).to_be_visible()
    screen.check("1-signup")
    page.get_by_label("Bedrijfsnaam").fill(company)
    page.get_by_label("Uw naam").fill("Anna de Vries")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Proefabonnement: 30 dagen gratis").check()
    page.get_by_label("Bevestig uw abonnement").select_option("premium")  # not the plan chosen above
    page.get_by_label("Ik ga akkoord met de algemene voorwaarden en de verwerkersovereenkomst").check()
    page.get_by_role("button", name="Aanmelden").click()
    expect_text(page.locator(".field[data-field=plan_confirmation] .field-error"), "komt niet overeen")
    screen.check("1-signup-plan-not-confirmed")
    page.get_by_label("Bevestig uw abonnement").select_option("trial")
    page.get_by_role("button", name="Aanmelden").click()

    # The e-mailed code: a wrong one first
    expect(page.get_by_role("heading", name="Bevestig uw e-mailadres")).to_be_visible()
    screen.check("2-confirm")
    code = mail_code(stack_url, email)
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("Bevestigingscode").fill(wrong)
    page.get_by_role("button", name="Bevestigen").click()
    expect_text(page.locator(".field[data-field=code] .field-error"), "klopt niet")
    page.get_by_label("Bevestigingscode").fill(code)
    page.get_by_role("button", name="Bevestigen").click()

    # Step 2: activation; the office code taken by someone else, then one of the free suggestions
    expect(page.get_by_role("heading", name="Activeer uw abonnement")).to_be_visible()
    taken = _taken_office_code(stack_url)
    office_code = page.get_by_label("Kantoorcode")
    office_code.fill(taken)
    expect(page.locator(".availability [data-available=false]")).to_contain_text(taken)  # while typing
    screen.check("3-activate-availability")
    page.get_by_label("Gebruikersnaam").fill("sync")
    page.get_by_label("Wachtwoord", exact=True).fill("te kort")
    page.get_by_label("Herhaal het wachtwoord").fill("te kort")
    page.get_by_role("button", name="Activeren").click()
    # Whichever the API checks first: the taken code (with free suggestions) or the weak password.
    page.wait_for_selector(".field.has-error")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Activeren").click()
    expect_text(page.locator(".field[data-field=office_code] .field-error"), "al in gebruik")
    suggestion = page.locator("[data-suggestion]").first
    expect(suggestion).to_be_visible()
    chosen = suggestion.get_attribute("data-suggestion")
    assert chosen and chosen != taken
    screen.check("3-activate-office-code-taken")
    suggestion.click()
    expect(office_code).to_have_value(chosen)
    page.get_by_role("button", name="Activeren").click()
    expect(page.get_by_role("heading", name="Uw kantoor is actief")).to_be_visible()
    expect(page.locator("[data-testid=office-code]")).to_have_text(chosen)
    screen.check("3-activated")
    page.get_by_role("link", name="Verder: boekhoudpakket koppelen").click()

    # Step 3: SnelStart with its key; a wrong key first
    expect(page.get_by_role("heading", name="Koppel uw boekhoudpakket")).to_be_visible()
    page.get_by_label("SnelStart").check()
    screen.check("4-package")
    key = page.get_by_label("Koppelsleutel", exact=True)
    key.fill("verkeerde-sleutel")
    page.get_by_role("button", name="Koppelen").click()
    expect_text(page.locator(".field[data-field='client_key'] .field-error"), "accepteert deze gegevens niet")
    key.fill(DEMO_LOGINS["snelstart"]["client_key"])
    page.get_by_role("button", name="Koppelen").click()

    # Step 4: the administrations; the one without access is shown, not choosable; at most five
    expect(page.get_by_role("heading", name="Kies uw administraties")).to_be_visible()
    holding = page.locator(".admin-choice", has_text=ADMINISTRATIONS[6].name)
    expect(holding.locator("input")).to_be_disabled()
    expect_text(holding, "Geen toegang")
    boxes = page.locator(".admin-choice:not(.unavailable) input[type=checkbox]")
    assert boxes.count() == 6
    for index in range(5):
        boxes.nth(index).check()
    expect(boxes.nth(5)).to_be_disabled()
    expect_text(page.locator(".counter"), "5 van maximaal 5")
    screen.check("5-administrations-five-chosen")
    for index in range(1, 5):
        boxes.nth(index).uncheck()
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_role("heading", name="Klaar: u kunt beginnen")).to_be_visible()
    screen.check("6-done")

    # Exact Online through its own login page, and back into the wizard
    page.get_by_role("link", name="Nog een pakket koppelen").click()
    page.get_by_label("Exact Online").check()
    expect(page.get_by_label("Omschrijving van deze koppeling")).to_have_value(re.compile("Exact Online"))
    page.get_by_role("button", name="Inloggen bij Exact Online").click()
    page.wait_for_selector("input[name=username]")
    screen.shot("7-exact-login-page")
    login = DEMO_LOGINS["exact_online"]
    page.fill("input[name=username]", login["username"])
    page.fill("input[name=password]", login["password"])
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Kies uw administraties")).to_be_visible()
    expect_text(page.locator(".alert-success"), "gekoppeld")
    screen.check("7-exact-administrations")
    page.locator(".admin-choice", has_text=ADMINISTRATIONS[1].name).locator("input").check()
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_role("heading", name="Klaar: u kunt beginnen")).to_be_visible()
    assert not screen.app_errors(), screen.app_errors()

    session = api(stack_url, "POST", "/v1/sessions", {"office_code": chosen, "username": "sync", "password": PASSWORD})
    token = session.json()["access_token"]
    admins = api(stack_url, "GET", f"/v1/offices/{chosen}/administrations", token=token).json()["administrations"]
    by_package = {a["package"]: a for a in admins}
    assert set(by_package) == {"snelstart", "exact_online"}, admins
    connections = api(stack_url, "GET", f"/v1/offices/{chosen}/connections", token=token).json()["connections"]
    assert {c["package"]: c["status"] for c in connections} == {"snelstart": "verified", "exact_online": "verified"}
    return Office(office=chosen, username="sync", password=PASSWORD, email=email, token=token,
                  snelstart_administration_id=by_package["snelstart"]["administration_id"],
                  snelstart_code=by_package["snelstart"]["code"],
                  exact_administration_id=by_package["exact_online"]["administration_id"],
                  storage_state=page.context.storage_state())
