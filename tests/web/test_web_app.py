"""The web app in a real browser: the onboarding wizard (SnelStart with credentials, Exact Online through its login
page), uploading by drag and drop, reviewing with highlighted fields, correcting a GL account, approving and
seeing it booked (and in the simulator), rejecting, the session kept alive, a phone, and axe on every screen."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests

from boekstuk_local.samples import make_document
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS, SUPPLIERS
from tests.e2e.conftest import wait_for
from tests.web.conftest import (
    PASSWORD,
    Office,
    Screen,
    api,
    drop_files,
    expect_text,
    mail_code,
    mail_count,
    mail_link,
    unique,
)


def test_onboarding_through_the_wizard_links_snelstart_and_exact_online(office: Office) -> None:
    assert office.snelstart_administration_id and office.exact_administration_id


def test_office_code_availability_while_typing(office: Office, new_screen: Callable[..., Screen], stack_url: str) -> None:
    from playwright.sync_api import expect

    email = f"{unique('klaas')}@example.nl"
    signup = api(stack_url, "POST", "/v1/signups", {"company_name": "Klaas B.V.", "contact_name": "Klaas",
                                                    "email": email, "plan": "trial", "plan_confirmation": "trial",
                                                    "accept_terms": True})
    confirmed = api(stack_url, "POST", f"/v1/signups/{signup.json()['signup_id']}/confirmation",
                    {"code": mail_code(stack_url, email)})
    assert confirmed.status_code == 200, confirmed.text
    screen = new_screen("office-code")
    page = screen.page
    page.goto(mail_link(stack_url, email, "/#/onboarding/activate?token="))  # the link in the e-mail
    expect(page.get_by_role("heading", name="Activeer uw abonnement")).to_be_visible()
    field = page.get_by_label("Kantoorcode")
    checks: list[str] = []
    page.on("request", lambda r: checks.append(r.post_data or "") if r.url.endswith("/v1/office-code-checks") else None)
    field.fill("")
    field.press_sequentially(office.office, delay=20)  # typed: one check after the typing stops, not one per key
    expect(page.locator(".availability [data-available=false]")).to_contain_text(office.office)
    expect(page.locator(".availability [data-suggestion]").first).to_be_visible()
    assert len(checks) == 1 and office.office in checks[0], checks
    screen.check("1-taken")
    page.locator(".availability [data-suggestion]").first.click()
    expect(page.locator(".availability [data-available=true]")).to_be_visible()
    free = unique("vrij")
    field.fill(free)
    expect(page.locator(".availability [data-available=true]")).to_contain_text(free)
    field.fill("x!")
    expect_text(page.locator(".availability"), "Te kort")
    screen.check("2-free")
    assert not screen.app_errors(), screen.app_errors()


@pytest.fixture(scope="package")
def uploaded(office: Office, new_screen: Callable[..., Screen], stack_url: str) -> dict[str, str]:
    """Three documents dropped on the inbox at once (two PDFs, one PNG), each with its progress bar, until
    recognition has turned each into a proposal; returns document ids by role."""
    from playwright.sync_api import expect

    screen = new_screen("inbox", storage_state=office.storage_state)
    page = screen.page
    screen.go(f"/inbox/{office.snelstart_administration_id}")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect_text(page.locator(".list-summary"), "Nog geen documenten")
    screen.check("1-empty")
    buyer = ADMINISTRATIONS[0]
    samples = {
        "approve": make_document(7101, supplier=NAMED_SUPPLIERS[0], buyer=buyer, fmt="pdf", layout="classic"),
        "reject": make_document(7102, supplier=NAMED_SUPPLIERS[1], buyer=buyer, fmt="pdf", layout="modern_right"),
        "image": make_document(7103, supplier=NAMED_SUPPLIERS[2], buyer=buyer, fmt="png", layout="classic"),
    }
    # Document data is hostile: a file name with markup must show as text and run nothing.
    names = {role: sample.filename for role, sample in samples.items()}
    names["reject"] = f"<img src=x onerror=alert(1)>{samples['reject'].filename}"
    drop_files(page, "[data-testid=dropzone]", [(names[role], s.content_type, s.content) for role, s in samples.items()])
    expect(page.locator(".upload")).to_have_count(3)
    expect(page.locator(".upload progress")).to_have_count(3)
    expect(page.locator(".upload[data-state=done]")).to_have_count(3)
    screen.shot("2-uploading")
    rows = page.locator("table.documents tbody tr")
    expect(rows).to_have_count(3)
    # The statuses change on the screen by themselves while recognition runs.
    expect(page.locator("tr[data-status=awaiting_approval]")).to_have_count(3, timeout=120_000)
    screen.check("3-recognised")
    ids = {}
    expect(page.locator(".upload-name", has_text=names["reject"])).to_have_count(1)
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    for role, sample in samples.items():
        row = page.locator("tr", has_text=sample.filename)  # the API may tidy the name; the tail stays
        expect(row.locator("td").nth(1)).not_to_have_text("—")  # the supplier
        expect(row.locator("td").nth(2)).to_contain_text("€")  # the amount
        # The invoice's own date and when it is due (not only when it came in), as the list of the API gives them.
        dates = row.locator("td[data-label=Factuurdatum]")
        expect(dates.locator("> time")).to_have_attribute("datetime", sample.truth["fields"]["invoice_date"])
        expect(dates.locator(".due time")).to_have_attribute("datetime", sample.truth["fields"]["due_date"])
        ids[role] = str(row.get_attribute("data-document"))
    # The status filter
    page.get_by_label("Status").select_option("booked")
    expect(rows).to_have_count(0)
    expect_text(page.locator(".list-summary"), "Geen documenten met status")
    page.get_by_label("Status").select_option("awaiting_approval")
    expect(rows).to_have_count(3)
    assert not screen.app_errors(), screen.app_errors()
    return ids


def test_three_documents_dropped_at_once_are_uploaded_and_recognised(uploaded: dict[str, str]) -> None:
    assert len(set(uploaded.values())) == 3


# Where pdf.js (the renderer the app shows the page with) puts a text on page 1, as fractions of the page.
TEXT_BOXES = """async ([b64, text]) => {
    const lib = await import('/vendor/pdfjs-dist/pdf.min.mjs');
    lib.GlobalWorkerOptions.workerSrc ||= '/vendor/pdfjs-dist/pdf.worker.min.mjs';
    const task = lib.getDocument({data: Uint8Array.from(atob(b64), c => c.charCodeAt(0)), isEvalSupported: false});
    const pdf = await task.promise;
    const page = await pdf.getPage(1);
    const viewport = page.getViewport({scale: 1});
    const [a, b, c, d, e, f] = viewport.transform;
    const point = (x, y) => [a * x + c * y + e, b * x + d * y + f];
    const items = (await page.getTextContent()).items.filter(i => i.str && i.str.includes(text));
    await task.destroy();
    return items.map(i => {
        const [x0, y0] = point(i.transform[4], i.transform[5]);
        const [x1, y1] = point(i.transform[4] + i.width, i.transform[5] + i.height);
        return [Math.min(x0, x1) / viewport.width, Math.min(y0, y1) / viewport.height,
                Math.max(x0, x1) / viewport.width, Math.max(y0, y1) / viewport.height];
    });
}"""


def _drawn_box(page: Any, field: str, page_number: int) -> tuple[float, float, float, float]:
    """The outline drawn for ``field`` as [left, top, right, bottom] fractions of its rendered page."""
    frame = page.locator(f".page[data-page='{page_number}']").bounding_box()
    drawn = page.locator(f".page[data-page='{page_number}'] .highlight[data-field='{field}']").bounding_box()
    assert frame and drawn
    return ((drawn["x"] - frame["x"]) / frame["width"], (drawn["y"] - frame["y"]) / frame["height"],
            (drawn["x"] + drawn["width"] - frame["x"]) / frame["width"],
            (drawn["y"] + drawn["height"] - frame["y"]) / frame["height"])


def _outline_lies_over_the_text(drawn: tuple[float, ...], texts: list[list[float]]) -> bool:
    """Whether the outline sits on one of the places pdf.js draws the text: the outline's centre inside the
    text's box and the text's middle line inside the outline (a text run may hold a label before the value)."""
    centre_x, centre_y = (drawn[0] + drawn[2]) / 2, (drawn[1] + drawn[3]) / 2
    return any(box[0] <= centre_x <= box[2] and box[1] <= centre_y <= box[3]
               and drawn[1] <= (box[1] + box[3]) / 2 <= drawn[3] for box in texts)


def test_review_shows_the_fields_on_the_page_a_corrected_gl_account_is_booked(
        office: Office, uploaded: dict[str, str], new_screen: Callable[..., Screen], stack_url: str) -> None:
    from playwright.sync_api import expect

    document_id = uploaded["approve"]
    path = f"/v1/offices/{office.office}/documents/{document_id}"
    detail = api(stack_url, "GET", path, token=office.token).json()
    screen = new_screen("review", storage_state=office.storage_state)
    page = screen.page
    screen.go(f"/documents/{document_id}")
    expect(page.locator(".page[data-rendered=true]").first).to_be_visible()
    locations = detail["recognition"]["locations"]
    assert {"invoice_number", "invoice_date", "total_incl_vat", "supplier_name"} <= set(locations), locations
    # Each recognised field outlined where recognition.locations says, over any rendering of the page ...
    for field, where in locations.items():
        expect(page.locator(f".page[data-page='{where['page']}'] .highlight[data-field='{field}']")).to_have_count(1)
        drawn = _drawn_box(page, field, where["page"])
        assert all(abs(d - w) < 0.01 for d, w in zip(drawn, where["box"], strict=True)), (field, drawn, where)
    # ... and that is where the page shows the value: the outline lies over the text pdf.js drew there.
    content = requests.get(f"{stack_url}{path}/content", headers={"Authorization": f"Bearer {office.token}"},
                           timeout=30).content
    proposal = detail["proposal"]
    shown = {"invoice_number": proposal["invoice_number"],
             "total_incl_vat": proposal["total_incl_vat"].replace(".", ",")}
    for field, text in shown.items():
        texts = page.evaluate(TEXT_BOXES, [base64.b64encode(content).decode(), text])
        assert texts, f"{text} is not on page 1"
        drawn = _drawn_box(page, field, locations[field]["page"])
        assert _outline_lies_over_the_text(drawn, texts), (field, drawn, texts)
    page.locator("#main .show-on-page[data-field=invoice_number]").click()
    expect(page.locator(".highlight.active")).to_have_count(1)
    expect(page.locator(".highlight.active")).to_have_attribute("data-field", "invoice_number")
    expect_text(page.locator(".supplier-field"), "Code|nieuwe leverancier")
    expect(page.locator(".provenance").first).to_contain_text("Bron:")
    screen.check("1-document")

    line = page.locator("fieldset[data-line='0']")
    gl = line.get_by_label("Grootboekrekening")
    current = gl.input_value()
    corrected = "4300" if current != "4300" else "4200"
    # The API's per-field errors, each next to its field: an account the package no longer has (deleted there
    # since the last sync, so still in the list) and a total the lines do not add up to.
    page.evaluate("""() => {
        const select = document.querySelector("fieldset[data-line='0'] select[name$='gl_account']");
        select.append(new Option('9999 · Vervallen rekening', '9999'));
    }""")
    gl.select_option("9999")
    total = page.get_by_label("Totaal incl. btw")
    right_total = total.input_value()
    total.fill("1,00")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect_text(page.locator(".field[data-field=total_incl_vat] .field-error"), "tellen op tot")
    expect_text(line.locator(".field[data-field$=gl_account] .field-error"), "bestaat niet in het pakket")
    expect(gl).to_be_focused()  # the first field in error
    screen.check("2-field-error")
    gl.select_option(corrected)
    total.fill(right_total)
    expect(page.get_by_role("button", name="Goedkeuren")).to_be_disabled()  # unsaved changes first
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect_text(page.locator(".alert-success"), "opgeslagen")
    expect(line.get_by_label("Grootboekrekening")).to_have_value(corrected)
    expect_text(line, "gewijzigd door sync")

    # Meanwhile someone else changes the proposal (the proposal object as GET returns it, one value changed).
    edited = api(stack_url, "GET", path, token=office.token).json()["proposal"]
    edited["lines"][0]["description"] = "Aangepast door een collega"
    answer = api(stack_url, "PUT", f"{path}/proposal", edited, token=office.token)
    assert answer.status_code == 200, answer.text
    # Approving what this screen shows is refused (409 proposal_changed): said in Dutch, the new version loaded.
    page.get_by_role("button", name="Goedkeuren").click()
    dialog = page.get_by_role("dialog", name="Document goedkeuren")
    dialog.get_by_role("button", name="Goedkeuren").click()
    expect(dialog).to_be_hidden()
    expect_text(page.locator(".decide .alert-warning"), "gewijzigd")
    expect(line.get_by_label("Omschrijving", exact=True)).to_have_value("Aangepast door een collega")
    assert api(stack_url, "GET", path, token=office.token).json()["status"] == "awaiting_approval"
    screen.check("3-proposal-changed")

    page.get_by_role("button", name="Goedkeuren").click()
    dialog = page.get_by_role("dialog", name="Document goedkeuren")
    expect(dialog).to_be_visible()
    screen.check("3-approve-dialog")
    dialog.get_by_label("Opmerking (optioneel)").fill("Grootboekrekening aangepast")
    dialog.get_by_role("button", name="Goedkeuren").click()
    expect(dialog).to_be_hidden()
    # The status moves on by itself: approved, booking, booked.
    expect(page.locator(".title-status [data-status]")).to_have_attribute("data-status", "booked", timeout=120_000)
    bookings = page.locator("[data-testid=bookings]")
    expect_text(bookings, "Geboekt")
    expect_text(page.locator(".decisions"), "Grootboekrekening aangepast")
    expect_text(page.locator(".history"), "Geboekt")
    expect(page.get_by_role("button", name="Wijzigingen opslaan")).to_be_hidden()
    screen.check("4-booked")
    assert not screen.app_errors(), screen.app_errors()

    booked = api(stack_url, "GET", path, token=office.token).json()
    entry_id = booked["bookings"][0]["entry_id"]
    entries = requests.get(f"{stack_url}/_local/packages/snelstart/administrations/{office.snelstart_code}/entries",
                           timeout=10).json()["entries"]
    entry = next(e for e in entries if e["entry_id"] == entry_id)
    assert entry["invoice_number"] == booked["proposal"]["invoice_number"]
    assert corrected in {str(line.get("gl_account")) for line in entry["lines"]}, entry


def test_review_changes_the_supplier_to_a_new_or_another_one(
        office: Office, uploaded: dict[str, str], new_screen: Callable[..., Screen], stack_url: str) -> None:
    from playwright.sync_api import expect

    document_id = uploaded["reject"]
    screen = new_screen("supplier", storage_state=office.storage_state)
    page = screen.page
    screen.go(f"/documents/{document_id}")
    supplier = page.get_by_role("combobox", name="Leverancier")
    expect(supplier).to_be_enabled()
    # A new supplier with an IBAN that fails its check digits: the API's error next to the IBAN.
    supplier.fill("Nieuwe Drukkerij B.V.")
    page.get_by_role("option", name=re.compile("Nieuwe leverancier")).click()
    page.get_by_label("IBAN (optioneel)").fill("NL00BANK0123456789")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect_text(page.locator(".field[data-field='supplier.iban'] .field-error"), "IBAN")
    screen.check("1-new-supplier-error")
    # Another supplier of the administration instead, found by name.
    other = SUPPLIERS[3]
    page.get_by_role("button", name="Terug naar de voorgestelde leverancier").click()
    supplier.fill(other.name)
    page.get_by_role("option", name=re.compile(f"^{re.escape(other.name)}")).click()
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect_text(page.locator(".alert-success"), "opgeslagen")
    expect_text(page.locator(".supplier-field"), "handmatig gekozen")
    proposal = api(stack_url, "GET", f"/v1/offices/{office.office}/documents/{document_id}",
                   token=office.token).json()["proposal"]
    assert (proposal["supplier"]["name"], proposal["supplier"]["match"]) == (other.name, "manual"), proposal["supplier"]
    screen.check("2-other-supplier")
    assert not screen.app_errors(), screen.app_errors()


def test_reject_with_a_reason_from_the_approval_mail_logged_out(
        office: Office, uploaded: dict[str, str], new_screen: Callable[..., Screen], stack_url: str) -> None:
    from playwright.sync_api import expect

    # The approval request's link ({WebAppUrl}/#/documents/<id>) opened in a browser that is not logged in:
    # first the login, then straight back to the document.
    link = mail_link(stack_url, office.email, f"/#/documents/{uploaded['reject']}")
    screen = new_screen("reject")
    page = screen.page
    page.goto(link)
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    page.get_by_label("Kantoorcode", exact=True).fill(office.office)
    page.get_by_label("Gebruikersnaam", exact=True).fill(office.username)
    page.get_by_label("Wachtwoord", exact=True).fill(office.password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(f"/#/documents/{uploaded['reject']}$"))
    expect(page.get_by_role("button", name="Afwijzen")).to_be_visible()
    page.get_by_role("button", name="Afwijzen").click()
    dialog = page.get_by_role("dialog", name="Document afwijzen")
    dialog.get_by_role("button", name="Afwijzen").click()
    expect_text(dialog.locator(".field-error"), "Geef een reden")
    screen.check("1-reject-dialog")
    page.keyboard.press("Escape")  # Escape closes the dialog, focus returns to the button
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Afwijzen")).to_be_focused()
    page.get_by_role("button", name="Afwijzen").click()
    dialog = page.get_by_role("dialog", name="Document afwijzen")
    dialog.get_by_label("Reden van afwijzen").fill("Geen bestelling van ons")
    dialog.get_by_role("button", name="Afwijzen").click()
    expect(page.locator(".title-status [data-status]")).to_have_attribute("data-status", "rejected", timeout=60_000)
    expect_text(page.locator(".decisions"), "wees af")
    expect(page.get_by_role("button", name="Goedkeuren")).to_have_count(0)
    screen.check("2-rejected")
    assert not screen.app_errors(), screen.app_errors()


def test_login_errors_throttling_kept_session_and_logout(office: Office, new_screen: Callable[..., Screen]) -> None:
    from playwright.sync_api import expect

    screen = new_screen("login")
    page = screen.page
    screen.go("/login")
    screen.check("1-login")
    # The labels outside acceptance checks use
    page.get_by_label("Kantoorcode", exact=True).fill(office.office)
    page.get_by_label("Gebruikersnaam", exact=True).fill(unique("niemand"))  # unknown users count like known ones
    for _ in range(6):
        page.get_by_label("Wachtwoord", exact=True).fill("fout wachtwoord 123")
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_selector(".alert-error:not([hidden])")
        if "Te veel pogingen" in (page.locator(".alert-error").text_content() or ""):
            break
        expect_text(page.locator(".alert-error"), "klopt niet")
        expect(page.get_by_role("button", name="Inloggen")).to_be_enabled()
    # 429 too_many_attempts: the Retry-After wait in Dutch, and the button waits as long
    expect_text(page.locator(".alert-error"), r"Te veel pogingen\. Probeer het over \d+ (seconde|seconden|minuut|minuten)")
    screen.check("2-login-throttled")

    page.get_by_label("Gebruikersnaam", exact=True).fill(office.username)
    page.get_by_label("Wachtwoord", exact=True).fill(office.password)
    expect(page.get_by_role("button", name="Inloggen")).to_be_enabled(timeout=60_000)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    rows = page.locator("table.documents tbody tr")
    expect(rows.first).to_be_visible()

    # An access token the API refuses (revoked, expired while the laptop slept): refreshed, the request retried.
    page.evaluate("""() => {
        const s = JSON.parse(localStorage.getItem('boekstuk.session'));
        s.access_token = 'kapot'; localStorage.setItem('boekstuk.session', JSON.stringify(s));
    }""")
    page.reload()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(rows.first).to_be_visible()
    assert page.evaluate("JSON.parse(localStorage.getItem('boekstuk.session')).access_token") != "kapot"
    # A token about to run out is refreshed before it does, without anyone noticing.
    page.evaluate("""() => {
        const s = JSON.parse(localStorage.getItem('boekstuk.session'));
        s.expires_at = Date.now() + 20000; localStorage.setItem('boekstuk.session', JSON.stringify(s));
    }""")
    page.reload()
    wait_for(lambda: page.evaluate("JSON.parse(localStorage.getItem('boekstuk.session')).expires_at > Date.now() + 600000"),
             "the proactive refresh")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()

    # Logging out revokes the refresh token the app keeps (the one the last refresh returned) at the API.
    refresh_token = page.evaluate("JSON.parse(localStorage.getItem('boekstuk.session')).refresh_token")
    with page.expect_response(lambda r: r.url.endswith("/v1/sessions") and r.request.method == "DELETE") as answer:
        page.get_by_role("button", name="Uitloggen").click()
    assert answer.value.status == 204
    expect_text(page.locator(".alert-info"), "U bent uitgelogd")
    assert page.evaluate("localStorage.getItem('boekstuk.session')") is None
    refreshed = api(screen.url, "POST", "/v1/sessions/refresh", {"refresh_token": refresh_token})
    assert refreshed.status_code == 401, refreshed.text
    screen.go(f"/inbox/{office.snelstart_administration_id}")  # a protected screen asks for a login again
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    assert not screen.app_errors(), screen.app_errors()


def test_settings_users_approval_policy_posting_rules_connections(
        office: Office, new_screen: Callable[..., Screen], stack_url: str) -> None:
    from playwright.sync_api import expect

    screen = new_screen("settings", storage_state=office.storage_state)
    page = screen.page
    admin_id = office.snelstart_administration_id

    screen.go("/settings/administrations")
    card = page.locator(f"[data-administration='{admin_id}']")
    expect(card).to_be_visible()
    listed = api(stack_url, "GET", f"/v1/offices/{office.office}/administrations", token=office.token).json()
    inbox_email = next(a for a in listed["administrations"] if a["administration_id"] == admin_id).get("inbox_email")
    if inbox_email:
        expect(card.locator("[data-testid=inbox-email]")).to_have_text(inbox_email)
    screen.check("1-administrations")

    screen.go("/settings/users")
    expect(page.locator("tr[data-user=sync]")).to_be_visible()
    page.get_by_label("Gebruikersnaam").fill("piet")
    page.get_by_label("E-mailadres").fill(f"piet-{office.office}@example.nl")
    page.get_by_label("Rol").select_option("approver")
    page.get_by_label("Eerste wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Gebruiker toevoegen").click()
    expect(page.locator("tr[data-user=piet]")).to_contain_text("Goedkeurder")
    page.get_by_label("Gebruikersnaam").fill("piet")
    page.get_by_label("Eerste wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Gebruiker toevoegen").click()
    expect_text(page.locator(".field[data-field=username] .field-error"), "bestaat al")
    screen.check("2-users")

    screen.go(f"/settings/approval/{admin_id}")
    step = page.locator("fieldset[data-step='0']")
    step.get_by_label("sync").check()
    step.get_by_label("piet").check()
    page.get_by_role("button", name="Stap toevoegen").click()
    second = page.locator("fieldset[data-step='1']")
    second.get_by_label("Vanaf bedrag (totaal incl. btw)").fill("5000,00")
    page.get_by_role("button", name="Beleid opslaan").click()
    expect_text(second.locator(".field-error:not([hidden])"), "Kies minstens één goedkeurder")
    second.get_by_label("piet").check()
    page.get_by_label("Automatisch goedkeuren onder (optioneel)").fill("25,00")
    page.get_by_role("button", name="Beleid opslaan").click()
    expect_text(page.locator(".alert-success"), "opgeslagen")
    screen.check("3-approval-policy")
    policy = api(stack_url, "GET", f"/v1/offices/{office.office}/administrations/{admin_id}/approval-policy",
                 token=office.token).json()
    assert [(s["min_amount"], sorted(s["approvers"])) for s in policy["steps"]] == [
        ("0.00", ["piet", "sync"]), ("5000.00", ["piet"])], policy
    assert policy["auto_approve_below"] == "25.00"

    screen.go(f"/settings/rules/{admin_id}")
    supplier = SUPPLIERS[3]
    page.get_by_label("Zoek leverancier").fill(supplier.name)
    row = page.locator("table.rules tbody tr").first
    expect(row).to_contain_text(supplier.name)
    row.get_by_role("button").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Grootboekrekening").select_option("4200")
    dialog.get_by_label("Omschrijving (optioneel)").fill("[supplier] [month-1] [year]")
    screen.check("4-posting-rule-dialog")
    dialog.get_by_role("button", name="Opslaan").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("table.rules tbody tr").first).to_contain_text("4200")
    code = page.locator("table.rules tbody tr").first.get_attribute("data-supplier")
    found = api(stack_url, "GET", f"/v1/offices/{office.office}/administrations/{admin_id}/suppliers",
                token=office.token, params={"q": supplier.name}).json()["suppliers"]
    assert next(s for s in found if s["code"] == code)["rule"]["gl_account"] == "4200"
    screen.check("5-posting-rules")
    page.locator("table.rules tbody tr").first.get_by_role("button", name=re.compile("wijzigen")).click()
    page.get_by_role("dialog").get_by_role("button", name="Regel verwijderen").click()
    expect_text(page.locator(".alert-info"), "verwijderd")

    screen.go("/settings/connections")
    expect(page.locator("article.connection")).to_have_count(2)
    expect_text(page.locator("article.connection").first, "Gekoppeld")
    screen.check("6-connections")
    page.locator("article.connection").first.get_by_role("link", name="Administraties toevoegen").click()
    expect(page.get_by_role("heading", name="Administraties toevoegen")).to_be_visible()
    expect(page.locator(".admin-choice.unavailable").first).to_be_visible()  # the linked ones, not choosable
    screen.check("7-connection-administrations")

    # Back from a package's login page with an error (the callback's status=error&code=...)
    screen.go("/onboarding/connected?status=error&code=invalid_oauth_state")
    expect_text(page.locator(".alert-error"), "inloglink is verlopen of al gebruikt")
    screen.check("8-oauth-error")
    screen.go("/bestaat/niet")
    expect(page.get_by_role("heading", name="Deze pagina bestaat niet")).to_be_visible()
    screen.check("9-not-found")
    assert not screen.app_errors(), screen.app_errors()


def test_password_reset_with_the_mailed_code(office: Office, new_screen: Callable[..., Screen], stack_url: str) -> None:
    from playwright.sync_api import expect

    username = unique("marieke")
    email = f"{username}@example.nl"
    added = api(stack_url, "POST", f"/v1/offices/{office.office}/users",
                {"username": username, "email": email, "role": "approver", "password": PASSWORD}, token=office.token)
    assert added.status_code == 201, added.text
    screen = new_screen("password-reset")
    page = screen.page
    screen.go("/login")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(page.get_by_role("heading", name="Wachtwoord vergeten")).to_be_visible()
    screen.check("1-ask")
    page.get_by_label("Kantoorcode").fill(office.office)
    page.get_by_label("Gebruikersnaam").fill(username)
    before = mail_count(stack_url, email)
    page.get_by_role("button", name="Code versturen").click()
    expect(page.get_by_role("heading", name="Nieuw wachtwoord instellen")).to_be_visible()
    code = mail_code(stack_url, email, after=before)
    # The e-mail's link (#/password-reset), opened elsewhere (the phone's mail app): the code it brings is entered
    # there, without asking for another one.
    link = mail_link(stack_url, email, "/#/password-reset")
    elsewhere = new_screen("password-reset-link")
    page = elsewhere.page
    page.goto(link)
    expect(page.get_by_role("heading", name="Wachtwoord vergeten")).to_be_visible()
    page.get_by_label("Kantoorcode").fill(office.office)
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_role("button", name="Ik heb al een code").click()
    expect(page.get_by_role("heading", name="Nieuw wachtwoord instellen")).to_be_visible()
    assert mail_count(stack_url, email) == before + 1  # no second code was sent
    new_password = "een heel nieuw wachtwoord 2"
    page.get_by_label("Code uit de e-mail").fill("000000" if code != "000000" else "111111")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(new_password)
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill(new_password)
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect_text(page.locator(".field[data-field=code] .field-error"), "klopt niet")
    elsewhere.check("2-confirm-wrong-code")
    page.get_by_label("Code uit de e-mail").fill(code)
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    expect_text(page.locator(".alert-info"), "wachtwoord is gewijzigd")
    page.get_by_label("Wachtwoord", exact=True).fill(new_password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    assert not screen.app_errors(), screen.app_errors()
    assert not elsewhere.app_errors(), elsewhere.app_errors()


TAP_TARGETS = """() => {
    const selector = 'button, select, textarea, input:not([type=checkbox]):not([type=radio]):not([type=file]), '
        + 'a.button, label.button, .topnav a, .tabs a, .doc-link, .choice label, .admin-choice label, .field-check label, '
        + 'summary, .back a, .link-list a, .viewer-toolbar a, [role=option]';
    const small = [];
    for (const el of document.querySelectorAll(selector)) {
        if (el.closest('[hidden], .visually-hidden') || !el.getClientRects().length) continue;
        const box = el.getBoundingClientRect();
        if (box.height < 44 || box.width < 44) small.push(`${el.tagName} ${el.textContent.trim().slice(0, 30)} ${box.width}x${box.height}`);
    }
    return small;
}"""


STICKING_OUT = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 390)
    .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(-8)"""


