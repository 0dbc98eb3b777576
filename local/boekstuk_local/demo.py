"""``boekstuk demo``: the main job, step by step, against a running local stack (``boekstuk up``).

Signs up, confirms with the code from the local mailbox, activates a fresh office, logs in, adds an approver,
links SnelStart (client key) and Exact Online (OAuth2, logging in at the simulator like a person), adds five
administrations and shows the synced suppliers. Where the stack serves the documents API it then uploads a
generated Dutch invoice, prints what the system recognised and proposes, approves it as the approver and shows
the entry booked in the package. Everything goes over HTTP, like any client.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

import requests

DEFAULT_URL = "http://127.0.0.1:3000"
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DOCUMENT_STOP_STATUSES = {"awaiting_approval", "approved", "booking", "booked", "rejected", "duplicate",
                          "unreadable", "failed"}
DOCUMENT_BAD_STATUSES = {"rejected", "duplicate", "unreadable", "failed"}
DOCUMENTS_PATH = "/v1/offices/{office}/administrations/{administration_id}/documents"
TIMEOUT = 90.0  # seconds per request: a package's rate limit can hold an answer for up to a minute


class DemoFailed(Exception):
    """A step did not do what it should; carries the HTTP answer (a problem document) when there is one."""

    def __init__(self, message: str, answer: requests.Response | None = None) -> None:
        super().__init__(message)
        self.answer = answer


def _pretty(answer: requests.Response) -> str:
    try:
        return json.dumps(answer.json(), indent=2, ensure_ascii=False)
    except ValueError:
        return answer.text[:2000]


class Demo:
    """The walk-through; ``run()`` raises ``DemoFailed`` at the first step that goes wrong."""

    def __init__(self, url: str, office_code: str | None = None, *, out: Callable[[str], None] = print,
                 document_timeout: float = 180.0) -> None:
        self.url = url.rstrip("/")
        suffix = secrets.token_hex(3)
        self.office = office_code or f"demo-{suffix}"
        self.email = f"{self.office}+{suffix}@example.nl"
        self.password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(20))
        self.http = requests.Session()
        self.token = ""
        self.out = out
        self.document_timeout = document_timeout
        self._step = 0
        self.last_answer: requests.Response | None = None

    # --- plumbing -----------------------------------------------------------------------------------

    def step(self, title: str) -> None:
        self._step += 1
        self.out(f"\n[{self._step}] {title}")

    def say(self, text: str) -> None:
        self.out(f"    {text}")

    def call(self, method: str, path: str, expect: Iterable[int], what: str, *, auth: bool = True,
             **kwargs: Any) -> requests.Response:
        """One API call; anything but an ``expect``ed status is a failure of ``what``."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        url = path if path.startswith("http") else self.url + path
        answer = self.http.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
        self.last_answer = answer
        if answer.status_code not in set(expect):
            raise DemoFailed(f"{what}: {method} {urllib.parse.urlsplit(url).path} answered {answer.status_code}",
                             answer)
        return answer

    # --- the walk-through ---------------------------------------------------------------------------

    def run(self) -> None:
        """All steps in order."""
        self.health()
        signup_id = self.signup()
        activation_token = self.confirm(signup_id)
        self.activate(activation_token)
        self.login()
        self.add_approver()
        packages = self.packages()
        self.link_credentials(packages, "snelstart")
        exact = self.link_oauth(packages, "exact_online")
        self.add_administrations(exact)
        administration = self.show_administrations()
        self.show_suppliers(administration)
        self.document(administration)
        self.out(f"\nDone. Office {self.office!r}: log in as 'sync' with password {self.password!r} "
                 f"(or as 'piet', the approver, with the same password).")

    def health(self) -> None:
        self.step(f"Health check of the local stack at {self.url}")
        body = self.call("GET", "/v1/health", [200], "health check", auth=False).json()
        self.say(f"GET /v1/health -> {body}")

    def signup(self) -> str:
        self.step("Step 1: sign up (trial plan, confirmed twice: in the form and by e-mail)")
        body = {"company_name": "Bakkerij De Vries B.V.", "contact_name": "Anna de Vries", "email": self.email,
                "phone": "+31 20 123 4567", "plan": "trial", "plan_confirmation": "trial", "accept_terms": True}
        created = self.call("POST", "/v1/signups", [201], "signup", auth=False, json=body).json()
        self.say(f"signup {created['signup_id']} for {self.email}: {created['status']}, plan {created['plan']}")
        return str(created["signup_id"])

    def read_mail(self, predicate: Callable[[dict[str, Any]], bool], what: str, wait: float = 15.0) -> dict[str, Any]:
        """The newest local e-mail to us that ``predicate`` accepts (waits a little for it to arrive)."""
        deadline = time.monotonic() + wait
        while True:
            answer = self.call("GET", "/_local/mail", [200], "reading the local mailbox", auth=False,
                               params={"to": self.email})
            messages = [m for m in answer.json().get("messages", []) if predicate(m)]
            if messages:
                return messages[-1]
            if time.monotonic() > deadline:
                raise DemoFailed(f"no e-mail with {what} reached {self.email} within {wait:.0f} s", answer)
            time.sleep(0.2)

    def confirm(self, signup_id: str) -> str:
        self.step("Confirm the signup with the code from the e-mail (read from /_local/mail)")
        mail = self.read_mail(lambda m: bool(m.get("codes")), "a confirmation code")
        code = mail["codes"][0]
        self.say(f"e-mail {mail['subject']!r} carries code {code}")
        confirmed = self.call("POST", f"/v1/signups/{signup_id}/confirmation", [200], "confirmation", auth=False,
                              json={"code": code}).json()
        self.say(f"signup {confirmed['status']}; activation token received")
        return str(confirmed["activation_token"])

    def activate(self, activation_token: str) -> None:
        self.step(f"Step 2: activate the subscription (office {self.office!r}, synchronisation user 'sync')")
        body = {"activation_token": activation_token, "office_code": self.office, "username": "sync",
                "password": self.password}
        office = self.call("POST", "/v1/activations", [201], "activation", auth=False, json=body).json()
        self.say(f"office {office['office_code']}, user {office['username']} ({office['role']}), "
                 f"plan {office['plan']} until {office.get('trial_ends_at')}")

    def login(self) -> None:
        self.step("Log in")
        body = {"office_code": self.office, "username": "sync", "password": self.password}
        session = self.call("POST", "/v1/sessions", [200], "login", auth=False, json=body).json()
        self.token = str(session["access_token"])
        me = self.call("GET", "/v1/me", [200], "who am I").json()
        self.say(f"bearer token valid for {session['expires_in']} s; GET /v1/me -> {me}")

    def add_approver(self) -> None:
        self.step("Add an approver")
        body = {"username": "piet", "email": f"piet.{self.email}", "role": "approver", "password": self.password}
        self.call("POST", f"/v1/offices/{self.office}/users", [201], "adding the approver", json=body)
        users = self.call("GET", f"/v1/offices/{self.office}/users", [200], "listing users").json()
        rows = users.get("users", users) if isinstance(users, dict) else users
        self.say("users: " + ", ".join(f"{u['username']} ({u['role']})" for u in rows))

    def packages(self) -> dict[str, dict[str, Any]]:
        self.step("Step 3: the accounting packages one can link (GET /v1/packages)")
        listed = self.call("GET", "/v1/packages", [200], "package catalogue", auth=False).json()
        for package in listed:
            fields = ", ".join(f["name"] for f in package.get("credential_fields", [])) or "-"
            self.say(f"{package['id']:13} {package['name']:28} auth={package['auth']:11} fields: {fields}")
        return {p["id"]: p for p in listed}

    def link_credentials(self, packages: dict[str, dict[str, Any]], package_id: str) -> str:
        from boekstuk_local.simulators.registry import DEMO_LOGINS

        info = packages[package_id]
        self.step(f"Link {info['name']} with its credentials (verified at the package before anything is stored)")
        body = {"package": package_id, "description": f"{info['name']} kantoor", "credentials": DEMO_LOGINS[package_id]}
        linked = self.call("POST", f"/v1/offices/{self.office}/connections", [201], f"linking {info['name']}",
                           json=body).json()
        self.say(f"connection {linked['connection_id']}: {linked['status']}")
        return str(linked["connection_id"])

    def link_oauth(self, packages: dict[str, dict[str, Any]], package_id: str) -> str:
        from boekstuk_local.simulators.registry import DEMO_LOGINS

        info = packages[package_id]
        self.step(f"Link {info['name']} through OAuth2 (log in at the package, as a person would)")
        body = {"package": package_id, "description": f"{info['name']} kantoor"}
        pending = self.call("POST", f"/v1/offices/{self.office}/connections", [201], f"linking {info['name']}",
                            json=body).json()
        self.say(f"connection {pending['connection_id']}: {pending['status']}")
        self.say(f"authorize_url: {pending['authorize_url']}")
        login = DEMO_LOGINS[package_id]
        browser = requests.Session()  # the person's browser, not our API client
        form = browser.get(pending["authorize_url"], timeout=TIMEOUT)
        if form.status_code != 200 or "<form" not in form.text:
            raise DemoFailed(f"the {info['name']} login page did not show a form", form)
        self.say(f"login page shown; posting the demo login {login['username']!r}")
        redirect = browser.post(pending["authorize_url"], data={"username": login["username"],
                                                                "password": login["password"]},
                                allow_redirects=False, timeout=TIMEOUT)
        if redirect.status_code not in (302, 303) or "Location" not in redirect.headers:
            raise DemoFailed(f"{info['name']} refused the demo login", redirect)
        callback = redirect.headers["Location"]
        self.say(f"{info['name']} redirects to {urllib.parse.urlsplit(callback).path}?code=...&state=...")
        done = self.call("GET", callback, [200], "the OAuth callback", auth=False,
                         headers={"Accept": "application/json"}).json()
        self.say(f"callback answered: connection {done.get('connection_id', pending['connection_id'])} "
                 f"is {done.get('status')}")
        if done.get("status") != "verified":
            raise DemoFailed(f"the {info['name']} connection is {done.get('status')!r}, not verified")
        return str(pending["connection_id"])

    def add_administrations(self, connection_id: str) -> None:
        self.step("Step 4: the administrations the package user sees, then add five")
        path = f"/v1/offices/{self.office}/connections/{connection_id}/administrations"
        listed = self.call("GET", path, [200], "listing administrations").json()["administrations"]
        for adm in listed:
            note = "" if adm["accessible"] else "   <- no access for this package user"
            self.say(f"{adm['code']:>10}  {adm['name']}{note}")
        closed = [a for a in listed if not a["accessible"]]
        if len(listed) != 7 or len(closed) != 1:
            raise DemoFailed(f"expected 7 administrations with one inaccessible, got {len(listed)} "
                             f"with {len(closed)} inaccessible")
        codes = [a["code"] for a in listed if a["accessible"]][:5]
        added = self.call("POST", path, [201], "adding administrations", json={"codes": codes}).json()["added"]
        self.say(f"added {len(added)}: " + ", ".join(a["name"] for a in added) + " (each starts a supplier sync)")

    def show_administrations(self) -> dict[str, Any]:
        self.step("The office's administrations")
        path = f"/v1/offices/{self.office}/administrations"
        mine = self.call("GET", path, [200], "listing the office's administrations").json()["administrations"]
        for adm in mine:
            suppliers = adm.get("suppliers") or {}
            self.say(f"{adm['package']:13} {adm['code']:>10}  {adm['name']:30} suppliers: {suppliers.get('count')}")
        if not mine:
            raise DemoFailed("the office has no administrations after adding five")
        return dict(mine[0])

    def show_suppliers(self, administration: dict[str, Any]) -> None:
        from boekstuk_local.simulators.seed import NAMED_SUPPLIERS

        self.step(f"Suppliers synced from the package into {administration['name']!r}")
        path = f"/v1/offices/{self.office}/administrations/{administration['administration_id']}/suppliers"
        deadline = time.monotonic() + 30
        while True:
            suppliers = self.call("GET", path, [200], "listing suppliers", params={"limit": 200}).json()["suppliers"]
            names = {s["name"] for s in suppliers}
            if all(n.name in names for n in NAMED_SUPPLIERS) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        for s in suppliers:
            self.say(f"{s['code']:>8}  {s['name']:36} {s.get('vat_id') or '':15} KvK {s.get('kvk') or '':9} "
                     f"{s.get('iban') or ''}")
        missing = [n.name for n in NAMED_SUPPLIERS if n.name not in names]
        if missing:
            raise DemoFailed(f"suppliers missing after the sync: {', '.join(missing)}")

    # --- documents (once the API is built) ----------------------------------------------------------

    def documents_built(self) -> bool:
        """Whether the running stack serves the documents API (it is listed in its OpenAPI document)."""
        answer = self.call("GET", "/v1/openapi.json", [200], "reading the OpenAPI document", auth=False)
        return "post" in answer.json().get("paths", {}).get(DOCUMENTS_PATH, {})

    def document(self, administration: dict[str, Any]) -> None:
        from boekstuk_local.samples import make_document
        from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS

        path = DOCUMENTS_PATH.format(office=self.office, administration_id=administration["administration_id"])
        self.step("Upload a purchase invoice")
        built = self.documents_built()
        seed = random.randrange(1, 100_000)
        buyer = next((a for a in ADMINISTRATIONS if a.name == administration["name"]), ADMINISTRATIONS[0])
        sample = make_document(seed, supplier=NAMED_SUPPLIERS[0], buyer=buyer, fmt="pdf")
        slot_request = {"filename": sample.filename, "content_type": sample.content_type, "kind": "purchase_invoice"}
        headers = {"Authorization": f"Bearer {self.token}"}
        probe = self.http.post(self.url + path, json=slot_request, headers=headers, timeout=TIMEOUT)
        if probe.status_code == 404 or (not built and probe.status_code >= 500):
            self.say(f"skipped: this stack does not serve POST {DOCUMENTS_PATH} yet "
                     f"(answered {probe.status_code}; not in /v1/openapi.json)")
            return
        if probe.status_code != 201:
            raise DemoFailed(f"requesting an upload slot answered {probe.status_code}", probe)
        spec = sample.spec
        self.say(f"generated {sample.filename} ({len(sample.content)} bytes): {spec.supplier.name}, "
                 f"invoice {spec.number} of {spec.issue_date}, total {spec.total_incl_vat} {spec.currency}")
        slot = probe.json()
        upload = slot["upload"]
        self.say(f"document {slot['document_id']}: {upload['method']} the bytes to the presigned URL")
        put = requests.request(upload["method"], upload["url"], data=sample.content,
                               headers=upload.get("headers") or {}, timeout=TIMEOUT)
        if put.status_code not in (200, 201, 204):
            raise DemoFailed(f"uploading to the presigned URL answered {put.status_code}", put)
        self.step("Wait for recognition and the booking proposal")
        detail_path = f"/v1/offices/{self.office}/documents/{slot['document_id']}"
        detail = self.wait_for(detail_path, DOCUMENT_STOP_STATUSES, "recognition")
        status = str(detail.get("status"))
        self.show_document(detail)
        if status in DOCUMENT_BAD_STATUSES:
            raise DemoFailed(f"the document ended as {status!r}: {detail.get('error')}")
        if status == "awaiting_approval":
            self.approve_and_book(detail_path, administration)

    def wait_for(self, path: str, statuses: set[str], what: str) -> dict[str, Any]:
        """Poll the document at ``path`` until its status is one of ``statuses``; prints each change."""
        deadline = time.monotonic() + self.document_timeout
        status = ""
        while True:
            detail: dict[str, Any] = self.call("GET", path, [200], f"reading the document ({what})").json()
            if detail.get("status") != status:
                status = str(detail.get("status"))
                self.say(f"status: {status}")
            if status in statuses:
                return detail
            if time.monotonic() > deadline:
                raise DemoFailed(f"the document is still {status!r} after {self.document_timeout:.0f} s ({what})")
            time.sleep(0.5)

    def _approve(self, detail_path: str) -> requests.Response:
        """POST approve; while the workflow is still parking its approval request (409 ``invalid_status``,
        "try again in a moment") the demo tries again for a little while, as the answer asks."""
        deadline = time.monotonic() + 30
        while True:
            answer = self.http.post(f"{self.url}{detail_path}/approve", json={"comment": "akkoord (demo)"},
                                    headers={"Authorization": f"Bearer {self.token}"}, timeout=TIMEOUT)
            self.last_answer = answer
            retry = answer.status_code == 409 and answer.json().get("code") == "invalid_status"
            if not retry or time.monotonic() > deadline:
                return answer
            self.say(f"not yet: {answer.json().get('detail')}")
            time.sleep(0.5)

    def approve_and_book(self, detail_path: str, administration: dict[str, Any]) -> None:
        self.step("Approve as 'piet' (the approver), then wait for the booking")
        body = {"office_code": self.office, "username": "piet", "password": self.password}
        sync_token = self.token
        self.token = str(self.call("POST", "/v1/sessions", [200], "approver login", auth=False, json=body)
                         .json()["access_token"])
        try:
            approve = self._approve(detail_path)
        finally:
            self.token = sync_token
        if approve.status_code == 404:
            self.say("skipped: this stack does not serve the approvals API yet")
            return
        if approve.status_code != 200:
            raise DemoFailed(f"approving answered {approve.status_code}", approve)
        decided = approve.json()
        self.say(f"document {decided.get('status')}; decisions: "
                 + ", ".join(f"{d.get('user')} {d.get('decision')}" for d in (decided.get("approval") or {}).get(
                     "decisions", [])))
        detail = self.wait_for(detail_path, {"booked", "failed", "rejected"}, "booking")
        for booking in detail.get("bookings") or []:
            self.say(f"{booking.get('package')}: {booking.get('status')}, entry {booking.get('entry_id')}"
                     f"{', error: ' + str(booking.get('error')) if booking.get('error') else ''}")
        if detail.get("status") != "booked":
            raise DemoFailed(f"the document ended as {detail.get('status')!r}: {detail.get('error')}")
        entries = self.call("GET", f"/_local/packages/{administration['package']}/administrations/"
                            f"{administration['code']}/entries", [200], "reading the package's entries",
                            auth=False).json()["entries"]
        self.step(f"What {administration['package']} now holds for administration {administration['code']}")
        for entry in entries:
            attachment = entry.get("attachment") or {}
            self.say(f"entry {entry.get('entry_id')}: supplier {entry.get('supplier_code')}, invoice "
                     f"{entry.get('invoice_number')} of {entry.get('invoice_date')}, total {entry.get('total_incl_vat')}"
                     f", attachment {attachment.get('filename')}")
        if not entries:
            raise DemoFailed("the document is booked but the package lists no entry")

    def show_document(self, detail: dict[str, Any]) -> None:
        recognition = detail.get("recognition") or {}
        self.step(f"Recognition ({recognition.get('engine')})")
        for name, value in (recognition.get("fields") or {}).items():
            self.say(f"{name:18} {value}")
        for line in recognition.get("vat_lines") or []:
            self.say(f"VAT {line.get('rate')}%: base {line.get('base')}, VAT {line.get('amount')}")
        proposal = detail.get("proposal") or {}
        self.step("Booking proposal")
        supplier = proposal.get("supplier") or {}
        self.say(f"supplier {supplier.get('code')} {supplier.get('name')} (matched by {supplier.get('match')})")
        self.say(f"invoice {proposal.get('invoice_number')} of {proposal.get('invoice_date')}, "
                 f"due {proposal.get('due_date')}, total {proposal.get('total_incl_vat')} {proposal.get('currency')}")
        for line in proposal.get("lines") or []:
            self.say(f"GL {line.get('gl_account')}  {line.get('description')!s:40} {line.get('amount_excl_vat')!s:>10} "
                     f"+ VAT {line.get('vat_amount')} (VAT code {line.get('vat_code')})")
        for warning in proposal.get("warnings") or []:
            self.say(f"warning {warning.get('code')}: {warning.get('detail')}")


def main(argv: list[str] | None = None) -> int:
    """``boekstuk demo [--url URL] [--office-code CODE]``; 0 when every step worked."""
    parser = argparse.ArgumentParser(prog="boekstuk demo",
                                     description="Walk the onboarding and a document through a running stack.")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"base URL of the running stack (default {DEFAULT_URL})")
    parser.add_argument("--office-code", default=None, help="office code to create (default: demo-<random>)")
    args = parser.parse_args(argv)
    demo = Demo(args.url, args.office_code)
    try:
        demo.run()
    except DemoFailed as exc:
        print(f"\nDEMO FAILED: {exc}", file=sys.stderr)
        if exc.answer is not None:
            print(_pretty(exc.answer), file=sys.stderr)
        return 1
    except (KeyError, TypeError, ValueError) as exc:
        print(f"\nDEMO FAILED: unexpected answer ({type(exc).__name__}: {exc})", file=sys.stderr)
        if demo.last_answer is not None:
            print(_pretty(demo.last_answer), file=sys.stderr)
        return 1
    except requests.ConnectionError as exc:
        print(f"\nDEMO FAILED: cannot reach {demo.url} ({type(exc).__name__}). "
              f"Start the stack first with `boekstuk up`.", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"\nDEMO FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
