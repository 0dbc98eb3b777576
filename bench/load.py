"""Load, faults and bookkeeping at once against the local stack (issue 15): one command, loopback only.

    .venv/bin/python bench/load.py                     # 500 documents, 20 offices, all five packages
    .venv/bin/python bench/load.py --documents 40 --offices 5 --max-minutes 8   # the reduced form CI runs

It starts ``boekstuk up`` in a process of its own (Locust's gevent must never patch the stack), onboards the
offices over the public API (4 per package with 20 offices: signup, e-mailed code, activation, the package linked
with its credentials or through its OAuth login, one administration, an approver, a policy that auto-approves
receipts below 50 EUR), then lets Locust play one bookkeeper per office: uploading generated invoices, receipts,
UBL e-invoices and phone photos through presigned URLs, looking at the inbox, editing proposals, approving and
rejecting, while a fault injector makes the packages fail now and then (503s, 429 storms with Retry-After, and
answers lost after the booking was made). It stops when every document is in a final state (or the time is up).

The peer: before the load, five documents go through one at a time in a quiet stack; the report gives the
throughput under load as a ratio to that sequential rate, measured in the same run on the same machine.

Checks, against the API and the simulators' ledgers (exit 1 when one fails): every uploaded document exists and is
final or waiting for a person (none lost); no invoice number is booked twice in any package; every booked document
has exactly one entry, every rejected one none. The stack's logs and API answers are captured and searched for the
run's secrets. The report (stdout and ``bench/out/load.json``): documents per minute end to end, API latency
p50/p95/p99 per endpoint, upload-to-proposal p50/p95, the statuses, the faults injected.
"""

# ruff: noqa: E402 - gevent must patch the standard library before anything else is imported

from __future__ import annotations

from gevent import monkey

monkey.patch_all()  # Locust runs its users on gevent

import argparse
import datetime as dt
import itertools
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import gevent
import requests
from locust import HttpUser, between, task
from locust.env import Environment

from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.samples.model import random_supplier
from boekstuk_local.simulators.registry import DEMO_LOGINS
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS

PASSWORD = "correct horse battery staple"
FINAL = frozenset({"booked", "rejected", "duplicate", "unreadable", "failed"})
INTAKE_DONE = frozenset({"proposed", "duplicate", "unreadable"})  # history events that end the intake
TIMEOUT = 60


