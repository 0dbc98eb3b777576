"""DynamoProposalMemory under moto: claims are conditional writes, history keeps the newest booking."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import boto3
import pytest
from moto import mock_aws

from boekstuk.adapters.dynamodb import DynamoTable
from boekstuk.adapters.dynamodb_proposals import DynamoProposalMemory
from boekstuk.domain.documents import BookedHistory, ProposalLine


@pytest.fixture()
def memory() -> Iterator[DynamoProposalMemory]:
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="eu-west-1")
        table = resource.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
        yield DynamoProposalMemory(DynamoTable(table))


def history(code: str, day: int, gl: str) -> BookedHistory:
    return BookedHistory(supplier_code=code, booked_at=dt.datetime(2026, 2, day, tzinfo=dt.UTC), document_id=f"d{day}",
                         lines=[ProposalLine(gl_account=gl, description="x", amount_excl_vat=Decimal("10.00"),
                                             vat_code="H21", vat_amount=Decimal("2.10"), vat_rate="21")])


def test_claims(memory: DynamoProposalMemory) -> None:
    assert memory.claim_file("a", "h1", "doc1") is None
    assert memory.claim_file("a", "h1", "doc1") is None
    assert memory.claim_file("a", "h1", "doc2") == "doc1"
    assert memory.claim_file("b", "h1", "doc2") is None  # another administration
    assert memory.claim_invoice("a", "vat:NL1", "F1", "doc3") is None
    assert memory.claim_invoice("a", "vat:NL1", "F1", "doc4") == "doc3"


def test_simultaneous_claims_one_winner(memory: DynamoProposalMemory) -> None:
    barrier = threading.Barrier(8)

    def claim(n: int) -> str | None:
        barrier.wait()
        return memory.claim_file("a", "same", f"doc{n}")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(claim, range(8)))
    assert results.count(None) == 1
    assert len(set(results) - {None}) == 1


def test_fingerprints_and_history(memory: DynamoProposalMemory) -> None:
    assert memory.remember_fingerprint("a", "vat:NL1", "2026-02-01", "121.00", "d1") == []
    assert memory.remember_fingerprint("a", "vat:NL1", "2026-02-01", "121.00", "d2") == ["d1"]
    assert memory.remember_fingerprint("a", "vat:NL1", "2026-02-01", "121.01", "d3") == []
    memory.record_booked("a", history("2002", 10, "4330"))
    memory.record_booked("a", history("2002", 5, "4310"))  # an older booking arriving late
    last = memory.last_booked("a", "2002")
    assert last is not None and last.lines[0].gl_account == "4330" and last.lines[0].amount_excl_vat == Decimal("10.00")
    memory.record_booked("a", history("2002", 12, "4400"))
    assert memory.last_booked("a", "2002").lines[0].gl_account == "4400"  # type: ignore[union-attr]
    assert memory.last_booked("a", "9999") is None
    assert memory.provisioned_supplier("a", "doc1") is None
    memory.remember_provisioned("a", "doc1", "3001")
    assert memory.provisioned_supplier("a", "doc1") == "3001"


def test_creation_claim_is_taken_over_only_when_stale(memory: DynamoProposalMemory) -> None:
    t0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert memory.claim_creation("a", "vat:NL1", "d1", t0, t0 - dt.timedelta(minutes=2)) is None
    assert memory.claim_creation("a", "vat:NL1", "d1", t0, t0 - dt.timedelta(minutes=2)) is None
    assert memory.claim_creation("a", "vat:NL1", "d2", t0, t0 - dt.timedelta(minutes=2)) == "d1"
    later = t0 + dt.timedelta(minutes=3)
    assert memory.claim_creation("a", "vat:NL1", "d2", later, later - dt.timedelta(minutes=2)) is None


def test_release_only_frees_our_own_claim(memory: DynamoProposalMemory) -> None:
    assert memory.claim_invoice("a", "vat:NL1", "F1", "d1") is None
    memory.release_invoice("a", "vat:NL1", "F1", "d2")  # not ours: stays
    assert memory.claim_invoice("a", "vat:NL1", "F1", "d3") == "d1"
    memory.release_invoice("a", "vat:NL1", "F1", "d1")
    assert memory.claim_invoice("a", "vat:NL1", "F1", "d3") is None
    assert memory.claim_file("a", "h", "d1") is None
    memory.release_file("a", "h", "d1")
    assert memory.claim_file("a", "h", "d2") is None
