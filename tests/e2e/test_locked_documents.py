"""Round-trip edits and the lock after booking, over real HTTP against the started local stack: the proposal as
GET returns it goes back with a value changed; a booked document refuses edit, approve, reject and retry-booking
with 409 ``document_locked`` and its history shows every step with its actor and time."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import Api, assert_problem, snelstart_office
from tests.e2e.documents import approval_requested, document, entries, invoice, settled, upload, user


def test_a_round_tripped_proposal_is_booked_and_then_locked_with_its_whole_history(api: Api) -> None:
    setup = snelstart_office(api)
    anna = user(api, setup, "anna", "approver")
    doc, _ = upload(api, setup, invoice("250.00"))
    shown = approval_requested(api, setup, doc)
    url = f"/v1/offices/{setup.office}/documents/{doc}"
    proposal = shown["proposal"]
    assert proposal["provenance"] and "warnings" in proposal and proposal["lines"][0]["vat_rate"] == "21"

    # The whole proposal as GET returned it, one value changed: accepted; read-only parts do not matter.
    due = (dt.date.fromisoformat(proposal["invoice_date"]) + dt.timedelta(days=45)).isoformat()
    edited = api.ok("PUT", f"{url}/proposal", {**proposal, "due_date": due})
    assert edited["due_date"] == due and edited["provenance"]["due_date"] == "edited by sync"
    assert {k: v for k, v in edited.items() if k not in ("due_date", "provenance")} == \
        {k: v for k, v in proposal.items() if k not in ("due_date", "provenance")}
    # Unknown members are still refused, and so is a supplier the administration does not have.
    assert_problem(api.call("PUT", f"{url}/proposal", {**proposal, "colour": "blue"}), 422, "validation_error")
    assert_problem(api.call("PUT", f"{url}/proposal", {**proposal, "supplier": {"code": "no-such-supplier"}}),
                   422, "unknown_supplier")

    # A due date is not what approvers approve: the version stays, and approving the version one saw works.
    assert document(api, setup, doc)["proposal_version"] == shown["proposal_version"] == 0
    approved = api.ok("POST", f"{url}/approve", {"comment": "klopt", "proposal_version": 0})
    assert approved["status"] == "approved"
    booked = settled(api, setup, doc, ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    assert len(entries(api, setup, proposal["invoice_number"])) == 1

    # Locked: whoever asks (anna has not decided; sync is an admin), with whatever body.
    for method, path, body, token in (
            ("PUT", f"{url}/proposal", {**booked["proposal"], "due_date": proposal["invoice_date"]}, None),
            ("POST", f"{url}/approve", {"comment": ""}, anna),
            ("POST", f"{url}/reject", {"reason": "te laat"}, anna),
            ("POST", f"{url}/retry-booking", None, None)):
        assert_problem(api.call(method, path, body, token=token), 409, "document_locked")
    after = document(api, setup, doc)
    assert after == booked  # nothing changed, the history included

    history = after["history"]
    assert [h["event"] for h in history] == [
        "upload_requested", "received", "recognizing", "recognized", "proposed", "approval_requested", "edited",
        "approved", "booking", "booked"]
    assert [h["actor"] for h in history] == [
        "api:sync", "api", "system", "system", "system", "workflow", "api:sync", "api:sync", "workflow", "workflow"]
    times = [dt.datetime.fromisoformat(h["at"].replace("Z", "+00:00")) for h in history]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)
