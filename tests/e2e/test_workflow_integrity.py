"""The approval and booking workflow's integrity over real HTTP against the started local stack: an edit that
raises the total re-applies the approval policy, and a second PUT to a booked document's upload URL changes
neither the document, its stored original nor its booking."""

from __future__ import annotations

import requests

from tests.e2e.conftest import Api, snelstart_office, wait_for
from tests.e2e.documents import approval_requested, approve, content, document, entries, invoice, settled, upload, user


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
    # The proposal as GET returned it, with the amounts changed (read-only parts go back as they came).
    edit = {**proposal, "total_incl_vat": "10890.00",
            "lines": [{**line, "amount_excl_vat": "9000.00", "vat_amount": "1890.00"}]}
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
