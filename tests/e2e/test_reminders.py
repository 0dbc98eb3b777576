"""Approvers are told and reminded, over real HTTP against the started local stack: the request mail when a
document waits for them, and after 48 hours one digest per approver per working day, never on a weekend, with the
local clock moved forward (``/_local/clock``) and the schedule fired (``/_local/schedules``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.clock import seconds_until
from tests.e2e.conftest import Api, snelstart_office, wait_for
from tests.e2e.documents import approval_requested, invoice, upload, user

SCHEDULE = "/_local/schedules/RemindApproversFunction"


def mail(api: Api, to: str) -> list[dict[str, Any]]:
    return list(api.ok("GET", "/_local/mail", params={"to": to}, auth=False)["messages"])


def advance(api: Api, at_least: dt.timedelta, *, weekday: bool = True) -> None:
    """Move the stack's clock to 10:00 in Amsterdam on the first working day (or Saturday) ``at_least`` away."""
    now = dt.datetime.fromisoformat(api.ok("GET", "/_local/clock", auth=False)["now"].replace("Z", "+00:00"))
    api.ok("POST", "/_local/clock", {"advance_seconds": seconds_until(now, at_least, weekday=weekday)}, auth=False)


def test_each_approver_gets_one_digest_a_working_day_and_none_at_the_weekend(api: Api) -> None:
    setup = snelstart_office(api)
    emails = {name: f"{name}@{setup.office}.example.nl" for name in ("anna", "piet")}
    for name, email in emails.items():
        user(api, setup, name, "approver", email=email)
    policy = {"steps": [{"min_amount": "0.00", "approvers": ["anna", "piet"], "required": 1}]}
    api.ok("PUT", f"/v1/offices/{setup.office}/administrations/{setup.administration_id}/approval-policy", policy)
    documents = [upload(api, setup, invoice(price))[0] for price in ("250.00", "990.00")]
    for doc in documents:
        approval_requested(api, setup, doc)

    # Told: one request per document, with the supplier, the amount, the due date and the web app's link.
    for email in emails.values():
        # The request is mailed right after the document shows its approval: wait for it, as a person would.
        requests = wait_for(lambda e=email: len(found := mail(api, e)) >= 2 and found, f"the requests to {email}")
        assert len(requests) == 2 and all(m["subject"].startswith("Ter goedkeuring: ") for m in requests)
        assert all(f in requests[0]["body"] for f in ("Leverancier:", "Bedrag: € ", "Vervaldatum:"))
        assert {link.rsplit("/", 1)[-1] for m in requests for link in m["links"]} == set(documents)
        assert all(link.startswith(f"{api.url}/#/documents/") for m in requests for link in m["links"])

    api.ok("POST", SCHEDULE, auth=False)
    assert [len(mail(api, e)) for e in emails.values()] == [2, 2]  # not 48 hours yet

    advance(api, dt.timedelta(hours=49))
    api.ok("POST", SCHEDULE, auth=False)
    for email in emails.values():
        [digest] = [m for m in mail(api, email) if m["subject"].startswith("Herinnering")]
        assert digest["subject"] == "Herinnering: 2 documenten wachten op uw goedkeuring"
        assert {link.rsplit("/", 1)[-1] for link in digest["links"]} == set(documents)

    api.ok("POST", SCHEDULE, auth=False)  # the same day again: nothing new
    assert [len(mail(api, e)) for e in emails.values()] == [3, 3]

    advance(api, dt.timedelta(hours=1), weekday=False)  # a Saturday: nothing, though a day has passed
    assert api.ok("POST", SCHEDULE, auth=False)["result"]["weekend"] is True
    assert [len(mail(api, e)) for e in emails.values()] == [3, 3]

    advance(api, dt.timedelta(hours=1))  # Monday: the next digest
    api.ok("POST", SCHEDULE, auth=False)
    assert [len(mail(api, e)) for e in emails.values()] == [4, 4]
