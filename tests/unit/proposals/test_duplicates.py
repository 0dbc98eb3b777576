"""Duplicates: same file, same supplier + invoice number (atomic claims), near-duplicates only warn."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.unit.proposals.fakes import World, recognition


def test_same_file_names_the_original_and_a_retry_of_the_same_document_passes() -> None:
    world = World()
    first, second = world.document(sha256="abc"), world.document(sha256="abc")
    assert world.service.check_file_duplicate(first) is None
    assert world.service.check_file_duplicate(first) is None  # the intake retried: still the original
    assert world.service.check_file_duplicate(second) == first.document_id
    assert world.service.check_file_duplicate(world.document(sha256=None)) is None


def test_simultaneous_uploads_of_one_file_cannot_both_pass() -> None:
    world = World()
    documents = [world.document(sha256="same") for _ in range(16)]
    barrier = threading.Barrier(len(documents))

    def claim(doc: object) -> str | None:
        barrier.wait()
        return world.service.check_file_duplicate(doc)  # type: ignore[arg-type]

    with ThreadPoolExecutor(len(documents)) as pool:
        results = list(pool.map(claim, documents))
    winners = [d.document_id for d, r in zip(documents, results, strict=True) if r is None]
    assert len(winners) == 1
    assert set(results) - {None} == {winners[0]}


def test_same_supplier_and_number_is_a_duplicate_naming_the_original() -> None:
    world = World()
    first = world.document()
    assert world.service.propose(first, recognition(number="F-100")).duplicate_of is None
    assert world.service.propose(first, recognition(number="F-100")).duplicate_of is None  # retried
    outcome = world.service.propose(world.document(), recognition(number="f 100"))  # same number, other spelling
    assert outcome.duplicate_of == first.document_id
    assert "duplicate_number" in {w.code for w in outcome.proposal.warnings}
    # The same number from another supplier is no duplicate.
    other = world.service.propose(world.document(), recognition(name="Telecom Noord", vat_id="NL812345678B01",
                                                                number="F-100"))
    assert other.duplicate_of is None


def test_simultaneous_proposals_of_one_invoice_cannot_both_pass() -> None:
    world = World()
    documents = [world.document() for _ in range(12)]
    barrier = threading.Barrier(len(documents))

    def propose(doc: object) -> str | None:
        barrier.wait()
        return world.service.propose(doc, recognition(number="RACE-1")).duplicate_of  # type: ignore[arg-type]

    with ThreadPoolExecutor(len(documents)) as pool:
        results = list(pool.map(propose, documents))
    assert results.count(None) == 1


def test_near_duplicate_only_warns() -> None:
    world = World()
    first = world.document()
    world.service.propose(first, recognition(number="N-1"))
    outcome = world.service.propose(world.document(), recognition(number="N-2"))  # same supplier, date, amount
    assert outcome.duplicate_of is None
    near = [w for w in outcome.proposal.warnings if w.code == "near_duplicate"]
    assert len(near) == 1 and first.document_id in near[0].detail
    other_amount = world.service.propose(world.document(), recognition(number="N-3", vat=[("21", "50.00", "10.50")]))
    assert "near_duplicate" not in {w.code for w in other_amount.proposal.warnings}


def test_receipts_without_a_number_are_never_number_duplicates() -> None:
    world = World()
    a = world.service.propose(world.document(kind="receipt"), recognition(number=None))
    b = world.service.propose(world.document(kind="receipt"), recognition(number=None))
    assert a.duplicate_of is None and b.duplicate_of is None
    assert a.proposal.invoice_number != b.proposal.invoice_number
    assert a.proposal.provenance["invoice_number"].startswith("generated")


def test_a_rejected_document_releases_its_claims() -> None:
    world = World()
    rejected = world.document(sha256="h")
    assert world.service.check_file_duplicate(rejected) is None
    proposal = world.service.propose(rejected, recognition(number="R-1")).proposal
    holder = world.document(sha256="h")
    assert world.service.check_file_duplicate(holder) == rejected.document_id
    world.service.release_claims(rejected.model_copy(update={"proposal": proposal, "status": "rejected"}))
    again = world.document(sha256="h")
    assert world.service.check_file_duplicate(again) is None
    assert world.service.propose(again, recognition(number="R-1")).duplicate_of is None
    # Releasing never frees a claim another document holds.
    world.service.release_claims(holder)
    assert world.service.check_file_duplicate(world.document(sha256="h")) == again.document_id