# --- the stack in its own process -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_stack(out: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``boekstuk up`` on a free loopback port, its logs and API answers captured in ``out``."""
    port = free_port()
    boekstuk = Path(sys.executable).with_name("boekstuk")
    command = [str(boekstuk)] if boekstuk.is_file() else [sys.executable, "-m", "boekstuk_local.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "MOTO_"))}
    env["POWERTOOLS_LOG_LEVEL"] = "INFO"
    process = subprocess.Popen([*command, "up", "--port", str(port), "--log-file", str(out / "stack.log"),
                                "--audit-dir", str(out / "audit")], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"boekstuk up exited with {process.returncode}; see {out / 'stack.log'}")
        try:
            if requests.get(f"{url}/v1/health", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit("boekstuk up did not become healthy in 120 s")


def stop_stack(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --- onboarding over the public API ----------------------------------------------------------------------------


@dataclass
class Office:
    code: str
    package: str
    administration_id: str
    administration_code: str
    submitter: str  # access tokens
    approver: str
    documents: list[str] = field(default_factory=list)


class Api:
    """A small client for the setup and the checks (Locust measures the load itself)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def ok(self, method: str, path: str, body: Any = None, *, token: str | None = None, status: int = 200,
           **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for attempt in range(5):
            answer = self.http.request(method, self.url + path, json=body, headers=headers, timeout=TIMEOUT,
                                       **kwargs)
            if answer.status_code != 429:
                break
            time.sleep(float(answer.headers.get("Retry-After", 1 + attempt)))
        if answer.status_code != status:
            raise SystemExit(f"{method} {path}: {answer.status_code} {answer.text[:500]}")
        return answer.json() if answer.content else None

    def mail_code(self, to: str) -> str:
        messages = self.ok("GET", "/_local/mail", params={"to": to})["messages"]
        return str((messages[-1].get("codes") or re.findall(r"\b\d{6}\b", messages[-1]["body"]))[0])

    def login(self, office: str, username: str) -> str:
        session = self.ok("POST", "/v1/sessions", {"office_code": office, "username": username, "password": PASSWORD})
        return str(session["access_token"])


def onboard(api: Api, code: str, package: str, auth: str) -> Office:
    """The four onboarding steps for one office, an approver, and the approval policy."""
    email = f"{code}@example.nl"
    signup = api.ok("POST", "/v1/signups", {
        "company_name": f"Kantoor {code}", "contact_name": "Anna de Vries", "email": email, "phone": "+31 20 123 4567",
        "plan": "premium", "plan_confirmation": "premium", "accept_terms": True}, status=201)
    confirmed = api.ok("POST", f"/v1/signups/{signup['signup_id']}/confirmation", {"code": api.mail_code(email)})
    api.ok("POST", "/v1/activations", {"activation_token": confirmed["activation_token"], "office_code": code,
                                       "username": "sync", "password": PASSWORD}, status=201)
    admin = api.login(code, "sync")
    base = f"/v1/offices/{code}/connections"
    if auth == "credentials":
        connection = api.ok("POST", base, {"package": package, "description": package,
                                           "credentials": DEMO_LOGINS[package]}, token=admin, status=201)
    else:  # OAuth2: log in at the simulator's page and follow the redirect back, as a person's browser does
        connection = api.ok("POST", base, {"package": package, "description": package}, token=admin, status=201)
        browser = requests.Session()
        redirect = browser.post(connection["authorize_url"], data=DEMO_LOGINS[package], allow_redirects=False,
                                timeout=TIMEOUT)
        done = requests.get(redirect.headers["Location"], headers={"Accept": "application/json"}, timeout=TIMEOUT)
        if done.status_code != 200:
            raise SystemExit(f"OAuth for {package}: {done.status_code} {done.text[:300]}")
    path = f"{base}/{connection['connection_id']}/administrations"
    listed = api.ok("GET", path, token=admin)["administrations"]
    chosen = next(a for a in listed if a["name"] == ADMINISTRATIONS[0].name)
    administration_id = api.ok("POST", path, {"codes": [chosen["code"]]}, token=admin,
                               status=201)["added"][0]["administration_id"]
    api.ok("POST", f"/v1/offices/{code}/users", {"username": "piet", "role": "approver", "password": PASSWORD},
           token=admin, status=201)
    api.ok("POST", f"/v1/offices/{code}/users", {"username": "sara", "role": "submitter", "password": PASSWORD},
           token=admin, status=201)
    api.ok("PUT", f"/v1/offices/{code}/administrations/{administration_id}/approval-policy",
           {"steps": [{"min_amount": "0.00", "approvers": ["piet"], "required": 1}], "auto_approve_below": "50.00"},
           token=admin)
    return Office(code, package, str(administration_id), str(chosen["code"]), api.login(code, "sara"),
                  api.login(code, "piet"))


def wait_for_suppliers(api: Api, office: Office, deadline: float) -> None:
    while time.monotonic() < deadline:
        listed = api.ok("GET", f"/v1/offices/{office.code}/administrations", token=office.approver)["administrations"]
        if listed and listed[0]["suppliers"]["count"] >= len(NAMED_SUPPLIERS):
            return
        time.sleep(1)
    raise SystemExit(f"the supplier sync of {office.code} ({office.package}) did not finish")


# --- the documents a bookkeeping office drops in ---------------------------------------------------------------


@dataclass
class Planned:
    content: bytes
    filename: str
    content_type: str
    kind: str
    number: str
    plan: str  # approve | edit | reject


def planned_document(index: int, rng: random.Random) -> Planned:
    """Mostly text PDFs from known suppliers, some e-invoices, phone photos, receipts and new suppliers."""
    number = f"LOAD-{index:05d}"
    roll = rng.random()
    kind, fmt = ("receipt", "pdf") if roll < 0.10 else ("invoice", "png") if roll < 0.18 else \
        ("invoice", "ubl") if roll < 0.33 else ("invoice", "pdf")
    supplier = NAMED_SUPPLIERS[index % len(NAMED_SUPPLIERS)] if rng.random() < 0.85 else random_supplier(rng)
    price = Decimal(rng.choice(["12.50", "38.00", "95.00", "240.00", "1180.00"]))
    lines = [SampleLine("Kantoorartikelen", Decimal(1), price, Decimal(21))]
    sample = make_document(70000 + index, kind=kind, supplier=supplier, buyer=ADMINISTRATIONS[0], fmt=fmt,
                           lines=lines, invoice_number=number)
    plan = rng.choices(["approve", "edit", "reject"], weights=[70, 15, 15])[0]
    return Planned(sample.content, sample.filename, sample.content_type,
                   "receipt" if kind == "receipt" else "purchase_invoice", sample.truth["fields"]["invoice_number"]
                   or number, plan)


# --- the load ----------------------------------------------------------------------------------------------------


class Run:
    """What the users share: the offices, the documents to drop, what was dropped when."""

    offices: list[Office] = []
    documents: list[Planned] = []
    next_document = itertools.count()
    next_office = itertools.count()
    uploaded: dict[str, tuple[Office, Planned, float]] = {}  # document id -> (office, plan, PUT done at)
    peer: dict[str, Office] = {}  # the sequential peer's documents (they may be booked too: auto-approval)
    decided: set[str] = set()


class Bookkeeper(HttpUser):
    """One office's people: sara drops documents in, piet reviews, edits, approves and rejects."""

    wait_time = between(0.3, 1.5)

    def on_start(self) -> None:
        self.office = Run.offices[next(Run.next_office) % len(Run.offices)]
        self.base = f"/v1/offices/{self.office.code}"

    def _auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    @task(4)
    def upload(self) -> None:
        index = next(Run.next_document)
        if index >= len(Run.documents):
            return
        doc = Run.documents[index]
        slot = self.client.post(f"{self.base}/administrations/{self.office.administration_id}/documents",
                                json={"filename": doc.filename, "content_type": doc.content_type, "kind": doc.kind},
                                headers=self._auth(self.office.submitter), name="POST /documents (upload slot)")
        if slot.status_code != 201:
            return
        body = slot.json()
        put = self.client.put(body["upload"]["url"], data=doc.content, headers=body["upload"]["headers"],
                              name="PUT presigned upload (S3)")
        if put.status_code == 200:
            Run.uploaded[body["document_id"]] = (self.office, doc, time.time())

    @task(2)
    def inbox(self) -> None:
        self.client.get(f"{self.base}/documents?administration_id={self.office.administration_id}&limit=50",
                        headers=self._auth(self.office.submitter), name="GET /documents")

    @task(4)
    def review(self) -> None:
        listed = self.client.get(f"{self.base}/documents?status=awaiting_approval&limit=20",
                                 headers=self._auth(self.office.approver), name="GET /documents?status=")
        if listed.status_code != 200:
            return
        waiting = [d["document_id"] for d in listed.json()["documents"] if d["document_id"] not in Run.decided]
        for document_id in waiting[:2]:
            self.decide(document_id)

    def decide(self, document_id: str) -> None:
        got = self.client.get(f"{self.base}/documents/{document_id}", headers=self._auth(self.office.approver),
                              name="GET /documents/{id}")
        if got.status_code != 200 or document_id not in Run.uploaded:
            return
        doc = got.json()
        plan = Run.uploaded[document_id][1].plan
        if doc["status"] != "awaiting_approval" or doc["proposal"] is None:
            return
        proposal = doc["proposal"]
        # A new supplier has no default GL account: the bookkeeper picks one (an incomplete proposal is never
        # approved without a person, and a person approving it as it is would see its booking fail).
        unfinished = any(line["gl_account"] is None for line in proposal["lines"])
        if plan == "edit" or unfinished:
            proposal["description"] = "Kantoorartikelen, gecontroleerd"
            proposal["lines"] = [{**line, "gl_account": line["gl_account"] or NAMED_SUPPLIERS[0].default_gl}
                                 for line in proposal["lines"]]
            with self.client.put(f"{self.base}/documents/{document_id}/proposal", json=proposal,
                                 headers=self._auth(self.office.approver), name="PUT /documents/{id}/proposal",
                                 catch_response=True) as edited:
                if edited.status_code == 422:  # a proposal a person must fix first: approve it as it is
                    edited.success()
        verb, body = ("reject", {"reason": "Niet besteld"}) if plan == "reject" else ("approve", {"comment": ""})
        with self.client.post(f"{self.base}/documents/{document_id}/{verb}", json=body,
                              headers=self._auth(self.office.approver), name=f"POST /documents/{{id}}/{verb}",
                              catch_response=True) as answer:
            if answer.status_code in (200, 409):  # 409: decided already (another review, a retry)
                answer.success()
                Run.decided.add(document_id)


# Where each package takes its postings (entries, and AccountView's creditors): the lost-answer fault is scoped
# to them. A lost answer to an OAuth token refresh (the refresh token rotated, the new one never arrived) ends the
# link for good in the real Exact Online too; the system then says "link the package again" (tested elsewhere).
POSTINGS = {"exact_online": "purchaseentry/PurchaseEntries", "twinfield": "processxml.asmx",
            "snelstart": "inkoopboekingen", "accountview": "accountviewdata", "multivers": "SupplierInvoice"}


def inject_faults(url: str, packages: list[str], every: float, injected: Counter[str]) -> None:
    """Now and then one package fails: 503s, a 429 storm, or a booking made whose answer is lost."""
    kinds = [("503", {"status": 503, "count": 2}),
             ("429", {"status": 429, "retry_after": 1, "count": 3}),
             ("lost answer after posting", {"timeout": True, "after_processing": True, "hang_seconds": 2,
                                            "method": "POST", "count": 1})]
    for step in itertools.count():
        gevent.sleep(every)
        package = packages[step % len(packages)]
        name, fault = kinds[step % len(kinds)]
        if name.startswith("lost") and package in POSTINGS:
            fault = {**fault, "path_contains": POSTINGS[package]}
        try:
            requests.post(f"{url}/_local/packages/{package}/faults", json=fault, timeout=10).raise_for_status()
            injected[f"{package}: {name}"] += 1
        except requests.RequestException:
            pass


def statuses(api: Api, offices: list[Office]) -> dict[str, dict[str, Any]]:
    """Every document of every office as the API lists it."""
    found: dict[str, dict[str, Any]] = {}
    for office in offices:
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 200, **({"next": cursor} if cursor else {})}
            page = api.ok("GET", f"/v1/offices/{office.code}/documents", token=office.approver, params=params)
            found.update({d["document_id"]: d for d in page["documents"]})
            cursor = page.get("next")
            if not cursor:
                break
    return found


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def ledger_check(api: Api, offices: list[Office], details: dict[str, dict[str, Any]]) -> list[str]:
    """Against the simulators' ledgers: each booked document's entry there exactly once, no invoice number booked
    twice, nothing in a package for a document that is not booked."""
    failures: list[str] = []
    ledgers: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for office in offices:
        key = (office.package, office.administration_code)
        if key not in ledgers:
            ledgers[key] = api.ok("GET", f"/_local/packages/{office.package}/administrations/"
                                         f"{office.administration_code}/entries")["entries"]
    office_of = {**{d: o for d, (o, _, _) in Run.uploaded.items()}, **Run.peer}
    for (package, code), entries in ledgers.items():
        numbers = Counter(str(e["invoice_number"]) for e in entries)
        failures += [f"booked twice in {package} {code}: {n} ({c}x)" for n, c in numbers.items() if c > 1]
        ids = Counter(str(e["entry_id"]) for e in entries)
        mine = {d: doc for d, doc in details.items()
                if (office_of[d].package, office_of[d].administration_code) == (package, code)}
        for document_id, doc in mine.items():
            number = str((doc.get("proposal") or {}).get("invoice_number"))
            if doc["status"] == "booked":
                entry_ids = [b.get("entry_id") for b in doc["bookings"]]
                if [ids[str(e)] for e in entry_ids] != [1]:
                    failures.append(f"{document_id} ({number}) booked as {entry_ids}, not once in {package} {code}")
            elif numbers[number]:
                failures.append(f"{document_id} ({number}) is {doc['status']}, yet {package} {code} has "
                                f"{numbers[number]} entry(ies) with its number")
        booked = sum(1 for doc in mine.values() if doc["status"] == "booked")
        if len(entries) != booked:
            failures.append(f"{package} {code}: {len(entries)} entries for {booked} booked documents")
    return failures


def intake_seconds(doc: dict[str, Any], put_at: float) -> float | None:
    """From the upload's PUT to the end of the intake (proposed, duplicate or unreadable), by the history."""
    ended = [dt.datetime.fromisoformat(h["at"]).timestamp() for h in doc["history"] if h["event"] in INTAKE_DONE]
    return max(0.0, min(ended) - put_at) if ended else None


def sequential_peer(api: Api, office: Office, rng: random.Random, count: int = 5) -> float:
    """Seconds per document, upload to proposal, one at a time in the quiet stack (the peer)."""
    took = []
    for i in range(count):
        doc = planned_document(90000 + i, rng)
        slot = api.ok("POST", f"/v1/offices/{office.code}/administrations/{office.administration_id}/documents",
                      {"filename": doc.filename, "content_type": doc.content_type, "kind": doc.kind},
                      token=office.submitter, status=201)
        started = time.time()
        requests.put(slot["upload"]["url"], data=doc.content, headers=slot["upload"]["headers"],
                     timeout=TIMEOUT).raise_for_status()
        while True:
            got = api.ok("GET", f"/v1/offices/{office.code}/documents/{slot['document_id']}", token=office.approver)
            if got["status"] not in ("received", "recognizing"):
                break
            time.sleep(0.1)
        took.append(time.time() - started)
        Run.peer[slot["document_id"]] = office
    return statistics.median(took)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--offices", type=int, default=20)
    parser.add_argument("--max-minutes", type=float, default=30.0, help="give up waiting after this long")
    parser.add_argument("--fault-every", type=float, default=6.0, help="seconds between injected package faults")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "load.json")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="boekstuk-load-"))
    process, url = start_stack(workdir)
    failures: list[str] = []
    try:
        api = Api(url)
        packages = api.ok("GET", "/v1/packages")
        print(f"stack at {url}; onboarding {args.offices} offices over {len(packages)} packages ...", flush=True)
        run_tag = f"{os.getpid() % 1000:03d}"
        offices = [onboard(api, f"load{run_tag}-{i:02d}", packages[i % len(packages)]["id"],
                           packages[i % len(packages)]["auth"]) for i in range(args.offices)]
        for office in offices:
            wait_for_suppliers(api, office, time.monotonic() + 120)
        peer = sequential_peer(api, offices[0], rng)
        print(f"peer: {peer:.2f} s per document, upload to proposal, one at a time", flush=True)
        Run.offices = offices
        Run.documents = [planned_document(i, rng) for i in range(args.documents)]
        injected: Counter[str] = Counter()
        env = Environment(user_classes=[Bookkeeper], host=url)
        runner = env.create_local_runner()
        started = time.time()
        runner.start(len(offices), spawn_rate=len(offices))
        faults = gevent.spawn(inject_faults, url, [p["id"] for p in packages], args.fault_every, injected)
        deadline = time.monotonic() + args.max_minutes * 60
        seen: dict[str, dict[str, Any]] = {}
        while time.monotonic() < deadline:
            gevent.sleep(5)
            seen = statuses(api, offices)
            mine = {d: seen.get(d, {}).get("status") for d in Run.uploaded}
            done = sum(1 for s in mine.values() if s in FINAL)
            print(f"{time.time() - started:6.0f} s  uploaded {len(Run.uploaded)}/{args.documents}  final {done}  "
                  f"{dict(Counter(mine.values()))}", flush=True)
            if len(Run.uploaded) >= args.documents and done == len(Run.uploaded):
                break
        finished = time.time()
        faults.kill()
        runner.quit()
        for package in packages:
            requests.delete(f"{url}/_local/packages/{package['id']}/faults", timeout=10)
        # --- checks: none lost, none twice ---
        seen = statuses(api, offices)
        final_or_waiting = FINAL | {"awaiting_approval"}
        for document_id, (office, planned, _) in Run.uploaded.items():
            status = seen.get(document_id, {}).get("status")
            if status is None:
                failures.append(f"lost: {document_id} ({planned.number}) is not listed by {office.code}")
            elif status not in final_or_waiting:
                failures.append(f"{document_id} ({planned.number}) stuck in {status}")
        if len(Run.uploaded) < args.documents:
            failures.append(f"only {len(Run.uploaded)} of {args.documents} uploads were made")
        details = {d: api.ok("GET", f"/v1/offices/{o.code}/documents/{d}", token=o.approver)
                   for d, o in [*((d, o) for d, (o, _, _) in Run.uploaded.items()), *Run.peer.items()] if d in seen}
        failures += ledger_check(api, offices, details)
        # --- figures ---
        intake = [s for d, (_, _, put_at) in Run.uploaded.items()
                  if d in details and (s := intake_seconds(details[d], put_at)) is not None]
        failed_reasons = Counter(str(doc.get("error"))[:160] for d, doc in details.items()
                                 if d in Run.uploaded and doc["status"] == "failed")
        final_count = sum(1 for d in Run.uploaded if seen.get(d, {}).get("status") in FINAL)
        minutes = (finished - started) / 60
        endpoints = {e.name: {
            "requests": e.num_requests, "failures": e.num_failures,
            "p50_ms": e.get_response_time_percentile(0.50), "p95_ms": e.get_response_time_percentile(0.95),
            "p99_ms": e.get_response_time_percentile(0.99)} for e in env.stats.entries.values()}
        per_minute = final_count / minutes if minutes else 0.0
        report = {
            "documents": len(Run.uploaded), "offices": len(offices), "packages": [p["id"] for p in packages],
            "minutes": round(minutes, 2), "documents_per_minute_end_to_end": round(per_minute, 1),
            "peer_upload_to_proposal_seconds_alone": round(peer, 2),
            "upload_to_proposal_p50_ratio_to_peer": round(p50 / peer, 2) if peer and (p50 := percentile(intake, 50))
            else None,
            "upload_to_proposal_seconds": {"p50": percentile(intake, 50), "p95": percentile(intake, 95),
                                           "count": len(intake)},
            "statuses": dict(Counter(seen.get(d, {}).get("status") for d in Run.uploaded)),
            "failed_reasons": dict(failed_reasons),
            "faults_injected": dict(injected), "endpoints": endpoints, "failures": failures,
            "request_errors": [{"endpoint": e.name, "error": str(e.error)[:300], "count": e.occurrences}
                               for e in env.stats.errors.values()],
        }
    finally:
        stop_stack(process)
    audit = subprocess.run([sys.executable, "-m", "boekstuk_local.secret_audit", str(workdir / "audit")],
                           capture_output=True, text=True, check=False)
    if audit.returncode != 0:
        failures.append(f"secrets in the logs or answers: {audit.stdout[-800:]}{audit.stderr[-400:]}")
    report["secret_audit"] = "clean" if audit.returncode == 0 else "FOUND SECRETS"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    print_report(report, args.out)
    return 1 if failures else 0


