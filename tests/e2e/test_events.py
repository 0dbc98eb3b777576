"""Events for integrators over real HTTP against the started local stack: every status change of a document, from
received to booked, is on EventBridge's default bus once, in order, with the status it left."""

from __future__ import annotations

from tests.e2e.conftest import Api, snelstart_office, wait_for
from tests.e2e.documents import approval_requested, approve, invoice, settled, upload


def test_a_booked_documents_transitions_are_published_in_order(api: Api) -> None:
    setup = snelstart_office(api)
    doc, _ = upload(api, setup, invoice("250.00"))
    approval_requested(api, setup, doc)
    assert approve(api, setup, doc) == "approved"
    booked = settled(api, setup, doc, ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")

    # Published right after each transition is stored: the last one may still be on its way.
    events = wait_for(lambda: len(found := api.ok("GET", "/_local/events", params={"document_id": doc},
                                                  auth=False)["events"]) >= 6 and found, "the booked event")
    statuses = ["received", "recognizing", "awaiting_approval", "approved", "booking", "booked"]
    assert [e["detail-type"] for e in events] == [f"Document {s}" for s in statuses]
    assert [e["detail"]["previous_status"] for e in events] == [None, *statuses[:-1]]
    assert all(e["source"] == "boekstuk" and e["event_bus"] == "default" for e in events)
    last = events[-1]["detail"]
    assert last == {"office_code": setup.office, "administration_id": setup.administration_id, "document_id": doc,
                    "status": "booked", "previous_status": "booking",
                    "total_incl_vat": booked["proposal"]["total_incl_vat"], "currency": "EUR", "at": last["at"]}
