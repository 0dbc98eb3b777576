"""``boekstuk demo``: the main job, step by step, against a running local stack (``boekstuk up``).

Signs up, confirms with the code from the local mailbox, activates a fresh office, logs in, adds two approvers,
links SnelStart (client key), adds the bakery's administration and shows its synced suppliers, sets a two-step
approval policy, writes a folder of generated sample documents (an e-invoice, text PDFs, a scan, a receipt, a
credit note, an expense claim) and uploads it with a progress bar. It shows each proposal, approves them (one
through both steps of the policy), rejects one, and prints a summary table of what the package now holds.
Everything goes over HTTP, like any client. The stack's own logs belong in a file (``boekstuk up --log-file``),
which ``--stack-log`` names, so they never interleave with this output.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

DEFAULT_URL = "http://127.0.0.1:3000"
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
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
                 document_timeout: float = 180.0, documents_dir: Path | None = None,
                 stack_log: str | None = None) -> None:
        self.url = url.rstrip("/")
        suffix = secrets.token_hex(3)
        self.office = office_code or f"demo-{suffix}"
        self.email = f"{self.office}+{suffix}@example.nl"
        self.password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(20))
        self.http = requests.Session()
        self.token = ""
        self.out = out
        self.document_timeout = document_timeout
        self.documents_dir = documents_dir
        self.stack_log = stack_log
        self.seed = random.randrange(1, 10_000_000)  # each run's documents (and invoice numbers) are new
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
        self.add_approvers()
        packages = self.packages()
        connection = self.link_credentials(packages, "snelstart")
        administration = self.add_administration(connection)
        self.show_suppliers(administration)
        self.set_policy(administration)
        files = self.write_documents(administration)
        documents = self.upload_folder(administration, files)
        self.proposals(documents)
        self.decisions(administration, documents)
        self.results(administration, documents)
        self.out(f"\nDone. Office {self.office!r}: log in at {self.url}/ as 'sync' with password {self.password!r} "
                 f"(or as the approvers 'piet' and 'anna', with the same password).")
        if self.stack_log:
            self.out(f"The stack's logs (JSON lines) are in {self.stack_log}")

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

    def add_approvers(self) -> None:
        self.step("Add two approvers")
        for username in ("piet", "anna"):
            body = {"username": username, "email": f"{username}.{self.email}", "role": "approver",
                    "password": self.password}
            self.call("POST", f"/v1/offices/{self.office}/users", [201], f"adding {username}", json=body)
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

    def add_administration(self, connection_id: str) -> dict[str, Any]:
        from boekstuk_local.simulators.seed import ADMINISTRATIONS

        self.step("Step 4: the administrations the package user sees; add the bakery's")
        path = f"/v1/offices/{self.office}/connections/{connection_id}/administrations"
        listed = self.call("GET", path, [200], "listing administrations").json()["administrations"]
        for adm in listed:
            note = "" if adm["accessible"] else "   <- no access for this package user"
            self.say(f"{adm['code']:>10}  {adm['name']}{note}")
        chosen = next((a for a in listed if a["name"] == ADMINISTRATIONS[0].name and a["accessible"]), None)
        if chosen is None:
            raise DemoFailed(f"the package user sees no administration {ADMINISTRATIONS[0].name!r}")
        self.call("POST", path, [201], "adding the administration", json={"codes": [chosen["code"]]})
        mine = self.call("GET", f"/v1/offices/{self.office}/administrations", [200],
                         "listing the office's administrations").json()["administrations"]
        administration = next(a for a in mine if a["code"] == chosen["code"])
        self.say(f"added {administration['name']} ({administration['package']} {administration['code']}); "
                 "its supplier sync started")
        self.say(f"its own e-mail inbox: {administration.get('inbox_email')}")
        return dict(administration)

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

    # --- documents ---------------------------------------------------------------------------------

    def set_policy(self, administration: dict[str, Any]) -> None:
        self.step(f"Approval policy: piet approves everything, anna as well from {TWO_STEP_FROM} EUR")
        policy = {"steps": [{"min_amount": "0.00", "approvers": ["piet"], "required": 1},
                            {"min_amount": TWO_STEP_FROM, "approvers": ["anna"], "required": 1}]}
        path = f"/v1/offices/{self.office}/administrations/{administration['administration_id']}/approval-policy"
        saved = self.call("PUT", path, [200], "saving the approval policy", json=policy).json()
        for number, step in enumerate(saved["steps"], start=1):
            self.say(f"step {number}: from {step['min_amount']} EUR, {step['required']} of "
                     f"{', '.join(step['approvers'])}")

    def write_documents(self, administration: dict[str, Any]) -> list[Path]:
        """Generate the sample folder (deterministic per run seed); the file names say each file's kind."""
        folder = self.documents_dir or Path(tempfile.mkdtemp(prefix="boekstuk-demo-documents-"))
        folder.mkdir(parents=True, exist_ok=True)
        self.step(f"A folder of sample documents: {folder}")
        paths = []
        for number, sample in enumerate(sample_documents(self.seed, administration["name"]), start=1):
            path = folder / f"{number:02d}-{sample.filename}"
            path.write_bytes(sample.content)
            paths.append(path)
            self.say(f"{path.name:48} {len(sample.content):>8} bytes  ({kind_of(path.name).replace('_', ' ')})")
        return paths

    def upload_folder(self, administration: dict[str, Any], files: list[Path]) -> list[DemoDocument]:
        from tqdm import tqdm

        self.step(f"Upload the folder ({len(files)} files) into {administration['name']}")
        path = DOCUMENTS_PATH.format(office=self.office, administration_id=administration["administration_id"])
        uploaded = []
        with tqdm(files, desc="    uploading", unit="file", file=sys.stdout, mininterval=0,
                  bar_format="{desc} |{bar:30}| {n_fmt}/{total_fmt} {postfix}") as bar:
            for file in bar:
                bar.set_postfix_str(f"{file.name[:40]:40}", refresh=True)
                kind = kind_of(file.name)
                body = {"filename": file.name, "content_type": CONTENT_TYPES[file.suffix.lower()], "kind": kind}
                slot = self.call("POST", path, [201], f"requesting an upload slot for {file.name}", json=body).json()
                upload = slot["upload"]
                put = requests.request(upload["method"], upload["url"], data=file.read_bytes(),
                                       headers=upload.get("headers") or {}, timeout=TIMEOUT)
                if put.status_code not in (200, 201, 204):
                    raise DemoFailed(f"uploading {file.name} to its presigned URL answered {put.status_code}", put)
                uploaded.append(DemoDocument(file.name, kind, str(slot["document_id"])))
        return uploaded

    def document_path(self, document: DemoDocument) -> str:
        return f"/v1/offices/{self.office}/documents/{document.document_id}"

    def wait_for(self, document: DemoDocument, done: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """Poll ``document`` until ``done`` holds for it."""
        deadline = time.monotonic() + self.document_timeout
        while True:
            detail: dict[str, Any] = self.call("GET", self.document_path(document), [200],
                                               f"reading {document.filename} ({what})").json()
            if done(detail):
                return detail
            if time.monotonic() > deadline:
                raise DemoFailed(f"{document.filename} is still {detail.get('status')!r} after "
                                 f"{self.document_timeout:.0f} s ({what})")
            time.sleep(0.3)

    def proposals(self, documents: list[DemoDocument]) -> None:
        self.step("Recognition and the booking proposals")
        for document in documents:
            detail = self.wait_for(document, proposed, "recognition")
            document.detail = detail
            self.show_proposal(document, detail)
            if detail["status"] != "awaiting_approval":
                raise DemoFailed(f"{document.filename} ended as {detail['status']!r}: {detail.get('error')}")

    def show_proposal(self, document: DemoDocument, detail: dict[str, Any]) -> None:
        recognition = detail.get("recognition") or {}
        proposal = detail.get("proposal") or {}
        supplier = proposal.get("supplier") or {}
        self.out(f"\n    {document.filename}  [{detail['status']}; read by {recognition.get('engine')}]")
        self.say(f"  supplier {supplier.get('code') or '(new)'} {supplier.get('name')} "
                 f"(matched by {supplier.get('match')})")
        self.say(f"  {proposal.get('invoice_number')} of {proposal.get('invoice_date')}, due {proposal.get('due_date')}"
                 f", total {proposal.get('total_incl_vat')} {proposal.get('currency')}")
        for line in proposal.get("lines") or []:
            self.say(f"  GL {line.get('gl_account') or '----'}  {str(line.get('description'))[:34]:34} "
                     f"{line.get('amount_excl_vat')!s:>10} + VAT {line.get('vat_amount')} ({line.get('vat_code')})")
        for warning in proposal.get("warnings") or []:
            self.say(f"  warning {warning.get('code')}: {warning.get('detail')}")
        approval = detail.get("approval") or {}
        self.say(f"  to approve: {approval.get('required')} of {', '.join(approval.get('approvers') or [])}")

    def login_as(self, username: str) -> str:
        body = {"office_code": self.office, "username": username, "password": self.password}
        return str(self.call("POST", "/v1/sessions", [200], f"logging in as {username}", auth=False,
                             json=body).json()["access_token"])

    def choose_gl_account(self, administration: dict[str, Any], document: DemoDocument) -> None:
        """A receipt's shop or an employee is no creditor with a default account: the bookkeeper picks one."""
        proposal = (document.detail or {}).get("proposal") or {}
        if all(line.get("gl_account") for line in proposal.get("lines") or []):
            return
        path = f"/v1/offices/{self.office}/administrations/{administration['administration_id']}/gl-accounts"
        accounts = {a["code"]: a["name"] for a in self.call("GET", path, [200], "the GL accounts").json()["gl_accounts"]}
        code = EXPENSES_GL if EXPENSES_GL in accounts else next(iter(accounts))
        edit = {**proposal, "lines": [{**line, "gl_account": line.get("gl_account") or code}
                                      for line in proposal.get("lines") or []]}
        self.call("PUT", f"{self.document_path(document)}/proposal", [200], f"editing {document.filename}", json=edit)
        self.say(f"{document.filename}: the bookkeeper (sync) books it on GL {code} {accounts[code]}")
        document.detail = self.wait_for(document, proposed, "the edited proposal")

    def decide(self, document: DemoDocument, verb: str, username: str, body: dict[str, str]) -> dict[str, Any]:
        """POST approve or reject as ``username``; while the workflow is still parking its approval request (409
        ``invalid_status``, "try again in a moment") the demo tries again for a little while, as the answer asks."""
        token = self.login_as(username)
        deadline = time.monotonic() + 30
        while True:
            answer = self.http.post(f"{self.url}{self.document_path(document)}/{verb}", json=body,
                                    headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
            self.last_answer = answer
            retry = answer.status_code == 409 and answer.json().get("code") == "invalid_status"
            if not retry or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if answer.status_code != 200:
            raise DemoFailed(f"{verb} of {document.filename} by {username} answered {answer.status_code}", answer)
        decided: dict[str, Any] = answer.json()
        self.say(f"{document.filename}: {verb} by {username} -> {decided['status']}")
        return decided

    def decisions(self, administration: dict[str, Any], documents: list[DemoDocument]) -> None:
        self.step("Decide: piet approves, anna approves what is above the second step, one invoice is rejected")
        for document in documents:
            self.choose_gl_account(administration, document)
        for document in documents:
            plan = plan_of(document.filename)
            if plan == "reject":
                self.decide(document, "reject", "piet", {"reason": REJECT_REASON})
                continue
            decided = self.decide(document, "approve", "piet", {"comment": "akkoord"})
            expected = "awaiting_approval" if plan == "two_step" else "approved"
            if decided["status"] != expected:
                raise DemoFailed(f"{document.filename} is {decided['status']!r} after piet's approval, not "
                                 f"{expected!r}: the policy asks anna from {TWO_STEP_FROM} EUR")
            if plan == "two_step":
                self.decide(document, "approve", "anna", {"comment": "akkoord, boven de grens"})

    def results(self, administration: dict[str, Any], documents: list[DemoDocument]) -> None:
        self.step(f"Summary: what {administration['package']} now holds for administration {administration['code']}")
        for document in documents:
            document.detail = self.wait_for(document, lambda d: d["status"] in FINAL_STATUSES, "the booking")
        listed = self.call("GET", f"/_local/packages/{administration['package']}/administrations/"
                           f"{administration['code']}/entries", [200], "reading the package's entries",
                           auth=False).json()["entries"]
        entry_of = {e["entry_id"]: e for e in listed}
        rows = [("document", "supplier", "amount", "status", "package entry")]
        wrong = []
        for document in documents:
            detail = document.detail or {}
            proposal = detail.get("proposal") or {}
            booked = [b.get("entry_id") for b in detail.get("bookings") or [] if b.get("status") == "booked"]
            entry = entry_of.get(booked[0]) if booked and detail.get("status") == "booked" else None
            attachment = " (+PDF)" if entry and entry.get("attachment") else ""
            rows.append((document.filename, str((proposal.get("supplier") or {}).get("name") or ""),
                         f"{proposal.get('total_incl_vat')} {proposal.get('currency') or ''}".strip(),
                         str(detail.get("status")), f"{entry['entry_id']}{attachment}" if entry else "-"))
            expected = "rejected" if plan_of(document.filename) == "reject" else "booked"
            if detail.get("status") != expected or (expected == "booked" and entry is None):
                wrong.append(f"{document.filename} is {detail.get('status')!r} ({detail.get('error')}), "
                             f"expected {expected}")
        for line in table(rows):
            self.say(line)
        if wrong:
            raise DemoFailed("; ".join(wrong))


@dataclass
class DemoDocument:
    filename: str
    kind: str
    document_id: str
    detail: dict[str, Any] | None = None


TWO_STEP_FROM = "1000.00"
EXPENSES_GL = "4600"  # Reis- en verblijfkosten: where the demo's receipt and expense claim go
REJECT_REASON = "Niet door ons besteld"
FINAL_STATUSES = {"booked", "rejected", "failed", "duplicate", "unreadable"}
CONTENT_TYPES = {".pdf": "application/pdf", ".xml": "application/xml", ".jpg": "image/jpeg", ".png": "image/png"}


def proposed(detail: dict[str, Any]) -> bool:
    """Recognised and proposed, and (when it waits for a person) its approval request parked."""
    status = detail.get("status")
    return status not in ("received", "recognizing") and (status != "awaiting_approval"
                                                          or detail.get("approval") is not None)


def kind_of(filename: str) -> str:
    """The folder's convention: ``declaratie`` in the name is an expense claim, ``bon`` a receipt, else an invoice."""
    words = Path(filename.lower()).stem.split("-")
    return "expense_claim" if "declaratie" in words else "receipt" if "bon" in words else "purchase_invoice"


def plan_of(filename: str) -> str:
    """What the demo's approvers do with the file: ``two_step``, ``reject`` or ``approve``."""
    return "two_step" if "-groot-" in filename else "reject" if "-niet-besteld-" in filename else "approve"


def sample_documents(seed: int, buyer_name: str) -> list[Any]:
    """The demo's folder: an e-invoice, text PDFs (one above the second step, one to reject), a scan, a receipt, a
    credit note and an expense claim, to the administration ``buyer_name``; each file name tells its kind and plan."""
    from boekstuk_local.samples import SampleLine, make_document
    from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS

    buyer = next((a for a in ADMINISTRATIONS if a.name == buyer_name), ADMINISTRATIONS[0])
    office, telecom, grain = NAMED_SUPPLIERS[0], NAMED_SUPPLIERS[1], NAMED_SUPPLIERS[2]

    def line(text: str, price: str, rate: int = 21, quantity: int = 1) -> list[SampleLine]:
        return [SampleLine(text, Decimal(quantity), Decimal(price), Decimal(rate))]

    documents = [
        ("e-factuur-telecom-noord", make_document(seed + 1, supplier=telecom, buyer=buyer, fmt="ubl",
                                                  lines=line("Zakelijk internet, maand", "89.00"))),
        ("factuur-groot-kantoorhuis", make_document(seed + 2, supplier=office, buyer=buyer, fmt="pdf",
                                                    layout="classic", lines=line("Bureaustoelen", "1250.00"))),
        ("factuur-niet-besteld-graanhandel", make_document(seed + 3, supplier=grain, buyer=buyer, fmt="pdf",
                                                           layout="classic", lines=line("Speltmeel 25 kg", "180.00", 9))),
        ("scan-factuur-kantoorhuis", make_document(seed + 4, supplier=office, buyer=buyer, fmt="jpeg",
                                                   layout="classic", lines=line("Printpapier A4", "42.50", quantity=2))),
        ("bon", make_document(seed + 5, kind="receipt", buyer=buyer, fmt="pdf",
                              lines=line("Lunch met klant", "38.50", 9))),
        ("creditnota-kantoorhuis", make_document(seed + 6, kind="credit_note", supplier=office, buyer=buyer, fmt="pdf",
                                                 layout="classic", lines=line("Retour bureaustoel", "125.00",
                                                                              quantity=-1))),
        ("declaratie-treinkaartje", make_document(seed + 7, kind="receipt", buyer=buyer, fmt="png",
                                          lines=line("Treinkaartje Utrecht-Zwolle", "27.20", 9))),
    ]
    return [replace(sample, filename=label + Path(sample.filename).suffix) for label, sample in documents]


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """``rows`` (the first is the header) as aligned text columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def main(argv: list[str] | None = None) -> int:
    """``boekstuk demo [--url URL] [--office-code CODE] [--documents-dir DIR] [--stack-log FILE]``; 0 when every
    step worked."""
    parser = argparse.ArgumentParser(prog="boekstuk demo",
                                     description="Walk the onboarding and a folder of documents through a running "
                                                 "stack: proposals, approvals, bookings.")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"base URL of the running stack (default {DEFAULT_URL})")
    parser.add_argument("--office-code", default=None, help="office code to create (default: demo-<random>)")
    parser.add_argument("--documents-dir", type=Path, default=None,
                        help="write the sample documents here (default: a new temporary folder)")
    parser.add_argument("--stack-log", default=None,
                        help="where the running stack writes its logs (boekstuk up --log-file), named in the output")
    args = parser.parse_args(argv)
    demo = Demo(args.url, args.office_code, documents_dir=args.documents_dir, stack_log=args.stack_log)
    if args.stack_log:
        print(f"The stack's logs (JSON lines) go to {args.stack_log}, not here.")
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
