"""The approval and booking workflow's integrity over real HTTP against the started local stack: an edit that
raises the total re-applies the approval policy, and a second PUT to a booked document's upload URL changes
neither the document, its stored original nor its booking."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import requests

from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.samples.generator import SampleDocument
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from tests.e2e.conftest import PASSWORD, Api, SnelStartOffice, snelstart_office, wait_for

_seeds = itertools.count(9300)


def user(api: Api, setup: SnelStartOffice, username: str, role: str) -> str:
    """A new user of the office, logged in: their access token."""
    api.ok("POST", f"/v1/offices/{setup.office}/users", {"username": username, "role": role, "password": PASSWORD},
           status=201)
    session = api.ok("POST", "/v1/sessions", {"office_code": setup.office, "username": username,
                                              "password": PASSWORD}, auth=False)
    return str(session["access_token"])


def invoice(price: str) -> SampleDocument:
    """A generated Kantoorhuis Utrecht invoice to the first seeded administration, with a number of its own."""
    seed = next(_seeds)
    return make_document(seed, supplier=NAMED_SUPPLIERS[0], buyer=ADMINISTRATIONS[0], fmt="pdf", layout="classic",
                         invoice_number=f"E2E-{seed}",
                         lines=[SampleLine("Kantoorartikelen", Decimal(1), Decimal(price), Decimal(21))])


def upload(api: Api, setup: SnelStartOffice, sample: SampleDocument) -> tuple[str, dict[str, Any]]:
    """PUT the invoice to a fresh upload slot's URL; (document id, the slot's upload instructions)."""
    slot = api.ok("POST", f"/v1/offices/{setup.office}/administrations/{setup.administration_id}/documents",
                  {"filename": sample.filename, "content_type": sample.content_type}, status=201)
    put = requests.put(slot["upload"]["url"], data=sample.content, headers=slot["upload"]["headers"], timeout=60)
    assert put.status_code == 200, put.text
    return str(slot["document_id"]), dict(slot["upload"])


def document(api: Api, setup: SnelStartOffice, document_id: str) -> dict[str, Any]:
    return dict(api.ok("GET", f"/v1/offices/{setup.office}/documents/{document_id}"))


def approval_requested(api: Api, setup: SnelStartOffice, document_id: str) -> dict[str, Any]:
    doc = wait_for(lambda: (d := document(api, setup, document_id))["approval"] is not None and d, "the approval")
    assert doc["status"] == "awaiting_approval", doc.get("error")
    return dict(doc)


def settled(api: Api, setup: SnelStartOffice, document_id: str, statuses: tuple[str, ...]) -> dict[str, Any]:
    return dict(wait_for(lambda: (d := document(api, setup, document_id))["status"] in statuses and d, statuses))


def approve(api: Api, setup: SnelStartOffice, document_id: str, token: str | None = None) -> str:
    return str(api.ok("POST", f"/v1/offices/{setup.office}/documents/{document_id}/approve", {"comment": ""},
                      token=token)["status"])


def entries(api: Api, setup: SnelStartOffice, number: str) -> list[dict[str, Any]]:
    listed = api.ok("GET", f"/_local/packages/snelstart/administrations/{setup.administration_code}/entries",
                    auth=False)["entries"]
    return [e for e in listed if e["invoice_number"] == number]


def content(api: Api, setup: SnelStartOffice, document_id: str) -> bytes:
    answer = api.call("GET", f"/v1/offices/{setup.office}/documents/{document_id}/content", allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return requests.get(answer.headers["Location"], timeout=30).content


def test_a_submitters_edit_past_the_second_step_needs_its_approver(api: Api) -> None:
    setup = snelstart_office(api)
    submitter, second = user(api, setup, "kees", "submitter"), user(api, setup, "anna", "approver")
    policy = {"steps": [{"min_amount": "0.00", "approvers": ["sync"], "required": 1},
                        {"min_amount": "5000.00", "approvers": ["anna"], "required": 1}]}
    api.ok("PUT", f"/v1/offices/{setup.office}/administrations/{setup.administration_id}/approval-policy", policy)
    doc, _ = upload(api, setup, invoice("4105.26"))
    body = approval_requested(api, setup, doc)
    proposal = body["proposal"]
    assert proposal["total_incl_vat"] == "4967.36", proposal
    assert body["approval"]["required"] == 1 and body["approval"]["approvers"] == ["sync"]

    [line] = proposal["lines"]
    edit = {"supplier_code": proposal["supplier"]["code"], "invoice_number": proposal["invoice_number"],
            "invoice_date": proposal["invoice_date"], "due_date": proposal["due_date"],
            "currency": proposal["currency"], "description": proposal.get("description"), "total_incl_vat": "10890.00",
            "lines": [{"gl_account": line["gl_account"], "description": line["description"],
                       "amount_excl_vat": "9000.00", "vat_code": line["vat_code"], "vat_amount": "1890.00"}]}
    edited = api.ok("PUT", f"/v1/offices/{setup.office}/documents/{doc}/proposal", edit, token=submitter)
    assert edited["total_incl_vat"] == "10890.00"
    body = document(api, setup, doc)
    assert body["approval"] == {"required": 2, "approvers": ["sync", "anna"], "decisions": []}

    # The first step's approver no longer books it on their own.
    assert approve(api, setup, doc) == "awaiting_approval"
    number = proposal["invoice_number"]
    assert document(api, setup, doc)["status"] == "awaiting_approval" and entries(api, setup, number) == []
    assert approve(api, setup, doc, token=second) == "approved"
    booked = settled(api, setup, doc, ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    [entry] = entries(api, setup, number)
    assert entry["total_incl_vat"] == "10890.00"
    assert [d["user"] for d in booked["approval"]["decisions"]] == ["sync", "anna"]


def test_a_second_upload_after_booking_changes_nothing_booked(api: Api) -> None:
    setup = snelstart_office(api)
    first, second = invoice("250.00"), invoice("990.00")
    doc, slot = upload(api, setup, first)
    approval_requested(api, setup, doc)
    assert approve(api, setup, doc) == "approved"
    booked = settled(api, setup, doc, ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    number = booked["proposal"]["invoice_number"]
    assert len(entries(api, setup, number)) == 1 and content(api, setup, doc) == first.content

    # Within the URL's 15 minutes, different bytes to the same URL with its headers: S3 refuses them.
    again = requests.put(slot["url"], data=second.content, headers=slot["headers"], timeout=60)
    assert again.status_code == 412, again.text
    # Without If-None-Match (the emulator does not check signatures; in AWS it is part of the signature).
    forced = requests.put(slot["url"], data=second.content, headers={"Content-Type": slot["headers"]["Content-Type"]},
                          timeout=60)
    assert forced.status_code == 200, forced.text

    # The second object becomes a document of its own; the booked one, its original and its booking stay.
    listed = wait_for(lambda: [d for d in api.ok("GET", f"/v1/offices/{setup.office}/documents")["documents"]
                               if d["document_id"] != doc], "the second object's document")
    [new] = listed
    other = settled(api, setup, new["document_id"], ("awaiting_approval", "duplicate", "unreadable"))
    assert other["status"] == "awaiting_approval", other.get("error")
    assert other["proposal"]["invoice_number"] == second.truth["fields"]["invoice_number"]
    assert f"second upload to the upload slot of document {doc}" in other["history"][0]["detail"]
    assert document(api, setup, doc) == booked
    assert content(api, setup, doc) == first.content
    assert len(entries(api, setup, number)) == 1
    assert entries(api, setup, other["proposal"]["invoice_number"]) == []
