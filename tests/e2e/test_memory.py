"""The started local stack's memory stays flat while documents flow through it (issue 9, item 5).

200 generated text PDFs go the way a client sends them: an upload slot from the API, a PUT to its presigned
URL, recognition, a booking proposal; every tenth one is approved and booked in the SnelStart simulator, and
each round ends with a few document listings.
The process's resident memory (VmRSS: the emulator, the handlers and the simulators all live in this process)
is read after a warm-up round and again after each later round.

The bound, ``MIB_PER_DOCUMENT`` per document after the warm-up plus ``SLACK_MIB``: what a document leaves behind
is its DynamoDB items (about 8 KB of JSON, some 80 KiB as the emulator's objects), its PDF in S3 and in the
simulator, its Step Functions execution and history, its e-mail; and while it awaits approval, the threads of
its parked execution. Measured: about 0.3 MiB per document. Before the fix the emulator kept a copy of every
item it ever read and of whole tables on every transaction: about 14 MiB per document and growing with the
table, so the first round after the warm-up already broke the bound.
"""

from __future__ import annotations

import gc
import time
from decimal import Decimal
from typing import Any

import pytest
import requests

from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from tests.e2e.conftest import Api, snelstart_office

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

DOCUMENTS = 200
WARM_UP = 20
ROUND = 30
APPROVE_EVERY = 10
LISTINGS_PER_ROUND = 3
MIB_PER_DOCUMENT = 1.0
SLACK_MIB = 32.0
WAIT_SECONDS = 120
RATES = {"high": Decimal(21), "low": Decimal(9), "zero": Decimal(0)}


def rss_mib() -> float:
    """This process's resident set size in MiB (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


class Office:
    """One office with SnelStart linked and one administration, sending documents through the API."""

    def __init__(self, api: Api) -> None:
        self.api = api
        linked = snelstart_office(api)
        self.office, self.administration = linked.office, linked.administration_id
        self.sent = 0

    def document_url(self, document_id: str) -> str:
        return f"/v1/offices/{self.office}/documents/{document_id}"

    def upload(self) -> str:
        """A new invoice through an upload slot and its presigned PUT; returns the document id."""
        seed = 7000 + self.sent
        supplier = NAMED_SUPPLIERS[self.sent % len(NAMED_SUPPLIERS)]
        amount = Decimal(100 + self.sent).quantize(Decimal("0.01"))
        sample = make_document(seed, supplier=supplier, buyer=ADMINISTRATIONS[0], fmt="pdf", layout="classic",
                               lines=[SampleLine("Levering", Decimal(1), amount, RATES[supplier.vat_kind])])
        slot = self.api.ok("POST", f"/v1/offices/{self.office}/administrations/{self.administration}/documents",
                           {"filename": sample.filename, "content_type": sample.content_type}, status=201)
        put = requests.put(slot["upload"]["url"], data=sample.content, headers=slot["upload"]["headers"],
                           timeout=60)
        assert put.status_code == 200, put.text
        self.sent += 1
        return str(slot["document_id"])

    def wait_status(self, document_id: str, waiting: tuple[str, ...]) -> str:
        """Poll the document until its status leaves ``waiting``; returns the new status."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            status = str(self.api.ok("GET", self.document_url(document_id))["status"])
            if status not in waiting:
                return status
            assert time.monotonic() < deadline, f"{document_id} still {status}"
            time.sleep(0.2)

    def send(self, count: int) -> list[str]:
        """``count`` documents up to their proposal; every ``APPROVE_EVERY``th approved and booked."""
        documents = [self.upload() for _ in range(count)]
        approved = []
        for index, document_id in enumerate(documents):
            status = self.wait_status(document_id, ("received", "recognizing"))
            assert status == "awaiting_approval", (document_id, status)
            if index % APPROVE_EVERY == 0:
                self.api.ok("POST", f"{self.document_url(document_id)}/approve", {"comment": "akkoord"})
                approved.append(document_id)
        for document_id in approved:
            status = self.wait_status(document_id, ("awaiting_approval", "approved", "booking"))
            assert status == "booked", (document_id, status)
        return documents

    def list_documents(self) -> None:
        """The office's document listing, as the web app polls it."""
        listing: dict[str, Any] = self.api.ok("GET", f"/v1/offices/{self.office}/documents")
        assert listing["documents"], listing


def settled_rss() -> float:
    """RSS once the garbage of the last requests is collected."""
    gc.collect()
    return rss_mib()


def test_memory_stays_bounded_over_200_documents(api: Api) -> None:
    office = Office(api)
    office.send(WARM_UP)
    start = settled_rss()
    measured: list[tuple[int, float]] = []
    sent = 0
    while sent < DOCUMENTS - WARM_UP:
        count = min(ROUND, DOCUMENTS - WARM_UP - sent)
        office.send(count)
        for _ in range(LISTINGS_PER_ROUND):
            office.list_documents()
        sent += count
        growth = settled_rss() - start
        measured.append((sent, round(growth, 1)))
        # Checked every round, so a leak fails in the first minute instead of after all 200 documents.
        assert growth <= MIB_PER_DOCUMENT * sent + SLACK_MIB, (
            f"RSS grew {growth:.0f} MiB over {sent} documents after the warm-up (from {start:.0f} MiB); "
            f"(documents, MiB) so far: {measured}")
    print(f"RSS {start:.0f} MiB after {WARM_UP} documents; growth (documents, MiB): {measured}")
