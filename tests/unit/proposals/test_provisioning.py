"""SupplierProvisioning: a new supplier is created exactly once, a supplement applied, at booking."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from boekstuk.domain import errors
from boekstuk.domain.documents import Document
from boekstuk.domain.links import Supplier
from tests.unit.proposals.fakes import ADM, KANTOORHUIS, World, recognition

NEW: dict[str, Any] = {"name": "Nieuwe Leverancier B.V.", "vat_id": "NL123456782B01", "kvk": "87654321", "iban": "NL20INGB0001234567",
       "address": "Dorpsstraat 1, 1234 AB Ergens", "due": "2026-02-24"}


def proposed(world: World, **kwargs: Any) -> Document:
    doc = world.document(status="approved")
    return doc.model_copy(update={"proposal": world.service.propose(doc, recognition(**kwargs)).proposal})


def test_new_supplier_is_created_once_even_when_called_twice() -> None:
    world = World()
    doc = proposed(world, **NEW)
    code = world.provisioning.ensure_supplier(doc)
    assert world.provisioning.ensure_supplier(doc) == code
    assert world.package.calls.count("create") == 1
    created = world.package.creditors[code]
    assert (created.name, created.vat_id, created.kvk, created.iban) == (
        "Nieuwe Leverancier B.V.", "NL123456782B01", "87654321", "NL20INGB0001234567")
    assert (created.address.street, created.address.postcode, created.address.city) == (
        "Dorpsstraat 1", "1234 AB", "Ergens")
    assert created.payment_term_days == 14


def test_a_lost_answer_then_a_retry_does_not_create_a_second_supplier() -> None:
    world = World()
    doc = proposed(world, **NEW)
    world.package.lose_next_answer = True  # created in the package, but the answer never arrived
    with pytest.raises(errors.PackageUnavailable):
        world.provisioning.ensure_supplier(doc)
    code = world.provisioning.ensure_supplier(doc)  # the Step Functions retry
    assert world.package.calls.count("create") == 1
    assert code in world.package.creditors


def test_a_second_document_of_the_same_new_supplier_reuses_the_creditor() -> None:
    world = World()
    first, second = proposed(world, **NEW, number="N1"), proposed(world, **NEW, number="N2")
    assert world.provisioning.ensure_supplier(first) == world.provisioning.ensure_supplier(second)
    assert world.package.calls.count("create") == 1


def test_supplement_is_applied_to_the_known_supplier() -> None:
    bare = KANTOORHUIS.model_copy(update={"iban": None})
    world = World(cached=[bare], in_package=[bare])
    doc = proposed(world, iban="NL91ABNA0417164300")
    assert doc.proposal is not None and doc.proposal.supplier_update == {"iban": "NL91ABNA0417164300"}
    assert world.provisioning.ensure_supplier(doc) == "2001"
    assert world.provisioning.ensure_supplier(doc) == "2001"
    assert world.package.calls.count("update") == 1
    assert world.package.creditors["2001"].iban == "NL91ABNA0417164300"


def test_known_supplier_without_supplement_needs_no_package_call() -> None:
    world = World()
    assert world.provisioning.ensure_supplier(proposed(world)) == "2001"
    assert world.package.calls == []


def test_booking_a_new_supplier_teaches_its_next_invoice() -> None:
    world = World()
    doc = proposed(world, **NEW, number="L1")
    assert doc.proposal is not None
    code = world.provisioning.ensure_supplier(doc)
    corrected = doc.proposal.model_copy(update={"lines": [doc.proposal.lines[0].model_copy(
        update={"gl_account": "4330", "vat_code": "H21"})]})
    world.service.record_booked(doc.model_copy(update={"proposal": corrected}))
    assert world.memory.last_booked(ADM.administration_id, code) is not None
    # The cache has not synced the new creditor yet: found in the package, booked on what was learned.
    nxt = world.service.propose(world.document(), recognition(**{**NEW, "number": "L2"})).proposal
    assert nxt.supplier.code == code and nxt.supplier.match == "vat_id"
    assert nxt.lines[0].gl_account == "4330" and nxt.provenance["lines[0].gl_account"] == "history"


def test_creditor_of_the_generic_receipt_is_created_once_per_administration() -> None:
    world = World(cached=[Supplier(code="1", name="Iets")], in_package=[])
    docs = []
    for n in range(3):
        doc = world.document(kind="receipt")
        docs.append(doc.model_copy(update={"proposal": world.service.propose(doc, recognition(
            name=f"Winkel {n}", vat_id=None, kind="receipt", number=None)).proposal}))
    codes = {world.provisioning.ensure_supplier(d) for d in docs}
    assert len(codes) == 1 and world.package.calls.count("create") == 1


def test_a_new_supplier_from_an_e_invoice_gets_its_address_with_the_country_apart() -> None:
    world = World()
    doc = proposed(world, **{**NEW, "address": "Hendrikweg 87, 8006 QB Bornerbroek, NL", "number": "A-1"})
    created = world.package.creditors[world.provisioning.ensure_supplier(doc)]
    assert (created.address.street, created.address.postcode, created.address.city, created.address.country) == (
        "Hendrikweg 87", "8006 QB", "Bornerbroek", "NL")


def test_two_documents_of_one_new_supplier_booked_at_once_create_it_once() -> None:
    world = World()
    docs = [proposed(world, **{**NEW, "number": f"P-{n}"}) for n in range(6)]
    world.package.find_delay = 0.05  # every document looks the supplier up before any creates it
    barrier = threading.Barrier(len(docs))

    def book(doc: Document) -> str | None:
        barrier.wait()
        try:
            return world.provisioning.ensure_supplier(doc)
        except errors.PackageUnavailable:
            return None  # the workflow retries this one

    with ThreadPoolExecutor(len(docs)) as pool:
        first_round = list(pool.map(book, docs))
    assert world.package.calls.count("create") == 1
    retried = {world.provisioning.ensure_supplier(d) for d, code in zip(docs, first_round, strict=True)
               if code is None}
    assert len({c for c in first_round if c} | retried) == 1
    assert world.package.calls.count("create") == 1


def test_a_creation_claim_of_a_vanished_document_is_taken_over() -> None:
    world = World()
    stuck, other = proposed(world, **{**NEW, "number": "V-1"}), proposed(world, **{**NEW, "number": "V-2"})
    key = "vat:NL123456782B01"
    world.memory.claim_creation(ADM.administration_id, key, stuck.document_id, world.clock.now(), world.clock.now())
    with pytest.raises(errors.PackageUnavailable):
        world.provisioning.ensure_supplier(other)  # the other document is creating it right now
    world.clock.advance(minutes=3)
    code = world.provisioning.ensure_supplier(other)
    assert world.package.calls.count("create") == 1 and code in world.package.creditors
