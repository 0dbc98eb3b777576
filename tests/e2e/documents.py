"""Documents over HTTP for the e2e tests: users of a SnelStart office, generated invoices uploaded through upload
slots, waiting for the workflow, and what landed in the simulator."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import requests

from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.samples.generator import SampleDocument
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from tests.e2e.conftest import PASSWORD, Api, SnelStartOffice, wait_for

_seeds = itertools.count(9300)


def user(api: Api, setup: SnelStartOffice, username: str, role: str, email: str | None = None) -> str:
    """A new user of the office (with ``email``: mail reaches them), logged in: their access token."""
    body = {"username": username, "role": role, "password": PASSWORD, **({"email": email} if email else {})}
    api.ok("POST", f"/v1/offices/{setup.office}/users", body, status=201)
    session = api.ok("POST", "/v1/sessions", {"office_code": setup.office, "username": username,
                                              "password": PASSWORD}, auth=False)
    return str(session["access_token"])


def invoice(price: str) -> SampleDocument:
    """A generated Kantoorhuis Utrecht invoice to the first seeded administration, with a number of its own."""
    seed = next(_seeds)
    return make_document(seed, supplier=NAMED_SUPPLIERS[0], buyer=ADMINISTRATIONS[0], fmt="pdf", layout="classic",
                         invoice_number=f"E2E-{seed}",
                         lines=[SampleLine("Kantoorartikelen", Decimal(1), Decimal(price), Decimal(21))])


def upload(api: Api, setup: SnelStartOffice, sample: SampleDocument,
           kind: str = "purchase_invoice") -> tuple[str, dict[str, Any]]:
    """PUT the document to a fresh upload slot's URL; (document id, the slot's upload instructions)."""
    slot = api.ok("POST", f"/v1/offices/{setup.office}/administrations/{setup.administration_id}/documents",
                  {"filename": sample.filename, "content_type": sample.content_type, "kind": kind}, status=201)
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
    listed = api.ok("GET", f"/_local/packages/{setup.package}/administrations/{setup.administration_code}/entries",
                    auth=False)["entries"]
    return [e for e in listed if e["invoice_number"] == number]


def content(api: Api, setup: SnelStartOffice, document_id: str) -> bytes:
    answer = api.call("GET", f"/v1/offices/{setup.office}/documents/{document_id}/content", allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return requests.get(answer.headers["Location"], timeout=30).content
