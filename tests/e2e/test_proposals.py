"""Booking proposals over real HTTP against the started local stack: the three named suppliers of
the simulators' seed (local/boekstuk_local/simulators/seed.py) are matched by VAT id with their package defaults, and a corrected, booked proposal
teaches the next one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import requests

from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS, SeedSupplier
from tests.e2e.conftest import Api, snelstart_office, wait_for

RATES = {"high": Decimal(21), "low": Decimal(9), "zero": Decimal(0)}


def upload(api: Api, office: str, administration_id: str, supplier: SeedSupplier, seed: int) -> dict[str, Any]:
    """Generate an invoice of ``supplier``, upload it through a slot over HTTP, wait until it is proposed."""
    sample = make_document(seed, supplier=supplier, buyer=ADMINISTRATIONS[0], fmt="pdf", layout="classic",
                           lines=[SampleLine("Maandelijkse levering", Decimal(1), Decimal("100.00"),
                                             RATES[supplier.vat_kind])])
    slot = api.ok("POST", f"/v1/offices/{office}/administrations/{administration_id}/documents",
                  {"filename": sample.filename, "content_type": sample.content_type}, status=201)
    put = requests.put(slot["upload"]["url"], data=sample.content, headers=slot["upload"]["headers"], timeout=60)
    assert put.status_code == 200, put.text
    url = f"/v1/offices/{office}/documents/{slot['document_id']}"

    def proposed() -> dict[str, Any] | None:
        document: dict[str, Any] = api.ok("GET", url)
        return document if document["status"] not in ("received", "recognizing") else None

    return dict(wait_for(proposed, "the proposal"))


def test_named_suppliers_are_proposed_from_the_package_and_a_correction_teaches_the_next(api: Api) -> None:
    setup = snelstart_office(api)
    office, administration_id = setup.office, setup.administration_id
    adm_url = f"/v1/offices/{office}/administrations/{administration_id}"
    vat_code_of = {v["kind"]: v["code"] for v in api.ok("GET", f"{adm_url}/vat-codes")["vat_codes"]}

    documents = {}
    for seed, supplier in enumerate(NAMED_SUPPLIERS, start=500):
        doc = upload(api, office, administration_id, supplier, seed)
        proposal = doc["proposal"]
        assert doc["status"] == "awaiting_approval", doc
        assert proposal["supplier"]["match"] == "vat_id" and proposal["supplier"]["name"] == supplier.name
        assert {line["gl_account"] for line in proposal["lines"]} == {supplier.default_gl}, proposal
        assert {line["vat_code"] for line in proposal["lines"]} == {vat_code_of[supplier.vat_kind]}, proposal
        assert proposal["provenance"]["lines[0].gl_account"] == "package default"
        documents[supplier.name] = doc

    # The bookkeeper books Telecom Noord on 4330 (software and subscriptions) instead of its default 4310.
    telecom = NAMED_SUPPLIERS[1]
    doc = documents[telecom.name]
    proposal = doc["proposal"]
    # The proposal as GET returned it (provenance, warnings, vat_rate and all), with the GL account changed.
    edit = {**proposal, "lines": [{**line, "gl_account": "4330"} for line in proposal["lines"]]}
    edited = api.ok("PUT", f"/v1/offices/{office}/documents/{doc['document_id']}/proposal", edit)
    assert edited["provenance"]["lines[0].gl_account"] == "edited by sync"
    api.ok("POST", f"/v1/offices/{office}/documents/{doc['document_id']}/approve", {"comment": "klopt"})
    wait_for(lambda: api.ok("GET", f"/v1/offices/{office}/documents/{doc['document_id']}")["status"] == "booked",
             "the booking")
    entries = api.ok("GET", f"/_local/packages/snelstart/administrations/{setup.administration_code}/entries", auth=False)["entries"]
    assert [e["invoice_number"] for e in entries if e["invoice_number"] == proposal["invoice_number"]]

    # The next invoice of Telecom Noord is proposed on the corrected account, learned from that booking.
    following = upload(api, office, administration_id, telecom, 600)["proposal"]
    assert {line["gl_account"] for line in following["lines"]} == {"4330"}, following
    assert following["provenance"]["lines[0].gl_account"] == "history"