def _fits_the_phone(screen: Screen, name: str) -> None:
    """No sideways scrolling, every control at least 44 x 44 px, a screenshot and axe."""
    page = screen.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, (name, page.evaluate(STICKING_OUT))
    assert page.evaluate(TAP_TARGETS) == [], name
    screen.check(name)


def test_phone_camera_upload_and_the_document_above_its_proposal(
        office: Office, uploaded: dict[str, str], new_screen: Callable[..., Screen]) -> None:
    from playwright.sync_api import expect

    screen = new_screen("phone", phone=True, storage_state=office.storage_state)
    page = screen.page
    screen.go(f"/inbox/{office.snelstart_administration_id}")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    camera = page.locator("input[type=file][capture]")
    assert camera.get_attribute("accept") == "image/*,application/pdf"
    expect(page.locator("label", has_text="Foto maken")).to_be_visible()
    expect(page.locator("table.documents tbody tr").first).to_be_visible()
    _fits_the_phone(screen, "1-inbox")
    photo = make_document(7104, supplier=SUPPLIERS[4], buyer=ADMINISTRATIONS[0], fmt="jpeg", kind="receipt")
    page.get_by_label("Soort document").select_option("receipt")
    camera.set_input_files({"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": photo.content})
    expect(page.locator(".upload[data-state=done]")).to_have_count(1)
    expect(page.locator("tr", has_text="foto.jpg")).to_contain_text("Kassabon")
    screen.check("2-photo-uploaded")

    screen.go(f"/documents/{uploaded['image']}")
    expect(page.locator("img.page-image")).to_be_visible()
    wait_for(lambda: page.evaluate("document.querySelector('img.page-image').naturalWidth > 0"), "the image")
    viewer = page.locator(".viewer-pane").bounding_box()
    proposal = page.locator(".proposal-pane").bounding_box()
    assert viewer and proposal and viewer["y"] + viewer["height"] <= proposal["y"] + 1, (viewer, proposal)
    assert viewer["width"] <= 390 and proposal["width"] <= 390
    expect(page.locator("#main .show-on-page").first).to_be_visible()
    _fits_the_phone(screen, "3-review")
    # "Toon op pagina" scrolls up to the outlined field on the image above.
    page.locator("#main .show-on-page[data-field=invoice_number]").click()
    expect(page.locator(".highlight.active[data-field=invoice_number]")).to_be_in_viewport()
    page.locator("details.info-block summary").click()  # the recognised data, each with its page button
    supplier = page.get_by_role("combobox", name="Leverancier")
    supplier.fill(SUPPLIERS[3].name[:6])
    expect(page.get_by_role("option").first).to_be_visible()
    _fits_the_phone(screen, "4-review-details-and-suppliers")
    supplier.press("Escape")
    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.get_by_role("dialog", name="Document goedkeuren")).to_be_visible()
    _fits_the_phone(screen, "5-approve-dialog")
    page.keyboard.press("Escape")
    # Approved (through the API: this test needs no other test to have run first), booked: bookings and history.
    path = f"/v1/offices/{office.office}/documents/{uploaded['image']}"
    version = api(screen.url, "GET", path, token=office.token).json()["proposal_version"]
    approved = api(screen.url, "POST", f"{path}/approve", {"comment": "", "proposal_version": version}, token=office.token)
    assert approved.status_code == 200, approved.text
    wait_for(lambda: api(screen.url, "GET", path, token=office.token).json()["status"] == "booked", "the booking")
    # This screen still shows it awaiting approval: saving an edit now is refused (409 document_locked), said
    # plainly, and the booked document shown instead.
    page.get_by_label("Factuurnummer").fill("TE-LAAT-1")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect_text(page.locator(".decide .alert-warning"), "geboekt en kan niet meer worden gewijzigd")
    expect_text(page.locator("[data-testid=bookings]"), "Geboekt")
    expect(page.get_by_role("button", name="Wijzigingen opslaan")).to_have_count(0)
    page.locator("details.info-block summary").click()
    _fits_the_phone(screen, "5-booked")

    admin_id = office.snelstart_administration_id
    connection = api(screen.url, "GET", f"/v1/offices/{office.office}/connections", token=office.token).json()
    for name, route in [("6-administrations", "/settings/administrations"), ("7-users", "/settings/users"),
                        ("8-approval-policy", f"/settings/approval/{admin_id}"), ("9-rules", f"/settings/rules/{admin_id}"),
                        ("10-connections", "/settings/connections"),
                        ("11-add-administrations", f"/settings/connections/{connection['connections'][0]['connection_id']}")]:
        screen.go(route)
        expect(page.locator("#main h1")).to_be_visible()
        expect(page.locator("#main .loading")).to_have_count(0)
        _fits_the_phone(screen, name)
    assert not screen.app_errors(), screen.app_errors()

    # Logged out: the login, the forgotten password and the signup.
    outside = new_screen("phone-logged-out", phone=True)
    for name, route, heading in [("12-login", "/login", "Inloggen"), ("13-password-reset", "/password-reset", "Wachtwoord vergeten"),
                                 ("14-signup", "/onboarding/signup", "Aanmelden")]:
        outside.go(route)
        expect(outside.page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        _fits_the_phone(outside, name)
    assert not outside.app_errors(), outside.app_errors()