def print_report(report: dict[str, Any], path: Path) -> None:
    print(f"\n{report['documents']} documents, {report['offices']} offices, {', '.join(report['packages'])}")
    print(f"end to end: {report['documents_per_minute_end_to_end']} documents/minute over {report['minutes']} min")
    intake = report["upload_to_proposal_seconds"]
    print(f"upload to proposal: p50 {intake['p50']:.2f} s, p95 {intake['p95']:.2f} s; the p50 is "
          f"{report['upload_to_proposal_p50_ratio_to_peer']}x the peer (one document alone in the same stack: "
          f"{report['peer_upload_to_proposal_seconds_alone']} s)" if intake["count"] else
          "upload to proposal: no document reached a proposal")
    print(f"statuses: {report['statuses']}")
    for reason, count in report["failed_reasons"].items():
        print(f"  failed ({count}x): {reason}")
    print(f"faults injected: {sum(report['faults_injected'].values())} {report['faults_injected']}")
    print(f"\n{'endpoint':48} {'requests':>8} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, row in sorted(report["endpoints"].items()):
        print(f"{name[:48]:48} {row['requests']:8} {row['failures']:5} {row['p50_ms']:7.0f} {row['p95_ms']:7.0f} "
              f"{row['p99_ms']:7.0f}")
    for error in report["request_errors"]:
        print(f"  {error['endpoint']}: {error['count']}x {error['error']}")
    print(f"\nsecret audit: {report['secret_audit']}")
    print("checks: " + ("none lost, none booked twice" if not report["failures"] else "FAILED"))
    for failure in report["failures"][:30]:
        print(f"  - {failure}")
    print(f"report: {path}")


if __name__ == "__main__":
    sys.exit(main())
