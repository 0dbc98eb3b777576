"""Every path of the approval and booking workflow over real HTTP against the started local stack: approved and
booked with its PDF, rejected with the reason, approved automatically below the threshold, a refused booking that
is retried, a 429 storm and a 503 outage, two approvals at one moment, a credit note and an expense claim in two
packages, and a new supplier created once for three invoices approved together.

The two-step policy is proven in test_workflow_integrity.py, the lock after booking in test_locked_documents.py.
Package faults are injected through the stack's ``/_local/packages/{package}/faults``.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.samples.model import random_supplier
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from tests.e2e.conftest import Api, SnelStartOffice, assert_problem, link_package, snelstart_office, wait_for
from tests.e2e.documents import approval_requested, approve, document, entries, invoice, settled, upload, user

pytestmark = pytest.mark.e2e

BOOKINGS = "inkoopboekingen"  # the path of SnelStart's purchase bookings: faults hit only the booking call


@pytest.fixture()
def faults(api: Api) -> Iterator[Callable[..., None]]:
    """Inject SnelStart faults on the booking call through the stack; whatever is left is removed afterwards."""
    url = "/_local/packages/snelstart/faults"

    def inject(**fault: Any) -> None:
        api.ok("POST", url, {"path_contains": BOOKINGS, "method": "POST", **fault}, auth=False)

    yield inject
    api.ok("DELETE", url, auth=False)


def pending_faults(api: Api) -> int:
    return int(api.ok("GET", "/_local/packages/snelstart/faults", auth=False)["pending"])


def decide_at_once(api: Api, setup: SnelStartOffice, calls: list[tuple[str, str, str]]) -> list[requests.Response]:
    """``(document id, verb, token)`` calls sent at the same moment (a barrier releases them together)."""
    barrier = threading.Barrier(len(calls))
    answers: list[requests.Response | None] = [None] * len(calls)

    def send(i: int, document_id: str, verb: str, token: str) -> None:
        barrier.wait()
        answers[i] = api.call("POST", f"/v1/offices/{setup.office}/documents/{document_id}/{verb}", {"comment": ""},
                              token=token)

    threads = [threading.Thread(target=send, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(a is not None for a in answers), answers
    return [a for a in answers if a is not None]


def test_approved_is_booked_with_its_pdf_and_rejected_keeps_its_reason(api: Api) -> None:
    setup = snelstart_office(api)
    sample = invoice("250.00")
    doc, _ = upload(api, setup, sample)
    approval_requested(api, setup, doc)
    assert approve(api, setup, doc) == "approved"
    booked = settled(api, setup, doc, ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    [booking] = booked["bookings"]
    [entry] = entries(api, setup, booked["proposal"]["invoice_number"])
    assert booking["package"] == "snelstart" and booking["entry_id"] == entry["entry_id"]
    assert entry["total_incl_vat"] == booked["proposal"]["total_incl_vat"] == "302.50"
    # The PDF itself went along, byte for byte.
    assert entry["attachment"]["size"] == len(sample.content), entry["attachment"]

    other, _ = upload(api, setup, invoice("410.00"))
    approval_requested(api, setup, other)
    url = f"/v1/offices/{setup.office}/documents/{other}"
    assert_problem(api.call("POST", f"{url}/reject", {"reason": ""}), 422, "validation_error")
    rejected = api.ok("POST", f"{url}/reject", {"reason": "Niet voor ons bestemd"})
    assert rejected["status"] == "rejected"
    body = document(api, setup, other)
    assert body["status"] == "rejected" and body["bookings"] == []
    [decision] = body["approval"]["decisions"]
    assert (decision["user"], decision["decision"], decision["comment"]) == ("sync", "rejected",
                                                                            "Niet voor ons bestemd"), decision
    assert "Niet voor ons bestemd" in body["history"][-1]["detail"], body["history"][-1]
    assert_problem(api.call("POST", f"{url}/approve", {"comment": ""}), 409, "already_decided")
    assert entries(api, setup, body["proposal"]["invoice_number"]) == []


def test_below_the_threshold_it_is_booked_without_a_person(api: Api) -> None:
    setup = snelstart_office(api)
    policy = {"steps": [{"min_amount": "0.00", "approvers": ["sync"], "required": 1}], "auto_approve_below": "1000.00"}
    api.ok("PUT", f"/v1/offices/{setup.office}/administrations/{setup.administration_id}/approval-policy", policy)
    small, _ = upload(api, setup, invoice("100.00"))  # 121.00 with VAT
    large, _ = upload(api, setup, invoice("1000.00"))
    # Proposed documents are awaiting_approval until the workflow asks: wait until it decided (booked, or parked
    # for a person, which would be wrong).
    def decided() -> dict[str, Any] | None:
        d = document(api, setup, small)
        parked = d["status"] == "awaiting_approval" and d["approval"] is not None
        return d if d["status"] in ("booked", "failed") or parked else None

    booked = wait_for(decided, "the workflow's decision")
    assert booked["status"] == "booked", booked.get("error")
    assert [d["user"] for d in booked["approval"]["decisions"]] == ["system"]
    assert len(entries(api, setup, booked["proposal"]["invoice_number"])) == 1
    waiting = approval_requested(api, setup, large)
    assert waiting["approval"]["approvers"] == ["sync"] and waiting["approval"]["decisions"] == []


def test_a_refused_booking_fails_with_the_packages_message_and_is_booked_once_when_retried(
        api: Api, faults: Callable[..., None]) -> None:
    setup = snelstart_office(api)
    doc, _ = upload(api, setup, invoice("275.00"))
    number = approval_requested(api, setup, doc)["proposal"]["invoice_number"]
    faults(status=400, count=1)  # refused: no retry can fix it
    assert approve(api, setup, doc) == "approved"
    failed = settled(api, setup, doc, ("booked", "failed"))
    assert failed["status"] == "failed" and "An error has occurred." in failed["error"], failed.get("error")
    assert failed["bookings"][0]["status"] == "failed" and "Traceback" not in failed["error"]
    assert entries(api, setup, number) == []

    api.ok("DELETE", "/_local/packages/snelstart/faults", auth=False)  # the bookkeeper fixes it in the package
    retried = api.ok("POST", f"/v1/offices/{setup.office}/documents/{doc}/retry-booking", status=202)
    assert retried["status"] == "approved"
    booked = settled(api, setup, doc, ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    assert len(entries(api, setup, number)) == 1
    events = [h["event"] for h in booked["history"]]
    assert events.count("booking_failed") == 1 and events[-1] == "booked"


def test_a_429_storm_and_a_503_outage_end_booked_exactly_once(api: Api, faults: Callable[..., None]) -> None:
    setup = snelstart_office(api)
    storm, _ = upload(api, setup, invoice("310.00"))
    outage, _ = upload(api, setup, invoice("320.00"))
    numbers = {d: approval_requested(api, setup, d)["proposal"]["invoice_number"] for d in (storm, outage)}

    # A storm of 429s with Retry-After: the connector waits as told, the state machine backs off on top.
    faults(status=429, count=8, retry_after=1)
    assert approve(api, setup, storm) == "approved"
    booked = settled(api, setup, storm, ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    assert pending_faults(api) == 0  # every 429 was met, and still one entry
    # The package is down for longer than the connector's own attempts: the state machine's Retry carries it.
    faults(status=503, count=5)
    assert approve(api, setup, outage) == "approved"
    booked = settled(api, setup, outage, ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    assert pending_faults(api) == 0
    for number in numbers.values():
        assert len(entries(api, setup, number)) == 1, number


def test_two_approvals_at_the_same_moment_book_once(api: Api) -> None:
    setup = snelstart_office(api)
    anna = user(api, setup, "anna", "approver")
    twice, _ = upload(api, setup, invoice("330.00"))
    both, _ = upload(api, setup, invoice("340.00"))
    numbers = [approval_requested(api, setup, d)["proposal"]["invoice_number"] for d in (twice, both)]

    # One approver's approval sent twice at the same moment (a double click, two tabs): one counts.
    answers = decide_at_once(api, setup, [(twice, "approve", anna), (twice, "approve", anna)])
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    assert_problem(next(a for a in answers if a.status_code == 409), 409, "already_decided")
    # Two approvers at the same moment, where one approval is needed: it is approved once, whoever won.
    answers = decide_at_once(api, setup, [(both, "approve", anna), (both, "approve", api.token)])
    assert {a.status_code for a in answers} <= {200, 409} and 200 in {a.status_code for a in answers}, \
        [a.text for a in answers]
    for doc, number in zip((twice, both), numbers, strict=True):
        booked = settled(api, setup, doc, ("booked", "failed"))
        assert booked["status"] == "booked", booked.get("error")
        assert [h["event"] for h in booked["history"]].count("approved") == 1
        assert [h["event"] for h in booked["history"]].count("booked") == 1
        assert len(entries(api, setup, number)) == 1
    assert [d["user"] for d in document(api, setup, twice)["approval"]["decisions"]] == ["anna"]


def on_account(api: Api, setup: SnelStartOffice, document_id: str, gl_account: str) -> None:
    """The bookkeeper picks the GL account a new creditor has no default for (the proposal as GET returned it)."""
    proposal = document(api, setup, document_id)["proposal"]
    edit = {**proposal, "lines": [{**line, "gl_account": line["gl_account"] or gl_account}
                                  for line in proposal["lines"]]}
    api.ok("PUT", f"/v1/offices/{setup.office}/documents/{document_id}/proposal", edit)


def exact_administration(api: Api, office: str) -> SnelStartOffice:
    """Exact Online linked to ``office`` (OAuth2) and its first seeded administration added and synced."""
    connection = link_package(api, office, "exact_online", "oauth2")
    base = f"/v1/offices/{office}/connections/{connection}/administrations"
    first = next(a for a in api.ok("GET", base)["administrations"] if a["name"] == ADMINISTRATIONS[0].name)
    added = api.ok("POST", base, {"codes": [first["code"]]}, status=201)["added"][0]["administration_id"]

    def synced() -> bool:
        listed = api.ok("GET", f"/v1/offices/{office}/administrations")["administrations"]
        return any(a["administration_id"] == added and a["suppliers"]["count"] >= len(NAMED_SUPPLIERS) for a in listed)

    wait_for(synced, "the Exact Online supplier sync")
    return SnelStartOffice(office, str(added), str(first["code"]), "exact_online")


def test_a_credit_note_and_an_expense_claim_are_booked_into_two_packages(api: Api) -> None:
    setup = snelstart_office(api)
    exact = exact_administration(api, setup.office)
    credit = make_document(9401, kind="credit_note", supplier=NAMED_SUPPLIERS[0], buyer=ADMINISTRATIONS[0], fmt="pdf",
                           layout="classic", invoice_number=f"CN-{secrets.token_hex(3)}",
                           lines=[SampleLine("Retour kantoorstoelen", Decimal(-1), Decimal("150.00"), Decimal(21))])
    receipt = make_document(9402, kind="receipt", buyer=ADMINISTRATIONS[0], fmt="pdf",
                            invoice_number=f"BON-{secrets.token_hex(3)}")
    credit_doc, _ = upload(api, setup, credit)
    claim_doc, _ = upload(api, exact, receipt, kind="expense_claim")

    credit_body = approval_requested(api, setup, credit_doc)
    assert credit_body["proposal"]["total_incl_vat"] == "-181.50", credit_body["proposal"]
    claim_body = approval_requested(api, exact, claim_doc)
    assert claim_body["kind"] == "expense_claim" and claim_body["proposal"]["supplier"]["name"].endswith("sync")
    on_account(api, exact, claim_doc, NAMED_SUPPLIERS[0].default_gl)
    for setting, doc in ((setup, credit_doc), (exact, claim_doc)):
        assert approve(api, setting, doc) == "approved"
    credited = settled(api, setup, credit_doc, ("booked", "failed"))
    claimed = settled(api, exact, claim_doc, ("booked", "failed"))
    assert (credited["status"], claimed["status"]) == ("booked", "booked"), (credited.get("error"),
                                                                            claimed.get("error"))
    assert [b["package"] for b in credited["bookings"]] == ["snelstart"]
    assert [b["package"] for b in claimed["bookings"]] == ["exact_online"]
    [credit_entry] = entries(api, setup, credited["proposal"]["invoice_number"])
    assert credit_entry["total_incl_vat"] == "-181.50"
    [claim_entry] = entries(api, exact, claimed["proposal"]["invoice_number"])
    assert Decimal(claim_entry["total_incl_vat"]) == Decimal(claimed["proposal"]["total_incl_vat"]) > 0


def test_a_new_supplier_is_created_once_while_three_of_its_invoices_are_approved_together(api: Api) -> None:
    setup = snelstart_office(api)
    newcomer = random_supplier(random.Random(secrets.randbits(64)), "NL", sector="consulting")
    samples = [make_document(9410 + i, supplier=newcomer, buyer=ADMINISTRATIONS[0], fmt="pdf", layout="classic",
                             invoice_number=f"NEW-{secrets.token_hex(4)}",
                             lines=[SampleLine("Advieswerk", Decimal(1), Decimal(f"{500 + i}.00"), Decimal(21))])
               for i in range(3)]
    docs = [upload(api, setup, sample)[0] for sample in samples]
    proposals = [approval_requested(api, setup, doc)["proposal"] for doc in docs]
    assert {(p["supplier"]["match"], p["supplier"]["code"]) for p in proposals} == {("new", None)}, proposals
    for doc in docs:
        on_account(api, setup, doc, NAMED_SUPPLIERS[0].default_gl)

    answers = decide_at_once(api, setup, [(doc, "approve", api.token) for doc in docs])
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    booked = [settled(api, setup, doc, ("booked", "failed")) for doc in docs]
    assert [b["status"] for b in booked] == ["booked"] * 3, [b.get("error") for b in booked]
    booked_entries = [e for b in booked for e in entries(api, setup, b["proposal"]["invoice_number"])]
    assert len(booked_entries) == 3
    [code] = {e["supplier_code"] for e in booked_entries}

    # The package has the newcomer once: a fresh sync reads exactly one creditor with its VAT id.
    adm = f"/v1/offices/{setup.office}/administrations/{setup.administration_id}"
    api.ok("POST", f"{adm}/supplier-sync", status=202)
    found = wait_for(lambda: api.ok("GET", f"{adm}/suppliers", params={"q": newcomer.vat_id})["suppliers"],
                     "the new creditor in the synced suppliers")
    assert [(s["code"], s["vat_id"]) for s in found] == [(code, newcomer.vat_id)], found
